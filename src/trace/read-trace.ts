import { parseTraceEvents, TIMER_LANE, type TraceEvent } from './trace-file.js';

// The one reader of a recorded trace (timer --trace, stages' own traces, timer --pipeline's), and the
// view `timer report` draws (read-stage-traces.ts has timer --pipeline's).

/** One item span as written in a trace, in µs on the shared clock: `items` lines from `line` on. */
interface TracedItem {
  tid: number;
  line: number | undefined;
  items: number;
  start: number;
  end: number;
}

/** What one process wrote of itself into a trace, and what timer wrote of it, in µs on the shared clock. */
interface TracedProcess {
  /** the name a traced stage gave itself */
  name: string | undefined;
  /** the name timer gave it from outside (`--label`, or the command) */
  timerName: string | undefined;
  /** tid → the lane's name */
  laneNames: Map<number, string>;
  /** it wrote events of its own (a traced stage), not only timer of it */
  traced: boolean;
  /** its own states, each merged state span as the states it held (stateParts), in the order written */
  states: { state: string; start: number; end: number }[];
  /** its own item spans (on the lanes of its threads or slots), in the order written */
  items: TracedItem[];
  /** timer's view from outside: the item spans on its lane, and the command's start-up */
  timerItems: TracedItem[];
  timerStartup: [number, number] | undefined;
  /** how it ended (a traced stage's `"cat":"exit"` event) */
  exit: { ts: number; args: Record<string, unknown> } | undefined;
}

/**
 * Reads a trace (see parseTraceEvents; throws saying why the text is not one) into its processes, by
 * pid: a traced stage's own events (its states on lane 0, items on lanes 1..N), and timer's view of a
 * command on the lane TIMER_LANE. `cut` tells that the file ended mid-event (what is complete is read).
 */
export function readTraceFile(text: string): { processes: Map<number, TracedProcess>; cut: boolean } {
  const { events, cut } = parseTraceEvents(text);
  const processes = new Map<number, TracedProcess>();
  // (thousands of events, read once: a plain loop, the last process at hand)
  let lastPid = Number.NaN;
  let last: TracedProcess | undefined;
  for (const event of events) {
    if (typeof event !== 'object' || event === null || typeof event.pid !== 'number' || typeof event.tid !== 'number')
      continue;
    const { pid, tid } = event;
    if (pid !== lastPid) {
      lastPid = pid;
      last = processes.get(pid);
      if (!last) processes.set(pid, (last = newProcess()));
    }
    const read = last!;
    const timer = tid === TIMER_LANE;
    if (!timer) read.traced = true;
    if (event.ph === 'X' && typeof event.ts === 'number') {
      const start = event.ts;
      const end = event.ts + (event.dur ?? 0);
      if (event.cat === 'item') {
        const line = event.args?.['line'];
        const item = {
          tid,
          line: typeof line === 'number' ? line : undefined,
          items: event.args?.items ?? 1,
          start,
          end,
        };
        (timer ? read.timerItems : read.items).push(item);
      } else if (event.cat === 'startup') read.timerStartup = [start, end];
      else if (event.cat === 'state' && !timer) for (const part of stateParts(event)) read.states.push(part);
      // (`pipeline-state`: timer --pipeline's view of the states, drawn by that report, not read back)
    } else if (event.ph === 'M' && typeof event.args?.name === 'string') {
      if (event.name === 'process_name') {
        if (timer) read.timerName = event.args.name;
        else read.name = event.args.name;
      } else if (event.name === 'thread_name') read.laneNames.set(tid, event.args.name);
    } else if (event.ph === 'i' && event.cat === 'exit' && typeof event.ts === 'number' && event.args && !timer)
      read.exit = { ts: event.ts, args: event.args };
  }
  return { processes, cut };
}

function newProcess(): TracedProcess {
  return {
    name: undefined,
    timerName: undefined,
    laneNames: new Map(),
    traced: false,
    states: [],
    items: [],
    timerItems: [],
    timerStartup: undefined,
    exit: undefined,
  };
}

/**
 * A stage's state span as the states it held, one after the other: a span that merged several short
 * states (its `args` gives each one's ms) becomes one part per state, of that state's length (scaled
 * to the span's), in the order the stages list them; any other span is itself. Times as in the event (µs).
 */
function stateParts(event: TraceEvent): { state: string; start: number; end: number }[] {
  const start = event.ts ?? 0;
  const end = start + (event.dur ?? 0);
  const name = String(event.name);
  const args = event.args;
  if (args === undefined) return [{ state: name, start, end }];
  let total = 0;
  for (const key in args) if (typeof args[key] === 'number' && (args[key] as number) > 0) total += args[key] as number;
  if (total <= 0) return [{ state: name, start, end }];
  const parts: { state: string; start: number; end: number }[] = [];
  let at = start;
  for (const key in args) {
    const ms = args[key];
    if (typeof ms !== 'number' || ms <= 0) continue;
    const next = at + ((end - start) * ms) / total;
    parts.push({ state: key, start: at, end: next });
    at = next;
  }
  parts[parts.length - 1]!.end = end;
  return parts;
}

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
  itemSpans: TrackItemSpan[];
}

/** One lane of a stage: the spans of the items its thread or slot computed. */
export interface LaneTrack {
  name: string;
  spans: [number, number][];
  /** spans of jobs that failed (a joblog's) */
  failed?: [number, number][];
}

/** One item span as written in a trace (a merged span holds `items` lines from `line` on). */
interface TrackItemSpan {
  lane: string;
  line: number | undefined;
  items: number;
  start: number;
  end: number;
}

/**
 * The stages of a trace (see readTraceFile) as `timer report` draws them, in order of their first
 * span; `cut` tells that the file ended mid-event (what is complete is drawn).
 */
export function readTrace(text: string): { stages: StageTrack[]; cut: boolean } {
  const { processes, cut } = readTraceFile(text);
  const stages: StageTrack[] = [];
  for (const [pid, read] of processes) {
    // A stage's own spans (on the lanes of its threads or slots) say more than timer's view from outside.
    const own = read.items.length > 0;
    const items = own ? read.items : read.timerItems;
    if (items.length === 0) continue;
    const laneName = (tid: number): string => read.laneNames.get(tid) ?? (tid === TIMER_LANE ? 'timer' : `lane ${tid}`);
    const byLane = new Map<number, TracedItem[]>();
    for (const item of items) {
      const lane = byLane.get(item.tid);
      if (lane) lane.push(item);
      else byLane.set(item.tid, [item]);
    }
    const tids = [...byLane.keys()].sort((a, b) => a - b);
    const span = (item: TracedItem): [number, number] => [item.start, item.end];
    const spans = items.map(span);
    let ownStartup: [number, number] | undefined;
    const states: StageTrack['states'] = [];
    for (const part of read.states) {
      if (part.state === 'start-up') ownStartup = [part.start, part.end];
      else states.push({ name: part.state, span: [part.start, part.end] });
    }
    const stage: StageTrack = {
      pid,
      name: read.timerName ?? read.name ?? String(pid),
      items: items.reduce((sum, item) => sum + item.items, 0),
      spans: own ? union(spans) : spans.sort((a, b) => a[0] - b[0]),
      lanes: own
        ? tids.map((tid) => ({
            name: laneName(tid),
            spans: byLane
              .get(tid)!
              .map(span)
              .sort((a, b) => a[0] - b[0]),
          }))
        : [],
      states: own ? states : [],
      itemSpans: tids.flatMap((tid) =>
        byLane.get(tid)!.map(({ line, items, start, end }) => ({ lane: laneName(tid), line, items, start, end })),
      ),
    };
    const startup = own ? (ownStartup ?? read.timerStartup) : (read.timerStartup ?? ownStartup);
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
