import type { ProgramSpec } from '../stage/cli.js';
import { parseLabel, timerMain } from '../timer/main.js';

const report: ProgramSpec = {
  name: 'timer report',
  summary: 'draw a trace or a GNU parallel joblog as a Gantt chart',
  synopsis: 'timer report [--width N] [--svg OUT] [--csv OUT] FILE | timer report --joblog JOBLOG [--width N] [--svg OUT]',
  description:
    'Draw a trace written by `timer --trace` or by traced stages (`--trace`, `PIPESTAGE_TRACE`) as a Gantt chart: ' +
    "one row per stage, time across, and a row per lane (worker thread, concurrency slot) of a stage that traced itself; each stage's busy and idle time, " +
    'the achieved speedup (sum of busy time / wall time) and the bottleneck stage. FILE - reads the trace from standard input.\n\n' +
    "With --joblog, draw GNU parallel's --joblog instead: a row per host and per slot of it (jobs laid so that none overlap), " +
    'failed jobs marked, and per host its jobs, busy time and utilisation.',
  options: {
    width: { type: 'integer', value: 'N', min: 30, max: 1000, describe: 'Columns of the chart (default: the terminal width, else 80)' },
    svg: { type: 'string', value: 'OUT', file: true, describe: 'Also write the chart as an SVG picture to OUT' },
    csv: { type: 'string', value: 'OUT', file: true, describe: 'Also write one row per item span to OUT: stage, pid, lane, line, start, end, elapsed (seconds from the trace\'s start)' },
    joblog: { type: 'string', value: 'JOBLOG', file: true, describe: "Draw GNU parallel's --joblog file JOBLOG (takes no trace FILE)" },
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
};

export const program: ProgramSpec = {
  name: 'timer',
  summary: 'measure what a command or a pipeline stage costs, and draw traces as Gantt charts',
  synopsis: 'timer [options] [--] COMMAND [ARG...]',
  description:
    "Run COMMAND with stdin and stdout passed through unchanged, and report on stderr what it cost: lines in and out, wall time, CPU, peak memory, rate. The exit status is the command's (127 not found, 126 cannot execute, 125 timer failed, 128+N killed by signal N).\n\n" +
    '`timer report FILE` draws a trace recorded with --trace as a Gantt chart.',
  options: {
    label: { type: 'string', value: 'NAME', describe: "Name in reports and traces (default: the command's name)", parse: parseLabel },
    each: { type: 'boolean', describe: 'One report line per item: the k-th output line paired with the k-th input line' },
    json: { type: 'boolean', describe: 'Report as one JSON document (with the items when --each)' },
    output: { type: 'string', value: 'FILE', file: true, describe: 'Write reports to FILE instead of stderr' },
    null: { type: 'boolean', alias: 'z', describe: 'Items end with NUL instead of newline (counts and --each pair NUL-terminated items)' },
    progress: { type: 'boolean', describe: 'A live progress line while stderr is a terminal' },
    trace: { type: 'string', value: 'FILE', file: true, describe: 'Append spans to FILE (Chrome Trace Event Format; one file per run)' },
  },
  operands: { name: 'command', min: 1, max: Infinity, haltAtFirst: true },
  examples: [
    ['seq 8 | timer -- mul | add', 'what mul costs inside the pipeline'],
    ["timer -- sh -c 'mul | add' < items", 'a whole pipeline'],
    ['seq 8 | timer --trace t.json mul | timer --trace t.json add', 'two stages traced into one file'],
    ['timer report t.json', 'the trace as a Gantt chart'],
    ['timer report --joblog jobs.log', "GNU parallel's joblog as a Gantt chart"],
  ],
  subcommands: [report],
};

export const main = (): void => timerMain(program, report);
