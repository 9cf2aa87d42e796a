// The command-line layer: the fast hot-path parse must agree with yargs wherever it answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertOption, parseFast, parseWithYargs, type ProgramSpec } from '../src/stage/cli.js';

const spec: ProgramSpec = {
  name: 'demo',
  synopsis: 'demo [options]',
  description: 'A stage for tests.',
  options: {
    repeat: { type: 'integer', describe: 'times', default: 4, min: 1, max: 1000, alias: 'r' },
    formula: { type: 'boolean', describe: 'formula' },
    time: { type: 'boolean', describe: 'time' },
  },
};

test('the fast path and yargs give the same options', async () => {
  const argvs = [[], ['--repeat', '7'], ['--repeat=7'], ['--formula'], ['--time', '--repeat', '1000', '--formula'], ['--repeat', '3', '--repeat', '5']];
  for (const argv of argvs) {
    const fast = parseFast(spec, argv);
    assert.ok(fast, `fast path should answer ${argv.join(' ')}`);
    const full = await parseWithYargs(spec, argv);
    assert.equal(full.action, 'run');
    if (fast.action === 'run' && full.action === 'run') assert.deepEqual(fast.options, full.options, argv.join(' '));
  }
});

test('the fast path hands everything unusual to yargs', () => {
  for (const argv of [['--help'], ['-h'], ['--version'], ['-r', '3'], ['--repeat', '0'], ['--repeat'], ['--repeat', 'x'], ['--bogus'], ['x'], ['--formula=yes'], ['--no-time'], ['completion']]) {
    assert.equal(parseFast(spec, argv), undefined, argv.join(' '));
  }
});

test('integer options: range and form', () => {
  const def = spec.options['repeat']!;
  assert.equal(convertOption('repeat', def, '1000'), 1000);
  assert.equal(convertOption('repeat', def, '1e3'), 1000);
  for (const bad of ['0', '1001', '-1', '1.5', 'abc', '', '0x10']) {
    assert.throws(() => convertOption('repeat', def, bad), /expected an integer from 1 to 1000/, bad);
  }
});
