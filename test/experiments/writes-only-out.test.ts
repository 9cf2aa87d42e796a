// The scripts write only where they are told (--out DIR, else a temporary directory they name):
// scripts/pools.sh leaves the working tree as git sees it, and writes its files into the directory it
// names, run lightened (its knobs) in the tree itself, beside the other suites (which write nothing into
// the tree either). `npm run demo` is checked so by test/readme.test.ts, which runs it as the README says.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { ROOT, sh } from '../helpers.js';

/** What `git status` says of the working tree, untracked files one by one. */
async function treeStatus(): Promise<string> {
  return (await execa('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT })).stdout;
}

/** The directory a script named at the end of its output (`demo.sh: its files are in DIR`). */
function namedDirectory(stdout: string, script: string): string {
  const match = new RegExp(`^${script}: its files are in (/.+)$`, 'm').exec(stdout);
  assert.ok(match, `no '${script}: its files are in DIR' line in:\n${stdout}`);
  return match[1]!;
}

test('scripts/pools.sh --out DIR leaves the tree untouched and writes its charts into DIR', {
  timeout: 240_000,
}, async (t) => {
  if ((await sh('command -v parallel')).exitCode !== 0) {
    t.skip('GNU parallel is not installed (apt-get install parallel; .ci/run installs it)');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-pools-test-'));
  try {
    const before = await treeStatus();
    // A wide tolerance: the timings are not under test here, where the files go is.
    const command = `bash scripts/pools.sh --scale 0.2 --tolerance 10 --out ${dir}`;
    let result = await sh(command, '', 180_000);
    if (result.exitCode !== 0) {
      // Once more: stages starting at the same instant can still race on creating their shared trace.
      console.log(`# first run failed, trying once more:\n${(result.stdout + result.stderr).replace(/^/gm, '# ')}`);
      result = await sh(command, '', 180_000);
    }
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(await treeStatus(), before);
    assert.equal(namedDirectory(result.stdout, 'pools.sh'), dir);
    const svgs = readdirSync(dir).filter((name) => name.endsWith('.svg'));
    assert.deepEqual(svgs.sort(), [
      'pools-cpu-processes.svg',
      'pools-cpu-threads.svg',
      'pools-cpu-workers.svg',
      'pools-io-processes.svg',
      'pools-io-threads.svg',
      'pools-io-workers.svg',
    ]);
    assert.match(readFileSync(path.join(dir, 'pools-output.txt'), 'utf8'), /^\| io {3}\| processes \|/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the scripts answer a usage error as GNU tools do, before running anything', async () => {
  assert.deepEqual(await sh('bash scripts/demo.sh --bogus'), {
    stdout: '',
    stderr: "demo.sh: unrecognized option '--bogus'\nTry 'bash scripts/demo.sh --help' for more information.\n",
    exitCode: 2,
  });
  assert.deepEqual(await sh('bash scripts/pools.sh --scale fast'), {
    stdout: '',
    stderr:
      "pools.sh: invalid value 'fast' for --scale: a number is required\n" +
      "Try 'bash scripts/pools.sh --help' for more information.\n",
    exitCode: 2,
  });
  assert.deepEqual(await sh('bash scripts/kitchen.sh --out'), {
    stdout: '',
    stderr:
      "kitchen.sh: option '--out' requires an argument\nTry 'bash scripts/kitchen.sh --help' for more information.\n",
    exitCode: 2,
  });
  for (const script of ['bench', 'experiments']) {
    const help = await sh(`PATH=/nonexistent:/usr/bin:/bin bash scripts/${script}.sh --help`);
    assert.equal(help.exitCode, 0, script);
    assert.equal(help.stderr, '', script);
    assert.match(help.stdout, /^ {2}--out DIR {3}write its files into DIR/m);
    assert.match(help.stdout, /^Files \(in --out DIR\): .*\.md/m);
  }
});
