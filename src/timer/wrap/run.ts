import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, fstatSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFormatDuration, type FormatDuration } from '../../base/durations.js';
import { EXIT } from '../../base/exit-codes.js';
import { systemErrorText } from '../../base/messages.js';
import { onProgressSignal } from '../../base/progress-signal.js';
import { isDirectory } from '../../base/fd.js';
import { ItemClock, type CompletedRun, TraceWriter } from '../../trace/items.js';
import { openCommandPipes } from './pipes.js';
import { childCpu, TreeMemorySampler, type ChildCpu } from '../../base/proc.js';
import { forwardSignals } from '../signals.js';
import {
  itemLine,
  jsonReport,
  roundMs as round,
  summaryLine,
  type Item,
  type Measurement,
} from '../../render/summary.js';
import { openTraceFile, TraceRefused } from '../../trace/trace-file.js';
import { raise } from '../../base/signals.js';
import { openReport, reportFailed, type Report } from '../report-sink.js';

export interface TimerOptions {
  label?: string;
  each: boolean;
  json: boolean;
  output?: string;
  progress: boolean;
  trace?: string;
  /** items end with NUL instead of newline (-z) */
  nullTerminated: boolean;
}

const RSS_SAMPLE_MS = 100;
const PROGRESS_EVERY_MS = 200;
/** --each lines gathered before one write to the report. */
const REPORT_BATCH_BYTES = 65_536;

/**
 * Runs the command in timer's own process group (it keeps the terminal; Ctrl-C and Ctrl-Z reach it
 * as they would without timer), with stdin → command → stdout passed through byte for byte as chunks
 * arrive — except a side that is a terminal, which the command gets directly (not counted). Counts
 * lines and bytes, and reports what it cost. Resolves with the command's exit status; a command
 * killed by a signal is re-raised.
 */
export async function runTimer(command: string[], options: TimerOptions): Promise<number> {
  const report = openReport(options.output);
  if (report === undefined) return EXIT.TIMER_FAILURE;
  const label = options.label ?? path.basename(command[0]!);
  const json = options.json;
  /** Ends before the command ran: a message (as JSON with --json), status 125. */
  const refuse = (message: string): number => {
    report.write(
      json
        ? jsonReport(emptyMeasurement(label, command, EXIT.TIMER_FAILURE, `timer: ${message}`), undefined)
        : `timer: ${message}\n`,
    );
    report.close();
    return report.failed ? reportFailed(options.output!) : EXIT.TIMER_FAILURE;
  };
  // A trace file is checked before anything starts: a bad path or an earlier run's file is refused.
  let traceFd: number | undefined;
  if (options.trace !== undefined) {
    try {
      traceFd = openTraceFile(options.trace);
    } catch (error) {
      return refuse(
        error instanceof TraceRefused
          ? error.message
          : `cannot write trace '${options.trace}': ${systemErrorText(error)}`,
      );
    }
  }
  const inputTty = process.stdin.isTTY === true;
  const outputTty = process.stdout.isTTY === true;
  const opening = inputTty && outputTty ? Promise.resolve(undefined) : openCommandPipes(); // mkfifo runs while the modules below load
  const format = await loadFormatDuration();
  const eachLines = new ReportBatch(report);
  const pipes = await opening;

  // Signals: installed before the command starts, so that none leaves it running without timer.
  const known = new Map<number, number>(); // the command's processes seen so far: pid → start ticks
  const signals = forwardSignals(known);

  const startMs = performance.now();
  const childCpuBefore = childCpu();
  // (child_process itself: execa would cost every run about 50 ms of CPU to load, for nothing used here)
  const child = spawn(command[0]!, command.slice(1), {
    stdio: [
      inputTty ? 'inherit' : (pipes?.commandStdin ?? 'pipe'),
      outputTty ? 'inherit' : (pipes?.commandStdout ?? 'pipe'),
      'inherit',
    ],
  });
  // How it ended: its status or signal, or why it could not start (then there is no pid).
  const ended = new Promise<{ exitCode?: number; signal?: NodeJS.Signals; error?: NodeJS.ErrnoException }>(
    (resolve) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) resolve({ error });
      });
      child.once('exit', (exitCode, signal) =>
        resolve({ exitCode: exitCode ?? undefined, signal: signal ?? undefined }),
      );
    },
  );
  pipes?.closeCommandEnds();
  signals.started(child.pid);
  const clock = new ItemClock(startMs, options.nullTerminated ? 0x00 : 0x0a);
  const items: Item[] | undefined = options.each && options.json ? [] : undefined;
  let failure: string | undefined;
  let ioFailure = false;

  let trace: TraceWriter | undefined;
  const sampler = child.pid === undefined ? undefined : new TreeMemorySampler(child.pid, RSS_SAMPLE_MS, known);
  sampler?.start();
  if (traceFd !== undefined) {
    if (child.pid !== undefined) trace = new TraceWriter(traceFd, label, child.pid);
    else closeSync(traceFd);
  }
  const perItem = options.each || trace !== undefined || options.progress;
  const completed = (run: CompletedRun | undefined): void => {
    if (!run) return;
    trace?.items(run);
    if (!options.each) return;
    for (let k = run.first; k < run.first + run.count; k++) {
      const inMs = run.inMs(k);
      const item: Item = {
        line: k,
        inMs: Number.isNaN(inMs) ? null : round(inMs - startMs),
        outMs: round(run.outMs - startMs),
        latencyMs: Number.isNaN(inMs) ? null : round(run.outMs - inMs),
        serviceMs: round(k === run.first ? run.outMs - run.serviceStartMs : 0),
      };
      if (items) items.push(item);
      else eachLines.add(itemLine(label, item, format));
    }
  };

  // stdin → command. A command that exits without reading its input is not an error of timer's.
  const { stdin } = process;
  const childStdin = inputTty ? undefined : (pipes?.toCommand ?? child.stdin!);
  if (childStdin) {
    if (isDirectory(0)) {
      // Node reads a directory on fd 0 as empty input; cat says EISDIR, and so does timer.
      failure = 'read error: Is a directory';
      ioFailure = true;
      childStdin.end();
    } else {
      stdin.on('data', (chunk: Buffer) => {
        clock.input(chunk, performance.now());
        if (!childStdin.write(chunk)) stdin.pause();
      });
      childStdin.on('drain', () => stdin.resume());
      stdin.on('end', () => {
        clock.inputEnded(performance.now());
        childStdin.end();
      });
      stdin.on('error', (error) => {
        failure ??= `read error: ${systemErrorText(error)}`;
        ioFailure = true;
        childStdin.end();
      });
    }
    childStdin.on('error', () => stdin.destroy());
  }

  // command → stdout, and what leaves is timed.
  const childStdout = outputTty ? undefined : (pipes?.fromCommand ?? child.stdout!);
  // Everything the command wrote is passed on before timer reports (or until its reader is gone).
  const outputDone = childStdout ? new Promise((resolve) => childStdout.once('close', resolve)) : Promise.resolve();
  const { stdout } = process;
  let readerGone = false;
  if (childStdout) {
    childStdout.on('data', (chunk: Buffer) => {
      const run = clock.output(chunk, performance.now());
      if (perItem) completed(run);
      if (readerGone) return;
      if (!stdout.write(chunk)) childStdout.pause();
    });
    stdout.on('drain', () => childStdout.resume());
    stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (readerGone) return;
      readerGone = true;
      // The reader went away (or stdout failed): close the command's pipes so that it ends too.
      if (error.code !== 'EPIPE') {
        failure = `write error: ${systemErrorText(error)}`;
        ioFailure = true;
      }
      childStdout.destroy();
      childStdin?.destroy();
      stdin.destroy();
    });
  }

  /** What timer has measured by `endMs`; `cpuAfter` adds the reaped children's CPU (else the live tree's, last sampled). */
  const measure = (
    endMs: number,
    result: { exitCode?: number; signal?: string } | undefined,
    cpuAfter: ChildCpu | undefined,
  ): Measurement => {
    const wallMs = endMs - startMs;
    const cpu =
      childCpuBefore && cpuAfter
        ? { userMs: cpuAfter.userMs - childCpuBefore.userMs, sysMs: cpuAfter.sysMs - childCpuBefore.sysMs }
        : !result && sampler?.available
          ? sampler.lastCpu
          : undefined;
    return {
      label,
      command,
      exitCode: result?.exitCode ?? null,
      signal: result?.signal ?? null,
      error: failure === undefined ? null : `timer: ${failure}`,
      linesIn: inputTty ? null : clock.linesIn,
      linesOut: outputTty ? null : clock.linesOut,
      bytesIn: inputTty ? null : clock.bytesIn,
      bytesOut: outputTty ? null : clock.bytesOut,
      wallMs: round(wallMs),
      userMs: cpu ? round(cpu.userMs) : null,
      sysMs: cpu ? round(cpu.sysMs) : null,
      peakRssBytes: sampler?.available && sampler.peakBytes > 0 ? sampler.peakBytes : null,
      rssSampleIntervalMs: RSS_SAMPLE_MS,
      linesPerSecond: wallMs > 0 && !outputTty ? round((clock.linesOut * 1000) / wallMs) : null,
    };
  };
  // SIGUSR1 (as dd): the summary so far, and the run goes on.
  onProgressSignal(() => {
    sampler?.sample();
    report.write(summaryLine(measure(performance.now(), undefined, undefined), format).replace(/\n$/, ' (so far)\n'));
  });

  const progress =
    options.progress && process.stderr.isTTY && process.env['TERM'] !== 'dumb'
      ? startProgress(label, clock, startMs, format)
      : undefined;
  child.once('exit', () => signals.ended());
  const result = await ended;
  await outputDone;
  const endMs = performance.now();
  completed(clock.outputEnded(endMs));
  progress?.stop();
  sampler?.stop();
  trace?.close();
  stdin.destroy();
  childStdin?.destroy();
  signals.remove();

  if (result.error) {
    // As env(1) and timeout(1): 127 when the command is not found, 126 when it cannot be executed.
    const { code } = result.error;
    const status =
      code === 'ENOENT'
        ? EXIT.NOT_FOUND
        : code === 'EACCES' || code === 'EISDIR' || code === 'ENOEXEC'
          ? EXIT.CANNOT_EXECUTE
          : EXIT.TIMER_FAILURE;
    const message = `timer: failed to run command '${command[0]}': ${systemErrorText(result.error)}`;
    report.write(
      json
        ? jsonReport({ ...measure(endMs, { exitCode: status }, childCpu()), error: message }, undefined)
        : `${message}\n`,
    );
    report.close();
    return report.failed ? reportFailed(options.output!) : status;
  }

  const measurement = measure(endMs, result, childCpu());
  eachLines.flush();
  report.write(
    (failure && !json ? `timer: ${failure}\n` : '') +
      (json ? jsonReport(measurement, items) : summaryLine(measurement, format)),
  );
  report.close();
  if (report.failed) return reportFailed(options.output!);

  // A failure of timer's own I/O comes first: the command may well have died of the pipes closed after it.
  if (ioFailure) return EXIT.FAILURE;
  if (result.signal) return raise(result.signal);
  return result.exitCode ?? EXIT.TIMER_FAILURE;
}

/** A measurement of a command that never ran. */
function emptyMeasurement(label: string, command: string[], exitCode: number, error: string): Measurement {
  return {
    label,
    command,
    exitCode,
    signal: null,
    error,
    linesIn: 0,
    linesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    wallMs: 0,
    userMs: null,
    sysMs: null,
    peakRssBytes: null,
    rssSampleIntervalMs: RSS_SAMPLE_MS,
    linesPerSecond: null,
  };
}

/** --each lines, written in batches of whole lines. */
class ReportBatch {
  private pending = '';
  private scheduled = false;
  constructor(private readonly report: Report) {}

  add(line: string): void {
    this.pending += line;
    if (this.pending.length >= REPORT_BATCH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    this.report.write(this.pending);
    this.pending = '';
  }
}

/**
 * The live --progress line on a terminal (stderr): items, rate, elapsed; cleared at the end. The
 * timers of one pipeline on one terminal each get a row of their own, as pv -c does: each registers
 * in a file named after the terminal and the process group, reserves a row with a newline, and
 * draws its line that many rows up (cursor saved and restored around it).
 */
function startProgress(label: string, clock: ItemClock, startMs: number, format: FormatDuration): { stop(): void } {
  const rows = progressRows();
  const draw = (): void => {
    const elapsed = performance.now() - startMs;
    const rate = elapsed > 0 ? (clock.linesOut * 1000) / elapsed : 0;
    const line = `\x1b[Ktimer: ${label}: ${clock.linesOut} items, ${rate.toFixed(rate >= 100 ? 0 : 1)}/s, ${format(elapsed)}`;
    const up = rows.up();
    process.stderr.write(up > 0 ? `\x1b7\x1b[${up}A\r${line}\x1b8` : `\r${line}`);
  };
  const interval = setInterval(draw, PROGRESS_EVERY_MS);
  interval.unref();
  return {
    stop: () => {
      clearInterval(interval);
      const up = rows.up();
      process.stderr.write(up > 0 ? `\x1b7\x1b[${up}A\r\x1b[K\x1b8` : '\r\x1b[K');
      rows.leave();
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This timer's row among the progress lines of its pipeline: how many rows above the cursor. */
function progressRows(): { up(): number; leave(): void } {
  let file: string | undefined;
  try {
    const { rdev } = fstatSync(2);
    const group = readFileSync('/proc/self/stat', 'latin1').split(') ')[1]!.split(' ')[2];
    file = path.join(tmpdir(), `pipestage-progress-${rdev}-${group}`);
    // Left by an earlier pipeline of this group (a script's): start afresh.
    if (
      existsSync(file) &&
      readFileSync(file, 'latin1')
        .split('\n')
        .every((pid) => pid === '' || !alive(Number(pid)))
    )
      rmSync(file, { force: true });
    appendFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  } catch {
    return { up: () => 0, leave: () => {} };
  }
  const registered = (): string[] => {
    try {
      return readFileSync(file!, 'latin1')
        .split('\n')
        .filter((line) => line !== '');
    } catch {
      return [];
    }
  };
  const mine = registered().indexOf(String(process.pid));
  if (mine > 0) process.stderr.write('\n'); // the first timer draws on the cursor's row; each other reserves one
  return {
    // Rows are reserved in order of registration: the last one is on the cursor's row.
    up: () => {
      const all = registered();
      const index = all.indexOf(String(process.pid));
      return index < 0 ? 0 : all.length - 1 - index;
    },
    // Rows stay reserved while any timer of the pipeline runs; the last one out removes the file.
    leave: () => {
      if (registered().every((pid) => pid === String(process.pid) || !alive(Number(pid))))
        rmSync(file!, { force: true });
    },
  };
}
