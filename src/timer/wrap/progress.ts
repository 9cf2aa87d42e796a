import { appendFileSync, existsSync, fstatSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FormatDuration } from '../../base/durations.js';
import { readStat } from '../../base/proc.js';
import type { ItemClock } from '../../trace/items.js';

// timer --progress: a live line per timer on the terminal, one row each for the timers of a pipeline.

const PROGRESS_EVERY_MS = 200;

/**
 * The live --progress line on a terminal (stderr): items, rate, elapsed; cleared at the end. The
 * timers of one pipeline on one terminal each get a row of their own, as pv -c does: each registers
 * in a file named after the terminal and the process group, reserves a row with a newline, and
 * draws its line that many rows up (cursor saved and restored around it).
 */
export function startProgress(
  label: string,
  clock: ItemClock,
  startMs: number,
  format: FormatDuration,
): { stop(): void } {
  const rows = progressRows();
  const draw = (): void => {
    const elapsed = performance.now() - startMs;
    const rate = elapsed > 0 ? (clock.linesOut * 1000) / elapsed : 0;
    const perSecond = rate.toFixed(rate >= 100 ? 0 : 1);
    const line = `\x1b[Ktimer: ${label}: ${clock.linesOut} items, ${perSecond}/s, ${format(elapsed)}`;
    const up = rows.up();
    process.stderr.write(up > 0 ? `\x1b7\x1b[${up}A\r${line}\x1b8` : `\r${line}`);
  };
  const interval = setInterval(draw, PROGRESS_EVERY_MS);
  interval.unref();
  return {
    stop: () => {
      clearInterval(interval);
      const up = rows.up();
      process.stderr.write(up > 0 ? `\x1b7\x1b[${up}A\r\x1b[K\x1b8` : '\r\x1b[K');
      rows.leave();
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This timer's row among the progress lines of its pipeline: how many rows above the cursor. */
function progressRows(): { up(): number; leave(): void } {
  let file: string | undefined;
  try {
    const { rdev } = fstatSync(2);
    const group = readStat('self')!.pgrp;
    file = path.join(tmpdir(), `pipestage-progress-${rdev}-${group}`);
    // Left by an earlier pipeline of this group (a script's): start afresh.
    if (
      existsSync(file) &&
      readFileSync(file, 'latin1')
        .split('\n')
        .every((pid) => pid === '' || !alive(Number(pid)))
    )
      rmSync(file, { force: true });
    appendFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  } catch {
    return { up: () => 0, leave: () => {} };
  }
  const registered = (): string[] => {
    try {
      return readFileSync(file!, 'latin1')
        .split('\n')
        .filter((line) => line !== '');
    } catch {
      return [];
    }
  };
  const mine = registered().indexOf(String(process.pid));
  if (mine > 0) process.stderr.write('\n'); // the first timer draws on the cursor's row; each other reserves one
  return {
    // Rows are reserved in order of registration: the last one is on the cursor's row.
    up: () => {
      const all = registered();
      const index = all.indexOf(String(process.pid));
      return index < 0 ? 0 : all.length - 1 - index;
    },
    // Rows stay reserved while any timer of the pipeline runs; the last one out removes the file.
    leave: () => {
      if (registered().every((pid) => pid === String(process.pid) || !alive(Number(pid))))
        rmSync(file!, { force: true });
    },
  };
}
