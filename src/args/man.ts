import { VERSION } from './program.js';
import { BUILTIN_OPTIONS, optionDefault, optionFlags } from './help.js';
import type { ProgramSpec } from './spec.js';

/**
 * The man page (roff, man(7) macros) of a program, from the same spec as its --help: synopsis,
 * description, options, examples, extra sections, and its subcommands' own synopses and options.
 */
export function manPage(spec: ProgramSpec, seeAlso: string[]): string {
  const out: string[] = [];
  out.push(`.TH ${roff(spec.name.toUpperCase())} 1 "" "pipestage ${VERSION}" "pipestage manual"`);
  out.push('.SH NAME', `${roff(spec.name)} \\- ${roff(spec.summary)}`);
  out.push('.SH SYNOPSIS');
  for (const program of [spec, ...(spec.subcommands ?? [])]) {
    for (const line of program.synopsis.split('\n')) out.push('.nf', roff(line.trim()), '.fi', '.br');
  }
  out.push('.SH DESCRIPTION');
  out.push(...paragraphs(spec.description));
  out.push('.SH OPTIONS');
  out.push(...optionItems(spec));
  for (const sub of spec.subcommands ?? []) {
    out.push(
      `.SH ${roff(sub.name.toUpperCase())}`,
      ...paragraphs(sub.description),
      '.PP',
      'Options:',
      ...optionItems(sub),
    );
  }
  if (spec.examples?.length) {
    out.push('.SH EXAMPLES');
    for (const [command, meaning] of spec.examples)
      out.push('.PP', '.nf', `.B ${roff(command)}`, '.fi', '.RS', roff(meaning), '.RE');
  }
  for (const [title, text] of spec.manSections ?? []) out.push(`.SH ${roff(title.toUpperCase())}`, ...paragraphs(text));
  out.push('.SH SEE ALSO', seeAlso.map((name) => `.BR ${roff(name)} (1)`).join(',\n'));
  return `${out.join('\n')}\n`;
}

function paragraphs(text: string): string[] {
  return text
    .split('\n\n')
    .flatMap((paragraph) => ['.PP', roff(paragraph.replace(/\s+/g, ' ').replace(/`/g, '').trim())]);
}

function optionItems(spec: ProgramSpec): string[] {
  const rows: [string, string][] = [
    ...Object.entries(spec.options).map(([name, def]): [string, string] => [
      optionFlags(name, def).trim(),
      def.describe + optionDefault(def),
    ]),
    ...BUILTIN_OPTIONS.map(([flags, describe]): [string, string] => [flags.trim(), describe]),
  ];
  return rows.flatMap(([flags, describe]) => ['.TP', `.B ${roff(flags)}`, roff(describe.replace(/`/g, ''))]);
}

/** Text made safe for roff: backslashes and hyphens escaped, no line taken for a request. */
function roff(text: string): string {
  const escaped = text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/"/g, '\\(dq');
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}
