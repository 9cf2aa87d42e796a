import { stageMain, stageSpec } from '../stage/main.js';
import { numberStage } from '../stage/number-stage.js';
import { MUL_DEFAULT_REPEAT, MUL_MAX_N, mul } from '../kernels/mul.js';
import type { ProgramSpec } from '../args/spec.js';

export const program: ProgramSpec = stageSpec({
  name: 'mul',
  summary: 'the CPU-bound pipeline stage: n! for each line',
  synopsis: 'mul [options] [FILE...]',
  description:
    `For each input line holding a natural number n (0 to ${MUL_MAX_N}), print n! = 1·2·…·n. ` +
    'The product is computed --repeat times and printed once: the CPU-bound pipeline stage.\n\n' +
    'Blank lines are skipped; a bad line is reported and the run goes on (exit status 1).',
  options: {
    repeat: {
      type: 'integer',
      value: 'N',
      describe: 'How many times each product is computed (1 to 1000000000)',
      default: MUL_DEFAULT_REPEAT,
      min: 1,
      max: 1_000_000_000,
      alias: 'r',
    },
  },
  manSections: [
    [
      'Numbers',
      `A line holds one natural number in decimal digits; CRLF, and spaces and tabs around the number, are
allowed. Letters, signs, fractions, \`1e3\`, hex, NUL bytes and invalid UTF-8 make the line bad (\`mul: line 3:
invalid number 'abc'\`), and so does n above ${MUL_MAX_N}
(\`mul: line 1: ${MUL_MAX_N + 1} exceeds the limit ${MUL_MAX_N}\`).
Blank lines are skipped but still counted in line numbers.

Results are exact: Number arithmetic up to 18!, BigInt beyond (\`echo 25 | mul --repeat 1\` prints
15511210043330985984000000). The run time grows linearly with --repeat; the default, ${MUL_DEFAULT_REPEAT}, makes
n = 11 the classic experiment's heavy item. A result always ends with a newline.`,
    ],
  ],
  examples: [
    ['echo 11 | mul', '39916800, computed 4,000,000 times'],
    ['echo 25 | mul --repeat 1', '15511210043330985984000000'],
    ['seq 8 | mul --time | add', 'per-line cost of mul on stderr'],
  ],
});

export const main = (): void =>
  stageMain(program, (options) => numberStage((n) => mul(n, options['repeat'] as number)));
