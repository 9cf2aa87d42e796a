import type { OptionDef, ProgramSpec } from './spec.js';

/** The options every program answers besides its table's. */
export const BUILTIN_OPTIONS: [flags: string, describe: string][] = [
  ['-h, --help', 'Show this help and exit'],
  ['    --version', 'Show the version number and exit'],
];

/** An option's flags as help and man pages show them: `-r, --repeat N` or `    --time`. */
export function optionFlags(name: string, def: OptionDef): string {
  const value = def.type === 'boolean' ? '' : ` ${def.value ?? (def.type === 'integer' ? 'N' : 'VALUE')}`;
  return `${def.alias ? `-${def.alias}, ` : '    '}--${name}${value}`;
}

/** What an option's help says after its description: its default, where it has one worth saying. */
export function optionDefault(def: OptionDef): string {
  return def.default === undefined || def.default === false ? '' : ` (default: ${def.default})`;
}

/**
 * The --help text, wrapped once to `width` columns: prose and option descriptions are filled to the
 * width; synopses and example commands are never broken (they must stay copyable).
 */
export function helpText(spec: ProgramSpec, width: number): string {
  const columns = Math.max(40, width);
  const out: string[] = [];
  const [first, ...more] = spec.synopsis.split('\n');
  out.push(`Usage: ${first}`, ...more.map((line) => `       ${line.trim()}`), '');
  for (const paragraph of spec.description.split('\n\n')) out.push(...fill(paragraph, columns), '');
  const rows: [string, string][] = [
    ...Object.entries(spec.options).map(([name, def]): [string, string] => [
      optionFlags(name, def),
      def.describe + optionDefault(def),
    ]),
    ...BUILTIN_OPTIONS,
  ];
  const flagWidth = Math.min(Math.max(...rows.map(([flags]) => flags.length)), 24);
  const indent = 2 + flagWidth + 2;
  out.push('Options:');
  for (const [flags, describe] of rows) {
    const lines = fill(describe, columns - indent);
    if (flags.length > flagWidth) out.push(`  ${flags}`, ...lines.map((line) => ' '.repeat(indent) + line));
    else
      out.push(
        `  ${flags.padEnd(flagWidth)}  ${lines[0] ?? ''}`,
        ...lines.slice(1).map((line) => ' '.repeat(indent) + line),
      );
  }
  if (spec.examples?.length) {
    out.push('', 'Examples:');
    for (const [command, meaning] of spec.examples)
      out.push(`  ${command}`, ...fill(meaning, columns - 6).map((line) => `      ${line}`));
  }
  return `${out.join('\n')}\n`;
}

/**
 * Words filled into lines of at most `width` columns (a longer word stands alone on its line). Text
 * between backticks is a command: kept whole on one line, shown without the backticks.
 */
export function fill(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of text.match(/(?:`[^`]*`|[^\s`])+/g) ?? []) {
    const word = token.replace(/`/g, '');
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
