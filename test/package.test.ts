// The package as users get it: `npm pack`, then `npm install -g` of the tarball gives working
// executables on PATH (the `files` and `bin` fields are right, the bundles run outside the repository).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { ROOT } from './helpers.js';

const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-pack-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('npm pack, then npm install -g of the tarball: mul, add, sleep-task and timer work from PATH', { timeout: 180_000 }, async () => {
  // dist/ is already built by `npm test`; the dependencies come from npm's cache, filled by the install.
  await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: ROOT });
  const prefix = path.join(scratch, 'prefix');
  const tarball = path.join(scratch, `pipestage-${version}.tgz`);
  await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: scratch });
  const run = (command: string, input: string) =>
    execa('sh', ['-c', command], {
      input,
      cwd: scratch, // nothing of the repository is at hand
      env: { PATH: `${path.join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`, HOME: scratch },
      reject: false,
    });
  const pipeline = await run('mul | add', '11\n');
  assert.equal(pipeline.stdout, '796675481078400');
  assert.equal(pipeline.exitCode, 0);
  const timed = await run('timer --output /dev/null -- sleep-task --for 1ms | mul --repeat 1 --workers 2', '3\n4\n');
  assert.equal(timed.stdout, '6\n24');
  assert.equal(timed.stderr, '');
  const { stdout } = await run('for tool in mul add sleep-task timer; do command -v "$tool"; done', '');
  assert.deepEqual(stdout.split('\n'), ['mul', 'add', 'sleep-task', 'timer'].map((name) => path.join(prefix, 'bin', name)));
  // package.json's man field: `man mul` finds the page under the prefix (MANPATH as a user sets it).
  const manual = await run(`MANPATH=${path.join(prefix, 'share', 'man')} MANWIDTH=80 man mul | col -b`, '');
  assert.equal(manual.stderr, '');
  assert.match(manual.stdout, /^NAME\n\s+mul - the CPU-bound pipeline stage/m);
});
