import { spawn } from 'node:child_process';
import path from 'node:path';
import { systemErrorText } from '../../base/messages.js';
import { onProgressSignal } from '../../base/progress-signal.js';
import { childCpu, inTerminalForeground, machineBusyMs } from '../../base/proc.js';
import { descendants } from '../../base/process-tree.js';
import { forwardSignals, signalQuietly } from '../signals.js';
import { LIVE_EVERY_MS, LiveView } from '../../render/live.js';
import { liveName } from '../../render/stage-name.js';
import { type AssembledRun, assembleProfile } from './assemble.js';
import { PipelineObserver } from './observe.js';
import { bashScript, wrappable } from './shell.js';
import { procsubsRunning } from './lost.js';
import { typedNames } from './rows.js';
import { observedStages } from './observed.js';
import type { TypedStage } from './typed.js';
import { parseTypedStages } from './bash-parser.js';
import { sampleOnSchedule } from '../sampling.js';
import { LOST_WATCH_MS, PROCSUB_POLL_MS, REAP_WATCH_FOR_MS, REAP_WATCH_MS, REFRESH_MS } from './cadence.js';

/** What every run of a pipeline shares (`timer --pipeline`, once or --runs times). */
export interface RunSetup {
  /** bash where it is on PATH (else the pipeline runs with /bin/sh, unparsed) */
  bash: string | undefined;
  shell: string;
  intervalMs: number;
  /** a live view on stderr while the run goes on */
  live: boolean;
  format: (ms: number) => string;
  /** where SIGUSR1's line goes */
  report: { write: (text: string) => void };
}

/** One run's own: its stdin, its trace file (PIPESTAGE_TRACE) and the file its statuses are written to. */
export interface RunFiles {
  stdin: 'inherit' | number;
  tracePath: string;
  statusFile: string;
}

/**
 * Runs PIPELINE once with bash exactly as the shell would (stdout and stderr timer's own, stdin as
 * given; nothing relayed), observes every process the shell starts from /proc while the stages trace
 * themselves (PIPESTAGE_TRACE), and assembles the run's profile; or says why it could not start.
 */
export async function observeRun(
  pipeline: string,
  setup: RunSetup,
  files: RunFiles,
): Promise<(AssembledRun & { code: number | null; signal: NodeJS.Signals | null }) | string> {
  const { bash, shell, format, report } = setup;
  const { tracePath, statusFile } = files;
  const script = bash && wrappable(bash, pipeline) ? bashScript(pipeline, statusFile) : pipeline;
  const live = setup.live ? new LiveView(process.stderr, format) : undefined;
  const known = new Map<number, number>();
  const signals = forwardSignals(known);
  const cpuBefore = childCpu();
  const machineBefore = machineBusyMs();
  const ownBefore = process.cpuUsage();
  const startMs = performance.now();
  const child = spawn(shell, ['-c', script, path.basename(shell)], {
    stdio: [files.stdin, 'inherit', 'inherit'],
    env: { ...process.env, PIPESTAGE_TRACE: tracePath },
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  if (child.pid === undefined) {
    signals.remove();
    return `cannot run ${shell}: ${systemErrorText(await spawnError)}`;
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
  const stopSampling = sampleOnSchedule(sample, setup.intervalMs);
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

  const assembled = await assembleProfile({
    pipeline,
    shell,
    code,
    signal,
    startMs,
    endMs,
    stoppedMs,
    intervalMs: setup.intervalMs,
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

  return { ...assembled, code, signal };
}
