// timer --pipeline's prediction in process (src/timer/pipeline/predict.ts): the flow shop worked by
// hand (each item's start and end written out in the comments), and predict()'s composition of it
// with the bound the cores set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doubledCommand, makespan, predict, predictionLine } from '../../src/timer/pipeline/predict.js';
import { items, profiled, traced } from './fixtures.js';

test('makespan: servers, a stage ready late, items passed on in order, stages without costs skipped', () => {
  const stage = (costs: number[], servers = 1, readyMs = 0) => ({ costs, groupSize: 1, servers, readyMs });
  assert.equal(makespan([]), 0);
  assert.equal(makespan([stage([])]), 0);
  assert.equal(makespan([stage([10, 10, 10], 0)]), 30); // no servers counts as one
  assert.equal(makespan([stage([10, 10, 10], 3, 5)]), 15);
  // 2 servers: items 30, 10, 10 — 0-30, 0-10, 10-20; they leave in order: 30, 30, 30
  // then a stage of 5 each: 30-35, 35-40, 40-45
  assert.equal(makespan([stage([30, 10, 10], 2), stage([], 1), stage([5, 5, 5])]), 45);
  // the second stage ready at 100: 100-105, 105-110
  assert.equal(makespan([stage([10, 10]), stage([5, 5], 1, 100)]), 110);
  // the later server is picked only when strictly sooner free: 3 servers, 4 items of 10 → 20
  assert.equal(makespan([stage([10, 10, 10, 10], 3)]), 20);
  // the last stage is not always the last to end: a stage before it may end later only if it has more items
  assert.equal(makespan([stage([50, 50]), stage([1])]), 100);
});

test('makespan: groups of items shared by the servers; added servers start late, one after the other', () => {
  // groups of 4 items, 2 servers share each group: 40 / 2 = 20 per group
  assert.equal(makespan([{ costs: [40, 40], groupSize: 4, servers: 2, readyMs: 0 }]), 40);
  // more servers than items in a group: a group is shared by as many servers as it has items
  assert.equal(makespan([{ costs: [40, 40], groupSize: 2, servers: 8, readyMs: 0 }]), 40);
  // shared groups with added servers: the stage starts halfway between ready (10) and the new servers (50)
  const added = { count: 1, readyMs: 50, everyMs: 10 };
  assert.equal(makespan([{ costs: [40], groupSize: 4, servers: 2, readyMs: 10, addedServers: added }]), 30 + 20);
  assert.equal(makespan([{ costs: [40], groupSize: 4, servers: 2, readyMs: 90, addedServers: added }]), 90 + 20);
  // one server per item: 3 servers, 2 added at 100 and 130: items of 100 → 0-100, 100-200, 100-200, 130-230
  const late = { count: 2, readyMs: 100, everyMs: 30 };
  const costs = [100, 100, 100, 100];
  assert.equal(makespan([{ costs, groupSize: 1, servers: 3, readyMs: 0, addedServers: late }]), 230);
});

test('doubledCommand: --workers or --concurrency doubled where given (= or space), else added', () => {
  assert.deepEqual(doubledCommand('mul --workers=3 -r 2', false, 'mul'), {
    command: 'mul --workers=6 -r 2',
    servers: 6,
  });
  assert.deepEqual(doubledCommand('sleep-task --concurrency 4', true, 'sleep-task'), {
    command: 'sleep-task --concurrency 8',
    servers: 8,
  });
  assert.deepEqual(doubledCommand('sleep-task --for 1s', false, 'sleep-task'), {
    command: 'sleep-task --for 1s --workers 2',
    servers: 2,
  });
  assert.deepEqual(doubledCommand('add', true, 'add'), { command: 'add --workers 2', servers: 2 });
});

test('predict: a stage that is no pipestage stage works twice as fast; the cores bound it', () => {
  const target = profiled('gzip', { working: 600 });
  const other = profiled('cat', { working: 200, 'other wait': 300 });
  // flow: 1000 - 600 / 2 = 700 (the others busy at most 500); cores: 800 / 2 = 400
  assert.deepEqual(predict([other, target], target, 1000, 800, 2), {
    wallMs: 700,
    change: 'gzip twice as fast',
    coresFull: false,
    coresBound: false,
  });
  // the busiest other stage bounds it: 800
  const busy = profiled('cat', { working: 800 });
  assert.equal(predict([busy, target], target, 1000, 800, 2).wallMs, 800);
  // cores: 1900 / 2 = 950 ≥ 0.9 × 1000 (full) and above the flow's 700
  assert.deepEqual(predict([target], target, 1000, 1900, 2), {
    wallMs: 950,
    change: 'gzip twice as fast',
    coresFull: true,
    coresBound: true,
  });
  assert.equal(predict([target], target, 1000, 1800, 2).coresFull, true); // 900: full
  assert.equal(predict([target], target, 1000, 1798, 2).coresFull, false); // 899 < 900
  // the flow and the cores equal: not bound by the cores
  assert.deepEqual(predict([target], target, 1000, 1400, 2), {
    wallMs: 700,
    change: 'gzip twice as fast',
    coresFull: false,
    coresBound: false,
  });
  // the target's own busy time is not another stage's: 1000 - 900 / 2 = 550
  const busiest = profiled('gzip', { working: 900 });
  assert.equal(predict([busiest, other], busiest, 1000, 0, 2).wallMs, 550);
  const traceless = profiled('mul', { working: 600 }, true, { traced: traced({ items: [] }) });
  assert.equal(predict([traceless], traceless, 1000, 0, 2).change, 'mul twice as fast');
});

test('predict: a traced CPU stage gets twice the threads, each new one as late as a start-up, costing CPU', () => {
  // 10 items of 10 ms after a start-up of 20 ms: now 20 + 100 = 120 ms
  const startup = [{ state: 'start-up' as const, startMs: 0, endMs: 20 }];
  const stage = (command: string, lanes = 1) =>
    profiled('mul', { working: 100, 'start-up': 20 }, false, {
      command,
      traced: traced({ states: startup, items: items(10, 10, 20), lanes }),
    });
  // --workers 2 added: threads ready at 40 and 60 → items 40-50, 50-60, then two at a time to 100
  const mul = stage('mul -r 5');
  const untraced = profiled('cat', { working: 10 });
  assert.deepEqual(predict([untraced, mul], mul, 1000, 100, 2), {
    wallMs: 1000 - 120 + 100,
    change: 'mul -r 5 --workers 2',
    coresFull: false,
    coresBound: false,
  });
  // --workers 1 doubled: the thread there is ready at 20, the new one at 40: 20-30, 30-40, then two at a time to 80
  const one = stage('mul --workers 1');
  assert.equal(predict([one], one, 1000, 100, 2).wallMs, 1000 - 120 + 80);
  // the cores: (CPU + each new thread's 0.7 × start-up) / cores = (1880 + 2 × 14) / 2 = 954 > 980? no: flow wins
  assert.equal(predict([mul], mul, 1000, 1880, 2).wallMs, 980);
  const full = predict([mul], mul, 1000, 1960, 2); // (1960 + 28) / 2 = 994; the cores full: 980 ≥ 900
  assert.deepEqual([full.wallMs, full.coresFull, full.coresBound], [994, true, true]);
  // full is what the run used, not what the change would cost: 1790 / 2 = 895 < 900 (with the new
  // threads' start-up, (1790 + 28) / 2 = 909)
  assert.equal(predict([mul], mul, 1000, 1790, 2).coresFull, false);
  const edge = predict([one], one, 1000, 1886, 2); // (1886 + 14) / 2 = 950: 943 ≥ 900 full, not above the flow of 960
  assert.deepEqual([edge.wallMs, edge.coresFull, edge.coresBound], [960, true, false]);
  const equal = predict([one], one, 1000, 1906, 2); // (1906 + 14) / 2 = 960: the flow's, not above it
  assert.deepEqual([equal.wallMs, equal.coresBound], [960, false]);
  // --workers 2 running on 2 lanes now: 20 + 10 × 10 / 2 = 70; doubled to 4, the 2 new threads ready at
  // 40 and 60: items at 20-30 ×2, 30-40 ×2, 40-50 ×3, 50-60 ×3 → 60
  // mul inside a subshell: no option can be added to the subshell's text; it would work twice as fast
  const inside = stage('(sleep 1; mul -r 5)');
  assert.equal(predict([inside], inside, 1000, 100, 2).change, 'mul twice as fast');
  const two = stage('mul --workers 2', 2);
  assert.deepEqual(predict([two], two, 1000, 0, 2), {
    wallMs: 1000 - 70 + 60,
    change: 'mul --workers 4',
    coresFull: false,
    coresBound: false,
  });
});

test('predict: a stage’s start-up delays its first item; items arrive as the stage before passes them on', () => {
  // add passes items on at 10, 20, ... 100; mul is ready at 50 and takes 5 ms an item: 50-55, 55-60, ...
  // 85-90, then as they arrive: 90-95, 100-105. Doubled, its threads are ready at 100 and 150: one thread
  // takes them all from 100, 5 ms each, to 150
  const add = profiled('add', { working: 100 }, true, { traced: traced({ name: 'add', items: items(10, 10) }) });
  const mul = profiled('mul', { working: 50, 'start-up': 50 }, false, {
    command: 'mul',
    traced: traced({ states: [{ state: 'start-up', startMs: 0, endMs: 50 }], items: items(10, 5, 50) }),
  });
  assert.equal(predict([add, mul], mul, 1000, 0, 2).wallMs, 1000 - 105 + 150);
});

test('predict: a traced waiting stage gets twice the slots at once, needing no core', () => {
  const sleeper = profiled('sleep-task', { working: 10, 'other wait': 90, 'start-up': 20 }, false, {
    command: 'sleep-task --concurrency 1',
    traced: traced({
      name: 'sleep-task',
      states: [{ state: 'start-up', startMs: 0, endMs: 20 }],
      items: items(10, 10, 20),
    }),
  });
  // two slots from 20: 20 + 50 = 70 against 120 now
  assert.deepEqual(predict([sleeper], sleeper, 1000, 5000, 1), {
    wallMs: 950,
    change: 'sleep-task --concurrency 2',
    coresFull: false,
    coresBound: false,
  });
});

test('predict: over 2048 items the flow shop works on equal groups, each item its share of a merged span', () => {
  // 4096 items of 1 ms in one span: groups of 2, 2048 groups of 2 ms; doubled, each group takes 1 ms
  const many = profiled('add', { working: 4096 }, false, {
    command: 'add',
    traced: traced({ name: 'add', items: [{ lane: '1', line: 1, items: 4096, startMs: 0, endMs: 4096 }] }),
  });
  assert.equal(predict([many], many, 5000, 0, 4).wallMs, 5000 - 4096 + 2048);
  // 2050 items in two spans out of line order: groups of 2 (the first of one item of each span)
  const odd = profiled('add', { working: 2050 }, false, {
    command: 'add',
    traced: traced({
      name: 'add',
      items: [
        { lane: '1', line: 2, items: 2049, startMs: 1, endMs: 2050 },
        { lane: '1', line: 1, items: 1, startMs: 0, endMs: 1 },
      ],
    }),
  });
  // 1025 groups of 2 ms; doubled, 1 ms each
  assert.equal(predict([odd], odd, 3000, 0, 4).wallMs, 3000 - 2050 + 1025);
});

test('the prediction line: a suggestion only where the model says the change helps', () => {
  const format = (ms: number): string => `${ms}ms`;
  const line = (wallMs: number, coresFull: boolean, coresBound: boolean, measuredMs: number): string =>
    predictionLine(
      { wallMs, change: 'mul --workers 2', coresFull, coresBound },
      measuredMs,
      format,
      'CPU 900ms on 2 cores',
    );
  assert.equal(line(300, false, false, 500), 'predicted: 300ms with mul --workers 2 (measured 500ms)');
  assert.equal(
    line(450, false, true, 500),
    'predicted: 450ms with mul --workers 2 (measured 500ms; bounded by the cores: CPU 900ms on 2 cores)',
  );
  // the cores full: no suggestion, whatever the wall
  assert.equal(
    line(480, true, true, 500),
    'no suggestion: the cores are already full (CPU 900ms on 2 cores): mul --workers 2 would not make it faster ' +
      '(predicted 480ms, measured 500ms)',
  );
  // a predicted wall no shorter than the measured one (362 against 266 ms, seen): no suggestion
  assert.equal(
    line(362, false, true, 266),
    'no suggestion: the model gives mul --workers 2 no shorter wall (predicted 362ms, measured 266ms)',
  );
  assert.match(line(500, false, false, 500), /^no suggestion: /);
  assert.match(line(499, false, false, 500), /^predicted: /);
});
