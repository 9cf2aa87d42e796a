import { type FormatDuration, loadFormatDuration } from '../base/durations.js';
import { utf8Bytes } from '../base/messages.js';
import { onProgressSignal } from '../base/progress-signal.js';

/**
 * A stage's busy time: the time during which a line was being processed, timed per turn of the read
 * loop (and while asynchronous lines are in flight), never per line; less the time direct writes
 * waited for a slow reader. Worker threads' lines also add up their own compute times.
 */
export class BusyTime {
  private totalMs = 0;
  private since = Number.NaN;
  /** of the busy time since `since`, how long direct writes waited for the reader */
  private waitedMs = 0;
  /** timed stages (worker threads): the sum of the lines' own compute times */
  computeMs = 0;

  /** A line was read in the turn of the read loop that started at `turnStartMs`: busy since then. */
  lineRead(turnStartMs: number): void {
    if (Number.isNaN(this.since)) this.since = turnStartMs;
  }

  /** A direct write waited for the reader from `fromMs` to `toMs`: not busy. */
  outputWaited(fromMs: number, toMs: number): void {
    if (!Number.isNaN(this.since)) this.waitedMs += toMs - fromMs;
  }

  /** No line is being processed any more. */
  idle(): void {
    if (Number.isNaN(this.since)) return;
    this.totalMs += performance.now() - this.since - this.waitedMs;
    this.since = Number.NaN;
    this.waitedMs = 0;
  }

  /** The busy time so far (the current stretch included). */
  soFarMs(): number {
    return this.totalMs + (Number.isNaN(this.since) ? 0 : performance.now() - this.since - this.waitedMs);
  }

  /**
   * Answers the progress signal (SIGUSR1) with `name: N lines, busy T` on `message`, `lines()` the
   * lines done so far (pretty-ms is loaded then if `--time` did not load it).
   */
  reportOnProgressSignal(
    name: string,
    lines: () => number,
    format: FormatDuration | null,
    message: (text: string) => void,
  ): void {
    onProgressSignal(() => {
      const busy = this.soFarMs();
      const done = lines();
      void (format ? Promise.resolve(format) : loadFormatDuration()).then((format) =>
        message(utf8Bytes(`${name}: ${done} ${done === 1 ? 'line' : 'lines'}, busy ${format(busy)}\n`)),
      );
    });
  }

  /** `--time`'s last line: the lines done and the busy time (and the threads' compute time, if `timed`). */
  summary(name: string, lines: number, timed: boolean, format: FormatDuration): string {
    const compute = timed
      ? ` (wall time with a line in progress), compute ${format(this.computeMs)} (summed over the worker threads)`
      : '';
    return utf8Bytes(`${name}: ${lines} ${lines === 1 ? 'line' : 'lines'}, busy ${format(this.totalMs)}${compute}\n`);
  }
}
