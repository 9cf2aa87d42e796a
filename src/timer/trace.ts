import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { MERGE_SPAN_MS, type CompletedRun } from './items.js';

/** Event text gathered before one append (each append holds whole events only). */
const APPEND_AT_BYTES = 65_536;

/** Microseconds on the wall clock every process shares (the Trace Event Format's `ts`). */
export function traceClockUs(ms: number): number {
  return Math.round((performance.timeOrigin + ms) * 1000);
}

/**
 * Appends one stage's spans to a Chrome Trace Event Format file shared by every timer of a run: the
 * first creates it (exclusively) and writes `[`; each appends whole `"ph":"X"` events with O_APPEND,
 * each followed by a comma (the format allows the closing bracket to be missing). Items completing
 * less than 1 ms after a span's start join it, with their count, so a 10M-line run stays small.
 */
export class TraceWriter {
  private readonly fd: number;
  private pending = '';
  private open: { startMs: number; endMs: number; first: number; count: number } | undefined;

  constructor(path: string, private readonly label: string, private readonly pid: number) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND, 0o644);
      writeSync(fd, '[\n');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
    }
    this.fd = fd;
    this.event({ name: 'process_name', ph: 'M', pid, tid: 1, args: { name: label } });
    this.append();
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

  /** Writes the open span and everything pending, and closes the file. */
  close(): void {
    if (this.open) this.span(this.open);
    this.open = undefined;
    this.append();
    closeSync(this.fd);
  }

  private span(span: { startMs: number; endMs: number; first: number; count: number }): void {
    const ts = traceClockUs(span.startMs);
    const args = span.count === 1 ? { item: span.first } : { item: span.first, items: span.count };
    this.event({ name: this.label, cat: 'item', ph: 'X', ts, dur: Math.max(0, traceClockUs(span.endMs) - ts), pid: this.pid, tid: 1, args });
    if (this.pending.length >= APPEND_AT_BYTES) this.append();
  }

  private event(event: Record<string, unknown>): void {
    this.pending += `${JSON.stringify(event)},\n`;
  }

  private append(): void {
    if (this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}
