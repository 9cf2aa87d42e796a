import type { FormatDuration } from '../base/durations.js';
import { type StageTrack, union } from '../trace/read-trace.js';
import type { Chart } from './chart.js';
import { chartSvg } from './chart-svg.js';
import { chartText, table } from './chart-text.js';
import { FAILED, pipelineFigures, trackChart } from './gantt.js';
import { plural } from './units.js';

// `timer report --joblog`: a GNU parallel joblog's hosts (a row each, a row per slot under it) as a
// chart, with their figures.

/** The joblog's chart: a row per host (its jobs' union, failed jobs marked) and per slot of it. */
function joblogChart(hosts: StageTrack[], format: FormatDuration): Chart {
  const chart = trackChart(hosts, format, true);
  let index = -1;
  for (const row of chart.rows) {
    if (row.lane) continue;
    const host = hosts[++index]!;
    row.work = union(host.spans);
    row.under = [];
    row.over = [{ kind: FAILED, spans: host.lanes.flatMap((lane) => lane.failed ?? []) }];
  }
  chart.legend = [
    { glyph: '█', color: chart.rows[0]?.color ?? '', label: 'a job running', note: '(░▒▓ part of a column)' },
    { glyph: FAILED.glyph, color: FAILED.color, label: 'a job that failed' },
  ];
  return chart;
}

/** A GNU parallel joblog's chart: a row per host and per lane of it, time across, failed jobs marked. */
export function joblogText(hosts: StageTrack[], failedJobs: string[], width: number, format: FormatDuration): string {
  const figures = pipelineFigures(hosts);
  const jobs = hosts.reduce((sum, host) => sum + host.items, 0);
  const ms = (us: number): string => format(us / 1000);
  let text = `joblog: ${plural(jobs, 'job')} on ${plural(hosts.length, 'host')}, wall ${ms(figures.wallUs)}\n`;
  text += `${chartText(joblogChart(hosts, format), width, 24)}\n`;
  const rows = hosts.map((host) => {
    const busy = host.spans.reduce((sum, [from, to]) => sum + (to - from), 0);
    const utilisation = (100 * busy) / ((figures.wallUs || 1) * host.lanes.length);
    return [host.name, String(host.items), String(host.lanes.length), ms(busy), `${utilisation.toFixed(1)}%`];
  });
  text += table([['host', 'jobs', 'slots', 'busy', 'utilisation'], ...rows]);
  text += `\nutilisation: busy time (the jobs' run times summed) over wall time times the host's slots\n`;
  const first = failedJobs.length > 0 ? ` (first: ${failedJobs[0]})` : '';
  text += `failed: ${plural(failedJobs.length, 'job')}${first}\n`;
  return text;
}

/** The joblog's chart as an SVG picture under `title`. */
export function joblogSvg(hosts: StageTrack[], format: FormatDuration, title: string): string {
  return chartSvg(joblogChart(hosts, format), title);
}
