import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import path from 'node:path';
import { loadFormatDuration } from '../../base/durations.js';
import { EXIT } from '../../base/exit-codes.js';
import { systemErrorText } from '../../base/messages.js';
import { onProgressSignal } from '../../base/progress-signal.js';
import { isDirectory } from '../../base/fd.js';
import { ItemClock, type CompletedRun, TraceWriter } from '../../trace/items.js';
import { openCommandPipes } from './pipes.js';
import { childCpu, type ChildCpu } from '../../base/proc.js';
import { TreeMemorySampler } from './memory.js';
import { forwardSignals } from '../signals.js';
import {
  itemLine,
  jsonReport,
  refusedReport,
  roundMs as round,
  summaryLine,
  type Item,
  type Measurement,
} from '../../render/summary.js';
import { openTraceFile, TraceRefused } from '../../trace/trace-file.js';
import { raise } from '../../base/signals.js';
import { openReport, ReportBatch, refuse as refuseWith } from '../report-sink.js';
import { startProgress } from './progress.js';

interface TimerOptions {
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
  const refuse = (message: string): number =>
    refuseWith(report, message, json ? (error) => refusedReport(label, command, error, RSS_SAMPLE_MS) : undefined);
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
  // (mkfifo runs while the modules below load)
  const opening = inputTty && outputTty ? Promise.resolve(undefined) : openCommandPipes();
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
  // Output with a NUL byte is not text (as grep and git decide it): its rate is in bytes, not lines.
  let binaryOutput = false;
  if (childStdout) {
    childStdout.on('data', (chunk: Buffer) => {
      const run = clock.output(chunk, performance.now());
      if (!binaryOutput && !options.nullTerminated && chunk.includes(0)) binaryOutput = true;
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

  /**
   * What timer has measured by `endMs`; `cpuAfter` adds the reaped children's CPU (else the live
   * tree's, last sampled).
   */
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
    report.write(
      summaryLine(measure(performance.now(), undefined, undefined), format, binaryOutput).replace(/\n$/, ' (so far)\n'),
    );
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
    return report.end(
      json
        ? jsonReport({ ...measure(endMs, { exitCode: status }, childCpu()), error: message }, undefined)
        : `${message}\n`,
      status,
    );
  }

  const measurement = measure(endMs, result, childCpu());
  eachLines.flush();
  const text =
    (failure && !json ? `timer: ${failure}\n` : '') +
    (json ? jsonReport(measurement, items) : summaryLine(measurement, format, binaryOutput));
  if (report.end(text, EXIT.OK) !== EXIT.OK) return EXIT.TIMER_FAILURE;

  // A failure of timer's own I/O comes first: the command may well have died of the pipes closed after it.
  if (ioFailure) return EXIT.FAILURE;
  if (result.signal) return raise(result.signal);
  return result.exitCode ?? EXIT.TIMER_FAILURE;
}
