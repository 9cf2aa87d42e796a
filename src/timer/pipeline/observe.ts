import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';
import { TICKS_PER_SECOND } from '../../base/proc.js';
import type { ReapedGroup, SampledState, StageRecord } from '../../render/profile.js';

// Observing a running pipeline from /proc: the shell's children are its stages; each is sampled every
// interval (state, what it sleeps in, CPU, memory, bytes, which pipes are its stdin and stdout).

const MS_PER_TICK = 1000 / TICKS_PER_SECOND;
const PAGE_BYTES = 4096;

interface ProcessStat {
  /** the program's name (comm): it changes when the process runs another program */
  name: string;
  state: string;
  userTicks: number;
  sysTicks: number;
  childUserTicks: number;
  childSysTicks: number;
  startTicks: number;
  rssPages: number;
}

/** A process's /proc/PID/stat, or undefined once it is gone. */
export function readStat(pid: number | 'self'): ProcessStat | undefined {
  const text = readText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text);
}

/** The fields of a /proc/PID/stat text that the sampler uses. */
export function parseStat(text: string): ProcessStat {
  // After the name: state(3) … utime(14) stime(15) cutime(16) cstime(17) … starttime(22) vsize(23)
  // rss(24). Read in place, field by field (no array of fifty strings each sample).
  const close = text.lastIndexOf(')');
  let at = close + 2;
  const next = (): number => {
    const end = text.indexOf(' ', at);
    const value = Number(text.slice(at, end));
    at = end + 1;
    return value;
  };
  const skip = (count: number): void => {
    for (let i = 0; i < count; i++) at = text.indexOf(' ', at) + 1;
  };
  const state = text.charAt(at);
  at += 2;
  skip(10); // ppid … cmajflt (4–13)
  const userTicks = next();
  const sysTicks = next();
  const childUserTicks = next();
  const childSysTicks = next();
  skip(4); // priority … itrealvalue (18–21)
  const startTicks = next();
  skip(1); // vsize
  const rssPages = next();
  return {
    name: text.slice(text.indexOf('(') + 1, close),
    state,
    userTicks,
    sysTicks,
    childUserTicks,
    childSysTicks,
    startTicks,
    rssPages,
  };
}

/** One buffer for every /proc read: a sample reads dozens of small files, without garbage. */
let buffer = Buffer.allocUnsafe(4096);

/**
 * Open /proc files, by path: a file kept open is read again with one pread at offset 0 (the kernel
 * writes it afresh), instead of open, read and close each sample.
 */
const openFiles = new Map<string, number>();

/** A /proc file's text (latin1), or undefined when it cannot be read (the process is gone). */
function readText(path: string): string | undefined {
  let fd = openFiles.get(path);
  if (fd === undefined) {
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    openFiles.set(path, fd);
  }
  try {
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger);
        buffer = larger;
      }
    }
    return buffer.toString('latin1', 0, length);
  } catch {
    closeFile(path);
    return undefined;
  }
}

function closeFile(path: string): void {
  const fd = openFiles.get(path);
  if (fd === undefined) return;
  openFiles.delete(path);
  try {
    closeSync(fd);
  } catch {
    // closed already
  }
}

/** Closes the files kept open for a process (it is gone), or all of them. */
export function closeProcFiles(pid?: number): void {
  for (const path of [...openFiles.keys()]) if (pid === undefined || path.startsWith(`/proc/${pid}/`)) closeFile(path);
}

const readLink = (path: string): string | undefined => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

/** How long a process's main thread has waited on a run queue (runnable, no CPU free), ms; 0 where unknown. */
function runDelayMs(pid: number): number {
  const text = readText(`/proc/${pid}/schedstat`);
  if (text === undefined) return 0;
  // "run-time wait-time timeslices" (ns, ns, count)
  const from = text.indexOf(' ') + 1;
  return Number(text.slice(from, text.indexOf(' ', from))) / 1e6 || 0;
}

/** Children of a process's main thread (threads that fork are rare: shells and pipestage fork from the main one). */
function childrenOf(pid: number): number[] {
  const text = readText(`/proc/${pid}/task/${pid}/children`);
  return text === undefined
    ? []
    : text
        .split(' ')
        .filter((child) => child !== '')
        .map(Number);
}

/**
 * What a process is doing now, from its state letter and (when asleep) the kernel function it sleeps
 * in: `anon_pipe_read`/`pipe_read` is waiting for input, `anon_pipe_write`/`pipe_write` blocked on
 * output, `do_wait` a shell waiting for its children ('parent'), anything else another wait.
 */
export function classify(state: string, wchan: string | undefined): SampledState | 'parent' {
  if (state === 'R') return 'working';
  if (state === 'T' || state === 't') return 'stopped';
  if (state === 'D') return 'other wait';
  if (wchan === undefined) return 'unknown';
  if (wchan.endsWith('pipe_read')) return 'waiting for input';
  if (wchan.endsWith('pipe_write')) return 'blocked on output';
  if (wchan === 'do_wait' || wchan.endsWith('_wait4')) return 'parent';
  return 'other wait';
}

/** The state of a stage from its processes' states: any working wins, then blocked, other waits, starved. */
export function combine(states: (SampledState | 'parent')[]): SampledState {
  const order: (SampledState | 'parent')[] = [
    'working',
    'blocked on output',
    'other wait',
    'waiting for input',
    'stopped',
    'unknown',
    'parent',
  ];
  let best: SampledState | 'parent' = 'parent';
  for (const state of states) if (order.indexOf(state) < order.indexOf(best)) best = state;
  return best === 'parent' ? 'other wait' : best;
}

/**
 * Samples the stages of a pipeline run by the shell `shellPid`: call sample() every interval. Whether
 * /proc could tell states is in `stateUnknownReason`.
 */
export class PipelineObserver {
  readonly stages = new Map<number, StageRecord>();
  stateUnknownReason: string | undefined;
  private shellCpu: { user: number; sys: number } = { user: 0, sys: 0 };
  /** the shell's own CPU at the last sample */
  shellOwnCpu = { userMs: 0, sysMs: 0 };
  private shellArgv: string | undefined;
  private readonly myStartTicks: number;
  /** timer's own stdin, stdout and stderr (what the shell's forks have before their redirections) */
  readonly outside: Set<string>;
  private readonly lastState = new Map<number, SampledState>();
  /** each process's name when its command line was last read */
  private readonly names = new Map<number, string>();
  private samples = 0;
  /** set when timer was stopped (Ctrl-Z) since the last sample: that interval was spent stopped */
  stoppedSinceLastSample = false;

  /**
   * `originMs`: when the shell was started, on timer's clock (performance.now()); every time the
   * observer gives is in ms from then, and sample() takes such times.
   */
  constructor(
    private readonly shellPid: number,
    private readonly originMs: number,
  ) {
    this.myStartTicks = readStat('self')?.startTicks ?? 0;
    this.outside = new Set([0, 1, 2].flatMap((fd) => readLink(`/proc/self/fd/${fd}`) ?? []));
    this.shellArgv = readText(`/proc/${shellPid}/cmdline`);
  }

  /** A pipe between two processes of the pipeline (not timer's own stdin, stdout or stderr). */
  private innerPipe(link: string | undefined): boolean {
    return link?.startsWith('pipe:') === true && !this.outside.has(link);
  }

  /** Whether /proc is there to observe anything. */
  static available(): boolean {
    return readStat('self') !== undefined;
  }

  /**
   * Whether the shell has reaped a stage since the last sample (two reads: its children, nothing
   * else). Checked often, between samples: a sample taken at once then gives the CPU the shell
   * accounted for each stage it reaped alone, exactly.
   */
  reapedSinceLastSample(): boolean {
    const children = childrenOf(this.shellPid);
    for (const stage of this.stages.values()) if (!stage.reaped && !children.includes(stage.pid)) return true;
    return false;
  }

  sample(nowMs: number): void {
    this.samples += 1;
    const stopped = this.stoppedSinceLastSample;
    this.stoppedSinceLastSample = false;
    const children = new Set(childrenOf(this.shellPid));
    const shell = readStat(this.shellPid);
    for (const pid of children) {
      if (this.stages.has(pid)) continue;
      const stat = readStat(pid);
      if (!stat) continue;
      // performance.now() counts from this process's start: a start tick maps onto timer's clock.
      const startMs = Math.max(0, (stat.startTicks - this.myStartTicks) * MS_PER_TICK - this.originMs);
      this.stages.set(pid, {
        pid,
        startTicks: stat.startTicks,
        startMs: Math.min(startMs, nowMs),
        lastSeenMs: Math.min(startMs, nowMs),
        goneMs: undefined,
        argvs: new Map(),
        fdsFinal: false,
        fdReads: 0,
        stdin: undefined,
        stdout: undefined,
        runDelayMs: 0,
        userMs: 0,
        sysMs: 0,
        reaped: false,
        reapedWith: undefined,
        peakRssBytes: 0,
        bytesIn: undefined,
        bytesOut: undefined,
        intervals: [],
        order: new Map(),
        hasChildren: false,
        tree: new Map([[pid, stat.startTicks]]),
      });
    }
    const reaped: StageRecord[] = [];
    for (const stage of this.stages.values()) {
      if (!stage.reaped && !children.has(stage.pid)) {
        stage.reaped = true;
        reaped.push(stage);
      }
      if (stage.goneMs === undefined && !this.sampleStage(stage, nowMs, stopped)) {
        stage.goneMs = nowMs;
        for (const pid of stage.tree.keys()) closeProcFiles(pid);
      }
    }
    if (shell) {
      this.shellOwnCpu = { userMs: shell.userTicks * MS_PER_TICK, sysMs: shell.sysTicks * MS_PER_TICK };
      const user = shell.childUserTicks * MS_PER_TICK;
      const sys = shell.childSysTicks * MS_PER_TICK;
      // What the shell reaped since the last sample: the CPU of the stages reaped in the interval.
      if (reaped.length > 0) {
        const group: ReapedGroup = {
          pids: reaped.map((stage) => stage.pid),
          userMs: user - this.shellCpu.user,
          sysMs: sys - this.shellCpu.sys,
        };
        for (const stage of reaped) stage.reapedWith = group;
      }
      this.shellCpu = { user, sys };
    }
  }

  /** Samples one stage's tree; false when the stage process is gone. */
  private sampleStage(stage: StageRecord, nowMs: number, stopped: boolean): boolean {
    const stat = readStat(stage.pid);
    if (!stat || stat.startTicks !== stage.startTicks || stat.state === 'Z' || stat.state === 'X') return false;
    let user = stat.userTicks + stat.childUserTicks;
    let sys = stat.sysTicks + stat.childSysTicks;
    let rss = stat.rssPages;
    let runDelay = runDelayMs(stage.pid);
    const states: (SampledState | 'parent')[] = [this.stateOf(stage.pid, stat.state)];
    this.noteArgv(stage, stage.pid, stat.name);
    const io = this.io(stage.pid);
    let bytesIn = io?.[0];
    let bytesOut = io?.[1];
    if (!stage.fdsFinal) {
      // The shell's fork sets up its fds before exec: read them until the stage runs its program
      // (a read that fails — it ended meanwhile — leaves them as they were, not final).
      const stdin = readLink(`/proc/${stage.pid}/fd/0`);
      const stdout = readLink(`/proc/${stage.pid}/fd/1`);
      if (stdin !== undefined && stdout !== undefined) {
        // A pipe of the pipeline, once seen, stays: a subshell's builtin redirects its fd for a
        // moment (`times >file`), which is not where its output goes.
        if (!this.innerPipe(stage.stdin)) stage.stdin = stdin;
        if (!this.innerPipe(stage.stdout)) stage.stdout = stdout;
        stage.fdReads += 1;
        stage.fdsFinal = stage.argvs.has(stage.pid);
      }
    }
    // A stage's descendants are looked for every sample while it has some or runs no program of its
    // own yet (a subshell: its programs are its children), else every 5th (a read saved).
    const pending =
      stage.hasChildren || stage.argvs.size === 0 || stage.intervals.length % 5 === 0 ? childrenOf(stage.pid) : [];
    stage.hasChildren = pending.length > 0;
    // oldest first (a subshell's programs are listed in the order it started them)
    pending.sort((a, b) => b - a);
    while (pending.length > 0) {
      const pid = pending.pop()!;
      const child = readStat(pid);
      if (!child || child.state === 'Z') continue;
      if (!stage.tree.has(pid)) stage.order.set(pid, [this.samples, pid]);
      stage.tree.set(pid, child.startTicks);
      user += child.userTicks + child.childUserTicks;
      sys += child.sysTicks + child.childSysTicks;
      rss += child.rssPages;
      runDelay += runDelayMs(pid);
      states.push(this.stateOf(pid, child.state));
      this.noteArgv(stage, pid, child.name);
      const childIo = this.io(pid);
      if (childIo && bytesIn !== undefined && bytesOut !== undefined) {
        bytesIn += childIo[0];
        bytesOut += childIo[1];
      }
      pending.push(...childrenOf(pid).sort((a, b) => b - a));
    }
    const userMs = user * MS_PER_TICK;
    const sysMs = sys * MS_PER_TICK;
    const state = stopped ? 'stopped' : combine(states);
    const startMs = stage.intervals.length === 0 ? stage.startMs : stage.lastSeenMs;
    if (nowMs > startMs) {
      const cpuMs = userMs + sysMs - (stage.userMs + stage.sysMs);
      stage.intervals.push({
        startMs,
        endMs: nowMs,
        cpuMs,
        cpuWaitMs: Math.max(0, runDelay - stage.runDelayMs),
        state: state === 'working' ? (this.lastState.get(stage.pid) ?? 'other wait') : state,
        stopped: stopped || state === 'stopped',
      });
    }
    if (state !== 'working') this.lastState.set(stage.pid, state);
    stage.userMs = userMs;
    stage.sysMs = sysMs;
    stage.runDelayMs = Math.max(stage.runDelayMs, runDelay);
    stage.peakRssBytes = Math.max(stage.peakRssBytes, rss * PAGE_BYTES);
    if (bytesIn !== undefined) stage.bytesIn = Math.max(stage.bytesIn ?? 0, bytesIn);
    if (bytesOut !== undefined) stage.bytesOut = Math.max(stage.bytesOut ?? 0, bytesOut);
    stage.lastSeenMs = nowMs;
    return true;
  }

  private stateOf(pid: number, state: string): SampledState | 'parent' {
    if (state === 'R' || state === 'T' || state === 't' || state === 'D') return classify(state, undefined);
    const wchan = readText(`/proc/${pid}/wchan`);
    if (wchan === undefined) {
      this.stateUnknownReason ??= `/proc/${pid}/wchan cannot be read (hidepid, or another user's process?)`;
      return 'unknown';
    }
    // "0": asleep in no function the kernel names — waking up, on its way to a CPU
    return wchan === '' || wchan === '0' ? 'working' : classify(state, wchan);
  }

  /** Records the program a process runs once it is no longer a copy of the shell (a fork before exec); read again when its name changes (an exec). */
  private noteArgv(stage: StageRecord, pid: number, name: string): void {
    if (this.names.get(pid) === name && stage.argvs.has(pid)) return;
    this.names.set(pid, name);
    const cmdline = readText(`/proc/${pid}/cmdline`);
    if (cmdline === undefined || cmdline === '' || cmdline === this.shellArgv) return;
    if (!stage.order.has(pid)) stage.order.set(pid, [this.samples, pid]); // the stage's own program: when it ran it
    stage.argvs.set(pid, cmdline.replace(/\0$/, '').split('\0'));
  }

  private io(pid: number): [number, number] | undefined {
    const text = readText(`/proc/${pid}/io`);
    if (text === undefined) return undefined;
    // "rchar: N\nwchar: N\n…"
    const rchar = text.indexOf('rchar: ');
    const wchar = text.indexOf('wchar: ');
    if (rchar < 0 || wchar < 0) return undefined;
    return [
      Number(text.slice(rchar + 7, text.indexOf('\n', rchar))),
      Number(text.slice(wchar + 7, text.indexOf('\n', wchar))),
    ];
  }
}
