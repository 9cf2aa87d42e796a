// --verify with --runs, alone (on quiet cores: a suggestion is only made where the model beats the runs'
// spread, and the witness's walls are compared with timer's).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { type Profile, profile, sh } from '../helpers.js';
import { waitFor } from '../states.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-verify-runs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('--verify with --runs 3: the suggestion run three times too, compared run by run (a witness of each wall)', async () => {
  const log = path.join(scratch, 'stamps');
  // each run stamps its start and end (ns): the runs' walls, witnessed apart from timer
  const pipeline = `date +%s%N >> ${log}; seq 6 | sleep-task --for 200ms | cat; date +%s%N >> ${log}`;
  const { report, stdout, exitCode } = await profile(pipeline, '--runs 3 --verify </dev/null');
  assert.equal(exitCode, 0);
  assert.equal(stdout, '1\n2\n3\n4\n5\n6\n'.repeat(6), 'three runs of the pipeline, three of the suggestion');
  assert.match(report.suggestion!.pipeline!, /sleep-task --for 200ms --concurrency 2 \| cat;/);
  const stamps = readFileSync(log, 'utf8').trim().split('\n').map(Number);
  assert.equal(stamps.length, 12);
  const walls = [0, 1, 2, 3, 4, 5].map((run) => (stamps[2 * run + 1]! - stamps[2 * run]!) / 1e6);
  const ratios = [0, 1, 2].map((run) => walls[run]! / walls[run + 3]!);
  const verify = report.verify!;
  // (timer's walls hold bash's start too, a few ms the stamps do not: about 2% of the suggestion's 600 ms)
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 0.1 * b;
  const [least, greatest] = verify.ratioRange!;
  assert.ok(
    close(least, Math.min(...ratios)) && close(greatest, Math.max(...ratios)),
    `${verify.ratioRange} ${ratios}`,
  );
  assert.ok(least <= verify.ratio! && verify.ratio! <= greatest);
  const predicted = report.prediction!.wallMs;
  const holds = least > 1 && Math.abs(verify.wallMs! - predicted) <= 0.2 * predicted;
  assert.equal(verify.verified, holds, verify.line);
  const range =
    verify.ratioRange![0].toFixed(2) === verify.ratioRange![1].toFixed(2) ? '' : ' \\(\\d+\\.\\d\\d–\\d+\\.\\d\\d\\)';
  assert.match(
    verify.line,
    new RegExp(
      holds ? `^verified: \\d+\\.\\d\\d${range} times faster` : `^not confirmed: \\d+\\.\\d\\d${range} times as fast`,
    ),
  );
});

test('--verify: Ctrl-C while the suggestion runs ends it; the report of the runs that ended is written, status 130', async () => {
  const log = path.join(scratch, 'verify-stamps');
  const file = path.join(scratch, 'verify-signal.json');
  // each run stamps its end; the third stamp is the suggestion's first run ending
  const pipeline = `seq 6 | sleep-task --for 100ms | cat >/dev/null; date +%s%N >> ${log}`;
  const started = sh(`timer --pipeline '${pipeline}' --runs 2 --verify --json --output ${file} </dev/null`);
  await waitFor('the suggestion running', async () => {
    const stamps = await sh(`cat ${log} 2>/dev/null | wc -l`);
    return Number(stamps.stdout.trim()) >= 3;
  });
  await sh(`pkill -INT -f '^node .*bin/timer --pipeline seq 6 \\| sleep-task --for 100ms \\| cat'`);
  const result = await started;
  assert.equal(result.exitCode, 130);
  const report = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  assert.equal(report.runs!.count, 2);
  assert.equal(report.verify!.line, 'not verified: stopped by SIGINT');
  assert.equal(report.verify!.ratio, null);
});
