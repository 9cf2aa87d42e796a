import { type ChildCpu, MS_PER_TICK } from '../../base/proc.js';
import type { Interval, ProcessProfile, ReapedGroup, StageRecord } from '../../render/profile.js';
import { isSubshell, programsInOrder } from '../../render/stage-name.js';
import { processesOf } from './process-rows.js';
import { fromItsStart, type readStageTraces, type TracedStage } from '../../trace/read-stage-traces.js';
import { unsampledRuns } from './run-inside.js';

// From what the samples recorded to the stages as observed: each stage's programs, pipes, CPU (what
// the shell accounted for stages reaped together, shared among them) and its own trace.

/** One stage as observed, before the model. */
export interface ObservedStage {
  pid: number;
  argvs: string[][];
  startMs: number;
  endMs: number;
  stdin: string | undefined;
  stdout: string | undefined;
  userMs: number | null;
  sysMs: number | null;
  peakRssBytes: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  status: number | null;
  intervals: Interval[];
  traced: TracedStage | undefined;
  /** the stage process never ran a program of its own: a subshell (its programs are its children's) */
  subshell?: boolean;
  /** the names of the pipestage processes in the stage's tree (one of them may be `traced`) */
  tracedNames?: string[];
  /** its CPU takes in processes nobody of the pipeline reaped, counted to their last sample (≈) */
  cpuSampled?: boolean;
  /**
   * its CPU is in part a share of what the shell reaped with other stages between two samples, by
   * the rate each was last seen using: an estimate (≈), the group's whole exact
   */
  cpuShared?: boolean;
  /** with cpuShared, where no stage of its group was seen using CPU at its last sample: the share given */
  cpuGiven?: { userMs: number; sysMs: number };
  /** each program the stage ran, one process each */
  processes?: ProcessProfile[];
  /** still running when the shell ended (a `&` job: left running, as the shell leaves it) */
  running?: boolean;
}

/**
 * Shares the CPU the shell accounted for stages reaped together among them: each keeps what it is
 * known to have used (its last sample, or its own exit figures), and what the samples missed (the
 * time after the last one) goes to them in proportion to `weights` — how fast each was using CPU at
 * its last sample (default: what each is known to have used). The stages' total is then the kernel's.
 */
export function attributeReaped(
  seenCpu: { userMs: number; sysMs: number }[],
  given: { userMs: number; sysMs: number },
  weights: number[] = seenCpu.map((cpu) => cpu.userMs + cpu.sysMs),
  slackMs = 0,
): { userMs: number; sysMs: number }[] {
  // Shared as wholes (user + sys): the kernel splits a process's time between user and sys by its
  // ticks, a traced stage's own figures by getrusage, and shares taken field by field would move
  // one's sys to another's user. (What the samples saw is read to the ns, the shell's figure to the
  // ms: never more than the kernel's.)
  const cpu = (of: { userMs: number; sysMs: number }): number => of.userMs + of.sysMs;
  const seenMs = seenCpu.reduce((sum, seen) => sum + cpu(seen), 0);
  // a total known to `slackMs` (counted in ticks) below what the stages were seen using: theirs
  const over = seenMs - cpu(given);
  const total = over > 0 && over <= slackMs ? sumOf(seenCpu) : given;
  const totalMs = cpu(total);
  // (nothing seen, and a total below 0 — the group reaped last, after others kept more than their
  // ticks: nothing to share, not 0/0)
  const scale = seenMs > totalMs && seenMs > 0 ? Math.max(0, totalMs) / seenMs : 1;
  const missed = Math.max(0, totalMs - seenMs * scale);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const wholes = seenCpu.map(
    (seen, index) =>
      cpu(seen) * scale + (weightSum > 0 ? (missed * weights[index]!) / weightSum : missed / seenCpu.length),
  );
  // each whole split as its own figures were, then user moved between them (in proportion to their
  // wholes) until the user times add up to the shell's
  const users = seenCpu.map((seen, index) =>
    cpu(seen) > 0 ? (wholes[index]! * seen.userMs) / cpu(seen) : wholes[index]!,
  );
  const wholeSum = wholes.reduce((sum, whole) => sum + whole, 0);
  const userGap = total.userMs - users.reduce((sum, user) => sum + user, 0);
  return wholes.map((whole, index) => {
    const userMs = Math.min(whole, Math.max(0, users[index]! + (wholeSum > 0 ? (userGap * whole) / wholeSum : 0)));
    return { userMs, sysMs: whole - userMs };
  });
}

const sumOf = (all: { userMs: number; sysMs: number }[]): { userMs: number; sysMs: number } => ({
  userMs: all.reduce((sum, one) => sum + one.userMs, 0),
  sysMs: all.reduce((sum, one) => sum + one.sysMs, 0),
});

/** How far a group's CPU counted in ticks may be below what its stages used: a tick for each of user and sys. */
const TICKS_SLACK_MS = 2 * MS_PER_TICK;

/** Below this, what a stage of a group reaped together is given beyond what it was seen using is no estimate. */
const SHARED_MS = 1;

/** How far back a stage's CPU rate is taken: CPU is counted in 10 ms ticks, so a short interval's rate is noise. */
const RATE_WINDOW_MS = 100;

/**
 * How fast a stage was using CPU when last sampled (CPU ms per ms): over its last intervals back to
 * RATE_WINDOW_MS at least (a 3 ms interval after a reap shows 0 or 10 ms of CPU, rate 0 or 3), stopped
 * intervals left out.
 */
export function recentCpuRate(intervals: Interval[], windowMs = RATE_WINDOW_MS): number {
  let cpuMs = 0;
  let spanMs = 0;
  for (let index = intervals.length - 1; index >= 0 && spanMs < windowMs; index--) {
    const interval = intervals[index]!;
    if (interval.stopped) continue;
    cpuMs += interval.cpuMs;
    spanMs += interval.endMs - interval.startMs;
  }
  return spanMs > 0 ? cpuMs / spanMs : 0;
}

/**
 * The stages the shell reaped after the last sample that saw it (as it ended) get one group: what
 * timer reaped in all (`cpu`), less the groups sampled and the shell's own CPU; and what the shell's
 * I/O counters grew by since the last sample (`io`, the shell's own reads and writes at its end).
 */
export function attributeLate(
  records: StageRecord[],
  cpu: ChildCpu,
  shellOwnCpu: ChildCpu,
  io?: { atEnd: [number, number] | undefined; lastSample: [number, number] | undefined },
): void {
  // (a stage still running when the shell ended was not reaped: its figures are its samples')
  const late = records.filter((record) => record.reapedWith === undefined && record.goneMs !== undefined);
  if (late.length === 0) return;
  const attributed = records.filter((record) => record.reapedWith !== undefined);
  const sum = (field: 'userMs' | 'sysMs'): number =>
    attributed.reduce((acc, record) => acc + record.reapedWith![field] / record.reapedWith!.pids.length, 0);
  const group: ReapedGroup = {
    pids: late.map((record) => record.pid),
    userMs: cpu.userMs - sum('userMs') - shellOwnCpu.userMs,
    sysMs: cpu.sysMs - sum('sysMs') - shellOwnCpu.sysMs,
    ...(io?.atEnd && io.lastSample
      ? { bytesIn: io.atEnd[0] - io.lastSample[0], bytesOut: io.atEnd[1] - io.lastSample[1] }
      : {}),
    late: true,
  };
  for (const record of late) record.reapedWith = group;
}

/** The group a stage was reaped in, where it was reaped alone (its I/O then is the group's). */
const reapedAlone = (record: StageRecord): ReapedGroup | undefined =>
  record.reapedWith?.pids.length === 1 ? record.reapedWith : undefined;

/**
 * A stage's fd 0 or fd 1 as the samples saw it, where it can be trusted: once the stage ran its
 * program; for a fork of the shell that never was seen running one, when two samples saw it and it is
 * a pipe of the pipeline — a fork sets up its pipes after it starts, and one seen twice with timer's
 * own stdin or stdout (a loaded machine) may still have been about to (else unknown).
 */
function pipeOf(record: StageRecord, link: string | undefined, outside: Set<string>): string | undefined {
  if (record.fdsFinal) return link;
  return record.fdReads > 1 && link !== undefined && !outside.has(link) ? link : undefined;
}

/**
 * The stages as observed: each child of the shell with what /proc showed, joined with the trace of
 * the pipestage process in its tree; a pipestage stage too short for any sample comes from its trace
 * alone. CPU: what the shell accounted for each group of stages it reaped together, shared among them.
 */
export function observedStages(
  records: StageRecord[],
  traces: ReturnType<typeof readStageTraces>,
  endMs: number,
  outside: Set<string>,
): ObservedStage[] {
  const claimed = new Set<number>();
  const stages: ObservedStage[] = records.map((record) => {
    // The pipestage processes in the stage's tree: one gives the stage its states and items; several
    // (a subshell running a pipeline of them) leave the stage to the samples; one nobody of the
    // pipeline reaps (tee >(mul)) is a process of the stage, not its program.
    const inTree = [...traces.keys()].filter((pid) => record.tree.has(pid) && !claimed.has(pid));
    for (const pid of inTree) claimed.add(pid);
    const tracedPids = inTree.filter((pid) => !record.procs.get(pid)?.underLost);
    const tracedPid = tracedPids.length === 1 ? tracedPids[0] : undefined;
    const traced = tracedPid === undefined ? undefined : traces.get(tracedPid);
    const own = tracedPid === record.pid ? traced : undefined; // the stage process's own program's trace
    const exit = own?.exit;
    return {
      pid: record.pid,
      argvs: programsInOrder(record),
      tracedNames: tracedPids.map((pid) => traces.get(pid)!.name),
      subshell: isSubshell(record),
      startMs: record.startMs,
      endMs: Math.min(endMs, exit ? exit.atMs : (record.goneMs ?? endMs)),
      stdin: pipeOf(record, record.stdin, outside),
      stdout: pipeOf(record, record.stdout, outside),
      // the CPU known so far: the stage's own exit figures (it was its tree), else the last sample
      userMs: Math.max(record.userMs, exit?.userMs ?? 0),
      sysMs: Math.max(record.sysMs, exit?.sysMs ?? 0),
      peakRssBytes: record.peakRssBytes > 0 ? record.peakRssBytes : null,
      // a program's whole I/O, final: what the shell's counters took in as it reaped the stage alone
      bytesIn: reapedAlone(record)?.bytesIn ?? null,
      bytesOut: reapedAlone(record)?.bytesOut ?? null,
      status: null,
      // (within the pipeline's end: an `&` job still running was sampled once more after it)
      intervals: record.intervals
        .filter((interval) => interval.startMs < endMs)
        .map((interval) => (interval.endMs <= endMs ? interval : { ...interval, endMs })),
      traced: own ? fromItsStart(own, record.startMs) : traced,
    };
  });
  const groups = new Map<ReapedGroup, ObservedStage[]>();
  records.forEach((record, index) => {
    if (record.reapedWith) groups.set(record.reapedWith, [...(groups.get(record.reapedWith) ?? []), stages[index]!]);
  });
  // (the group reaped last after the others: what they were given above their ticks is not its)
  let excess = { userMs: 0, sysMs: 0 };
  for (const [group, members] of [...groups].sort(([a], [b]) => Number(a.late ?? false) - Number(b.late ?? false))) {
    // what each was using per ms when last sampled: its share of what the samples missed
    const rates = members.map((stage) => recentCpuRate(stage.intervals));
    const total = group.late ? { userMs: group.userMs - excess.userMs, sysMs: group.sysMs - excess.sysMs } : group;
    const shared = attributeReaped(
      members.map((stage) => ({ userMs: stage.userMs!, sysMs: stage.sysMs! })),
      total,
      rates.some((rate) => rate > 0) ? rates : undefined,
      group.late ? 0 : TICKS_SLACK_MS,
    );
    const given = sumOf(shared);
    excess = { userMs: excess.userMs + given.userMs - total.userMs, sysMs: excess.sysMs + given.sysMs - total.sysMs };
    const seenMs = (cpu: { userMs: number | null; sysMs: number | null }): number => cpu.userMs! + cpu.sysMs!;
    // (a share above what the stage was seen using is the estimate; alone, a stage's is its own)
    members.forEach((stage, index) => {
      const estimated = members.length > 1 && seenMs(shared[index]!) - seenMs(stage) >= SHARED_MS;
      const given = { userMs: shared[index]!.userMs - stage.userMs!, sysMs: shared[index]!.sysMs - stage.sysMs! };
      // (idle: no rate above 0, each over RATE_WINDOW_MS of life at least, not a young one's missing tick)
      const idle =
        estimated && !rates.some((rate) => rate > 0) && members.every((m) => m.endMs - m.startMs >= RATE_WINDOW_MS);
      Object.assign(stage, shared[index], { cpuShared: estimated }, idle ? { cpuGiven: given } : {});
    });
  }
  records.forEach((record, index) => {
    const stage = stages[index]!;
    // what nobody of the pipeline reaped is in no reaped group: counted apart, as last sampled
    stage.userMs! += record.lostUserMs;
    stage.sysMs! += record.lostSysMs;
    const lost = [...record.procs.values()].filter((proc) => proc.lost !== undefined);
    stage.cpuSampled = lost.some((proc) => !proc.exited && proc.userMs + proc.sysMs + proc.childUserMs > 0);
    // (still running: its own process, not only a `>( )` of it, which timer waits for)
    const own = record.procs.get(record.pid);
    stage.running = record.goneMs === undefined && !(own && (own.goneMs !== undefined || own.exited));
    stage.processes = processesOf(record, endMs, stage.running ? undefined : stage);
    closeIntervals(record, stage);
  });
  // (the traces of processes no sample saw: a stage's run inside, or a stage too short for any sample)
  const unclaimed = [...traces].filter(([pid, traced]) => !claimed.has(pid) && traced.states.length > 0);
  return [...stages, ...unsampledRuns(stages, unclaimed, (pid) => traces.has(pid), unsampledStage)];
}

/**
 * From a stage's last sample to its end: one more interval, with the CPU it used after that sample
 * (its final figure, as reaped, less the sampled one) — else a stage ending between two samples loses
 * the end of its work from its shares.
 */
function closeIntervals(record: StageRecord, stage: ObservedStage): void {
  const last = record.intervals[record.intervals.length - 1];
  if (!last || stage.endMs <= record.lastSeenMs || stage.userMs === null || stage.sysMs === null) return;
  const cpuMs = Math.max(0, stage.userMs + stage.sysMs - record.cpuSeenMs);
  const closing = { startMs: record.lastSeenMs, endMs: stage.endMs, cpuMs, cpuWaitMs: 0, state: last.state };
  stage.intervals = [...record.intervals, { ...closing, stopped: false }];
}

/** A stage no sample saw: what is known of it is its place and times (and its own trace, if it wrote one). */
export function unsampledStage(
  pid: number,
  argvs: string[][],
  startMs: number,
  endMs: number,
  traced: TracedStage | undefined,
): ObservedStage {
  return {
    pid,
    argvs,
    startMs,
    endMs,
    stdin: undefined,
    stdout: undefined,
    userMs: null,
    sysMs: null,
    peakRssBytes: null,
    bytesIn: null,
    bytesOut: null,
    status: null,
    intervals: [],
    traced,
  };
}
