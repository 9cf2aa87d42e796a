// The pure part of --runs: the median run, ranges, the bottleneck over the runs, the spread a suggestion is held to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonBottleneck, median, medianIndex, range } from '../../src/timer/pipeline/runs.js';
import { spreadMargin } from '../../src/timer/pipeline/suggest.js';

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
