import { existsSync } from 'node:fs';
import { MS_PER_TICK, PAGE_BYTES, ProcFiles, parseIo, readProcLink as readLink, readStat } from '../../base/proc.js';
import type { Lost, ReapedGroup, SampledState, StageRecord } from '../../render/profile.js';
import { combine, schedstatReader, stateOf } from './states.js';
import { newStage } from './stage-record.js';
import { adoptUnseen, countLost, lostAlive, procsubsRunning, refreshLost } from './lost.js';
import { descendants, lookAtTree, refreshLive, type TreeProbe } from './tree.js';
import { startedSince } from '../../base/process-tree.js';

// Observing a running pipeline from /proc: the shell's children are its stages; each is sampled every
// interval (state, what it sleeps in, CPU, memory, bytes, which pipes are its stdin and stdout).

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
  /** the shell's I/O counters (rchar, wchar: its own and its reaped children's) at the last sample */
  shellIo: [number, number] | undefined;
  private shellArgv: string | undefined;
  private readonly shellStartTicks: number;
  /** processes that outlived the shell, of stages no sample saw (see adoptUnseen) */
  readonly unplaced: StageRecord = { ...newStage(0, 0, 0), goneMs: 0 };
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
   * the stages' /proc files, kept open while they live (one pread each read); children read off main
   * threads only (threads that fork are rare: shells and pipestage fork from the main one).
   */
  private readonly files = new ProcFiles(true);
  /** what the walk of a stage's processes asks of /proc */
  private readonly probe: TreeProbe;

  /**
   * `originMs`: when the shell was started, on timer's clock (performance.now()); every time the
   * observer gives is in ms from then, and sample() takes such times.
   */
  constructor(
    private readonly shellPid: number,
    private readonly originMs: number,
    /** where the shell writes timer's status lines at its end (its counters then take in those writes) */
    private readonly statusFile?: string,
  ) {
    this.myStartTicks = readStat('self')?.startTicks ?? 0;
    this.outside = new Set([0, 1, 2].flatMap((fd) => readLink(`/proc/self/fd/${fd}`) ?? []));
    this.shellArgv = this.files.text(`/proc/${shellPid}/cmdline`);
    this.shellStartTicks = this.files.stat(shellPid)?.startTicks ?? Number.POSITIVE_INFINITY;
    this.probe = {
      stat: (pid) => this.files.stat(pid),
      schedstat: schedstatReader(this.files),
      argv: (pid) => {
        const cmdline = this.files.text(`/proc/${pid}/cmdline`);
        return cmdline && cmdline !== this.shellArgv ? cmdline.replace(/\0$/, '').split('\0') : undefined;
      },
      childrenOf: (pid) => this.files.childrenOf(pid, false),
      // performance.now() counts from this process's start: a start tick maps onto timer's clock
      startMsOf: (ticks) => Math.max(0, (ticks - this.myStartTicks) * MS_PER_TICK - this.originMs),
    };
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
    const children = this.files.childrenOf(this.shellPid, false);
    for (const stage of this.stages.values()) if (!stage.reaped && !children.includes(stage.pid)) return true;
    return false;
  }

  sample(nowMs: number): void {
    this.samples += 1;
    const stopped = this.stoppedSinceLastSample;
    this.stoppedSinceLastSample = false;
    const { children, shell, io } = this.shellNow();
    for (const pid of children) {
      if (this.stages.has(pid)) continue;
      const stat = this.files.stat(pid);
      if (!stat) continue;
      this.stages.set(pid, newStage(pid, stat.startTicks, Math.min(this.probe.startMsOf(stat.startTicks), nowMs)));
    }
    const reaped: StageRecord[] = [];
    for (const stage of this.stages.values()) {
      if (!stage.reaped && !children.has(stage.pid)) {
        stage.reaped = true;
        reaped.push(stage);
      }
      if (stage.goneMs === undefined && !this.sampleStage(stage, nowMs, stopped)) {
        stage.goneMs = nowMs;
        for (const pid of stage.tree.keys()) this.files.close(pid);
      }
    }
    // (a shell that has ended, or begun writing timer's status lines, has taken in its own last reads and
    // writes too: its last children are late)
    if (shell && shell.state !== 'Z' && !this.shellEnding()) {
      this.shellOwnCpu = { userMs: shell.userTicks * MS_PER_TICK, sysMs: shell.sysTicks * MS_PER_TICK };
      const user = shell.childUserTicks * MS_PER_TICK;
      const sys = shell.childSysTicks * MS_PER_TICK;
      // What the shell reaped since the last sample: the CPU and I/O of the stages reaped in the interval.
      if (reaped.length > 0) {
        const group: ReapedGroup = {
          pids: reaped.map((stage) => stage.pid),
          userMs: user - this.shellCpu.user,
          sysMs: sys - this.shellCpu.sys,
          ...(io && this.shellIo ? { bytesIn: io[0] - this.shellIo[0], bytesOut: io[1] - this.shellIo[1] } : {}),
        };
        for (const stage of reaped) stage.reapedWith = group;
      }
      this.shellCpu = { user, sys };
      this.shellIo = io ?? this.shellIo;
    }
  }

  /**
   * The shell's children, and its stat and I/O counters as of that list: read before and after it
   * until they agree (at most 3 times), so that a child reaped meanwhile is neither counted twice nor
   * lost (the shell's counters take in a child's CPU and I/O as it reaps it).
   */
  private shellNow(): { children: Set<number>; shell: ReturnType<typeof readStat>; io: [number, number] | undefined } {
    let shell = this.files.stat(this.shellPid);
    let io = this.io(this.shellPid);
    let children = new Set<number>();
    for (let tries = 0; tries < 3; tries++) {
      children = new Set(this.files.childrenOf(this.shellPid, false));
      const after = this.files.stat(this.shellPid);
      const ioAfter = this.io(this.shellPid);
      const same =
        after?.childUserTicks === shell?.childUserTicks &&
        after?.childSysTicks === shell?.childSysTicks &&
        ioAfter?.[0] === io?.[0] &&
        ioAfter?.[1] === io?.[1];
      shell = after;
      io = ioAfter;
      if (same) break;
    }
    return { children, shell, io };
  }

  /** Samples one stage's processes; false when the stage process and its process substitutions are gone. */
  private sampleStage(stage: StageRecord, nowMs: number, stopped: boolean): boolean {
    const look = lookAtTree(stage, this.probe, nowMs);
    if (!look.stageAlive && !procsubsRunning(stage)) return false;
    let runTime = 0;
    let runDelay = 0;
    const runPids: number[] = [];
    const states: (SampledState | 'parent')[] = [];
    let bytesIn: number | undefined = 0;
    let bytesOut: number | undefined = 0;
    for (const { pid, stat } of look.live) {
      const record = stage.procs.get(pid)!;
      runTime += record.runMs;
      runDelay += record.delayMs;
      runPids.push(pid);
      // (children in the order they were listed; the stage's own program when it ran it: noteArgv)
      if (pid !== stage.pid && !stage.order.has(pid)) stage.order.set(pid, [this.samples, pid]);
      const state = stateOf(this.files, pid, stat.state);
      if (state === 'unknown')
        this.stateUnknownReason ??= `/proc/${pid}/wchan cannot be read (hidepid, or another user's process?)`;
      states.push(state);
      this.noteArgv(stage, pid, stat.name);
      const io = this.io(pid);
      bytesIn = io && bytesIn !== undefined ? bytesIn + io[0] : undefined;
      bytesOut = io && bytesOut !== undefined ? bytesOut + io[1] : undefined;
    }
    if (look.stageAlive && !stage.fdsFinal) {
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
    // the CPU the shell will account for the stage while its process lives; then the lost processes'
    const userMs = (look.stageAlive ? look.userMs : stage.userMs) + stage.lostUserMs;
    const sysMs = (look.stageAlive ? look.sysMs : stage.sysMs) + stage.lostSysMs;
    const rss = look.rssPages;
    const state = stopped ? 'stopped' : combine(states);
    const startMs = stage.intervals.length === 0 ? stage.startMs : stage.lastSeenMs;
    const runKey = runPids.sort((a, b) => a - b).join(' ');
    if (nowMs > startMs) {
      // main threads' run time (ns: ticks show none at 1 ms), or all threads' ticks where ahead (workers)
      const ticks = userMs + sysMs;
      const ran = stage.intervals.length === 0 || runKey === stage.runPids ? runTime - stage.runTimeMs : 0;
      const seen = Math.max(ticks, stage.cpuSeenMs + Math.max(0, ran));
      const cpuMs = seen - stage.cpuSeenMs;
      stage.cpuSeenMs = seen;
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
    if (look.stageAlive) {
      stage.userMs = look.userMs;
      stage.sysMs = look.sysMs;
    }
    stage.runDelayMs = Math.max(stage.runDelayMs, runDelay);
    stage.runTimeMs = runTime;
    stage.runPids = runKey;
    stage.peakRssBytes = Math.max(stage.peakRssBytes, rss * PAGE_BYTES);
    if (bytesIn !== undefined) stage.bytesIn = Math.max(stage.bytesIn ?? 0, bytesIn);
    if (bytesOut !== undefined) stage.bytesOut = Math.max(stage.bytesOut ?? 0, bytesOut);
    stage.lastSeenMs = nowMs;
    return true;
  }

  /** Whether a process nobody of the pipeline reaps was alive at the last sample (see watchLost). */
  lostAlive = (): boolean => [...this.stages.values()].some((stage) => lostAlive(stage).length > 0);

  /** Reads the figures of the processes nobody of the pipeline reaps again (between samples). */
  watchLost(nowMs: number): void {
    for (const stage of this.withUnplaced()) refreshLost(stage, this.probe, nowMs);
  }

  /** Whether a process of a stage other than the stage process (a subshell's, a program's) runs. */
  descendantsAlive = (): boolean => [...this.stages.values()].some((stage) => descendants(stage).length > 0);

  /** Reads the own figures of the running stages' processes again (between samples, as stages end). */
  refreshLive(nowMs: number): void {
    for (const stage of this.stages.values()) if (stage.goneMs === undefined) refreshLive(stage, this.probe, nowMs);
  }

  /** The stages, and the processes that outlived the shell of stages no sample saw. */
  withUnplaced(): StageRecord[] {
    return [...this.stages.values(), this.unplaced];
  }

  /**
   * Once the shell ended: the processes of the pipeline (their environment has `marker`) started since
   * the shell that no sample saw (they outlived it: process substitutions) join the stages.
   */
  adoptUnseen(nowMs: number, marker: string, kind: Lost): void {
    const found = startedSince(this.shellStartTicks);
    // the pipeline's: its environment has `marker` (set for the shell: a process inherits it)
    for (const pid of found.keys())
      if (!(this.files.text(`/proc/${pid}/environ`)?.split('\0').includes(marker) ?? false)) found.delete(pid);
    adoptUnseen([...this.stages.values()], found, this.probe, nowMs, this.unplaced, kind);
  }

  /** The lost CPU of every stage, counted again (after the last reads). */
  countLost(): void {
    for (const stage of this.withUnplaced()) countLost(stage);
  }

  private shellEnding = (): boolean => this.statusFile !== undefined && existsSync(this.statusFile);

  /** Closes every /proc file kept open (the run is over). */
  close(): void {
    this.files.close();
  }

  /**
   * Records the program a process runs once it is no longer a copy of the shell (a fork before exec);
   * read again when its name changes (an exec).
   */
  private noteArgv(stage: StageRecord, pid: number, name: string): void {
    if (this.names.get(pid) === name && stage.argvs.has(pid)) return;
    this.names.set(pid, name);
    const argv = this.probe.argv!(pid);
    if (argv === undefined) return;
    if (!stage.order.has(pid)) stage.order.set(pid, [this.samples, pid]); // the stage's own program: when it ran it
    stage.argvs.set(pid, argv);
  }

  private readonly io = (pid: number) => parseIo(this.files.text(`/proc/${pid}/io`));
}
