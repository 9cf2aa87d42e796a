import { timerMain } from '../timer/main.js';

timerMain(
  {
    name: 'timer',
    synopsis: 'timer [options] [--] COMMAND [ARG...]\n       timer report FILE [--width N] [--svg OUT]',
    description:
      'Run COMMAND with stdin and stdout passed through unchanged, and report on stderr what it\n' +
      'cost: lines in and out, wall time, CPU, peak memory, rate. The exit status is the command\'s\n' +
      '(127 not found, 126 cannot execute, 125 timer failed, 128+N killed by signal N).\n' +
      '`timer report FILE` draws a trace recorded with --trace as a Gantt chart.',
    options: {
      label: { type: 'string', value: 'NAME', describe: "Name in reports and traces (default: the command's name)" },
      each: { type: 'boolean', describe: 'One report line per item: the k-th output line paired with the k-th input line' },
      json: { type: 'boolean', describe: 'Report as one JSON document (with the items when --each)' },
      output: { type: 'string', value: 'FILE', describe: 'Write reports to FILE instead of stderr' },
      progress: { type: 'boolean', describe: 'A live progress line while stderr is a terminal' },
      trace: { type: 'string', value: 'FILE', describe: 'Append spans to FILE (Chrome Trace Event Format; one file per run)' },
    },
    operands: { name: 'command', min: 1, max: Infinity, haltAtFirst: true },
    examples: [
      ['seq 8 | timer -- mul | add', 'what mul costs inside the pipeline'],
      ["timer -- sh -c 'mul | add' < items", 'a whole pipeline'],
      ['rm -f t.json; seq 8 | timer --trace t.json -- mul | timer --trace t.json -- add; timer report t.json', 'a Gantt chart'],
    ],
  },
  {
    name: 'timer report',
    synopsis: 'timer report FILE [--width N] [--svg OUT]',
    description:
      'Draw a trace written by `timer --trace` as a Gantt chart: one row per stage, time across;\n' +
      "each stage's busy and idle time, the achieved speedup (sum of busy time / wall time) and the\n" +
      'bottleneck stage.',
    options: {
      width: { type: 'integer', value: 'N', min: 30, max: 1000, describe: 'Columns of the chart (default: the terminal width, else 80)' },
      svg: { type: 'string', value: 'OUT', describe: 'Also write the chart as an SVG picture to OUT' },
    },
    operands: { name: 'trace file', min: 1, max: 1 },
  },
);
