import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readProcLink, readProcText } from '../../base/proc.js';
import type { PipelineProfile, VerifyReport } from '../../render/profile.js';

// `timer --pipeline P --verify`: once P is profiled, its suggestion runs, profiled the same way, and
// the two walls are compared with the prediction. The suggestion reads the same input: timer's stdin,
// from the offset P started at where it is a regular file; a pipe cannot be read twice (refused
// before anything runs).

/** Verified: the suggestion faster than now, its wall within this share of the predicted one. */
export const VERIFY_WITHIN = 0.2;

/** Why stdin cannot be given to a second run (a pipe, a socket), else undefined. */
export function unreplayableInput(): string | undefined {
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(0);
  } catch {
    return undefined; // (no stdin: the pipeline's reads fail alike both times)
  }
  if (!stat.isFIFO() && !stat.isSocket()) return undefined;
  return (
    '--verify runs the pipeline a second time, and its input comes from a pipe, which cannot be read ' +
    'twice: give it as a file (< FILE), or </dev/null if the pipeline reads none'
  );
}

/** Where stdin was when timer started: a regular file's offset (its second reader starts there too). */
export function inputOffset(): number | undefined {
  const pos = /^pos:\s+(\d+)/m.exec(readProcText('/proc/self/fdinfo/0') ?? '');
  return pos ? Number(pos[1]) : undefined;
}

/** stdin for the second run: a regular file opened again at `offset`, else timer's own stdin. */
function secondInput(offset: number | undefined): number | 'inherit' {
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

/** The comparison's line: verified, or not confirmed and which condition failed. */
export function verificationLine(ratio: number, predictedRatio: number, wallMs: number, predictedMs: number): string {
  const figures = `${ratio.toFixed(2)} times as fast as now (predicted ${predictedRatio.toFixed(2)})`;
  if (ratio <= 1) return `not confirmed: ${figures}: not faster`;
  if (Math.abs(wallMs - predictedMs) > VERIFY_WITHIN * predictedMs)
    return `not confirmed: ${figures}: its wall more than ${100 * VERIFY_WITHIN}% off the predicted one`;
  return `verified: ${ratio.toFixed(2)} times faster (predicted ${predictedRatio.toFixed(2)})`;
}

/**
 * Runs the suggestion with timer itself (`timer --pipeline SUGGESTION --json`, its output the user's)
 * and compares. Undefined where nothing runnable was suggested; a line saying why it could not run.
 */
export async function verifySuggestion(
  profile: PipelineProfile,
  options: { intervalMs: number; offset: number | undefined; workDir: string },
): Promise<VerifyReport | string | undefined> {
  const prediction = profile.prediction;
  if (!prediction?.suggestion || prediction.suggestion.startsWith('run ')) return undefined;
  const file = path.join(options.workDir, 'verify.json');
  const stdin = secondInput(options.offset);
  const args = ['--pipeline', prediction.suggestion, '--json', '--output', file, '--no-progress'];
  const child = spawn(process.execPath, [process.argv[1]!, ...args, '--interval', String(options.intervalMs)], {
    stdio: [stdin, 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (typeof stdin === 'number') closeSync(stdin);
  let measured: { wallMs: number; stoppedMs: number; exitCode: number };
  try {
    measured = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return `not confirmed: the suggestion could not be run (timer exited ${code})`;
  } finally {
    rmSync(file, { force: true });
  }
  if (measured.exitCode !== 0) return `not confirmed: the suggestion exited ${measured.exitCode}`;
  const nowMs = profile.wallMs - profile.stoppedMs;
  const wallMs = measured.wallMs - measured.stoppedMs;
  const ratio = nowMs / wallMs;
  const predictedRatio = nowMs / prediction.wallMs;
  const line = verificationLine(ratio, predictedRatio, wallMs, prediction.wallMs);
  return { ratio, predictedRatio, wallMs, verified: line.startsWith('verified:'), line };
}

/** --verify's part of the report: the comparison, or why there was none (never silent). */
export async function verification(
  profile: PipelineProfile,
  intervalMs: number,
  offset: number | undefined,
  workDir: string,
): Promise<VerifyReport> {
  const result = await verifySuggestion(profile, { intervalMs, offset, workDir });
  const unknown = { verified: false, ratio: null, predictedRatio: null, wallMs: null };
  if (result === undefined) {
    const words = profile.prediction?.suggestion;
    const why = words ? 'the suggestion is in words, not a pipeline to run' : 'nothing was suggested';
    return { ...unknown, line: `not verified: ${why}` };
  }
  if (typeof result === 'string') return { ...unknown, line: result };
  return result;
}
