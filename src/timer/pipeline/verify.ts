import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readProcLink, readProcText } from '../../base/proc.js';
import type { PipelineProfile, VerifyReport } from '../../render/profile.js';
import { activeWall, median } from './runs.js';

// `timer --pipeline P --verify`: once P is profiled, its suggestion runs, profiled the same way, and
// the two walls are compared with the prediction. The suggestion reads the same input: timer's stdin,
// from the offset P started at where it is a regular file; a pipe cannot be read twice (refused
// before anything runs).

/** Verified: the suggestion faster than now, its wall within this share of the predicted one. */
export const VERIFY_WITHIN = 0.2;

/**
 * Why stdin cannot be given to a second run (a pipe, a socket), else undefined; `why` says what runs
 * again (`--runs 2 runs the pipeline more than once`).
 */
export function unreplayableInput(why: string): string | undefined {
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(0);
  } catch {
    return undefined; // (no stdin: the pipeline's reads fail alike both times)
  }
  if (!stat.isFIFO() && !stat.isSocket()) return undefined;
  return (
    `${why}, and its input comes from a pipe, which cannot be read twice: give it as a file (< FILE), ` +
    'or </dev/null if the pipeline reads none'
  );
}

/** Where stdin was when timer started: a regular file's offset (its second reader starts there too). */
export function inputOffset(): number | undefined {
  const pos = /^pos:\s+(\d+)/m.exec(readProcText('/proc/self/fdinfo/0') ?? '');
  return pos ? Number(pos[1]) : undefined;
}

/** stdin for a run after the first: a regular file opened again at `offset`, else timer's own stdin. */
export function replayInput(offset: number | undefined): number | 'inherit' {
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(0);
  } catch {
    return 'inherit';
  }
  const file = readProcLink('/proc/self/fd/0');
  if (!stat.isFile() || file === undefined || offset === undefined) return 'inherit';
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 16);
  for (let left = offset; left > 0; ) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, left), null);
    if (read === 0) break;
    left -= read;
  }
  return fd;
}

/**
 * The comparison's line: verified (faster in every run, the median wall within VERIFY_WITHIN of the
 * predicted one), or not confirmed and which condition failed. `spread`: the paired runs' least and
 * greatest ratio (null: one run).
 */
export function verificationLine(
  ratio: number,
  spread: [number, number] | null,
  predictedRatio: number,
  wallMs: number,
  predictedMs: number,
): string {
  const within =
    spread && spread[0].toFixed(2) !== spread[1].toFixed(2) ? ` (${spread[0].toFixed(2)}–${spread[1].toFixed(2)})` : '';
  const figures = `${ratio.toFixed(2)}${within} times as fast as now (predicted ${predictedRatio.toFixed(2)})`;
  if (ratio <= 1) return `not confirmed: ${figures}: not faster`;
  if (spread && spread[0] <= 1) return `not confirmed: ${figures}: not faster in every run`;
  const wall = spread ? 'median wall' : 'wall';
  if (Math.abs(wallMs - predictedMs) > VERIFY_WITHIN * predictedMs)
    return `not confirmed: ${figures}: its ${wall} more than ${100 * VERIFY_WITHIN}% off the predicted one`;
  return `verified: ${ratio.toFixed(2)}${within} times faster (predicted ${predictedRatio.toFixed(2)})`;
}

/** The walls (less stopped time) of every run a --json document holds, in order. */
function runWalls(document: PipelineDocument): number[] {
  const runs = document.runs?.each ?? [document];
  return runs.map((run) => run.wallMs - run.stoppedMs);
}

interface PipelineDocument {
  wallMs: number;
  stoppedMs: number;
  exitCode: number;
  stages: { command: string; status: number | null }[];
  runs?: { each: PipelineDocument[] } | null;
}

/**
 * Why a run of the suggestion failed: the pipeline's status, or a stage's that exited 0 in the profiled
 * run (the last stage's status is the pipeline's: `sleep-task -- x --concurrency 2 | md5sum` exits 0)
 */
function failure(run: PipelineDocument, before: PipelineProfile): string | undefined {
  if (run.exitCode !== 0) return `the suggestion exited ${run.exitCode}`;
  const failed = run.stages.find((stage, row) => (stage.status ?? 0) !== 0 && before.stages[row]?.status === 0);
  return failed && `the suggestion's ${failed.command} exited ${failed.status}`;
}

/** A verification with no figures: it did not run, or its figures are no measure (the line says why). */
export const UNVERIFIED = { verified: false, ratio: null, ratioRange: null, predictedRatio: null, wallMs: null };

/**
 * What --verify is given: the sampling interval, the runs, where the input starts, a directory of its
 * own, and what stops it (timer's Ctrl-C: the suggestion's timer is sent SIGINT).
 */
interface VerifyOptions {
  intervalMs: number;
  runs: number;
  warmup: number;
  abort?: AbortSignal;
  offset: number | undefined;
  workDir: string;
}

/**
 * Runs the suggestion with timer itself (`timer --pipeline SUGGESTION --json`, as many runs; its
 * output the user's) and compares, run by run in order. Undefined where nothing runnable was
 * suggested; a line saying why it could not run.
 */
export async function verifySuggestion(
  profile: PipelineProfile,
  options: VerifyOptions,
): Promise<VerifyReport | string | undefined> {
  const prediction = profile.prediction;
  if (!prediction?.suggestion || !prediction.runnable) return undefined;
  const file = path.join(options.workDir, 'verify.json');
  const stdin = replayInput(options.offset);
  const args = ['--pipeline', prediction.suggestion, '--json', '--output', file, '--no-progress'];
  args.push('--interval', String(options.intervalMs), '--runs', String(options.runs));
  if (options.warmup > 0) args.push('--warmup', String(options.warmup));
  const child = spawn(process.execPath, [process.argv[1]!, ...args], {
    stdio: [stdin, 'inherit', 'inherit'],
    ...(options.abort ? { signal: options.abort, killSignal: 'SIGINT' as const } : {}),
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (typeof stdin === 'number') closeSync(stdin);
  let measured: PipelineDocument;
  try {
    measured = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return `not confirmed: the suggestion could not be run (timer exited ${code})`;
  } finally {
    rmSync(file, { force: true });
  }
  const failed = (measured.runs?.each ?? [measured]).map((run) => failure(run, profile)).find(Boolean);
  if (failed) return `not confirmed: ${failed}`;
  const now = profile.runs ? profile.runs.each.map(activeWall) : [activeWall(profile)];
  const walls = runWalls(measured);
  const ratios = walls.slice(0, now.length).map((wall, run) => now[run]! / wall);
  const ratio = median(ratios);
  const spread = ratios.length > 1 ? ([Math.min(...ratios), Math.max(...ratios)] as [number, number]) : null;
  const wallMs = median(walls);
  const predictedRatio = activeWall(profile) / prediction.wallMs;
  const line = verificationLine(ratio, spread, predictedRatio, wallMs, prediction.wallMs);
  return { ratio, ratioRange: spread, predictedRatio, wallMs, verified: line.startsWith('verified:'), line };
}

/** --verify's part of the report: the comparison, or why there was none (never silent). */
export async function verification(
  profile: PipelineProfile,
  options: { intervalMs: number; runs: number; warmup: number; abort?: AbortSignal },
  offset: number | undefined,
  workDir: string,
): Promise<VerifyReport> {
  const { intervalMs, runs, warmup, abort } = options;
  const result = await verifySuggestion(profile, { intervalMs, runs, warmup, abort, offset, workDir });
  const unknown = UNVERIFIED;
  if (result === undefined) {
    const words = profile.prediction?.suggestion;
    const why = words ? 'the suggestion is in words, not a pipeline to run' : 'nothing was suggested';
    return { ...unknown, line: `not verified: ${why}` };
  }
  if (typeof result === 'string') return { ...unknown, line: result };
  return result;
}
