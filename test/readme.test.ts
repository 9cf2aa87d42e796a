// The README's Quick start must work as written: every command of it runs here (but `npm test`
// itself, which is what runs this).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT, sh } from './helpers.js';

const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
const quickStart = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);

test('the README Quick start is the two commands', () => {
  assert.ok(quickStart, 'no Quick start code block');
  assert.deepEqual(quickStart[1]!.trim().split('\n'), ['npm install && npm run demo', 'npm test']);
});

test('every Quick start command but npm test runs and succeeds', { timeout: 240_000 }, async () => {
  const commands = quickStart![1]!.trim().split('\n').filter((line) => line.trim() !== 'npm test');
  for (const command of commands) {
    const { stdout, stderr, exitCode } = await sh(command, undefined, 240_000);
    assert.equal(exitCode, 0, `${command}\n${stdout}\n${stderr}`);
    if (command.includes('npm run demo')) {
      assert.match(stdout, /^pipelined +\d+ms +[\d.]+ +1\.78 +[\d.]+$/m);
      assert.match(stdout, /both runs produced the same 8 results \(796675481078400 each\)/);
      assert.match(stdout, /bottleneck: (mul|add)/);
    }
  }
});

test('the usage examples of the README give what it says', async () => {
  assert.equal((await sh('echo 11 | mul | add')).stdout, '796675481078400\n');
  assert.equal((await sh('echo 25 | mul --repeat 1')).stdout, '15511210043330985984000000\n');
  assert.equal((await sh('seq 1 200 | mul --repeat 1000 | add --formula | wc -l')).stdout.trim(), '200');
});
