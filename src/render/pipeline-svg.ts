import type { FormatDuration } from '../base/durations.js';
import { chartSvg, escapeXml } from './chart-svg.js';
import type { Comparison } from './comparison.js';
import { comparisonLines, letter } from './comparison-text.js';
import { profileChart } from './pipeline-chart.js';
import type { PipelineProfile } from './profile.js';

/**
 * The profile's chart as an SVG picture: a row per stage coloured by state, its lanes' items beneath,
 * a legend, the bottleneck and prediction. `panel`: a name before the title, and the time the axis spans
 * (a comparison's panels share one).
 */
export function pipelineSvg(
  profile: PipelineProfile,
  format: FormatDuration,
  panel?: { name: string; lengthMs: number },
): string {
  const text = panel ? `${panel.name}: ${profile.pipeline}` : profile.pipeline;
  const title = text.length > 90 ? `${text.slice(0, 89)}…` : text;
  const cpu =
    profile.cpuMs === null
      ? ''
      : `, CPU ${format(profile.cpuMs)}, parallelism ${profile.parallelism?.toFixed(2)} of ${profile.cores} cores`;
  const footer = [profile.bottleneckLine, ...(profile.prediction?.lines ?? [])].map((line) => line.replace(/\n/g, '⏎'));
  const chart = profileChart(profile, format);
  if (panel) chart.length = panel.lengthMs;
  return chartSvg(chart, title, `wall ${format(profile.wallMs)}${cpu}`, footer);
}

/** Several pipelines compared: one picture, a panel per pipeline on one time axis, then the comparison. */
export function comparisonSvg(profiles: PipelineProfile[], comparison: Comparison, format: FormatDuration): string {
  const lengthMs = Math.max(...profiles.map((profile) => profile.wallMs));
  const panels = profiles.map((profile, index) => pipelineSvg(profile, format, { name: letter(index), lengthMs }));
  const size = (svg: string, what: 'width' | 'height'): number => Number(new RegExp(`${what}="(\\d+)"`).exec(svg)![1]);
  const width = Math.max(...panels.map((panel) => size(panel, 'width')));
  let y = 0;
  const placed = panels.map((panel) => {
    const at = y;
    y += size(panel, 'height');
    return panel.replace('<svg ', `<svg y="${at}" `);
  });
  const lines = comparisonLines(comparison, format);
  const texts = lines.map((line, index) => `<text x="10" y="${y + 24 + index * 18}">${escapeXml(line)}</text>`);
  const height = y + 24 + lines.length * 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"` +
      ' font-family="sans-serif" font-size="13">',
    '<rect width="100%" height="100%" fill="white"/>',
    ...placed,
    ...texts,
    '</svg>',
    '',
  ].join('\n');
}
