import { type Chart, type ChartKind, type ChartRow, coverage } from './chart.js';
import { displayWidth, fitWidth } from './width.js';

// The chart as text: a row per stage (lanes indented under it), time across the columns, the axis and
// the legend beneath.

const SHADES = [' ', '░', '▒', '▓', '█'];

/** The chart in `width` columns, names cut to `maxName`; one string of whole lines. */
export function chartText(chart: Chart, width: number, maxName: number): string {
  const names = chart.rows.map((row) => (row.lane ? `  ${row.name}` : row.name).replace(/\n/g, '⏎'));
  const nameWidth = Math.min(maxName, Math.max(5, ...names.map((name) => name.length)));
  const columns = Math.max(10, width - nameWidth - 3);
  const cell = chart.length / columns;
  let text = '';
  chart.rows.forEach((row, index) => {
    text += `${names[index]!.slice(0, nameWidth).padEnd(nameWidth)} |${rowText(row, chart.start, cell, columns)}|\n`;
  });
  const margin = ' '.repeat(nameWidth + 1);
  text += `${margin} 0${chart.label(chart.length).padStart(columns)}\n`;
  const legend = chart.legend.map((entry) => `${entry.glyph} ${entry.label}${entry.note ? ` ${entry.note}` : ''}`);
  // the legend's entries on as many lines as the width needs
  let line = '';
  for (const entry of legend) {
    if (line !== '' && displayWidth(`${margin} ${line}  ${entry}`) > width) {
      text += `${margin} ${line}\n`;
      line = entry;
    } else line = line === '' ? entry : `${line}  ${entry}`;
  }
  if (line !== '') text += `${margin} ${line}\n`;
  return text;
}

/** One row's columns: each the glyph of what the row did in it. */
function rowText(row: ChartRow, start: number, cell: number, columns: number): string {
  if (row.states) return statesText(row.states, start, cell, columns);
  let text = '';
  for (let column = 0; column < columns; column++) {
    const from = start + column * cell;
    const to = from + cell;
    const half = (marks: ChartRow['under']): string | undefined =>
      marks.find((mark) => coverage(mark.spans, from, to) >= 0.5)?.kind.glyph;
    const busy = coverage(row.work, from, to);
    // the nearest quarter; any work at all shows
    text +=
      half(row.over) ??
      (busy === 0 ? half(row.under) : undefined) ??
      SHADES[busy === 0 ? 0 : Math.max(1, Math.round(busy * 4))];
  }
  return text;
}

/** A timeline's columns: each the glyph of the kind that took most of it (one pass over the timeline). */
function statesText(states: NonNullable<ChartRow['states']>, start: number, cell: number, columns: number): string {
  let text = '';
  let first = 0;
  for (let column = 0; column < columns; column++) {
    const from = start + column * cell;
    const to = from + cell;
    while (first < states.length && states[first]!.to <= from) first++;
    const time = new Map<ChartKind, number>();
    for (let index = first; index < states.length; index++) {
      const state = states[index]!;
      if (state.to <= from) continue;
      if (state.from >= to) break;
      time.set(state.kind, (time.get(state.kind) ?? 0) + Math.min(to, state.to) - Math.max(from, state.from));
    }
    let best: ChartKind | undefined;
    for (const [kind, spent] of time) if (best === undefined || spent > time.get(best)!) best = kind;
    text += best?.glyph ?? ' ';
  }
  return text;
}

/** A table: left-aligned first column, right-aligned others. */
export function table(rows: string[][], maxWidth = Number.POSITIVE_INFINITY): string {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => displayWidth(row[column]!.replace(/\n/g, '⏎')))),
  );
  // the first column (names) is cut, by display width, to fit the rest into maxWidth
  const rest = widths.slice(1).reduce((sum, width) => sum + width + 2, 0);
  const first = widths[0]! <= maxWidth - rest ? widths[0]! : Math.max(8, maxWidth - rest);
  // (a name typed over several lines on one: ⏎ for each line break)
  const cut = (text: string): string => {
    const value = text.replace(/\n/g, '⏎');
    return displayWidth(value) <= first ? value : `${fitWidth(value, first - 1)}…`;
  };
  return rows
    .map((row) =>
      row
        .map((value, column) =>
          column === 0
            ? fitWidth(cut(value), first, first)
            : ' '.repeat(Math.max(0, widths[column]! - displayWidth(value))) + value,
        )
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}
