import { roundMs as round } from './summary.js';
import type { PipelineProfile } from './profile.js';
import type { Comparison } from './comparison.js';

const roundOrNull = (ms: number | null): number | null => (ms === null ? null : round(ms));

/** The suggestion: the pipeline to run as it is (or, where the stage's words are not in it, words), and its walls. */
function suggestionJson(prediction: PipelineProfile['prediction']) {
  if (!prediction?.suggestion) return null;
  return {
    pipeline: prediction.runnable ? prediction.suggestion : null,
    words: prediction.runnable ? null : prediction.suggestion,
    change: prediction.change,
    predictedMs: round(prediction.wallMs),
    nowMs: round(prediction.nowMs),
  };
}

/** A stage with no option to change: the modelled wall had it used a quarter, half, three quarters of its CPU. */
function whatIfJson(prediction: PipelineProfile['prediction']) {
  if (!prediction?.whatIfMs) return null;
  return {
    stage: prediction.change,
    cpuShare: [0.25, 0.5, 0.75],
    wallMs: prediction.whatIfMs.map(round),
    nowMs: round(prediction.nowMs),
  };
}

/**
 * The --json document of `timer --pipeline`: `{"pipestageProfile": 1, …}` with the run's figures, the
 * bottleneck, the prediction and every stage's figures and timeline (ms from the pipeline's start;
 * null where unknown). The README documents each field.
 */
export function pipelineJson(profile: PipelineProfile): string {
  const document = {
    pipestageProfile: 1,
    pipeline: profile.pipeline,
    shell: profile.shell,
    exitCode: profile.exitCode,
    signal: profile.signal,
    wallMs: round(profile.wallMs),
    cpuMs: roundOrNull(profile.cpuMs),
    userMs: roundOrNull(profile.userMs),
    sysMs: roundOrNull(profile.sysMs),
    timerStartupCpuMs: profile.timerStartupCpuMs,
    timerCpuMs: profile.timerCpuMs,
    timerReportCpuMs: profile.timerReportCpuMs,
    cores: profile.cores,
    coresBusyElsewhere: profile.coresBusyElsewhere,
    parallelism: profile.parallelism === null ? null : Math.round(profile.parallelism * 1000) / 1000,
    unattributedCpuMs: roundOrNull(profile.unattributedCpuMs),
    stoppedMs: round(profile.stoppedMs),
    sampleIntervalMs: profile.sampleIntervalMs,
    stateUnknownReason: profile.stateUnknownReason,
    bottleneck: profile.bottleneck,
    bottleneckLine: profile.bottleneckLine,
    prediction: profile.prediction && {
      wallMs: round(profile.prediction.wallMs),
      change: profile.prediction.change,
      coresFull: profile.prediction.coresFull,
      coresBound: profile.prediction.coresBound,
      kind: profile.prediction.kind,
      perLine: profile.prediction.perLine
        ? { itemMs: profile.prediction.perLine.itemMs, workerMs: profile.prediction.perLine.workerMs ?? null }
        : null,
      reason: profile.prediction.reason,
      lines: profile.prediction.lines,
      workerCost: profile.prediction.workerCost,
    },
    suggestion: suggestionJson(profile.prediction),
    whatIf: whatIfJson(profile.prediction),
    verify: profile.verify
      ? {
          verified: profile.verify.verified,
          ratio: profile.verify.ratio,
          ratioRange: profile.verify.ratioRange,
          predictedRatio: profile.verify.predictedRatio,
          wallMs: roundOrNull(profile.verify.wallMs),
          line: profile.verify.line,
        }
      : null,
  };
  const stages = profile.stages.map((stage) => ({
    command: stage.command,
    name: stage.name,
    pid: stage.pid,
    stdin: stage.stdin ?? null,
    stdout: stage.stdout ?? null,
    status: stage.status,
    running: stage.running,
    startMs: round(stage.startMs),
    wallMs: stage.pid === 0 ? null : round(stage.wallMs), // no sample saw it: when it ended is unknown
    userMs: roundOrNull(stage.userMs),
    sysMs: roundOrNull(stage.sysMs),
    cpuSampled: stage.cpuSampled,
    cpuShared: stage.cpuShared,
    peakRssBytes: stage.peakRssBytes,
    bytesIn: stage.bytesIn,
    bytesOut: stage.bytesOut,
    lines: stage.linesOut,
    workingMs: round(stage.time.working),
    waitingForCpuMs: round(stage.time['waiting for a CPU']),
    waitingForInputMs: round(stage.time['waiting for input']),
    blockedOnOutputMs: round(stage.time['blocked on output']),
    otherWaitMs: round(stage.time['other wait']),
    startupMs: round(stage.time['start-up']),
    stoppedMs: round(stage.time.stopped),
    unknownMs: round(stage.time.unknown),
    traced: stage.traced !== undefined,
    processes: stage.processes.map((proc) => ({
      pid: proc.pid,
      parent: proc.parent,
      argv: proc.argv,
      startMs: round(proc.startMs),
      wallMs: round(proc.endMs - proc.startMs),
      running: proc.running,
      userMs: round(proc.userMs),
      sysMs: round(proc.sysMs),
      sampled: proc.sampled,
      lost: proc.lost,
    })),
    timeline: stage.timeline.map((segment) => ({
      startMs: round(segment.startMs),
      endMs: round(segment.endMs),
      state: segment.state,
    })),
    items: stage.traced
      ? stage.traced.items.map((item) => ({
          lane: item.lane,
          line: item.line ?? null,
          items: item.items,
          startMs: round(item.startMs),
          endMs: round(item.endMs),
        }))
      : null,
  }));
  // Indented, but a timeline segment or an item span is one line (thousands of them): half the bytes
  // of indenting every field, and a line per segment for grep.
  const stageTexts = stages.map(({ processes, timeline, items, ...fields }) => {
    const head = JSON.stringify(fields, null, 2).slice(0, -2);
    const spans =
      `"processes": ${oneLineEach(processes)},\n  "timeline": ${oneLineEach(timeline)},\n  ` +
      `"items": ${items === null ? 'null' : oneLineEach(items)}`;
    return `${head},\n  ${spans}\n}`.replace(/\n/g, '\n    ');
  });
  const head = JSON.stringify(document, null, 2).slice(0, -2);
  const stagesText = stageTexts.length === 0 ? '[]' : `[\n    ${stageTexts.join(',\n    ')}\n  ]`;
  return `${head},\n  "stages": ${stagesText},\n  "runs": ${runsJson(profile)}\n}\n`;
}

/** --runs above 1: the ranges, the bottleneck's counts and every run's own document (`each`); else null. */
function runsJson(profile: PipelineProfile): string {
  const runs = profile.runs;
  if (!runs) return 'null';
  const rounded = (range: [number, number] | null) => range && [round(range[0]), round(range[1])];
  const summary = {
    asked: runs.asked,
    warmup: runs.warmup,
    count: runs.each.length,
    reported: runs.median,
    wallMs: rounded(runs.wallMs),
    cpuMs: rounded(runs.cpuMs),
    stages: runs.stages.map((stage) => ({
      name: stage.name,
      wallMs: rounded(stage.wallMs),
      cpuMs: rounded(stage.cpuMs),
    })),
    bottleneck: {
      name: runs.bottleneck.name,
      varies: runs.bottleneck.varies,
      counts: Object.fromEntries(runs.bottleneck.counts),
    },
  };
  const each = runs.each.map((run) =>
    pipelineJson({ ...run, runs: undefined })
      .trimEnd()
      .replace(/\n/g, '\n    '),
  );
  const head = JSON.stringify(summary, null, 2).slice(0, -2).replace(/\n/g, '\n  ');
  return `${head},\n    "each": [\n    ${each.join(',\n    ')}\n    ]\n  }`;
}

/** A JSON array with each element on a line of its own. */
function oneLineEach(elements: object[]): string {
  return elements.length === 0
    ? '[]'
    : `[\n    ${elements.map((element) => JSON.stringify(element)).join(',\n    ')}\n  ]`;
}

/**
 * The --json document of several pipelines compared: `{"pipestageComparison": 1, "comparison", "profiles"}`,
 * each profile the document of one pipeline (above), in the order given.
 */
export function comparisonJson(profiles: PipelineProfile[], comparison: Comparison): string {
  const rounded = (value: number | null): number | null => (value === null ? null : round(value));
  const pair = (range: [number, number] | null) => range && [round(range[0]), round(range[1])];
  const summary = {
    pipelines: comparison.pipelines,
    runs: comparison.runs,
    wallMs: comparison.wallMs.map(round),
    wallRanges: comparison.wallRange.map(pair),
    fastest: comparison.fastest,
    ratios: comparison.ratios.map((ratio) => ({ ...ratio, range: ratio.range && [...ratio.range] })),
    stages: comparison.stages.map((stage) => ({
      names: stage.names,
      wallMs: stage.wallMs.map(rounded),
      cpuMs: stage.cpuMs.map(rounded),
      state: stage.state,
      lanes: stage.lanes,
    })),
  };
  const head = JSON.stringify({ pipestageComparison: 1, comparison: summary }, null, 2).slice(0, -2);
  const each = profiles.map((profile) => pipelineJson(profile).trimEnd().replace(/\n/g, '\n  '));
  return `${head},\n  "profiles": [\n  ${each.join(',\n  ')}\n  ]\n}\n`;
}
