import type { Writable } from 'node:stream';
import pkg from '../../package.json' with { type: 'json' };
import { EXIT } from './exit-codes.js';
import { systemErrorText } from './messages.js';

/** The version every executable reports. */
export const VERSION: string = pkg.version;

/** One command-line option, declared once: both parsers below are generated from it. */
export interface OptionDef {
  type: 'boolean' | 'integer' | 'string';
  describe: string;
  alias?: string;
  default?: boolean | number | string;
  /** integer options: the accepted range */
  min?: number;
  max?: number;
  /** string options: converts the text, throwing an Error whose message says why it is bad */
  parse?: (text: string) => unknown;
  /** placeholder for the value in help, e.g. "N" */
  value?: string;
}

export type OptionTable = Record<string, OptionDef>;

/** A program's command line: its name, what it does, and its options. */
export interface ProgramSpec {
  name: string;
  /** e.g. "mul [options] < numbers" */
  synopsis: string;
  description: string;
  options: OptionTable;
  examples?: [command: string, meaning: string][];
  /** Words after the options (timer's COMMAND, `timer report`'s FILE); none when absent. */
  operands?: {
    name: string;
    min: number;
    max: number;
    /** The first operand ends the options: what follows belongs to it (a command's own options). */
    haltAtFirst?: boolean;
  };
  /** Checks the options together; returns why they do not fit, or undefined. */
  check?: (options: Record<string, unknown>) => string | undefined;
}

/** What the command line asks for: run with these options (and operands), or exit with a status. */
export type CommandLine =
  | { action: 'run'; options: Record<string, unknown>; operands: string[] }
  | { action: 'exit'; status: number };

/**
 * Parses argv against the spec. The common case (known long options, well-formed values) takes a
 * fast path that costs nothing at start-up; anything else (help, version, completion, short aliases,
 * errors) loads yargs, which prints what it has to and reports usage errors (status 2).
 */
export async function parseCommandLine(spec: ProgramSpec, argv: string[]): Promise<CommandLine> {
  return parseFast(spec, argv) ?? (await parseWithYargs(spec, argv));
}

/** Converts an option's text to its value, or throws an Error saying why it is not valid. */
export function convertOption(name: string, def: OptionDef, text: unknown): unknown {
  if (def.type === 'boolean') return text;
  if (Array.isArray(text)) text = text[text.length - 1];
  const raw = String(text);
  if (def.type === 'integer') {
    const value = /^[0-9]+$/.test(raw) ? Number(raw) : /^[0-9.e+]+$/i.test(raw) ? Number(raw) : NaN;
    const min = def.min ?? 0;
    const max = def.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`invalid value '${raw}' for --${name}: expected an integer from ${min} to ${max}`);
    }
    return value;
  }
  if (!def.parse) return raw;
  try {
    return def.parse(raw);
  } catch (error) {
    throw new Error(`--${name}: ${(error as Error).message}`);
  }
}

/** The hot path (exported for tests): plain `--name`, `--name value`, `--name=value`; undefined means "ask yargs". */
export function parseFast(spec: ProgramSpec, argv: string[]): CommandLine | undefined {
  const options: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec.options)) {
    options[name] = def.default ?? (def.type === 'boolean' ? false : undefined);
  }
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (i === 0 && arg === 'completion') return undefined; // yargs prints the completion script
      if (spec.operands?.haltAtFirst) {
        operands.push(...argv.slice(i));
        break;
      }
      operands.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) return undefined;
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const def = Object.hasOwn(spec.options, name) ? spec.options[name]! : undefined;
    if (def === undefined) return undefined;
    if (def.type === 'boolean') {
      if (equals !== -1) return undefined;
      options[name] = true;
      continue;
    }
    const text = equals === -1 ? argv[++i] : arg.slice(equals + 1);
    if (text === undefined || (equals === -1 && text.startsWith('-'))) return undefined;
    try {
      options[name] = convertOption(name, def, text);
    } catch {
      return undefined; // yargs words the error
    }
  }
  if (operandProblem(spec, operands) !== undefined || spec.check?.(options) !== undefined) return undefined;
  return { action: 'run', options, operands };
}

/** Why the operands do not fit the spec (too few, too many), or undefined. */
function operandProblem(spec: ProgramSpec, operands: string[]): string | undefined {
  const { name = '', min = 0, max = 0 } = spec.operands ?? {};
  if (operands.length < min) return `missing ${name}`;
  if (operands.length > max) return `unexpected argument '${operands[max]}'`;
  return undefined;
}

export async function parseWithYargs(spec: ProgramSpec, argv: string[]): Promise<CommandLine> {
  const { default: yargs } = await import('yargs');
  const parser = yargs()
    .scriptName(spec.name)
    .usage(`Usage: ${spec.synopsis}\n\n${spec.description}`)
    .parserConfiguration({
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'duplicate-arguments-array': false,
      'populate--': true,
      'boolean-negation': false,
      'camel-case-expansion': false,
      // (not for `completion`, which yargs only recognises without it)
      'halt-at-non-option': spec.operands?.haltAtFirst === true && argv[0] !== 'completion',
    })
    .strictOptions()
    .exitProcess(false)
    .showHelpOnFail(false)
    .help('help')
    .alias('help', 'h')
    .version('version', 'Show the version number', VERSION)
    .completion('completion', 'Print a bash completion script')
    .wrap(Math.min(100, process.stdout.columns ?? 80));
  for (const [name, def] of Object.entries(spec.options)) {
    parser.option(name, {
      describe: def.describe,
      alias: def.alias,
      default: def.default,
      ...(def.type === 'boolean'
        ? { type: 'boolean' as const }
        : { requiresArg: true, nargs: 1, coerce: (text: unknown) => (text === undefined ? undefined : convertOption(name, def, text)) }),
    });
  }
  for (const [command, meaning] of spec.examples ?? []) parser.example(command, meaning);

  const { error, parsed, output } = await new Promise<{ error: Error | null | undefined; parsed: Record<string, unknown>; output: string }>(
    (resolve) => {
      void parser.parse(argv, {}, (error: Error | null | undefined, parsed: Record<string, unknown>, output: string) =>
        resolve({ error, parsed, output }),
      );
    },
  );
  const flagWithValue = argv
    .slice(0, argv.includes('--') ? argv.indexOf('--') : undefined)
    .find((arg) => /^--[^=]+=/.test(arg) && spec.options[arg.slice(2, arg.indexOf('='))]?.type === 'boolean');
  if (!error && flagWithValue) {
    // yargs would read `--formula=yes` as false; a flag takes no value.
    const flag = flagWithValue.slice(0, flagWithValue.indexOf('='));
    await writeText(process.stderr, `${spec.name}: option '${flag}' doesn't allow an argument\nTry '${spec.name} --help' for more information.\n`);
    return { action: 'exit', status: EXIT.USAGE };
  }
  if (error) {
    const why = error.message.charAt(0).toLowerCase() + error.message.slice(1);
    await writeText(process.stderr, `${spec.name}: ${why}\nTry '${spec.name} --help' for more information.\n`);
    return { action: 'exit', status: EXIT.USAGE };
  }
  if (output !== '' || parsed['help'] || parsed['version'] || (parsed['_'] as unknown[])[0] === 'completion') {
    // --help, --version, completion: yargs produced the text; write it where a failure is noticed.
    const failure = await writeText(process.stdout, output.endsWith('\n') ? output : `${output}\n`);
    if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') {
      await writeText(process.stderr, `${spec.name}: write error: ${systemErrorText(failure)}\n`);
      return { action: 'exit', status: EXIT.FAILURE };
    }
    return { action: 'exit', status: EXIT.OK };
  }
  const positional = (parsed['_'] as unknown[]).map(String);
  const operands = [...positional, ...((parsed['--'] as unknown[] | undefined) ?? []).map(String)];
  const options: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec.options)) {
    options[name] = parsed[name] ?? (def.type === 'boolean' ? false : undefined);
  }
  const why = operandProblem(spec, operands) ?? spec.check?.(options);
  if (why !== undefined) {
    await writeText(process.stderr, `${spec.name}: ${why}\nTry '${spec.name} --help' for more information.\n`);
    return { action: 'exit', status: EXIT.USAGE };
  }
  return { action: 'run', options, operands };
}

/** Writes text and resolves with the write's error, if any (a closed or full stdout is noticed). */
export function writeText(stream: Writable, text: string): Promise<Error | null | undefined> {
  return new Promise((resolve) => {
    stream.once('error', () => {}); // the callback below reports it; keep it from becoming uncaught
    stream.write(text, (error) => resolve(error));
  });
}
