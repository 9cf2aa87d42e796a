import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFormatDuration } from '../../base/durations.js';
import { EXIT } from '../../base/exit-codes.js';
import { systemErrorText } from '../../base/messages.js';
import { onProgressSignal } from '../../base/progress-signal.js';
import { childCpu, inTerminalForeground, machineBusyMs } from '../../base/proc.js';
import { descendants } from '../../base/process-tree.js';
import { forwardSignals, signalQuietly } from '../signals.js';
import { markOpenRun, openTraceFile, TraceRefused } from '../../trace/trace-file.js';
import { pipelineTraceEvents } from '../../render/chrome-trace.js';
import { pipelineJson } from '../../render/pipeline-json.js';
import { LIVE_EVERY_MS, LiveView } from '../../render/live.js';
import { liveName } from '../../render/stage-name.js';
import { assembleProfile } from './assemble.js';
import { PipelineObserver } from './observe.js';
import { bashScript, findOnPath, wrappable } from './shell.js';
import { procsubsRunning } from './lost.js';
import { typedNames } from './rows.js';
import { observedStages } from './observed.js';
import type { TypedStage } from './typed.js';
import { parseTypedStages } from './bash-parser.js';
import { sampleOnSchedule } from '../sampling.js';
import { pipelineReport } from '../../render/pipeline-text.js';
import { pipelineSvg } from '../../render/pipeline-svg.js';
import { openReport, refuse as refuseWith } from '../report-sink.js';
import { raise } from '../../base/signals.js';
import { LOST_WATCH_MS, PROCSUB_POLL_MS, REAP_WATCH_FOR_MS, REAP_WATCH_MS, REFRESH_MS } from './cadence.js';
import { inputOffset, unreplayableInput, verification } from './verify.js';

interface PipelineOptions {
  json: boolean;
  output?: string;
  trace?: string;
  svg?: string;
  /** the live view while stderr is a terminal (--no-progress turns it off) */
  live: boolean;
  intervalMs: number;
  /** run the suggestion after the profile and compare (--verify) */
  verify: boolean;
}

/**
 * `timer --pipeline 'PIPELINE'`: runs PIPELINE with bash exactly as the shell would (timer's stdin,
 * stdout and stderr are its own; nothing is relayed), observes every process the shell starts from
 * /proc while the stages trace themselves (PIPESTAGE_TRACE), and reports per stage, the bottleneck
 * and a prediction. Resolves with the pipeline's exit status (a shell killed by a signal is re-raised).
 */
export async function runPipeline(pipeline: string, options: PipelineOptions): Promise<number> {
  const report = openReport(options.output);
  if (report === undefined) return EXIT.TIMER_FAILURE;
  const asJson = (error: string): string =>
    `${JSON.stringify({ pipestageProfile: 1, pipeline, exitCode: EXIT.TIMER_FAILURE, error }, null, 2)}\n`;
  const refuse = (message: string): number => refuseWith(report, message, options.json ? asJson : undefined);
  if (!PipelineObserver.available())
    return refuse('--pipeline needs /proc (Linux) to observe the stages; it is not there');
  const unreplayable = options.verify ? unreplayableInput() : undefined;
  if (unreplayable) return refuse(unreplayable);
  const offset = options.verify ? inputOffset() : undefined; // (the suggestion's input starts there too)
  if (options.svg !== undefined) {
    // refused before anything runs, as --output and --trace are (a pipeline's work is not lost at its end)
    try {
      closeSync(openSync(options.svg, 'a'));
    } catch (error) {
      return refuse(`cannot write '${options.svg}': ${systemErrorText(error)}`);
    }
  }
  const bash = findOnPath('bash');
  const shell = bash ?? '/bin/sh';
  let workDir: string;
  try {
    workDir = mkdtempSync(path.join(tmpdir(), 'pipestage-pipeline-'));
  } catch (error) {
    return refuse(`cannot create a temporary directory: ${systemErrorText(error)}`);
  }
  const cleanUp = (): void => rmSync(workDir, { recursive: true, force: true });
  const tracePath = options.trace ?? path.join(workDir, 'trace.json');
  let traceFd: number;
  try {
    traceFd = openTraceFile(tracePath);
    markOpenRun(traceFd);
  } catch (error) {
    cleanUp();
    return refuse(
      error instanceof TraceRefused ? error.message : `cannot write trace '${tracePath}': ${systemErrorText(error)}`,
    );
  }
  const statusFile = path.join(workDir, 'status');
  const script = bash && wrappable(bash, pipeline) ? bashScript(pipeline, statusFile) : pipeline;
  const format = await loadFormatDuration();
  const live =
    options.live && process.stderr.isTTY === true && process.env['TERM'] !== 'dumb' && !options.json
      ? new LiveView(process.stderr, format)
      : undefined;

  const known = new Map<number, number>();
  const signals = forwardSignals(known);
  const cpuBefore = childCpu();
  const machineBefore = machineBusyMs();
  const ownBefore = process.cpuUsage();
  const startMs = performance.now();
  const child = spawn(shell, ['-c', script, path.basename(shell)], {
    stdio: 'inherit',
    env: { ...process.env, PIPESTAGE_TRACE: tracePath },
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  if (child.pid === undefined) {
    signals.remove();
    closeSync(traceFd);
    cleanUp();
    return refuse(`cannot run ${shell}: ${systemErrorText(await spawnError)}`);
  }
  signals.started(child.pid);
  const observer = new PipelineObserver(child.pid, startMs, statusFile);
  let reapedBefore = 0;
  let reapWatch: NodeJS.Timeout | undefined;
  let watchUntil = 0;
  const sample = (): void => {
    observer.sample(performance.now() - startMs);
    let reaped = 0;
    for (const stage of observer.stages.values()) if (stage.reaped) reaped += 1;
    if (reaped > reapedBefore && reaped < observer.stages.size) {
      watchUntil = performance.now() + REAP_WATCH_FOR_MS;
      reapWatch ??= setInterval(watchReaping, REAP_WATCH_MS);
    }
    reapedBefore = reaped;
    // processes nobody of the pipeline reaps: read often while they run (see watchLost)
    if (observer.lostAlive()) lostWatch ??= setInterval(watchLost, LOST_WATCH_MS);
    else if (lostWatch) {
      clearInterval(lostWatch);
      lostWatch = undefined;
    }
    // processes a subshell or a program reaps (not the shell): their own CPU read often (see refreshLive)
    if (observer.descendantsAlive()) refreshing ??= setInterval(refresh, REFRESH_MS);
    else if (refreshing) {
      clearInterval(refreshing);
      refreshing = undefined;
    }
  };
  let lostWatch: NodeJS.Timeout | undefined;
  let refreshing: NodeJS.Timeout | undefined;
  const refresh = (): void => observer.refreshLive(performance.now() - startMs);
  const watchLost = (): void => observer.watchLost(performance.now() - startMs);
  const stopSampling = sampleOnSchedule(sample, options.intervalMs);
  // Ctrl-Z: the pipeline stops, and so does timer, taking a sample first; the time until `fg` is
  // the pipeline's stopped time. A SIGTSTP sent to timer alone is passed on to the pipeline first.
  const onStop = (): void => {
    if (!inTerminalForeground()) for (const pid of descendants(process.pid).keys()) signalQuietly(pid, 'SIGTSTP');
    sample();
    // the screen whole again for the shell's job message and what comes next (redrawn after fg)
    live?.release();
    const stoppedAt = performance.now();
    process.kill(process.pid, 'SIGSTOP');
    // continued (fg, SIGCONT)
    stoppedMs += performance.now() - stoppedAt;
    observer.stoppedSinceLastSample = true;
    sample();
  };
  let stoppedMs = 0;
  process.on('SIGTSTP', onStop);
  const watchReaping = (): void => {
    if (observer.reapedSinceLastSample()) sample();
    if (performance.now() > watchUntil) {
      if (reapWatch) clearInterval(reapWatch);
      reapWatch = undefined;
    }
  };
  // the live view's rows named as typed: the text parsed while the pipeline starts (once, for both)
  const parsing = bash && live ? parseTypedStages(pipeline, __dirname) : undefined;
  let typedEarly: TypedStage[] | undefined;
  void parsing?.then((stages) => (typedEarly = stages));
  const drawing = live
    ? setInterval(() => {
        const records = [...observer.stages.values()];
        const nowMs = performance.now() - startMs;
        const names = typedEarly
          ? typedNames(observedStages(records, new Map(), nowMs, observer.outside), typedEarly, observer.outside)
          : undefined;
        live.draw(records, nowMs, names);
      }, LIVE_EVERY_MS)
    : undefined;
  // SIGUSR1 (as dd): one line so far — each stage's program and CPU — and the run goes on.
  onProgressSignal(() => {
    sample();
    const stages = [...observer.stages.values()].map(
      (stage) =>
        `${liveName(stage)}: CPU ${format(stage.userMs + stage.sysMs)}${stage.goneMs === undefined ? '' : ' (ended)'}`,
    );
    report.write(`timer: pipeline: ${format(performance.now() - startMs)} so far; ${stages.join(', ')}\n`);
  });

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  let endMs = performance.now();
  const shellEndMs = endMs;
  sample();
  // the stages as typed, read once the shell ended (the parse is the report's work, not the run's)
  const beforeParse = process.cpuUsage();
  const typed = bash ? await (parsing ?? parseTypedStages(pipeline, __dirname)) : undefined;
  const parse = process.cpuUsage(beforeParse);
  // Bash does not wait for a process substitution under a program (`tee >(gzip > x.gz)`), which can
  // outlive it: the pipeline is done when they are (an `&` job still running is left running).
  // (what outlived the shell is a process substitution's where the text starts no `&` job anywhere)
  // (and where it starts `&` jobs, those still running are found, and left running)
  const jobs = /(^|[^&<>|])&(?![&>])/.test(pipeline);
  if (typed?.some((stage) => stage.procsubs.length > 0 || stage.background))
    observer.adoptUnseen(
      performance.now() - startMs,
      `PIPESTAGE_TRACE=${tracePath}`,
      jobs ? 'orphan' : 'process substitution',
    );
  while (observer.withUnplaced().some(procsubsRunning)) {
    await new Promise((resolve) => setTimeout(resolve, PROCSUB_POLL_MS));
    sample();
    observer.watchLost(performance.now() - startMs);
    endMs = performance.now();
  }
  // (stages whose substitutions ended meanwhile ended too: else one reaped last is out of the last group)
  if (endMs > shellEndMs || [...observer.stages.values()].some((stage) => stage.goneMs === undefined)) sample();
  observer.countLost();
  observer.close();
  // timer's own CPU while the pipeline ran: starting it, sampling it (what it took from its cores)
  const sinceStart = process.cpuUsage(ownBefore);
  const ownRun = { user: sinceStart.user - parse.user, system: sinceStart.system - parse.system };
  stopSampling();
  if (reapWatch) clearInterval(reapWatch);
  if (lostWatch) clearInterval(lostWatch);
  clearInterval(refreshing);
  if (drawing) clearInterval(drawing);
  live?.close();
  // every process of the pipeline seen, for what a signal passed on to it may have left behind
  for (const stage of observer.stages.values()) for (const [pid, start] of stage.tree) known.set(pid, start);
  signals.ended();
  signals.remove();
  process.off('SIGTSTP', onStop);
  const cpuAfter = childCpu();
  const machineAfter = machineBusyMs();

  const { profile, originMs } = await assembleProfile({
    pipeline,
    shell,
    code,
    signal,
    startMs,
    endMs,
    stoppedMs,
    intervalMs: options.intervalMs,
    observer,
    statusFile,
    tracePath,
    cpu: { before: cpuBefore, after: cpuAfter },
    machine: { before: machineBefore, after: machineAfter },
    ownBefore,
    ownRun,
    format,
    typed,
  });

  if (options.verify) profile.verify = await verification(profile, options.intervalMs, offset, workDir);
  if (options.trace !== undefined) {
    try {
      for (const event of pipelineTraceEvents(profile, originMs)) writeSync(traceFd, `${JSON.stringify(event)},\n`);
    } catch (error) {
      report.write(`timer: cannot write trace '${tracePath}': ${systemErrorText(error)}\n`);
    }
  }
  closeSync(traceFd);
  cleanUp();
  let svgFailure: string | undefined;
  if (options.svg !== undefined) {
    try {
      writeFileSync(options.svg, pipelineSvg(profile, format));
    } catch (error) {
      svgFailure = `timer: cannot write '${options.svg}': ${systemErrorText(error)}\n`;
    }
  }
  const width = process.stderr.isTTY && options.output === undefined ? (process.stderr.columns ?? 80) : 80;
  const text = options.json ? pipelineJson(profile) : pipelineReport(profile, width, format);
  if (report.end(text + (svgFailure ?? ''), EXIT.OK) !== EXIT.OK) return EXIT.TIMER_FAILURE;
  if (svgFailure) return EXIT.TIMER_FAILURE;
  if (signal) return raise(signal);
  return code ?? EXIT.TIMER_FAILURE;
}
