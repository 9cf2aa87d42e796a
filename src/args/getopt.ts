// What GNU getopt_long does and yargs does not, done on argv before yargs reads it: unique prefixes of
// long options expanded, a short option's attached value split off, and the first bad option worded
// as getopt words it (yargs reports `-q` and `--q` alike, as "Unknown argument: q").
import { quoteBytes } from '../base/input-error.js';
import type { OptionTable } from './spec.js';

/** argv as getopt_long sees it, rewritten for yargs. */
export interface GetoptView {
  /** argv for yargs: long options under their full names, an attached short value as its own word */
  argv: string[];
  /** how each option was last written (`-r` or `--repeat`), to name it in a message about its value */
  written: Map<string, string>;
  /** each value option's values, in argv order (a repeatable option keeps them all) */
  values: Map<string, string[]>;
  /** the first bad option in argv order, in getopt's words (`invalid option -- 'q'`) */
  problem?: string;
  /** `--help` or `--version` met before any bad option: getopt stops there, so does the program */
  request?: 'help' | 'version';
}

/**
 * Reads argv as getopt_long does (options permuted among operands unless `haltAtFirst`; everything
 * after `--`, and after the first operand when `haltAtFirst`, left untouched) and rewrites it for yargs.
 * `options` must include help and version.
 */
export function getoptView(options: OptionTable, argv: string[], haltAtFirst: boolean): GetoptView {
  const out: string[] = [];
  const written = new Map<string, string>();
  const values = new Map<string, string[]>();
  const value = (name: string, text: string): void => {
    values.set(name, [...(values.get(name) ?? []), text]);
  };
  let problem: string | undefined;
  let request: GetoptView['request'];
  const note = (why: string): void => {
    problem ??= why;
  };
  const met = (name: string, shown: string): void => {
    written.set(name, shown);
    if ((name === 'help' || name === 'version') && problem === undefined) request ??= name;
  };
  const byAlias = new Map(
    Object.entries(options).flatMap(([name, def]) => (def.alias ? [[def.alias, name] as const] : [])),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const typed = arg.slice(2, equals === -1 ? undefined : equals);
      const names = longNames(options, typed);
      if (names.length !== 1) {
        note(
          names.length === 0
            ? `unrecognized option ${quoteArg(arg)}`
            : `option ${quoteArg(arg)} is ambiguous; possibilities: ${names.map((name) => `'--${name}'`).join(' ')}`,
        );
        out.push(arg);
        continue;
      }
      const name = names[0]!;
      out.push(`--${name}${equals === -1 ? '' : arg.slice(equals)}`);
      if (options[name]!.type === 'boolean') {
        if (equals !== -1) note(`option '--${name}' doesn't allow an argument`);
        else met(name, `--${name}`);
      } else {
        written.set(name, `--${name}`);
        // Its value is the next word, whatever it looks like (`--label -v`); yargs takes it the same way.
        if (equals !== -1) value(name, arg.slice(equals + 1));
        else if (i + 1 < argv.length) {
          out.push(argv[++i]!);
          value(name, argv[i]!);
        }
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const name = byAlias.get(arg[j]!);
        if (name === undefined) {
          note(`invalid option -- ${quoteArg(arg[j]!)}`);
          out.push(arg);
          break;
        }
        if (options[name]!.type === 'boolean') {
          met(name, `-${arg[j]}`);
          if (j === arg.length - 1) out.push(arg);
          continue;
        }
        written.set(name, `-${arg[j]}`);
        // `-r5`, `-zrx`: the rest of the word is the value (yargs would read `x` as an option of its own).
        out.push(arg.slice(0, j + 1));
        if (j + 1 < arg.length) {
          out.push(arg.slice(j + 1));
          value(name, arg.slice(j + 1));
        } else if (i + 1 < argv.length) {
          out.push(argv[++i]!);
          value(name, argv[i]!);
        }
        break;
      }
      continue;
    }
    if (haltAtFirst) {
      out.push(...argv.slice(i));
      break;
    }
    out.push(arg);
  }
  return { argv: out, written, values, ...(problem === undefined ? {} : { problem }), ...(request ? { request } : {}) };
}

/** The long options `typed` names: itself when it is one, else every option it is a prefix of. */
export function longNames(options: OptionTable, typed: string): string[] {
  if (Object.hasOwn(options, typed)) return [typed];
  return typed === '' ? [] : Object.keys(options).filter((name) => name.startsWith(typed));
}

/** An argument quoted for a message, every byte that is not printable ASCII escaped. */
export function quoteArg(arg: string): string {
  return quoteBytes(Buffer.from(arg).toString('latin1'));
}
