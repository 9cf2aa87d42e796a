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
  examples: [
    ['echo 11 | mul', '39916800, computed 4,000,000 times'],
    ['echo 25 | mul --repeat 1', '15511210043330985984000000'],
    ['seq 8 | mul --time | add', 'per-line cost of mul on stderr'],
  ],
});

export const main = (): void =>
  stageMain(program, (options) => numberStage((n) => mul(n, options['repeat'] as number)));
