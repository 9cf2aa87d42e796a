import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mismatch, sh, type Case } from './helpers.js';

// (usage errors and the option forms: test/hardening.test.ts and test/cli.test.ts)
const cases: Case[] = [
  { name: 'the classic item, default repeat', command: 'mul', stdin: '11\n', stdout: '39916800\n', exitCode: 0 },
  {
    name: 'exact beyond 2^53',
    command: 'mul --repeat 1',
    stdin: '25\n',
    stdout: '15511210043330985984000000\n',
    exitCode: 0,
  },
  {
    name: 'small values',
    command: 'mul --repeat 1',
    stdin: '0\n1\n2\n18\n19\n',
    stdout: '1\n1\n2\n6402373705728000\n121645100408832000\n',
    exitCode: 0,
  },
  { name: '-r alias', command: 'mul -r 2', stdin: '5\n', stdout: '120\n', exitCode: 0 },
  {
    name: 'blank lines skipped, counted',
    command: 'mul --repeat 1',
    stdin: '\n3\n \n\t\nx\n',
    stdout: '6\n',
    stderr: "mul: line 5: invalid number 'x'\n",
    exitCode: 1,
  },
  {
    name: 'surrounding blanks and CRLF',
    command: 'mul --repeat 1',
    stdin: ' 4 \r\n\t5\t\r\n',
    stdout: '24\n120\n',
    exitCode: 0,
  },
  { name: 'last line without newline', command: 'mul --repeat 1', stdin: '3\n4', stdout: '6\n24\n', exitCode: 0 },
  { name: 'empty input', command: 'mul', stdin: '', stdout: '', exitCode: 0 },
  {
    name: 'n above the limit',
    command: 'mul --repeat 1',
    stdin: '100001\n3\n',
    stdout: '6\n',
    stderr: 'mul: line 1: 100001 exceeds the limit 100000\n',
    exitCode: 1,
  },
  {
    name: 'a huge number is cut in the message',
    command: 'mul --repeat 1',
    stdin: `${'9'.repeat(60)}\n`,
    stdout: '',
    stderr: `mul: line 1: ${'9'.repeat(40)}... (60 digits) exceeds the limit 100000\n`,
    exitCode: 1,
  },
  {
    name: 'every bad line reported, every good one answered in order',
    command: 'mul --repeat 1',
    stdin: '1\n-2\n3\n1.5\n1e3\n0x10\n+4\n5\n',
    stdout: '1\n6\n120\n',
    stderr:
      "mul: line 2: invalid number '-2'\nmul: line 4: invalid number '1.5'\nmul: line 5: invalid number '1e3'\n" +
      "mul: line 6: invalid number '0x10'\nmul: line 7: invalid number '+4'\n",
    exitCode: 1,
  },
  {
    name: 'a stray argument is a file operand',
    command: 'mul 11',
    stdout: '',
    stderr: "mul: cannot open '11': No such file or directory\n",
    exitCode: 1,
  },
];

for (const c of cases) {
  test(`mul: ${c.name}`, async () => {
    const result = await sh(c.command, c.stdin);
    assert.equal(mismatch(c, result), undefined);
  });
}

test('mul: 100000! is accepted and exact in length', async () => {
  const { stdout, exitCode } = await sh('mul --repeat 1', '100000\n');
  assert.equal(exitCode, 0);
  assert.equal(stdout.length, 456574 + 1);
});

test('mul: --time reports each line and a summary on stderr, results unchanged', async () => {
  const { stdout, stderr, exitCode } = await sh('mul --repeat 1000 --time', '5\n\n6\n');
  assert.equal(exitCode, 0);
  assert.equal(stdout, '120\n720\n');
  assert.match(
    stderr,
    /^mul: line 1: \d+(\.\d+)?(ns|µs|ms)\nmul: line 3: \d+(\.\d+)?(ns|µs|ms)\nmul: 2 lines, busy \d+(\.\d+)?(ns|µs|ms|s)\n$/,
  );
});
