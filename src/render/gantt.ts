import type { FormatDuration } from '../base/durations.js';
import type { LaneTrack, StageTrack } from '../trace/read-trace.js';
import type { Chart, ChartKind, ChartRow, LegendEntry } from './chart.js';
import { chartSvg } from './chart-svg.js';
import { chartText, table } from './chart-text.js';
import { plural } from './units.js';

// `timer report FILE`: a recorded trace's stages as a chart (text or SVG) with their figures.

/** What a trace says about the pipeline as a whole. */
interface PipelineFigures {
  startUs: number;
  wallUs: number;
  busyUs: Map<StageTrack, number>;
  /** sum of the stages' busy time over the wall time */
  speedup: number;
  bottleneck: StageTrack | undefined;
}

/** Wall time, each stage's busy time, the achieved speedup and the bottleneck. */
export function pipelineFigures(stages: StageTrack[]): PipelineFigures {
  const starts = stages.map((stage) => Math.min(stage.startup?.[0] ?? Infinity, stage.spans[0]![0]));
  const ends = stages.map((stage) => Math.max(...stage.spans.map((span) => span[1])));
  const startUs = Math.min(...starts);
  const wallUs = Math.max(...ends) - startUs;
  const busyUs = new Map(stages.map((stage) => [stage, stage.spans.reduce((sum, [from, to]) => sum + (to - from), 0)]));
  let bottleneck: StageTrack | undefined;
  for (const stage of stages) if (!bottleneck || busyUs.get(stage)! > busyUs.get(bottleneck)!) bottleneck = stage;
  const totalBusy = [...busyUs.values()].reduce((a, b) => a + b, 0);
  return { startUs, wallUs, busyUs, speedup: wallUs > 0 ? totalBusy / wallUs : 0, bottleneck };
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];
const WORKING: LegendEntry = { glyph: '█', color: COLORS[0]!, label: 'working', note: '(░▒▓ part of a column)' };
/** A column mostly spent starting the command (not an item's work). */
const STARTUP: ChartKind = { glyph: '·', color: '#c8c8c8', label: 'start-up' };
/** A column without work, mostly spent with stdout full (a traced stage's state). */
const BLOCKED: ChartKind = { glyph: '»', color: '#f4c7c3', label: 'blocked on output' };
/** A column mostly taken by a job that failed (a joblog's). */
export const FAILED: ChartKind = { glyph: 'x', color: '#d62728', label: 'failed' };

/**
 * Tracks as a chart: a row per stage (its start-up and blocked spans where it did no work) and, under
 * it, a row per lane — of every stage with several, or (`allLanes`) of every stage.
 */
export function trackChart(stages: StageTrack[], format: FormatDuration, allLanes = false): Chart {
  const figures = pipelineFigures(stages);
  const rows = stages.flatMap((stage, index): ChartRow[] => {
    const color = COLORS[index % COLORS.length]!;
    const lanes = allLanes || stage.lanes.length > 1 ? stage.lanes : [];
    const blocked = stage.states.filter((state) => state.name === 'blocked on output').map((state) => state.span);
    const laneRow = (lane: LaneTrack): ChartRow => ({
      name: lane.name,
      lane: true,
      work: lane.spans,
      color,
      under: [],
      over: [{ kind: FAILED, spans: lane.failed ?? [] }],
    });
    const busy = figures.busyUs.get(stage)!;
    return [
      {
        name: stage.name,
        lane: false,
        work: stage.spans,
        color,
        under: [
          { kind: STARTUP, spans: stage.startup ? [stage.startup] : [] },
          { kind: BLOCKED, spans: blocked },
        ],
        over: [],
        note: `${((100 * busy) / (figures.wallUs || 1)).toFixed(0)}%`,
      },
      ...lanes.map(laneRow),
    ];
  });
  const legend: LegendEntry[] = [WORKING];
  if (stages.some((stage) => stage.startup)) legend.push({ ...STARTUP, note: '(not counted as work)' });
  if (stages.some((stage) => stage.states.some((state) => state.name === 'blocked on output'))) legend.push(BLOCKED);
  return {
    start: figures.startUs,
    length: figures.wallUs,
    label: (us) => format(us / 1000),
    rows,
    // (working alone needs no legend)
    legend: legend.length > 1 ? legend : [],
  };
}

/** The terminal Gantt chart: one row per stage, time across `width` columns, then the figures. */
export function ganttText(stages: StageTrack[], width: number, format: FormatDuration): string {
  const figures = pipelineFigures(stages);
  const ms = (us: number): string => format(us / 1000);
  let text = `pipeline: ${plural(stages.length, 'stage')}, wall ${ms(figures.wallUs)}\n`;
  text += `${chartText(trackChart(stages, format), width, 16)}\n`;
  const rows = stages.map((stage) => {
    const busy = figures.busyUs.get(stage)!;
    return [
      stage.name,
      String(stage.items),
      ms(busy),
      ms(figures.wallUs - busy),
      `${((100 * busy) / (figures.wallUs || 1)).toFixed(1)}%`,
    ];
  });
  text += table([['stage', 'items', 'busy', 'idle', 'busy %'], ...rows]);
  // (a speedup needs stages to overlap: one stage has none to show)
  if (stages.length > 1) text += `\nspeedup (sum of busy time / wall time): ${figures.speedup.toFixed(2)}x\n`;
  else text += '\n';
  text += `bottleneck: ${figures.bottleneck?.name ?? 'none'} (the busiest stage bounds the pipeline)\n`;
  return text;
}

/** The same chart as an SVG picture, its title the figures. */
export function ganttSvg(stages: StageTrack[], format: FormatDuration): string {
  const figures = pipelineFigures(stages);
  const speedup = stages.length > 1 ? `, speedup ${figures.speedup.toFixed(2)}x` : '';
  const wall = format(figures.wallUs / 1000);
  const bottleneck = figures.bottleneck?.name ?? 'none';
  const title = `pipeline: ${plural(stages.length, 'stage')}, wall ${wall}${speedup}, bottleneck ${bottleneck}`;
  return chartSvg(trackChart(stages, format), title);
}
