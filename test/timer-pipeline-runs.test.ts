// timer --pipeline --runs N (--warmup N) through the real executable: every run profiled from the same
// input, the run whose wall is the median reported, each figure's range over the runs, the bottleneck
// over the runs; a pipe refused; --verify run as many times and compared run by run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { type Profile, profile, sh } from './helpers.js';
import { waitFor } from './states.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-runs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const active = (run: Profile): number => run.wallMs - run.stoppedMs;
/** The JSON's figures are rounded to the µs. */
const near = (a: number, b: number): boolean => Math.abs(a - b) <= 0.002;

test('--runs 5: every run profiled, the one whose wall is the median reported, each range the runs’ least and greatest', async () => {
  // Each run sleeps its own line of `sleeps` (the witness of which run is which): 0.3 s, run 4, is the median.
  const sleeps = [0.4, 0.1, 0.5, 0.3, 0.2];
  const file = path.join(scratch, 'sleeps');
  const counter = path.join(scratch, 'counter');
  writeFileSync(file, sleeps.join('\n'));
  writeFileSync(counter, '1');
  const pipeline = `n=$(cat ${counter}); echo $((n + 1)) > ${counter}; echo run $n; sleep $(sed -n "$n"p ${file})`;
  const { report, stdout, exitCode } = await profile(pipeline, '--runs 5 </dev/null');
  assert.equal(exitCode, 0);
  assert.equal(stdout, 'run 1\nrun 2\nrun 3\nrun 4\nrun 5\n', 'each run’s output, in order');
  const runs = report.runs!;
  assert.deepEqual([runs.asked, runs.warmup, runs.count, runs.each.length], [5, 0, 5, 5]);
  // the runs in order: each at least its sleep, and ordered as the sleeps are
  const walls = runs.each.map(active);
  walls.forEach((wall, run) => assert.ok(wall >= sleeps[run]! * 1000, `run ${run + 1}: ${wall} ms`));
  const byWall = walls.map((_, run) => run).sort((a, b) => walls[a]! - walls[b]!);
  const bySleep = sleeps.map((_, run) => run).sort((a, b) => sleeps[a]! - sleeps[b]!);
  assert.deepEqual(byWall, bySleep);
  // the reported run is the 0.3 s one, and the document is that run's
  assert.equal(runs.reported, 3);
  assert.equal(report.wallMs, runs.each[3]!.wallMs);
  assert.deepEqual(report.stages, runs.each[3]!.stages);
  assert.ok(near(runs.wallMs[0], Math.min(...walls)) && near(runs.wallMs[1], Math.max(...walls)), `${runs.wallMs}`);
  const cpus = runs.each.map((run) => run.cpuMs!);
  assert.ok(near(runs.cpuMs![0], Math.min(...cpus)) && near(runs.cpuMs![1], Math.max(...cpus)), `${runs.cpuMs}`);
  // a stage's range: its own figure in each run (matched by its name)
  const sleepRow = runs.stages.findIndex((stage) => stage.name.startsWith('sleep'));
  assert.ok(sleepRow >= 0, JSON.stringify(runs.stages));
  const sleepWalls = runs.each.map((run) => run.stages.find((stage) => stage.name.startsWith('sleep'))!.wallMs);
  const sleepRange = runs.stages[sleepRow]!.wallMs!;
  assert.ok(near(sleepRange[0], Math.min(...sleepWalls)) && near(sleepRange[1], Math.max(...sleepWalls)));
  assert.equal(runs.bottleneck.varies, false);
});

test('--runs in the text report: which run it is, each figure with its range, the note that ranges do not add up', async () => {
  const counter = path.join(scratch, 'text-counter');
  writeFileSync(counter, '0');
  // run 1 sleeps 0.1 s, run 2 0.3 s, run 3 0.2 s: the median is run 3
  const pipeline = `n=$(cat ${counter}); echo $((n + 1)) > ${counter}; sleep 0.$(( n * 2 % 3 + 1 )) | cat`;
  const result = await sh(`timer --pipeline '${pipeline}' --runs 3 </dev/null`);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, /^3 runs; this is run 3, its wall the median; \(least–greatest over the runs\)/m);
  assert.match(result.stderr, /^wall (\S+) \((\S+)–(\S+), 3 runs\), CPU \S+ \(\S+–\S+\) \(user /m);
  assert.match(result.stderr, /^over 3 runs +wall +CPU$/m);
  assert.match(result.stderr, /^sleep +\S+–\S+ +\S+–\S+$/m);
  assert.match(result.stderr, /ranges\s+do\s+not\s+add\s+up/);
  assert.match(result.stderr, /^bottleneck: sleep — [\s\S]*?\(the\s+bottleneck\s+in\s+3\s+of\s+3\s+runs\)$/m);
});

test('--runs and --warmup: each run reads the same input — a file from where timer began; a pipe is refused', async () => {
  const input = path.join(scratch, 'lines');
  writeFileSync(input, 'header\n1\n2\n');
  const result = await sh(`{ read -r _; timer --pipeline 'cat' --runs 2 --warmup 1 --no-progress; } < ${input}`);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, '1\n2\n'.repeat(3), 'the warm-up and both runs, each from the line after the header');
  assert.match(result.stderr, /^2 runs after 1 warm-up run; this is run [12],/m);
  const marker = path.join(scratch, 'ran');
  for (const options of ['--runs 2', '--warmup 1']) {
    const piped = await sh(`seq 3 | timer --pipeline 'cat > ${marker}' ${options}`);
    assert.equal(piped.exitCode, 125);
    assert.equal(
      piped.stderr,
      `timer: ${options} runs the pipeline more than once, and its input comes from a pipe, which cannot be ` +
        'read twice: give it as a file (< FILE), or </dev/null if the pipeline reads none\n',
    );
    assert.ok(!existsSync(marker), 'nothing ran');
  }
  // one run reads a pipe as ever
  assert.equal((await sh(`seq 3 | timer --pipeline 'cat' --runs 1 2>/dev/null`)).stdout, '1\n2\n3\n');
  for (const usage of ['--runs 2 -- true', '--warmup 1 -- true', "--pipeline 'true' --runs 0"])
    assert.equal((await sh(`timer ${usage}`)).exitCode, 2, usage);
});

test('--runs: where the bottleneck differs from run to run, it is said to vary, with the counts, and nothing is suggested', async () => {
  const counter = path.join(scratch, 'varies');
  writeFileSync(counter, '1');
  // odd runs wait 39 ms a line in the first sleep-task, even runs in the second
  const pipeline =
    `n=$(cat ${counter}); echo $((n + 1)) > ${counter}; a=$((n % 2 * 38 + 1)); b=$((40 - a)); ` +
    'seq 10 | sleep-task --for ${a}ms | sleep-task --for ${b}ms | cat >/dev/null';
  const { report } = await profile(pipeline, '--runs 2 </dev/null');
  const runs = report.runs!;
  assert.deepEqual(
    runs.each.map((run) => run.bottleneck),
    ['sleep-task#1', 'sleep-task#2'],
  );
  assert.deepEqual(runs.bottleneck, { name: null, varies: true, counts: { 'sleep-task#1': 1, 'sleep-task#2': 1 } });
  assert.equal(report.suggestion, null);
  assert.equal(report.prediction!.reason, 'the bottleneck varies from run to run');
  writeFileSync(counter, '1');
  const text = await sh(`timer --pipeline '${pipeline}' --runs 2 </dev/null`);
  assert.match(
    text.stderr,
    /^bottleneck:\s+varies\s+from\s+run\s+to\s+run\s+\(sleep-task#1\s+in\s+1,\s+sleep-task#2\s+in\s+1\s+of\s+2\s+runs\);\s+this\s+run's\s+bottleneck:\s+sleep-task#/m,
  );
  assert.match(text.stderr, /^suggested: none — the bottleneck varies from run to run$/m);
});

test('--runs: a signal ends the run it reaches and no other starts; the runs that ended whole are reported', async () => {
  const counter = path.join(scratch, 'signal');
  writeFileSync(counter, '1');
  const report = path.join(scratch, 'signal.json');
  // the third run waits to be interrupted; the first two end at once
  const pipeline = `n=$(cat ${counter}); echo $((n + 1)) > ${counter}; if [ $n -ge 3 ]; then sleep 30; fi`;
  const started = sh(`timer --pipeline '${pipeline}' --runs 5 --json --output ${report} </dev/null`);
  await waitFor(
    'the third run',
    async () => readFileSync(counter, 'utf8').trim() === '4' && (await sh("pgrep -f '^sleep 30$'")).exitCode === 0,
  );
  await sh("pkill -INT -f '^node .*bin/timer --pipeline n='");
  const result = await started;
  assert.equal(result.exitCode, 130);
  const runs = (JSON.parse(readFileSync(report, 'utf8')) as Profile).runs!;
  assert.deepEqual([runs.asked, runs.count], [5, 2]);
  assert.ok(runs.each.every((run) => run.exitCode === 0));
  assert.equal(readFileSync(counter, 'utf8').trim(), '4', 'no fourth run started');
});
