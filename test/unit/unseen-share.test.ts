// A share by rate given to a stage seen idle, taken back where a stage no sample saw may have been
// reaped with it (src/timer/pipeline/unseen-share.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TypedStage } from '../../src/timer/pipeline/typed.js';
import { unshareBeforeUnseen } from '../../src/timer/pipeline/unseen-share.js';
import { observed } from './fixtures.js';

const typed = (pipelines: number[]): TypedStage[] =>
  pipelines.map((pipeline, index) => ({
    text: `s${index}`,
    program: `s${index}`,
    pipeline,
    conditional: false,
    background: false,
    procsubs: [],
  }));
const shared = (pid: number) =>
  observed({ pid, userMs: 20, sysMs: 4, cpuShared: true, cpuGiven: { userMs: 19, sysMs: 3.5 } });
const cpu = (stages: ReturnType<typeof observed>[]) =>
  stages.map((stage) => [stage.userMs, stage.sysMs, stage.cpuShared ?? false, stage.cpuSampled ?? false]);

test('a share given a stage seen idle goes back where an unseen stage comes after it', () => {
  // seq | (sleep; kill) | cat; yes | head | gzip | wc: the second pipeline unseen
  const stages = [shared(10), shared(11), shared(12), ...[0, 0, 0, 0].map((pid) => observed({ pid }))];
  // (the third has 50 ms of a process nobody reaped added since: it stays)
  stages[2]!.userMs! += 50;
  unshareBeforeUnseen(stages, typed([0, 0, 0, 1, 1, 1, 1]));
  assert.deepEqual(cpu(stages.slice(0, 3)), [
    [1, 0.5, false, true],
    [1, 0.5, false, true],
    [51, 0.5, false, true],
  ]);
  // after it in its own pipeline, or before it only (an unseen first stage): kept
  const downstream = [shared(10), observed({ pid: 0 })];
  unshareBeforeUnseen(downstream, typed([0, 0]));
  assert.deepEqual(cpu(downstream.slice(0, 1)), [[20, 4, true, false]]);
  const upstream = [observed({ pid: 0 }), shared(10)];
  unshareBeforeUnseen(upstream, typed([0, 0]));
  assert.deepEqual(cpu(upstream.slice(1)), [[20, 4, true, false]]);
  const earlier = [observed({ pid: 0 }), shared(10), shared(11)];
  unshareBeforeUnseen(earlier, typed([0, 1, 1]));
  assert.deepEqual(cpu(earlier.slice(1)), [
    [20, 4, true, false],
    [20, 4, true, false],
  ]);
  // every stage seen: kept; a share with a rate (no cpuGiven): kept
  const all = [shared(10), shared(11)];
  unshareBeforeUnseen(all, typed([0, 1]));
  assert.deepEqual(cpu(all), [
    [20, 4, true, false],
    [20, 4, true, false],
  ]);
  const withRate = [observed({ pid: 10, userMs: 20, sysMs: 4, cpuShared: true }), observed({ pid: 0 })];
  unshareBeforeUnseen(withRate, typed([0, 1]));
  assert.deepEqual(cpu(withRate.slice(0, 1)), [[20, 4, true, false]]);
});
