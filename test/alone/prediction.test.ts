// timer --pipeline's prediction, checked by running the change it suggests. These tests compare wall
// times of two runs, so `npm test` runs them alone, after the other suites (which would take the cores).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { profile } from '../helpers.js';

/**
 * Runs `pipeline`, then the pipeline with the suggested change to `stage`; the prediction must be
 * within 20% of the changed run's measured wall (three tries at most: a shared machine is noisy).
 * Whether the cores were full is checked when no other process kept a core busy meanwhile.
 */
async function checkPrediction(pipeline: string, stage: string, coresFull: boolean): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const { report } = await profile(pipeline);
    const prediction = report.prediction!;
    assert.ok(prediction, report.bottleneckLine);
    if (report.coresBusyElsewhere < 0.25) assert.equal(prediction.coresFull, coresFull, prediction.line);
    assert.ok(prediction.change.startsWith(stage.split(' ')[0]!), prediction.line);
    const changed = pipeline.replace(stage, prediction.change);
    const { report: measured } = await profile(changed);
    const ratio = prediction.wallMs / measured.wallMs;
    last = `predicted ${prediction.wallMs} ms (${prediction.line}), measured ${measured.wallMs} ms with ${changed}`;
    if (ratio >= 0.8 && ratio <= 1.2) return;
  }
  assert.fail(last);
}

test('prediction: a bottleneck that can use the second core (suggested --workers 2, run and compared)', async () => {
  await checkPrediction('seq 20 | sleep-task --for 5ms --mode spin | sleep-task --for 40ms --mode spin', 'sleep-task --for 40ms --mode spin', false);
});

test('prediction: the cores already full (more workers will not help, run and compared)', async () => {
  await checkPrediction('seq 20 | sleep-task --for 5ms --mode spin | sleep-task --for 40ms --mode spin --workers 2', 'sleep-task --for 40ms --mode spin --workers 2', true);
});

test('prediction: an IO-bound bottleneck gets more concurrency (run and compared)', async () => {
  await checkPrediction('seq 12 | sleep-task --for 60ms --mode wait | cat', 'sleep-task --for 60ms --mode wait', false);
});
