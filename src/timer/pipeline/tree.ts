import path from 'node:path';
import { MS_PER_TICK, type ProcessStat } from '../../base/proc.js';
import type { ProcessRecord, StageRecord } from '../../render/profile.js';

// The processes of one stage, each sample: the stage process, its descendants, and those of them that
// left its tree (orphans). Which of them a process of the pipeline will reap decides where their CPU
// is accounted: a process reaped by its parent is in its parent's figures, and so up to the shell's;
// one that nobody of the pipeline reaps (a process substitution under a program that never waits for
// it, an orphan) is in none, and is counted apart, as sampled.

/** What the walk asks of /proc. */
export interface TreeProbe {
  stat(pid: number): ProcessStat | undefined;
  /** how long its main thread ran on a CPU and waited for one, ms (/proc/PID/schedstat: to the ns) */
  schedstat(pid: number): [number, number];
  childrenOf(pid: number): number[];
  /** a start tick on timer's clock (ms from the shell's start) */
  startMsOf(startTicks: number): number;
  /** how many samples were taken (children are looked for at every 5th, where none were seen) */
  samples: number;
}

/** What one look found. */
export interface TreeLook {
  /** the processes alive now (not exited), oldest first */
  live: { pid: number; stat: ProcessStat }[];
  /** CPU the shell will account for the stage, as far as seen: its processes that some process of it reaps */
  userMs: number;
  sysMs: number;
  rssPages: number;
  /** the stage process is alive */
  stageAlive: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ksh', 'mksh', 'zsh', 'busybox']);

/** A process runs a shell (or is a fork of the shell, no program of its own yet): it reaps its children. */
export const runsShell = (argv: string[] | undefined): boolean =>
  argv === undefined || SHELLS.has(path.basename(argv[0] ?? ''));

/** How many process substitutions a program was given: its arguments /dev/fd/N (bash's names for them). */
const procsubArgs = (argv: string[] | undefined): number =>
  argv?.filter((arg) => /^\/dev\/fd\/\d+$/.test(arg)).length ?? 0;

/**
 * A process substitution of a program: one of the first children of a process that ran a program
 * given /dev/fd/N (bash forks them before it runs the program, which does not wait for them), or a
 * child left exited under a program (a program that waits would have reaped it).
 */
function isProcsub(record: ProcessRecord, stage: StageRecord, exited: boolean): boolean {
  const parent = stage.procs.get(record.parent);
  const argv = stage.argvs.get(record.parent);
  if (parent === undefined || runsShell(argv)) return false;
  if (exited) return true;
  const count = procsubArgs(argv);
  if (count === 0) return false;
  const siblings = [...stage.procs.values()].filter((other) => other.parent === record.parent);
  return siblings.sort((a, b) => a.pid - b.pid).indexOf(record) < count;
}

/**
 * A process's own CPU: its ticks (utime, stime: 10 ms steps, each rounded down), or its main thread's
 * run time where more (to the ns; the whole of a program of one thread, exited too), split as the ticks.
 */
function ownCpu(stat: ProcessStat, runMs: number): { userMs: number; sysMs: number } {
  const user = stat.userTicks * MS_PER_TICK;
  const sys = stat.sysTicks * MS_PER_TICK;
  const total = Math.max(user + sys, runMs);
  const userMs = user + sys > 0 ? (total * user) / (user + sys) : total;
  return { userMs, sysMs: total - userMs };
}

/** Reads a process's figures into its record. */
function update(record: ProcessRecord, stat: ProcessStat, probe: TreeProbe, nowMs: number): void {
  const [runMs, delayMs] = probe.schedstat(record.pid);
  Object.assign(record, {
    lastSeenMs: nowMs,
    ...ownCpu(stat, runMs),
    childUserMs: stat.childUserTicks * MS_PER_TICK,
    childSysMs: stat.childSysTicks * MS_PER_TICK,
    runMs,
    delayMs,
    exited: stat.state === 'Z' || stat.state === 'X',
  });
}

function newRecord(pid: number, stat: ProcessStat, probe: TreeProbe, nowMs: number): ProcessRecord {
  const startMs = Math.min(probe.startMsOf(stat.startTicks), nowMs);
  return {
    pid,
    startTicks: stat.startTicks,
    parent: stat.ppid,
    startMs,
    lastSeenMs: startMs,
    goneMs: undefined,
    userMs: 0,
    sysMs: 0,
    childUserMs: 0,
    childSysMs: 0,
    exited: false,
    runMs: 0,
    delayMs: 0,
    hadChildren: false,
    lost: undefined,
    underLost: false,
  };
}

/**
 * Looks at every process of `stage` once: from the stage process down, then every process seen before
 * and not found there (it left the tree: an orphan, reaped by whoever adopted it). Updates each
 * process's record and the stage's lost CPU.
 */
export function lookAtTree(stage: StageRecord, probe: TreeProbe, nowMs: number): TreeLook {
  const look: TreeLook = { live: [], userMs: 0, sysMs: 0, rssPages: 0, stageAlive: false };
  const found = new Set<number>();
  /** how much each process's reaped children's CPU grew since the last look */
  const grown = new Map<number, { userMs: number; sysMs: number }>();
  const reapedBy = new Map<number, ProcessRecord[]>();
  const visit = (pid: number, stat: ProcessStat, parentLost: boolean): void => {
    let record = stage.procs.get(pid);
    if (record === undefined || record.startTicks !== stat.startTicks) {
      record = newRecord(pid, stat, probe, nowMs);
      stage.procs.set(pid, record);
      stage.tree.set(pid, stat.startTicks);
    }
    found.add(pid);
    const exited = stat.state === 'Z' || stat.state === 'X';
    grown.set(pid, {
      userMs: stat.childUserTicks * MS_PER_TICK - record.childUserMs,
      sysMs: stat.childSysTicks * MS_PER_TICK - record.childSysMs,
    });
    update(record, stat, probe, nowMs);
    if (pid !== stage.pid && stat.ppid !== record.parent) record.lost ??= 'orphan';
    if (pid !== stage.pid && record.lost === undefined && isProcsub(record, stage, exited))
      record.lost = 'process substitution';
    const lost = parentLost || record.lost !== undefined;
    record.underLost ||= lost;
    if (!lost) {
      look.userMs += record.userMs + record.childUserMs;
      look.sysMs += record.sysMs + record.childSysMs;
    }
    if (exited) return;
    if (pid === stage.pid) look.stageAlive = true;
    look.live.push({ pid, stat });
    look.rssPages += stat.rssPages;
    const listChildren = record.hadChildren || !stage.argvs.has(pid) || probe.samples % 5 === 0;
    const children = listChildren ? probe.childrenOf(pid).sort((a, b) => a - b) : [];
    record.hadChildren = children.length > 0;
    for (const child of children) {
      const childStat = probe.stat(child);
      if (childStat) visit(child, childStat, lost);
    }
  };
  const root = stage.procs.get(stage.pid);
  const rootStat = root?.goneMs === undefined ? probe.stat(stage.pid) : undefined;
  if (rootStat && rootStat.startTicks === stage.startTicks) visit(stage.pid, rootStat, false);
  // processes that left the tree: adopted elsewhere (orphans), or gone
  for (const record of [...stage.procs.values()]) {
    if (found.has(record.pid) || record.goneMs !== undefined) continue;
    const stat = probe.stat(record.pid);
    if (stat && stat.startTicks === record.startTicks) {
      if (record.pid !== stage.pid) record.lost ??= 'orphan';
      visit(record.pid, stat, true);
      continue;
    }
    record.goneMs = nowMs;
    if (record.exited) continue;
    const parent = stage.procs.get(record.parent);
    if (found.has(record.parent) && record.lost === undefined) {
      reapedBy.set(record.parent, [...(reapedBy.get(record.parent) ?? []), record]);
      continue;
    }
    // gone with its parent in one interval: reaped by it, unless nothing of the pipeline reaps it
    if (record.lost === undefined && parent?.goneMs === nowMs && isProcsub(record, stage, record.exited))
      record.lost = 'process substitution';
  }
  for (const [parent, children] of reapedBy) finalFigures(children, grown.get(parent)!);
  countLost(stage);
  return look;
}

/** Process substitutions of the stage still running: the pipeline's work is not done before they are. */
export const procsubsRunning = (stage: StageRecord): boolean =>
  [...stage.procs.values()].some(
    (record) => record.lost === 'process substitution' && record.goneMs === undefined && !record.exited,
  );

/**
 * Children a parent reaped since the last look: what its reaped children's CPU grew by is theirs,
 * exactly (shared in proportion to what each was seen using, where several): their figures are final.
 */
function finalFigures(children: ProcessRecord[], grown: { userMs: number; sysMs: number }): void {
  const seen = (record: ProcessRecord, field: 'userMs' | 'sysMs'): number =>
    field === 'userMs' ? record.userMs + record.childUserMs : record.sysMs + record.childSysMs;
  for (const field of ['userMs', 'sysMs'] as const) {
    const seenSum = children.reduce((sum, child) => sum + seen(child, field), 0);
    const missed = grown[field] - seenSum;
    if (missed < 0) return; // (not all of it seen: a child of another one's, or the counters read apart)
    for (const child of children) {
      const share = seenSum > 0 ? (missed * seen(child, field)) / seenSum : missed / children.length;
      child[field] += share;
    }
  }
  for (const child of children) child.exited = true;
}

/** Processes of the stage nobody of the pipeline reaps, and theirs, alive at the last look. */
export const lostAlive = (stage: StageRecord): ProcessRecord[] =>
  [...stage.procs.values()].filter((record) => record.underLost && record.goneMs === undefined && !record.exited);

/**
 * Reads again the figures of the stage's lost processes (one read each): whoever adopts one may reap it
 * at once when it ends, so its figures are only as recent as the last read — read often while they run.
 */
export function refreshLost(stage: StageRecord, probe: TreeProbe, nowMs: number): void {
  for (const record of lostAlive(stage)) {
    const stat = probe.stat(record.pid);
    if (stat === undefined || stat.startTicks !== record.startTicks) record.goneMs = nowMs;
    else update(record, stat, probe, nowMs);
  }
}

/**
 * A process's whole CPU as last seen: its own, and its children's — what it reaped of them (cutime),
 * or what they were seen using where more (it may have reaped them after it was last read), and
 * those it has not reaped. Final once it was seen exited. (Orphans are wholes of their own.)
 */
export function whole(stage: StageRecord, record: ProcessRecord, field: 'userMs' | 'sysMs', depth = 0): number {
  const reaped = field === 'userMs' ? record.childUserMs : record.childSysMs;
  if (record.exited || depth > 64) return record[field] + reaped;
  let gone = 0;
  let alive = 0;
  for (const child of stage.procs.values()) {
    if (child.parent !== record.pid || child.lost === 'orphan' || child.startTicks < record.startTicks) continue;
    if (child.goneMs === undefined) alive += whole(stage, child, field, depth + 1);
    else gone += whole(stage, child, field, depth + 1);
  }
  return record[field] + Math.max(reaped, gone) + alive;
}

/** The stage's lost CPU: each lost process's whole, as last seen (they are counted apart). */
export function countLost(stage: StageRecord): void {
  const lostAbove = (pid: number): boolean => stage.procs.get(pid)?.underLost === true;
  let lostUser = 0;
  let lostSys = 0;
  for (const record of stage.procs.values()) {
    // a lost process under another one is in that one's whole (an orphan is in none but its own)
    if (record.lost === 'orphan' || (record.lost !== undefined && !lostAbove(record.parent))) {
      lostUser += whole(stage, record, 'userMs');
      lostSys += whole(stage, record, 'sysMs');
    }
  }
  stage.lostUserMs = Math.max(stage.lostUserMs, lostUser);
  stage.lostSysMs = Math.max(stage.lostSysMs, lostSys);
}

/**
 * Processes of the pipeline that outlived the shell where it started no `&` job (process substitutions
 * of stages that ended between two samples, orphaned): each one no sample saw joins the stage forked
 * just before it (`unplaced` where none was seen), and each is taken as a process substitution, so
 * that timer waits for it and counts it.
 */
export function adoptUnseen(
  stages: StageRecord[],
  found: Map<number, ProcessStat>,
  probe: TreeProbe,
  nowMs: number,
  unplaced: StageRecord,
): void {
  const known = new Set(stages.flatMap((stage) => [...stage.procs.keys()]));
  // (one seen before its stage ran its program, and orphaned since, is one of them too)
  for (const stage of stages)
    for (const record of lostAlive(stage)) if (record.lost === 'orphan') record.lost = 'process substitution';
  for (const [pid, stat] of found) {
    if (known.has(pid)) continue;
    const stage = stages.filter((candidate) => candidate.pid < pid).sort((a, b) => b.pid - a.pid)[0] ?? unplaced;
    const record = newRecord(pid, stat, probe, nowMs);
    record.lost = 'process substitution';
    record.underLost = true;
    stage.procs.set(pid, record);
    stage.tree.set(pid, stat.startTicks);
    update(record, stat, probe, nowMs);
  }
}
