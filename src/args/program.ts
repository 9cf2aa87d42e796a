import type { Writable } from 'node:stream';
import pkg from '../../package.json' with { type: 'json' };
import { bashCompletion } from './completion.js';
import { EXIT } from '../base/exit-codes.js';
import { helpText } from './help.js';
import { quoteBytes } from '../base/input-error.js';
import { systemErrorText, utf8Bytes } from '../base/messages.js';
import type { OptionDef, ProgramSpec } from './spec.js';

/** The version every executable reports. */
export const VERSION: string = pkg.version;

/** What the command line asks for: run with these options (and operands), or exit with a status. */
export type CommandLine =
  | { action: 'run'; options: Record<string, unknown>; operands: string[] }
  | { action: 'exit'; status: number };

/** A usage error, worded as GNU getopt words it (`unrecognized option '--x'`). */
export class UsageError extends Error {}

/**
 * Parses argv against the spec, GNU style: long options with `=VALUE` or a separate value, short
 * aliases (clustered or with their value attached), `--` ending the options. `--help`, `--version` and
 * a first word `completion` print what they ask for and exit; usage errors print one line and a hint
 * and exit with status 2.
 */
export async function parseCommandLine(spec: ProgramSpec, argv: string[]): Promise<CommandLine> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(spec, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await writeText(
      process.stderr,
      utf8Bytes(`${spec.name}: ${error.message}\nTry '${spec.name} --help' for more information.\n`),
      'latin1',
    );
    return { action: 'exit', status: EXIT.USAGE };
  }
  if (parsed.action === 'run') return parsed;
  const text =
    parsed.action === 'help'
      ? helpText(spec, process.stdout.isTTY ? (process.stdout.columns ?? 80) : 80)
      : parsed.action === 'version'
        ? `${VERSION}\n`
        : bashCompletion(spec);
  const failure = await writeText(process.stdout, text);
  if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') {
    await writeText(process.stderr, `${spec.name}: write error: ${systemErrorText(failure)}\n`);
    return { action: 'exit', status: EXIT.FAILURE };
  }
  return { action: 'exit', status: EXIT.OK };
}

/** The parse itself (exported for tests): what to do, or a thrown UsageError. */
export function parseArgs(
  spec: ProgramSpec,
  argv: string[],
):
  | { action: 'run'; options: Record<string, unknown>; operands: string[] }
  | { action: 'help' | 'version' | 'completion' } {
  const options: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec.options)) {
    options[name] = def.default ?? (def.type === 'boolean' ? false : undefined);
  }
  const byAlias = new Map(
    Object.entries(spec.options).flatMap(([name, def]) => (def.alias ? [[def.alias, name] as const] : [])),
  );
  const operands: string[] = [];
  const setValue = (name: string, def: OptionDef, text: string, shown: string): void => {
    try {
      options[name] = convertOption(def, text, shown);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = arg.slice(2, equals === -1 ? undefined : equals);
      const inline = equals === -1 ? undefined : arg.slice(equals + 1);
      if ((name === 'help' || name === 'version') && inline === undefined) return { action: name };
      const def = Object.hasOwn(spec.options, name) ? spec.options[name]! : undefined;
      if (def === undefined) throw new UsageError(`unrecognized option ${quoteArg(arg)}`);
      if (def.type === 'boolean') {
        if (inline !== undefined) throw new UsageError(`option '--${name}' doesn't allow an argument`);
        options[name] = true;
        continue;
      }
      const text = inline ?? argv[++i];
      if (text === undefined) throw new UsageError(`option '--${name}' requires an argument`);
      setValue(name, def, text, `--${name}`);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (letter === 'h') return { action: 'help' };
        const name = byAlias.get(letter);
        if (name === undefined) throw new UsageError(`invalid option -- ${quoteArg(letter)}`);
        const def = spec.options[name]!;
        if (def.type === 'boolean') {
          options[name] = true;
          continue;
        }
        const text = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (text === undefined) throw new UsageError(`option requires an argument -- '${letter}'`);
        setValue(name, def, text, `-${letter}`);
        break;
      }
      continue;
    }
    if (i === 0 && arg === 'completion') return { action: 'completion' };
    if (spec.operands?.haltAtFirst) {
      operands.push(...argv.slice(i));
      break;
    }
    operands.push(arg);
  }
  const { name = '', min = 0, max = 0 } = spec.operands ?? {};
  const why = spec.check?.(options, operands);
  if (why !== undefined) throw new UsageError(why);
  if (operands.length < min) throw new UsageError(`missing ${name}`);
  if (operands.length > max) throw new UsageError(`extra operand ${quoteArg(operands[max]!)}`);
  return { action: 'run', options, operands };
}

/**
 * Converts an option's text to its value, or throws an Error whose message says why it is not valid
 * (naming the option as `shown`). Integers
 * follow the input grammar: decimal digits only (no sign, exponent or fraction).
 */
export function convertOption(def: OptionDef, text: string, shown: string): unknown {
  const invalid = (expected: string): Error =>
    new Error(`invalid value ${quoteArg(text)} for ${shown}: expected ${expected}`);
  if (def.type === 'integer') {
    const min = def.min ?? 0;
    const max = def.max ?? Number.MAX_SAFE_INTEGER;
    const value = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw invalid(`an integer from ${min} to ${max}`);
    return value;
  }
  if (def.choices && !def.choices.includes(text)) throw invalid(def.choices.join(', '));
  if (!def.parse) return text;
  try {
    return def.parse(Buffer.from(text).toString('latin1')); // parsers quote bytes, as on input
  } catch (error) {
    throw new Error(`${shown}: ${(error as Error).message}`);
  }
}

/** An argument quoted for a message, every byte that is not printable ASCII escaped. */
function quoteArg(arg: string): string {
  return quoteBytes(Buffer.from(arg).toString('latin1'));
}

/** Writes text and resolves with the write's error, if any (a closed or full stdout is noticed). */
export function writeText(
  stream: Writable,
  text: string,
  encoding: BufferEncoding = 'utf8',
): Promise<Error | null | undefined> {
  return new Promise((resolve) => {
    stream.once('error', () => {}); // the callback below reports it; keep it from becoming uncaught
    stream.write(text, encoding, (error) => resolve(error));
  });
}
