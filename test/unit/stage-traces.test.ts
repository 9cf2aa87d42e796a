// A stage's own trace read against its process's start (src/trace/read-stage-traces.ts), on made-up states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromItsStart } from '../../src/trace/read-stage-traces.js';
import { traced } from './fixtures.js';

test('fromItsStart: start-up runs from the fork, before the trace’s clock began; a trace that began first is kept', () => {
  const startUp = traced({
    states: [
      { state: 'start-up', startMs: 42, endMs: 60 },
      { state: 'working', startMs: 60, endMs: 90 },
    ],
  });
  assert.deepEqual(fromItsStart(startUp, 10).states, [
    { state: 'start-up', startMs: 10, endMs: 60 },
    { state: 'working', startMs: 60, endMs: 90 },
  ]);
  // a first state other than start-up: a start-up from the fork to it
  const waiting = traced({ states: [{ state: 'waiting for input', startMs: 30, endMs: 90 }] });
  assert.deepEqual(fromItsStart(waiting, 10).states, [
    { state: 'start-up', startMs: 10, endMs: 30 },
    { state: 'waiting for input', startMs: 30, endMs: 90 },
  ]);
  // the process's start known to a tick, after the trace's first mark: the trace as it is
  assert.deepEqual(fromItsStart(startUp, 45), startUp);
  assert.deepEqual(fromItsStart(startUp, 42), startUp);
  assert.deepEqual(fromItsStart(traced({ states: [] }), 10).states, []);
});
