import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFormatDuration } from '../../base/durations.js';
import { EXIT } from '../../base/exit-codes.js';
import { systemErrorText } from '../../base/messages.js';
import { raise } from '../../base/signals.js';
import { markOpenRun, openTraceFile, TraceRefused } from '../../trace/trace-file.js';
import { pipelineTraceEvents } from '../../render/chrome-trace.js';
import { openReport, refuse as refuseWith } from '../report-sink.js';
import { PipelineObserver } from './observe.js';
import { findOnPath } from './shell.js';
import { observeRun, type RunSetup } from './one-run.js';
import { summariseRuns, variesAdvice } from './runs.js';
import { compare } from './compare.js';
import { renderOutputs } from './outputs.js';
import { inputOffset, replayInput, UNVERIFIED, unreplayableInput, verification } from './verify.js';

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
  /** --export-markdown: the comparison as Markdown tables */
  markdown?: string;
}

/** The signals that end a series of runs early: the run they reached ends (see forwardSignals), no more start. */
const STOPPING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `timer --pipeline 'PIPELINE'` (several: each one): runs each with bash exactly as the shell would (see
 * observeRun), --warmup times unprofiled and --runs times profiled, the pipelines in turn, each run
 * from the same input; reports for each the run whose wall is the median, with each figure's range over
 * the runs, the bottleneck and the advice (with --verify, the suggestion run and compared); several
 * pipelines, then compared. Resolves with the last run's exit status, or where it is 0 the first
 * other run's that is not (a shell killed by a signal is re-raised).
 */
export async function runPipeline(pipelines: string[], options: PipelineOptions): Promise<number> {
  const report = openReport(options.output);
  if (report === undefined) return EXIT.TIMER_FAILURE;
  const asJson = (error: string): string => {
    const document = { pipestageProfile: 1, pipeline: pipelines[0], exitCode: EXIT.TIMER_FAILURE, error };
    return `${JSON.stringify(document, null, 2)}\n`;
  };
  const refuse = (message: string): number => refuseWith(report, message, options.json ? asJson : undefined);
  if (!PipelineObserver.available())
    return refuse('--pipeline needs /proc (Linux) to observe the stages; it is not there');
  const times = options.runs + options.warmup;
  const again = [options.runs > 1 && `--runs ${options.runs}`, options.warmup > 0 && `--warmup ${options.warmup}`]
    .filter(Boolean)
    .join(' ');
  const why =
    pipelines.length > 1
      ? `--pipeline given ${pipelines.length} times runs each on the same input`
      : again
        ? `${again} runs the pipeline more than once`
        : options.verify
          ? '--verify runs the pipeline a second time'
          : undefined;
  const replays = why !== undefined;
  const unreplayable = why === undefined ? undefined : unreplayableInput(why);
  if (unreplayable) return refuse(unreplayable);
  const offset = replays ? inputOffset() : undefined; // (every run's input starts there)
  for (const file of [options.svg, options.markdown]) {
    if (file === undefined) continue;
    // refused before anything runs, as --output and --trace are (a pipeline's work is not lost at its end)
    try {
      closeSync(openSync(file, 'a'));
    } catch (error) {
      return refuse(`cannot write '${file}': ${systemErrorText(error)}`);
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
  // (and the suggestion --verify runs is stopped too: a signal sent to timer alone reaches it so)
  const abort = new AbortController();
  const onStop = (signal: NodeJS.Signals) => (): void => {
    stopped ??= signal;
    abort.abort();
  };
  const stop = STOPPING.map((signal) => [signal, onStop(signal)] as const);
  for (const [signal, handler] of stop) process.on(signal, handler);
  const runs: (Awaited<ReturnType<typeof observeRun>> & object & { tracePath: string })[][] = pipelines.map(() => []);
  let last: (typeof runs)[number][number] | undefined;
  series: for (let index = 0; index < times; index += 1) {
    for (const [which, pipeline] of pipelines.entries()) {
      if (stopped) break series;
      const single = times === 1 && pipelines.length === 1 && options.trace !== undefined;
      const tracePath = single ? options.trace! : path.join(workDir, `trace-${which}-${index}.json`);
      const traceFd = single ? (userTrace as number) : openTrace(tracePath);
      const stdin = index === 0 && which === 0 ? 'inherit' : replayInput(offset);
      const statusFile = path.join(workDir, `status-${which}-${index}`);
      const run =
        typeof traceFd === 'string' ? traceFd : await observeRun(pipeline, setup, { stdin, tracePath, statusFile });
      if (typeof stdin === 'number') closeSync(stdin);
      if (typeof traceFd === 'number' && !single) closeSync(traceFd);
      if (typeof run === 'string') {
        for (const [signal, handler] of stop) process.off(signal, handler);
        if (typeof userTrace === 'number') closeSync(userTrace);
        cleanUp();
        return refuse(run);
      }
      last = { ...run, tracePath };
      if (index >= options.warmup) runs[which]!.push(last);
      if (run.signal || (run.code ?? 0) > 128) break series;
    }
  }
  // (a run the signal cut short is no measure of its pipeline: left out where others ended whole)
  const cut = last && stopped && (last.signal || (last.code ?? 0) > 128);
  for (const each of runs) if (cut && each.at(-1) === last && each.length > 1) each.pop();
  if (last === undefined || runs.some((each) => each.length === 0)) {
    // (stopped in the warm-up, or before every pipeline ran once: nothing to report)
    for (const [signal, handler] of stop) process.off(signal, handler);
    if (typeof userTrace === 'number') closeSync(userTrace);
    cleanUp();
    return raise(stopped ?? last?.signal ?? 'SIGINT');
  }
  const chosen = runs.map((each) => {
    const { chosen, summary } = summariseRuns(each, options.runs, options.warmup);
    const { profile } = chosen;
    if (summary) profile.runs = summary;
    if (summary) profile.prediction = summary.margin ? chosen.advise(summary.margin) : variesAdvice(profile.prediction);
    return chosen;
  });
  const profiles = chosen.map((run) => run.profile);
  const profile = profiles[0]!;
  if (options.verify && !stopped) {
    profile.verify = await verification(profile, { ...options, abort: abort.signal }, offset, workDir);
    // (Ctrl-C while the suggestion ran: its figures are no measure of it)
    if (stopped) profile.verify = { ...UNVERIFIED, line: `not verified: stopped by ${stopped}` };
  } else if (options.verify) profile.verify = { ...UNVERIFIED, line: `not verified: stopped by ${stopped}` };
  for (const [signal, handler] of stop) process.off(signal, handler);
  if (typeof userTrace === 'number') {
    try {
      // several runs: the reported run's trace, then the pipeline's events
      if (times > 1) writeSync(userTrace, readFileSync(chosen[0]!.tracePath, 'utf8').replace(/^\[\n/, ''));
      for (const event of pipelineTraceEvents(profile, chosen[0]!.originMs))
        writeSync(userTrace, `${JSON.stringify(event)},\n`);
    } catch (error) {
      report.write(`timer: cannot write trace '${options.trace}': ${systemErrorText(error)}\n`);
    }
    closeSync(userTrace);
  }
  cleanUp();
  const comparison = compare(
    pipelines,
    profiles,
    runs.map((each) => each.map((run) => run.profile)),
  );
  const width = process.stderr.isTTY && options.output === undefined ? (process.stderr.columns ?? 80) : 80;
  const outputs = { json: options.json, svg: options.svg, markdown: options.markdown, width };
  const { text, failures } = renderOutputs(profiles, comparison, outputs, setup.format);
  if (report.end(text + failures.join(''), EXIT.OK) !== EXIT.OK) return EXIT.TIMER_FAILURE;
  if (failures.length > 0) return EXIT.TIMER_FAILURE;
  if (last.signal) return raise(last.signal);
  if (stopped) return raise(stopped);
  // the last run's status; where that is 0, the first other run's that was not (a failure is not hidden)
  const failed = runs.flat().find((run) => run.code !== 0);
  return last.code === 0 && failed ? (failed.code ?? EXIT.TIMER_FAILURE) : (last.code ?? EXIT.TIMER_FAILURE);
}
