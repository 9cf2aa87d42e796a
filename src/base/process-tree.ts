import { readdirSync } from 'node:fs';
import { childrenOf, type ProcessStat, readProcText, readStat } from './proc.js';

// A process tree now, from /proc: timer's command and what it started, for sampling and signalling.

/**
 * `root` and its descendants now (pid → stat), root first; empty when root is gone. Where the kernel
 * lists each thread's children (/proc/PID/task/TID/children), only the tree's own files are read;
 * elsewhere every process's stat is, to find the tree by parent pids.
 */
export function processTree(root: number): Map<number, ProcessStat> {
  const tree = new Map<number, ProcessStat>();
  if (!childrenAreListed()) {
    const table = processTable();
    const pending = table.has(root) ? [root] : [];
    while (pending.length > 0) {
      const pid = pending.pop()!;
      tree.set(pid, table.get(pid)!.stat);
      pending.push(...table.get(pid)!.children);
    }
    return tree;
  }
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const stat = readStat(pid);
    if (stat === undefined || tree.has(pid)) continue; // gone meanwhile (or listed twice while forking)
    tree.set(pid, stat);
    pending.push(...childrenOf(pid));
  }
  return tree;
}

/** Every descendant of `root` now (pid → start ticks), found through /proc. */
export function descendants(root: number): Map<number, number> {
  const tree = processTree(root);
  tree.delete(root);
  return new Map([...tree].map(([pid, stat]) => [pid, stat.startTicks]));
}

/** Whether this kernel lists children per thread (CONFIG_PROC_CHILDREN); found out on first use. */
let childrenListed: boolean | undefined;
function childrenAreListed(): boolean {
  childrenListed ??= readProcText(`/proc/self/task/${process.pid}/children`) !== undefined;
  return childrenListed;
}

/** Every process now, with its stat and its children (from the parent pids), or empty without /proc. */
function processTable(): Map<number, { stat: ProcessStat; children: number[] }> {
  const table = new Map<number, { stat: ProcessStat; children: number[] }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 0x30 || code > 0x39) continue;
    const stat = readStat(Number(entry));
    if (stat) table.set(Number(entry), { stat, children: [] });
  }
  for (const [pid, { stat }] of table) table.get(stat.ppid)?.children.push(pid);
  return table;
}

/** The processes alive now that started at tick `sinceTicks` or later (pid → stat). */
export function startedSince(sinceTicks: number): Map<number, ProcessStat> {
  const found = new Map<number, ProcessStat>();
  for (const [pid, { stat }] of processTable())
    if (stat.startTicks >= sinceTicks && stat.state !== 'Z') found.set(pid, stat);
  return found;
}
