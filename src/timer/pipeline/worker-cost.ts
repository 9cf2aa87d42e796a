import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../../args/program.js';
import { childCpu } from '../../base/proc.js';

// What a worker thread costs a stage per line (`--workers N`: each line posted to a thread and its
// result posted back, on top of the line's own work), measured once per machine, Node version and
// pipestage version, and cached under the user's cache directory: the model of a `--workers`
// suggestion includes it.

export interface WorkerCost {
  /** wall time per line the main thread spends passing lines to threads and taking their results (it is serial) */
  wallMsPerLine: number;
  /** CPU per line the passing costs, both sides */
  cpuMsPerLine: number;
  /** wall a thread's start adds before it takes its first line (two started together), and CPU each */
  threadStartMs: number;
  threadCpuMs: number;
  /** where the figure came from: measured now, or the cache file */
  source: 'measured' | 'cached';
  file: string;
}

/** Lines of each measuring run: the cost per line is the difference between the two sizes'. */
const FEW = 20000;
const MANY = 60000;

/** The cache file: $XDG_CACHE_HOME/pipestage (else ~/.cache/pipestage)/worker-cost.json. */
export function costFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(base, 'pipestage', 'worker-cost.json');
}

/** What the figure is for: this machine (its name, its CPU model and count), this Node and pipestage. */
export function costKey(): string {
  const cpus = os.cpus();
  return [os.hostname(), cpus[0]?.model ?? '?', cpus.length, process.version, VERSION].join(' / ');
}

/** One run of `add` (the cheapest stage) over `lines` lines of 1: its wall and CPU, ms. */
function timed(addPath: string, args: string[], lines: number): { wallMs: number; cpuMs: number } {
  const env = { ...process.env };
  delete env['PIPESTAGE_TRACE'];
  const before = childCpu();
  const start = performance.now();
  const result = spawnSync(process.execPath, [addPath, ...args], {
    input: '1\n'.repeat(lines),
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  const wallMs = performance.now() - start;
  const after = childCpu();
  if (result.status !== 0 || !before || !after) throw new Error('the measuring run failed');
  return { wallMs, cpuMs: after.userMs + after.sysMs - before.userMs - before.sysMs };
}

/** Runs of two lines (two threads started together) whose excess wall is a thread's start: the median. */
const START_RUNS = 5;

const middle = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Measures the cost: `add` and `add --workers 2` over FEW and MANY lines; what `--workers 2` adds per
 * line is the growth of its excess from FEW to MANY lines over the lines between (its threads' start
 * cancels out). A thread's start: the excess of `add --workers 2` over `add` on two lines read
 * together (both threads started at once), the median of START_RUNS pairs; its CPU, half the excess.
 */
export function measureWorkerCost(addPath: string): Omit<WorkerCost, 'source' | 'file'> {
  const excess = (lines: number) => {
    const plain = timed(addPath, [], lines);
    const pooled = timed(addPath, ['--workers', '2'], lines);
    return { wallMs: pooled.wallMs - plain.wallMs, cpuMs: pooled.cpuMs - plain.cpuMs };
  };
  const few = excess(FEW);
  const many = excess(MANY);
  // (a noisy machine may make the growth nothing: then the excess at MANY lines, start included)
  const per = (field: 'wallMs' | 'cpuMs'): number =>
    many[field] > few[field] ? (many[field] - few[field]) / (MANY - FEW) : Math.max(0, many[field]) / MANY;
  const starts = Array.from({ length: START_RUNS }, () => excess(2));
  return {
    wallMsPerLine: per('wallMs'),
    cpuMsPerLine: per('cpuMs'),
    threadStartMs: Math.max(0, middle(starts.map((start) => start.wallMs))),
    threadCpuMs: Math.max(0, middle(starts.map((start) => start.cpuMs)) / 2),
  };
}

/**
 * The cost from the cache where it holds this machine's, else measured (about a second, once) and
 * cached; undefined where it can be neither read nor measured.
 */
export function workerCost(addPath: string, env: NodeJS.ProcessEnv = process.env): WorkerCost | undefined {
  const file = costFile(env);
  const key = costKey();
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const fields = ['wallMsPerLine', 'cpuMsPerLine', 'threadStartMs', 'threadCpuMs'] as const;
    if (cached['key'] === key && fields.every((field) => typeof cached[field] === 'number')) {
      const figures = Object.fromEntries(fields.map((field) => [field, cached[field] as number]));
      return { ...(figures as Record<(typeof fields)[number], number>), source: 'cached', file };
    }
  } catch {
    // not there yet, or not ours: measured below
  }
  let measured: Omit<WorkerCost, 'source' | 'file'>;
  try {
    measured = measureWorkerCost(addPath);
  } catch {
    return undefined;
  }
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify({ key, ...measured })}\n`);
    renameSync(temporary, file);
  } catch {
    // a cache that cannot be written: measured again next time
  }
  return { ...measured, source: 'measured', file };
}
