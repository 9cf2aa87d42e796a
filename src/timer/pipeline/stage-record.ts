import type { StageRecord } from '../../render/profile.js';

/** A stage as first seen: a child of the shell, started `startMs` (timer's clock), nothing sampled yet. */
export function newStage(pid: number, startTicks: number, startMs: number): StageRecord {
  return {
    pid,
    startTicks,
    startMs,
    lastSeenMs: startMs,
    goneMs: undefined,
    argvs: new Map(),
    fdsFinal: false,
    fdReads: 0,
    stdin: undefined,
    stdout: undefined,
    runDelayMs: 0,
    runTimeMs: 0,
    runPids: '',
    cpuSeenMs: 0,
    userMs: 0,
    sysMs: 0,
    reaped: false,
    reapedWith: undefined,
    peakRssBytes: 0,
    bytesIn: undefined,
    bytesOut: undefined,
    intervals: [],
    order: new Map(),
    tree: new Map([[pid, startTicks]]),
    procs: new Map(),
    lostUserMs: 0,
    lostSysMs: 0,
  };
}
