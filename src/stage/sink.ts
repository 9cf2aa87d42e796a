import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Results pending for at least this long are written, so that the next stage can start at once. */
const FLUSH_AFTER_MS = 1;
/** Results pending up to this many bytes are written together. */
const FLUSH_AT_BYTES = 65_536;
/** Room past FLUSH_AT_BYTES for the integer that crosses it (2^53 has 16 digits). */
const INTEGER_ROOM = 32;

/**
 * The flush policy and the only writer of a stage's stdout and stderr. Results are gathered in a
 * byte buffer (integers are written into it digit by digit: no string per result, so little garbage
 * and flat memory) and written at once when the previous write is ≥1 ms old (computing took real
 * time, or the stage was idle); results that come faster are coalesced into one write per 64 KiB or
 * per turn of the event loop, never one syscall per line. Reports and messages are latin1 strings.
 */
export class Sink {
  private buffer = Buffer.allocUnsafe(FLUSH_AT_BYTES + INTEGER_ROOM);
  private length = 0;
  private err = '';
  private lastFlush = -Infinity;
  /** Bytes of results handed to stdout so far. */
  bytesOut = 0;
  /** The clock (performance.now()) as last read when a result was queued or written. */
  clock = 0;
  /** The clock when the last result was queued (before any write it led to, which may wait for the reader). */
  queuedAt = 0;
  /**
   * Traced stages: called after a flush that results coming fast made (every 1 ms or 64 KiB of
   * them), with when the last result written was queued and when computing resumes (after the write).
   */
  onFlushed: ((queuedAtMs: number, resumedAtMs: number) => void) | undefined;
  private scheduled = false;
  private failed = false;
  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /**
   * `stdout` is a stream, or a file descriptor written directly (a pipe in blocking mode: each write
   * returns once the reader took the bytes, without a stream's event-loop turns). `onFailure` hears
   * of the first stdout write error (EPIPE included); no result is written after it. `onWriteWait`
   * hears of a direct write that waited (the reader was slow) 1 ms or more.
   */
  constructor(
    private readonly stdout: Writable | number,
    private readonly stderr: Writable,
    private readonly onFailure: (error: Error) => void,
    /** the byte ending each result: '\n', or NUL with -z */
    private readonly terminator = 0x0a,
    private readonly onWriteWait?: (fromMs: number, toMs: number) => void,
  ) {
    if (typeof stdout !== 'number') stdout.on('error', (error) => this.fail(error));
    // Nowhere is left to report a failing stderr to; results still go to stdout.
    stderr.on('error', () => {});
  }

  /** True while stdout is full: stop producing until 'drain' (never for a direct descriptor: its writes wait). */
  get blocked(): boolean {
    return typeof this.stdout !== 'number' && this.stdout.writableNeedDrain;
  }

  /** Queues an integer result as one line of decimal digits. */
  putInteger(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0)
      return this.putText(`${value}${String.fromCharCode(this.terminator)}`);
    const buffer = this.buffer;
    let end = this.length + digitCount(value);
    this.length = end + 1;
    buffer[end] = this.terminator;
    if (value < 0x80000000) {
      let rest = value | 0;
      do {
        const tenth = (rest / 10) | 0;
        buffer[--end] = 0x30 + rest - tenth * 10;
        rest = tenth;
      } while (rest > 0);
    } else {
      let rest = value;
      do {
        const tenth = Math.floor(rest / 10);
        buffer[--end] = 0x30 + rest - tenth * 10;
        rest = tenth;
      } while (rest > 0);
    }
    this.afterPut();
  }

  /** Queues a result given as a latin1 byte string (its terminator included). */
  putText(text: string): void {
    if (this.length + text.length > this.buffer.length) {
      this.flush();
      if (text.length > FLUSH_AT_BYTES) {
        this.writeOut(text);
        return;
      }
    }
    this.length += this.buffer.write(text, this.length, 'latin1');
    this.afterPut();
  }

  /** Queues a report line for stderr, written together with the results before it. */
  putReport(text: string): void {
    this.err += text;
    this.afterPut();
  }

  /** Writes a message on stderr at once, after every result queued before it. */
  message(text: string): void {
    this.err += text;
    this.flush();
  }

  /** Writes everything pending: results first, then the reports about them. */
  flush(): void {
    this.lastFlush = this.clock = performance.now();
    if (this.length > 0) {
      const bytes = this.buffer.subarray(0, this.length);
      this.length = 0;
      this.writeOut(bytes);
      // A write still in progress holds on to the bytes: gather the next results elsewhere.
      if (typeof this.stdout !== 'number' && this.stdout.writableLength > 0)
        this.buffer = Buffer.allocUnsafe(this.buffer.length);
    }
    if (this.err.length > 0 && !this.stderr.destroyed) {
      const text = this.err;
      this.err = '';
      this.stderr.write(text, 'latin1');
    }
  }

  private afterPut(): void {
    this.clock = this.queuedAt = performance.now();
    if (this.length >= FLUSH_AT_BYTES || this.clock - this.lastFlush >= FLUSH_AFTER_MS) {
      this.flush();
      this.onFlushed?.(this.queuedAt, this.clock);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
  }

  private writeOut(data: Buffer | string): void {
    if (this.failed) return;
    this.bytesOut += data.length; // a string here is latin1: a byte per character
    if (typeof this.stdout === 'number')
      return this.writeDirect(this.stdout, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    this.stdout.write(data, 'latin1');
    // A failed write destroys the stream synchronously: stop before computing anything more.
    if (this.stdout.errored) this.fail(this.stdout.errored);
  }

  private writeDirect(fd: number, bytes: Buffer): void {
    const started = performance.now();
    try {
      for (let done = 0; done < bytes.length; ) {
        try {
          done += writeSync(fd, bytes, done, bytes.length - done);
        } catch (error) {
          // Another process sharing the pipe may have made it non-blocking: wait for room as a blocking write would.
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          Atomics.wait(pause, 0, 0, 1);
        }
      }
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    const ended = (this.clock = performance.now());
    if (ended - started >= 1) this.onWriteWait?.(started, ended);
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.length = 0;
    this.onFailure(error);
  }
}

// Nobody notifies it: Atomics.wait on it sleeps for its timeout.
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Decimal digits of a non-negative safe integer. */
function digitCount(value: number): number {
  let count = 1;
  let bound = 10;
  while (value >= bound && count < 16) {
    count += 1;
    bound *= 10;
  }
  return value >= bound ? count + 1 : count;
}
