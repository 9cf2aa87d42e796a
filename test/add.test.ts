import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mismatch, sh, type Case } from './helpers.js';
import { converse } from './states.js';

const cases: Case[] = [
  { name: 'the classic pipeline', command: 'echo 11 | mul | add', stdout: '796675481078400\n', exitCode: 0 },
  { name: 'loop sums', command: 'add', stdin: '0\n1\n10\n100\n', stdout: '0\n1\n55\n5050\n', exitCode: 0 },
  { name: 'loop with --repeat', command: 'add --repeat 3', stdin: '1000\n', stdout: '500500\n', exitCode: 0 },
  {
    name: 'past the loop limit: the exact message',
    command: 'add',
    stdin: '18446744073709551616\n3\n',
    stdout: '6\n',
    stderr: 'add: line 1: 18446744073709551616 exceeds the loop limit 134217727; use --formula\n',
    exitCode: 1,
  },
  {
    name: 'one past the loop limit',
    command: 'add',
    stdin: '134217728\n',
    stdout: '',
    stderr: /line 1: 134217728 exceeds the loop limit 134217727/,
    exitCode: 1,
  },
  {
    name: '--formula is exact on both sides of 2^53',
    command: 'add --formula',
    stdin: '134217727\n134217728\n18446744073709551616\n',
    stdout: '9007199187632128\n9007199321849856\n170141183460469231740910675752738881536\n',
    exitCode: 0,
  },
  {
    name: '--formula on 25!',
    command: 'echo 25 | mul --repeat 1 | add --formula',
    stdout: '120298818504166024043667820928407245793492992000000\n',
    exitCode: 0,
  },
  {
    name: 'large results keep their zeros',
    command: 'add --formula',
    stdin: '2000000000\n1999999999\n',
    stdout: '2000000001000000000\n1999999999000000000\n',
    exitCode: 0,
  },
  { name: 'blank, CRLF, no final newline', command: 'add', stdin: '\r\n4\r\n\n5', stdout: '10\n15\n', exitCode: 0 },
];

test('add: NUL bytes and invalid UTF-8 are quoted as \\xHH', async () => {
  const result = await sh('add', Buffer.from('1\0\n\xff\xfe\n2\n', 'latin1'));
  assert.equal(result.exitCode, 1);
  assert.equal(result.stdout, '3\n');
  assert.equal(result.stderr, "add: line 1: invalid number '1\\x00'\nadd: line 2: invalid number '\\xFF\\xFE'\n");
});

for (const c of cases) {
  test(`add: ${c.name}`, async () => {
    const result = await sh(c.command, c.stdin);
    assert.equal(mismatch(c, result), undefined);
  });
}

test('add --formula: 300,000 lines equal the reference sums, in order', async () => {
  const { stdout, exitCode } = await sh('seq 1 300000 | add --formula');
  assert.equal(exitCode, 0);
  const lines = stdout.split('\n');
  assert.equal(lines.length, 300_001);
  for (const n of [1, 2, 999, 65_536, 123_457, 300_000]) {
    assert.equal(lines[n - 1], String((BigInt(n) * BigInt(n + 1)) / 2n));
  }
  assert.equal(lines[300_000], '');
});

test('each result is written as soon as it is computed, not when the next line comes (add, add | mul, --workers)', async () => {
  // The test writes a line, waits for its result on stdout, and only then writes the next: a result
  // held back until more input comes never arrives, and the wait fails (10 s) instead of hanging.
  for (const command of ['add', 'add | mul --repeat 1', 'mul --repeat 1 --workers 2']) {
    const stage = converse(command);
    try {
      const inputs = command.startsWith('mul') ? ['3', '4', '5'] : ['2', '3', '4'];
      const want =
        command === 'add' ? ['3', '6', '10'] : command.startsWith('add') ? ['6', '720', '3628800'] : ['6', '24', '120'];
      let expected = '';
      for (const [index, line] of inputs.entries()) {
        stage.write(`${line}\n`);
        expected += `${want[index]}\n`;
        await stage.output(expected);
      }
      stage.end();
      const { stdout, stderr, exitCode } = await stage.ended;
      assert.deepEqual({ stdout, stderr, exitCode }, { stdout: expected, stderr: '', exitCode: 0 }, command);
    } finally {
      stage.kill();
    }
  }
});
