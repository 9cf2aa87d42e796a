import { STATE_LANE } from './stage-tracer.js';
import { parseTraceEvents, stateParts, TIMER_LANE } from './trace-file.js';

/**
 * What each pipestage stage of a run wrote of itself into the run's trace (PIPESTAGE_TRACE): pid →
 * its states, item spans, lanes and exit figures, in ms on a clock whose 0 is `originMs` (epoch ms:
 * timer's performance.timeOrigin). A trace cut short gives what is complete.
 */
export function readStageTraces(text: string, originMs: number): Map<number, TracedStage> {
  const stages = new Map<number, TracedStage & { laneIds: Set<number> }>();
  let events;
  try {
    events = parseTraceEvents(text).events;
  } catch {
    return new Map();
  }
  const of = (pid: number): TracedStage & { laneIds: Set<number> } => {
    let stage = stages.get(pid);
    if (!stage)
      stages.set(
        pid,
        (stage = { name: String(pid), states: [], items: [], lanes: 0, exit: undefined, laneIds: new Set() }),
      );
    return stage;
  };
  const laneNames = new Map<string, string>();
  // (thousands of events, read once: a plain loop, the last stage at hand, no object spread)
  let lastPid = -1;
  let last: (TracedStage & { laneIds: Set<number> }) | undefined;
  for (const event of events) {
    if (typeof event !== 'object' || event === null || typeof event.pid !== 'number' || event.tid === TIMER_LANE)
      continue;
    const { pid } = event;
    if (event.ph === 'X' && typeof event.ts === 'number') {
      if (pid !== lastPid) {
        lastPid = pid;
        last = of(pid);
      }
      const stage = last!;
      const startMs = event.ts / 1000 - originMs;
      const endMs = (event.ts + (event.dur ?? 0)) / 1000 - originMs;
      // a span of several short states: each state's share of it, one after the other
      if (event.cat === 'state')
        for (const part of stateParts(event))
          stage.states.push({
            state: part.state as TracedStage['states'][number]['state'],
            startMs: part.start / 1000 - originMs,
            endMs: part.end / 1000 - originMs,
          });
      else if (event.cat === 'item' && event.tid !== STATE_LANE) {
        const tid = event.tid ?? 1;
        stage.laneIds.add(tid);
        const line = event.args?.['line'];
        stage.items.push({
          lane: String(tid),
          line: typeof line === 'number' ? line : undefined,
          items: event.args?.items ?? 1,
          startMs,
          endMs,
        });
      }
    } else if (event.ph === 'M' && event.name === 'process_name' && typeof event.args?.name === 'string')
      of(pid).name = event.args.name;
    else if (event.ph === 'M' && event.name === 'thread_name' && typeof event.args?.name === 'string')
      laneNames.set(`${pid}:${event.tid}`, event.args.name);
    else if (event.ph === 'i' && event.cat === 'exit' && typeof event.ts === 'number' && event.args) {
      const args = event.args as Record<string, number>;
      of(pid).exit = {
        status: args['status']!,
        lines: args['lines']!,
        userMs: args['userMs']!,
        sysMs: args['sysMs']!,
        peakRssBytes: args['peakRssBytes']!,
        atMs: event.ts / 1000 - originMs,
        bytesIn: args['bytesIn'],
        bytesOut: args['bytesOut'],
      };
    }
  }
  const result = new Map<number, TracedStage>();
  for (const [pid, { laneIds, ...stage }] of stages) {
    stage.states.sort((a, b) => a.startMs - b.startMs);
    stage.items.sort((a, b) => a.startMs - b.startMs);
    for (const item of stage.items) item.lane = laneNames.get(`${pid}:${item.lane}`) ?? `lane ${item.lane}`;
    stage.lanes = laneIds.size;
    result.set(pid, stage);
  }
  return result;
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
