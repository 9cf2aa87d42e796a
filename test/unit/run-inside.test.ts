// The traces of pipestage processes no sample saw: one of a stage's runs inside it (a loop's mul), else
// a stage of its own (a short top-level stage).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unsampledRuns } from '../../src/timer/pipeline/run-inside.js';
import { observed, traced } from './fixtures.js';

const trace = (name: string, startMs: number, endMs: number) =>
  traced({ name, states: [{ state: 'working', startMs, endMs }] });

test('unsampledRuns: a run inside the one stage seen running that program under it; else a stage of its own', () => {
  const made: number[] = [];
  const unsampled = (pid: number) => {
    made.push(pid);
    return observed({ pid });
  };
  // seq 8 | while read n; do echo $n | mul; done | add — the loop (pid 11, a subshell) seen running mul
  // (pid 20), add (12) its own program; the mul of pid 30 ended between two samples
  const loop = () => observed({ pid: 11, startMs: 0, endMs: 900, tracedNames: ['mul'], traced: trace('mul', 5, 80) });
  const add = observed({ pid: 12, startMs: 0, endMs: 950, tracedNames: ['add'], traced: trace('add', 0, 950) });
  const traces = new Set([12, 20, 30]);
  const stages = [loop(), add];
  assert.deepEqual(
    unsampledRuns(stages, [[30, trace('mul', 100, 180)]], (pid) => traces.has(pid), unsampled),
    [],
  );
  assert.deepEqual([stages[0]!.tracedNames, stages[0]!.traced], [['mul', 'mul'], undefined]);
  // its own stage: a pid before the loop's (a top-level element, forked first), a life outside the
  // loop's, a program the loop was not seen running, or a stage running it as its own process (add)
  for (const [pid, name, startMs, endMs] of [
    [10, 'mul', 100, 180],
    [30, 'mul', 850, 990],
    [30, 'sleep-task', 100, 180],
    [30, 'add', 100, 180],
  ] as const) {
    made.length = 0;
    const again = [loop(), add];
    const own = unsampledRuns(again, [[pid, trace(name, startMs, endMs)]], (p) => traces.has(p), unsampled);
    assert.deepEqual([own.map((stage) => stage.pid), made, again[0]!.tracedNames], [[pid], [pid], ['mul']]);
  }
  // two stages that could hold it: neither told, a stage of its own
  const two = [loop(), { ...loop(), pid: 13 }];
  assert.equal(unsampledRuns(two, [[30, trace('mul', 100, 180)]], (p) => traces.has(p), unsampled).length, 1);
});
