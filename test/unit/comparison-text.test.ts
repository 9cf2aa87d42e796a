// A comparison as text and as Markdown (src/render/comparison-text.ts), and text for SVG, on made-up figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml } from '../../src/render/chart-svg.js';
import type { Comparison } from '../../src/render/comparison.js';
import { comparisonLines, comparisonMarkdown } from '../../src/render/comparison-text.js';

const format = (ms: number): string => `${ms}ms`;
const comparison = (fields: Partial<Comparison>): Comparison => ({
  pipelines: ['a | b', 'c'],
  runs: 2,
  wallMs: [200, 100],
  wallRange: [
    [190, 210],
    [95, 105],
  ],
  failures: [null, null],
  fastest: 1,
  ratios: [{ faster: 1, slower: 0, ratio: 2, range: [1.9, 2.1] }],
  stages: [],
  ...fields,
});

test('comparisonLines: each pipeline, the ratio with its range, a failed pipeline said, stages of some only', () => {
  const lines = comparisonLines(
    comparison({
      failures: [{ runs: 2, status: 1 }, null],
      stages: [
        {
          names: ['a', null],
          wallMs: [150, null],
          cpuMs: [140, null],
          state: { name: 'working', shares: [0.9, null] },
          lanes: [null, null],
        },
        { names: ['b', 'c'], wallMs: [200, 100], cpuMs: [10, 90], state: null, lanes: [1, 2] },
      ],
    }),
    format,
  );
  assert.deepEqual(lines, [
    'comparison: 2 pipelines, 2 runs of each paired, run in turn',
    'A: a | b — wall 200ms (190ms–210ms); exit status 1 in 2 of its runs',
    'B: c — wall 100ms (95ms–105ms)',
    'B: 2.00 (1.90–2.10) times faster than A (but A failed: not the same work)',
    "stage by stage, A → B (the reported runs; a state's share is of the stage's wall):",
    'a (only in A; — where not): wall 150ms → —, CPU 140ms → —; working 90% → —',
    'b: wall 200ms → 100ms, CPU 10ms → 90ms, lanes 1 → 2',
  ]);
  // the Markdown the same: — where a pipeline has no such stage
  const missing = comparison({
    stages: [{ names: ['a', null], wallMs: [150, null], cpuMs: [140, null], state: null, lanes: [null, null] }],
  });
  assert.equal(comparisonMarkdown(missing).split('\n')[7], '| a | 150.0 | — | 140.0 | — |  |');
  // a ratio under 1 (the runs paired disagreeing with themselves) is worded as such
  const under = comparisonLines(comparison({ ratios: [{ faster: 1, slower: 0, ratio: 0.98, range: null }] }), format);
  assert.ok(under.includes('B: 0.98 times as fast as A'), under.join('\n'));
});

test('comparisonMarkdown: a pipeline as code, its | escaped, its backticks inside a longer fence', () => {
  const table = comparisonMarkdown(comparison({ pipelines: ['echo "a``b" | cat', 'echo `x`'] })).split('\n');
  assert.equal(table[2], '| A: ``` echo "a``b" \\| cat ``` | 200.0 | 190.0 | 210.0 | 2.00 (1.90–2.10) |');
  assert.equal(table[3], '| B: `` echo `x` `` | 100.0 | 95.0 | 105.0 | 1.00 |');
});

test('escapeXml: markup escaped; control characters, which XML cannot hold, as \\xNN', () => {
  assert.equal(escapeXml('a<b & "c">'), 'a&lt;b &amp; &quot;c&quot;&gt;');
  assert.equal(escapeXml('grep -v "\x01\x1b"\ttab'), 'grep -v &quot;\\x01\\x1b&quot;\ttab');
});
