import type { TracedStage } from '../../trace/read-stage-traces.js';

/** What telling a run's stage needs of a stage as observed (observed.ts's ObservedStage). */
interface Stage {
  pid: number;
  startMs: number;
  endMs: number;
  tracedNames?: string[];
  traced: TracedStage | undefined;
}

/**
 * The stage a pipestage process that no sample saw ran inside, where one can be told: one of several
 * runs of a program inside a stage (a loop's mul, xargs -n 1's), ended between two samples, is that
 * stage's, not a stage of its own. It is the one stage seen running that program under it (not as its
 * own process: `traced(pid)`), started before it (a child's pid comes after its parent's), alive all
 * its life; else undefined (a stage of its own, too short for any sample).
 */
export function runInside<S extends Stage>(
  stages: S[],
  run: { pid: number; name: string; startMs: number; endMs: number },
  traced: (pid: number) => boolean,
): S | undefined {
  const holders = stages.filter(
    (stage) =>
      stage.pid > 0 &&
      stage.pid < run.pid &&
      !traced(stage.pid) &&
      (stage.tracedNames ?? []).includes(run.name) &&
      stage.startMs <= run.startMs &&
      run.endMs <= stage.endMs,
  );
  return holders.length === 1 ? holders[0] : undefined;
}

/**
 * The pipestage processes no sample saw (`unclaimed`: pid and trace): each one a stage ran inside
 * (runInside: counted among its runs, none of them then the stage's program), else a stage of its own,
 * made by `unsampled` (returned). `traced`: whether a pid wrote a trace (any, claimed or not).
 */
export function unsampledRuns<S extends Stage>(
  stages: S[],
  unclaimed: [number, TracedStage][],
  traced: (pid: number) => boolean,
  unsampled: (pid: number, argvs: string[][], startMs: number, endMs: number, traced: TracedStage) => S,
): S[] {
  const own: S[] = [];
  for (const [pid, trace] of unclaimed) {
    const startMs = trace.states[0]!.startMs;
    const endMs = trace.exit?.atMs ?? trace.states[trace.states.length - 1]!.endMs;
    const holder = runInside(stages, { pid, name: trace.name, startMs, endMs }, traced);
    if (holder) {
      holder.tracedNames = [...holder.tracedNames!, trace.name];
      holder.traced = undefined;
    } else own.push(unsampled(pid, [[trace.name]], startMs, endMs, trace));
  }
  return own;
}
