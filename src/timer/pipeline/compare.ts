import type { Comparison, ComparisonRatio, StageChange } from '../../render/comparison.js';
import { type PipelineProfile, type StageProfile, STATES } from '../../render/profile.js';
import { activeWall, matchRow, range } from './runs.js';

// Several pipelines compared (`timer --pipeline A --pipeline B`): the runs of each paired in turn (run
// i of A, run i of B), the fastest against each other, and stage by stage what changed.

/** The program a stage runs: the one that traced itself, else its command's first word (its path dropped). */
export const programOf = (stage: StageProfile): string =>
  stage.traced?.name ?? stage.command.trim().split(/\s+/)[0]!.split('/').pop()!;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
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
    profile.stages.forEach((stage, row) => {
      if (taken[from]!.has(stage)) return;
      const matched = profiles.map((other, to) => {
        if (to === from) return stage;
        if (to < from) return undefined;
        const found = matchRow(profile.stages, row, other.stages, programOf);
        return found && !taken[to]!.has(found) ? found : undefined;
      });
      matched.forEach((found, to) => found && taken[to]!.add(found));
      rows.push(matched);
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
 * each was run in turn). The fastest by its reported wall; its ratio to each other over the runs paired.
 */
export function compare(pipelines: string[], reported: PipelineProfile[], runs: PipelineProfile[][]): Comparison {
  const walls = runs.map((each) => each.map(activeWall));
  const wallMs = reported.map(activeWall);
  const fastest = wallMs.indexOf(Math.min(...wallMs));
  const paired = Math.min(...walls.map((each) => each.length));
  const ratios: ComparisonRatio[] = pipelines.flatMap((_, slower) => {
    if (slower === fastest) return [];
    const each = walls[slower]!.slice(0, paired).map((wall, run) => wall / walls[fastest]![run]!);
    return [{ faster: fastest, slower, ratio: median(each), range: each.length > 1 ? range(each) : null }];
  });
  return {
    pipelines,
    runs: paired,
    wallMs,
    wallRange: walls.map((each) => (each.length > 1 ? range(each) : null)),
    fastest,
    ratios,
    stages: stageChanges(reported),
  };
}
