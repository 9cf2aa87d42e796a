// Builders of the pipeline model's inputs for the unit tests: a stage as observed, a stage's profile,
// a stage's own trace, a whole run's profile. Every field has a neutral value; a test sets the ones it is about.
import type { PipelineProfile, State, StageProfile } from '../../src/render/profile.js';
import type { TracedStage } from '../../src/trace/read-stage-traces.js';
import type { ObservedStage } from '../../src/timer/pipeline/observed.js';

export const observed = (fields: Partial<ObservedStage>): ObservedStage => ({
  pid: 1,
  argvs: [['x']],
  startMs: 0,
  endMs: 100,
  stdin: undefined,
  stdout: undefined,
  userMs: 0,
  sysMs: 0,
  peakRssBytes: null,
  bytesIn: null,
  bytesOut: null,
  status: null,
  intervals: [],
  traced: undefined,
  ...fields,
});

export const times = (time: Partial<Record<State, number>>): Record<State, number> => ({
  working: 0,
  'waiting for a CPU': 0,
  'other wait': 0,
  'waiting for input': 0,
  'blocked on output': 0,
  'start-up': 0,
  stopped: 0,
  unknown: 0,
  ...time,
});

export const profiled = (
  name: string,
  time: Partial<Record<State, number>>,
  feedsNext = true,
  fields: Partial<StageProfile> = {},
): StageProfile => ({
  pid: 1,
  command: name,
  name,
  status: 0,
  wallMs: 1000,
  startMs: 0,
  endMs: 1000,
  userMs: 0,
  sysMs: 0,
  peakRssBytes: null,
  bytesIn: null,
  bytesOut: null,
  linesOut: null,
  time: times(time),
  timeline: [],
  traced: undefined,
  feedsNext,
  stdin: undefined,
  stdout: undefined,
  cpuSampled: false,
  cpuShared: false,
  processes: [],
  procsubs: [],
  running: false,
  ...fields,
});

export const traced = (fields: Partial<TracedStage>): TracedStage => ({
  name: 'mul',
  states: [],
  items: [],
  lanes: 1,
  exit: undefined,
  ...fields,
});

/** `count` items of `costMs` each, one after the other from `fromMs`, one span per item, on lane 1. */
export const items = (count: number, costMs: number, fromMs = 0): TracedStage['items'] =>
  Array.from({ length: count }, (_, index) => ({
    lane: '1',
    line: index + 1,
    items: 1,
    startMs: fromMs + index * costMs,
    endMs: fromMs + (index + 1) * costMs,
  }));

/** A run's profile of these stages: 1 s of wall, 100 ms of CPU, nothing stopped, no bottleneck. */
export const pipelineProfile = (stages: StageProfile[], fields: Partial<PipelineProfile> = {}): PipelineProfile => ({
  pipeline: stages.map((stage) => stage.command).join(' | '),
  shell: 'bash -c',
  exitCode: 0,
  signal: null,
  wallMs: 1000,
  userMs: 100,
  sysMs: 0,
  cpuMs: 100,
  timerStartupCpuMs: 60,
  timerCpuMs: 5,
  timerReportCpuMs: 5,
  cores: 2,
  coresBusyElsewhere: 0,
  parallelism: 0.1,
  unattributedCpuMs: 0,
  stoppedMs: 0,
  sampleIntervalMs: 100,
  stateUnknownReason: null,
  stages,
  bottleneck: null,
  bottleneckLine: 'bottleneck: none',
  prediction: null,
  ...fields,
});
