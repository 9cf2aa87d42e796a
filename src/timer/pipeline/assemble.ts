import { type ChildCpu, MS_PER_TICK } from '../../base/proc.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { PipelineProfile } from '../../render/profile.js';
import { readStageTraces } from '../../trace/read-stage-traces.js';
import { applyPipestatus, findBottleneck, profileStages } from './model.js';
import type { PipelineObserver } from './observe.js';
import { attributeLate, observedStages } from './observed.js';
import { processesOf } from './process-rows.js';
import { adviceFor } from './advice.js';
import { type Margin, SINGLE_RUN } from './suggest.js';
import { readShellEnd } from './shell.js';
import { lastPipelineRows, type TypedStage } from './typed.js';

// A run of a pipeline, ended, to its profile: the shell's statuses and figures, the stages' traces,
// the samples, the text as typed; the model, the bottleneck and the prediction.

/** What is known of a run once its shell ended. */
export interface EndedRun {
  pipeline: string;
  /** the shell that ran it */
  shell: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** on timer's clock (performance.now()): the shell's start, the pipeline's end */
  startMs: number;
  endMs: number;
  stoppedMs: number;
  intervalMs: number;
  observer: PipelineObserver;
  statusFile: string;
  tracePath: string;
  /** timer's reaped children's CPU, and the machine's busy time, before and after */
  cpu: { before: ChildCpu | undefined; after: ChildCpu | undefined };
  machine: { before: number | undefined; after: number | undefined };
  /** timer's own CPU until the shell started, and until it ended */
  ownBefore: NodeJS.CpuUsage;
  ownRun: NodeJS.CpuUsage;
  format: (ms: number) => string;
  /** the stages as typed, where the text could be parsed */
  typed: TypedStage[] | undefined;
}

/** An ended run's profile; `originMs`: the shell's start (ms since the epoch); `advise`: its advice at a margin. */
export interface AssembledRun {
  profile: PipelineProfile;
  originMs: number;
  advise: (margin: Margin) => PipelineProfile['prediction'];
}

/** The profile of an ended run. */
export async function assembleProfile(run: EndedRun): Promise<AssembledRun> {
  const { pipeline, shell, code, signal, startMs, endMs, stoppedMs, intervalMs, observer } = run;
  const { statusFile, tracePath, cpu, machine, ownBefore, ownRun, format, typed } = run;
  const { statuses, cpu: shellCpu, own: shellOwn, io: shellIo } = readShellEnd(statusFile);
  let traceText = '';
  try {
    traceText = readFileSync(tracePath, 'utf8');
  } catch {
    // removed meanwhile
  }
  // Every time in the profile is in ms from the shell's start.
  const originMs = performance.timeOrigin + startMs;
  const traces = readStageTraces(traceText, originMs);
  // the pipeline's CPU: the shell's and its children's, to the ms where bash said (else in 10 ms ticks)
  const reaped =
    shellCpu ??
    (cpu.before && cpu.after
      ? { userMs: cpu.after.userMs - cpu.before.userMs, sysMs: cpu.after.sysMs - cpu.before.sysMs }
      : undefined);
  const records = [...observer.stages.values()];
  // (the shell's own CPU at its end where it said it, to the ms: its forks of the last stages and its
  // builtins after the last sample are not theirs; else as last sampled)
  const own = shellCpu ? shellOwn : observer.shellOwnCpu;
  if (reaped)
    attributeLate(records, reaped, own ?? observer.shellOwnCpu, { atEnd: shellIo, lastSample: observer.shellIo });
  // and what no process of the pipeline reaped: counted apart, as sampled (stages still running, the
  // processes nobody of it waits for)
  const unreaped = [...records, observer.unplaced].reduce(
    (sum, record) => {
      const running = record.goneMs === undefined;
      sum.userMs += record.lostUserMs + (running ? record.userMs : 0);
      sum.sysMs += record.lostSysMs + (running ? record.sysMs : 0);
      return sum;
    },
    { userMs: 0, sysMs: 0 },
  );
  const total = reaped && { userMs: reaped.userMs + unreaped.userMs, sysMs: reaped.sysMs + unreaped.sysMs };
  // (a pipestage process nobody of the pipeline reaps, placed on no stage yet — tee >(mul) — is a
  // process of the stage its text gives it to, below: not a stage of its own)
  const stageTraces = new Map([...traces].filter(([pid]) => !observer.unplaced.procs.has(pid)));
  const observed = observedStages(records, stageTraces, endMs - startMs, observer.outside);
  const stages = profileStages(observed, observer.outside, typed);
  // process substitutions of a stage no sample saw: the stage's where the text gives one only
  // and `&` jobs no sample saw, still running: the job's where the text starts one only
  // (an orphan where the text starts no `&` job: a `>( )` whose parent ended before a sample saw it)
  const jobs =
    [...observer.unplaced.procs.values()].some((proc) => proc.lost === 'orphan') &&
    typed?.some((stage) => stage.background) === true;
  const typedAs = (row: number): boolean => (jobs ? typed![row]!.background : typed![row]!.procsubs.length > 0);
  const owners = typed?.length === stages.length ? stages.filter((_, row) => typedAs(row)) : [];
  const { unplaced } = observer;
  if (unplaced.procs.size > 0 && owners.length === 1) {
    const stage = owners[0]!;
    // (a `>( )` still running as the shell ended was waited for: only an `&` job is left running)
    if (jobs) stage.running ||= [...unplaced.procs.values()].some((proc) => !proc.goneMs && !proc.exited);
    // (a stage no sample saw: its CPU is its processes' alone, as sampled; its own is the shell's
    // reaped total's, unattributed)
    stage.cpuSampled ||= stage.pid === 0 || [...unplaced.procs.values()].some((proc) => !proc.exited);
    stage.userMs = (stage.userMs ?? 0) + unplaced.lostUserMs;
    stage.sysMs = (stage.sysMs ?? 0) + unplaced.lostSysMs;
    stage.processes.push(...processesOf(unplaced, endMs - startMs));
  }
  // (statuses by the typed rows where the rows are the typed stages)
  const ran = (row: number): boolean => stages[row]!.pid !== 0;
  const typedRows =
    typed?.length === stages.length ? (lastPipelineRows(typed, ran, statuses.length) ?? null) : undefined;
  applyPipestatus(stages, statuses, typedRows);
  const wallMs = endMs - startMs;
  const cpuMs = total ? total.userMs + total.sysMs : null;
  const stageCpu = stages.reduce((sum, stage) => sum + (stage.userMs ?? 0) + (stage.sysMs ?? 0), 0);
  const cores = availableParallelism();
  // Cores other processes of the machine kept busy meanwhile (a shared machine): not the pipeline's to use.
  const activeMs = wallMs - stoppedMs;
  const ownMeanwhile = process.cpuUsage(ownBefore);
  const othersMs =
    machine.before !== undefined && machine.after !== undefined && cpuMs !== null
      ? Math.max(0, machine.after - machine.before - cpuMs - (ownMeanwhile.user + ownMeanwhile.system) / 1000)
      : 0;
  // (/proc/stat counts each core's busy time in ticks: over a run shorter than 10 ticks a core, others'
  // share is not known to 0.1 of a core: unknown, and the model takes none)
  const knowable = activeMs >= (cores + 2) * MS_PER_TICK * 10;
  // (at most what the pipeline's own use left of the cores: the two are read apart; never all of them)
  const leftOver = Math.max(0.05, cores - (cpuMs ?? 0) / activeMs);
  const busyElsewhere = knowable ? Math.min(leftOver, othersMs / activeMs) : 0;
  const bottleneck = findBottleneck(stages, wallMs - stoppedMs);
  const coresText =
    busyElsewhere >= 0.1
      ? `the ${(cores - busyElsewhere).toFixed(1)} of ${cores} cores other processes left free`
      : `${cores} cores`;
  const coresCpu = `CPU ${format(cpuMs ?? 0)} on ${coresText}`;
  // (a run cut short by a signal says nothing of how long the whole would take)
  const advise = (margin: Margin): PipelineProfile['prediction'] =>
    cpuMs !== null && !signal
      ? adviceFor(
          stages,
          bottleneck,
          { pipeline, activeMs, cpuMs, cores: cores - busyElsewhere },
          format,
          coresCpu,
          margin,
        )
      : null;
  const prediction = advise(SINGLE_RUN);
  // then, once it ended: reading the stages' traces, the model (not drawing the report)
  const ownAfter = process.cpuUsage(ownBefore);
  const profile: PipelineProfile = {
    pipeline,
    shell: `${path.basename(shell)} -c`,
    exitCode: code,
    signal,
    wallMs,
    userMs: total?.userMs ?? null,
    sysMs: total?.sysMs ?? null,
    cpuMs,
    timerStartupCpuMs: Math.round((ownBefore.user + ownBefore.system) / 1000),
    timerCpuMs: Math.round((ownRun.user + ownRun.system) / 1000),
    timerReportCpuMs: Math.round((ownAfter.user + ownAfter.system - ownRun.user - ownRun.system) / 1000),
    cores,
    coresBusyElsewhere: knowable ? Math.round(busyElsewhere * 100) / 100 : null,
    parallelism: cpuMs === null || wallMs <= stoppedMs ? null : cpuMs / (wallMs - stoppedMs),
    unattributedCpuMs: cpuMs === null ? null : Math.max(0, cpuMs - stageCpu),
    stoppedMs,
    sampleIntervalMs: intervalMs,
    stateUnknownReason: observer.stateUnknownReason ?? null,
    stages,
    bottleneck: bottleneck.stage?.name ?? null,
    bottleneckLine: bottleneck.line,
    prediction,
  };
  return { profile, originMs, advise };
}
