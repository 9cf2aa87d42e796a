import type { Writable } from 'node:stream';
import pkg from '../../package.json' with { type: 'json' };
import { bashCompletion } from './completion.js';
import { EXIT } from '../base/exit-codes.js';
import { helpText } from './help.js';
import { systemErrorText, utf8Bytes } from '../base/messages.js';
import type { OptionDef, OptionTable, ProgramSpec } from './spec.js';
import yargs from 'yargs/yargs';
import type { Arguments, Argv } from 'yargs';
import { getoptView, quoteArg, type GetoptView } from './getopt.js';

/** The version every executable reports. */
export const VERSION: string = pkg.version;

/** What the command line asks for: run with these options (and operands), or exit with a status. */
export type CommandLine =
  | { action: 'run'; options: Record<string, unknown>; operands: string[] }
  | { action: 'exit'; status: number };

/** A usage error, worded as GNU getopt words it (`unrecognized option '--x'`). */
export class UsageError extends Error {}

// Stryker disable all: writes to the process's stdout and stderr (I/O, not the parse): yargs.test and cli.test run it
/**
 * Parses argv against the spec with yargs, GNU style: long options (or unique prefixes of them) with
 * `=VALUE` or a separate value, short aliases (clustered or with their value attached), `--` ending the
 * options. `--help`, `--version` and a first word `completion` print what they ask for and exit; usage
 * errors print one line and a hint and exit with status 2.
 */
export async function parseCommandLine(spec: ProgramSpec, argv: string[]): Promise<CommandLine> {
  let parsed: ParsedArgs;
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

// Stryker restore all

/** The options every program answers besides its table's: --help (-h) and --version. */
const BUILTIN: OptionTable = {
  help: { type: 'boolean', alias: 'h', describe: 'Show this help and exit' },
  version: { type: 'boolean', describe: 'Show the version number and exit' },
};

/** What a parse asks for: run with these options and operands, or print help, the version or completion. */
export type ParsedArgs =
  | { action: 'run'; options: Record<string, unknown>; operands: string[] }
  | { action: 'help' | 'version' | 'completion' };

/**
 * The parse itself (exported for tests): what to do, or a thrown UsageError. yargs parses, configured
 * as getopt behaves; getoptView first does what yargs cannot (abbreviations, `-rVALUE`, GNU wording).
 */
export function parseArgs(spec: ProgramSpec, argv: string[]): ParsedArgs {
  if (argv[0] === 'completion') return { action: 'completion' };
  const table = { ...spec.options, ...BUILTIN };
  const view = getoptView(table, argv, spec.operands?.haltAtFirst === true);
  let parsed: ParsedArgs | undefined;
  try {
    yargsFor(table, spec.operands?.haltAtFirst === true)
      .fail((message, error) => {
        if (error instanceof UsageError) throw error;
        throw new UsageError(view.problem ?? yargsMessage(table, message ?? error?.message ?? ''));
      })
      // Runs once yargs has parsed and validated: its errors (thrown) reach the fail handler above.
      .check((args) => {
        parsed = settle(spec, view, args);
        return true;
      })
      .parse(view.argv);
  } catch (error) {
    if (view.request && error instanceof UsageError) return { action: view.request };
    throw error;
  }
  return parsed!;
}

/** yargs set up to parse `table` as getopt_long would, each default that differs turned off (exported for tests). */
export function yargsFor(table: OptionTable, haltAtFirst: boolean): Argv {
  const parser = yargs()
    .help(false) // --help, --version and completion come from the option table (help.ts, completion.ts)
    .version(false)
    .detectLocale(false) // its messages are read below: they stay in English
    .exitProcess(false)
    .strictOptions()
    .parserConfiguration({
      'boolean-negation': false, // timer's --no-progress is an option of its own; --no-time is unknown
      'duplicate-arguments-array': false, // `--repeat 3 --repeat 7` is 7: the last wins, as with getopt
      'parse-numbers': false, // values are text until the table converts them (the input grammar)
      'parse-positional-numbers': false, // timer's COMMAND and its arguments stay as typed
      'camel-case-expansion': false, // --from-input is not also fromInput
      'dot-notation': false, // --repeat.x is an unknown option, not an object
      'nargs-eats-options': true, // an option's value may begin with `-` (`--label -v`)
      'populate--': true, // operands after `--` are kept apart from yargs' own
      'halt-at-non-option': haltAtFirst, // timer's COMMAND ends its options
      'strip-aliased': true,
    });
  for (const [name, def] of Object.entries(table)) {
    parser.option(name, {
      ...(def.alias ? { alias: def.alias } : {}),
      ...(def.type === 'boolean' ? { type: 'boolean' } : { type: 'string', nargs: 1 }),
    });
  }
  return parser;
}

/** A yargs message in getopt's words; those yargs can give once getoptView found nothing wrong. */
function yargsMessage(table: OptionTable, message: string): string {
  const missing = /^Not enough arguments following: (.+)$/.exec(message)?.[1];
  if (missing === undefined) return message.charAt(0).toLowerCase() + message.slice(1);
  return Object.hasOwn(table, missing)
    ? `option '--${missing}' requires an argument`
    : `option requires an argument -- ${quoteArg(missing)}`;
}

/** The options and operands yargs parsed, converted and checked against the spec. */
function settle(spec: ProgramSpec, view: GetoptView, args: Arguments): ParsedArgs {
  if (view.request) return { action: view.request };
  if (view.problem) throw new UsageError(view.problem);
  const options: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec.options)) {
    const value = args[name];
    if (def.type === 'boolean') options[name] = value === true;
    else if (value === undefined) options[name] = def.default;
    else {
      try {
        const shown = view.written.get(name) ?? `--${name}`;
        options[name] = def.repeatable
          ? (view.values.get(name) ?? [String(value)]).map((text) => convertOption(def, text, shown))
          : convertOption(def, String(value), shown);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
  }
  const operands = [...args._, ...((args['--'] as unknown[] | undefined) ?? [])].map(String);
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

// Stryker disable all: I/O (a stream's write), tested through the executables (cli.test: >/dev/full)
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
