import { parseTraceEvents, TIMER_LANE } from './trace.js';
import { STATE_LANE } from '../stage/stage-trace.js';
import type { FormatDuration } from '../stage/durations.js';

/** One stage of a recorded pipeline: its spans, as [start, end] in µs on the shared clock. */
export interface StageTrack {
  pid: number;
  name: string;
  items: number;
  spans: [number, number][];
  /** the command's start-up, as timer saw it from outside (not an item's work) */
  startup?: [number, number];
}

/** What a trace says about the pipeline as a whole. */
export interface PipelineFigures {
  startUs: number;
  wallUs: number;
  busyUs: Map<StageTrack, number>;
  /** sum of the stages' busy time over the wall time */
  speedup: number;
  bottleneck: StageTrack | undefined;
}

/**
 * The stages of a trace written by `timer --trace` (see parseTraceEvents), in order of their first
 * span; `cut` tells that the file ended mid-event (what is complete is drawn).
 */
export function readTrace(text: string): { stages: StageTrack[]; cut: boolean } {
  const { events, cut } = parseTraceEvents(text);
  // Per process: what timer saw from outside (its lane), and what a traced stage wrote of itself.
  interface Seen {
    name?: string;
    timerName?: string;
    timer: { items: number; spans: [number, number][]; startup?: [number, number] };
    own: { items: number; spans: [number, number][]; startup?: [number, number] };
  }
  const seen = new Map<number, Seen>();
  const of = (pid: number): Seen => {
    let found = seen.get(pid);
    if (!found) seen.set(pid, (found = { timer: { items: 0, spans: [] }, own: { items: 0, spans: [] } }));
    return found;
  };
  // A stage tracing itself names its main thread (tid 0); any other process's spans are timer's view
  // (an older timer wrote them on tid 1).
  const selfTraced = new Set<number>();
  for (const event of events) if (event?.ph === 'M' && event.name === 'thread_name' && event.tid === STATE_LANE && typeof event.pid === 'number') selfTraced.add(event.pid);
  for (const event of events) {
    if (typeof event !== 'object' || event === null || typeof event.pid !== 'number') continue;
    const side = event.tid === TIMER_LANE || !selfTraced.has(event.pid) ? 'timer' : 'own';
    if (event.ph === 'M' && event.name === 'process_name' && event.args?.name) {
      if (side === 'timer') of(event.pid).timerName = event.args.name;
      else of(event.pid).name = event.args.name;
    }
    if (event.ph !== 'X' || typeof event.ts !== 'number') continue;
    const span: [number, number] = [event.ts, event.ts + (event.dur ?? 0)];
    if (event.cat === 'startup') of(event.pid).timer.startup = span;
    else if (event.cat === 'state') {
      if (event.name === 'start-up') of(event.pid).own.startup = span;
    } else {
      const track = of(event.pid)[side];
      track.spans.push(span);
      track.items += event.args?.items ?? 1;
    }
  }
  const stages: StageTrack[] = [];
  for (const [pid, { name, timerName, timer, own }] of seen) {
    // A stage's own spans (on the lanes of its threads or slots) say more than timer's view from outside.
    const track = own.spans.length > 0 ? own : timer;
    if (track.spans.length === 0) continue;
    const spans = track === own ? union(own.spans) : [...timer.spans].sort((a, b) => a[0] - b[0]);
    const stage: StageTrack = { pid, name: timerName ?? name ?? String(pid), items: track.items, spans };
    const startup = track.startup ?? timer.startup ?? own.startup;
    if (startup) stage.startup = startup;
    stages.push(stage);
  }
  return { stages: stages.sort((a, b) => a.spans[0]![0] - b.spans[0]![0]), cut };
}

/** Spans (on several lanes, maybe overlapping) as the time during which any of them ran (overlaps joined). */
function union(spans: [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
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

/** How busy a stage is within [from, to): 0..1. */
function coverage(spans: [number, number][], from: number, to: number): number {
  let covered = 0;
  for (const [start, end] of spans) {
    if (end <= from) continue;
    if (start >= to) break;
    covered += Math.min(end, to) - Math.max(start, from);
  }
  return to > from ? covered / (to - from) : 0;
}

const SHADES = [' ', '░', '▒', '▓', '█'];
/** A column mostly spent starting the command (not an item's work). */
const STARTUP_GLYPH = '·';

/** The terminal Gantt chart: one row per stage, time across `width` columns, then the figures. */
export function ganttText(stages: StageTrack[], width: number, format: FormatDuration): string {
  const figures = pipelineFigures(stages);
  const nameWidth = Math.min(16, Math.max(5, ...stages.map((stage) => stage.name.length)));
  const barWidth = Math.max(10, width - nameWidth - 3);
  const cell = figures.wallUs / barWidth;
  const ms = (us: number): string => format(us / 1000);
  let text = `pipeline: ${stages.length} stage${stages.length === 1 ? '' : 's'}, wall ${ms(figures.wallUs)}\n`;
  for (const stage of stages) {
    let bar = '';
    for (let column = 0; column < barWidth; column++) {
      const from = figures.startUs + column * cell;
      const busy = coverage(stage.spans, from, from + cell);
      const starting = stage.startup ? coverage([stage.startup], from, from + cell) : 0;
      bar += busy === 0 && starting >= 0.5 ? STARTUP_GLYPH : SHADES[busy === 0 ? 0 : busy >= 1 ? 4 : Math.min(3, 1 + Math.floor(busy * 3))];
    }
    text += `${stage.name.slice(0, nameWidth).padEnd(nameWidth)} |${bar}|\n`;
  }
  const end = ms(figures.wallUs);
  text += `${' '.repeat(nameWidth + 1)} 0${end.padStart(barWidth)}\n`;
  if (stages.some((stage) => stage.startup)) text += `${' '.repeat(nameWidth + 1)} █ working (░▒▓ part of a column)  ${STARTUP_GLYPH} start-up (not counted as work)\n`;
  text += '\n';
  const rows = stages.map((stage) => {
    const busy = figures.busyUs.get(stage)!;
    return [stage.name, String(stage.items), ms(busy), ms(figures.wallUs - busy), `${((100 * busy) / (figures.wallUs || 1)).toFixed(1)}%`];
  });
  text += table([['stage', 'items', 'busy', 'idle', 'busy %'], ...rows]);
  text += `\nspeedup (sum of busy time / wall time): ${figures.speedup.toFixed(2)}x\n`;
  text += `bottleneck: ${figures.bottleneck?.name ?? 'none'} (the busiest stage bounds the pipeline)\n`;
  return text;
}

/** Left-aligned first column, right-aligned others. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) => row.map((value, column) => (column === 0 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!))).join('  '))
    .join('\n')
    .concat('\n');
}

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** The same chart as an SVG picture: one row of bars per stage, a time axis, the figures. */
export function ganttSvg(stages: StageTrack[], format: FormatDuration): string {
  const figures = pipelineFigures(stages);
  const left = 110;
  const chartWidth = 640;
  const rowHeight = 28;
  const top = 36;
  const height = top + stages.length * rowHeight + 60;
  const x = (us: number): number => left + ((us - figures.startUs) / (figures.wallUs || 1)) * chartWidth;
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + chartWidth + 30}" height="${height}" font-family="sans-serif" font-size="13">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${left}" y="20" font-weight="bold">${escapeXml(`pipeline: ${stages.length} stages, wall ${format(figures.wallUs / 1000)}, speedup ${figures.speedup.toFixed(2)}x, bottleneck ${figures.bottleneck?.name ?? 'none'}`)}</text>`);
  stages.forEach((stage, row) => {
    const y = top + row * rowHeight;
    const busy = figures.busyUs.get(stage)!;
    parts.push(`<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(stage.name)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 2}" width="${chartWidth}" height="${rowHeight - 6}" fill="#f2f2f2"/>`);
    if (stage.startup) {
      const [from, to] = stage.startup;
      parts.push(`<rect x="${x(from).toFixed(2)}" y="${y + 2}" width="${Math.max(0.5, x(to) - x(from)).toFixed(2)}" height="${rowHeight - 6}" fill="#c8c8c8"><title>start-up</title></rect>`);
    }
    for (const [from, to] of stage.spans) {
      const width = Math.max(0.5, x(to) - x(from));
      parts.push(`<rect x="${x(from).toFixed(2)}" y="${y + 2}" width="${width.toFixed(2)}" height="${rowHeight - 6}" fill="${colors[row % colors.length]}" stroke="white" stroke-width="0.5"/>`);
    }
    parts.push(`<text x="${left + chartWidth + 6}" y="${y + 17}" font-size="11">${((100 * busy) / (figures.wallUs || 1)).toFixed(0)}%</text>`);
  });
  const axisY = top + stages.length * rowHeight + 8;
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${left + chartWidth}" y2="${axisY}" stroke="#333"/>`);
  for (let tick = 0; tick <= 4; tick++) {
    const tx = left + (tick * chartWidth) / 4;
    parts.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    parts.push(`<text x="${tx}" y="${axisY + 20}" text-anchor="middle" font-size="11">${escapeXml(format((tick * figures.wallUs) / 4000))}</text>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
