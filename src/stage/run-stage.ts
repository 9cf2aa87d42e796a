import { constants, createReadStream, fstatSync, openSync, readFileSync, ReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Fifo } from '../base/fifo.js';
import { InputError } from '../base/input-error.js';
import { loadFormatDuration } from '../base/durations.js';
import { EXIT } from '../base/exit-codes.js';
import { isMarked, LineReader, markedLine, MAX_LINE_BYTES } from './lines.js';
import { systemErrorText, utf8Bytes } from '../base/messages.js';
import { onProgressSignal } from '../base/progress-signal.js';
import { isDirectory } from '../base/fd.js';
import { Sink } from './sink.js';
import type { StageTracer } from '../trace/stage-tracer.js';
import type { LineOutput, Stage, TimedOutput } from './stage.js';

/** A turn of the read loop computing longer than this lets the event loop run before the next line. */
const SLICE_MS = 10;

export interface RunOptions {
  /** Report each line's cost and a summary on stderr. */
  time: boolean;
  /** Files to read in order (`-` is stdin); none: stdin, and messages say `line N` instead of `FILE:N`. */
  files?: string[];
  /** Lines end with NUL instead of newline, in and out (-z). */
  nullTerminated?: boolean;
  /** Where the stage's own trace goes (--trace FILE, $PIPESTAGE_TRACE). */
  trace?: StageTracer;
}

export interface StageIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** An asynchronous line in flight, or (in order mode) finished and waiting for the lines before it. */
interface PendingLine {
  lineNo: number;
  terminated: boolean;
  /** how messages name the line's place (its file's naming, kept while the next file starts) */
  where: (lineNo: number) => string;
  settled: boolean;
  output: LineOutput;
  error: unknown;
  report: string;
}

/**
 * Runs `stage` over every line of the input files (or `io.stdin`), one file after the other, writing
 * through one Sink; resolves with the exit status once every result is written, or at once when the
 * reader went away or a write failed. A file that cannot be opened or read is reported; the others
 * are still processed, and the status is 1.
 */
export async function runStage(
  name: string,
  stage: Stage,
  options: RunOptions,
  io: StageIO = process,
): Promise<number> {
  const formatDuration = options.time ? await loadFormatDuration() : null;
  const separator = options.nullTerminated ? 0x00 : 0x0a;
  const terminator = String.fromCharCode(separator);
  const files = options.files ?? [];
  const inputs = files.length > 0 ? files : ['-'];
  const concurrency = stage.concurrency ?? 1;
  const ordered = stage.ordered ?? true;
  const tracer = options.trace;

  return new Promise((resolve) => {
    let status: number = EXIT.OK;
    let lineNo = 0;
    let inFlight = 0;
    let stopped = false;
    let finished = false;
    const waiting = new Fifo<PendingLine>(); // order mode only: lines whose output cannot be written yet
    const abort = new AbortController();
    const { signal } = abort;
    // Lines that produced output, and the time during which a line was being processed: timed per
    // turn of the read loop (and while asynchronous lines are in flight), never per line.
    let done = 0;
    let busyMs = 0;
    let busyWaitMs = 0; // of the busy time since busySince, how long direct writes waited for the reader
    let busySince = NaN;
    let computeTotalMs = 0; // timed stages (worker threads): the sum of the lines' own compute times
    // Traced: the lanes (concurrency slots) free for the next asynchronous line, and the next new one.
    const freeLanes: number[] = [];
    let nextLane = 1;

    // A blocking pipe on stdout, untouched so far, is written directly (see Sink).
    // (not when stderr is the same pipe, as with 2>&1: writing stderr through Node's stream makes it
    // non-blocking; the direct writes would still wait for room, but by polling)
    const directOut = io === process && isBlockingPipe(1) && !samePipe(1, 2);
    const sink = new Sink(
      directOut ? 1 : io.stdout,
      io.stderr,
      (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') {
          // The reader going away (EPIPE) ends the run quietly; any other write error is reported.
          sink.message(`${name}: write error: ${systemErrorText(error)}\n`);
          status = EXIT.FAILURE;
        }
        stop();
        // A read of a blocking pipe cannot be cancelled: it would hold the process until the writer
        // writes or ends. Nothing is left to write (stdout failed; stderr is written synchronously).
        if (readingStdinByFs) setImmediate(() => process.exit());
      },
      separator,
      (fromMs, toMs) => {
        // A direct write waited for a slow reader: not busy, and blocked on output in the trace.
        if (!Number.isNaN(busySince)) busyWaitMs += toMs - fromMs;
        workingSinceTurnStart();
        tracer?.setState('blocked on output', fromMs);
        tracer?.setState('working', toMs);
      },
    );
    // The input being read: its stream and lines, and how messages name its lines.
    let inputIndex = -1;
    let input: Readable | undefined;
    let readingStdinByFs = false;
    let lines: LineReader | undefined;
    let where = (lineNo: number): string => `line ${lineNo}`;
    let traceFile: string | undefined; // the file whose lines are read, as trace spans name it
    let bytesIn = 0; // of the inputs done, for the trace

    /** Starts reading the next input, skipping (and reporting) those that cannot be opened. */
    function nextInput(): void {
      bytesIn += lines?.bytesRead ?? 0;
      lines = undefined;
      while (++inputIndex < inputs.length) {
        const file = inputs[inputIndex]!;
        const shown = file === '-' ? '(standard input)' : file;
        const readError = (why: string): string =>
          utf8Bytes(`${name}: ${files.length > 0 ? `${shown}: ` : ''}read error: ${why}\n`);
        let stream: Readable;
        try {
          // Node reads a directory on fd 0 as empty input; `cat` says EISDIR, and so do we.
          if (file === '-' && io === process && isDirectory(0))
            throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
          stream = file === '-' ? standardInput(io) : openFile(file);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          sink.message(
            code === 'EISDIR'
              ? readError('Is a directory')
              : utf8Bytes(`${name}: cannot open '${file}': ${systemErrorText(error)}\n`),
          );
          status = EXIT.FAILURE;
          continue;
        }
        lineNo = 0;
        input = stream;
        readingStdinByFs = stream instanceof ReadStream && file === '-';
        where = files.length > 0 ? (n) => `${shown}:${n}` : (n) => `line ${n}`;
        traceFile = files.length > 0 ? file : undefined;
        stream.on('error', (error) => {
          sink.message(readError(systemErrorText(error)));
          status = EXIT.FAILURE;
          if (file === '-') stop();
          else {
            lines?.destroy();
            nextInput();
          }
        });
        lines = new LineReader(stream, pump, separator);
        // Traced: input has come; splitting it into lines is work (the read loop says when it runs out).
        if (tracer) lines.onInput = () => tracer.inputArrived();
        return;
      }
      lines = undefined;
      finish();
    }

    onProgressSignal(() => {
      const busy = busyMs + (Number.isNaN(busySince) ? 0 : performance.now() - busySince - busyWaitMs);
      const lines = done;
      void (formatDuration ? Promise.resolve(formatDuration) : loadFormatDuration()).then((format) =>
        sink.message(utf8Bytes(`${name}: ${lines} ${lines === 1 ? 'line' : 'lines'}, busy ${format(busy)}\n`)),
      );
    });

    // Traced, the lines a turn of the read loop computes one after the other form spans on lane 1,
    // cut where the sink flushes (every 1 ms of results, or 64 KiB) and where the turn ends: the
    // span's lines are counted by `done`, and nothing is done per line.
    let spanOpen = false;
    let spanStart = 0;
    let spanLine = 0;
    let spanDone = 0;
    const closeSpan = (endMs: number, nextStartMs: number): void => {
      if (done > spanDone) tracer!.item(1, spanLine, traceFile, spanStart, endMs, done - spanDone);
      spanDone = done;
      spanLine = lineNo + 1;
      spanStart = nextStartMs;
    };
    if (tracer) sink.onFlushed = (queuedAtMs, resumedAtMs) => spanOpen && closeSpan(queuedAtMs, resumedAtMs);
    // The main thread works from the start of a turn that read a line; said to the tracer once the
    // turn ends or a write waits (not in the loop over lines: its code stays the same traced or not).
    let turnStart = 0;
    let turnLine = 0;
    let turnWorking = false;
    const workingSinceTurnStart = (): void => {
      if (!tracer || turnWorking || lineNo === turnLine) return;
      tracer.setState('working', turnStart);
      turnWorking = true;
    };

    // Long computations let the event loop run (a SIGUSR1 report, a signal) between two lines: the
    // read loop then waits for its turn, whatever else ('readable', 'drain') asks it to run sooner.
    let yielded = false;
    const resume = (): void => {
      yielded = false;
      pump();
    };
    if (!directOut) io.stdout.on('drain', pump);
    nextInput();

    function pump(): void {
      if (yielded) return;
      const sliceStart = performance.now();
      // Traced: this turn's span and state start now (the clock is this turn's start too, for a
      // line waiting behind asynchronous ones: its own span runs from the clock's last reading).
      if (tracer) {
        sink.clock = spanStart = turnStart = sliceStart;
        turnLine = lineNo;
        turnWorking = false;
        spanLine = lineNo + 1;
        spanDone = done;
        spanOpen = true;
      }
      while (!stopped && lines && inFlight < concurrency && !sink.blocked) {
        if (sink.clock - sliceStart >= SLICE_MS) {
          yielded = true;
          // Twice: the loop's poll phase (where signals are read) must come before the next line.
          setImmediate(() => setImmediate(resume));
          break;
        }
        let text: string | null = lines.read();
        if (text === null) break;
        if (Number.isNaN(busySince)) busySince = sliceStart;
        lineNo += 1;
        let terminated = true;
        if (isMarked(text)) {
          const line = markedLine(text);
          if (line.overlong) {
            release(lineNo, true, undefined, new InputError(`line too long (more than ${MAX_LINE_BYTES} bytes)`), '');
            continue;
          }
          ({ text, terminated } = line);
        }
        const started = formatDuration ? performance.now() : 0;
        const traceStart = sink.clock;
        let output: LineOutput | Promise<LineOutput>;
        try {
          output = stage.processLine(text, terminated, signal);
        } catch (error) {
          release(lineNo, terminated, undefined, error, formatDuration ? lineEnded(lineNo, started, false) : '');
          continue;
        }
        if (output instanceof Promise) {
          track(lineNo, terminated, started, output, traceStart);
        } else if (waiting.size > 0) {
          const report = formatDuration ? lineEnded(lineNo, started, output !== undefined) : '';
          waiting.push({ lineNo, terminated, where, settled: true, output, error: undefined, report });
          if (tracer && output !== undefined) {
            closeSpan(sink.queuedAt, 0);
            tracer.item(1, lineNo, traceFile, traceStart, (sink.clock = performance.now()));
          }
        } else {
          release(
            lineNo,
            terminated,
            output,
            undefined,
            formatDuration ? lineEnded(lineNo, started, output !== undefined) : '',
          );
        }
      }
      if (inFlight === 0 && !Number.isNaN(busySince)) {
        busyMs += performance.now() - busySince - busyWaitMs;
        busySince = NaN;
        busyWaitMs = 0;
      }
      if (tracer) {
        closeSpan(sink.queuedAt, 0);
        spanOpen = false;
        workingSinceTurnStart();
      }
      if (tracer && !yielded) {
        const state = sink.blocked
          ? 'blocked on output'
          : inFlight > 0
            ? 'working'
            : lines && !lines.done && !lines.inputPending && !stopped
              ? 'waiting for input'
              : 'working';
        tracer.setState(state, performance.now());
      }
      finishWhenDone();
    }

    function track(
      lineNo: number,
      terminated: boolean,
      started: number,
      promise: Promise<LineOutput>,
      traceStart: number,
    ): void {
      const pending: PendingLine = {
        lineNo,
        terminated,
        where,
        settled: false,
        output: undefined,
        error: undefined,
        report: '',
      };
      inFlight += 1;
      if (ordered) waiting.push(pending);
      // Traced: a line computed in this process holds a lane (its concurrency slot) while in flight;
      // a worker thread's line is drawn on its thread's lane, with the times the thread measured.
      const file = traceFile;
      const lane = tracer && !stage.timed ? (freeLanes.pop() ?? nextLane++) : 0;
      const settle = (result: LineOutput | TimedOutput, error: unknown): void => {
        if (stopped) return;
        inFlight -= 1;
        let computeMs: number | undefined;
        let output = result as LineOutput;
        if (stage.timed && error === undefined) {
          const timed = result as TimedOutput;
          ({ output, computeMs } = timed);
          computeTotalMs += computeMs;
          if (tracer && output !== undefined)
            tracer.item(timed.lane, lineNo, file, timed.startMs, timed.startMs + computeMs);
        }
        if (lane !== 0) {
          if (error === undefined && output !== undefined)
            tracer!.item(lane, lineNo, file, traceStart, performance.now());
          freeLanes.push(lane);
        }
        pending.settled = true;
        pending.output = output;
        pending.error = error;
        if (formatDuration) pending.report = lineEnded(lineNo, started, error === undefined, computeMs);
        if (!ordered) release(lineNo, terminated, output, error, pending.report, pending.where);
        while (waiting.first?.settled) {
          const next = waiting.shift()!;
          release(next.lineNo, next.terminated, next.output, next.error, next.report, next.where);
        }
        pump();
      };
      promise.then(
        (output) => settle(output, undefined),
        (error: unknown) => settle(undefined, error ?? new Error('line failed')),
      );
    }

    /** Hands a finished line to the sink: its output, or its error after everything before it. */
    function release(
      lineNo: number,
      terminated: boolean,
      output: LineOutput,
      error: unknown,
      report: string,
      at = where,
    ): void {
      if (error === undefined) {
        if (output !== undefined) done += 1;
        if (typeof output === 'number') sink.putInteger(output);
        else if (typeof output === 'string') sink.putText(terminated ? output + terminator : output);
        else if (typeof output === 'bigint') sink.putText(`${output}${terminator}`);
        if (report !== '') sink.putReport(report);
        return;
      }
      status = EXIT.FAILURE;
      if (report !== '') sink.putReport(report);
      const why =
        error instanceof InputError
          ? error.message
          : `internal error: ${utf8Bytes(String((error as Error)?.message ?? error))}`;
      sink.message(`${utf8Bytes(`${name}: ${at(lineNo)}: `)}${why}\n`);
    }

    /** Closes a line's timing; returns its report line (empty for a line that produced nothing). */
    function lineEnded(lineNo: number, started: number, counted: boolean, computeMs?: number): string {
      if (!counted) return '';
      return utf8Bytes(`${name}: ${where(lineNo)}: ${formatDuration!(computeMs ?? performance.now() - started)}\n`);
    }

    /** Once every line of this input is written: the next input, or the end. */
    function finishWhenDone(): void {
      if (lines?.done && inFlight === 0 && waiting.size === 0) nextInput();
    }

    function stop(): void {
      if (stopped) return;
      stopped = true;
      abort.abort();
      lines?.destroy();
      input?.destroy();
      finish();
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      if (formatDuration) {
        const compute = stage.timed
          ? ` (wall time with a line in progress), compute ${formatDuration(computeTotalMs)} (summed over the worker threads)`
          : '';
        sink.putReport(
          utf8Bytes(`${name}: ${done} ${done === 1 ? 'line' : 'lines'}, busy ${formatDuration(busyMs)}${compute}\n`),
        );
      }
      sink.flush();
      if (!directOut) io.stdout.off('drain', pump);
      stage.close?.();
      tracer?.close(performance.now(), {
        status,
        lines: done,
        bytesIn: bytesIn + (lines?.bytesRead ?? 0),
        bytesOut: sink.bytesOut,
      });
      resolve(status);
    }
  });
}

/**
 * Standard input as a stream. A pipe is read as a file is (fs reads into buffers of the size read)
 * rather than through Node's socket for pipes, whose 64 KiB read buffers each hold a few KiB of a
 * pipe: piped input then costs the memory a file does (measured: 10M lines, peak RSS 67 → 58 MB).
 */
function standardInput(io: StageIO): Readable {
  // (process.stdin is not touched before: making it sets O_NONBLOCK on the pipe, which fs reads cannot take)
  if (io === process && isBlockingPipe(0)) return createReadStream('', { fd: 0, autoClose: false });
  return io.stdin;
}

/** True when fd is a pipe in blocking mode (its O_NONBLOCK flag, from /proc/self/fdinfo, is clear). */
function isBlockingPipe(fd: number): boolean {
  try {
    if (!fstatSync(fd).isFIFO()) return false;
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return flags !== null && (Number.parseInt(flags[1]!, 8) & constants.O_NONBLOCK) === 0;
  } catch {
    return false;
  }
}

/** True when two descriptors are the same pipe. */
function samePipe(a: number, b: number): boolean {
  try {
    const [one, two] = [fstatSync(a), fstatSync(b)];
    return one.isFIFO() && two.isFIFO() && one.ino === two.ino && one.dev === two.dev;
  } catch {
    return false;
  }
}

/** A file's contents as a stream; throws (EISDIR for a directory) when it cannot be read. */
function openFile(file: string): Readable {
  const fd = openSync(file, 'r');
  if (isDirectory(fd)) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  return createReadStream('', { fd });
}
