// The command-line layer: one GNU-style parser, help filled to the width, from the option table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertOption, parseArgs } from '../src/args/program.js';
import { fill, helpText } from '../src/args/help.js';
import type { ProgramSpec } from '../src/args/spec.js';

const spec: ProgramSpec = {
  name: 'demo',
  summary: 'a stage for tests',
  synopsis: 'demo [options]',
  description: 'A stage for tests.',
  options: {
    repeat: { type: 'integer', describe: 'times', default: 4, min: 1, max: 1000, alias: 'r' },
    formula: { type: 'boolean', describe: 'formula', alias: 'f' },
    mode: { type: 'string', describe: 'mode', choices: ['a', 'b'] },
  },
};

const run = (argv: string[]) => {
  const parsed = parseArgs(spec, argv);
  assert.equal(parsed.action, 'run', argv.join(' '));
  return parsed.action === 'run' ? parsed.options : {};
};

test('long, =, short, attached and clustered forms give the same options', () => {
  for (const argv of [
    ['--repeat', '7', '--formula'],
    ['--repeat=7', '--formula'],
    ['-r', '7', '-f'],
    ['-r7', '-f'],
    ['-fr7'],
    ['-fr', '7'],
    ['--repeat', '3', '--repeat', '7', '-f'],
  ]) {
    assert.deepEqual(run(argv), { repeat: 7, formula: true, mode: undefined }, argv.join(' '));
  }
  assert.deepEqual(run([]), { repeat: 4, formula: false, mode: undefined });
});

test('usage errors are worded as GNU getopt words them', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /^unrecognized option '--bogus'$/],
    [['--bogus=1'], /^unrecognized option '--bogus=1'$/],
    [['-x'], /^invalid option -- 'x'$/],
    [['--repeat'], /^option '--repeat' requires an argument$/],
    [['-r'], /^option requires an argument -- 'r'$/],
    [['--formula=yes'], /^option '--formula' doesn't allow an argument$/],
    [['--repeat=1e3'], /^invalid value '1e3' for --repeat: expected an integer from 1 to 1000$/],
    [['--mode', 'c'], /^invalid value 'c' for --mode: expected a, b$/],
    [['extra'], /^extra operand 'extra'$/],
    [['--repeat', '1\u00a0'], /^invalid value '1\\xC2\\xA0' for --repeat/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseArgs(spec, argv), { message }, argv.join(' '));
});

test('--help, -h inside a cluster, --version and a first word completion are actions', () => {
  assert.deepEqual(parseArgs(spec, ['--help']), { action: 'help' });
  assert.deepEqual(parseArgs(spec, ['-h']), { action: 'help' });
  assert.deepEqual(parseArgs(spec, ['-fh']), { action: 'help' });
  assert.deepEqual(parseArgs(spec, ['--version']), { action: 'version' });
  assert.deepEqual(parseArgs(spec, ['completion']), { action: 'completion' });
});

test('integer options follow the input grammar: digits only, in range', () => {
  const def = spec.options['repeat']!;
  assert.equal(convertOption(def, '1000', '--repeat'), 1000);
  assert.equal(convertOption(def, '007', '--repeat'), 7);
  for (const bad of ['0', '1001', '-1', '1.5', 'abc', '', '0x10', '1e3', ' 5', '+5']) {
    assert.throws(() => convertOption(def, bad, '--repeat'), /expected an integer from 1 to 1000/, bad);
  }
});

test('help is filled once to the width; commands in backticks and examples are never broken', () => {
  assert.deepEqual(fill('one two three four', 9), ['one two', 'three', 'four']);
  assert.deepEqual(fill('run `a | b c` now', 6), ['run', 'a | b c', 'now']);
  const text = helpText(
    {
      ...spec,
      examples: [
        ['seq 8 | demo --repeat 1000 | demo --formula | demo', 'three stages, in a long line that must be filled'],
      ],
    },
    40,
  );
  assert.ok(text.includes('\n  seq 8 | demo --repeat 1000 | demo --formula | demo\n'), text);
  for (const line of text.split('\n')) if (!line.startsWith('  seq')) assert.ok(line.length <= 40, line);
});
