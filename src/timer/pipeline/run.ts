import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFormatDuration } from '../../base/durations.js';
import { EXIT } from '../../base/exit-codes.js';
import { systemErrorText } from '../../base/messages.js';
import { raise } from '../../base/signals.js';
import { markOpenRun, openTraceFile, TraceRefused } from '../../trace/trace-file.js';
import { pipelineTraceEvents } from '../../render/chrome-trace.js';
import { pipelineJson } from '../../render/pipeline-json.js';
import { pipelineReport } from '../../render/pipeline-text.js';
import { pipelineSvg } from '../../render/pipeline-svg.js';
import { openReport, refuse as refuseWith } from '../report-sink.js';
import { PipelineObserver } from './observe.js';
import { findOnPath } from './shell.js';
import { observeRun, type RunSetup } from './one-run.js';
import { summariseRuns, variesAdvice } from './runs.js';
import { inputOffset, replayInput, unreplayableInput, verification } from './verify.js';

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
  /** profiled runs (--runs), and runs before them not profiled (--warmup) */
  runs: number;
  warmup: number;
}

/** The signals that end a series of runs early: the run they reached ends (see forwardSignals), no more start. */
const STOPPING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `timer --pipeline 'PIPELINE'`: runs PIPELINE with bash exactly as the shell would (see observeRun),
 * --warmup times unprofiled and --runs times profiled (each from the same input), and reports the run
 * whose wall is the median, with each figure's range over the runs, the bottleneck and the advice;
 * with --verify, the suggestion run and compared. Resolves with the last run's exit status (a shell
 * killed by a signal is re-raised).
 */
export async function runPipeline(pipeline: string, options: PipelineOptions): Promise<number> {
  const report = openReport(options.output);
  if (report === undefined) return EXIT.TIMER_FAILURE;
  const asJson = (error: string): string =>
    `${JSON.stringify({ pipestageProfile: 1, pipeline, exitCode: EXIT.TIMER_FAILURE, error }, null, 2)}\n`;
  const refuse = (message: string): number => refuseWith(report, message, options.json ? asJson : undefined);
  if (!PipelineObserver.available())
    return refuse('--pipeline needs /proc (Linux) to observe the stages; it is not there');
  const times = options.runs + options.warmup;
  const asked =
    times > 1
      ? [options.runs > 1 && `--runs ${options.runs}`, options.warmup > 0 && `--warmup ${options.warmup}`]
          .filter(Boolean)
          .join(' ')
      : undefined;
  const unreplayable = asked || options.verify ? unreplayableInput(asked ?? '--verify') : undefined;
  if (unreplayable) return refuse(unreplayable);
  const offset = asked || options.verify ? inputOffset() : undefined; // (every run's input starts there)
  if (options.svg !== undefined) {
    // refused before anything runs, as --output and --trace are (a pipeline's work is not lost at its end)
    try {
      closeSync(openSync(options.svg, 'a'));
    } catch (error) {
      return refuse(`cannot write '${options.svg}': ${systemErrorText(error)}`);
    }
  }
  const bash = findOnPath('bash');
  let workDir: string;
  try {
    workDir = mkdtempSync(path.join(tmpdir(), 'pipestage-pipeline-'));
  } catch (error) {
    return refuse(`cannot create a temporary directory: ${systemErrorText(error)}`);
  }
  const cleanUp = (): void => rmSync(workDir, { recursive: true, force: true });
  /** A run's trace file, open to every stage of it (one run: --trace's own file, when given). */
  const openTrace = (file: string): number | string => {
    try {
      const fd = openTraceFile(file);
      markOpenRun(fd);
      return fd;
    } catch (error) {
      return error instanceof TraceRefused ? error.message : `cannot write trace '${file}': ${systemErrorText(error)}`;
    }
  };
  const userTrace = options.trace === undefined ? undefined : openTrace(options.trace);
  if (typeof userTrace === 'string') {
    cleanUp();
    return refuse(userTrace);
  }
  const setup: RunSetup = {
    bash,
    shell: bash ?? '/bin/sh',
    intervalMs: options.intervalMs,
    live: options.live && process.stderr.isTTY === true && process.env['TERM'] !== 'dumb' && !options.json,
    format: await loadFormatDuration(),
    report,
  };
  // Ctrl-C (or a TERM, a HUP) ends the run it reaches, and no other starts: what ran is reported.
  let stopped: NodeJS.Signals | undefined;
  const stop = STOPPING.map((signal) => [signal, () => (stopped ??= signal)] as const);
  for (const [signal, handler] of stop) process.on(signal, handler);
  const runs = [];
  for (let index = 0; index < times && !stopped; index += 1) {
    const single = times === 1 && options.trace !== undefined;
    const tracePath = single ? options.trace! : path.join(workDir, `trace-${index}.json`);
    const traceFd = single ? (userTrace as number) : openTrace(tracePath);
    const stdin = index === 0 ? 'inherit' : replayInput(offset);
    const run =
      typeof traceFd === 'string'
        ? traceFd
        : await observeRun(pipeline, setup, { stdin, tracePath, statusFile: path.join(workDir, `status-${index}`) });
    if (typeof stdin === 'number') closeSync(stdin);
    if (typeof traceFd === 'number' && !single) closeSync(traceFd);
    if (typeof run === 'string') {
      for (const [signal, handler] of stop) process.off(signal, handler);
      if (typeof userTrace === 'number') closeSync(userTrace);
      cleanUp();
      return refuse(run);
    }
    if (index >= options.warmup) runs.push({ ...run, tracePath });
    if (run.signal || (run.code ?? 0) > 128) break;
  }
  for (const [signal, handler] of stop) process.off(signal, handler);
  const last = runs.at(-1);
  // (a run the signal cut short is no measure of the pipeline: left out where others ended whole)
  if (stopped && runs.length > 1 && (last!.signal || (last!.code ?? 0) > 128)) runs.pop();
  if (last === undefined) {
    // (stopped in the warm-up: nothing profiled)
    if (typeof userTrace === 'number') closeSync(userTrace);
    cleanUp();
    return raise(stopped ?? 'SIGINT');
  }
  const { chosen, summary } = summariseRuns(runs, options.runs, options.warmup);
  const { profile, originMs } = chosen;
  if (summary) profile.runs = summary;
  if (summary) profile.prediction = summary.margin ? chosen.advise(summary.margin) : variesAdvice(profile.prediction);
  if (options.verify) profile.verify = await verification(profile, options, offset, workDir);
  if (typeof userTrace === 'number') {
    try {
      // several runs: the reported run's trace, then the pipeline's events
      if (times > 1) writeSync(userTrace, readFileSync(chosen.tracePath, 'utf8').replace(/^\[\n/, ''));
      for (const event of pipelineTraceEvents(profile, originMs)) writeSync(userTrace, `${JSON.stringify(event)},\n`);
    } catch (error) {
      report.write(`timer: cannot write trace '${options.trace}': ${systemErrorText(error)}\n`);
    }
    closeSync(userTrace);
  }
  cleanUp();
  let svgFailure: string | undefined;
  if (options.svg !== undefined) {
    try {
      writeFileSync(options.svg, pipelineSvg(profile, setup.format));
    } catch (error) {
      svgFailure = `timer: cannot write '${options.svg}': ${systemErrorText(error)}\n`;
    }
  }
  const width = process.stderr.isTTY && options.output === undefined ? (process.stderr.columns ?? 80) : 80;
  const text = options.json ? pipelineJson(profile) : pipelineReport(profile, width, setup.format);
  if (report.end(text + (svgFailure ?? ''), EXIT.OK) !== EXIT.OK) return EXIT.TIMER_FAILURE;
  if (svgFailure) return EXIT.TIMER_FAILURE;
  if (last.signal) return raise(last.signal);
  if (stopped && runs.length + options.warmup < times) return raise(stopped);
  return last.code ?? EXIT.TIMER_FAILURE;
}
