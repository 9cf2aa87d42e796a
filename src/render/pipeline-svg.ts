import type { FormatDuration } from '../base/durations.js';
import { chartSvg } from './chart-svg.js';
import { profileChart } from './pipeline-chart.js';
import type { PipelineProfile } from './profile.js';

/**
 * The profile's chart as an SVG picture: a row per stage coloured by state, its lanes' items beneath,
 * a legend, the bottleneck and prediction.
 */
export function pipelineSvg(profile: PipelineProfile, format: FormatDuration): string {
  const title = profile.pipeline.length > 90 ? `${profile.pipeline.slice(0, 89)}…` : profile.pipeline;
  const cpu =
    profile.cpuMs === null
      ? ''
      : `, CPU ${format(profile.cpuMs)}, parallelism ${profile.parallelism?.toFixed(2)} of ${profile.cores} cores`;
  const footer = [profile.bottleneckLine, ...(profile.prediction?.lines ?? [])];
  return chartSvg(profileChart(profile, format), title, `wall ${format(profile.wallMs)}${cpu}`, footer);
}
