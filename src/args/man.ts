import { VERSION } from './program.js';
import { BUILTIN_OPTIONS, optionDefault, optionFlags } from './help.js';
import type { ProgramSpec } from './spec.js';

/** Sections every manual has in this order, after its own (man-pages(7): EXIT STATUS … FILES). */
const STANDARD_SECTIONS = ['EXIT STATUS', 'SIGNALS', 'ENVIRONMENT', 'FILES'];

/**
 * The man page (roff, man(7) macros) of a program, from the same spec as its --help: synopsis,
 * description, options, the program's own sections, its subcommands (synopsis, options, sections),
 * then EXIT STATUS, SIGNALS, ENVIRONMENT, FILES, EXAMPLES and SEE ALSO.
 */
export function manPage(spec: ProgramSpec, seeAlso: string[]): string {
  const out: string[] = [];
  out.push(`.TH ${roff(spec.name.toUpperCase())} 1 "" "pipestage ${VERSION}" "pipestage manual"`);
  // No hyphenation: every word of the page stays whole, so a search in the pager finds it.
  out.push('.nh');
  out.push('.SH NAME', `${roff(spec.name)} \\- ${roff(spec.summary)}`);
  out.push('.SH SYNOPSIS');
  for (const program of [spec, ...(spec.subcommands ?? [])]) {
    for (const line of program.synopsis.split('\n')) out.push('.nf', roff(line.trim()), '.fi', '.br');
  }
  out.push('.SH DESCRIPTION');
  out.push(...blocks(spec.description));
  out.push('.SH OPTIONS');
  out.push(...optionItems(spec));
  const sections = (spec.manSections ?? []).map(([title, text]): [string, string] => [title.toUpperCase(), text]);
  const standard = (title: string): number => STANDARD_SECTIONS.indexOf(title);
  for (const [title, text] of sections.filter(([title]) => standard(title) < 0))
    out.push(`.SH ${roff(title)}`, ...blocks(text));
  for (const sub of spec.subcommands ?? []) {
    out.push(`.SH ${roff(sub.name.toUpperCase())}`, ...blocks(sub.description), '.SS Options', ...optionItems(sub));
    for (const [title, text] of sub.manSections ?? []) out.push(`.SS ${roff(title)}`, ...blocks(text));
  }
  for (const [title, text] of sections
    .filter(([title]) => standard(title) >= 0)
    .sort(([a], [b]) => standard(a) - standard(b)))
    out.push(`.SH ${roff(title)}`, ...blocks(text));
  if (spec.examples?.length) {
    out.push('.SH EXAMPLES');
    for (const [command, meaning] of spec.examples)
      out.push('.PP', '.nf', `.B ${roff(command)}`, '.fi', '.RS', inline(meaning), '.RE');
  }
  out.push('.SH SEE ALSO', seeAlso.map((name) => `.BR ${roff(name)} (1)`).join(',\n'));
  return `${out.join('\n')}\n`;
}

/**
 * Paragraphs (separated by blank lines) as roff. A paragraph whose lines all begin with two spaces is
 * shown as typed (a command, an output); one beginning `- ` is a bulleted list (an item per `- `);
 * one beginning `* TAG` is a tagged paragraph (TAG on its first line, the rest indented below it);
 * `## Title` starts a subsection. Text between backticks is a command, set in bold.
 */
function blocks(text: string): string[] {
  return text.split(/\n\s*\n/).flatMap((paragraph): string[] => {
    const lines = paragraph.split('\n');
    if (lines.every((line) => line.startsWith('  ')))
      return ['.PP', '.RS 4', '.nf', ...lines.map((line) => roff(line.slice(2))), '.fi', '.RE'];
    if (paragraph.startsWith('## '))
      return [`.SS ${roff(lines[0]!.slice(3).trim())}`, ...blocks(lines.slice(1).join('\n'))];
    if (paragraph.startsWith('- '))
      return paragraph
        .slice(2)
        .split(/\n- /)
        .flatMap((item) => ['.IP \\(bu 2', inline(flow(item))]);
    if (paragraph.startsWith('* '))
      return ['.TP', `.B ${roff(lines[0]!.slice(2).trim())}`, inline(flow(lines.slice(1).join(' ')))];
    return ['.PP', inline(flow(paragraph))];
  });
}

/** Text run into one line: roff fills it. */
const flow = (text: string): string => text.replace(/\s+/g, ' ').trim();

function optionItems(spec: ProgramSpec): string[] {
  const rows: [string, string][] = [
    ...Object.entries(spec.options).map(([name, def]): [string, string] => [
      optionFlags(name, def).trim(),
      def.describe + optionDefault(def),
    ]),
    ...BUILTIN_OPTIONS.map(([flags, describe]): [string, string] => [flags.trim(), describe]),
  ];
  return rows.flatMap(([flags, describe]) => ['.TP', `.B ${roff(flags)}`, inline(describe)]);
}

/** One line of running text: escaped for roff, commands (between backticks) in bold. */
function inline(text: string): string {
  const line = text
    .split('`')
    .map((piece, index) => (index % 2 === 1 ? `\\fB${escapeRoff(piece)}\\fR` : escapeRoff(piece)))
    .join('');
  return /^[.']/.test(line) ? `\\&${line}` : line;
}

/** Text made safe for roff: backslashes and hyphens escaped, no line taken for a request. */
function roff(text: string): string {
  const escaped = escapeRoff(text);
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

const escapeRoff = (text: string): string => text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/"/g, '\\(dq');
