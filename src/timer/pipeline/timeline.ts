import { type Segment, STATES, type State } from '../../render/profile.js';
import type { ObservedStage } from './observed.js';

// A stage's time split into states: from its samples alone, or from its own trace with the samples
// telling how much of its `working` time was on a CPU.

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
  // (within its wall: a traced stage ends at its exit mark, before its last sample; its start, known to
  // a tick, may come after its trace's first mark)
  const push = (from: number, to: number, state: State): void => {
    const [startMs, endMs] = [Math.max(from, stage.startMs), Math.min(to, stage.endMs)];
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
  let carry = 0; // CPU beyond an interval's working time, carried (a tick of 10 ms lands in a 1 ms interval)
  for (const interval of intervals) {
    while (from < states.length && states[from]!.endMs <= interval.startMs) from++;
    let working = 0;
    for (let index = from; index < states.length && states[index]!.startMs < interval.endMs; index++) {
      const span = states[index]!;
      if (span.state === 'working')
        working += Math.min(span.endMs, interval.endMs) - Math.max(span.startMs, interval.startMs);
    }
    const cpu = interval.cpuMs + carry;
    const onCpu = working > 0 ? Math.min(1, cpu / working) : 1;
    carry = Math.min(CARRY_MS, Math.max(0, cpu - working));
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
