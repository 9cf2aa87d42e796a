// The README's Quick start must work as written: every command of it runs here (but `npm test`
// itself, which is what runs this), in a copy of the working tree, so that its build does not
// rewrite dist/ under the tests running beside it.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { npmEnv, ROOT, sh } from './helpers.js';

const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
const quickStart = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme);
const copy = mkdtempSync(path.join(tmpdir(), 'pipestage-quickstart-'));
after(() => rmSync(copy, { recursive: true, force: true }));

test('the README Quick start is the two commands', () => {
  assert.ok(quickStart, 'no Quick start code block');
  assert.deepEqual(quickStart[1]!.trim().split('\n'), ['npm install && npm run demo', 'npm test']);
});

test('every Quick start command but npm test runs and succeeds (in a copy of the tree)', {
  timeout: 240_000,
}, async () => {
  // The files git would clone (tracked, and new ones not ignored), and the installed packages.
  const { stdout: files } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
  });
  for (const file of files.split('\0').filter((name) => name !== '')) {
    try {
      cpSync(path.join(ROOT, file), path.join(copy, file), { recursive: true });
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  cpSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  const commands = quickStart![1]!
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== 'npm test');
  for (const command of commands) {
    // The demo's items are made lighter (its environment knob): the same commands, a shorter run.
    const env = npmEnv({
      ...process.env,
      PATH: `${path.join(copy, 'bin')}:${process.env['PATH']}`,
      DEMO_ITEM_MS: '40',
      DEMO_ITEMS: '4',
    });
    const result = await execa('sh', ['-c', command], { cwd: copy, reject: false, timeout: 240_000, env });
    assert.equal(result.exitCode, 0, `${command}\n${result.stdout}\n${result.stderr}`);
    if (command.includes('npm run demo')) {
      assert.match(result.stdout, /^pipelined +\d+ms +\d+ms +[\d.]+ +[\d.]+ +[\d.]+$/m);
      assert.match(result.stdout, /both runs produced the same 4 results \(796675481078400 each\)/);
      // (b) as timer --pipeline profiled it: the bottleneck (or balanced stages) and the prediction
      assert.match(result.stdout, /^ {2}bottleneck: (mul|add|none \(balanced)/m);
      assert.match(result.stdout, /^ {2}predicted: \S+ with (mul|add) /m);
    }
  }
});

test('the usage examples of the README give what it says', async () => {
  assert.equal((await sh('echo 11 | mul | add')).stdout, '796675481078400\n');
  assert.equal((await sh('echo 25 | mul --repeat 1')).stdout, '15511210043330985984000000\n');
  // (the GNU parallel recipes: test/workers.test.ts and test/package.test.ts)
});
