import type { FormatDuration } from '../base/durations.js';
import { table } from './chart-text.js';
import type { PipelineProfile, Range } from './profile.js';

// The report's words for --runs N: which run it is, each figure's range over the runs, the bottleneck
// over the runs.

/** ` (902ms–1.01s)`: a figure's range over the runs; `?` where a run's is unknown. */
export function rangeText(range: Range | null, format: FormatDuration, runs?: number): string {
  const count = runs === undefined ? '' : `, ${runs} run${runs === 1 ? '' : 's'}`;
  return range === null ? ` (?${count})` : ` (${format(range[0])}–${format(range[1])}${count})`;
}

/** The line under the pipeline's: which run the report is, of how many. */
export function runsLine(profile: PipelineProfile): string[] {
  const runs = profile.runs;
  if (!runs) return [];
  const warm = runs.warmup > 0 ? ` after ${runs.warmup} warm-up run${runs.warmup > 1 ? 's' : ''}` : '';
  const cut = runs.each.length < runs.asked ? ` (of ${runs.asked} asked: a signal stopped them)` : '';
  const count = runs.each.length === 1 ? '1 run' : `${runs.each.length} runs`;
  // (a run that failed is said: the median run may be one that did not)
  const failed = runs.each.flatMap((run, index) =>
    run.exitCode !== null && run.exitCode !== 0 ? [`run ${index + 1} exited ${run.exitCode}`] : [],
  );
  return [
    `${count}${warm}${cut}; this is run ${runs.median + 1}, its wall the median; ` +
      `(least–greatest over the runs) after a figure${failed.length > 0 ? `; ${failed.join(', ')}` : ''}`,
  ];
}

/** Each stage's wall and CPU over the runs, and the note that ranges do not add up. */
export function rangesTable(profile: PipelineProfile, format: FormatDuration, width: number): string[] {
  const runs = profile.runs;
  if (!runs) return [];
  const span = (range: Range | null): string => (range === null ? '?' : `${format(range[0])}–${format(range[1])}`);
  const rows = runs.stages.map((stage) => [stage.name, span(stage.wallMs), span(stage.cpuMs)]);
  return [
    table(
      [[`over ${runs.each.length} run${runs.each.length === 1 ? '' : 's'}`, 'wall', 'CPU'], ...rows],
      width,
    ).trimEnd(),
    'Each range is its own figure’s least and greatest over the runs: ranges do not add up.',
    ...(runs.stages.some((stage) => stage.wallMs === null)
      ? ['?: a stage not seen in every run (or no sample saw it): its range is unknown.']
      : []),
    '',
  ];
}

/** The bottleneck line over the runs: the run's own, with in how many runs; or how it varied. */
export function bottleneckOfRuns(profile: PipelineProfile): string {
  const runs = profile.runs;
  if (!runs) return profile.bottleneckLine;
  const counts = runs.bottleneck.counts.map(([name, count]) => `${name} in ${count}`).join(', ');
  const total = runs.each.length;
  if (runs.bottleneck.varies)
    return `bottleneck: varies from run to run (${counts} of ${total} runs); this run's ${profile.bottleneckLine}`;
  const most = runs.bottleneck.name ?? 'none';
  const count = runs.bottleneck.counts.find(([name]) => name === most)?.[1] ?? 0;
  if ((profile.bottleneck ?? 'none') === most)
    return `${profile.bottleneckLine} (the bottleneck in ${count} of ${total} runs)`;
  return `bottleneck: ${most} in ${count} of ${total} runs (${counts}); this run's ${profile.bottleneckLine}`;
}
