import { readdirSync, readFileSync } from 'node:fs';

// Linux /proc readers. /proc reports CPU times in USER_HZ ticks, which Linux fixes at 100 per second
// for every user-space interface whatever the kernel's own HZ.
const USER_HZ = 100;
const PAGE_BYTES = 4096;
const EARLY_SAMPLES_MS = [5, 20, 50];

/** CPU time, in ms, of this process's reaped children (and theirs): cutime and cstime. */
export interface ChildCpu {
  userMs: number;
  sysMs: number;
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU used by the children this process has waited for, or undefined where /proc is not there. */
export function childCpu(): ChildCpu | undefined {
  const fields = statFields('self');
  if (!fields) return undefined;
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17); index = field - 3.
  return { userMs: (Number(fields[13]) * 1000) / USER_HZ, sysMs: (Number(fields[14]) * 1000) / USER_HZ };
}

/**
 * Samples the resident memory of a process and all its descendants (found through /proc), keeping
 * the largest sum seen, and the largest peak (VmHWM) any one of them reported.
 */
export class TreeMemorySampler {
  private peakSum = 0;
  private peakSingle = 0;
  /** CPU of the live processes of the tree at the last sample (what reaped children used is not in it) */
  lastCpu: ChildCpu = { userMs: 0, sysMs: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly early: NodeJS.Timeout[] = [];
  readonly available = statFields('self') !== undefined;

  /** `known` collects every process of the tree seen (pid → start ticks), for cleaning up after it. */
  constructor(
    private readonly root: number,
    private readonly intervalMs = 100,
    private readonly known?: Map<number, number>,
  ) {}

  start(): void {
    if (!this.available) return;
    this.sample();
    // A few early samples catch short commands; then one every interval.
    for (const delay of EARLY_SAMPLES_MS) this.early.push(setTimeout(() => this.sample(), delay).unref());
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const timeout of this.early) clearTimeout(timeout);
  }

  /** The peak resident memory of the tree, in bytes (0 when nothing could be sampled). */
  get peakBytes(): number {
    return Math.max(this.peakSum, this.peakSingle);
  }

  sample(): void {
    const tree = processTree(this.root);
    if (tree.size === 0) return;
    let sum = 0;
    const treeCpu = { userMs: 0, sysMs: 0 };
    for (const [pid, fields] of tree) {
      sum += Number(fields[21]) * PAGE_BYTES; // rss(24), in pages
      this.known?.set(pid, Number(fields[19])); // starttime(22)
      treeCpu.userMs += (Number(fields[11]) * 1000) / USER_HZ; // utime(14)
      treeCpu.sysMs += (Number(fields[12]) * 1000) / USER_HZ; // stime(15)
      this.peakSingle = Math.max(this.peakSingle, highWaterMark(pid));
    }
    this.peakSum = Math.max(this.peakSum, sum);
    this.lastCpu = treeCpu;
  }
}

/**
 * `root` and its descendants now (pid → stat fields after the name), root first; empty when root is
 * gone. Where the kernel lists each thread's children (/proc/PID/task/TID/children), only the tree's
 * own files are read; elsewhere every process's stat is, to find the tree by parent pids.
 */
function processTree(root: number): Map<number, string[]> {
  const tree = new Map<number, string[]>();
  if (!childrenAreListed()) {
    const table = processTable();
    if (!table.has(root)) return tree;
    for (const pid of [root, ...subtree(table, root)]) tree.set(pid, table.get(pid)!.fields);
    return tree;
  }
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const fields = statFields(pid);
    if (fields === undefined || tree.has(pid)) continue; // gone meanwhile (or listed twice while forking)
    tree.set(pid, fields);
    pending.push(...childrenOf(pid));
  }
  return tree;
}

/** Whether this kernel lists children per thread (CONFIG_PROC_CHILDREN); found out on first use. */
let childrenListed: boolean | undefined;
function childrenAreListed(): boolean {
  if (childrenListed === undefined) {
    try {
      readFileSync(`/proc/self/task/${process.pid}/children`);
      childrenListed = true;
    } catch {
      childrenListed = false;
    }
  }
  return childrenListed;
}

/** The children of every thread of `pid` (a child belongs to the thread that forked it). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' '))
        if (child !== '') found.push(Number(child));
    } catch {
      // the thread ended meanwhile
    }
  }
  return found;
}

interface ProcessEntry {
  /** /proc/PID/stat fields after the command name */
  fields: string[];
  children: number[];
}

/** Every process now, with its stat fields and its children (from the parent pids), or empty without /proc. */
function processTable(): Map<number, ProcessEntry> {
  const table = new Map<number, ProcessEntry>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 0x30 || code > 0x39) continue;
    const pid = Number(entry);
    const fields = statFields(pid);
    if (fields) table.set(pid, { fields, children: [] });
  }
  for (const [pid, { fields }] of table) table.get(Number(fields[1]))?.children.push(pid);
  return table;
}

/** The descendants of `root` in `table` (not root itself). */
function subtree(table: Map<number, ProcessEntry>, root: number): number[] {
  const found: number[] = [];
  const pending = [...(table.get(root)?.children ?? [])];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    found.push(pid);
    pending.push(...table.get(pid)!.children);
  }
  return found;
}

/** VmHWM of a process (its own peak resident memory), in bytes, or 0. */
function highWaterMark(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The start time of a process (/proc/PID/stat field 22, clock ticks since boot), or undefined. */
export function processStartTicks(pid: number | 'self'): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[19]) : undefined;
}

/** Clock ticks per second in /proc figures. */
export const TICKS_PER_SECOND = USER_HZ;

/** Every descendant of `root` now (pid → start ticks), found through /proc. */
export function descendants(root: number): Map<number, number> {
  const tree = processTree(root);
  tree.delete(root);
  return new Map([...tree].map(([pid, fields]) => [pid, Number(fields[19])]));
}

/**
 * True when this process is in the foreground process group of its controlling terminal: a SIGINT,
 * SIGQUIT or SIGHUP it gets then most likely came from the terminal, which sent it to the whole
 * group (the command included).
 */
export function inTerminalForeground(): boolean {
  const fields = statFields('self');
  if (!fields) return false;
  // state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8)
  const [pgrp, ttyNr, tpgid] = [Number(fields[2]), Number(fields[4]), Number(fields[5])];
  return ttyNr !== 0 && tpgid === pgrp;
}

/** CPU time every core of the machine has spent busy since boot (user, nice, system, irq, softirq, steal), ms; undefined without /proc. */
export function machineBusyMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}
