// Several pipelines compared (src/timer/pipeline/compare.ts), on made-up profiles: the fastest, its
// ratio to each other over the runs paired, and each stage matched by place and program.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineProfile, StageProfile } from '../../src/render/profile.js';
import { compare, programOf, stageChanges } from '../../src/timer/pipeline/compare.js';
import { profiled, traced } from './fixtures.js';

/** A profile of `stages`, its wall `wallMs` (with `stoppedMs` of it stopped). */
const run = (wallMs: number, stages: StageProfile[] = [], stoppedMs = 0): PipelineProfile =>
  ({ pipeline: 'p', wallMs, stoppedMs, stages }) as unknown as PipelineProfile;

test('programOf: the traced program, else the command’s first word without its path', () => {
  assert.equal(programOf(profiled('x', {}, true, { command: '/usr/bin/gzip -9' })), 'gzip');
  assert.equal(programOf(profiled('x', {}, true, { command: '  sort -n' })), 'sort');
  assert.equal(programOf(profiled('x', {}, true, { command: 'f 3', traced: traced({ name: 'mul' }) })), 'mul');
});

test('compare: the fastest by its reported wall; each other’s ratio the median of the runs paired, and their range', () => {
  // A's runs 900, 1000, 1100; B's 500, 520, 480 (paired in order: 1.8, 1.923, 2.292); C's 1000 each
  const a = [run(900), run(1000), run(1100)];
  const b = [run(500), run(520), run(480)];
  const c = [run(1000), run(1050, [], 50), run(1000)];
  const result = compare(['A', 'B', 'C'], [a[1]!, b[0]!, c[0]!], [a, b, c]);
  assert.equal(result.fastest, 1);
  assert.deepEqual(result.wallMs, [1000, 500, 1000]);
  assert.deepEqual(result.wallRange, [
    [900, 1100],
    [480, 520],
    [1000, 1000],
  ]);
  assert.equal(result.runs, 3);
  assert.deepEqual(
    result.ratios.map(({ faster, slower }) => [faster, slower]),
    [
      [1, 0],
      [1, 2],
    ],
  );
  assert.equal(result.ratios[0]!.ratio, 1000 / 520);
  assert.deepEqual(result.ratios[0]!.range, [900 / 500, 1100 / 480]);
  // (stopped time left out: C's second run is 1000 too)
  assert.deepEqual(result.ratios[1]!.range, [1000 / 520, 1000 / 480]);
  // fewer runs of one: paired as far as both go; one run: no range
  const short = compare(['A', 'B'], [a[0]!, b[0]!], [[a[0]!], b]);
  assert.deepEqual([short.runs, short.ratios[0]!.ratio, short.ratios[0]!.range], [1, 900 / 500, null]);
  assert.deepEqual(short.wallRange, [null, [480, 520]]);
});

test('stageChanges: matched by place and program, the state that changed most, lanes; a stage of one only', () => {
  const mul = profiled('mul', { working: 960 }, true, { command: 'mul -r 5', userMs: 900, sysMs: 60 });
  const mul2 = profiled('mul', { working: 490, 'waiting for input': 10 }, true, {
    command: 'mul -r 5 --workers 2',
    wallMs: 1000,
    userMs: 1000,
    sysMs: 100,
    traced: traced({ lanes: 2 }),
  });
  const add = profiled('add', { 'waiting for input': 830 }, false, { userMs: 10, sysMs: 2 });
  const add2 = profiled('add', { 'waiting for input': 410 }, false, { userMs: 11, sysMs: 2, wallMs: 1000 });
  const sort = profiled('sort', { working: 100 }, false, { userMs: 50, sysMs: 0 });
  const [first, second, third] = stageChanges([run(1000, [mul, add]), run(600, [mul2, sort, add2])]);
  assert.deepEqual(first, {
    names: ['mul', 'mul'],
    wallMs: [1000, 1000],
    cpuMs: [960, 1100],
    state: { name: 'working', shares: [0.96, 0.49] },
    lanes: [null, 2],
  });
  // add is at place 2 in the first, 3 in the second: matched by program
  assert.deepEqual(second!.names, ['add', 'add']);
  assert.deepEqual(second!.state, { name: 'waiting for input', shares: [0.83, 0.41] });
  // sort, in the second only
  assert.deepEqual(third, {
    names: [null, 'sort'],
    wallMs: [null, 1000],
    cpuMs: [null, 50],
    state: null,
    lanes: [null, null],
  });
});

test('stageChanges: a stage matched by its text first, then by place and program (gzip -9 is gzip -9)', () => {
  const gzip = (level: string) =>
    profiled('gzip', { working: 100 }, true, { command: `gzip ${level}`, name: `gzip ${level}` });
  const seq = profiled('seq', {}, true);
  const changes = stageChanges([run(1000, [seq, gzip('-1'), gzip('-9')]), run(900, [seq, gzip('-9')])]);
  assert.deepEqual(
    changes.map((change) => change.names),
    [
      ['seq', 'seq'],
      ['gzip -1', null],
      ['gzip -9', 'gzip -9'],
    ],
  );
});
