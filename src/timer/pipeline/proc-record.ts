import { MS_PER_TICK, type ProcessStat } from '../../base/proc.js';
import type { ProcessRecord } from '../../render/profile.js';

// One process of a stage as read from /proc: its record, created and read again.

/** What the walk asks of /proc. */
export interface TreeProbe {
  stat(pid: number): ProcessStat | undefined;
  /** the program it runs, where it can be read (not a fork of the shell) */
  argv?(pid: number): string[] | undefined;
  /**
   * how long its main thread ran on a CPU and waited for one, and how long all its `threads` ran, ms
   * (/proc/PID/schedstat, /proc/PID/task/TID/schedstat: to the ns)
   */
  schedstat(pid: number, threads?: number): [number, number, number?];
  childrenOf(pid: number): number[];
  /** a start tick on timer's clock (ms from the shell's start) */
  startMsOf(startTicks: number): number;
}

/**
 * A process's own CPU: its ticks (utime, stime: 10 ms steps, each rounded down), or its threads' run
 * time where more (to the ns; once it exited, its main thread's only: the ticks then take in the
 * others' too), split as the ticks.
 */
export function ownCpu(stat: ProcessStat, runMs: number): { userMs: number; sysMs: number } {
  const user = stat.userTicks * MS_PER_TICK;
  const sys = stat.sysTicks * MS_PER_TICK;
  const total = Math.max(user + sys, runMs);
  const userMs = user + sys > 0 ? (total * user) / (user + sys) : total;
  return { userMs, sysMs: Math.max(0, total - userMs) };
}

/** Its CPU and its reaped children's as last read. */
const cpuOf = (record: ProcessRecord): number => record.userMs + record.sysMs + record.childUserMs + record.childSysMs;

/** The last read, kept as the one before when it is read again (for its recent rate: see recentRate). */
export const before = (record: ProcessRecord): { seenMs: number; cpuMs: number } | undefined =>
  record.lastSeenMs > record.startMs ? { seenMs: record.lastSeenMs, cpuMs: cpuOf(record) } : record.before;

/**
 * How fast a process was using CPU when last read, in cores: over the time since the read before,
 * or over its life where read once (its start is known to a tick: a life read shorter than one would
 * make a young process's rate many cores).
 */
export function recentRate(record: ProcessRecord): number {
  const cpuMs = cpuOf(record);
  const since = record.before;
  if (since !== undefined && record.lastSeenMs > since.seenMs)
    return Math.max(0, cpuMs - since.cpuMs) / (record.lastSeenMs - since.seenMs);
  return cpuMs / Math.max(MS_PER_TICK, record.lastSeenMs - record.startMs);
}

/** Reads a process's figures into its record. */
export function update(record: ProcessRecord, stat: ProcessStat, probe: TreeProbe, nowMs: number): void {
  const [runMs, delayMs, threadsMs = runMs] = probe.schedstat(record.pid, stat.threads);
  Object.assign(record, {
    before: before(record),
    lastSeenMs: nowMs,
    ...ownCpu(stat, threadsMs),
    childUserMs: stat.childUserTicks * MS_PER_TICK,
    childSysMs: stat.childSysTicks * MS_PER_TICK,
    runMs,
    delayMs,
    exited: stat.state === 'Z' || stat.state === 'X',
  });
}

export function newRecord(pid: number, stat: ProcessStat, probe: TreeProbe, nowMs: number): ProcessRecord {
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
    lost: undefined,
    underLost: false,
  };
}
