import type { FormatDuration } from '../base/durations.js';
import { formatBytes } from './units.js';
import type { StageRecord } from './profile.js';
import { liveName } from './stage-name.js';

/** The live view is redrawn at most this often. */
export const LIVE_EVERY_MS = 200;

interface Last {
  atMs: number;
  cpuMs: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The live view on a terminal (stderr): one line per stage — its state now, CPU %, bytes per second
 * in and out, totals — redrawn in place. Lines the stages write on stderr are printed above it, whole,
 * so nothing scribbles over it. Lines are cut to the terminal's width (a wrapped line would break the
 * redraw).
 */
export class LiveView {
  private drawn = 0;
  private readonly last = new Map<number, Last>();
  private partial = '';

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly format: FormatDuration,
  ) {}

  /** Redraws the view from the stages' latest samples. */
  draw(stages: StageRecord[], nowMs: number): void {
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const rows = stages.map((stage) => this.row(stage, nowMs));
    const nameWidth = Math.min(24, Math.max(5, ...rows.map((row) => row[0]!.length)));
    const lines = rows.map(([name, rest]) => `${name!.slice(0, nameWidth).padEnd(nameWidth)} ${rest}`.slice(0, width));
    lines.push(`timer: ${this.format(nowMs)}`.slice(0, width));
    this.out.write(`${this.erase()}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** Prints the stages' own stderr above the view (complete lines; the rest waits for its newline). */
  printAbove(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const cut = text.lastIndexOf('\n') + 1;
    this.partial = text.slice(cut);
    if (cut === 0) return;
    this.out.write(`${this.erase()}${text.slice(0, cut)}`);
    this.drawn = 0;
  }

  /** The terminal moved on (a stop, the shell's job message): the next view is drawn below, not over. */
  lostPosition(): void {
    this.drawn = 0;
  }

  /** Removes the view (and prints what is left of the stages' stderr). */
  close(): void {
    this.out.write(`${this.erase()}${this.partial}`);
    this.partial = '';
    this.drawn = 0;
  }

  /** Moves up over the view and clears it. */
  private erase(): string {
    return this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
  }

  private row(stage: StageRecord, nowMs: number): [string, string] {
    const name = liveName(stage);
    const cpuMs = stage.userMs + stage.sysMs;
    const bytesIn = stage.bytesIn ?? 0;
    const bytesOut = stage.bytesOut ?? 0;
    const last = this.last.get(stage.pid);
    this.last.set(stage.pid, { atMs: nowMs, cpuMs, bytesIn, bytesOut });
    if (stage.goneMs !== undefined)
      return [
        name,
        `done after ${this.format(stage.goneMs - stage.startMs)}, ` +
          `read ${formatBytes(bytesIn)}, wrote ${formatBytes(bytesOut)}`,
      ];
    const seconds = last ? (nowMs - last.atMs) / 1000 : 0;
    const rate = (now: number, before: number | undefined): string =>
      seconds > 0 && before !== undefined ? `${formatBytes(Math.max(0, (now - before) / seconds))}/s` : '-';
    const cpu = seconds > 0 && last ? Math.round((cpuMs - last.cpuMs) / (seconds * 10)) : 0;
    const state = cpu >= 50 ? 'working' : (stage.intervals[stage.intervals.length - 1]?.state ?? 'starting');
    const rates = `in ${rate(bytesIn, last?.bytesIn).padStart(10)}  out ${rate(bytesOut, last?.bytesOut).padStart(10)}`;
    const totals = `total ${formatBytes(bytesIn)} in, ${formatBytes(bytesOut)} out`;
    return [name, `${state.padEnd(17)} CPU ${String(cpu).padStart(3)}%  ${rates}  ${totals}`];
  }
}
