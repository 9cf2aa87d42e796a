import { Fifo } from '../base/fifo.js';

/** Consecutive items that complete less than this apart share one trace span (with their count). */
export const MERGE_SPAN_MS = 1;

/** Count of `separator` bytes in a chunk (a plain loop: faster than indexOf per line on short lines). */
export function countNewlines(chunk: Uint8Array, separator = 0x0a): number {
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
