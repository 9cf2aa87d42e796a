import { parseLabel, timerMain } from '../timer/main.js';
import { TIMER_MAN_SECTIONS } from '../timer/manual.js';
import { REPORT_MAN_SECTIONS } from '../timer/manual-report.js';
import type { ProgramSpec } from '../args/spec.js';

const report: ProgramSpec = {
  name: 'timer report',
  summary: 'draw a trace or a GNU parallel joblog as a Gantt chart',
  synopsis:
    'timer report [--width N] [--svg OUT] [--csv OUT] FILE\ntimer report --joblog JOBLOG [--width N] [--svg OUT]',
  description:
    'Draw a trace written by `timer --trace` or by traced stages (`--trace`, `PIPESTAGE_TRACE`) as a Gantt chart: ' +
    'one row per stage, time across, and a row per lane (worker thread, concurrency slot) of a stage ' +
    "that traced itself; each stage's busy and idle time, " +
    'the achieved speedup (sum of busy time / wall time) and the bottleneck stage. FILE - reads the ' +
    'trace from standard input.\n\n' +
    "With --joblog, draw GNU parallel's --joblog instead: a row per host and per slot of it (jobs " +
    'laid so that none overlap), ' +
    'failed jobs marked, and per host its jobs, busy time and utilisation.',
  options: {
    width: {
      type: 'integer',
      value: 'N',
      min: 30,
      max: 1000,
      describe: 'Columns of the chart (default: the terminal width, else 80)',
    },
    svg: { type: 'string', value: 'OUT', file: true, describe: 'Also write the chart as an SVG picture to OUT' },
    csv: {
      type: 'string',
      value: 'OUT',
      file: true,
      describe:
        'Also write one row per item span to OUT: stage, pid, lane, line, start, end, elapsed ' +
        "(seconds from the trace's start)",
    },
    joblog: {
      type: 'string',
      value: 'JOBLOG',
      file: true,
      describe: "Draw GNU parallel's --joblog file JOBLOG (takes no trace FILE)",
    },
  },
  operands: { name: 'trace file', min: 0, max: 1, files: true },
  check: (options, operands) =>
    options['joblog'] !== undefined
      ? operands.length > 0
        ? `--joblog takes no trace file (got '${operands[0]}')`
        : options['csv'] !== undefined
          ? '--csv is for traces, not with --joblog'
          : undefined
      : operands.length === 0
        ? 'missing trace file'
        : undefined,
  manSections: REPORT_MAN_SECTIONS,
};

export const program: ProgramSpec = {
  name: 'timer',
  summary: 'measure what a command or a pipeline stage costs, and draw traces as Gantt charts',
  synopsis: "timer [options] [--] COMMAND [ARG...]\ntimer --pipeline 'PIPELINE' [options]",
  description:
    'Run COMMAND with stdin and stdout passed through unchanged, and report on stderr what it cost: ' +
    "lines in and out, wall time, CPU, peak memory, rate. The exit status is the command's (127 not " +
    'found, 126 cannot execute, 125 timer failed, 128+N killed by signal N).\n\n' +
    'With --pipeline, profile a whole shell pipeline: PIPELINE runs with bash (its PIPESTATUS gives ' +
    "each stage's status) on timer's own stdin, stdout and stderr, nothing relayed; every process " +
    'the shell starts is a stage, observed from /proc every --interval and, for pipestage stages, ' +
    'from their own traces. At the end: per stage its command, status, wall, CPU, peak memory, ' +
    'bytes, and its time split into working, other waits, waiting for input and blocked on output; ' +
    'the chart; the bottleneck (a line `bottleneck: NAME — evidence`); and the advice: the whole ' +
    'pipeline with a change to run (`suggested: PIPELINE`, `predicted: WALL (now WALL)`) where the ' +
    "model, the change's own cost in it, gives a shorter wall by more than 10% (or the spread of --runs), " +
    'else `suggested: none — WHY`. While stderr is a terminal, a live view shows each stage until the ' +
    "report replaces it. The exit status is the pipeline's (with --runs, the last run's).\n\n" +
    '`timer report FILE` draws a trace recorded with --trace as a Gantt chart.',
  options: {
    label: {
      type: 'string',
      value: 'NAME',
      describe: "Name in reports and traces (default: the command's name)",
      parse: parseLabel,
    },
    each: {
      type: 'boolean',
      describe: 'One report line per item: the k-th output line paired with the k-th input line',
    },
    json: { type: 'boolean', describe: 'Report as one JSON document (with the items when --each)' },
    output: {
      type: 'string',
      value: 'FILE',
      file: true,
      describe: 'Append reports to FILE instead of writing them to stderr',
    },
    null: {
      type: 'boolean',
      alias: 'z',
      describe: 'Items end with NUL instead of newline (counts and --each pair NUL-terminated items)',
    },
    progress: { type: 'boolean', describe: 'A live progress line while stderr is a terminal' },
    trace: {
      type: 'string',
      value: 'FILE',
      file: true,
      describe: 'Append spans to FILE (Chrome Trace Event Format; one file per run)',
    },
    pipeline: {
      type: 'string',
      value: 'PIPELINE',
      repeatable: true,
      describe:
        'Profile the shell pipeline PIPELINE (run with bash) instead of wrapping a COMMAND; given several ' +
        'times, profile each (in turn, run by run) and compare them stage by stage',
    },
    'export-markdown': {
      type: 'string',
      value: 'FILE',
      file: true,
      describe:
        "With --pipeline: also write the comparison (the pipelines' walls, then stage by stage) as Markdown " +
        'tables to FILE',
    },
    svg: {
      type: 'string',
      value: 'OUT',
      file: true,
      describe: "With --pipeline: also write the pipeline's chart as an SVG picture to OUT",
    },
    interval: {
      type: 'integer',
      value: 'MS',
      min: 1,
      max: 10000,
      default: 100,
      describe:
        'With --pipeline: sample the stages every MS milliseconds (and 4 times in the first 35 ms, ' +
        'to catch short stages)',
    },
    'no-progress': { type: 'boolean', describe: 'With --pipeline: no live view on the terminal' },
    runs: {
      type: 'integer',
      value: 'N',
      min: 1,
      max: 1000,
      default: 1,
      describe:
        'With --pipeline: run it N times, each from the same input (stdin a file, a terminal or none, not a ' +
        "pipe; its output each time), and report the run whose wall is the median, each figure's range over the runs",
    },
    warmup: {
      type: 'integer',
      value: 'N',
      min: 0,
      max: 1000,
      default: 0,
      describe: 'With --pipeline: run it N times first, unprofiled (warm caches), the same input each time',
    },
    verify: {
      type: 'boolean',
      describe:
        'With --pipeline: then run the suggested pipeline too, as many times (the same input: stdin a file or ' +
        'none, not a pipe) and compare: verified, or not confirmed and why',
    },
  },
  operands: { name: 'command', min: 0, max: Infinity, haltAtFirst: true },
  check: (options, operands) => {
    if (options['pipeline'] === undefined) {
      if (operands.length === 0) return 'missing command';
      for (const option of ['svg', 'no-progress', 'verify', 'export-markdown'])
        if (options[option] !== undefined && options[option] !== false) return `--${option} is for --pipeline`;
      if (options['runs'] !== 1) return '--runs is for --pipeline';
      if (options['warmup'] !== 0) return '--warmup is for --pipeline';
      return undefined;
    }
    const pipelines = options['pipeline'] as string[];
    if (pipelines.some((text) => text.trim() === '')) return '--pipeline needs a pipeline (its value is empty)';
    if (pipelines.length > 1)
      for (const option of ['trace', 'verify'])
        if (options[option] !== undefined && options[option] !== false)
          return `--${option} is for one --pipeline (it was given ${pipelines.length})`;
    if (operands.length > 0)
      return `--pipeline takes no COMMAND (got '${operands[0]}'); put the whole pipeline in its value`;
    for (const option of ['each', 'null', 'label', 'progress'])
      if (options[option] !== undefined && options[option] !== false) return `--${option} is not for --pipeline`;
    return undefined;
  },
  examples: [
    ['seq 8 | timer -- mul | add', 'what mul costs inside the pipeline'],
    ["timer -- sh -c 'mul | add' < items", 'a whole pipeline'],
    [
      'rm -f t.json; seq 8 | timer --trace t.json mul | timer --trace t.json add',
      'two stages traced into one new file (a trace of an earlier run is refused, not added to)',
    ],
    [
      "timer --pipeline 'seq 1 3000000 | add --formula | add --formula'",
      'profile a whole pipeline: each stage, the bottleneck, a prediction',
    ],
    ["timer --pipeline 'seq 1 4000000 | gzip -9 | wc -c' --svg gz.svg", 'any programs; the chart as an SVG picture'],
    ['timer report t.json', 'the trace as a Gantt chart'],
    ['timer report --joblog jobs.log', "GNU parallel's joblog as a Gantt chart"],
  ],
  subcommands: [report],
  manSections: TIMER_MAN_SECTIONS,
};

export const main = (): void => timerMain(program, report);
