// A stage's observation from its records and the traces (src/timer/pipeline/observed.ts): which trace is
// the stage's, on made-up records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observedStages } from '../../src/timer/pipeline/observed.js';
import { newStage } from '../../src/timer/pipeline/stage-record.js';
import type { ProcessRecord } from '../../src/render/profile.js';
import { items, traced } from './fixtures.js';

/** A process of a stage's tree, seen running from `startMs`. */
const proc = (pid: number, parent: number, fields: Partial<ProcessRecord> = {}): ProcessRecord => ({
  pid,
  startTicks: pid,
  parent,
  startMs: 5,
  lastSeenMs: 50,
  goneMs: undefined,
  userMs: 0,
  sysMs: 0,
  childUserMs: 0,
  childSysMs: 0,
  exited: false,
  runMs: 0,
  delayMs: 0,
  lost: undefined,
  underLost: false,
  ...fields,
});

test('a traced process nobody of the pipeline reaps (tee >(mul)) gives its stage no trace; one it reaps does', () => {
  for (const underLost of [true, false]) {
    const stage = newStage(10, 10, 0);
    stage.tree.set(11, 11);
    stage.procs.set(11, proc(11, 10, { underLost }));
    const traces = new Map([[11, traced({ name: 'mul', items: items(6, 5) })]]);
    const [observed] = observedStages([stage], traces, 100, new Set());
    if (underLost) assert.equal(observed!.traced, undefined, 'a process of the stage, not its program');
    else assert.equal(observed!.traced?.name, 'mul');
    assert.deepEqual(observed!.tracedNames, underLost ? [] : ['mul']);
  }
});
