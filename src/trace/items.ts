import { Fifo } from '../base/fifo.js';
import { type ItemSpan, SpanMerger, TIMER_MERGE_MS } from './spans.js';
import { TIMER_LANE, traceClockUs, TraceAppender } from './trace-file.js';

// Timer's outside view of a command (timer -- CMD): items paired going in and coming out, and their trace.

/** Count of `separator` bytes in a chunk (a plain loop: faster than indexOf per line on short lines). */
function countNewlines(chunk: Uint8Array, separator = 0x0a): number {
  let count = 0;
  for (let i = 0; i < chunk.length; i++) if (chunk[i] === separator) count++;
  return count;
}

/** Items completed together: output lines first..first+count-1, all out at `outMs`. */
export interface CompletedRun {
  first: number;
  count: number;
  outMs: number;
  /** when the first of them started being served: max(its input time, the previous output time) */
  serviceStartMs: number;
  /** input time of each item (NaN for an output line with no input line to pair with) */
  inMs: (k: number) => number;
}

/**
 * Pairs the k-th output line with the k-th input line (meaningful for line-to-line filters). Input
 * lines read together share one record, so the cost is per chunk, not per line, unless per-item data
 * is asked for.
 */
export class ItemClock {
  linesIn = 0;
  linesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  private inEndsLine = true;
  private outEndsLine = true;
  /** Input lines not yet answered, as runs of lines read together. */
  private readonly unanswered = new Fifo<{ atMs: number; count: number }>();
  private lastOutMs: number;

  /** `separator` ends an item: '\n', or NUL (timer -z). */
  constructor(
    startMs: number,
    private readonly separator = 0x0a,
  ) {
    this.lastOutMs = startMs;
  }

  /** Input bytes read at `atMs`. */
  input(chunk: Uint8Array, atMs: number): void {
    if (chunk.length === 0) return;
    const lines = countNewlines(chunk, this.separator);
    this.bytesIn += chunk.length;
    this.inEndsLine = chunk[chunk.length - 1] === this.separator;
    this.addInputLines(lines, atMs);
  }

  /** The input ended: a last line without newline still counts. */
  inputEnded(atMs: number): void {
    if (!this.inEndsLine) {
      this.inEndsLine = true;
      this.addInputLines(1, atMs);
    }
  }

  /** Output bytes written at `atMs`; returns the items they complete, if any. */
  output(chunk: Uint8Array, atMs: number): CompletedRun | undefined {
    if (chunk.length === 0) return undefined;
    this.bytesOut += chunk.length;
    this.outEndsLine = chunk[chunk.length - 1] === this.separator;
    return this.complete(countNewlines(chunk, this.separator), atMs);
  }

  /** The output ended: a last line without newline is an item too. */
  outputEnded(atMs: number): CompletedRun | undefined {
    if (this.outEndsLine) return undefined;
    this.outEndsLine = true;
    return this.complete(1, atMs);
  }

  private addInputLines(count: number, atMs: number): void {
    if (count === 0) return;
    this.linesIn += count;
    this.unanswered.push({ atMs, count });
  }

  private complete(count: number, atMs: number): CompletedRun | undefined {
    if (count === 0) return undefined;
    const first = this.linesOut + 1;
    this.linesOut += count;
    // Take `count` input times off the queue, remembering them for per-item questions.
    const times: number[] = [];
    const counts: number[] = [];
    let wanted = count;
    while (wanted > 0 && this.unanswered.size > 0) {
      const run = this.unanswered.first!;
      const taken = Math.min(run.count, wanted);
      times.push(run.atMs);
      counts.push(taken);
      wanted -= taken;
      if (taken === run.count) this.unanswered.shift();
      else run.count -= taken;
    }
    const firstIn = times.length > 0 ? times[0]! : NaN;
    const run: CompletedRun = {
      first,
      count,
      outMs: atMs,
      serviceStartMs: Number.isNaN(firstIn) ? this.lastOutMs : Math.max(firstIn, this.lastOutMs),
      inMs: (k) => {
        let offset = k - first;
        for (let i = 0; i < counts.length; i++) {
          if (offset < counts[i]!) return times[i]!;
          offset -= counts[i]!;
        }
        return NaN;
      },
    };
    this.lastOutMs = atMs;
    return run;
  }
}

/**
 * Appends timer's outside view of one command to a trace file shared by every writer of a run (opened
 * by openTraceFile): one span per item seen going in and coming out, on the command's lane `timer` (a
 * traced stage writes its own lanes beside it), items merged into spans of up to TIMER_MERGE_MS.
 */
export class TraceWriter {
  private readonly out: TraceAppender;
  private readonly merger = new SpanMerger(TIMER_MERGE_MS, (_lane, span) => this.span(span));
  /** The first span, held back until the end: only then is its start-up known. */
  private firstSpan: ItemSpan | undefined;
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

  /** Records the items of a completed run. */
  items(run: CompletedRun): void {
    this.merger.add(TIMER_LANE, run.first, undefined, run.serviceStartMs, run.outMs, run.count);
  }

  /**
   * Writes the open span and everything pending, and closes the file. Seen from outside, the first
   * item's span also holds the command's start-up: its excess over the median per-item service time
   * of the other items is written as a span of its own (`"cat":"startup"`), never as an item's work.
   */
  close(): void {
    this.merger.flush();
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

  private span(span: ItemSpan): void {
    if (this.spans++ === 0) {
      this.firstSpan = span;
      return;
    }
    this.perItemMs.push((span.endMs - span.startMs) / span.count);
    this.writeSpan(span);
  }

  private writeSpan(span: ItemSpan): void {
    const ts = traceClockUs(span.startMs);
    const args = span.count === 1 ? { line: span.line } : { line: span.line, items: span.count };
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
