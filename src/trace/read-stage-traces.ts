import { readTraceFile } from './read-trace.js';

/**
 * What each pipestage stage of a run wrote of itself into the run's trace (PIPESTAGE_TRACE), as
 * timer --pipeline reads it (see readTraceFile): pid → its states, item spans, lanes and exit figures,
 * in ms on a clock whose 0 is `originMs` (epoch ms: timer's performance.timeOrigin). A trace cut short
 * gives what is complete; a file that is no trace, nothing.
 */
export function readStageTraces(text: string, originMs: number): Map<number, TracedStage> {
  let processes;
  try {
    processes = readTraceFile(text).processes;
  } catch {
    return new Map();
  }
  const ms = (us: number): number => us / 1000 - originMs;
  const stages = new Map<number, TracedStage>();
  for (const [pid, read] of processes) {
    if (!read.traced) continue;
    const states = read.states.map(({ state, start, end }) => ({
      state: state as TracedStage['states'][number]['state'],
      startMs: ms(start),
      endMs: ms(end),
    }));
    const items = read.items.map(({ tid, line, items, start, end }) => ({
      lane: read.laneNames.get(tid) ?? `lane ${tid}`,
      line,
      items,
      startMs: ms(start),
      endMs: ms(end),
    }));
    const exit = read.exit?.args as Record<string, number> | undefined;
    stages.set(pid, {
      name: read.name ?? String(pid),
      states: states.sort((a, b) => a.startMs - b.startMs),
      items: items.sort((a, b) => a.startMs - b.startMs),
      lanes: new Set(read.items.map((item) => item.tid)).size,
      exit: exit && {
        status: exit['status']!,
        lines: exit['lines']!,
        userMs: exit['userMs']!,
        sysMs: exit['sysMs']!,
        peakRssBytes: exit['peakRssBytes']!,
        atMs: ms(read.exit!.ts),
        bytesIn: exit['bytesIn'],
        bytesOut: exit['bytesOut'],
      },
    });
  }
  return stages;
}

/** What a pipestage stage wrote of itself, on timer's clock (ms). */
export interface TracedStage {
  name: string;
  states: {
    state: 'start-up' | 'waiting for input' | 'blocked on output' | 'working';
    startMs: number;
    endMs: number;
  }[];
  items: { lane: string; line: number | undefined; items: number; startMs: number; endMs: number }[];
  /** how many lanes (worker threads or concurrency slots) computed items */
  lanes: number;
  exit:
    | {
        status: number;
        lines: number;
        userMs: number;
        sysMs: number;
        peakRssBytes: number;
        atMs: number;
        bytesIn?: number;
        bytesOut?: number;
      }
    | undefined;
}

/**
 * A stage's own trace from the process's start (`startMs`, known to a tick, from /proc): its first
 * state, where later, is start-up from then on (its fork, exec and runtime's start come before its
 * clock begins).
 */
export function fromItsStart(traced: TracedStage, startMs: number): TracedStage {
  const [first, ...rest] = traced.states;
  if (first === undefined || first.startMs <= startMs) return traced;
  const states =
    first.state === 'start-up'
      ? [{ ...first, startMs }, ...rest]
      : [{ state: 'start-up' as const, startMs, endMs: first.startMs }, first, ...rest];
  return { ...traced, states };
}
