import type { FormatDuration } from '../base/durations.js';
import type { Chart, ChartKind, ChartRow, LegendEntry } from './chart.js';
import { type PipelineProfile, STATES, type StageProfile, type State } from './profile.js';

// A --pipeline profile as a chart: a row per stage, each column the state it spent most in, and under
// a stage with several lanes (worker threads, slots) a row per lane with the items it computed.

/** Each state's glyph in the text chart and colour in the SVG. */
const STATE_KINDS = Object.fromEntries(
  (
    [
      ['working', '█', '#4e79a7'],
      ['waiting for a CPU', '+', '#a0cbe8'],
      ['other wait', '▒', '#edc948'],
      ['waiting for input', '-', '#e6e6e6'],
      ['blocked on output', '»', '#f28e8e'],
      ['start-up', '·', '#b0b0b0'],
      ['stopped', '‖', '#555555'],
      ['unknown', '?', '#d8c8e8'],
    ] as const
  ).map(([state, glyph, color]) => [state, { glyph, color, label: state }]),
) as Record<State, ChartKind>;

/** The lanes of a traced stage that computed on several (worker threads, concurrency slots). */
function laneNames(stage: StageProfile): string[] {
  if (!stage.traced || stage.traced.lanes < 2) return [];
  return [...new Set(stage.traced.items.map((item) => item.lane))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
}

/** The profile's chart, in ms from the pipeline's start. */
export function profileChart(profile: PipelineProfile, format: FormatDuration): Chart {
  const working = STATE_KINDS.working;
  const rows = profile.stages.flatMap((stage): ChartRow[] => [
    {
      name: stage.name,
      lane: false,
      work: [],
      color: working.color,
      under: [],
      over: [],
      states: stage.timeline.map((segment) => ({
        from: segment.startMs,
        to: segment.endMs,
        kind: STATE_KINDS[segment.state],
      })),
    },
    ...laneNames(stage).map((lane): ChartRow => {
      const items = stage.traced!.items.filter((item) => item.lane === lane);
      return {
        name: lane,
        lane: true,
        work: items.map((item): [number, number] => [item.startMs, item.endMs]),
        workTitles: items.map((item) => `line ${item.line ?? '?'}${item.items > 1 ? ` (+${item.items - 1})` : ''}`),
        color: working.color,
        under: [],
        over: [],
      };
    }),
  ]);
  const used = new Set(profile.stages.flatMap((stage) => stage.timeline.map((segment) => segment.state)));
  const legend: LegendEntry[] = STATES.filter((state) => used.has(state)).map((state) => STATE_KINDS[state]);
  if (profile.stages.some((stage) => laneNames(stage).length > 0))
    legend.push({ ...working, label: 'lanes: an item computed', note: '(░▒▓ part of a column)' });
  return { start: 0, length: profile.wallMs, label: format, rows, legend };
}
