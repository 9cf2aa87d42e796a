import type { FormatDuration } from '../base/durations.js';
import { escapeXml } from './gantt.js';
import { laneNames } from './pipeline-text.js';
import type { PipelineProfile, State } from './profile.js';

const COLORS: Record<State, string> = {
  working: '#4e79a7',
  'waiting for a CPU': '#a0cbe8',
  'other wait': '#edc948',
  'waiting for input': '#e6e6e6',
  'blocked on output': '#f28e8e',
  'start-up': '#b0b0b0',
  stopped: '#555555',
  unknown: '#d8c8e8',
};

/** The profile's chart as an SVG picture: a row per stage coloured by state, its lanes' items beneath, a legend, the bottleneck and prediction. */
export function pipelineSvg(profile: PipelineProfile, format: FormatDuration): string {
  const rows = profile.stages.flatMap((stage) => [
    { stage, lane: undefined as string | undefined },
    ...laneNames(stage).map((lane) => ({ stage, lane })),
  ]);
  const left = 170;
  const chartWidth = 640;
  const rowHeight = 26;
  const top = 44;
  const axisY = top + rows.length * rowHeight + 6;
  const height = axisY + 100;
  const x = (ms: number): number => left + (Math.max(0, ms) / (profile.wallMs || 1)) * chartWidth;
  const rect = (from: number, to: number, y: number, fill: string, title: string): string =>
    `<rect x="${x(from).toFixed(2)}" y="${y + 2}" width="${Math.max(0.3, x(to) - x(from)).toFixed(2)}" height="${rowHeight - 6}" fill="${fill}"><title>${escapeXml(title)}</title></rect>`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + chartWidth + 60}" height="${height}" font-family="sans-serif" font-size="13">`,
  );
  parts.push('<rect width="100%" height="100%" fill="white"/>');
  parts.push(
    `<text x="10" y="18" font-weight="bold">${escapeXml(profile.pipeline.length > 90 ? `${profile.pipeline.slice(0, 89)}…` : profile.pipeline)}</text>`,
  );
  const cpu =
    profile.cpuMs === null
      ? ''
      : `, CPU ${format(profile.cpuMs)}, parallelism ${profile.parallelism?.toFixed(2)} of ${profile.cores} cores`;
  parts.push(`<text x="10" y="36" font-size="12">wall ${escapeXml(format(profile.wallMs))}${escapeXml(cpu)}</text>`);
  rows.forEach(({ stage, lane }, row) => {
    const y = top + row * rowHeight;
    parts.push(
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end"${lane ? ' font-size="11" fill="#555"' : ''}>${escapeXml(lane ?? stage.name)}</text>`,
    );
    parts.push(`<rect x="${left}" y="${y + 2}" width="${chartWidth}" height="${rowHeight - 6}" fill="#fafafa"/>`);
    if (lane === undefined)
      for (const segment of stage.timeline)
        parts.push(rect(segment.startMs, segment.endMs, y, COLORS[segment.state], segment.state));
    else
      for (const item of stage.traced!.items.filter((span) => span.lane === lane))
        parts.push(
          rect(
            item.startMs,
            item.endMs,
            y,
            COLORS.working,
            `line ${item.line ?? '?'}${item.items > 1 ? ` (+${item.items - 1})` : ''}`,
          ),
        );
  });
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${left + chartWidth}" y2="${axisY}" stroke="#333"/>`);
  for (let tick = 0; tick <= 4; tick++) {
    const tx = left + (tick * chartWidth) / 4;
    parts.push(`<line x1="${tx}" y1="${axisY}" x2="${tx}" y2="${axisY + 5}" stroke="#333"/>`);
    parts.push(
      `<text x="${tx}" y="${axisY + 18}" text-anchor="middle" font-size="11">${escapeXml(format((tick * profile.wallMs) / 4))}</text>`,
    );
  }
  const used = new Set(profile.stages.flatMap((stage) => stage.timeline.map((segment) => segment.state)));
  (Object.keys(COLORS) as State[])
    .filter((state) => used.has(state))
    .forEach((state, index) => {
      const lx = left + index * 130;
      parts.push(
        `<rect x="${lx}" y="${axisY + 30}" width="12" height="12" fill="${COLORS[state]}" stroke="#999" stroke-width="0.5"/>`,
      );
      parts.push(`<text x="${lx + 17}" y="${axisY + 40}" font-size="11">${escapeXml(state)}</text>`);
    });
  parts.push(`<text x="10" y="${axisY + 66}" font-size="12">${escapeXml(profile.bottleneckLine)}</text>`);
  if (profile.prediction)
    parts.push(`<text x="10" y="${axisY + 84}" font-size="12">${escapeXml(profile.prediction.line)}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
