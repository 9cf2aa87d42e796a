// timer --pipeline's advice through the real executable: a suggestion is the whole pipeline with the
// change, and runs as printed; a --workers change is weighed against what a worker thread costs per
// line, measured once per machine and cached under $XDG_CACHE_HOME; where nothing would help by 10%,
// `suggested: none` and why.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { profile, sh } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-advice-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('a waiting stage: the suggestion is the pipeline as typed with the change, and runs as printed', async () => {
  const typed = "seq 8 | sleep-task --for 100ms | awk '{ print $1 * 2 }'";
  const { report, stdout } = await profile(typed);
  const prediction = report.prediction!;
  // 8 waits of 100 ms one at a time; two at once: the model gives half of 800 ms less, far over 10%
  const suggested = "seq 8 | sleep-task --for 100ms --concurrency 2 | awk '{ print $1 * 2 }'";
  assert.deepEqual(report.suggestion, {
    pipeline: suggested,
    words: null,
    change: 'sleep-task --for 100ms --concurrency 2',
    predictedMs: prediction.wallMs,
    nowMs: report.wallMs - report.stoppedMs,
  });
  assert.equal(prediction.lines[0], `suggested: ${suggested}`);
  assert.match(prediction.lines[1]!, /^predicted: \S+ \(now \S+\)$/);
  assert.equal(prediction.workerCost, null, 'no worker thread is added: none measured');
  // copied and run: the same output
  const again = await sh(suggested);
  assert.deepEqual([again.exitCode, again.stdout], [0, stdout]);
});

test("a stage whose lines cost less than a worker thread's passing of them: no --workers suggested, and why", async () => {
  const cache = path.join(scratch, 'cheap');
  const env = `XDG_CACHE_HOME=${cache}`;
  const pipeline = 'seq 1 100000 | add --formula | cat';
  const { report } = await profile(pipeline, '', env);
  const first = report.prediction!;
  assert.equal(report.suggestion, null, first.lines.join('\n'));
  assert.match(first.reason!, /^add --formula's lines take \S+ each; a worker thread costs \S+ per line$/);
  // measured, and cached under $XDG_CACHE_HOME for this machine, Node and pipestage
  const file = path.join(cache, 'pipestage', 'worker-cost.json');
  assert.deepEqual([first.workerCost?.source, first.workerCost?.file], ['measured', file]);
  const cached = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.ok(String(cached['key']).includes(process.version), String(cached['key']));
  const { source: _source, file: _file, ...figures } = first.workerCost!;
  assert.deepEqual(Object.keys(figures), ['wallMsPerLine', 'cpuMsPerLine', 'threadStartMs', 'threadCpuMs']);
  for (const [field, value] of Object.entries(figures)) assert.equal(cached[field], value, field);
  const second = (await profile(pipeline, '', env)).report.prediction!;
  assert.deepEqual(second.workerCost, { ...first.workerCost!, source: 'cached' });
  // another machine's figure is not taken: measured again
  writeFileSync(file, JSON.stringify({ ...cached, key: 'another machine' }));
  assert.equal((await profile(pipeline, '', env)).report.prediction!.workerCost?.source, 'measured');
  assert.notEqual(JSON.parse(readFileSync(file, 'utf8')).key, 'another machine');
});

test('a cache that cannot be written: the cost measured each time, the report whole', async () => {
  const blocker = path.join(scratch, 'not-a-directory');
  writeFileSync(blocker, '');
  const { report, exitCode } = await profile('seq 1 50000 | add --formula | cat', '', `XDG_CACHE_HOME=${blocker}`);
  assert.equal(exitCode, 0);
  assert.equal(report.prediction!.workerCost?.source, 'measured');
  assert.ok(!existsSync(path.join(blocker, 'pipestage')));
});

test('a stage with no option to change: a what-if, worded as one, and at three shares of its CPU in the JSON', async () => {
  const { report } = await profile('seq 1 600000 | gzip -9 | wc -c');
  const prediction = report.prediction!;
  assert.equal(prediction.kind, 'what-if', prediction.lines.join('\n'));
  assert.match(
    prediction.lines[0]!,
    /^if gzip -9 used half its CPU: about \S+ \(now \S+(; the cores bound it: .+)?\)$/,
  );
  assert.deepEqual(prediction.lines.slice(1), ['suggested: none — gzip -9 has no option known to make it faster']);
  assert.equal(report.suggestion, null);
  // the half is the what-if's wall; less CPU, no longer wall
  const whatIf = report.whatIf!;
  assert.deepEqual([whatIf.stage, whatIf.cpuShare, whatIf.nowMs], ['gzip -9', [0.25, 0.5, 0.75], report.wallMs]);
  const [quarter, half, threeQuarters] = whatIf.wallMs;
  assert.equal(half, prediction.wallMs);
  assert.ok(quarter <= half && half <= threeQuarters && threeQuarters <= report.wallMs, `${whatIf.wallMs}`);
});

test('--verify: the suggestion run after the profile, on the same input, and compared by the formula', async () => {
  const { report, stdout, exitCode } = await profile('seq 8 | sleep-task --for 300ms | cat', '--verify </dev/null');
  assert.equal(exitCode, 0);
  // both runs' output, the pipeline's then the suggestion's
  const lines = Array.from({ length: 8 }, (_, index) => `${index + 1}\n`).join('');
  assert.equal(stdout, lines + lines);
  const verify = report.verify!;
  const now = report.wallMs - report.stoppedMs;
  const predicted = report.prediction!.wallMs;
  // (the JSON's figures rounded to the µs)
  const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-4 * b;
  assert.ok(near(verify.ratio!, now / verify.wallMs!), `${verify.ratio} against ${now} / ${verify.wallMs}`);
  assert.ok(near(verify.predictedRatio!, now / predicted), `${verify.predictedRatio} against ${now} / ${predicted}`);
  const holds = verify.ratio! > 1 && Math.abs(verify.wallMs! - predicted) <= 0.2 * predicted;
  assert.equal(verify.verified, holds);
  assert.match(
    verify.line,
    holds
      ? /^verified: \d+\.\d\d times faster \(predicted \d+\.\d\d\)$/
      : /^not confirmed: \d+\.\d\d times as fast as now \(predicted \d+\.\d\d\): .+$/,
  );
});

test('--verify: a regular file is read again from where the first run began; a pipe is refused, nothing run', async () => {
  const input = path.join(scratch, 'lines');
  writeFileSync(input, 'header\n1\n2\n3\n');
  const file = path.join(scratch, 'offset.json');
  const result = await sh(
    `{ read -r _; timer --pipeline 'sleep-task --for 100ms | cat' --verify --json --output ${file}; } < ${input}`,
  );
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, '1\n2\n3\n1\n2\n3\n');
  const marker = path.join(scratch, 'ran');
  const piped = await sh(`seq 3 | timer --pipeline 'cat > ${marker}' --verify`);
  assert.equal(piped.exitCode, 125);
  assert.match(piped.stderr, /^timer: --verify runs the pipeline a second time, and its input comes from a pipe/);
  assert.ok(!existsSync(marker), 'nothing ran');
  // nothing suggested: said, not silent
  const none = await profile('seq 3 | cat', '--verify </dev/null');
  assert.equal(none.report.verify!.line, 'not verified: nothing was suggested');
  assert.equal((await sh('timer --verify -- true')).exitCode, 2);
});

test('a program inside a function: changed where its words stand in the body; else in words, and --verify runs nothing', async () => {
  // its command as it ran (argv) stands once in the text: changed there, and run by --verify
  const inBody = await profile('f() { sleep-task --for 80ms; }; seq 6 | f | cat', '--verify </dev/null');
  assert.deepEqual(inBody.report.suggestion && [inBody.report.suggestion.pipeline, inBody.report.suggestion.change], [
    'f() { sleep-task --for 80ms --concurrency 2; }; seq 6 | f | cat',
    'sleep-task --for 80ms --concurrency 2',
  ]);
  assert.equal(inBody.stdout, '1\n2\n3\n4\n5\n6\n'.repeat(2), 'the suggestion ran after the pipeline');
  // its words made from the function's argument: not in the text, so in words
  const typed = 'f() { sleep-task --for "$1"; }; seq 6 | f 80ms | cat';
  const { report, stdout, exitCode } = await profile(typed, '--verify </dev/null');
  assert.equal(exitCode, 0);
  const words = 'run sleep-task with --concurrency 2 (in f 80ms)';
  assert.equal(report.prediction!.lines[0], `suggested: ${words}`);
  assert.deepEqual([report.suggestion?.pipeline, report.suggestion?.words], [null, words]);
  assert.equal(report.verify!.line, 'not verified: the suggestion is in words, not a pipeline to run');
  assert.equal(stdout, '1\n2\n3\n4\n5\n6\n', 'the pipeline ran once: nothing run for the words');
  // the stage's text twice, where the parse cannot place it (a `$( )` beside other statements): which to
  // change is said in words, and nothing is run for them either
  const twice = await profile(
    'X=$(echo sleep-task --for 80ms); seq 6 | sleep-task --for 80ms | cat',
    '--verify </dev/null',
  );
  const where = 'add --concurrency 2 to sleep-task --for 80ms (typed 2 times: which one is not known)';
  assert.deepEqual([twice.report.suggestion?.words, twice.report.verify!.line], [where, report.verify!.line]);
  assert.equal(twice.stdout, '1\n2\n3\n4\n5\n6\n');
  // where the parse placed it, the stage typed twice is changed where it stands
  const placed = await profile('echo sleep-task --for 80ms; seq 6 | sleep-task --for 80ms | cat', '</dev/null');
  const changed = 'echo sleep-task --for 80ms; seq 6 | sleep-task --for 80ms --concurrency 2 | cat';
  assert.equal(placed.report.suggestion?.pipeline, changed);
});

test('a pipestage program run by xargs: the row is xargs’s (echo before it seen or not), the change in words', async () => {
  // (echo, a builtin's fork, mostly ends before the first sample: xargs, mul's trace in its tree, is
  // still the second row; three runs, as the fork is seen in some)
  const typed = `echo 80ms | xargs sh -c 'seq 6 | sleep-task --for "$0"'`;
  const words = `run sleep-task with --concurrency 2 (in xargs sh -c 'seq 6 | sleep-task --for "$0"')`;
  for (let run = 1; run <= 3; run++) {
    const { report, stdout } = await profile(typed, '</dev/null');
    assert.equal(stdout, '1\n2\n3\n4\n5\n6\n');
    // (the bug: xargs's process, the only one seen, put on echo's row, xargs's row empty)
    const [echo, xargs] = report.stages;
    assert.deepEqual([echo?.name, xargs?.name, xargs!.pid > 0, xargs!.userMs! > 0], ['echo', 'xargs', true, true]);
    assert.match(
      report.bottleneckLine,
      /^bottleneck: sleep-task --for 80ms in xargs \(\d+% of the stage's CPU\)|^bottleneck: xargs /,
    );
    assert.equal(report.suggestion?.words, words, `run ${run}: ${report.prediction?.lines.join(' ')}`);
  }
  // run twice by xargs (one after the other): the two as one in the bottleneck, every time (not the one
  // that used a hair over half the stage's CPU); none of the two modelled, and that said
  const twice = "seq 2 | xargs -n 1 sh -c 'seq 3 | sleep-task --for 80ms'";
  const { report, stdout } = await profile(twice, '</dev/null');
  assert.equal(stdout, '1\n2\n3\n'.repeat(2));
  assert.match(report.bottleneckLine, /^bottleneck: 2 × sleep-task --for 80ms in xargs \(\d+% of the stage's CPU\) — /);
  assert.equal(
    report.prediction?.reason,
    "sleep-task ran 2 times in xargs -n 1 sh -c 'seq 3 | sleep-task --for 80ms': timer models a change only " +
      'where a stage ran one pipestage program once',
  );
});

test('a loop running mul once a line: every run its stage’s, those no sample saw too (not rows of their own)', async () => {
  // (samples 1 s apart: most muls, ~60 ms each, end between two; each was once a row of its own, `mul#3`)
  const loop = 'while read n; do echo $n | mul; done';
  const typed = `seq 8 | ${loop} | add`;
  const { report, stdout } = await profile(typed, '--interval 1000 </dev/null');
  assert.equal(stdout, (await sh(typed)).stdout, 'the output as the shell gives it');
  assert.deepEqual(
    report.stages.map((stage) => stage.name),
    ['seq', loop, 'add'],
  );
  assert.equal(
    report.prediction?.reason,
    `mul ran 8 times in ${loop}: timer models a change only where a stage ran one pipestage program once`,
  );
});

test('a bottleneck that failed (a usage error) gets no what-if and no change: its run measured nothing of its work', async () => {
  const { report, exitCode } = await profile('seq 3 | mul --bogus', '</dev/null');
  assert.equal(exitCode, 2);
  assert.equal(report.stages[1]!.status, 2);
  assert.match(report.bottleneckLine, /^bottleneck: mul /);
  assert.deepEqual(report.prediction!.lines, [
    'suggested: none — mul --bogus exited with status 2: a failed run is no measure of a change',
  ]);
  assert.equal(report.suggestion, null);
});

test('pipelines one after another: each its own flow, so the first one’s change is suggested; rows apart by text', async () => {
  // (as one flow, the second sleep-task, started when the first pipeline ended, bounded it: none suggested)
  const typed = 'seq 4 | sleep-task --for 100ms | cat; seq 4 | sleep-task --for 50ms | cat';
  const { report } = await profile(typed, '</dev/null');
  const names = report.stages.map((stage) => stage.name);
  assert.deepEqual(names, ['seq#1', 'sleep-task --for 100ms', 'cat#1', 'seq#2', 'sleep-task --for 50ms', 'cat#2']);
  const changed = 'seq 4 | sleep-task --for 100ms --concurrency 2 | cat; seq 4 | sleep-task --for 50ms | cat';
  assert.equal(report.suggestion?.pipeline, changed, report.prediction?.lines.join('\n'));
});

test('--verify: a stage of the suggestion that fails is said, though the pipeline’s status (its last) is 0', async () => {
  // the file is gone after the first run: the suggestion's sleep-task cannot open it, cat exits 0
  const file = path.join(scratch, 'once');
  writeFileSync(file, '1\n2\n3\n4\n5\n6\n');
  const { report, exitCode } = await profile(
    `sleep-task --for 80ms ${file} | cat; rm -f ${file}`,
    '--verify </dev/null',
  );
  assert.equal(exitCode, 0);
  assert.equal(report.suggestion?.change, `sleep-task --for 80ms ${file} --concurrency 2`);
  assert.equal(
    report.verify!.line,
    `not confirmed: the suggestion's sleep-task --for 80ms ${file} --concurrency 2 exited 1`,
  );
});
