// timer --pipeline's measurements that need the machine to themselves: the prediction, checked by
// running the change it suggests (two runs' wall times compared), and per-stage CPU against the
// kernel's accounting (timer's samples must come on time). `npm test` runs these alone, after the
// other suites, which would take the cores.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { profile } from '../helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-alone-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('per-stage CPU agrees with the kernel’s accounting (bash `times` in each stage) within 5% or 20 ms, and the stages’ total with the reaped children’s', async () => {
  const a = path.join(scratch, 'times-a');
  const b = path.join(scratch, 'times-b');
  const { report } = await profile(`seq 1 3000000 | (gzip -1; times >${a}) | (gzip -d >/dev/null; times >${b})`);
  // `times`: the subshell's own user and sys, then its children's
  const kernel = (file: string): number => [...readFileSync(file, 'utf8').matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, seconds]) => sum + (Number(minutes) * 60 + Number(seconds)) * 1000, 0);
  for (const [stage, file] of [
    [report.stages[1]!, a],
    [report.stages[2]!, b],
  ] as const) {
    const measured = stage.userMs! + stage.sysMs!;
    const expected = kernel(file);
    assert.ok(Math.abs(measured - expected) <= Math.max(20, 0.05 * expected), `${stage.command}: timer ${measured} ms, kernel ${expected} ms`);
  }
  const stages = report.stages.reduce((sum, stage) => sum + (stage.userMs ?? 0) + (stage.sysMs ?? 0), 0);
  assert.ok(Math.abs(report.cpuMs - stages) <= 20, `stages ${stages} ms, reaped ${report.cpuMs} ms`);
});


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
