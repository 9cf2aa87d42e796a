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
  manSections: [
    [
      'Numbers',
      `A line holds one natural number in decimal digits; CRLF, and spaces and tabs around the number, are
allowed. Letters, signs, fractions, \`1e3\`, hex, NUL bytes and invalid UTF-8 make the line bad (\`add: line 3:
invalid number 'abc'\`). Blank lines are skipped but still counted in line numbers.

The loop is exact up to n = ${ADD_LOOP_MAX_N} (the sum stays below 2^53); a larger n is refused for that
line (\`add: line 1: 200000000 exceeds the loop limit ${ADD_LOOP_MAX_N}; use --formula\`). \`--formula\` computes
n(n+1)/2 with BigInt, exactly, for any n, in constant time. A result always ends with a newline.`,
    ],
  ],
  examples: [
    ['echo 11 | mul | add', '796675481078400'],
    ['seq 1 1000000 | add --formula', 'a million sums, exact'],
  ],
});

export const main = (): void =>
  stageMain(program, (options) =>
    numberStage(options['formula'] ? addFormula : (n) => addLoop(n, options['repeat'] as number)),
  );
