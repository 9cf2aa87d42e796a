import {
  STATES,
  busyMs,
  ioBound,
  type Interval,
  type Segment,
  type StageProfile,
  type State,
} from '../../render/profile.js';
import { stageCommand } from '../../render/stage-name.js';
import type { TracedStage } from '../../trace/read-stage-traces.js';

// (the one stage naming is render/stage-name.ts's; the tests read it through here too)
export { stageCommand };

// The pipeline model: pure functions from what was observed (samples of /proc, the stages' own
// traces) to stages in data-flow order, each one's time split into states, and the bottleneck.

/** One stage as observed, before the model. */
export interface ObservedStage {
  pid: number;
  argvs: string[][];
  startMs: number;
  endMs: number;
  stdin: string | undefined;
  stdout: string | undefined;
  userMs: number | null;
  sysMs: number | null;
  peakRssBytes: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  status: number | null;
  intervals: Interval[];
  traced: TracedStage | undefined;
  /** the stage process never ran a program of its own: a subshell (its programs are its children's) */
  subshell?: boolean;
  /** the names of the pipestage processes in the stage's tree (one of them may be `traced`) */
  tracedNames?: string[];
}

/**
 * Stages in data-flow order: chains of stages whose fd 1 is the next one's fd 0 (the same pipe),
 * each chain from its first stage on, chains (and stages outside any) in order of their start.
 */
export function dataFlowOrder<T extends { stdin: string | undefined; stdout: string | undefined; startMs: number }>(
  stages: T[],
): T[] {
  const byStart = [...stages].sort((a, b) => a.startMs - b.startMs);
  const pipe = (link: string | undefined): string | undefined => (link?.startsWith('pipe:') ? link : undefined);
  const readerOf = new Map<string, T>();
  for (const stage of byStart) {
    const link = pipe(stage.stdin);
    if (link && !readerOf.has(link)) readerOf.set(link, stage);
  }
  const fed = new Set<T>();
  for (const stage of byStart) {
    const link = pipe(stage.stdout);
    const reader = link ? readerOf.get(link) : undefined;
    if (reader && reader !== stage) fed.add(reader);
  }
  const ordered: T[] = [];
  const placed = new Set<T>();
  for (const head of byStart) {
    if (placed.has(head) || fed.has(head)) continue;
    for (let stage: T | undefined = head; stage && !placed.has(stage); ) {
      ordered.push(stage);
      placed.add(stage);
      const link = pipe(stage.stdout);
      stage = link ? readerOf.get(link) : undefined;
    }
  }
  for (const stage of byStart) if (!placed.has(stage)) ordered.push(stage); // in a cycle of pipes
  return ordered;
}

/** CPU beyond an interval's length carried to the next one (ticks of 10 ms round CPU up or down). */
const CARRY_MS = 20;

/**
 * A stage's timeline. From /proc alone: in each interval, its CPU is working time and the rest the
 * wait seen. A pipestage stage's own states say when it waited for input, was blocked on output or
 * started up; of its `working` time, what the CPU figures do not cover was another wait (a timer, a
 * sleep). Stopped intervals are stopped whatever else was seen.
 */
export function timeline(stage: ObservedStage): Segment[] {
  const segments: Segment[] = [];
  const push = (startMs: number, endMs: number, state: State): void => {
    if (endMs <= startMs) return;
    const last = segments[segments.length - 1];
    if (last && last.state === state && Math.abs(last.endMs - startMs) < 1e-6) last.endMs = endMs;
    else segments.push({ startMs, endMs, state });
  };
  const intervals = stage.intervals;
  /** The samples' view from `fromMs` on: CPU is working time, then the run queue's delay, the rest the wait seen. */
  const fromSamples = (fromMs: number): void => {
    let carry = 0;
    for (const interval of intervals) {
      if (interval.endMs <= fromMs) continue;
      const startMs = Math.max(fromMs, interval.startMs);
      const part = (interval.endMs - startMs) / (interval.endMs - interval.startMs);
      const length = interval.endMs - startMs;
      if (interval.stopped) {
        push(startMs, interval.endMs, 'stopped');
        continue;
      }
      const cpu = interval.cpuMs * part + carry;
      const working = Math.min(cpu, length);
      carry = Math.min(CARRY_MS, cpu - working);
      const cpuWait = Math.min(interval.cpuWaitMs * part, length - working);
      push(startMs, startMs + working, 'working');
      push(startMs + working, startMs + working + cpuWait, 'waiting for a CPU');
      push(startMs + working + cpuWait, interval.endMs, interval.state);
    }
  };
  if (!stage.traced || stage.traced.states.length === 0) {
    fromSamples(-Infinity);
    return segments;
  }
  // Per interval: the shares of the trace's `working` time the CPU covers, and the run queue's delay.
  const states = stage.traced.states;
  const ratio: (readonly [number, number])[] = [];
  let from = 0; // states are sorted and do not overlap: each interval starts looking where the last one did
  for (const interval of intervals) {
    while (from < states.length && states[from]!.endMs <= interval.startMs) from++;
    let working = 0;
    for (let index = from; index < states.length && states[index]!.startMs < interval.endMs; index++) {
      const span = states[index]!;
      if (span.state === 'working')
        working += Math.min(span.endMs, interval.endMs) - Math.max(span.startMs, interval.startMs);
    }
    const onCpu = working > 0 ? Math.min(1, interval.cpuMs / working) : 1;
    ratio.push([onCpu, working > 0 ? Math.min(1 - onCpu, interval.cpuWaitMs / working) : 0]);
  }
  // Each state span, split at interval boundaries: a stopped interval is stopped; in the others a
  // `working` span is working for the share the CPU covers.
  let first = 0;
  for (const span of states) {
    while (first < intervals.length && intervals[first]!.endMs <= span.startMs) first++;
    let at = span.startMs;
    for (let index = first; index < intervals.length && at < span.endMs; index++) {
      const interval = intervals[index]!;
      const to = Math.min(span.endMs, interval.endMs);
      if (to <= at) continue;
      if (interval.stopped) push(at, to, 'stopped');
      else if (span.state !== 'working') push(at, to, span.state);
      else {
        const working = (to - at) * ratio[index]![0];
        const cpuWait = (to - at) * ratio[index]![1];
        push(at, at + working, 'working');
        push(at + working, at + working + cpuWait, 'waiting for a CPU');
        push(at + working + cpuWait, to, 'other wait');
      }
      at = to;
    }
    push(at, span.endMs, span.state); // after the last sample
  }
  // A stage killed before it wrote the rest of its trace: the samples tell the rest.
  fromSamples(states[states.length - 1]!.endMs);
  return segments;
}

/** ms in each state of a timeline. */
export function stateTotals(segments: Segment[]): Record<State, number> {
  const time = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<State, number>;
  for (const segment of segments) time[segment.state] += segment.endMs - segment.startMs;
  return time;
}

/**
 * Shares the CPU the shell accounted for stages reaped together among them: each keeps what it is
 * known to have used (its last sample, or its own exit figures), and what the samples missed (the
 * time after the last one) goes to them in proportion to `weights` — how fast each was using CPU at
 * its last sample (default: what each is known to have used). The stages' total is then the kernel's.
 */
export function attributeReaped(
  known: { userMs: number; sysMs: number }[],
  total: { userMs: number; sysMs: number },
  weights: number[] = known.map((cpu) => cpu.userMs + cpu.sysMs),
): { userMs: number; sysMs: number }[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const share = (field: 'userMs' | 'sysMs'): number[] => {
    const missed = Math.max(0, total[field] - known.reduce((acc, cpu) => acc + cpu[field], 0));
    return known.map(
      (cpu, index) => cpu[field] + (weightSum > 0 ? (missed * weights[index]!) / weightSum : missed / known.length),
    );
  };
  const user = share('userMs');
  const sys = share('sysMs');
  return known.map((_, index) => ({ userMs: user[index]!, sysMs: sys[index]! }));
}

/** How far back a stage's CPU rate is taken: CPU is counted in 10 ms ticks, so a short interval's rate is noise. */
const RATE_WINDOW_MS = 100;

/**
 * How fast a stage was using CPU when last sampled (CPU ms per ms): over its last intervals back to
 * RATE_WINDOW_MS at least (a 3 ms interval after a reap shows 0 or 10 ms of CPU, rate 0 or 3), stopped
 * intervals left out.
 */
export function recentCpuRate(intervals: Interval[], windowMs = RATE_WINDOW_MS): number {
  let cpuMs = 0;
  let spanMs = 0;
  for (let index = intervals.length - 1; index >= 0 && spanMs < windowMs; index--) {
    const interval = intervals[index]!;
    if (interval.stopped) continue;
    cpuMs += interval.cpuMs;
    spanMs += interval.endMs - interval.startMs;
  }
  return spanMs > 0 ? cpuMs / spanMs : 0;
}

/** A stage no sample saw (it ended within one interval), found by the pipes around it. */
function unseenStage(stdin: string | undefined, stdout: string | undefined, atMs: number): ObservedStage {
  return {
    pid: 0,
    argvs: [],
    startMs: atMs,
    endMs: atMs,
    stdin,
    stdout,
    userMs: null,
    sysMs: null,
    peakRssBytes: null,
    bytesIn: null,
    bytesOut: null,
    status: null,
    intervals: [],
    traced: undefined,
  };
}

/**
 * Stages in data-flow order with the ones no sample saw put back where the pipes say a stage was: a
 * pipe read by a stage that no stage wrote (or written that no stage read), other than timer's own
 * stdin and stdout (`outside`), had an unseen stage at its other end.
 */
export function withUnseenStages(ordered: ObservedStage[], outside: Set<string>): ObservedStage[] {
  const inner = (link: string | undefined): link is string => link?.startsWith('pipe:') === true && !outside.has(link);
  const written = new Set(ordered.map((stage) => stage.stdout));
  const read = new Set(ordered.map((stage) => stage.stdin));
  const result: ObservedStage[] = [];
  for (const stage of ordered) {
    if (inner(stage.stdin) && !written.has(stage.stdin)) {
      const last = result[result.length - 1];
      const beforeLast = result[result.length - 2];
      if (last && last.stdout === undefined && (last.pid === 0 || last.stdin === undefined)) {
        // the unseen stage, or a stage whose pipes were not seen (it ended as it began), wrote into this pipe
        if (last.pid !== 0 && beforeLast?.pid === 0 && beforeLast.stdout === undefined) {
          result.splice(result.length - 2, 1);
          last.stdin = beforeLast.stdin;
        }
        last.stdout = stage.stdin;
      } else result.push(unseenStage(undefined, stage.stdin, stage.startMs));
    }
    const last = result[result.length - 1];
    if (stage.stdin === undefined && stage.stdout === undefined && last?.pid === 0 && last.stdout === undefined) {
      // a stage whose pipes were not seen (it came from its trace alone) right after a pipe nobody read: its reader
      result.pop();
      stage.stdin = last.stdin;
    }
    result.push(stage);
    if (inner(stage.stdout) && !read.has(stage.stdout)) result.push(unseenStage(stage.stdout, undefined, stage.endMs));
  }
  return result;
}

/** The profile of each stage, in data-flow order (`outside`: timer's own stdin and stdout links). */
export function profileStages(observed: ObservedStage[], outside = new Set<string>()): StageProfile[] {
  const ordered = withUnseenStages(dataFlowOrder(observed), outside);
  const profiles = ordered.map((stage, index): StageProfile => {
    const { command, name } =
      stage.pid === 0
        ? { command: '(ended before the first sample)', name: '(unseen)' }
        : stageCommand(stage.argvs, stage.traced?.name, stage.subshell, stage.tracedNames);
    const segments = timeline(stage);
    const exit = stage.traced?.exit;
    return {
      pid: stage.pid,
      command,
      name,
      status: exit?.status ?? stage.status,
      wallMs: stage.endMs - stage.startMs,
      startMs: stage.startMs,
      endMs: stage.endMs,
      userMs: stage.userMs ?? exit?.userMs ?? null,
      sysMs: stage.sysMs ?? exit?.sysMs ?? null,
      peakRssBytes: exit ? Math.max(exit.peakRssBytes, stage.peakRssBytes ?? 0) : stage.peakRssBytes,
      bytesIn: exit?.bytesIn ?? stage.bytesIn,
      bytesOut: exit?.bytesOut ?? stage.bytesOut,
      linesOut: exit ? exit.lines : null,
      time: stateTotals(segments),
      timeline: segments,
      traced: stage.traced,
      feedsNext: stage.stdout?.startsWith('pipe:') === true && ordered[index + 1]?.stdin === stage.stdout,
      stdin: stage.stdin,
      stdout: stage.stdout,
    };
  });
  // Stages running one program are told apart by their place: add#1, add#2.
  const count = new Map<string, number>();
  for (const stage of profiles) count.set(stage.name, (count.get(stage.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const stage of profiles) {
    if (count.get(stage.name)! < 2) continue;
    seen.set(stage.name, (seen.get(stage.name) ?? 0) + 1);
    stage.name = `${stage.name}#${seen.get(stage.name)}`;
  }
  return profiles;
}

/** The bottleneck and the evidence for it, as the report's line (it begins `bottleneck: NAME`). */
export interface Bottleneck {
  stage: StageProfile | undefined;
  /** the busiest stage (the bottleneck, or the busiest of balanced stages) */
  busiest: StageProfile | undefined;
  line: string;
}

const percent = (part: number, whole: number): string => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;

/**
 * The stage that bounds the pipeline: the one busy (working, or waiting on something of its own) the
 * largest share of the time the pipeline was not stopped — evidence: the stage before it blocked on
 * output into it, the one after it waiting for input from it. Two stages within 10 points of each
 * other, both busy most of the time, are balanced: no single bottleneck.
 */
export function findBottleneck(stages: StageProfile[], activeMs: number): Bottleneck {
  const ranked = [...stages].sort((a, b) => busyMs(b) - busyMs(a));
  const [top, second] = ranked;
  if (!top || activeMs <= 0 || busyMs(top) === 0)
    return { stage: undefined, busiest: undefined, line: 'bottleneck: none (no stage was seen busy)' };
  const share = (stage: StageProfile): number => busyMs(stage) / activeMs;
  if (second && share(top) >= 0.5 && share(top) - share(second) <= 0.1) {
    const balanced = ranked.filter((stage) => share(top) - share(stage) <= 0.1);
    return {
      stage: undefined,
      busiest: top,
      line: `bottleneck: none (balanced: ${balanced.map((stage) => `${stage.name} ${percent(busyMs(stage), activeMs)}`).join(', ')})`,
    };
  }
  const index = stages.indexOf(top);
  const evidence: string[] = [];
  const cpuWait =
    top.time['waiting for a CPU'] >= 0.05 * activeMs
      ? `, waiting for a CPU ${percent(top.time['waiting for a CPU'], activeMs)}`
      : '';
  if (ioBound(top)) {
    evidence.push(
      `busy ${percent(busyMs(top), activeMs)} of the time (working ${percent(top.time['working'], activeMs)}${cpuWait}, other waits ${percent(top.time['other wait'], activeMs)})`,
    );
  } else evidence.push(`working ${percent(top.time['working'], activeMs)} of the time${cpuWait}`);
  const before = stages[index - 1];
  const after = stages[index + 1];
  if (before?.feedsNext && before.time['blocked on output'] >= 0.05 * activeMs)
    evidence.push(`${before.name} blocked on output to it ${percent(before.time['blocked on output'], activeMs)}`);
  if (after && top.feedsNext && after.time['waiting for input'] >= 0.05 * activeMs)
    evidence.push(`${after.name} waiting for input from it ${percent(after.time['waiting for input'], activeMs)}`);
  return { stage: top, busiest: top, line: `bottleneck: ${top.name} — ${evidence.join('; ')}` };
}

/**
 * A stage's status from the shell's PIPESTATUS (the statuses of the last pipeline it ran): zipped
 * with the stages when there are as many, else with the last chain of piped stages of that length.
 */
export function applyPipestatus(stages: StageProfile[], statuses: number[]): void {
  if (statuses.length === 0) return;
  let chain: StageProfile[] = stages;
  if (stages.length !== statuses.length) {
    const chains: StageProfile[][] = [];
    for (const [index, stage] of stages.entries()) {
      if (index === 0 || !stages[index - 1]!.feedsNext) chains.push([]);
      chains[chains.length - 1]!.push(stage);
    }
    const last = chains
      .filter((candidate) => candidate.length === statuses.length)
      .sort((a, b) => b[0]!.startMs - a[0]!.startMs)[0];
    if (!last) return;
    chain = last;
  }
  chain.forEach((stage, index) => (stage.status ??= statuses[index]!));
}
