// The report's words for --runs (src/render/runs-text.ts), on made-up runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineProfile, RunsSummary } from '../../src/render/profile.js';
import { rangesTable, runsLine } from '../../src/render/runs-text.js';

const format = (ms: number): string => `${ms}ms`;
const withRuns = (exits: (number | null)[], fields: Partial<RunsSummary<PipelineProfile>> = {}): PipelineProfile =>
  ({
    runs: {
      asked: exits.length,
      warmup: 0,
      each: exits.map((exitCode) => ({ exitCode })),
      median: 0,
      wallMs: [1, 2],
      cpuMs: [1, 2],
      stages: [{ name: 'cat', wallMs: [1, 2], cpuMs: null }],
      bottleneck: { name: null, varies: false, counts: [] },
      margin: undefined,
      ...fields,
    },
  }) as unknown as PipelineProfile;

test('runsLine: which run this is, of how many, and each run that failed named', () => {
  assert.deepEqual(runsLine(withRuns([0, 1, 0, 2], { median: 2 })), [
    '4 runs; this is run 3, its wall the median; (least–greatest over the runs) after a figure; ' +
      'run 2 exited 1, run 4 exited 2',
  ]);
  // (an unknown status is no failure)
  assert.deepEqual(runsLine(withRuns([0, null])), [
    '2 runs; this is run 1, its wall the median; (least–greatest over the runs) after a figure',
  ]);
  // one run left of three asked, after a warm-up
  assert.deepEqual(runsLine(withRuns([0], { asked: 3, warmup: 1 })), [
    '1 run after 1 warm-up run (of 3 asked: a signal stopped them); this is run 1, its wall the median; ' +
      '(least–greatest over the runs) after a figure',
  ]);
});

test('rangesTable: over 1 run, not 1 runs; ranges as least–greatest, ? where unknown', () => {
  const [table] = rangesTable(withRuns([0]), format, 80);
  assert.deepEqual(table!.split('\n'), ['over 1 run     wall  CPU', 'cat         1ms–2ms    ?']);
});
