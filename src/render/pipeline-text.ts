import { constants as osConstants } from 'node:os';
import type { FormatDuration } from '../base/durations.js';
import { formatBytes } from './units.js';
import { chartText, table } from './chart-text.js';
import { profileChart } from './pipeline-chart.js';
import { subRows } from './sub-rows.js';
import { wrapText } from './width.js';
import { bottleneckOfRuns, rangeText, rangesTable, runsLine } from './runs-text.js';
import { type PipelineProfile, STATES } from './profile.js';

// The report a person reads at the end of `timer --pipeline`: figures per stage, the chart, the
// bottleneck and the prediction.

/** An exit status with the signal it stands for (128+N), or `unknown`. */
function formatStatus(status: number | null): string {
  if (status === null) return 'unknown';
  const name = Object.entries(osConstants.signals).find(([, number]) => number === status - 128)?.[0];
  return status > 128 && name ? `${status} (${name})` : String(status);
}

const share = (ms: number, whole: number): string => `${whole > 0 ? Math.round((100 * ms) / whole) : 0}%`;

/** The report on stderr (or --output): the run's figures, a row per stage, the chart, bottleneck, prediction. */
export function pipelineReport(profile: PipelineProfile, width: number, format: FormatDuration): string {
  const lines: string[] = [];
  const status = profile.signal ? `killed by ${profile.signal}` : `exit status ${formatStatus(profile.exitCode)}`;
  const cpu =
    profile.cpuMs === null
      ? 'CPU unknown'
      : // (≈: it takes in processes counted to their last read)
        `CPU ${profile.stages.some((stage) => stage.cpuSampled) ? '≈' : ''}${format(profile.cpuMs)} ` +
        `(user ${format(profile.userMs!)}, sys ${format(profile.sysMs!)})`;
  const busy = profile.coresBusyElsewhere ?? 0; // (unknown on a run too short: not said)
  const elsewhere = busy >= 0.1 ? ` (other processes kept ${busy.toFixed(1)} busy)` : '';
  const parallelism =
    profile.parallelism === null
      ? ''
      : `, parallelism ${profile.parallelism.toFixed(2)} of ${profile.cores} cores${elsewhere}`;
  lines.push(`timer: pipeline: ${profile.pipeline}`);
  lines.push(...runsLine(profile));
  const runs = profile.runs;
  const wallRange = runs ? rangeText(runs.wallMs, format, runs.each.length) : '';
  const cpuRange = runs && profile.cpuMs !== null ? rangeText(runs.cpuMs, format) : '';
  lines.push(`wall ${format(profile.wallMs)}${wallRange}, ${cpu.replace(/ \(user/, `${cpuRange} (user`)}, ${status}`);
  if (parallelism) lines.push(parallelism.slice(2));
  const cost = profile.cpuMs ? ` (${((100 * profile.timerCpuMs) / profile.cpuMs).toFixed(1)}% of the pipeline's)` : '';
  const own = `timer's own CPU while it ran ${format(profile.timerCpuMs)}${cost}`;
  lines.push(
    `sampled every ${profile.sampleIntervalMs}ms; ${own}, then ${format(profile.timerReportCpuMs)} for this report`,
  );
  if (profile.unattributedCpuMs !== null)
    lines.push(
      `unattributed CPU ${format(Math.max(0, profile.unattributedCpuMs))} (the shell's own, processes no sample saw)`,
    );
  if (profile.stoppedMs > 0) lines.push(`stopped ${format(profile.stoppedMs)} (Ctrl-Z; left out of the shares)`);
  if (profile.stateUnknownReason) lines.push(`states unknown: ${profile.stateUnknownReason}`);
  lines.push('');
  // ≈: counted to the last sample (nobody of the pipeline reaped it)
  // ~: in part a share by rate of what the shell reaped with other stages (an estimate)
  const cpuOf = (ms: number | null, sampled: boolean, shared = false): string =>
    ms === null ? '?' : `${sampled ? '≈' : shared ? '~' : ''}${format(ms)}`;
  const figures = profile.stages.flatMap((stage) => [
    [
      stage.command,
      stage.running ? 'running' : formatStatus(stage.status),
      stage.pid === 0 ? '?' : format(stage.wallMs), // no sample saw its process: when it ended is unknown
      cpuOf(stage.userMs, stage.cpuSampled, stage.cpuShared),
      cpuOf(stage.sysMs, stage.cpuSampled, stage.cpuShared),
      formatBytes(stage.peakRssBytes),
      formatBytes(stage.bytesIn),
      formatBytes(stage.bytesOut),
    ],
    ...subRows(stage).map((row) => [
      `${'  '.repeat(row.depth)}${row.name}`,
      row.running ? 'running' : '',
      format(row.endMs - row.startMs),
      cpuOf(row.userMs, row.sampled, stage.cpuShared && row.own),
      cpuOf(row.sysMs, row.sampled, stage.cpuShared && row.own),
      '',
      '',
      '',
    ]),
  ]);
  const sampled = figures.some((row) => row[3]!.startsWith('≈'));
  const shared = figures.some((row) => row[3]!.startsWith('~'));
  const header = ['stage', 'status', 'wall', 'user', 'sys', 'peak RSS', 'read', 'written'];
  lines.push(table([header, ...figures], width).trimEnd());
  lines.push('');
  lines.push(...rangesTable(profile, format, width));
  // the states a stage's wall is shared among (stopped time is left out of it)
  const states = STATES.slice(0, STATES.indexOf('stopped'));
  // no sample saw it, or no two did (no interval between them): its states are unknown, not 0%
  const statesKnown = (stage: (typeof profile.stages)[number]): boolean =>
    stage.pid !== 0 && states.some((state) => stage.time[state] > 0);
  const shares = profile.stages.map((stage) => {
    const active = stage.wallMs - stage.time.stopped;
    return [stage.name, ...states.map((state) => (statesKnown(stage) ? share(stage.time[state], active) : '?'))];
  });
  lines.push(
    table(
      [['share of its wall', 'working', 'CPU wait', 'other waits', 'input wait', 'blocked', 'start-up'], ...shares],
      width,
    ).trimEnd(),
  );
  lines.push('working: on a CPU; CPU wait: runnable, no core free; other waits: sleep, disk,');
  lines.push('network, a child; input wait: waiting for input; blocked: blocked on output.');
  lines.push("CPU: the kernel's, as the shell reaped each stage; stages it reaped between two");
  lines.push('samples share their whole by the rate each was last seen using.');
  // (a stage's text on one line: its line breaks as ⏎, as in the tables)
  const unseenOf = (known: boolean): string[] =>
    profile.stages
      .filter((stage) => stage.pid === 0 && (stage.userMs !== null) === known)
      .map((stage) => stage.command.replace(/\n/g, '⏎'));
  const [unseen, withSubs] = [unseenOf(false), unseenOf(true)];
  const theirs = unseen.length > 1 ? 'their' : 'its';
  if (unseen.length > 0)
    lines.push(`?: ${unseen.join(', ')} started and ended between two samples: none of ${theirs} figures is known.`);
  if (withSubs.length > 0)
    lines.push(
      `?: ${withSubs.join(', ')} started and ended between two samples: ${withSubs.length > 1 ? 'their' : 'its'} ` +
        'CPU (≈) is only that of the processes under it that were seen.',
    );
  const briefly = profile.stages.filter((stage) => stage.pid !== 0 && !statesKnown(stage));
  if (briefly.length > 0)
    lines.push(
      `?: ${briefly.map((stage) => stage.name).join(', ')} seen by one sample only, or ended before a second: ` +
        `${briefly.length > 1 ? 'their' : 'its'} shares are unknown.`,
    );
  if (profile.signal && profile.stages.some((stage) => stage.pid !== 0 && stage.status === null))
    lines.push(`status unknown: the shell was killed by ${profile.signal} before it could give them.`);
  if (sampled) lines.push('≈: as last sampled (the process was not seen ending).');
  if (shared) lines.push('~: reaped with other stages between two samples: in part its share by rate, an estimate.');
  if (figures.some((row) => row[0]!.trim() === '(rest)'))
    lines.push("(rest): the subshell's own CPU, processes no sample saw, and what rows marked ≈ used after.");
  lines.push("read, written: a pipestage stage's own stdin and stdout; any other program's");
  lines.push('whole I/O (rchar, wchar: its libraries too), final as the shell reaped it; ?');
  lines.push('where it was reaped with others. Bytes in KiB and MiB (1024).');
  if (profile.stages.some((stage) => stage.procsubs.length > 0 && !stage.traced))
    lines.push("A stage's process substitutions are reaped apart from it, or never: its bytes ?.");
  lines.push('');
  if (profile.stages.length > 0 && profile.wallMs > 0) lines.push(chartText(profileChart(profile, format), width, 20));
  // (stages' texts on one line: their line breaks as ⏎, as in the tables)
  lines.push(bottleneckOfRuns(profile).replace(/\n/g, '⏎'));
  // (a suggested pipeline as it is, to copy and run: its line breaks kept, never wrapped)
  const suggested = profile.prediction?.suggestion ? `suggested: ${profile.prediction.suggestion}` : undefined;
  for (const line of profile.prediction?.lines ?? []) lines.push(line === suggested ? line : line.replace(/\n/g, '⏎'));
  if (profile.verify) lines.push(profile.verify.line);
  // prose to the width (the pipeline as typed, the tables and the chart are whole lines of their own)
  const headline = (line: string): string[] => wrapText(line.replace(/\n/g, ' ⏎ '), width);
  const wrapped = lines.flatMap((line, index) =>
    index === 0 ? headline(line) : line.includes('\n') || line === suggested ? [line] : wrapText(line, width),
  );
  return `${wrapped.join('\n')}\n`;
}
