import { stageMain, stageSpec } from '../stage/main.js';
import { numberStage } from '../stage/number-stage.js';
import { ADD_LOOP_MAX_N, addFormula, addLoop } from '../kernels/add.js';
import type { ProgramSpec } from '../args/spec.js';

export const program: ProgramSpec = stageSpec({
  name: 'add',
  summary: 'a pipeline stage: 1+2+…+n for each line',
  synopsis: 'add [options] [FILE...]',
  description:
    'For each input line holding a natural number n, print 1+2+…+n, computed by a loop ' +
    `(n up to ${ADD_LOOP_MAX_N}, --repeat times) or, with --formula, as n(n+1)/2 exactly for any n.\n\n` +
    'Blank lines are skipped; a bad line is reported and the run goes on (exit status 1).',
  options: {
    repeat: {
      type: 'integer',
      value: 'N',
      describe: 'How many times each loop runs (1 to 1000000000)',
      default: 1,
      min: 1,
      max: 1_000_000_000,
      alias: 'r',
    },
    formula: { type: 'boolean', describe: 'Compute n(n+1)/2 in O(1), exactly for any n (--repeat is ignored)' },
  },
  examples: [
    ['echo 11 | mul | add', '796675481078400'],
    ['seq 1 1000000 | add --formula', 'a million sums, exact'],
  ],
});

export const main = (): void =>
  stageMain(program, (options) =>
    numberStage(options['formula'] ? addFormula : (n) => addLoop(n, options['repeat'] as number)),
  );
