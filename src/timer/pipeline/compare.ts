import type { Comparison, ComparisonRatio, StageChange } from '../../render/comparison.js';
import { type PipelineProfile, type StageProfile, STATES } from '../../render/profile.js';
import { activeWall, matchRow, median, range } from './runs.js';

// Several pipelines compared (`timer --pipeline A --pipeline B`): the runs of each paired in turn (run
// i of A, run i of B), the fastest against each other, and stage by stage what changed.

/** The program a stage runs: the one that traced itself, else its command's first word (its path dropped). */
export const programOf = (stage: StageProfile): string =>
  stage.traced?.name ?? stage.command.trim().split(/\s+/)[0]!.split('/').pop()!;

const cpuOf = (stage: StageProfile): number | null =>
  stage.userMs === null || stage.sysMs === null ? null : stage.userMs + stage.sysMs;
/** The states a share is given of (of the stage's wall less stopped time). */
const SHARED = STATES.slice(0, STATES.indexOf('stopped'));
const shareOf = (stage: StageProfile, state: (typeof SHARED)[number]): number | null => {
  const active = stage.wallMs - stage.time.stopped;
  return stage.pid === 0 || active <= 0 ? null : stage.time[state] / active;
};

/** Each stage across the pipelines: the first pipeline's rows, then any other's rows left unmatched. */
export function stageChanges(profiles: PipelineProfile[]): StageChange[] {
  const rows: (StageProfile | undefined)[][] = [];
  const taken = profiles.map(() => new Set<StageProfile>());
  profiles.forEach((profile, from) => {
    // its stages no earlier pipeline's took: a row each, matched in the later pipelines by the same text
    // first (the same occurrence of it), then, for those left, by place and program
    const fresh = profile.stages.flatMap((stage, row) => (taken[from]!.has(stage) ? [] : [{ stage, row }]));
    const own = fresh.map(({ stage }) => profiles.map((_, index) => (index === from ? stage : undefined)));
    rows.push(...own);
    for (let to = from + 1; to < profiles.length; to++)
      for (const key of [(stage: StageProfile) => stage.command, programOf])
        fresh.forEach(({ row }, k) => {
          if (own[k]![to]) return;
          const found = matchRow(profile.stages, row, profiles[to]!.stages, key);
          if (found && !taken[to]!.has(found)) {
            own[k]![to] = found;
            taken[to]!.add(found);
          }
        });
  });
  return rows.map((matched) => {
    let state: StageChange['state'] = null;
    let most = 0;
    for (const name of SHARED) {
      const shares = matched.map((stage) => (stage ? shareOf(stage, name) : null));
      const known = shares.filter((share): share is number => share !== null);
      const change = known.length > 1 ? Math.max(...known) - Math.min(...known) : 0;
      if (change > most) [state, most] = [{ name, shares }, change];
    }
    return {
      names: matched.map((stage) => stage?.name ?? null),
      wallMs: matched.map((stage) => (stage && stage.pid !== 0 ? stage.wallMs - stage.time.stopped : null)),
      cpuMs: matched.map((stage) => (stage ? cpuOf(stage) : null)),
      state,
      lanes: matched.map((stage) => stage?.traced?.lanes ?? null),
    };
  });
}

/**
 * Compares the pipelines: `reported` each one's reported run, `runs` each one's runs in order (run i of
 * each was run in turn). The fastest over the runs paired, and its ratio to each other.
 */
export function compare(pipelines: string[], reported: PipelineProfile[], runs: PipelineProfile[][]): Comparison {
  const walls = runs.map((each) => each.map(activeWall));
  const wallMs = reported.map(activeWall);
  const paired = Math.min(...walls.map((each) => each.length));
  /** One's walls over the other's, run by run: the median and the range. */
  const pair = (one: number, other: number) => {
    const each = walls[one]!.slice(0, paired).map((wall, run) => wall / walls[other]![run]!);
    return { ratio: median(each), range: each.length > 1 ? range(each) : null };
  };
  // The fastest: the one the runs paired show faster than every other by the most (its least median
  // ratio the greatest), so that each ratio to it is 1 or more; ties to the least median wall.
  const least = pipelines.map((_, one) =>
    Math.min(...pipelines.flatMap((__, other) => (other === one ? [] : [pair(other, one).ratio]))),
  );
  const fastest = pipelines
    .map((_, index) => index)
    .sort((a, b) => least[b]! - least[a]! || wallMs[a]! - wallMs[b]!)[0]!;
  const ratios: ComparisonRatio[] = pipelines.flatMap((_, slower) =>
    slower === fastest ? [] : [{ faster: fastest, slower, ...pair(slower, fastest) }],
  );
  const failures = runs.map((each) => {
    const failed = each.filter((run) => run.exitCode !== null && run.exitCode !== 0);
    return failed.length === 0 ? null : { runs: failed.length, status: failed[0]!.exitCode! };
  });
  return {
    pipelines,
    runs: paired,
    failures,
    wallMs,
    wallRange: walls.map((each) => (each.length > 1 ? range(each) : null)),
    fastest,
    ratios,
    stages: stageChanges(reported),
  };
}
