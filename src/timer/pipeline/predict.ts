import { busyMs, ioBound, type Prediction, type StageProfile } from '../../render/profile.js';
import { stageCommand } from '../../render/stage-name.js';
import type { TracedStage } from '../../trace/read-stage-traces.js';
import { runsItself } from './suggest.js';

// What the pipeline's wall time would be with its bottleneck twice as fast: the flow-shop model
// (each stage a server, or several, taking items in order) on the per-item costs the stages measured
// of themselves, bounded by the cores.

/**
 * One stage of the flow shop: the cost of each group of consecutive items (one item per group up to
 * MAX_GROUPS items; beyond, equal groups), its servers, and when it could begin.
 */
interface FlowStage {
  costs: number[];
  /** items per group */
  groupSize: number;
  servers: number;
  readyMs: number;
  /**
   * servers added by the change start later: the first at readyMs, each next one everyMs after (worker
   * threads for lines read together start together: everyMs 0)
   */
  addedServers?: { count: number; readyMs: number; everyMs: number };
}

/**
 * The cores are full when the pipeline's CPU took this share of them (those other processes
 * left free) over its wall, as it ran: start-up and the last items leave some idle (measured: 0.92-0.96
 * on 2 full cores), and more workers then gain at most the rest.
 */
const CORES_FULL = 0.9;

/** Groups of items the model works on at most: a run of millions of lines is modelled in equal groups. */
const MAX_GROUPS = 2048;

/**
 * When the last item leaves the last stage: item i enters a stage once the stage before has passed it
 * on and one of the stage's servers is free; items leave each stage in order (as the stages write
 * them). A group of several items is shared by the servers (its cost divided among them). A stage
 * without costs passes items on as they come.
 */
export function makespan(stages: FlowStage[]): number {
  let arrivals: number[] = [];
  let end = 0;
  for (const stage of stages) {
    if (stage.costs.length === 0) continue;
    const servers = Math.max(1, stage.servers);
    const shared = stage.groupSize > 1;
    const added = stage.addedServers;
    const free = new Array<number>(shared ? 1 : servers).fill(stage.readyMs);
    // the servers the change adds are ready later (shared groups: the stage speeds up then)
    if (added && !shared)
      for (let k = servers - added.count; k < servers; k++)
        free[k] = added.readyMs + (k - (servers - added.count)) * added.everyMs;
    if (added && shared) free[0] = Math.max(free[0]!, (stage.readyMs + added.readyMs) / 2);
    const leaves: number[] = [];
    let last = 0;
    for (let group = 0; group < stage.costs.length; group++) {
      let server = 0;
      for (let k = 1; k < free.length; k++) if (free[k]! < free[server]!) server = k;
      const start = Math.max(arrivals[group] ?? 0, free[server]!);
      free[server] = start + stage.costs[group]! / (shared ? Math.min(servers, stage.groupSize) : 1);
      last = Math.max(last, free[server]!);
      leaves.push(last);
    }
    arrivals = leaves;
    end = Math.max(end, last);
  }
  return end;
}

/**
 * A traced stage's item costs in line order (a merged span's time shared by its items), grouped in
 * groups of `groupSize` items, and when its start-up ended.
 */
function flowStage(traced: TracedStage | undefined, groupSize: number, servers?: number): FlowStage {
  if (!traced) return { costs: [], groupSize, servers: 1, readyMs: 0 };
  const costs: number[] = [];
  const spans = [...traced.items].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.startMs - b.startMs);
  let index = 0;
  for (const span of spans) {
    const each = (span.endMs - span.startMs) / span.items;
    for (let left = span.items; left > 0; ) {
      const group = Math.floor(index / groupSize);
      const take = Math.min(left, (group + 1) * groupSize - index);
      costs[group] = (costs[group] ?? 0) + each * take;
      index += take;
      left -= take;
    }
  }
  const startup = traced.states.find((state) => state.state === 'start-up');
  return { costs, groupSize, servers: servers ?? Math.max(1, traced.lanes), readyMs: startup?.endMs ?? 0 };
}

/** Items per group for these stages: one, up to MAX_GROUPS items. */
function groupSizeFor(stages: (TracedStage | undefined)[]): number {
  const items = Math.max(
    0,
    ...stages.map((traced) => (traced ? traced.items.reduce((sum, span) => sum + span.items, 0) : 0)),
  );
  return Math.max(1, Math.ceil(items / MAX_GROUPS));
}

/**
 * The last of an option's values on a command line (the one that takes effect): its whole name or a
 * prefix of 3 letters or more, `=N` or ` N`, before any `--` (after it, words are operands); its text,
 * where it stands, and its value.
 */
function lastOption(command: string, option: string): { text: string; at: number; value: number } | undefined {
  const prefixes = [...option].map((_, end) => option.slice(0, end + 1)).filter((prefix) => prefix.length >= 3);
  const pattern = new RegExp(`(?<=^|\\s)--(?:${prefixes.reverse().join('|')})(?:=|\\s+)(\\d+)(?=\\s|$)`, 'g');
  const match = [...command.slice(0, operandsFrom(command)).matchAll(pattern)].at(-1);
  return match ? { text: match[0], at: match.index, value: Number(match[1]) } : undefined;
}

/** Where a command's operands-only part begins: its `--` word, else its end. */
const operandsFrom = (command: string): number => /(?<=^|\s)--(?=\s|$)/.exec(command)?.index ?? command.length;

/** The value of an option as the command takes it (the last given), else `fallback`. */
export const optionValue = (command: string, option: string, fallback: number): number =>
  lastOption(command, option)?.value ?? fallback;

/**
 * The option that doubles a pipestage stage's servers: `--workers 2N` (CPU) or `--concurrency 2N`
 * (a sleep-task's waits), written in full where it was given, the last given where it was given twice
 * (`--work=2` becomes `--workers 4`), else added at 2 (before a `--`, after which it would be a file).
 */
export function doubledCommand(
  command: string,
  ioBound: boolean,
  name: string,
): { command: string; servers: number; option: 'workers' | 'concurrency' } {
  // (a sleep-task whose steps block its thread, --mode block, as a step that keeps the GIL does, gains
  // nothing from lines in flight in that thread: only threads run them together)
  const blocks = name === 'sleep-task' && /(?<=^|\s)--mode(?:=|\s+)block(?=\s|$)/.test(command);
  // (the option for what the stage was doing, whichever was typed: a spinning stage with --concurrency
  // gains nothing from more of it)
  const option = ioBound && name === 'sleep-task' && !blocks ? 'concurrency' : 'workers';
  const given = lastOption(command, option);
  const servers = given ? given.value * 2 : 2;
  const at = given ? given.at : operandsFrom(command);
  const before = command.slice(0, at);
  const after = command.slice(given ? at + given.text.length : at);
  const written = `--${option} ${servers}`;
  if (given) return { command: before + written + after, servers, option };
  return { command: after ? `${before}${written} ${after}` : `${before} ${written}`, servers, option };
}

/**
 * The pipeline's wall time with `target` twice as fast. A pipestage stage (it traced its items) gets
 * twice the servers, and the flow shop says how much sooner the last item leaves; any other stage
 * would have to do its work in half the time. Either way the cores bound it: the same CPU time
 * (the pipeline's total) cannot be spent in less than total / cores.
 */
export function predict(
  stages: StageProfile[],
  target: StageProfile,
  wallMs: number,
  cpuMs: number,
  cores: number,
  workerCost?: PerLine,
): Prediction {
  // (a pipestage stage inside a function, a subshell, xargs, a `<( )`: the option is the program's own,
  // as it ran; none appended to a compound command's text, `(sleep 1; mul)`)
  const from = target.traced && target.traced.items.length > 0 ? programCommand(target, target.traced.name) : undefined;
  if (target.traced && from !== undefined) {
    // (pipelines one after another: the target's own flow; what it saves, the others start sooner by)
    const flowOf = target.pipeline === undefined ? stages : stages.filter((s) => s.pipeline === target.pipeline);
    const waits = ioBound(target);
    const doubled = doubledCommand(from, waits, target.traced.name);
    const groupSize = groupSizeFor(stages.map((stage) => stage.traced));
    const measured = flowOf.map((stage) => flowStage(stage.traced, groupSize));
    const targetStage = measured[flowOf.indexOf(target)]!;
    // New worker threads start together as lines wait for them: they are ready a thread's start later,
    // and cost its CPU each, as measured once per machine (workerCost: two lines on `add --workers 2`
    // against `add`); where that was not measured (a stage with threads already), a process's start-up
    // measured in this run bounds it, at 0.7 of it in CPU (measured: `--workers 2` on 8 lines of ~280 ms,
    // the two threads' first items began 23 and 25 ms after a process start-up of 75 ms). New
    // concurrency slots cost nothing.
    // (the process's start-up in this run bounds a thread's: a figure cached from a loaded machine may
    // be larger — measured in a test run's parallel part: 657 ms predicted against 520 measured)
    const processStartMs = target.time['start-up'];
    const startupMs = Math.min(workerCost?.threadStartMs ?? processStartMs, processStartMs);
    const threadCpuMs = Math.min(workerCost?.threadCpuMs ?? Number.POSITIVE_INFINITY, 0.7 * processStartMs);
    const threads = doubled.option === 'workers';
    const changedStage: FlowStage = { ...targetStage, servers: doubled.servers };
    const current = Math.max(1, target.traced.lanes);
    // (`--workers 1`, or none: the stage computes its lines itself, on no thread of a pool)
    const pooled = threads && optionValue(from, 'workers', 1) <= 1;
    if (threads)
      changedStage.addedServers = {
        count: doubled.servers - (pooled ? 0 : current),
        readyMs: changedStage.readyMs + startupMs,
        everyMs: 0,
      };
    // A stage that computed its lines itself, given threads, passes each line to one and takes its
    // result back: serial on its main thread, a stage of its own before the threads (workerCost).
    const lines = target.traced.items.reduce((sum, span) => sum + span.items, 0);
    const passing: FlowStage | undefined =
      pooled && workerCost
        ? {
            costs: targetStage.costs.map(() => groupSize * workerCost.wallMsPerLine),
            groupSize,
            servers: 1,
            readyMs: targetStage.readyMs,
          }
        : undefined;
    const changed = measured.flatMap((stage) =>
      stage !== targetStage ? [stage] : passing ? [passing, changedStage] : [changedStage],
    );
    const flow = wallMs - makespan(measured) + makespan(changed);
    // Threads share the cores with the other stages: waits need no core, CPU work does.
    const addedCpu =
      (threads ? (changedStage.addedServers?.count ?? 0) * threadCpuMs : 0) +
      (pooled && workerCost ? lines * workerCost.cpuMsPerLine : 0);
    const cpuBound = waits ? 0 : (cpuMs + addedCpu) / cores;
    const itemMs = targetStage.costs.reduce((sum, cost) => sum + cost, 0) / Math.max(1, lines);
    return {
      wallMs: Math.max(flow, cpuBound),
      change: doubled.command,
      changedFrom: from,
      kind: 'option',
      coresFull: !waits && cpuMs / cores >= CORES_FULL * wallMs, // (waits need no core)
      coresBound: cpuBound > flow,
      ...(pooled ? { perLine: { itemMs, workerMs: workerCost?.wallMsPerLine } } : {}),
    };
  }
  return { ...whatIf(stages, target, wallMs, cpuMs, cores, 0.5), change: target.command, kind: 'what-if' };
}

/**
 * The command that runs a stage's traced program: the stage's own text where it runs it itself (first,
 * or after a wrapper); else the program's as it ran (argv, from /proc) where a process of the stage ran
 * it (a function, a subshell, xargs, a `<( )`); undefined where none was seen.
 */
export function programCommand(target: StageProfile, program: string): string | undefined {
  // (a compound command's text, `(sleep 1; mul)`, runs none itself: its first word is no program)
  if (runsItself(target.command, program)) return target.command;
  return target.processes
    .map((process) => stageCommand([process.argv], program).command)
    .find((command) => command.split(' ')[0] === program);
}

/** What a worker thread costs per line, ms: wall on the main thread (serial), and CPU. */
export interface PerLine {
  wallMsPerLine: number;
  cpuMsPerLine: number;
  /** a new thread's start, wall before its first line and CPU (measured once per machine) */
  threadStartMs?: number;
  threadCpuMs?: number;
}

/**
 * The pipeline's wall time had `target` used `fraction` of its CPU (and of its time working or waiting
 * for a CPU; its other waits as they were): the others as busy as they were, the cores bound by the CPU
 * after that change.
 */
export function whatIf(
  stages: StageProfile[],
  target: StageProfile,
  wallMs: number,
  cpuMs: number,
  cores: number,
  fraction: number,
): { wallMs: number; coresFull: boolean; coresBound: boolean } {
  const others = Math.max(0, ...stages.filter((stage) => stage !== target).map(busyMs));
  // (its waits of its own — a disk, a sleep, a child — are not CPU: they stay as they were)
  const cpuBusy = target.time['working'] + target.time['waiting for a CPU'];
  const flow = Math.max(wallMs - cpuBusy * (1 - fraction), others);
  const targetCpu = (target.userMs ?? 0) + (target.sysMs ?? 0);
  const bound = (cpuMs - targetCpu * (1 - fraction)) / cores;
  return { wallMs: Math.max(flow, bound), coresFull: cpuMs / cores >= CORES_FULL * wallMs, coresBound: bound > flow };
}
