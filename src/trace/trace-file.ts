import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { MERGE_SPAN_MS, type CompletedRun } from './items.js';
import { processStartTicks, TICKS_PER_SECOND } from '../base/proc.js';

/** Writers of one run start within this much of each other; a file begun earlier is an earlier run's. */
const SAME_RUN_SECONDS = 2;

/** Why a trace file cannot be written: the message says it (timer exits 125 on it). */
export class TraceRefused extends Error {}

/** A trace event as written by pipestage (and as read back by `timer report`). */
export interface TraceEvent {
  ph?: string;
  name?: string;
  cat?: string;
  pid?: number;
  tid?: number;
  ts?: number;
  dur?: number;
  args?: { name?: string; items?: number; startTicks?: number; [key: string]: unknown };
}

/**
 * A stage's state span as the states it held, one after the other: a span that merged several short
 * states (its `args` gives each one's ms) becomes one part per state, of that state's length (scaled
 * to the span's), in the order the stages list them; any other span is itself. Times as in the event (µs).
 */
export function stateParts(event: TraceEvent): { state: string; start: number; end: number }[] {
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

/**
 * The events of a trace file: a JSON array, or pipestage's appended form (`[`, then one event per
 * line followed by a comma, no closing bracket). `cut` tells that the last line was incomplete (a
 * writer was stopped mid-way); what is complete is returned. Throws an Error saying why the text is
 * not a trace at all.
 */
export function parseTraceEvents(text: string): { events: TraceEvent[]; cut: boolean } {
  const body = text.trim();
  if (body === '') throw new Error('empty file, not a trace');
  if (!body.startsWith('[')) throw new Error('not a trace file (it does not begin with [)');
  try {
    const events = JSON.parse(body.endsWith(']') ? body : `${body.replace(/,\s*$/, '')}]`) as unknown;
    if (Array.isArray(events)) return { events: events as TraceEvent[], cut: false };
  } catch {
    // one event per line: keep every complete one
  }
  const lines = body
    .slice(1)
    .split('\n')
    .map((line) => line.trim().replace(/,$/, ''))
    .filter((line) => line !== '' && line !== ']');
  const events: TraceEvent[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      events.push(JSON.parse(line) as TraceEvent);
    } catch {
      if (index === lines.length - 1 && events.length > 0) return { events, cut: true };
      throw new Error(`not a trace file (line ${index + 2} is not a trace event)`);
    }
  }
  return { events, cut: false };
}

/**
 * Opens a trace file for appending, before anything is started: creates it (exclusively, with `[`),
 * or joins it when every writer already in it started within 2 s of this process (one run). A file
 * of an earlier run, or one that is not a trace, is refused (TraceRefused) and left untouched.
 */
export function openTraceFile(path: string): number {
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND, 0o644);
    writeSync(fd, '[\n');
    return fd;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
  try {
    if (!fstatSync(fd).isFile()) throw new TraceRefused(`${path}: not a regular file; not written`);
    let parsed;
    try {
      parsed = parseTraceEvents(readFileSync(path, 'utf8'));
    } catch (error) {
      // Created an instant ago by another writer of this run, which has not written its `[` yet.
      if (fstatSync(fd).size === 0) return fd;
      throw new TraceRefused(`${path}: ${(error as Error).message}; not written`);
    }
    // A file that `timer --pipeline` keeps open for its run: any stage of that run joins, however late it starts.
    if (parsed.events.some((event) => isOpenRun(event.args?.['openRun']))) return fd;
    const starts = parsed.events.flatMap((event) =>
      typeof event.args?.startTicks === 'number' ? [event.args.startTicks] : [],
    );
    const mine = processStartTicks('self') ?? 0;
    const earliest = Math.min(...starts);
    if (parsed.events.length > 0 && (starts.length === 0 || mine - earliest > SAME_RUN_SECONDS * TICKS_PER_SECOND)) {
      throw new TraceRefused(`${path}: trace of an earlier run; remove it`);
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Whether a run marker names a process still alive (the pid has not been reused: same start time). */
function isOpenRun(marker: unknown): boolean {
  if (typeof marker !== 'object' || marker === null) return false;
  const { pid, startTicks } = marker as { pid?: unknown; startTicks?: unknown };
  return typeof pid === 'number' && typeof startTicks === 'number' && processStartTicks(pid) === startTicks;
}

/**
 * Marks a trace file (opened by openTraceFile) as open to every writer while this process lives: the
 * stages of a `timer --pipeline` run join it whenever they start (`a; sleep 3; b`).
 */
export function markOpenRun(fd: number): void {
  const marker = {
    name: 'pipestage_run',
    ph: 'M',
    pid: process.pid,
    tid: TIMER_LANE,
    args: { openRun: { pid: process.pid, startTicks: processStartTicks('self') ?? 0 } },
  };
  writeSync(fd, `${JSON.stringify(marker)},\n`);
}

/** Event text gathered before one append (each append holds whole events only), and for how long at most. */
const APPEND_AT_BYTES = 65_536;
const FLUSH_EVERY_MS = 1000;

/**
 * Appends whole events to a trace file opened by openTraceFile, each followed by a comma (the format
 * allows the closing bracket to be missing), gathered into appends of whole events (O_APPEND), so
 * that every writer of a run can share the file.
 */
export class TraceAppender {
  private pending = '';
  private flushedAt = performance.now();

  constructor(private readonly fd: number) {}

  /** A metadata event (`process_name` also records this process's start time: see openTraceFile). */
  metadata(name: 'process_name' | 'thread_name', pid: number, tid: number, args: { name: string }): void {
    this.event({
      name,
      ph: 'M',
      pid,
      tid,
      args: name === 'process_name' ? { ...args, startTicks: processStartTicks('self') ?? 0 } : args,
    });
    if (name === 'process_name') this.flush();
  }

  /** Adds an event; what is pending is appended once it is large, or at least once a second (a writer killed by a signal then loses at most its last second). */
  event(event: Record<string, unknown>): void {
    this.json(JSON.stringify(event));
  }

  /** Adds an event given as its JSON text (one line). */
  json(text: string): void {
    this.pending += `${text},\n`;
    if (this.pending.length >= APPEND_AT_BYTES || performance.now() - this.flushedAt >= FLUSH_EVERY_MS) this.flush();
  }

  flush(): void {
    this.flushedAt = performance.now();
    if (this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** The lane (tid) of timer's own view of a command, named `timer`: a traced stage's lanes are 0..N. */
export const TIMER_LANE = 1_000_000;

// (read once: performance.timeOrigin is a getter that asks the runtime each time)
const TIME_ORIGIN_MS = performance.timeOrigin;

/** Microseconds on the wall clock every process shares (the Trace Event Format's `ts`). */
export function traceClockUs(ms: number): number {
  return Math.round((TIME_ORIGIN_MS + ms) * 1000);
}

interface Span {
  startMs: number;
  endMs: number;
  first: number;
  count: number;
}

/**
 * Appends timer's outside view of one command to a Chrome Trace Event Format file shared by every
 * writer of a run (opened by openTraceFile): one span per item seen going in and coming out, on the
 * command's lane `timer` (a traced stage writes its own lanes beside it). Items completing less than
 * 1 ms after a span's start join it, with their count, so a 10M-line run stays small.
 */
export class TraceWriter {
  private readonly out: TraceAppender;
  private open: Span | undefined;
  /** The first span, held back until the end: only then is its start-up known. */
  private firstSpan: Span | undefined;
  private spans = 0;
  /** Per-item service time of every later span, for their median. */
  private readonly perItemMs: number[] = [];

  /** `fd` from openTraceFile; `pid` the process the spans are of (they go on its lane `timer`). */
  constructor(
    fd: number,
    private readonly label: string,
    private readonly pid: number,
  ) {
    this.out = new TraceAppender(fd);
    this.out.metadata('process_name', pid, TIMER_LANE, { name: label });
    this.out.metadata('thread_name', pid, TIMER_LANE, { name: 'timer' });
  }

  /** Records the items of a completed run (merging them into the open span when close enough). */
  items(run: CompletedRun): void {
    const open = this.open;
    if (open && run.outMs - open.startMs < MERGE_SPAN_MS) {
      open.endMs = run.outMs;
      open.count += run.count;
      return;
    }
    if (open) this.span(open);
    this.open = { startMs: run.serviceStartMs, endMs: run.outMs, first: run.first, count: run.count };
  }

  /**
   * Writes the open span and everything pending, and closes the file. Seen from outside, the first
   * item's span also holds the command's start-up: its excess over the median per-item service time
   * of the other items is written as a span of its own (`"cat":"startup"`), never as an item's work.
   */
  close(): void {
    if (this.open) this.span(this.open);
    this.open = undefined;
    const first = this.firstSpan;
    if (first && this.perItemMs.length > 0) {
      const sorted = [...this.perItemMs].sort((a, b) => a - b);
      const median = sorted[sorted.length >> 1]!;
      const startupEndMs = first.endMs - first.count * median;
      if (startupEndMs > first.startMs) {
        const ts = traceClockUs(first.startMs);
        this.out.event({
          name: 'start-up',
          cat: 'startup',
          ph: 'X',
          ts,
          dur: traceClockUs(startupEndMs) - ts,
          pid: this.pid,
          tid: TIMER_LANE,
          args: { medianItemMs: Math.round(median * 1000) / 1000 },
        });
        first.startMs = startupEndMs;
      }
    }
    if (first) this.writeSpan(first);
    this.out.close();
  }

  private span(span: Span): void {
    if (this.spans++ === 0) {
      this.firstSpan = span;
      return;
    }
    this.perItemMs.push((span.endMs - span.startMs) / span.count);
    this.writeSpan(span);
  }

  private writeSpan(span: Span): void {
    const ts = traceClockUs(span.startMs);
    const args = span.count === 1 ? { line: span.first } : { line: span.first, items: span.count };
    this.out.event({
      name: this.label,
      cat: 'item',
      ph: 'X',
      ts,
      dur: Math.max(0, traceClockUs(span.endMs) - ts),
      pid: this.pid,
      tid: TIMER_LANE,
      args,
    });
  }
}
