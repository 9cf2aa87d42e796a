import { stageMain, stageSpec } from '../stage/main.js';
import {
  Gil,
  parseDuration,
  parseTask,
  spendTask,
  spendTaskPreempted,
  SPEND_MODES,
  Waits,
  type SpendMode,
  type Step,
} from '../kernels/sleep.js';
import type { ProgramSpec } from '../args/spec.js';

export const program: ProgramSpec = stageSpec({
  name: 'sleep-task',
  summary: 'the IO-bound pipeline stage: wait, then pass each line on',
  synopsis:
    'sleep-task --for DURATION [--workers N] [options] [FILE...]\n' +
    'sleep-task --from-input [--workers N] [options] [FILE...]',
  description:
    'For each input line, spend a duration, then write the line through byte for byte: ' +
    'the IO-bound stage. A step is spent as a timer (wait: the process stays free for other ' +
    'lines), a blocked thread (block: nothing else runs) or a busy core for that much CPU time (spin).\n\n' +
    'With --from-input each line names its steps: `[label] [wait:|block:|spin:]DURATION...`',
  options: {
    for: {
      type: 'string',
      value: 'DURATION',
      describe: 'Time spent per line: 250ms, 2s, 1.5m (a unit is required; at most 1 day)',
      parse: parseDuration,
    },
    'from-input': { type: 'boolean', describe: 'Each line gives its own steps, e.g. `"meatballs 2s block:1s 2s"`' },
    mode: {
      type: 'string',
      value: 'MODE',
      default: 'wait',
      describe: 'How a step without a prefix is spent: wait, block or spin',
      choices: SPEND_MODES,
    },
    concurrency: {
      type: 'integer',
      value: 'N',
      default: 1,
      min: 1,
      max: 100_000,
      describe: 'Lines in flight at once in this process (event-loop concurrency)',
    },
    unordered: { type: 'boolean', describe: 'Write lines as they finish instead of in input order' },
    preempt: {
      type: 'string',
      value: 'INTERVAL',
      parse: parseDuration,
      describe:
        "Lines in flight behave as Python threads under the GIL (Python's switch interval is 5ms): a " +
        'spin step runs in slices of INTERVAL, taking turns with the other lines ready to run; a ' +
        'block step holds the process; a wait step lets the others run. Without it, lines in flight ' +
        'behave as asyncio tasks',
    },
  },
  manSections: [
    [
      'Steps',
      `Each line is written through exactly as read (its terminator, a CR, a blank line, invalid UTF-8, a
last line without newline), after its duration: \`--for DURATION\` for every line, or with
\`--from-input\` the steps the line names, \`[label] [wait:|block:|spin:]DURATION...\`, spent one after
the other (\`meatballs 2s block:1s 2s\`). The first word is a label exactly when it is not a valid step.

A DURATION has a unit (\`250ms\`, \`2s\`, \`1.5m\`, \`1h\`) and is at most 1 day. A bad step
(\`soon\`, \`-1s\`, \`2d\`, \`nap:1s\`, a number without unit) or a line without any step makes that line
bad: it is reported (\`sleep-task: line 2: invalid duration 'soon'\`) and not written, the run goes on,
and the exit status is 1 at the end. A bad --for value is a usage error (status 2).

A step is spent as --mode says, or as its prefix says:

- \`wait\`: a timer; the process stays free for other lines (the awaitable kind).
- \`block\`: the thread blocks and nothing else in the process runs (a C sleep holding Python's GIL).
- \`spin\`: a busy loop keeps one core busy for that much CPU time (a CPU-bound chore: on a core shared
with others it lasts longer, as real work does).`,
    ],
    [
      'Concurrency',
      `\`--concurrency N\` keeps up to N lines in flight in one process (event-loop concurrency, the asyncio
analog): lines start in input order, a wait step lets the other lines run, and the block and spin steps
of one line that follow each other run back to back. Output keeps input order unless \`--unordered\`.
At most N lines (and a small read window) are held.

With \`--preempt INTERVAL\` the lines in flight behave as Python threads under the GIL instead of asyncio
tasks: one line runs at a time and the GIL is handed round in the order lines ask for it. A spin step
runs in slices of INTERVAL, taking turns with the other lines ready to run (two 1 s spin lines with
\`--concurrency 2 --preempt 5ms\` both end after about 2 s); a block step keeps the GIL and the
process for its whole duration; a wait step releases it; between two steps of a line the other ready
lines run first.`,
    ],
  ],
  examples: [
    ['seq 5 | sleep-task --for 200ms', 'five lines, one every 200 ms'],
    ['seq 10 | sleep-task --for 1s --concurrency 10', 'ten overlapping waits: about 1 s in all'],
    ["echo 'meatballs 2s block:1s 2s' | sleep-task --from-input", 'a labelled task of three steps'],
    [
      'seq 2 | sleep-task --for 1s --mode spin --concurrency 2 --preempt 5ms',
      'two CPU-bound threads: both end after about 2 s',
    ],
  ],
  check: (options) =>
    options['for'] === undefined && !options['from-input']
      ? 'one of --for DURATION or --from-input is required'
      : options['for'] !== undefined && options['from-input']
        ? '--for and --from-input cannot be combined'
        : undefined,
});

export const main = (): void =>
  stageMain(program, (options) => {
    const mode = options['mode'] as SpendMode;
    const fixed: Step[] | undefined = options['from-input'] ? undefined : [{ mode, ms: options['for'] as number }];
    let waits: Waits | undefined; // made with the run's signal, on its first line
    const gil = options['preempt'] === undefined ? undefined : new Gil(Math.max(0.001, options['preempt'] as number));
    return {
      concurrency: options['concurrency'] as number,
      ordered: !options['unordered'],
      processLine(text, _terminated, signal) {
        const steps = fixed ?? parseTask(text, mode).steps;
        if (gil) return spendTaskPreempted(steps, (waits ??= new Waits(signal)), gil).then(() => text);
        const spending = spendTask(steps, (waits ??= new Waits(signal)));
        return spending ? spending.then(() => text) : Promise.resolve(text);
      },
    };
  });
