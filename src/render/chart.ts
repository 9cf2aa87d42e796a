// The one chart model: rows of spans along a time axis. Every chart pipestage draws — a recorded
// trace (gantt.ts), a GNU parallel joblog (joblog.ts), a --pipeline profile (pipeline-chart.ts) —
// is built as a Chart, then drawn as text (chart-text.ts) or as an SVG picture (chart-svg.ts).

/** A kind of span: its glyph in the text chart, its colour in the SVG, its name in the legend. */
export interface ChartKind {
  glyph: string;
  color: string;
  label: string;
}

/** Spans of one kind, [from, to) on the chart's axis. */
interface ChartMarks {
  kind: ChartKind;
  spans: [number, number][];
}

/** One row: a stage, a host, or a lane of the row above it. */
export interface ChartRow {
  name: string;
  /** a lane (a worker thread, a slot) of the row above: drawn indented, smaller */
  lane: boolean;
  /** work, sorted: a text column is shaded by how much of it these spans cover (░▒▓█), an SVG bar each */
  work: [number, number][];
  /** the SVG's tooltip of each work span, where it has one */
  workTitles?: string[];
  /** the colour of the row's work in the SVG */
  color: string;
  /** what the row did while not working: a column without work shows the first kind covering half of it */
  under: ChartMarks[];
  /** drawn over the work (failed jobs): a column half covered shows its glyph whatever else is there */
  over: ChartMarks[];
  /** a timeline instead of work: each column shows the kind that took most of it */
  states?: { from: number; to: number; kind: ChartKind }[];
  /** a figure drawn after the row in the SVG (its busy share) */
  note?: string;
}

/** An entry of the legend; `note` follows the label in the text chart (how to read the glyph). */
export interface LegendEntry {
  glyph: string;
  color: string;
  label: string;
  note?: string;
}

export interface Chart {
  /** where the axis starts and how long it is, in the unit of the spans (µs for traces, ms for profiles) */
  start: number;
  length: number;
  /** a label for a point of the axis, `offset` from its start */
  label(offset: number): string;
  rows: ChartRow[];
  /** the legend (none when empty) */
  legend: LegendEntry[];
}

/** How much of [from, to) `spans` (sorted) cover: 0..1. */
export function coverage(spans: [number, number][], from: number, to: number): number {
  let covered = 0;
  for (const [start, end] of spans) {
    if (end <= from) continue;
    if (start >= to) break;
    covered += Math.min(end, to) - Math.max(start, from);
  }
  return to > from ? covered / (to - from) : 0;
}
