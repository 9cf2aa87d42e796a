import path from 'node:path';
import type { FormatDuration } from '../base/durations.js';
import { formatBytes } from './units.js';
import type { StageRecord } from './profile.js';
import { liveName } from './stage-name.js';
import { displayWidth, fitWidth, visible } from './width.js';

/** The live view is redrawn at most this often. */
export const LIVE_EVERY_MS = 200;

interface Last {
  atMs: number;
  cpuMs: number;
  bytesIn: number;
  bytesOut: number;
}

/** Escape sequences (VT100; every terminal emulator in use has them). */
const SAVE = '\x1b7';
const RESTORE = '\x1b8';
/** down a line, the column kept, scrolling the scroll region at its bottom (a newline would go to column 1) */
const INDEX = '\x1bD';
const at = (row: number): string => `\x1b[${row};1H`;
const region = (bottom: number): string => `\x1b[1;${bottom}r`;
const WHOLE_SCREEN = '\x1b[r';
const CLEAR_LINE = '\x1b[2K';
const CLEAR_BELOW = '\x1b[J';

/** pipestage's stages: their bytes are their own counts, in their traces. */
const STAGES = new Set(['mul', 'add', 'sleep-task']);

/**
 * The live view on a terminal (stderr): one line per stage — its state now, CPU %, bytes per second
 * in and out, totals — and the clock, in lines reserved at the bottom of the screen, below a scroll
 * region (as apt keeps its progress line under dpkg's output). The stages write to the terminal
 * itself, stdout and stderr: their lines scroll in the region above, untouched, into the scrollback.
 * Each draw is one write that saves the cursor, draws and restores it, so a stage's half-written line
 * goes on where it was. Lines are cut to the terminal's width by display width; the view takes at most
 * a third of its height (more stages are counted, not shown). The region is given back (the screen
 * whole again, the view cleared) on close, before a stop (Ctrl-Z), on a resize, and at exit.
 */
export class LiveView {
  /** lines reserved at the bottom (0: none, the screen is whole) */
  private reserved = 0;
  private readonly last = new Map<number, Last>();
  private readonly onResize = (): void => this.release();
  private readonly onExit = (): void => this.release();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly format: FormatDuration,
  ) {
    out.on('resize', this.onResize);
    process.once('exit', this.onExit);
  }

  /** Redraws the view from the stages' latest samples (`names`: stages named as typed, by pid). */
  draw(stages: StageRecord[], nowMs: number, names?: Map<number, string>): void {
    // asked of the terminal at each draw (a resize while timer was stopped, Ctrl-Z, sent SIGWINCH to the
    // shell then in the foreground, not to timer): a new size gives the screen back first ('resize')
    const [columns, rows] = this.size();
    const width = Math.max(20, columns - 1);
    const room = Math.max(1, Math.floor(rows / 3));
    // too many to show: those still running first (in pipeline order), the others counted
    const running = stages.filter((stage) => stage.goneMs === undefined);
    const byInterest = [...running, ...stages.filter((stage) => stage.goneMs !== undefined)];
    const shown =
      stages.length + 1 <= room ? stages : stages.filter((stage) => byInterest.indexOf(stage) < Math.max(0, room - 2));
    const cells = shown.map((stage) => this.row(stage, nowMs, names?.get(stage.pid)));
    const nameWidth = Math.min(24, Math.max(5, ...cells.map((cell) => displayWidth(cell[0]))));
    const lines = cells.map(([name, rest]) => fitWidth(`${fitWidth(name, nameWidth, nameWidth)} ${rest}`, width));
    if (shown.length < stages.length) lines.push(`… and ${stages.length - shown.length} more stages`);
    lines.push(fitWidth(`timer: ${this.format(nowMs)}`, width));
    let text = '';
    if (lines.length > this.reserved) text += this.reserving(lines.length, rows);
    while (lines.length < this.reserved) lines.unshift('');
    text += SAVE;
    lines.forEach((line, index) => {
      text += `${at(rows - this.reserved + 1 + index)}${CLEAR_LINE}${line}`;
    });
    this.write(`${text}${RESTORE}`);
  }

  /** Gives the screen back whole, the view cleared (a stop, a resize): the next draw reserves again. */
  release(): void {
    this.write(this.releasing());
  }

  /** Gives the screen back for good. */
  close(): void {
    this.release();
    this.out.off('resize', this.onResize);
    process.off('exit', this.onExit);
  }

  /** Scrolls what is on the screen up by the lines still missing (where the cursor is near the bottom). */
  private reserving(count: number, rows: number): string {
    const more = count - this.reserved;
    this.reserved = count;
    return `${INDEX.repeat(more)}\x1b[${more}A${SAVE}${region(rows - count)}${RESTORE}`;
  }

  /**
   * Clears from the cursor to the end of the screen: the view is always below the cursor (the stages
   * write in the region above it, and each draw puts the cursor back), wherever a resize moved it
   * (tmux deletes the rows below the cursor when it shrinks, and pulls scrollback down when it grows).
   */
  private releasing(): string {
    if (this.reserved === 0) return '';
    this.reserved = 0;
    return `${SAVE}${CLEAR_BELOW}${WHOLE_SCREEN}${RESTORE}`;
  }

  /**
   * The terminal's size asked of the kernel (Node's `rows` and `getWindowSize()` are what it last
   * heard on SIGWINCH; its `_refreshSize` asks again, and emits 'resize' where it changed).
   */
  private size(): [number, number] {
    const refresh = (this.out as { _refreshSize?: () => void })._refreshSize;
    try {
      refresh?.call(this.out);
    } catch {
      // not a terminal any more
    }
    return [this.out.columns ?? 80, this.out.rows ?? 24];
  }

  private write(text: string): void {
    if (text === '') return;
    try {
      this.out.write(text);
    } catch {
      // a terminal gone: nothing to draw on
    }
  }

  private row(stage: StageRecord, nowMs: number, typed: string | undefined): [string, string] {
    const name = visible(typed ?? liveName(stage));
    const cpuMs = stage.userMs + stage.sysMs;
    const bytesIn = stage.bytesIn ?? 0;
    const bytesOut = stage.bytesOut ?? 0;
    const last = this.last.get(stage.pid);
    this.last.set(stage.pid, { atMs: nowMs, cpuMs, bytesIn, bytesOut });
    if (stage.goneMs !== undefined) {
      // its bytes as the report will give them: a program's whole I/O where the shell reaped it alone
      // (its last sample is no total); a pipestage stage's own counts are in its trace, read at the end
      const group = stage.reapedWith?.pids.length === 1 ? stage.reapedWith : undefined;
      const pipestage = [...stage.argvs.values()].some(
        (argv) => path.basename(argv[0] ?? '') === 'node' && STAGES.has(path.basename(argv[1] ?? '')),
      );
      const known = group?.bytesIn !== undefined && group.bytesOut !== undefined && !pipestage;
      const bytes = known ? `, read ${formatBytes(group.bytesIn!)}, wrote ${formatBytes(group.bytesOut!)}` : '';
      return [name, `done after ${this.format(stage.goneMs - stage.startMs)}${bytes}`];
    }
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
