import type { ProcessProfile, StageRecord } from '../../render/profile.js';
import { programsInOrder } from '../../render/stage-name.js';
import { whole } from './lost.js';

// A stage's process rows: each program it ran, with its own CPU.

/**
 * The programs of a stage, a process each, oldest first: each one's own CPU (its reaped children's
 * not in: they have rows of their own) as last seen, final where it was seen exited.
 */
export function processesOf(
  record: StageRecord,
  endMs: number,
  final?: { userMs: number | null; sysMs: number | null },
): ProcessProfile[] {
  const order = programsInOrder(record);
  const processes = [...record.procs.values()]
    .filter((proc) => record.argvs.has(proc.pid) || proc.lost !== undefined)
    .map((proc) => ({
      pid: proc.pid,
      parent: proc.parent,
      argv: record.argvs.get(proc.pid) ?? [],
      startMs: proc.startMs,
      // (last seen alive or exited: its own CPU is read every 20 ms, a missing one noticed every 100)
      endMs: Math.max(
        proc.startMs,
        Math.min(endMs, proc.goneMs === undefined && !proc.exited ? endMs : proc.lastSeenMs),
      ),
      running: proc.goneMs === undefined && !proc.exited,
      userMs: proc.userMs,
      sysMs: proc.sysMs,
      sampled: !proc.exited,
      lost: proc.lost ?? null,
    }))
    .sort((a, b) => order.indexOf(a.argv) - order.indexOf(b.argv) || a.pid - b.pid);
  // a process substitution's row takes what its processes' rows leave of its whole (its reaped
  // children's in: final where it was seen exited)
  for (const root of record.procs.values()) {
    const row = processes.find((proc) => proc.pid === root.pid);
    if (root.lost !== 'process substitution' || !row) continue;
    const inside = processes.filter((proc) => proc !== row && under(record, proc.pid, root.pid));
    for (const field of ['userMs', 'sysMs'] as const)
      row[field] = Math.max(0, whole(record, root, field) - inside.reduce((sum, proc) => sum + proc[field], 0));
  }
  // the stage process's row, where the stage's figure is final (the shell reaped it): what the other
  // rows leave of it (its own, and that of those under it with no row), not its last sample
  const root = processes.find((proc) => proc.pid === record.pid && proc.lost === null);
  if (root && final?.userMs != null && final.sysMs != null) {
    for (const field of ['userMs', 'sysMs'] as const) {
      const others = processes.reduce((sum, proc) => sum + (proc === root ? 0 : proc[field]), 0);
      root[field] = Math.max(0, final[field]! - others);
    }
    root.sampled = false; // final (where the stage's is a share by rate, an estimate: the stage says so)
  }
  return processes;
}

/** Whether process `pid` of the stage is a descendant of `ancestor` (by the parents first seen). */
function under(record: StageRecord, pid: number, ancestor: number): boolean {
  for (let at = record.procs.get(pid)?.parent; at !== undefined; at = record.procs.get(at)?.parent)
    if (at === ancestor) return true;
  return false;
}
