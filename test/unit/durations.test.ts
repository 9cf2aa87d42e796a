// Durations for people (src/base/durations.ts): pretty-ms, each figure rounded to the digit it shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFormatDuration } from '../../src/base/durations.js';

test('a duration is rounded to its last digit shown, never cut (1319.8 ms is 1.32s, not 1.31s)', async () => {
  const format = await loadFormatDuration();
  const cases: [number, string][] = [
    [1319.839, '1.32s'],
    [1075.238, '1.08s'],
    [1564.9, '1.56s'],
    [999.6, '1s'],
    [999.4, '999ms'],
    [797.6, '798ms'],
    [797.4, '797ms'],
    [1, '1ms'],
    [0.3, '300µs'],
    [61234.5, '1m 1.23s'],
  ];
  assert.deepEqual(
    cases.map(([ms]) => format(ms)),
    cases.map(([, text]) => text),
  );
});
