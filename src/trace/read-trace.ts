import { STATE_LANE } from './stage-tracer.js';
import { parseTraceEvents, stateParts, TIMER_LANE } from './trace-file.js';

// A recorded trace (timer --trace, stages' own traces) read back into tracks, one per stage.

/** One stage of a recorded pipeline: its spans, as [start, end] in µs on the shared clock. */
export interface StageTrack {
  pid: number;
  name: string;
  items: number;
  spans: [number, number][];
  /** the command's start-up, as timer saw it from outside (not an item's work) */
  startup?: [number, number];
  /** a traced stage's lanes (worker threads, slots) with their items; empty for timer's view alone */
  lanes: LaneTrack[];
  /** a traced stage's own states: `blocked on output` and `waiting for input` spans */
  states: { name: string; span: [number, number] }[];
  /** every item span, for the CSV */
  itemSpans: ItemSpan[];
}

/** One lane of a stage: the spans of the items its thread or slot computed. */
export interface LaneTrack {
  name: string;
  spans: [number, number][];
  /** spans of jobs that failed (a joblog's) */
  failed?: [number, number][];
}

/** One item span as written in a trace (a merged span holds `items` lines from `line` on). */
export interface ItemSpan {
  lane: string;
  line: number | undefined;
  items: number;
  start: number;
  end: number;
}

/**
 * The stages of a trace written by `timer --trace` (see parseTraceEvents), in order of their first
 * span; `cut` tells that the file ended mid-event (what is complete is drawn).
 */
export function readTrace(text: string): { stages: StageTrack[]; cut: boolean } {
  const { events, cut } = parseTraceEvents(text);
  // Per process: what timer saw from outside (its lane), and what a traced stage wrote of itself.
  interface Side {
    items: number;
    spans: [number, number][];
    startup?: [number, number];
    /** tid → its item spans */
    lanes: Map<number, { line: number | undefined; items: number; span: [number, number] }[]>;
  }
  interface Seen {
    name?: string;
    timerName?: string;
    laneNames: Map<number, string>;
    states: { name: string; span: [number, number] }[];
    timer: Side;
    own: Side;
  }
  const seen = new Map<number, Seen>();
  const of = (pid: number): Seen => {
    let found = seen.get(pid);
    if (!found) {
      const side = (): Side => ({ items: 0, spans: [], lanes: new Map() });
      seen.set(pid, (found = { laneNames: new Map(), states: [], timer: side(), own: side() }));
    }
    return found;
  };
  // A stage tracing itself names its main thread (tid 0); any other process's spans are timer's view
  // (an older timer wrote them on tid 1).
  const selfTraced = new Set<number>();
  for (const event of events)
    if (event?.ph === 'M' && event.name === 'thread_name' && event.tid === STATE_LANE && typeof event.pid === 'number')
      selfTraced.add(event.pid);
  for (const event of events) {
    if (typeof event !== 'object' || event === null || typeof event.pid !== 'number') continue;
    const side = event.tid === TIMER_LANE || !selfTraced.has(event.pid) ? 'timer' : 'own';
    if (event.ph === 'M' && event.name === 'process_name' && event.args?.name) {
      if (side === 'timer') of(event.pid).timerName = event.args.name;
      else of(event.pid).name = event.args.name;
    }
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name && typeof event.tid === 'number')
      of(event.pid).laneNames.set(event.tid, event.args.name);
    if (event.ph !== 'X' || typeof event.ts !== 'number') continue;
    const span: [number, number] = [event.ts, event.ts + (event.dur ?? 0)];
    if (event.cat === 'pipeline-state') continue; // timer --pipeline's view of states, drawn by that report
    if (event.cat === 'startup') of(event.pid).timer.startup = span;
    else if (event.cat === 'state') {
      for (const part of stateParts(event)) {
        if (part.state === 'start-up') of(event.pid).own.startup = [part.start, part.end];
        else of(event.pid).states.push({ name: part.state, span: [part.start, part.end] });
      }
    } else {
      const track = of(event.pid)[side];
      const items = event.args?.items ?? 1;
      track.spans.push(span);
      track.items += items;
      const tid = typeof event.tid === 'number' ? event.tid : 1;
      const lane = track.lanes.get(tid) ?? [];
      lane.push({
        line:
          typeof event.args?.['line'] === 'number'
            ? event.args['line']
            : typeof event.args?.['item'] === 'number'
              ? event.args['item']
              : undefined,
        items,
        span,
      });
      track.lanes.set(tid, lane);
    }
  }
  const stages: StageTrack[] = [];
  for (const [pid, { name, timerName, laneNames, states, timer, own }] of seen) {
    // A stage's own spans (on the lanes of its threads or slots) say more than timer's view from outside.
    const track = own.spans.length > 0 ? own : timer;
    if (track.spans.length === 0) continue;
    const spans = track === own ? union(own.spans) : [...timer.spans].sort((a, b) => a[0] - b[0]);
    const laneName = (tid: number): string => laneNames.get(tid) ?? (tid === TIMER_LANE ? 'timer' : `lane ${tid}`);
    const tids = [...track.lanes.keys()].sort((a, b) => a - b);
    const lanes =
      track === own
        ? tids.map((tid) => ({
            name: laneName(tid),
            spans: track.lanes
              .get(tid)!
              .map(({ span }) => span)
              .sort((a, b) => a[0] - b[0]),
          }))
        : [];
    const itemSpans = tids.flatMap((tid) =>
      track.lanes
        .get(tid)!
        .map(({ line, items, span }) => ({ lane: laneName(tid), line, items, start: span[0], end: span[1] })),
    );
    const stage: StageTrack = {
      pid,
      name: timerName ?? name ?? String(pid),
      items: track.items,
      spans,
      lanes,
      states: track === own ? states : [],
      itemSpans,
    };
    const startup = track.startup ?? timer.startup ?? own.startup;
    if (startup) stage.startup = startup;
    stages.push(stage);
  }
  // Processes of one program (a pool of processes) are told apart by their pids.
  const named = new Map<string, number>();
  for (const stage of stages) named.set(stage.name, (named.get(stage.name) ?? 0) + 1);
  for (const stage of stages) if (named.get(stage.name)! > 1) stage.name = `${stage.name} ${stage.pid}`;
  return { stages: stages.sort((a, b) => a.spans[0]![0] - b.spans[0]![0]), cut };
}

/** Spans (on several lanes, maybe overlapping) as the time during which any of them ran (overlaps joined). */
export function union(spans: [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
