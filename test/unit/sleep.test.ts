// sleep-task's kernel (src/kernels/sleep.ts) in process, run once per mutant by `npm run mutate`: the
// task grammar with its exact messages, and the steps observed through their effects (time passed,
// CPU spent, the order lines finish in under the GIL), never through figures the kernel computes.
// Time is only ever a lower bound here (a step lasts at least its duration), never an upper one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gil, parseDuration, parseTask, spendTask, spendTaskPreempted, Waits } from '../../src/kernels/sleep.js';

test('parseDuration: units through ms, up to one day; the reason for each refusal', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('0s'), 0);
  assert.equal(parseDuration('5 s'), 5000);
  assert.throws(() => parseDuration('25h'), { message: "invalid duration '25h' (more than 1 day)" });
  assert.throws(() => parseDuration('-1s'), { message: "invalid duration '-1s' (negative)" });
  assert.throws(() => parseDuration('5'), { message: "invalid duration '5' (a unit is required: 250ms, 2s, 1.5m)" });
  assert.throws(() => parseDuration(' -2.5 '), { message: /^invalid duration ' -2.5 ' \(a unit is required/ });
  assert.throws(() => parseDuration('x5'), { message: "invalid duration 'x5'" });
  assert.throws(() => parseDuration('5s!'), { message: "invalid duration '5s!'" });
  assert.throws(() => parseDuration('5q'), { message: "invalid duration '5q'" });
});

test('parseTask: a label exactly when the first token is no step; modes by prefix, else the default', () => {
  assert.deepEqual(parseTask('10ms', 'wait'), { label: undefined, steps: [{ mode: 'wait', ms: 10 }] });
  assert.deepEqual(parseTask('\tsoup  block:1s\tspin:2ms 3ms\r', 'wait'), {
    label: 'soup',
    steps: [
      { mode: 'block', ms: 1000 },
      { mode: 'spin', ms: 2 },
      { mode: 'wait', ms: 3 },
    ],
  });
  assert.deepEqual(parseTask('wait:1s', 'spin'), { label: undefined, steps: [{ mode: 'wait', ms: 1000 }] });
  assert.throws(() => parseTask(' \t ', 'wait'), {
    message: 'no step (expected: [label] [wait:|block:|spin:]DURATION...)',
  });
  assert.throws(() => parseTask('soup', 'wait'), { message: "invalid duration 'soup'" });
  assert.throws(() => parseTask('nap:1s', 'wait'), { message: "invalid step 'nap:1s'" });
  assert.throws(() => parseTask('soup nap:1s', 'wait'), { message: "invalid step 'nap:1s'" });
  assert.throws(() => parseTask('soup 5', 'wait'), { message: /^invalid duration '5' \(a unit/ });
});

test('spendTask: block and spin steps run before it returns; a wait step returns a promise that waits', async () => {
  const waits = new Waits();
  assert.equal(spendTask([], waits), undefined);
  assert.equal(spendTask([{ mode: 'wait', ms: 0 }], waits), undefined); // nothing to spend
  const wall = performance.now();
  const before = process.cpuUsage();
  assert.equal(spendTask([{ mode: 'block', ms: 30 }], waits), undefined);
  assert.ok(performance.now() - wall >= 29.5, 'block: the thread was held 30 ms');
  const blocked = process.cpuUsage(before);
  assert.ok((blocked.user + blocked.system) / 1000 < 20, 'block: held without spending CPU');
  const cpu = process.cpuUsage();
  const spinStart = performance.now();
  assert.equal(spendTask([{ mode: 'spin', ms: 15 }], waits), undefined);
  const spent = process.cpuUsage(cpu);
  // (its thread's own run time, which the kernel brings up to date at its ticks, 4 ms here: the value
  // first read up to a tick old; the process's CPU counts other threads too)
  assert.ok(performance.now() - spinStart >= 15, 'spin: 15 ms of wall at least');
  const cpuMs = (spent.user + spent.system) / 1000;
  assert.ok(cpuMs >= 15 - 4, `spin: ${cpuMs} ms of CPU spent`);
  // The wait steps are seen through a Waits that notes when each is asked for and when it settles (a
  // timer may fire early by the event loop's stale clock, so a wait's own length is not asserted).
  const seen: string[] = [];
  const marks: number[] = [];
  class NotedWaits extends Waits {
    override wait(ms: number): Promise<void> {
      seen.push(`wait ${ms}`);
      marks.push(performance.now());
      return super.wait(ms).then(() => {
        marks.push(performance.now());
      });
    }
  }
  const steps = [
    { mode: 'wait', ms: 10 },
    { mode: 'block', ms: 10 },
    { mode: 'wait', ms: 20 },
  ] as const;
  const waiting = spendTask(steps, new NotedWaits());
  assert.ok(waiting instanceof Promise);
  assert.deepEqual(seen, ['wait 10'], 'it returned at the first wait');
  const early = await Promise.race([
    waiting.then(() => 'settled'),
    new Promise((r) => setImmediate(() => r('pending'))),
  ]);
  assert.equal(early, 'pending', 'the first wait returned before its time');
  await waiting;
  assert.deepEqual(seen, ['wait 10', 'wait 20'], 'every step was spent, in turn');
  assert.equal(marks.length, 4, 'both waits settled before the task did');
  assert.ok(marks[2]! - marks[1]! >= 9.5, 'the block ran between the two waits');
});

test('Waits: a wait settles after its time; cancel (or the abort signal) leaves the pending ones unsettled', async () => {
  const settled = async (promise: Promise<void>, withinMs: number): Promise<boolean> =>
    Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), withinMs))]);
  const waits = new Waits();
  const first = waits.wait(10);
  assert.equal(await settled(first, 0), false, 'not settled at once');
  assert.equal(await settled(first, 500), true);
  const pending = waits.wait(10);
  waits.cancel();
  assert.equal(await settled(pending, 60), false);
  assert.equal(await settled(waits.wait(5), 200), true, 'a new wait after a cancel runs');
  const controller = new AbortController();
  const aborted = new Waits(controller.signal);
  const cut = aborted.wait(10);
  controller.abort();
  assert.equal(await settled(cut, 60), false);
  assert.equal(await settled(new Waits(undefined).wait(1), 200), true);
});

test('Gil: held by one line at a time, granted in the order asked, never in the same turn', async () => {
  const gil = new Gil(5);
  assert.equal(gil.intervalMs, 5);
  const order: string[] = [];
  const a = gil.acquire().then(() => order.push('a'));
  const b = gil.acquire().then(() => order.push('b'));
  await Promise.resolve();
  assert.deepEqual(order, [], 'granted through a turn of the event loop');
  await a;
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['a'], 'b waits while a holds it');
  gil.release();
  await b;
  assert.deepEqual(order, ['a', 'b']);
  gil.release();
  gil.release(); // releasing a free GIL grants nothing and breaks nothing
  await gil.acquire();
});

test('spendTaskPreempted: spin runs in slices that let other lines in, block keeps the GIL, wait gives it up', async () => {
  const finish = async (tasks: [string, Parameters<typeof spendTaskPreempted>[0]][]): Promise<string[]> => {
    const gil = new Gil(2);
    const waits = new Waits();
    const order: string[] = [];
    await Promise.all(tasks.map(([name, steps]) => spendTaskPreempted(steps, waits, gil).then(() => order.push(name))));
    return order;
  };
  // a spins 8 ms in slices of 2: b (2 ms) finishes between two of them
  assert.deepEqual(
    await finish([
      ['a', [{ mode: 'spin', ms: 8 }]],
      ['b', [{ mode: 'spin', ms: 2 }]],
    ]),
    ['b', 'a'],
  );
  // a blocks 8 ms holding the GIL: b cannot run before a is done
  assert.deepEqual(
    await finish([
      ['a', [{ mode: 'block', ms: 8 }]],
      ['b', [{ mode: 'spin', ms: 1 }]],
    ]),
    ['a', 'b'],
  );
  // between two steps the other ready lines get their turn
  assert.deepEqual(
    await finish([
      [
        'a',
        [
          { mode: 'block', ms: 2 },
          { mode: 'block', ms: 2 },
        ],
      ],
      ['b', [{ mode: 'block', ms: 1 }]],
    ]),
    ['b', 'a'],
  );
  // a wait gives the GIL up (and spends no CPU): b runs while a waits; zero steps cost no turn
  const cpu = process.cpuUsage();
  await finish([['a', [{ mode: 'wait', ms: 40 }]]]);
  const waited = process.cpuUsage(cpu);
  assert.ok((waited.user + waited.system) / 1000 < 25, 'a wait is no spin');
  assert.deepEqual(
    await finish([
      [
        'a',
        [
          { mode: 'wait', ms: 50 },
          { mode: 'spin', ms: 0 },
        ],
      ],
      ['b', [{ mode: 'block', ms: 2 }]],
    ]),
    ['b', 'a'],
  );
});
