import type { TracedStage } from '../trace/read-stage-traces.js';
import type { Prediction, PredictionReport, RunsSummary, VerifyReport } from './prediction.js';

export type { Margin, Prediction, PredictionReport, Range, RunsSummary, VerifyReport } from './prediction.js';

// The profile of a pipeline as timer --pipeline observed and modelled it: the types every output
// draws (text, SVG, JSON, Chrome trace, the live view), and the figures read straight off them.

/** What a stage is doing at a moment. */
export type SampledState =
  | 'working'
  | 'waiting for a CPU'
  | 'waiting for input'
  | 'blocked on output'
  | 'other wait'
  | 'stopped'
  | 'unknown';

export type State = SampledState | 'start-up';

export const STATES: State[] = [
  'working',
  'waiting for a CPU',
  'other wait',
  'waiting for input',
  'blocked on output',
  'start-up',
  'stopped',
  'unknown',
];

/** One sampling interval of a stage: its CPU in it, and the state it was seen in when not working. */
export interface Interval {
  startMs: number;
  endMs: number;
  cpuMs: number;
  /** time runnable but without a free CPU (the run queue's delay) */
  cpuWaitMs: number;
  /** the wait seen at the interval's end (or before, when it was running then) */
  state: SampledState;
  /** the interval was spent stopped (Ctrl-Z, SIGSTOP) */
  stopped: boolean;
}

/** A span of one state on a stage's timeline. */
export interface Segment {
  startMs: number;
  endMs: number;
  state: State;
}

/** One program a stage ran (a process): a sub-row of the stage. */
export interface ProcessProfile {
  pid: number;
  /** its parent when first seen */
  parent: number;
  /** the program it ran ([]: a fork of the shell that ran none, a process substitution's subshell) */
  argv: string[];
  startMs: number;
  endMs: number;
  /** still running when the pipeline's shell ended (an `&` job's, left running as the shell leaves it) */
  running: boolean;
  /** its own CPU (the children it reaped have rows of their own) */
  userMs: number;
  sysMs: number;
  /** counted to its last sample (it was not seen exited) */
  sampled: boolean;
  /** why no process of the pipeline reaped it, where none did */
  lost: Lost | null;
}

/** One stage of the profile. */
export interface StageProfile {
  pid: number;
  command: string;
  name: string;
  status: number | null;
  wallMs: number;
  startMs: number;
  endMs: number;
  userMs: number | null;
  sysMs: number | null;
  peakRssBytes: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  linesOut: number | null;
  /** ms in each state */
  time: Record<State, number>;
  timeline: Segment[];
  traced: TracedStage | undefined;
  /** the pipestage programs that traced themselves in its tree, where several did (none then is `traced`) */
  tracedNames?: string[];
  /** its stdout is the next stage's stdin (one pipe) */
  feedsNext: boolean;
  /**
   * the number of its pipeline in the text as typed (0, 1… for \`a | b; c | d\`), where the rows were
   * placed as typed and no pipeline ran as a \`&\` job beside the others; else undefined
   */
  pipeline?: number;
  /** where its text begins in the pipeline's text, where the rows were placed as typed */
  at?: number;
  /** what fd 0 and fd 1 were (pipe:[inode] links) */
  stdin: string | undefined;
  stdout: string | undefined;
  /** its CPU takes in processes nobody of the pipeline reaped, counted to their last sample (≈) */
  cpuSampled: boolean;
  /** its CPU is in part a share, by rate, of what the shell reaped with other stages between two samples (≈) */
  cpuShared: boolean;
  /** each program it ran, a process each, oldest first; and its process substitutions */
  processes: ProcessProfile[];
  /** its process substitutions as typed, in order (`<(seq 3)`) */
  procsubs: string[];
  /** still running when the shell ended (a `&` job: left running; its figures are so far) */
  running: boolean;
}

/**
 * Time a stage was busy: working, waiting for a CPU, or in another wait of its own (not starved,
 * blocked, starting or stopped).
 */
export const busyMs = (stage: StageProfile): number =>
  stage.time['working'] + stage.time['waiting for a CPU'] + stage.time['other wait'];

/** A stage spends more of its busy time waiting on something of its own than wanting a CPU (IO-bound). */
export const ioBound = (stage: StageProfile): boolean =>
  stage.time['other wait'] > stage.time['working'] + stage.time['waiting for a CPU'];

/** Everything `timer --pipeline` reports of one run. */
export interface PipelineProfile {
  pipeline: string;
  /** the shell that ran it (`bash -c`: its PIPESTATUS gives the statuses) */
  shell: string;
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  userMs: number | null;
  sysMs: number | null;
  cpuMs: number | null;
  /**
   * timer's own CPU until it started the shell; while the pipeline ran (starting and sampling it);
   * after it ended (its traces read, the model; not drawing the report)
   */
  timerStartupCpuMs: number;
  timerCpuMs: number;
  timerReportCpuMs: number;
  cores: number;
  /** cores other processes of the machine kept busy during the run, on average; null: the run too short to tell */
  coresBusyElsewhere: number | null;
  /** CPU / wall */
  parallelism: number | null;
  /** the reaped children's CPU less the stages' sum: processes no sample saw */
  unattributedCpuMs: number | null;
  /** time the pipeline spent stopped (Ctrl-Z): left out of the shares */
  stoppedMs: number;
  sampleIntervalMs: number;
  /** why states could not be read from /proc, where they could not */
  stateUnknownReason: string | null;
  stages: StageProfile[];
  bottleneck: string | null;
  bottleneckLine: string;
  prediction: (Prediction & PredictionReport) | null;
  /** --verify: the suggestion run and compared (figures where it ran), else undefined */
  verify?: VerifyReport;
  /** --runs above 1: every run, and each figure's range over them (this profile is the median run's) */
  runs?: RunsSummary<PipelineProfile>;
}

/** What /proc showed of one stage (a child of the shell) over the run. */
export interface StageRecord {
  pid: number;
  /** /proc/PID/stat starttime: the process's start, in ticks since boot */
  startTicks: number;
  /** when it started and when it was last seen alive, ms on timer's clock (performance.now()) */
  startMs: number;
  lastSeenMs: number;
  /** when it was first missed (it ended between the last sample and that one) */
  goneMs: number | undefined;
  /**
   * the program each process of the stage runs (the stage itself, and its descendants), by pid; an
   * exec replaces a process's entry
   */
  argvs: Map<number, string[]>;
  /** fd 0 and fd 1 are final: read after the stage process ran its program (a fork sets them before exec) */
  fdsFinal: boolean;
  /** how many samples read fd 0 and fd 1 (a fork read once may not have set them yet) */
  fdReads: number;
  /** pipe:[inode] (or another link) of fd 0 and fd 1, as last seen */
  stdin: string | undefined;
  stdout: string | undefined;
  /**
   * time the stage's processes waited for a CPU while runnable (main threads, /proc/PID/schedstat), at
   * the last sample
   */
  runDelayMs: number;
  /**
   * time the main threads of the stage's processes (`runPids`) ran on a CPU, to the ns
   * (/proc/PID/schedstat), at the last sample
   */
  runTimeMs: number;
  runPids: string;
  /** the CPU the intervals have counted so far (run time, or ticks where ahead) */
  cpuSeenMs: number;
  /** CPU of the stage's tree at the last sample (its reaped children included) */
  userMs: number;
  sysMs: number;
  /** whether the shell has reaped it (it is no longer the shell's child) */
  reaped: boolean;
  /**
   * the stages the shell reaped in one sampling interval with this one, and the CPU it accounted for
   * them together (exact to the tick)
   */
  reapedWith: ReapedGroup | undefined;
  /** largest sum of the tree's resident memory seen */
  peakRssBytes: number;
  /** bytes read and written (rchar, wchar) by the stage process and its live descendants, last seen */
  bytesIn: number | undefined;
  bytesOut: number | undefined;
  intervals: Interval[];
  /**
   * when each process of the stage was first seen (sample number, then pid): children when listed, the
   * stage's own program when it ran it
   */
  order: Map<number, [number, number]>;
  /** every process of the stage's tree seen: pid → start ticks (to end them all on SIGTERM) */
  tree: Map<number, number>;
  /** every process of the stage seen, by pid */
  procs: Map<number, ProcessRecord>;
  /**
   * CPU of the stage's processes that no process of the pipeline reaps (process substitutions under a
   * program, orphans), their waited children's included, as last seen: not in the shell's accounting
   */
  lostUserMs: number;
  lostSysMs: number;
}

/** Why no process of the pipeline will reap a process: its CPU never reaches the shell's accounting. */
export type Lost = 'process substitution' | 'orphan';

/** One process of a stage as the samples saw it. */
export interface ProcessRecord {
  pid: number;
  startTicks: number;
  /** its parent when first seen */
  parent: number;
  /** when it started, was last seen (alive or exited) and was first missed, ms on timer's clock */
  startMs: number;
  lastSeenMs: number;
  goneMs: number | undefined;
  /** when a read between two looks (see refreshLive) first found it gone (reaped) */
  missedMs?: number;
  /** the read before the last one: when, and its CPU then (its own and its reaped children's), ms */
  before?: { seenMs: number; cpuMs: number };
  /** its own CPU (utime, stime) and its reaped children's (cutime, cstime), ms, as last seen */
  userMs: number;
  sysMs: number;
  childUserMs: number;
  childSysMs: number;
  /** how long its main thread ran on a CPU, and waited for one, ms (/proc/PID/schedstat), as last seen */
  runMs: number;
  delayMs: number;
  /** seen exited (a zombie): its figures are final */
  exited: boolean;
  /** set where no process of the pipeline reaps it */
  lost: Lost | undefined;
  /** it is lost, or a descendant of one that is: its CPU is in no figure of the shell's */
  underLost: boolean;
  /** it was seen reaping a child of its own */
  reaps?: boolean;
}

/** Stages reaped by the shell between two samples, and the CPU it accounted for them. */
export interface ReapedGroup {
  pids: number[];
  userMs: number;
  sysMs: number;
  /**
   * what the shell's I/O counters grew by as it reaped them (a parent's take in the children it reaps:
   * the stages' whole I/O, rchar and wchar, final); undefined where not known
   */
  bytesIn?: number;
  bytesOut?: number;
  /**
   * the group the shell reaped last (its CPU: the shell's `times` less what the samples gave the groups
   * before); the others' is the growth of its counters in 10 ms ticks (each of user and sys within a tick)
   */
  late?: boolean;
}
