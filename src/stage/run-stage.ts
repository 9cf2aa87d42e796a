import { fstatSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { InputError } from '../work/input-error.js';
import { loadFormatDuration } from './durations.js';
import { EXIT } from './exit-codes.js';
import { isMarked, LineReader, markedLine, MAX_LINE_BYTES } from './lines.js';
import { systemErrorText, utf8Bytes } from './messages.js';
import { Sink } from './sink.js';

/**
 * What a line produces: text (a latin1 byte string, with its own terminator), an integer (written
 * as one line of decimal digits, without building a string when it is a Number), or undefined to
 * write nothing.
 */
export type LineOutput = string | number | bigint | undefined;

/** A line filter: the engine feeds it lines and owns everything else. */
export interface Stage {
  /**
   * The output for one line, given as a latin1 byte string without its newline (`terminated` says
   * whether it had one), or a promise of it. Bad data throws (or rejects with) an InputError.
   * `signal` aborts when the run stops early (reader gone, write error).
   */
  processLine(text: string, terminated: boolean, signal: AbortSignal): LineOutput | Promise<LineOutput>;
  /** How many asynchronous lines may be in flight at once (default 1). */
  concurrency?: number;
  /** Write outputs in input order (default), or as they complete. */
  ordered?: boolean;
  /** Releases what the stage holds (threads) once the run is over. */
  close?(): void;
}

export interface RunOptions {
  /** Report each line's cost and a summary on stderr. */
  time: boolean;
}

export interface StageIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** An asynchronous line in flight, or (in order mode) finished and waiting for the lines before it. */
interface PendingLine {
  lineNo: number;
  settled: boolean;
  output: LineOutput;
  error: unknown;
  report: string;
}

/**
 * Runs `stage` over every line of `io.stdin`, writing through one Sink; resolves with the exit status
 * once every result is written, or at once when the reader went away or a write failed.
 */
export async function runStage(name: string, stage: Stage, options: RunOptions, io: StageIO = process): Promise<number> {
  const formatDuration = options.time ? await loadFormatDuration() : null;
  // Node reads a directory on fd 0 as empty input; `cat` says EISDIR, and so do we.
  if (io.stdin === process.stdin && isDirectory(0)) {
    io.stderr.write(`${name}: read error: Is a directory\n`);
    return EXIT.FAILURE;
  }
  const concurrency = stage.concurrency ?? 1;
  const ordered = stage.ordered ?? true;

  return new Promise((resolve) => {
    let status: number = EXIT.OK;
    let lineNo = 0;
    let inFlight = 0;
    let stopped = false;
    let finished = false;
    const waiting: PendingLine[] = []; // order mode only: lines whose output cannot be written yet
    const abort = new AbortController();
    const { signal } = abort;
    // --time: lines done, and the time during which at least one line was being processed.
    let done = 0;
    let active = 0;
    let activeSince = 0;
    let busyMs = 0;

    const sink = new Sink(io.stdout, io.stderr, (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') {
        // The reader going away (EPIPE) ends the run quietly; any other write error is reported.
        sink.message(`${name}: write error: ${systemErrorText(error)}\n`);
        status = EXIT.FAILURE;
      }
      stop();
    });
    const readFailed = (error: unknown): void => {
      sink.message(`${name}: read error: ${systemErrorText(error)}\n`);
      status = EXIT.FAILURE;
      stop();
    };
    io.stdin.on('error', readFailed);
    const lines = new LineReader(io.stdin, pump);
    io.stdout.on('drain', pump);

    function pump(): void {
      while (!stopped && inFlight < concurrency && !sink.blocked) {
        let text: string | null = lines.read();
        if (text === null) break;
        lineNo += 1;
        let terminated = true;
        if (isMarked(text)) {
          const line = markedLine(text);
          if (line.overlong) {
            release(lineNo, undefined, new InputError(`line too long (more than ${MAX_LINE_BYTES} bytes)`), '');
            continue;
          }
          ({ text, terminated } = line);
        }
        const started = formatDuration ? lineStarted() : 0;
        let output: LineOutput | Promise<LineOutput>;
        try {
          output = stage.processLine(text, terminated, signal);
        } catch (error) {
          release(lineNo, undefined, error, formatDuration ? lineEnded(lineNo, started, false) : '');
          continue;
        }
        if (output instanceof Promise) {
          track(lineNo, started, output);
        } else if (waiting.length > 0) {
          const report = formatDuration ? lineEnded(lineNo, started, output !== undefined) : '';
          waiting.push({ lineNo, settled: true, output, error: undefined, report });
        } else {
          release(lineNo, output, undefined, formatDuration ? lineEnded(lineNo, started, output !== undefined) : '');
        }
      }
      finishWhenDone();
    }

    function track(lineNo: number, started: number, promise: Promise<LineOutput>): void {
      const pending: PendingLine = { lineNo, settled: false, output: undefined, error: undefined, report: '' };
      inFlight += 1;
      if (ordered) waiting.push(pending);
      const settle = (output: LineOutput, error: unknown): void => {
        if (stopped) return;
        inFlight -= 1;
        pending.settled = true;
        pending.output = output;
        pending.error = error;
        if (formatDuration) pending.report = lineEnded(lineNo, started, error === undefined);
        if (!ordered) release(lineNo, output, error, pending.report);
        while (waiting.length > 0 && waiting[0]!.settled) {
          const next = waiting.shift()!;
          release(next.lineNo, next.output, next.error, next.report);
        }
        pump();
      };
      promise.then(
        (output) => settle(output, undefined),
        (error: unknown) => settle(undefined, error ?? new Error('line failed')),
      );
    }

    /** Hands a finished line to the sink: its output, or its error after everything before it. */
    function release(lineNo: number, output: LineOutput, error: unknown, report: string): void {
      if (error === undefined) {
        if (typeof output === 'number') sink.putInteger(output);
        else if (typeof output === 'string') sink.putText(output);
        else if (typeof output === 'bigint') sink.putText(`${output}\n`);
        if (report !== '') sink.putReport(report);
        return;
      }
      status = EXIT.FAILURE;
      if (report !== '') sink.putReport(report);
      const why = error instanceof InputError ? error.message : `internal error: ${utf8Bytes(String((error as Error)?.message ?? error))}`;
      sink.message(`${name}: line ${lineNo}: ${why}\n`);
    }

    function lineStarted(): number {
      const now = performance.now();
      if (active++ === 0) activeSince = now;
      return now;
    }

    /** Closes a line's timing; returns its report line (empty for a line that produced nothing). */
    function lineEnded(lineNo: number, started: number, counted: boolean): string {
      const now = performance.now();
      if (--active === 0) busyMs += now - activeSince;
      if (!counted) return '';
      done += 1;
      return utf8Bytes(`${name}: line ${lineNo}: ${formatDuration!(now - started)}\n`);
    }

    function finishWhenDone(): void {
      if (lines.done && inFlight === 0 && waiting.length === 0) finish();
    }

    function stop(): void {
      if (stopped) return;
      stopped = true;
      abort.abort();
      lines.destroy();
      io.stdin.destroy();
      finish();
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      if (formatDuration) {
        sink.putReport(utf8Bytes(`${name}: ${done} ${done === 1 ? 'line' : 'lines'}, busy ${formatDuration(busyMs)}\n`));
      }
      sink.flush();
      io.stdout.off('drain', pump);
      stage.close?.();
      resolve(status);
    }
  });
}

function isDirectory(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}
