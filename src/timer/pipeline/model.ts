import { busyMs, ioBound, type StageProfile, type State } from '../../render/profile.js';
import { stageCommand } from '../../render/stage-name.js';
import { foldAlike, subRows } from '../../render/sub-rows.js';
import { type ObservedStage, unsampledStage } from './observed.js';
import type { TypedStage } from './typed.js';
import { nameApart } from './names.js';
import { outlivingBottleneck } from './outlived.js';
import { oneElement, placeElements, unseenElement } from './rows.js';
import { stateTotals, timeline } from './timeline.js';
import { unshareBeforeUnseen } from './unseen-share.js';

// The pipeline model: pure functions from what was observed (samples of /proc, the stages' own
// traces) to stages in data-flow order, each one's time split into states, and the bottleneck.

/**
 * Stages in data-flow order: chains of stages whose fd 1 is the next one's fd 0 (the same pipe),
 * each chain from its first stage on, chains (and stages outside any) in order of their start.
 */
export function dataFlowOrder<T extends { stdin: string | undefined; stdout: string | undefined; startMs: number }>(
  stages: T[],
): T[] {
  const byStart = [...stages].sort((a, b) => a.startMs - b.startMs);
  const pipe = (link: string | undefined): string | undefined => (link?.startsWith('pipe:') ? link : undefined);
  const readerOf = new Map<string, T>();
  for (const stage of byStart) {
    const link = pipe(stage.stdin);
    if (link && !readerOf.has(link)) readerOf.set(link, stage);
  }
  const fed = new Set<T>();
  for (const stage of byStart) {
    const link = pipe(stage.stdout);
    const reader = link ? readerOf.get(link) : undefined;
    if (reader && reader !== stage) fed.add(reader);
  }
  const ordered: T[] = [];
  const placed = new Set<T>();
  for (const head of byStart) {
    if (placed.has(head) || fed.has(head)) continue;
    for (let stage: T | undefined = head; stage && !placed.has(stage); ) {
      ordered.push(stage);
      placed.add(stage);
      const link = pipe(stage.stdout);
      stage = link ? readerOf.get(link) : undefined;
    }
  }
  for (const stage of byStart) if (!placed.has(stage)) ordered.push(stage); // in a cycle of pipes
  return ordered;
}

/** A stage no sample saw (it ended within one interval), found by the pipes around it. */
function unseenStage(stdin: string | undefined, stdout: string | undefined, atMs: number): ObservedStage {
  return { ...unsampledStage(0, [], atMs, atMs, undefined), stdin, stdout };
}

/**
 * Stages in data-flow order with the ones no sample saw put back where the pipes say a stage was: a
 * pipe read by a stage that no stage wrote (or written that no stage read), other than timer's own
 * stdin and stdout (`outside`), had an unseen stage at its other end.
 */
export function withUnseenStages(ordered: ObservedStage[], outside: Set<string>): ObservedStage[] {
  const inner = (link: string | undefined): link is string => link?.startsWith('pipe:') === true && !outside.has(link);
  const written = new Set(ordered.map((stage) => stage.stdout));
  const read = new Set(ordered.map((stage) => stage.stdin));
  const result: ObservedStage[] = [];
  for (const stage of ordered) {
    if (inner(stage.stdin) && !written.has(stage.stdin)) {
      const last = result[result.length - 1];
      const beforeLast = result[result.length - 2];
      if (last && last.stdout === undefined && (last.pid === 0 || last.stdin === undefined)) {
        // the unseen stage, or a stage whose pipes were not seen (it ended as it began), wrote into this pipe
        if (last.pid !== 0 && beforeLast?.pid === 0 && beforeLast.stdout === undefined) {
          result.splice(result.length - 2, 1);
          last.stdin = beforeLast.stdin;
        }
        last.stdout = stage.stdin;
      } else result.push(unseenStage(undefined, stage.stdin, stage.startMs));
    }
    const last = result[result.length - 1];
    if (stage.stdin === undefined && stage.stdout === undefined && last?.pid === 0 && last.stdout === undefined) {
      // a stage whose pipes were not seen (it came from its trace alone) right after a pipe nobody read: its reader
      result.pop();
      stage.stdin = last.stdin;
    }
    result.push(stage);
    if (inner(stage.stdout) && !read.has(stage.stdout)) result.push(unseenStage(stage.stdout, undefined, stage.endMs));
  }
  return result;
}

/** A stage's time in no state seen (it ended before a sample saw it in one) is unknown: they add up to its wall. */
function withUnknown(time: Record<State, number>, wallMs: number): Record<State, number> {
  const seen = Object.values(time).reduce((sum, ms) => sum + ms, 0);
  time.unknown += Math.max(0, wallMs - seen);
  return time;
}

/** When an element no sample saw ran, as near as is known: the start of the nearest one seen before it. */
function nearestStart(placed: (ObservedStage | undefined)[], index: number): number {
  for (let before = index - 1; before >= 0; before--) if (placed[before]) return placed[before]!.startMs;
  return placed.find((stage) => stage !== undefined)?.startMs ?? 0;
}

/**
 * The profile of each stage, in data-flow order (`outside`: timer's own stdin and stdout links). Where
 * the pipeline's text gave its stages (`typed`, one per row found), each row is named as typed: its
 * command the text, its name the program a simple command runs, else the text.
 */
export function profileStages(
  observed: ObservedStage[],
  outside = new Set<string>(),
  typed?: TypedStage[],
): StageProfile[] {
  // as typed, an element for each row, where the processes seen can be its elements
  const placed =
    typed?.length === 1 && observed.length > 1
      ? [oneElement(observed)]
      : typed
        ? placeElements(observed, typed, outside)
        : undefined;
  const ordered = placed
    ? placed.map((stage, index) => stage ?? unseenElement(nearestStart(placed, index)))
    : withUnseenStages(dataFlowOrder(observed), outside);
  const asTyped = placed ? typed : undefined;
  // (pipelines one after another, none a `&` job: each its own flow of items)
  const sequential = asTyped !== undefined && !asTyped.some((stage) => stage.background);
  if (asTyped) unshareBeforeUnseen(ordered, asTyped);
  const anyUnseen = ordered.some((stage) => stage.pid === 0);
  // a stage with process substitutions: the shell, or nobody, reaps them, with it or apart
  const withProcsubs = (stage: ObservedStage, typedStage: TypedStage | undefined): boolean =>
    (typedStage?.procsubs.length ?? 0) > 0 || (stage.processes ?? []).some((p) => p.lost === 'process substitution');
  const profiles = ordered.map((stage, index): StageProfile => {
    const typedStage = asTyped?.[index];
    const { command, name } = typedStage
      ? { command: typedStage.text, name: typedStage.runs ?? typedStage.program ?? typedStage.text }
      : stage.pid === 0
        ? { command: '(ended before the first sample)', name: '(unseen)' }
        : stageCommand(stage.argvs, stage.traced?.name, stage.subshell, stage.tracedNames);
    const segments = timeline(stage);
    const exit = stage.traced?.exit;
    return {
      pid: stage.pid,
      command,
      name,
      status: exit?.status ?? stage.status,
      wallMs: stage.endMs - stage.startMs,
      startMs: stage.startMs,
      endMs: stage.endMs,
      userMs: stage.userMs ?? exit?.userMs ?? null,
      sysMs: stage.sysMs ?? exit?.sysMs ?? null,
      peakRssBytes: exit ? Math.max(exit.peakRssBytes, stage.peakRssBytes ?? 0) : stage.peakRssBytes,
      // (a stage the shell reaped alone has its whole I/O, unless a stage no sample saw was reaped with
      // it; not its process substitutions': unknown)
      bytesIn: exit?.bytesIn ?? (anyUnseen || withProcsubs(stage, typedStage) ? null : stage.bytesIn),
      bytesOut: exit?.bytesOut ?? (anyUnseen || withProcsubs(stage, typedStage) ? null : stage.bytesOut),
      linesOut: exit ? exit.lines : null,
      time: withUnknown(stateTotals(segments), stage.endMs - stage.startMs),
      timeline: segments,
      traced: stage.traced,
      ...(!stage.traced && (stage.tracedNames?.length ?? 0) > 1 ? { tracedNames: stage.tracedNames } : {}),
      feedsNext: stage.stdout?.startsWith('pipe:') === true && ordered[index + 1]?.stdin === stage.stdout,
      ...(sequential && typedStage ? { pipeline: typedStage.pipeline } : {}),
      ...(typedStage?.at !== undefined ? { at: typedStage.at } : {}),
      stdin: stage.stdin,
      stdout: stage.stdout,
      cpuSampled: stage.cpuSampled ?? false,
      cpuShared: stage.cpuShared ?? false,
      processes: stage.processes ?? [],
      procsubs: typedStage?.procsubs ?? [],
      running: stage.running ?? false,
    };
  });
  nameApart(profiles, asTyped !== undefined);
  return profiles;
}

/** The bottleneck and the evidence for it, as the report's line (it begins `bottleneck: NAME`). */
interface Bottleneck {
  stage: StageProfile | undefined;
  /** the busiest stage (the bottleneck, or the busiest of balanced stages) */
  busiest: StageProfile | undefined;
  line: string;
}

const percent = (part: number, whole: number): string => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;

/** Two stages ran at the same time for at least half the life of the shorter (not one after the other). */
const together = (a: StageProfile, b: StageProfile): boolean =>
  Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs) >= 0.5 * Math.min(a.wallMs, b.wallMs);

/** Below this share of the time busy, no stage is named the bottleneck. */
const IDLE_SHARE = 0.05;

/**
 * The stage that bounds the pipeline: the one busy (working, or waiting on something of its own) the
 * largest share of the time the pipeline was not stopped — evidence: the stage before it blocked on
 * output into it, the one after it waiting for input from it. Two stages within 10 points of each
 * other, both busy most of the time, running together, are balanced: no single bottleneck; none busy 5% of the time:
 * none either.
 */
export function findBottleneck(stages: StageProfile[], activeMs: number): Bottleneck {
  // (an `&` job still running when the shell ended bounds nothing the pipeline waited for)
  const ranked = stages.filter((stage) => !stage.running).sort((a, b) => busyMs(b) - busyMs(a));
  const [top, second] = ranked;
  if (!top || activeMs <= 0 || busyMs(top) === 0)
    return { stage: undefined, busiest: undefined, line: 'bottleneck: none (no stage was seen busy)' };
  const share = (stage: StageProfile): number => busyMs(stage) / activeMs;
  // a `>( )` that worked on after its stage ended, more than any stage: what the pipeline waited for
  const outlived = outlivingBottleneck(ranked, activeMs, Math.max(busyMs(top), IDLE_SHARE * activeMs), percent);
  if (outlived) return { stage: undefined, busiest: undefined, line: outlived };
  // a stage busy a few % of the time bounds nothing: the pipeline waited on what is outside it
  if (share(top) < IDLE_SHARE)
    return {
      stage: undefined,
      busiest: undefined,
      line:
        `bottleneck: none (the busiest stage, ${top.name}, was busy ${percent(busyMs(top), activeMs)} of the ` +
        "pipeline's wall: the pipeline waited on its input or its output)",
    };
  // (the figures said: shares of each stage's own wall, as in the table; the ranking is by the pipeline's)
  const of = (ms: number, stage: StageProfile): string => percent(ms, stage.wallMs - stage.time.stopped);
  if (second && share(top) >= 0.5 && share(top) - share(second) <= 0.1 && together(top, second)) {
    const balanced = ranked.filter((stage) => share(top) - share(stage) <= 0.1 && together(top, stage));
    // (said as the rule weighs them: shares of the pipeline's wall, within 10 points)
    const shares = balanced.map((stage) => `${stage.name} ${percent(busyMs(stage), activeMs)}`);
    return {
      stage: undefined,
      busiest: top,
      line: `bottleneck: none (balanced: ${shares.join(', ')} busy, of the pipeline's wall)`,
    };
  }
  const index = stages.indexOf(top);
  const evidence: string[] = [];
  const cpuWait =
    top.time['waiting for a CPU'] >= 0.05 * activeMs
      ? `, waiting for a CPU ${of(top.time['waiting for a CPU'], top)}`
      : '';
  if (ioBound(top)) {
    const parts = `working ${of(top.time['working'], top)}${cpuWait}, other waits ${of(top.time['other wait'], top)}`;
    evidence.push(`busy ${of(busyMs(top), top)} of its wall (${parts})`);
  } else evidence.push(`working ${of(top.time['working'], top)} of its wall${cpuWait}`);
  const before = stages[index - 1];
  const after = stages[index + 1];
  if (before?.feedsNext && before.time['blocked on output'] >= 0.05 * activeMs)
    evidence.push(`${before.name} blocked on output to it ${of(before.time['blocked on output'], before)}`);
  if (after && top.feedsNext && after.time['waiting for input'] >= 0.05 * activeMs)
    evidence.push(`${after.name} waiting for input from it ${of(after.time['waiting for input'], after)}`);
  const named = withinStage(top); // (named down to a process, the shares are still the stage's)
  if (named !== top.name) evidence[0] = `the stage ${evidence[0]}`;
  return { stage: top, busiest: top, line: `bottleneck: ${named} — ${evidence.join('; ')}` };
}

/**
 * A stage named down to the process that used half its CPU or more (not its own), with its share; the
 * processes of one command as one (`2 × sleep-task --for 80ms`: xargs -n 1 running it twice, each half).
 */
export function withinStage(stage: StageProfile): string {
  const cpu = (row: { userMs: number | null; sysMs: number | null }): number => (row.userMs ?? 0) + (row.sysMs ?? 0);
  const rows = foldAlike(subRows(stage).filter((row) => row.depth === 1));
  const busiest = rows.sort((a, b) => cpu(b) - cpu(a))[0];
  return rows.length > 1 && busiest && !busiest.own && cpu(busiest) >= cpu(stage) / 2
    ? `${busiest.name} in ${stage.name} (${Math.round((100 * cpu(busiest)) / cpu(stage))}% of the stage's CPU)`
    : stage.name;
}

/**
 * A stage's status from the shell's PIPESTATUS (the statuses of the last pipeline it ran): where the
 * rows are as typed (`lastRows`: the rows of the last pipeline, or null where it may not have run
 * last), given to those rows when there are as many; else zipped with the stages when there are as
 * many, else with the last chain of piped stages of that length.
 */
export function applyPipestatus(stages: StageProfile[], statuses: number[], lastRows?: number[] | null): void {
  if (statuses.length === 0 || lastRows === null) return;
  if (lastRows !== undefined) {
    if (lastRows.length === statuses.length)
      lastRows.forEach((row, index) => {
        if (stages[row]) stages[row].status ??= statuses[index]!;
      });
    return;
  }
  let chain: StageProfile[] = stages;
  if (stages.length !== statuses.length) {
    const chains: StageProfile[][] = [];
    for (const [index, stage] of stages.entries()) {
      if (index === 0 || !stages[index - 1]!.feedsNext) chains.push([]);
      chains[chains.length - 1]!.push(stage);
    }
    const last = chains
      .filter((candidate) => candidate.length === statuses.length)
      .sort((a, b) => b[0]!.startMs - a[0]!.startMs)[0];
    if (!last) return;
    chain = last;
  }
  chain.forEach((stage, index) => (stage.status ??= statuses[index]!));
}
