import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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
import { isSubshell, liveName, programsInOrder } from '../../render/stage-name.js';
import {
  applyPipestatus,
  attributeReaped,
  findBottleneck,
  profileStages,
  recentCpuRate,
  type ObservedStage,
} from './model.js';
import { PipelineObserver } from './observe.js';
import { sampleOnSchedule } from '../sampling.js';
import { predict } from './predict.js';
import { pipelineReport } from '../../render/pipeline-text.js';
import { readStageTraces } from '../../trace/read-stage-traces.js';
import { pipelineSvg } from '../../render/pipeline-svg.js';
import type { PipelineProfile, ReapedGroup, StageRecord } from '../../render/profile.js';
import { openReport, refuse as refuseWith } from '../report-sink.js';
import { raise } from '../../base/signals.js';

export interface PipelineOptions {
  json: boolean;
  output?: string;
  trace?: string;
  svg?: string;
  /** the live view while stderr is a terminal (--no-progress turns it off) */
  live: boolean;
  intervalMs: number;
}

/**
 * Once the shell has reaped a stage, the next one often ends soon after (a pipeline ends from its
 * first stage on, each stage as its input ends): for this long after each reap, the shell's children
 * are checked every REAP_WATCH_MS between samples, so that each stage is most often reaped alone in
 * an interval and gets exactly the CPU the shell accounted for it. (Each check wakes timer: a second
 * of checks every 5 ms cost about 10 ms more CPU than this on a 1-second pipeline.)
 */
const REAP_WATCH_FOR_MS = 250;
const REAP_WATCH_MS = 10;

/** The first of `names` found as an executable on PATH. */
function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

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
  // bash runs the pipeline as its script's first lines, then writes PIPESTATUS (each stage's status).
  const script = bash
    ? `${pipeline}\n\n__pipestage_status=$? __pipestage_statuses="\${PIPESTATUS[*]}"\nprintf '%s\\n' "$__pipestage_statuses" >${shellQuote(statusFile)}\nexit "$__pipestage_status"\n`
    : pipeline;
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
    stdio: ['inherit', 'inherit', live ? 'pipe' : 'inherit'],
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
  const observer = new PipelineObserver(child.pid, startMs);
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
  };
  const stopSampling = sampleOnSchedule(sample, options.intervalMs);
  // Ctrl-Z: the pipeline stops, and so does timer, taking a sample first; the time until `fg` is
  // the pipeline's stopped time. A SIGTSTP sent to timer alone is passed on to the pipeline first.
  const onStop = (): void => {
    if (!inTerminalForeground()) for (const pid of descendants(process.pid).keys()) signalQuietly(pid, 'SIGTSTP');
    sample();
    const stoppedAt = performance.now();
    process.kill(process.pid, 'SIGSTOP');
    // continued (fg, SIGCONT)
    stoppedMs += performance.now() - stoppedAt;
    observer.stoppedSinceLastSample = true;
    live?.lostPosition();
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
  const drawing = live
    ? setInterval(() => live.draw([...observer.stages.values()], performance.now() - startMs), LIVE_EVERY_MS)
    : undefined;
  const stderrDone =
    live && child.stderr
      ? new Promise((resolve) =>
          child.stderr!.on('data', (chunk: Buffer) => live.printAbove(chunk)).once('close', resolve),
        )
      : Promise.resolve();
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
  const endMs = performance.now();
  sample();
  observer.close();
  // timer's own CPU while the pipeline ran: starting it, sampling it (what it took from its cores)
  const ownRun = process.cpuUsage(ownBefore);
  stopSampling();
  if (reapWatch) clearInterval(reapWatch);
  if (drawing) clearInterval(drawing);
  await stderrDone;
  live?.close();
  // every process of the pipeline seen, for what a signal passed on to it may have left behind
  for (const stage of observer.stages.values()) for (const [pid, start] of stage.tree) known.set(pid, start);
  signals.ended();
  signals.remove();
  process.off('SIGTSTP', onStop);
  const cpuAfter = childCpu();
  const machineAfter = machineBusyMs();

  let statuses: number[] = [];
  try {
    statuses = readFileSync(statusFile, 'latin1')
      .trim()
      .split(' ')
      .filter((word) => word !== '')
      .map(Number);
  } catch {
    // the shell ended before the end of its script (exit, set -e, a signal): statuses unknown
  }
  let traceText = '';
  try {
    traceText = readFileSync(tracePath, 'utf8');
  } catch {
    // removed meanwhile
  }
  // Every time in the profile is in ms from the shell's start.
  const originMs = performance.timeOrigin + startMs;
  const traces = readStageTraces(traceText, originMs);
  const cpu =
    cpuBefore && cpuAfter
      ? { userMs: cpuAfter.userMs - cpuBefore.userMs, sysMs: cpuAfter.sysMs - cpuBefore.sysMs }
      : undefined;
  // The stages the shell reaped after the last sample that saw it (as it ended): what timer reaped in
  // all, less the rest and the shell's own.
  const records = [...observer.stages.values()];
  const late = records.filter((record) => record.reapedWith === undefined);
  if (cpu && late.length > 0) {
    const attributed = records.filter((record) => record.reapedWith !== undefined);
    const sum = (field: 'userMs' | 'sysMs'): number =>
      attributed.reduce((acc, record) => acc + record.reapedWith![field] / record.reapedWith!.pids.length, 0);
    const group: ReapedGroup = {
      pids: late.map((record) => record.pid),
      userMs: cpu.userMs - sum('userMs') - observer.shellOwnCpu.userMs,
      sysMs: cpu.sysMs - sum('sysMs') - observer.shellOwnCpu.sysMs,
    };
    for (const record of late) record.reapedWith = group;
  }
  const observed = observedStages(records, traces, endMs - startMs, observer.outside);
  const stages = profileStages(observed, observer.outside);
  applyPipestatus(stages, statuses);
  const wallMs = endMs - startMs;
  const cpuMs = cpu ? cpu.userMs + cpu.sysMs : null;
  const stageCpu = stages.reduce((sum, stage) => sum + (stage.userMs ?? 0) + (stage.sysMs ?? 0), 0);
  const cores = availableParallelism();
  // Cores other processes of the machine kept busy meanwhile (a shared machine): not the pipeline's to use.
  const activeMs = wallMs - stoppedMs;
  const ownMeanwhile = process.cpuUsage(ownBefore);
  const othersMs =
    machineBefore !== undefined && machineAfter !== undefined && cpuMs !== null
      ? Math.max(0, machineAfter - machineBefore - cpuMs - (ownMeanwhile.user + ownMeanwhile.system) / 1000)
      : 0;
  const busyElsewhere = activeMs > 0 ? Math.min(cores - 1, othersMs / activeMs) : 0;
  const bottleneck = findBottleneck(stages, wallMs - stoppedMs);
  const prediction =
    bottleneck.busiest && cpuMs !== null
      ? predict(stages, bottleneck.busiest, activeMs, cpuMs, cores - busyElsewhere)
      : undefined;
  // then, once it ended: reading the stages' traces, the model (not drawing the report)
  const ownAfter = process.cpuUsage(ownBefore);
  const coresText =
    busyElsewhere >= 0.1
      ? `the ${(cores - busyElsewhere).toFixed(1)} of ${cores} cores other processes left free`
      : `${cores} cores`;
  const profile: PipelineProfile = {
    pipeline,
    shell: `${path.basename(shell)} -c`,
    exitCode: code,
    signal,
    wallMs,
    userMs: cpu?.userMs ?? null,
    sysMs: cpu?.sysMs ?? null,
    cpuMs,
    timerStartupCpuMs: Math.round((ownBefore.user + ownBefore.system) / 1000),
    timerCpuMs: Math.round((ownRun.user + ownRun.system) / 1000),
    timerReportCpuMs: Math.round((ownAfter.user + ownAfter.system - ownRun.user - ownRun.system) / 1000),
    cores,
    coresBusyElsewhere: Math.round(busyElsewhere * 100) / 100,
    parallelism: cpuMs === null || wallMs <= stoppedMs ? null : cpuMs / (wallMs - stoppedMs),
    unattributedCpuMs: cpuMs === null ? null : cpuMs - stageCpu,
    stoppedMs,
    sampleIntervalMs: options.intervalMs,
    stateUnknownReason: observer.stateUnknownReason ?? null,
    stages,
    bottleneck: bottleneck.stage?.name ?? null,
    bottleneckLine: bottleneck.line,
    prediction: prediction
      ? {
          ...prediction,
          line: `predicted: ${format(prediction.wallMs)} with ${prediction.change}${
            prediction.coresFull
              ? ` — the cores are already full (CPU ${format(cpuMs!)} on ${coresText}): more workers will not help`
              : ` (measured ${format(activeMs)}${prediction.coresBound ? `; bounded by the cores: CPU ${format(cpuMs!)} on ${coresText}` : ''})`
          }`,
        }
      : null,
  };

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

/**
 * A stage's fd 0 or fd 1 as the samples saw it, where it can be trusted: once the stage ran its
 * program; for a fork of the shell that never was seen running one, when two samples saw it and it is
 * a pipe of the pipeline — a fork sets up its pipes after it starts, and one seen twice with timer's
 * own stdin or stdout (a loaded machine) may still have been about to (else unknown).
 */
function pipeOf(record: StageRecord, link: string | undefined, outside: Set<string>): string | undefined {
  if (record.fdsFinal) return link;
  return record.fdReads > 1 && link !== undefined && !outside.has(link) ? link : undefined;
}

/**
 * The stages as observed: each child of the shell with what /proc showed, joined with the trace of
 * the pipestage process in its tree; a pipestage stage too short for any sample comes from its trace
 * alone. CPU: what the shell accounted for each group of stages it reaped together, shared among them.
 */
function observedStages(
  records: StageRecord[],
  traces: ReturnType<typeof readStageTraces>,
  endMs: number,
  outside: Set<string>,
): ObservedStage[] {
  const claimed = new Set<number>();
  const stages: ObservedStage[] = records.map((record) => {
    // The pipestage processes in the stage's tree: one gives the stage its states and items; several
    // (a subshell running a pipeline of them) leave the stage to the samples.
    const tracedPids = [...traces.keys()].filter((pid) => record.tree.has(pid) && !claimed.has(pid));
    for (const pid of tracedPids) claimed.add(pid);
    const tracedPid = tracedPids.length === 1 ? tracedPids[0] : undefined;
    const traced = tracedPid === undefined ? undefined : traces.get(tracedPid);
    const exit = traced?.exit && tracedPid === record.pid ? traced.exit : undefined;
    return {
      pid: record.pid,
      argvs: programsInOrder(record),
      tracedNames: tracedPids.map((pid) => traces.get(pid)!.name),
      subshell: isSubshell(record),
      startMs: record.startMs,
      endMs: exit ? exit.atMs : (record.goneMs ?? endMs),
      stdin: pipeOf(record, record.stdin, outside),
      stdout: pipeOf(record, record.stdout, outside),
      // the CPU known so far: the stage's own exit figures (it was its tree), else the last sample
      userMs: Math.max(record.userMs, exit?.userMs ?? 0),
      sysMs: Math.max(record.sysMs, exit?.sysMs ?? 0),
      peakRssBytes: record.peakRssBytes > 0 ? record.peakRssBytes : null,
      bytesIn: record.bytesIn ?? null,
      bytesOut: record.bytesOut ?? null,
      status: null,
      intervals: record.intervals,
      traced,
    };
  });
  const groups = new Map<ReapedGroup, ObservedStage[]>();
  records.forEach((record, index) => {
    if (record.reapedWith) groups.set(record.reapedWith, [...(groups.get(record.reapedWith) ?? []), stages[index]!]);
  });
  for (const [group, members] of groups) {
    // what each was using per ms when last sampled: its share of what the samples missed
    const rates = members.map((stage) => recentCpuRate(stage.intervals));
    const shared = attributeReaped(
      members.map((stage) => ({ userMs: stage.userMs!, sysMs: stage.sysMs! })),
      group,
      rates.some((rate) => rate > 0) ? rates : undefined,
    );
    members.forEach((stage, index) => Object.assign(stage, shared[index]));
  }
  for (const [pid, traced] of traces) {
    if (claimed.has(pid) || traced.states.length === 0) continue;
    const startMs = traced.states[0]!.startMs;
    stages.push({
      pid,
      argvs: [[traced.name]],
      startMs,
      endMs: traced.exit?.atMs ?? traced.states[traced.states.length - 1]!.endMs,
      stdin: undefined,
      stdout: undefined,
      userMs: null,
      sysMs: null,
      peakRssBytes: null,
      bytesIn: null,
      bytesOut: null,
      status: null,
      intervals: [],
      traced,
    });
  }
  return stages;
}
