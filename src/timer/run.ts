import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import { loadFormatDuration, type FormatDuration } from '../stage/durations.js';
import { EXIT } from '../stage/exit-codes.js';
import { systemErrorText } from '../stage/messages.js';
import { ItemClock, type CompletedRun } from './items.js';
import { openCommandPipes } from './pipes.js';
import { onProgressSignal } from '../stage/progress-signal.js';
import { childCpu, TreeMemorySampler, type ChildCpu } from './proc.js';
import { itemLine, jsonReport, summaryLine, type Item, type Measurement } from './summary.js';
import { TraceWriter } from './trace.js';

export interface TimerOptions {
  label?: string;
  each: boolean;
  json: boolean;
  output?: string;
  progress: boolean;
  trace?: string;
}

/** Signals sent to timer that it passes on to the command, then dies of itself. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const RSS_SAMPLE_MS = 100;
const PROGRESS_EVERY_MS = 200;
/** --each lines gathered before one write to the report. */
const REPORT_BATCH_BYTES = 65_536;

/**
 * Runs the command with stdin → command → stdout passed through byte for byte as chunks arrive (no
 * added buffering), counting lines and bytes, and reports what it cost. Resolves with the exit status
 * to end with; a command killed by a signal (or a signal sent to timer) is re-raised instead.
 */
export async function runTimer(command: string[], options: TimerOptions): Promise<number> {
  const report = openReport(options.output);
  if (report === undefined) return EXIT.TIMER_FAILURE;
  const opening = openCommandPipes(); // mkfifo runs while the modules below load
  const format = await loadFormatDuration();
  const { execa } = await import('execa');
  const label = options.label ?? path.basename(command[0]!);
  const eachLines = new ReportBatch(report.fd);
  const pipes = await opening;

  const startMs = performance.now();
  const childCpuBefore = childCpu();
  const child = execa(command[0]!, command.slice(1), {
    // execa hands a file descriptor number to child_process.spawn as it is (any fd open here, as
    // spawn documents); its types list only 0, 1 and 2.
    stdin: (pipes?.commandStdin ?? 'pipe') as 'pipe',
    stdout: (pipes?.commandStdout ?? 'pipe') as 'pipe',
    stderr: 'inherit',
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    // Its own process group, so that a signal reaches every process the command started.
    detached: true,
  });
  pipes?.closeCommandEnds();
  const signalCommand = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  };
  const clock = new ItemClock(startMs);
  const items: Item[] | undefined = options.each && options.json ? [] : undefined;
  let received: (typeof FORWARDED_SIGNALS)[number] | undefined;
  let failure: string | undefined;

  const forward = (signal: (typeof FORWARDED_SIGNALS)[number]) => (): void => {
    received = signal;
    signalCommand(signal);
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // Once the command has ended by a signal passed on to it, what it started and left behind (a
  // background job ignores SIGINT) is ended too: no orphans, and no pipe held open by them.
  child.once('exit', () => {
    if (received) signalCommand('SIGKILL');
  });

  let trace: TraceWriter | undefined;
  const sampler = child.pid === undefined ? undefined : new TreeMemorySampler(child.pid, RSS_SAMPLE_MS);
  sampler?.start();
  if (options.trace !== undefined && child.pid !== undefined) {
    try {
      trace = new TraceWriter(options.trace, label, child.pid);
    } catch (error) {
      failure = `cannot write trace '${options.trace}': ${systemErrorText(error)}`;
      signalCommand('SIGTERM');
    }
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
  const childStdin = pipes?.toCommand ?? child.stdin!;
  stdin.on('data', (chunk: Buffer) => {
    clock.input(chunk, performance.now());
    if (!childStdin.write(chunk)) stdin.pause();
  });
  childStdin.on('drain', () => stdin.resume());
  stdin.on('end', () => {
    clock.inputEnded(performance.now());
    childStdin.end();
  });
  stdin.on('error', () => childStdin.end());
  childStdin.on('error', () => stdin.destroy());

  // command → stdout, and what leaves is timed.
  const childStdout = pipes?.fromCommand ?? child.stdout!;
  // Everything the command wrote is passed on before timer reports (or until its reader is gone).
  const outputDone = new Promise((resolve) => childStdout.once('close', resolve));
  const { stdout } = process;
  let readerGone = false;
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
    if (error.code !== 'EPIPE') failure = `write error: ${systemErrorText(error)}`;
    childStdout.destroy();
    childStdin.destroy();
    stdin.destroy();
  });

  /** What timer has measured by `endMs`; `cpuAfter` adds the reaped children's CPU (else the live tree's, last sampled). */
  const measure = (endMs: number, result: { exitCode?: number; signal?: string } | undefined, cpuAfter: ChildCpu | undefined): Measurement => {
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
      linesIn: clock.linesIn,
      linesOut: clock.linesOut,
      bytesIn: clock.bytesIn,
      bytesOut: clock.bytesOut,
      wallMs: round(wallMs),
      userMs: cpu ? round(cpu.userMs) : null,
      sysMs: cpu ? round(cpu.sysMs) : null,
      peakRssBytes: sampler?.available && sampler.peakBytes > 0 ? sampler.peakBytes : null,
      rssSampleIntervalMs: RSS_SAMPLE_MS,
      linesPerSecond: wallMs > 0 ? round((clock.linesOut * 1000) / wallMs) : 0,
    };
  };
  // SIGUSR1 (as dd): the summary so far, and the run goes on.
  onProgressSignal(() => {
    sampler?.sample();
    report.write(summaryLine(measure(performance.now(), undefined, undefined), format).replace(/\n$/, ' (so far)\n'));
  });

  const progress = options.progress && process.stderr.isTTY && options.output === undefined ? startProgress(label, clock, startMs, format) : undefined;
  const result = await child;
  await outputDone;
  const endMs = performance.now();
  completed(clock.outputEnded(endMs));
  progress?.stop();
  sampler?.stop();
  trace?.close();
  stdin.destroy();
  childStdin.destroy();

  if (result.code === 'ENOENT' || result.code === 'EACCES') {
    const why = result.code === 'ENOENT' ? 'No such file or directory' : 'Permission denied';
    report.write(`timer: failed to run command '${command[0]}': ${why}\n`);
    report.close();
    return result.code === 'ENOENT' ? EXIT.NOT_FOUND : EXIT.CANNOT_EXECUTE;
  }
  if (result.failed && result.exitCode === undefined && !result.signal) {
    report.write(`timer: failed to run command '${command[0]}': ${result.originalMessage ?? result.shortMessage}\n`);
    report.close();
    return EXIT.TIMER_FAILURE;
  }

  const measurement = measure(endMs, result, childCpu());
  eachLines.flush();
  if (failure) report.write(`timer: ${failure}\n`);
  report.write(options.json ? jsonReport(measurement, items) : summaryLine(measurement, format));
  report.close();

  for (const [signal, handler] of handlers) process.off(signal, handler);
  if (received) return raise(received);
  // A failure of timer's own comes first: the command may well have died of the pipes closed after it.
  if (failure) return failure.startsWith('write error') ? EXIT.FAILURE : EXIT.TIMER_FAILURE;
  if (result.signal) return raise(result.signal);
  return result.exitCode ?? EXIT.TIMER_FAILURE;
}

/** Dies of `signal` (the shell sees 128+N); SIGPIPE, which Node ignores, becomes status 141. */
function raise(signal: string): number {
  const number = osConstants.signals[signal as keyof typeof osConstants.signals] ?? 0;
  if (signal !== 'SIGPIPE') process.kill(process.pid, signal);
  return EXIT.SIGNAL_BASE + number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

interface Report {
  fd: number;
  write(text: string): void;
  close(): void;
}

/** Where reports go: stderr, or --output FILE (created or truncated). Undefined after a failure. */
function openReport(file: string | undefined): Report | undefined {
  let fd = 2;
  if (file !== undefined) {
    try {
      fd = openSync(file, 'w');
    } catch (error) {
      writeSync(2, `timer: cannot open '${file}': ${systemErrorText(error)}\n`);
      return undefined;
    }
  }
  return {
    fd,
    write: (text) => {
      try {
        writeSync(fd, text);
      } catch {
        // a report that cannot be written has nowhere else to go
      }
    },
    close: () => {
      if (fd !== 2) closeSync(fd);
    },
  };
}

/** --each lines, written in batches. */
class ReportBatch {
  private pending = '';
  private scheduled = false;
  constructor(private readonly fd: number) {}

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
    if (this.pending === '') return;
    try {
      writeSync(this.fd, this.pending);
    } catch {
      // as above
    }
    this.pending = '';
  }
}

/** The live --progress line on a terminal: items done, rate, elapsed; cleared at the end. */
function startProgress(label: string, clock: ItemClock, startMs: number, format: FormatDuration): { stop(): void } {
  const draw = (): void => {
    const elapsed = performance.now() - startMs;
    const rate = elapsed > 0 ? (clock.linesOut * 1000) / elapsed : 0;
    process.stderr.write(`\r\x1b[Ktimer: ${label}: ${clock.linesOut} items, ${rate.toFixed(rate >= 100 ? 0 : 1)}/s, ${format(elapsed)}`);
  };
  const interval = setInterval(draw, PROGRESS_EVERY_MS);
  interval.unref();
  return {
    stop: () => {
      clearInterval(interval);
      process.stderr.write('\r\x1b[K');
    },
  };
}
