import { loadFormatDuration } from '../base/durations.js';
import { EXIT } from '../base/exit-codes.js';
import { Fifo } from '../base/fifo.js';
import { InputError } from '../base/input-error.js';
import { systemErrorText, utf8Bytes } from '../base/messages.js';
import { BusyTime } from './busy.js';
import { InputFiles, type OpenInput, type StageIO, writesStdoutDirectly } from './inputs.js';
import { isMarked, LineReader, markedLine, MAX_LINE_BYTES } from './lines.js';
import { Sink } from './sink.js';
import type { LineOutput, RunOptions, Stage, TimedOutput } from './stage.js';
import { TurnTracer } from './turn-tracer.js';

/** A turn of the read loop computing longer than this lets the event loop run before the next line. */
const SLICE_MS = 10;

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
  const concurrency = stage.concurrency ?? 1;
  const ordered = stage.ordered ?? true;

  return new Promise((resolve) => {
    let status: number = EXIT.OK;
    let lineNo = 0;
    let inFlight = 0;
    let stopped = false;
    let finished = false;
    const waiting = new Fifo<PendingLine>(); // order mode only: lines whose output cannot be written yet
    const abort = new AbortController();
    const { signal } = abort;
    let done = 0; // lines that produced output
    const busy = new BusyTime();

    const directOut = writesStdoutDirectly(io);
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
        if (input?.readByFs) setImmediate(() => process.exit());
      },
      separator,
      (fromMs, toMs) => {
        // A direct write waited for a slow reader: not busy, and blocked on output in the trace.
        busy.outputWaited(fromMs, toMs);
        turns?.outputWaited(fromMs, toMs);
      },
    );
    const turns = options.trace
      ? new TurnTracer(options.trace, sink, {
          lineNo: () => lineNo,
          done: () => done,
          traceFile: () => input?.traceFile,
        })
      : undefined;
    // The input being read, and its lines (how messages name them: `where`).
    const inputs = new InputFiles(name, options.files ?? [], io, (message) => {
      sink.message(message);
      status = EXIT.FAILURE;
    });
    let input: OpenInput | undefined; // (the last one opened, once all are done)
    let lines: LineReader | undefined;
    let where = (lineNo: number): string => `line ${lineNo}`;
    let bytesIn = 0; // of the inputs done, for the trace

    /** Starts reading the next input that can be opened, or finishes. */
    function nextInput(): void {
      bytesIn += lines?.bytesRead ?? 0;
      lines = undefined;
      const next = inputs.next();
      if (!next) return finish();
      input = next;
      const { stream, isStdin, readError } = next;
      lineNo = 0;
      where = next.where;
      stream.on('error', (error) => {
        sink.message(readError(systemErrorText(error)));
        status = EXIT.FAILURE;
        if (isStdin) stop();
        else {
          lines?.destroy();
          nextInput();
        }
      });
      lines = new LineReader(stream, pump, separator);
      if (turns) lines.onInput = () => turns.inputArrived();
    }

    busy.reportOnProgressSignal(
      name,
      () => done,
      formatDuration,
      (text) => sink.message(text),
    );

    // Long computations let the event loop run (a SIGUSR1 report, a signal) between two lines: the
    // read loop then waits for its turn, whatever else ('readable', 'drain') asks it to run sooner.
    let yielded = false;
    const resume = (): void => {
      yielded = false;
      pump();
    };
    if (!directOut) io.stdout.on('drain', pump);
    nextInput();
    pump(); // ready for input: start-up ends here, not when a first line comes (a late one is waited for)

    function pump(): void {
      if (yielded) return;
      const sliceStart = performance.now();
      turns?.turnStarted(sliceStart);
      while (!stopped && lines && inFlight < concurrency && !sink.blocked) {
        if (sink.clock - sliceStart >= SLICE_MS) {
          yielded = true;
          // Twice: the loop's poll phase (where signals are read) must come before the next line.
          setImmediate(() => setImmediate(resume));
          break;
        }
        let text: string | null = lines.read();
        if (text === null) break;
        busy.lineRead(sliceStart);
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
          release(lineNo, terminated, undefined, error, ''); // (a line that produced nothing has no report)
          continue;
        }
        if (output instanceof Promise) {
          track(lineNo, terminated, started, output, traceStart);
        } else if (waiting.size > 0) {
          const report = formatDuration ? lineEnded(lineNo, started, output !== undefined) : '';
          waiting.push({ lineNo, terminated, where, settled: true, output, error: undefined, report });
          if (turns && output !== undefined) turns.lineWaiting(lineNo, traceStart);
        } else {
          const report = formatDuration ? lineEnded(lineNo, started, output !== undefined) : '';
          release(lineNo, terminated, output, undefined, report);
        }
      }
      if (inFlight === 0) busy.idle();
      // (waiting for input: more is expected, and none is pending)
      turns?.turnEnded(yielded, sink.blocked, inFlight, !stopped && !!lines && !lines.done && !lines.inputPending);
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
      const file = input?.traceFile;
      const lane = turns && !stage.timed ? turns.takeLane() : 0;
      const settle = (result: LineOutput | TimedOutput, error: unknown): void => {
        if (stopped) return;
        inFlight -= 1;
        let computeMs: number | undefined;
        let output = result as LineOutput;
        if (stage.timed && error === undefined) {
          const timed = result as TimedOutput;
          ({ output, computeMs } = timed);
          busy.computeMs += computeMs;
          if (turns && output !== undefined) turns.threadComputed(timed, lineNo, file);
        }
        if (lane !== 0) turns!.laneSettled(lane, lineNo, file, traceStart, error === undefined && output !== undefined);
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
      input?.stream.destroy();
      finish();
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      if (formatDuration) sink.putReport(busy.summary(name, done, stage.timed === true, formatDuration));
      sink.flush();
      if (!directOut) io.stdout.off('drain', pump);
      stage.close?.();
      options.trace?.close(performance.now(), {
        status,
        lines: done,
        bytesIn: bytesIn + (lines?.bytesRead ?? 0),
        bytesOut: sink.bytesOut,
      });
      resolve(status);
    }
  });
}
