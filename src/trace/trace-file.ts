import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { processStartTicks, TICKS_PER_SECOND } from '../base/proc.js';

/** Writers of one run start within this much of each other; a file begun earlier is an earlier run's. */
const SAME_RUN_SECONDS = 2;

/** Why a trace file cannot be written: the message says it (timer exits 125 on it). */
export class TraceRefused extends Error {}

// The trace format (Chrome's Trace Event Format) as pipestage writes it, and the file protocol that lets
// every writer of a run (timer -- CMD, traced stages, timer --pipeline) append to one file.

/** A trace event as written by pipestage (and as read back by `timer report` and `timer --pipeline`). */
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

/** A traced stage's lane (tid) of its main thread's states, named `main`; its items are on lanes 1..N. */
export const STATE_LANE = 0;
/** The lane (tid) of timer's own view of a command, named `timer` (and of timer --pipeline's `states`). */
export const TIMER_LANE = 1_000_000;

// (read once: performance.timeOrigin is a getter that asks the runtime each time)
const TIME_ORIGIN_MS = performance.timeOrigin;

/** Microseconds on the wall clock every process shares (the Trace Event Format's `ts`). */
export function traceClockUs(ms: number): number {
  return Math.round((TIME_ORIGIN_MS + ms) * 1000);
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
 * Opens a trace file for appending, before anything is started: creates it (already holding its `[`),
 * or joins it when every writer already in it started within 2 s of this process (one run). A file
 * of an earlier run, or one that is not a trace, is refused (TraceRefused) and left untouched.
 */
export function openTraceFile(path: string): number {
  if (createWithBracket(path)) return openSync(path, constants.O_WRONLY | constants.O_APPEND);
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
  try {
    if (!fstatSync(fd).isFile()) throw new TraceRefused(`${path}: not a regular file; not written`);
    // An empty file (made by the user) is a new trace: its `[` first.
    if (fstatSync(fd).size === 0) {
      writeSync(fd, '[\n');
      return fd;
    }
    let parsed;
    try {
      parsed = parseTraceEvents(readFileSync(path, 'utf8'));
    } catch (error) {
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

/**
 * Creates the trace file with its `[` already in it, in one step (written aside, then linked into
 * place: link fails if the name exists), so that a writer joining an instant later never appends
 * before the `[`. False when the file exists already, or when nothing can be written beside it (a
 * directory this process may not write in: then only an existing file can be joined).
 */
function createWithBracket(path: string): boolean {
  const aside = `${path}.${process.pid}.new`;
  try {
    writeFileSync(aside, '[\n', { flag: 'wx', mode: 0o644 });
  } catch {
    return false;
  }
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // No hard links on this file system: created exclusively, then its `[` (a joiner waits for it).
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    writeSync(fd, '[\n');
    closeSync(fd);
    return true;
  } finally {
    rmSync(aside, { force: true });
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

  /**
   * Adds an event; what is pending is appended once it is large, or at least once a second (a writer
   * killed by a signal then loses at most its last second).
   */
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
