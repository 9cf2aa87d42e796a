import type { FormatDuration } from '../base/durations.js';
import { type LaneTrack, type StageTrack, union } from '../trace/read-trace.js';

/** What a trace says about the pipeline as a whole. */
export interface PipelineFigures {
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
/** A column without work, mostly spent with stdout full (a traced stage's state). */
const BLOCKED_GLYPH = '»';
/** A column mostly taken by a job that failed (a joblog's). */
const FAILED_GLYPH = 'x';

/** One row of the chart: each column's coverage by `spans` as a shade, or what the stage did instead. */
export function bar(
  spans: [number, number][],
  startUs: number,
  cell: number,
  columns: number,
  stage?: StageTrack,
  failed: [number, number][] = [],
): string {
  const blocked = stage?.states.filter((state) => state.name === 'blocked on output').map((state) => state.span) ?? [];
  let text = '';
  for (let column = 0; column < columns; column++) {
    const from = startUs + column * cell;
    const busy = coverage(spans, from, from + cell);
    if (failed.length > 0 && coverage(failed, from, from + cell) >= 0.5) text += FAILED_GLYPH;
    else if (busy === 0 && stage?.startup && coverage([stage.startup], from, from + cell) >= 0.5) text += STARTUP_GLYPH;
    else if (busy === 0 && blocked.length > 0 && coverage(blocked, from, from + cell) >= 0.5) text += BLOCKED_GLYPH;
    else text += SHADES[busy === 0 ? 0 : Math.max(1, Math.round(busy * 4))]; // the nearest quarter; any work at all shows
  }
  return text;
}

/** A traced stage's lanes get rows of their own when there are several. */
const laneRows = (stage: StageTrack): LaneTrack[] => (stage.lanes.length > 1 ? stage.lanes : []);

/** The terminal Gantt chart: one row per stage, time across `width` columns, then the figures. */
export function ganttText(stages: StageTrack[], width: number, format: FormatDuration): string {
  const figures = pipelineFigures(stages);
  const nameWidth = Math.min(
    16,
    Math.max(
      5,
      ...stages.flatMap((stage) => [stage.name.length, ...laneRows(stage).map((lane) => lane.name.length + 2)]),
    ),
  );
  const barWidth = Math.max(10, width - nameWidth - 3);
  const cell = figures.wallUs / barWidth;
  const ms = (us: number): string => format(us / 1000);
  let text = `pipeline: ${stages.length} stage${stages.length === 1 ? '' : 's'}, wall ${ms(figures.wallUs)}\n`;
  for (const stage of stages) {
    text += `${stage.name.slice(0, nameWidth).padEnd(nameWidth)} |${bar(stage.spans, figures.startUs, cell, barWidth, stage)}|\n`;
    for (const lane of laneRows(stage))
      text += `${`  ${lane.name}`.slice(0, nameWidth).padEnd(nameWidth)} |${bar(lane.spans, figures.startUs, cell, barWidth)}|\n`;
  }
  const end = ms(figures.wallUs);
  text += `${' '.repeat(nameWidth + 1)} 0${end.padStart(barWidth)}\n`;
  const legend = [
    '█ working (░▒▓ part of a column)',
    ...(stages.some((stage) => stage.startup) ? [`${STARTUP_GLYPH} start-up (not counted as work)`] : []),
    ...(stages.some((stage) => stage.states.some((state) => state.name === 'blocked on output'))
      ? [`${BLOCKED_GLYPH} blocked on output`]
      : []),
  ];
  if (legend.length > 1) text += `${' '.repeat(nameWidth + 1)} ${legend.join('  ')}\n`;
  text += '\n';
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
  text += `\nspeedup (sum of busy time / wall time): ${figures.speedup.toFixed(2)}x\n`;
  text += `bottleneck: ${figures.bottleneck?.name ?? 'none'} (the busiest stage bounds the pipeline)\n`;
  return text;
}

/** Left-aligned first column, right-aligned others. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((value, column) => (column === 0 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}

/** Text made safe inside SVG (XML) markup. */
export const escapeXml = (text: string): string =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** The same chart as an SVG picture: one row of bars per stage (and per lane of a traced stage), a time axis, the figures. */
export function ganttSvg(stages: StageTrack[], format: FormatDuration, title?: string, allLanes = false): string {
  const figures = pipelineFigures(stages);
  const rows = stages.flatMap((stage, index) => [
    { stage, index, lane: undefined as LaneTrack | undefined },
    ...(allLanes ? stage.lanes : laneRows(stage)).map((lane) => ({ stage, index, lane })),
  ]);
  const left = 130;
  const chartWidth = 640;
  const rowHeight = 28;
  const top = 36;
  const height = top + rows.length * rowHeight + 80;
  const x = (us: number): number => left + ((us - figures.startUs) / (figures.wallUs || 1)) * chartWidth;
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1'];
  const band = (from: number, to: number, y: number, fill: string, title: string): string =>
    `<rect x="${x(from).toFixed(2)}" y="${y + 2}" width="${Math.max(0.5, x(to) - x(from)).toFixed(2)}" height="${rowHeight - 6}" fill="${fill}"><title>${title}</title></rect>`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + chartWidth + 30}" height="${height}" font-family="sans-serif" font-size="13">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(
    `<text x="${left}" y="20" font-weight="bold">${escapeXml(title ?? `pipeline: ${stages.length} stage${stages.length === 1 ? '' : 's'}, wall ${format(figures.wallUs / 1000)}, speedup ${figures.speedup.toFixed(2)}x, bottleneck ${figures.bottleneck?.name ?? 'none'}`)}</text>`,
  );
  rows.forEach(({ stage, index, lane }, row) => {
    const y = top + row * rowHeight;
    parts.push(
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end"${lane ? ' font-size="11" fill="#555"' : ''}>${escapeXml(lane ? lane.name : stage.name)}</text>`,
    );
    parts.push(`<rect x="${left}" y="${y + 2}" width="${chartWidth}" height="${rowHeight - 6}" fill="#f2f2f2"/>`);
    if (!lane) {
      if (stage.startup) parts.push(band(stage.startup[0], stage.startup[1], y, '#c8c8c8', 'start-up'));
      for (const state of stage.states)
        if (state.name === 'blocked on output')
          parts.push(band(state.span[0], state.span[1], y, '#f4c7c3', 'blocked on output'));
    }
    for (const [from, to] of lane ? lane.spans : stage.spans) {
      const width = Math.max(0.5, x(to) - x(from));
      parts.push(
        `<rect x="${x(from).toFixed(2)}" y="${y + 2}" width="${width.toFixed(2)}" height="${rowHeight - 6}" fill="${colors[index % colors.length]}" stroke="white" stroke-width="0.5"/>`,
      );
    }
    for (const [from, to] of lane?.failed ?? []) parts.push(band(from, to, y, '#d62728', 'failed'));
    if (!lane)
      parts.push(
        `<text x="${left + chartWidth + 6}" y="${y + 17}" font-size="11">${((100 * figures.busyUs.get(stage)!) / (figures.wallUs || 1)).toFixed(0)}%</text>`,
      );
  });
  const axisY = top + rows.length * rowHeight + 8;
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${left + chartWidth}" y2="${axisY}" stroke="#333"/>`);
  for (let tick = 0; tick <= 4; tick++) {
    const tx = left + (tick * chartWidth) / 4;
    parts.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    parts.push(
      `<text x="${tx}" y="${axisY + 20}" text-anchor="middle" font-size="11">${escapeXml(format((tick * figures.wallUs) / 4000))}</text>`,
    );
  }
  const legend: [string, string][] = [['#4e79a7', 'working']];
  if (stages.some((stage) => stage.startup)) legend.push(['#c8c8c8', 'start-up (not counted as work)']);
  if (stages.some((stage) => stage.states.some((state) => state.name === 'blocked on output')))
    legend.push(['#f4c7c3', 'blocked on output']);
  if (stages.some((stage) => stage.lanes.some((lane) => (lane.failed ?? []).length > 0)))
    legend.push(['#d62728', 'failed']);
  legend.forEach(([fill, text], index) => {
    const lx = left + index * 210;
    parts.push(`<rect x="${lx}" y="${axisY + 34}" width="12" height="12" fill="${fill}"/>`);
    parts.push(`<text x="${lx + 18}" y="${axisY + 44}" font-size="11">${escapeXml(text)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A GNU parallel joblog's chart: a row per host and per lane of it, time across, failed jobs marked. */
export function joblogText(hosts: StageTrack[], failedJobs: string[], width: number, format: FormatDuration): string {
  const figures = pipelineFigures(hosts);
  const jobs = hosts.reduce((sum, host) => sum + host.items, 0);
  const nameWidth = Math.min(
    24,
    Math.max(5, ...hosts.flatMap((host) => [host.name.length, ...host.lanes.map((lane) => lane.name.length + 2)])),
  );
  const barWidth = Math.max(10, width - nameWidth - 3);
  const cell = figures.wallUs / barWidth;
  const ms = (us: number): string => format(us / 1000);
  let text = `joblog: ${jobs} job${jobs === 1 ? '' : 's'} on ${hosts.length} host${hosts.length === 1 ? '' : 's'}, wall ${ms(figures.wallUs)}\n`;
  for (const host of hosts) {
    const failed = host.lanes.flatMap((lane) => lane.failed ?? []);
    text += `${host.name.slice(0, nameWidth).padEnd(nameWidth)} |${bar(union(host.spans), figures.startUs, cell, barWidth, undefined, failed)}|\n`;
    for (const lane of host.lanes)
      text += `${`  ${lane.name}`.slice(0, nameWidth).padEnd(nameWidth)} |${bar(lane.spans, figures.startUs, cell, barWidth, undefined, lane.failed)}|\n`;
  }
  text += `${' '.repeat(nameWidth + 1)} 0${ms(figures.wallUs).padStart(barWidth)}\n`;
  text += `${' '.repeat(nameWidth + 1)} █ a job running (░▒▓ part of a column)  ${FAILED_GLYPH} a job that failed\n\n`;
  const rows = hosts.map((host) => {
    const busy = host.spans.reduce((sum, [from, to]) => sum + (to - from), 0);
    const utilisation = (100 * busy) / ((figures.wallUs || 1) * host.lanes.length);
    return [host.name, String(host.items), String(host.lanes.length), ms(busy), `${utilisation.toFixed(1)}%`];
  });
  text += table([['host', 'jobs', 'slots', 'busy', 'utilisation'], ...rows]);
  text += `\nutilisation: busy time (the jobs' run times summed) over wall time times the host's slots\n`;
  text += `failed: ${failedJobs.length} job${failedJobs.length === 1 ? '' : 's'}${failedJobs.length > 0 ? ` (first: ${failedJobs[0]})` : ''}\n`;
  return text;
}
