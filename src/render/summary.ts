import type { FormatDuration } from '../base/durations.js';
import { EXIT } from '../base/exit-codes.js';
import { formatBytes, plural } from './units.js';

/** A time in ms as the JSON documents give it: to the microsecond. */
export const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;

/** What timer measured of one command: the summary's fields (JSON field names carry their units). */
export interface Measurement {
  label: string;
  command: string[];
  exitCode: number | null;
  signal: string | null;
  /** what went wrong, for a command that could not run or a read/write error of timer's; else null */
  error: string | null;
  /** null on a side that is a terminal (the command had it directly: not counted) */
  linesIn: number | null;
  linesOut: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  wallMs: number;
  /** CPU of the command and its children, from the kernel once reaped; null where not available */
  userMs: number | null;
  sysMs: number | null;
  /**
   * peak resident memory of the command's process tree, sampled from /proc; null where unknown (no
   * /proc, or it ended before a sample)
   */
  peakRssBytes: number | null;
  rssSampleIntervalMs: number;
  linesPerSecond: number | null;
}

/** One item (--each): the k-th output line paired with the k-th input line; times from the start. */
export interface Item {
  line: number;
  inMs: number | null;
  outMs: number;
  latencyMs: number | null;
  serviceMs: number;
}

/** The --json document: `{ "pipestageTimer": 1, "summary": Measurement, "items"?: Item[] }`. */
export function jsonReport(measurement: Measurement, items: Item[] | undefined): string {
  return `${JSON.stringify({ pipestageTimer: 1, summary: measurement, ...(items ? { items } : {}) }, null, 2)}\n`;
}

/** The --json document of a command that never ran (timer refused: status 125). */
export function refusedReport(label: string, command: string[], error: string, rssSampleIntervalMs: number): string {
  const measurement: Measurement = {
    label,
    command,
    exitCode: EXIT.TIMER_FAILURE,
    signal: null,
    error,
    linesIn: 0,
    linesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    wallMs: 0,
    userMs: null,
    sysMs: null,
    peakRssBytes: null,
    rssSampleIntervalMs,
    linesPerSecond: null,
  };
  return jsonReport(measurement, undefined);
}

/**
 * The summary line: label, lines in and out, wall, CPU, peak RSS, rate — lines per second, or bytes
 * per second where the output is not text (`binaryOutput`: gzip's, where lines mean nothing).
 */
export function summaryLine(m: Measurement, format: FormatDuration, binaryOutput = false): string {
  const cpu = m.userMs === null ? 'CPU not available' : `user ${format(m.userMs)}, sys ${format(m.sysMs!)}`;
  const rss =
    m.peakRssBytes === null
      ? 'peak RSS unknown (no sample)'
      : `peak RSS ${(m.peakRssBytes / 1048576).toFixed(1)} MiB (sampled every ${m.rssSampleIntervalMs}ms)`;
  const status = m.signal ? `, killed by ${m.signal}` : m.exitCode ? `, exit status ${m.exitCode}` : '';
  const linesIn = m.linesIn === null ? 'input not counted (terminal)' : `${plural(m.linesIn, 'line')} in`;
  const lines = `${linesIn}, ${m.linesOut === null ? 'output not counted (terminal)' : `${m.linesOut} out`}`;
  const perSecond =
    m.linesPerSecond === null
      ? ''
      : binaryOutput
        ? `, ${formatBytes(m.wallMs > 0 ? ((m.bytesOut ?? 0) * 1000) / m.wallMs : 0)}/s`
        : `, ${rate(m.linesPerSecond)} lines/s`;
  return `timer: ${m.label}: ${lines}, wall ${format(m.wallMs)}, ${cpu}, ${rss}${perSecond}${status}\n`;
}

/** One --each line. */
export function itemLine(label: string, item: Item, format: FormatDuration): string {
  const latency = item.latencyMs === null ? 'latency unknown (no input line)' : `latency ${format(item.latencyMs)}`;
  return `timer: ${label}: line ${item.line}: ${latency}, service ${format(item.serviceMs)}\n`;
}

function rate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toPrecision(3);
}
