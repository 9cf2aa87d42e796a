import type { PipelineProfile, Range, RunsSummary, StageProfile } from '../../render/profile.js';
import { SINGLE_RUN, spreadMargin } from './suggest.js';

// --runs N: of the runs of one pipeline, the one reported — its wall (less stopped time) the median —
// and each figure's range over them; the bottleneck named in most runs, or how it varied.

/** A run's wall less its stopped time (Ctrl-Z). */
export const activeWall = (profile: PipelineProfile): number => profile.wallMs - profile.stoppedMs;

/** The median of `values`: the middle one, or the mean of the two in the middle of an even count. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2;
}

/** The place of the median of `values` (the lower one of an even count: a run that was). */
export function medianIndex(values: number[]): number {
  const order = values.map((value, index) => [value, index] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return order[Math.floor((order.length - 1) / 2)]![1];
}

/** The least and greatest of `values`; null where one is unknown. */
export function range(values: (number | null)[]): Range | null {
  if (values.length === 0 || values.some((value) => value === null)) return null;
  const known = values as number[];
  return [Math.min(...known), Math.max(...known)];
}

const stageCpu = (stage: StageProfile): number | null =>
  stage.userMs === null || stage.sysMs === null ? null : stage.userMs + stage.sysMs;

/**
 * The row of `others` that stands for row `row` of `stages`: the one at its place where `key` agrees,
 * else the same key's same occurrence; undefined where there is none.
 */
export function matchRow<T>(stages: T[], row: number, others: T[], key: (stage: T) => string): T | undefined {
  const wanted = key(stages[row]!);
  if (others[row] !== undefined && key(others[row]!) === wanted) return others[row];
  const occurrence = stages.slice(0, row).filter((stage) => key(stage) === wanted).length;
  return others.filter((stage) => key(stage) === wanted)[occurrence];
}

/** The bottleneck of most runs (more than half of them; null: none, or it varies), and each one's count, most first. */
export function commonBottleneck(names: (string | null)[]): RunsSummary['bottleneck'] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name ?? 'none', (counts.get(name ?? 'none') ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const [top, count] = sorted[0] ?? ['none', 0];
  const most = count > names.length / 2;
  return { name: most && top !== 'none' ? top : null, varies: !most, counts: sorted };
}

/**
 * The run to report (its wall the median) and, over several, the summary: ranges, the bottleneck's
 * counts, and the margin a suggestion is held to — the runs' spread — or none where the bottleneck
 * varies.
 */
export function summariseRuns<Run extends { profile: PipelineProfile }>(
  runs: Run[],
  asked: number,
  warmup: number,
): { chosen: Run; summary: RunsSummary<PipelineProfile> | undefined } {
  const profiles = runs.map((run) => run.profile);
  const walls = profiles.map(activeWall);
  const median = medianIndex(walls);
  const chosen = runs[median]!;
  if (asked < 2) return { chosen, summary: undefined };
  const { stages } = chosen.profile;
  const rows = stages.map((stage, row) => {
    const matched = profiles.map((run) => matchRow(stages, row, run.stages, (stage) => stage.name));
    const known = matched.every((match) => match !== undefined && match.pid !== 0);
    return {
      name: stage.name,
      wallMs: known ? range(matched.map((match) => match!.wallMs - match!.time.stopped)) : null,
      cpuMs: known ? range(matched.map((match) => stageCpu(match!))) : null,
    };
  });
  const bottleneck = commonBottleneck(profiles.map((run) => run.bottleneck));
  return {
    chosen,
    summary: {
      asked,
      warmup,
      each: profiles,
      median,
      wallMs: range(walls)!,
      cpuMs: range(profiles.map((run) => run.cpuMs)),
      stages: rows,
      bottleneck,
      margin: bottleneck.varies ? undefined : walls.length > 1 ? spreadMargin(walls) : SINGLE_RUN,
    },
  };
}

/** Where the bottleneck varies from run to run, nothing is suggested: the prediction's lines say so. */
export function variesAdvice(prediction: PipelineProfile['prediction']): PipelineProfile['prediction'] {
  if (prediction === null) return null;
  const reason = 'the bottleneck varies from run to run';
  const lines = prediction.lines.filter((line) => !/^(suggested|predicted):/.test(line));
  return { ...prediction, suggestion: null, runnable: false, reason, lines: [...lines, `suggested: none — ${reason}`] };
}
