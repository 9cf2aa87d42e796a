import path from 'node:path';
import { MS_PER_TICK, type ProcessStat } from '../../base/proc.js';
import { countLost } from './lost.js';
import { before, newRecord, ownCpu, recentRate, type TreeProbe, update } from './proc-record.js';

export type { TreeProbe } from './proc-record.js';
import type { ProcessRecord, StageRecord } from '../../render/profile.js';

// The processes of one stage, each sample: the stage process, its descendants, and those of them that
// left its tree (orphans). Which of them a process of the pipeline will reap decides where their CPU
// is accounted: a process reaped by its parent is in its parent's figures, and so up to the shell's;
// one that nobody of the pipeline reaps (a process substitution under a program that never waits for
// it, an orphan) is in none, and is counted apart, as sampled.

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
 * given /dev/fd/N (bash forks them before it runs the program, which does not wait for them). (One
 * given as a redirection, `sort < <(seq 3)`, is known when it is gone: see leftExited.)
 */
function isProcsub(record: ProcessRecord, stage: StageRecord): boolean {
  const parent = stage.procs.get(record.parent);
  const argv = stage.argvs.get(record.parent);
  if (parent === undefined || runsShell(argv)) return false;
  const count = procsubArgs(argv);
  if (count === 0) return false;
  const siblings = [...stage.procs.values()].filter((other) => other.parent === record.parent);
  return siblings.sort((a, b) => a.pid - b.pid).indexOf(record) < count;
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
    if (pid !== stage.pid && record.lost === undefined && isProcsub(record, stage))
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
    // (every look: a program that starts processes — xargs, parallel — may start them at any time)
    const children = probe.childrenOf(pid).sort((a, b) => a - b);
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
    const parent = stage.procs.get(record.parent);
    if (found.has(record.parent) && record.lost === undefined) {
      // reaped by its parent since the last look (which is then known to reap its children)
      parent!.reaps = true;
      if (!record.exited) reapedBy.set(record.parent, [...(reapedBy.get(record.parent) ?? []), record]);
      else for (const field of ['userMs', 'sysMs'] as const) grown.get(record.parent)![field] -= record[field];
      continue;
    }
    if (record.lost === undefined && leftExited(record, stage, nowMs)) record.lost = 'process substitution';
  }
  for (const [parent, children] of reapedBy) finalFigures(children, grown.get(parent)!, nowMs);
  countLost(stage);
  return look;
}

/**
 * A process gone with or after its parent that no process of the pipeline reaped: a process
 * substitution of a program that does not wait for it, either given as /dev/fd/N (isProcsub) or, seen
 * exited, as a redirection (`sort < <(seq 3)`) — unless its parent, a program, was seen reaping others
 * (xargs, parallel: a child of theirs is often seen exited before they reap it).
 */
function leftExited(record: ProcessRecord, stage: StageRecord, nowMs: number): boolean {
  const parent = stage.procs.get(record.parent);
  if (parent === undefined || (parent.goneMs !== nowMs && !record.exited)) return false;
  if (isProcsub(record, stage)) return true;
  return record.exited && !parent.reaps && !runsShell(stage.argvs.get(record.parent));
}

/**
 * Children a parent reaped since the last look: what its reaped children's CPU grew by is theirs, less
 * what went to children no look saw (a program that starts many, xargs, parallel): each seen one takes
 * a share in proportion to what it was seen using, at most what it could have used from its last read
 * until a read found it gone, at the rate it was using CPU then (recentRate); the rest stays the
 * parent's (no row of its own).
 */
function finalFigures(children: ProcessRecord[], grown: { userMs: number; sysMs: number }, nowMs: number): void {
  const seen = (record: ProcessRecord, field: 'userMs' | 'sysMs'): number =>
    field === 'userMs' ? record.userMs + record.childUserMs : record.sysMs + record.childSysMs;
  // (its own recent rate: a `sleep` a forked perl became, read busy once, is not given its parent's others)
  const cap = (record: ProcessRecord): number =>
    recentRate(record) * Math.max(0, (record.missedMs ?? nowMs) - record.lastSeenMs);
  const caps = children.map(cap);
  for (const field of ['userMs', 'sysMs'] as const) {
    const seenSum = children.reduce((sum, child) => sum + seen(child, field), 0);
    const missed = grown[field] - seenSum;
    if (missed < 0) return; // (not all of it seen: a child of another one's, or the counters read apart)
    children.forEach((child, index) => {
      const share = seenSum > 0 ? (missed * seen(child, field)) / seenSum : missed / children.length;
      const taken = Math.min(share, caps[index]!);
      child[field] += taken;
      caps[index]! -= taken;
    });
  }
  for (const child of children) child.exited = true;
}

/**
 * Reads again the own figures of the stage's live processes other than the stage process (the shell's
 * figure for it is exact), between two looks (what their reapers reaped is left to the next look, which
 * shares its growth among them): as they end one after another, each one's figure is at most that old.
 */
export function refreshLive(stage: StageRecord, probe: TreeProbe, nowMs: number): void {
  for (const record of descendants(stage)) {
    const stat = probe.stat(record.pid);
    if (stat === undefined || stat.startTicks !== record.startTicks) {
      record.missedMs ??= nowMs;
      continue;
    }
    const [runMs, delayMs, threadsMs = runMs] = probe.schedstat(record.pid, stat.threads);
    const exited = stat.state === 'Z' || stat.state === 'X';
    Object.assign(record, {
      before: before(record),
      lastSeenMs: nowMs,
      ...ownCpu(stat, threadsMs),
      runMs,
      delayMs,
      exited,
    });
  }
}

/** The stage's live processes other than the stage process that a process of the pipeline reaps. */
export const descendants = (stage: StageRecord): ProcessRecord[] =>
  [...stage.procs.values()].filter(
    (record) => record.pid !== stage.pid && record.goneMs === undefined && !record.exited && !record.underLost,
  );
