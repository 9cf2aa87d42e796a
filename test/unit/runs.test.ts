// The pure part of --runs: the median run, ranges, the bottleneck over the runs, the spread a suggestion is held to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonBottleneck, median, medianIndex, range, summariseRuns } from '../../src/timer/pipeline/runs.js';
import { SINGLE_RUN, spreadMargin } from '../../src/timer/pipeline/suggest.js';
import { pipelineProfile, profiled } from './fixtures.js';

test('medianIndex: the place of the median value, the lower of two for an even count, the first of equals', () => {
  assert.equal(medianIndex([40, 10, 50, 30, 20]), 3);
  assert.equal(medianIndex([7]), 0);
  assert.equal(medianIndex([30, 10, 20, 40]), 2); // 20 and 30 in the middle: the lower
  assert.equal(medianIndex([5, 5, 5]), 1);
  assert.equal(medianIndex([9, 1, 1]), 2);
});

test('range: least and greatest; unknown where any run’s figure is', () => {
  assert.deepEqual(range([3, 1, 2]), [1, 3]);
  assert.deepEqual(range([4]), [4, 4]);
  assert.equal(range([1, null, 2]), null);
  assert.equal(range([]), null);
});

test('commonBottleneck: the name of more than half the runs; a tie or a plurality varies; none is no name', () => {
  assert.deepEqual(commonBottleneck(['mul', 'mul', 'add']), {
    name: 'mul',
    varies: false,
    counts: [
      ['mul', 2],
      ['add', 1],
    ],
  });
  assert.deepEqual(commonBottleneck(['mul', 'add']).varies, true);
  assert.equal(commonBottleneck(['mul', 'add']).name, null);
  // 2 of 5 is the most, not most of them
  const plural = commonBottleneck(['a', 'a', 'b', 'c', 'd']);
  assert.deepEqual([plural.name, plural.varies], [null, true]);
  const none = commonBottleneck([null, null, 'mul']);
  assert.deepEqual([none.name, none.varies, none.counts[0]], [null, false, ['none', 2]]);
});

test('spreadMargin: (greatest − least) / median of the walls, said as the run-to-run spread', () => {
  assert.deepEqual(spreadMargin([900, 1000, 1100]), { share: 0.2, words: 'the run-to-run spread (20%)' });
  assert.equal(spreadMargin([100, 100]).share, 0);
  assert.equal(spreadMargin([50, 200, 100, 100]).share, 1.5); // median 100 (the lower middle)
});

test('median: the middle value, or the mean of the two middle ones (two runs: not the lesser)', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([0.93, 1.4]), 1.165);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('summariseRuns: the median run (stopped time left out), each row matched by name, ranges, the margin', () => {
  const stage = (name: string, wallMs: number, cpu: number | null, fields = {}) =>
    profiled(name, {}, true, { wallMs, userMs: cpu, sysMs: cpu === null ? null : 0, ...fields });
  const run = (wallMs: number, stoppedMs: number, bottleneck: string | null, stages: ReturnType<typeof stage>[]) => ({
    profile: pipelineProfile(stages, { wallMs, stoppedMs, bottleneck, cpuMs: wallMs / 2 }),
  });
  // walls less stopped: 400, 300 (900 with 600 stopped), 500: the first is the median
  const runs = [
    run(400, 0, 'mul', [stage('seq', 10, 1), stage('mul', 390, 380), stage('add', 395, 20)]),
    run(900, 600, 'mul', [
      stage('seq', 0, null, { pid: 0 }),
      stage('mul', 880, 280, { time: { ...profiled('x', {}).time, stopped: 600 } }),
      stage('add', 290, 30),
    ]),
    // (rows out of place: matched by name)
    run(500, 0, 'add', [stage('seq', 12, 2), stage('add', 495, 25), stage('mul', 480, 470)]),
  ];
  const { chosen, summary } = summariseRuns(runs, 3, 1);
  assert.equal(chosen, runs[0]);
  assert.ok(summary);
  assert.deepEqual([summary.asked, summary.warmup, summary.median, summary.wallMs], [3, 1, 0, [300, 500]]);
  assert.deepEqual(
    summary.each,
    runs.map((each) => each.profile),
  );
  assert.deepEqual(summary.cpuMs, [200, 450]);
  assert.deepEqual(summary.stages, [
    { name: 'seq', wallMs: null, cpuMs: null }, // unseen in one run: unknown
    { name: 'mul', wallMs: [280, 480], cpuMs: [280, 470] }, // its stopped time left out: 880 - 600
    { name: 'add', wallMs: [290, 495], cpuMs: [20, 30] },
  ]);
  assert.deepEqual(summary.bottleneck, {
    name: 'mul',
    varies: false,
    counts: [
      ['mul', 2],
      ['add', 1],
    ],
  });
  assert.deepEqual(summary.margin, spreadMargin([400, 300, 500]));
  // one run asked: that run, no summary; a bottleneck that varies: no margin (nothing is suggested)
  assert.deepEqual(summariseRuns(runs.slice(0, 1), 1, 0), { chosen: runs[0], summary: undefined });
  const varies = summariseRuns([runs[0]!, runs[2]!], 2, 0).summary!;
  assert.deepEqual([varies.bottleneck.varies, varies.margin], [true, undefined]);
  assert.equal(varies.median, 0, 'of two, the lower wall: a run that was');
  // two runs of one bottleneck: their spread; a run whose CPU is unknown: the CPU range too
  const unknownCpu = run(450, 0, 'mul', runs[0]!.profile.stages);
  unknownCpu.profile.cpuMs = null;
  const two = summariseRuns([runs[0]!, unknownCpu], 2, 0).summary!;
  assert.deepEqual([two.margin, two.cpuMs], [spreadMargin([400, 450]), null]);
  assert.notDeepEqual(two.margin, SINGLE_RUN);
});
