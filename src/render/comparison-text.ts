import type { FormatDuration } from '../base/durations.js';
import type { Comparison, StageChange } from './comparison.js';
import type { Range } from './profile.js';
import { roundMs } from './summary.js';

// A comparison of several pipelines as the report ends with it, and as Markdown (--export-markdown), as
// hyperfine's summary and its table, made per stage.

/** The letter a pipeline goes by in a comparison: A, B, … (then 27, 28, …). */
export const letter = (index: number): string => (index < 26 ? String.fromCharCode(65 + index) : String(index + 1));

const ratioText = (ratio: number, range: Range | null): string =>
  range && range[0].toFixed(2) !== range[1].toFixed(2)
    ? `${ratio.toFixed(2)} (${range[0].toFixed(2)}–${range[1].toFixed(2)})`
    : ratio.toFixed(2);
const percent = (share: number | null): string => (share === null ? '?' : `${Math.round(100 * share)}%`);

/** The line of one stage across the pipelines: wall, CPU, worker lanes, and the state that changed most. */
function stageLine(stage: StageChange, format: FormatDuration): string {
  const name = stage.names.find((one) => one !== null)!;
  const present = stage.names.map((one, index) => (one === null ? undefined : letter(index))).filter(Boolean);
  const only = present.length < stage.names.length ? ` (only in ${present.join(', ')}; — where not)` : '';
  const across = (values: (number | null)[], show: (value: number) => string): string =>
    values.map((value, index) => (stage.names[index] === null ? '—' : value === null ? '?' : show(value))).join(' → ');
  const parts = [`wall ${across(stage.wallMs, format)}`, `CPU ${across(stage.cpuMs, format)}`];
  const lanes = stage.lanes.filter((_, index) => stage.names[index] !== null);
  if (new Set(lanes).size > 1) parts.push(`lanes ${across(stage.lanes, String)}`);
  const state = stage.state ? `; ${stage.state.name} ${across(stage.state.shares, (share) => percent(share))}` : '';
  return `${name}${only}: ${parts.join(', ')}${state}`;
}

/** The comparison's lines at the end of the report. */
export function comparisonLines(comparison: Comparison, format: FormatDuration): string[] {
  const { pipelines, runs, failures } = comparison;
  const lines = [
    `comparison: ${pipelines.length} pipelines, ${runs} run${runs === 1 ? '' : 's'} of each paired, run in turn`,
  ];
  pipelines.forEach((pipeline, index) => {
    const range = comparison.wallRange[index];
    const spread = range ? ` (${format(range[0])}–${format(range[1])})` : '';
    const failed = failures[index];
    const status = failed ? `; exit status ${failed.status} in ${failed.runs} of its runs` : '';
    const wall = `wall ${format(comparison.wallMs[index]!)}${spread}`;
    lines.push(`${letter(index)}: ${pipeline.replace(/\n/g, '⏎')} — ${wall}${status}`);
  });
  for (const { faster, slower, ratio, range } of comparison.ratios) {
    const words = ratio >= 1 ? 'times faster than' : 'times as fast as';
    const failed = [faster, slower].filter((index) => failures[index]).map(letter);
    const caveat = failed.length > 0 ? ` (but ${failed.join(' and ')} failed: not the same work)` : '';
    lines.push(`${letter(faster)}: ${ratioText(ratio, range)} ${words} ${letter(slower)}${caveat}`);
  }
  const order = pipelines.map((_, index) => letter(index)).join(' → ');
  lines.push(`stage by stage, ${order} (the reported runs; a state's share is of the stage's wall):`);
  for (const stage of comparison.stages) lines.push(stageLine(stage, format));
  return lines;
}

/** A pipeline's text in a Markdown table cell: a code span, its `|` escaped, its line breaks as ⏎. */
function codeCell(text: string): string {
  const escaped = text.replace(/\n/g, '⏎').replace(/\|/g, '\\|');
  // (a fence longer than any run of backticks inside, spaced from the text where it has any)
  const longest = Math.max(0, ...[...escaped.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 ? ' ' : '';
  return `${fence}${pad}${escaped}${pad}${fence}`;
}

const ms = (value: number | null): string => (value === null ? '?' : roundMs(value).toFixed(1));

/** --export-markdown: the comparison as tables, hyperfine's columns per pipeline, then per stage. */
export function comparisonMarkdown(comparison: Comparison): string {
  const { pipelines } = comparison;
  const relative = (index: number): string => {
    if (index === comparison.fastest) return '1.00';
    const found = comparison.ratios.find((ratio) => ratio.slower === index)!;
    return ratioText(found.ratio, found.range);
  };
  const columns = (what: string): string[] => pipelines.map((_, index) => `${what} ${letter(index)} [ms]`);
  const lines = [
    '| Pipeline | Wall [ms] | Min [ms] | Max [ms] | Relative |',
    '|:---|---:|---:|---:|---:|',
    ...pipelines.map((pipeline, index) => {
      const range = comparison.wallRange[index];
      const wall = comparison.wallMs[index]!;
      const cells = [ms(wall), ms(range?.[0] ?? wall), ms(range?.[1] ?? wall), relative(index)];
      return `| ${letter(index)}: ${codeCell(pipeline)} | ${cells.join(' | ')} |`;
    }),
    '',
    `| Stage | ${[...columns('Wall'), ...columns('CPU')].join(' | ')} | Changed most |`,
    `|:---|${pipelines.map(() => '---:|').join('')}${pipelines.map(() => '---:|').join('')}:---|`,
    ...comparison.stages.map((stage) => {
      const name = stage.names.find((one) => one !== null)!.replace(/\|/g, '\\|');
      // (— where the pipeline has no such stage, ? where its figure is unknown: as in the text)
      const each = (values: (number | null)[], show: (value: number | null) => string): string[] =>
        values.map((value, index) => (stage.names[index] === null ? '—' : show(value)));
      const state = stage.state ? `${stage.state.name} ${each(stage.state.shares, percent).join(' → ')}` : '';
      return `| ${name} | ${each(stage.wallMs, ms).join(' | ')} | ${each(stage.cpuMs, ms).join(' | ')} | ${state} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
