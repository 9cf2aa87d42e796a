import { constants as osConstants } from 'node:os';
import type { FormatDuration } from '../base/durations.js';
import { bar, table } from './gantt.js';
import { STATES, type PipelineProfile, type Segment, type StageProfile, type State } from './profile.js';

// The report a person reads at the end of `timer --pipeline`: figures per stage, the chart, the
// bottleneck and the prediction.

/** The chart's glyph for each state (the legend lists them). */
export const GLYPHS: Record<State, string> = {
  working: '█',
  'waiting for a CPU': '+',
  'other wait': '▒',
  'waiting for input': '-',
  'blocked on output': '»',
  'start-up': '·',
  stopped: '‖',
  unknown: '?',
};

/** A byte count for people: 512 B, 23.4 MB. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '?';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** An exit status with the signal it stands for (128+N), or `unknown`. */
export function formatStatus(status: number | null): string {
  if (status === null) return 'unknown';
  const name = Object.entries(osConstants.signals).find(([, number]) => number === status - 128)?.[0];
  return status > 128 && name ? `${status} (${name})` : String(status);
}

/** The state that took most of [from, to) on a timeline, or undefined when the stage did not run then. */
export function dominantState(segments: Segment[], from: number, to: number, startIndex = 0): State | undefined {
  const time = new Map<State, number>();
  for (let index = startIndex; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.endMs <= from) continue;
    if (segment.startMs >= to) break;
    time.set(
      segment.state,
      (time.get(segment.state) ?? 0) + Math.min(to, segment.endMs) - Math.max(from, segment.startMs),
    );
  }
  let best: State | undefined;
  for (const [state, ms] of time) if (best === undefined || ms > time.get(best)!) best = state;
  return best;
}

/** A stage's row of the chart: each column the glyph of its dominant state (one pass over the timeline). */
function stateBar(stage: StageProfile, cellMs: number, columns: number): string {
  let text = '';
  let first = 0;
  const segments = stage.timeline;
  for (let column = 0; column < columns; column++) {
    const from = column * cellMs;
    while (first < segments.length && segments[first]!.endMs <= from) first++;
    const state = dominantState(segments, from, from + cellMs, first);
    text += state === undefined ? ' ' : GLYPHS[state];
  }
  return text;
}

const share = (ms: number, whole: number): string => `${whole > 0 ? Math.round((100 * ms) / whole) : 0}%`;

/** The report on stderr (or --output): the run's figures, a row per stage, the chart, bottleneck, prediction. */
export function pipelineReport(profile: PipelineProfile, width: number, format: FormatDuration): string {
  const lines: string[] = [];
  const status = profile.signal ? `killed by ${profile.signal}` : `exit status ${formatStatus(profile.exitCode)}`;
  const cpu =
    profile.cpuMs === null
      ? 'CPU unknown'
      : `CPU ${format(profile.cpuMs)} (user ${format(profile.userMs!)}, sys ${format(profile.sysMs!)})`;
  const elsewhere =
    profile.coresBusyElsewhere >= 0.1 ? ` (other processes kept ${profile.coresBusyElsewhere.toFixed(1)} busy)` : '';
  const parallelism =
    profile.parallelism === null
      ? ''
      : `, parallelism ${profile.parallelism.toFixed(2)} of ${profile.cores} cores${elsewhere}`;
  lines.push(`timer: pipeline: ${profile.pipeline}`);
  lines.push(`wall ${format(profile.wallMs)}, ${cpu}, ${status}`);
  if (parallelism) lines.push(parallelism.slice(2));
  const cost = profile.cpuMs ? ` (${((100 * profile.timerCpuMs) / profile.cpuMs).toFixed(1)}% of the pipeline's)` : '';
  lines.push(
    `sampled every ${profile.sampleIntervalMs}ms; timer's own CPU while it ran ${format(profile.timerCpuMs)}${cost}, then ${format(profile.timerReportCpuMs)} for this report`,
  );
  if (profile.unattributedCpuMs !== null)
    lines.push(
      `unattributed CPU ${format(Math.max(0, profile.unattributedCpuMs))} (the shell's own, processes no sample saw)`,
    );
  if (profile.stoppedMs > 0) lines.push(`stopped ${format(profile.stoppedMs)} (Ctrl-Z; left out of the shares)`);
  if (profile.stateUnknownReason) lines.push(`states unknown: ${profile.stateUnknownReason}`);
  lines.push('');
  const figures = profile.stages.map((stage) => [
    stage.command.length > 40 ? `${stage.command.slice(0, 39)}…` : stage.command,
    formatStatus(stage.status),
    format(stage.wallMs),
    stage.userMs === null ? '?' : format(stage.userMs),
    stage.sysMs === null ? '?' : format(stage.sysMs),
    formatBytes(stage.peakRssBytes),
    formatBytes(stage.bytesIn),
    formatBytes(stage.bytesOut),
  ]);
  lines.push(table([['stage', 'status', 'wall', 'user', 'sys', 'peak RSS', 'read', 'written'], ...figures]).trimEnd());
  lines.push('');
  const shares = profile.stages.map((stage) => {
    const active = stage.wallMs - stage.time.stopped;
    return [
      stage.name,
      ...(
        ['working', 'waiting for a CPU', 'other wait', 'waiting for input', 'blocked on output', 'start-up'] as const
      ).map((state) => share(stage.time[state], active)),
    ];
  });
  lines.push(
    table([
      ['share of its wall', 'working', 'CPU wait', 'other waits', 'input wait', 'blocked', 'start-up'],
      ...shares,
    ]).trimEnd(),
  );
  lines.push('working: on a CPU; CPU wait: runnable, no core free; other waits: sleep, disk,');
  lines.push('network, a child; input wait: waiting for input; blocked: blocked on output.');
  lines.push('The CPU of a program that does not trace itself is counted to 10ms.');
  lines.push('');
  if (profile.stages.length > 0 && profile.wallMs > 0) {
    const names = profile.stages.flatMap((stage) => [stage.name, ...laneNames(stage).map((lane) => `  ${lane}`)]);
    const nameWidth = Math.min(20, Math.max(5, ...names.map((name) => name.length)));
    const columns = Math.max(10, width - nameWidth - 3);
    const cellMs = profile.wallMs / columns;
    for (const stage of profile.stages) {
      lines.push(`${stage.name.slice(0, nameWidth).padEnd(nameWidth)} |${stateBar(stage, cellMs, columns)}|`);
      for (const lane of laneNames(stage)) {
        const spans = stage
          .traced!.items.filter((item) => item.lane === lane)
          .map((item): [number, number] => [item.startMs, item.endMs]);
        lines.push(`${`  ${lane}`.slice(0, nameWidth).padEnd(nameWidth)} |${bar(spans, 0, cellMs, columns)}|`);
      }
    }
    lines.push(`${' '.repeat(nameWidth + 1)} 0${format(profile.wallMs).padStart(columns)}`);
    const used = new Set(profile.stages.flatMap((stage) => stage.timeline.map((segment) => segment.state)));
    const legend = STATES.filter((state) => used.has(state)).map((state) => `${GLYPHS[state]} ${state}`);
    if (profile.stages.some((stage) => laneNames(stage).length > 0))
      legend.push('lanes: █ an item computed (░▒▓ part of a column)');
    lines.push(`${' '.repeat(nameWidth + 1)} ${legend.join('  ')}`);
    lines.push('');
  }
  lines.push(profile.bottleneckLine);
  if (profile.prediction) lines.push(profile.prediction.line);
  return `${lines.join('\n')}\n`;
}

/** The lanes of a traced stage that computed on several (worker threads, concurrency slots). */
export function laneNames(stage: StageProfile): string[] {
  if (!stage.traced || stage.traced.lanes < 2) return [];
  return [...new Set(stage.traced.items.map((item) => item.lane))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
}
