// timer --pipeline's prediction in process (src/timer/pipeline/predict.ts): the flow shop worked by
// hand (each item's start and end written out in the comments), and predict()'s composition of it
// with the bound the cores set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doubledCommand, makespan, predict, whatIf } from '../../src/timer/pipeline/predict.js';
import { advise, changedPipeline } from '../../src/timer/pipeline/suggest.js';
import { verificationLine } from '../../src/timer/pipeline/verify.js';
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
    command: 'mul --workers 6 -r 2',
    servers: 6,
    option: 'workers',
  });
  assert.deepEqual(doubledCommand('sleep-task --concurrency 4', true, 'sleep-task'), {
    command: 'sleep-task --concurrency 8',
    servers: 8,
    option: 'concurrency',
  });
  assert.deepEqual(doubledCommand('sleep-task --for 1s', false, 'sleep-task'), {
    command: 'sleep-task --for 1s --workers 2',
    servers: 2,
    option: 'workers',
  });
  assert.deepEqual(doubledCommand('add', true, 'add'), { command: 'add --workers 2', servers: 2, option: 'workers' });
  assert.equal(
    doubledCommand('sleep-task --for 1s', true, 'sleep-task').command,
    'sleep-task --for 1s --concurrency 2',
  );
  // the option for what it was doing, whichever was typed: spinning with --concurrency, waiting with --workers
  assert.equal(
    doubledCommand('sleep-task --for 1s --concurrency 2 --mode spin', false, 'sleep-task').command,
    'sleep-task --for 1s --concurrency 2 --mode spin --workers 2',
  );
  assert.equal(
    doubledCommand('sleep-task --for 1s --workers 2', true, 'sleep-task').command,
    'sleep-task --for 1s --workers 2 --concurrency 2',
  );
  // a prefix of the option, written in full; a longer option that begins like it is another one
  assert.deepEqual(doubledCommand('mul --work 3 -r 2', false, 'mul'), {
    command: 'mul --workers 6 -r 2',
    servers: 6,
    option: 'workers',
  });
  assert.deepEqual(doubledCommand('sleep-task --conc=2', true, 'sleep-task'), {
    command: 'sleep-task --concurrency 4',
    servers: 4,
    option: 'concurrency',
  });
  assert.equal(doubledCommand('mul --workersx 3', false, 'mul').command, 'mul --workersx 3 --workers 2');
  // a sleep-task blocking its thread: threads, not lines in flight, however long it waits
  assert.deepEqual(doubledCommand('sleep-task --for 1s --mode block', true, 'sleep-task'), {
    command: 'sleep-task --for 1s --mode block --workers 2',
    servers: 2,
    option: 'workers',
  });
  assert.equal(
    doubledCommand('sleep-task --mode=block --concurrency 2', true, 'sleep-task').command,
    'sleep-task --mode=block --concurrency 2 --workers 2',
  );
  // given twice, the last takes effect: that one doubled
  assert.deepEqual(doubledCommand('sleep-task --concurrency 2 --concurrency 1 --for 80ms', true, 'sleep-task'), {
    command: 'sleep-task --concurrency 2 --concurrency 2 --for 80ms',
    servers: 2,
    option: 'concurrency',
  });
  // after `--` the words are operands (files): the option goes before it, and one there is a file's name
  assert.equal(
    doubledCommand('sleep-task --for 80ms -- in12', true, 'sleep-task').command,
    'sleep-task --for 80ms --concurrency 2 -- in12',
  );
  assert.deepEqual(doubledCommand('mul --workers 2 -- --workers 5', false, 'mul'), {
    command: 'mul --workers 4 -- --workers 5',
    servers: 4,
    option: 'workers',
  });
  assert.equal(doubledCommand('mul --', false, 'mul').command, 'mul --workers 2 --');
});

test('predict: a stage that is no pipestage stage works twice as fast; the cores bound it', () => {
  const target = profiled('gzip', { working: 600 });
  const other = profiled('cat', { working: 200, 'other wait': 300 });
  // flow: 1000 - 600 / 2 = 700 (the others busy at most 500); cores: 800 / 2 = 400
  assert.deepEqual(predict([other, target], target, 1000, 800, 2), {
    wallMs: 700,
    change: 'gzip',
    kind: 'what-if',
    coresFull: false,
    coresBound: false,
  });
  // the busiest other stage bounds it: 800
  const busy = profiled('cat', { working: 800 });
  assert.equal(predict([busy, target], target, 1000, 800, 2).wallMs, 800);
  // cores: 1900 / 2 = 950 ≥ 0.9 × 1000 (full) and above the flow's 700
  assert.deepEqual(predict([target], target, 1000, 1900, 2), {
    wallMs: 950,
    change: 'gzip',
    kind: 'what-if',
    coresFull: true,
    coresBound: true,
  });
  assert.equal(predict([target], target, 1000, 1800, 2).coresFull, true); // 900: full
  assert.equal(predict([target], target, 1000, 1798, 2).coresFull, false); // 899 < 900
  // the flow and the cores equal: not bound by the cores
  assert.deepEqual(predict([target], target, 1000, 1400, 2), {
    wallMs: 700,
    change: 'gzip',
    kind: 'what-if',
    coresFull: false,
    coresBound: false,
  });
  // the target's own busy time is not another stage's: 1000 - 900 / 2 = 550
  const busiest = profiled('gzip', { working: 900 });
  assert.equal(predict([busiest, other], busiest, 1000, 0, 2).wallMs, 550);
  const traceless = profiled('mul', { working: 600 }, true, { traced: traced({ items: [] }) });
  assert.equal(predict([traceless], traceless, 1000, 0, 2).change, 'mul');
  // the cores bound it after the change: gzip's CPU of 1200 at half, (1900 - 600) / 2 = 650
  const heavy = profiled('gzip', { working: 600 }, true, { userMs: 1000, sysMs: 200 });
  assert.deepEqual(predict([heavy], heavy, 1000, 1900, 2), {
    wallMs: 700,
    change: 'gzip',
    kind: 'what-if',
    coresFull: true,
    coresBound: false,
  });
  // what-ifs at other shares of its CPU: busy 600 → 1000 - 600 × 0.75 = 550, CPU (1900 - 900) / 2 = 500;
  // at 0.75, 1000 - 150 = 850, CPU (1900 - 300) / 2 = 800
  assert.equal(whatIf([heavy], heavy, 1000, 1900, 2, 0.25).wallMs, 550);
  assert.deepEqual(whatIf([heavy], heavy, 1000, 1900, 2, 0.75), { wallMs: 850, coresFull: true, coresBound: false });
  // a stage busy sleeping (other waits 900 of its 1000, working 20, waiting for a CPU 30): at half its CPU,
  // 1000 - (20 + 30) / 2 = 975; its sleep is not CPU
  const sleeper = profiled('sleep', { working: 20, 'waiting for a CPU': 30, 'other wait': 900 }, true, { userMs: 20 });
  assert.equal(whatIf([sleeper], sleeper, 1000, 40, 2, 0.5).wallMs, 975);
});

test('predict: a traced CPU stage gets twice the threads, started together a start-up late, costing CPU', () => {
  // 10 items of 10 ms after a start-up of 20 ms: now 20 + 100 = 120 ms
  const startup = [{ state: 'start-up' as const, startMs: 0, endMs: 20 }];
  const stage = (command: string, lanes = 1) =>
    profiled('mul', { working: 100, 'start-up': 20 }, false, {
      command,
      traced: traced({ states: startup, items: items(10, 10, 20), lanes }),
    });
  // --workers 2 added: both threads ready at 40 → two items at a time, 40-50, …, 80-90 → 90
  const mul = stage('mul -r 5');
  const untraced = profiled('cat', { working: 10 });
  assert.deepEqual(predict([untraced, mul], mul, 1000, 100, 2), {
    wallMs: 1000 - 120 + 90,
    change: 'mul -r 5 --workers 2',
    changedFrom: 'mul -r 5',
    kind: 'option',
    coresFull: false,
    coresBound: false,
    perLine: { itemMs: 10, workerMs: undefined },
  });
  // what a worker costs per line, 4 ms on the main thread (serial) and 3 ms of CPU: the lines pass at
  // 4, 8, ... 40 after the start-up of 20; both threads ready at 40, each line passed by then: two at
  // a time, 40-50, …, 80-90 → 90: wall as before, and the CPU of 10 lines × 3 ms more:
  // (1920 + 28 + 30) / 2 = 989, above the flow's 970 (974 without: (1920 + 28) / 2)
  const cost = { wallMsPerLine: 4, cpuMsPerLine: 3 };
  assert.equal(predict([untraced, mul], mul, 1000, 100, 2, cost).wallMs, 1000 - 120 + 90);
  assert.equal(predict([mul], mul, 1000, 1920, 2, cost).wallMs, 989);
  assert.equal(predict([mul], mul, 1000, 1920, 2).wallMs, 974);
  // at 12 ms a line the passing (after the start-up) is the flow's limit: 20 + 10 × 12 = 140, then the
  // last line's 10 → 150
  const dear = predict([mul], mul, 1000, 100, 2, { wallMsPerLine: 12, cpuMsPerLine: 0 });
  // a thread's start as measured once per machine, 5 ms and 2 ms of CPU, in place of the process's: the
  // lines passed at 24, 28, … 60, the threads ready at 25: 25-35, 28-38, 35-45, … 65-75, 68-78 → 78;
  // the cores: (1920 + 2 × 2 + 10 × 3) / 2 = 977
  const measured = { ...cost, threadStartMs: 5, threadCpuMs: 2 };
  assert.equal(predict([untraced, mul], mul, 1000, 100, 2, measured).wallMs, 1000 - 120 + 78);
  assert.equal(predict([mul], mul, 1000, 1920, 2, measured).wallMs, 977);
  // a figure larger than the process's start-up in this run (cached on a loaded machine) is bounded by it
  const loaded = { ...cost, threadStartMs: 500, threadCpuMs: 300 };
  assert.equal(predict([untraced, mul], mul, 1000, 100, 2, loaded).wallMs, 1000 - 120 + 90);
  assert.equal(predict([mul], mul, 1000, 1920, 2, loaded).wallMs, 989);
  assert.deepEqual([dear.wallMs, dear.perLine], [1000 - 120 + 150, { itemMs: 10, workerMs: 12 }]);
  // --workers 1 computes its lines itself (no thread): doubled, both threads are new, as with none
  const one = stage('mul --workers 1');
  assert.deepEqual(predict([one], one, 1000, 100, 2), {
    ...predict([mul], mul, 1000, 100, 2),
    change: 'mul --workers 2',
    changedFrom: 'mul --workers 1',
  });
  // the cores: (CPU + each new thread's 0.7 × start-up) / cores = (1880 + 2 × 14) / 2 = 954 > 970? no: flow wins
  assert.equal(predict([mul], mul, 1000, 1880, 2).wallMs, 970);
  const full = predict([mul], mul, 1000, 1960, 2); // (1960 + 28) / 2 = 994; the cores full: 980 ≥ 900
  assert.deepEqual([full.wallMs, full.coresFull, full.coresBound], [994, true, true]);
  // full is what the run used, not what the change would cost: 1790 / 2 = 895 < 900 (with the new
  // threads' start-up, (1790 + 28) / 2 = 909)
  assert.equal(predict([mul], mul, 1000, 1790, 2).coresFull, false);
  const edge = predict([one], one, 1000, 1886, 2); // (1886 + 28) / 2 = 957: 943 ≥ 900 full, not above the flow of 970
  assert.deepEqual([edge.wallMs, edge.coresFull, edge.coresBound], [970, true, false]);
  const equal = predict([one], one, 1000, 1912, 2); // (1912 + 28) / 2 = 970: the flow's, not above it
  assert.deepEqual([equal.wallMs, equal.coresBound], [970, false]);
  // --workers 2 running on 2 lanes now: 20 + 10 × 10 / 2 = 70; doubled to 4, the 2 new threads ready
  // together at 40: items at 20-30 ×2, 30-40 ×2, 40-50 ×4, 50-60 ×2 → 60
  // mul inside a subshell: no option can be added to the subshell's text; unless a process of it was seen
  // running mul (its argv: node running bin/mul), it would work twice as fast
  const inside = stage('(sleep 1; mul -r 5)');
  assert.equal(predict([inside], inside, 1000, 100, 2).kind, 'what-if');
  const process = (argv: string[]) => ({ ...inside, processes: [{ argv } as (typeof inside.processes)[number]] });
  const ran = process(['node', '/usr/lib/node_modules/pipestage/bin/mul', '-r', '5', '--workers', '2']);
  assert.deepEqual(
    [predict([ran], ran, 1000, 100, 2).change, predict([ran], ran, 1000, 100, 2).changedFrom],
    ['mul -r 5 --workers 4', 'mul -r 5 --workers 2'],
  );
  const other = process(['sleep', '1']);
  assert.equal(predict([other], other, 1000, 100, 2).kind, 'what-if');
  const two = stage('mul --workers 2', 2);
  // (threads there already: what passing lines costs is in what was measured)
  assert.deepEqual(predict([two], two, 1000, 0, 2, cost), {
    wallMs: 1000 - 70 + 60,
    change: 'mul --workers 4',
    changedFrom: 'mul --workers 2',
    kind: 'option',
    coresFull: false,
    coresBound: false,
  });
});

test('predict: a stage’s start-up delays its first item; items arrive as the stage before passes them on', () => {
  // add passes items on at 10, 20, ... 100; mul is ready at 50 and takes 5 ms an item: 50-55, 55-60, ...
  // 85-90, then as they arrive: 90-95, 100-105. Doubled, its two threads are ready together at 100: two
  // at a time from 100, 5 ms each, to 125
  const add = profiled('add', { working: 100 }, true, { traced: traced({ name: 'add', items: items(10, 10) }) });
  const mul = profiled('mul', { working: 50, 'start-up': 50 }, false, {
    command: 'mul',
    traced: traced({ states: [{ state: 'start-up', startMs: 0, endMs: 50 }], items: items(10, 5, 50) }),
  });
  assert.equal(predict([add, mul], mul, 1000, 0, 2).wallMs, 1000 - 105 + 125);
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
    changedFrom: 'sleep-task --concurrency 1',
    kind: 'option',
    coresFull: false,
    coresBound: false,
  });
});

test('predict: pipelines one after another, each its own flow: the target’s saving shortens the whole', () => {
  // `a | s1; b | s2`: two sleep-tasks of 10 items of 10 ms, the second starting when the first ended (120)
  const sleeper = (pipeline: number, startMs: number) =>
    profiled('sleep-task', { working: 10, 'other wait': 90, 'start-up': 20 }, false, {
      command: 'sleep-task',
      pipeline,
      traced: traced({
        name: 'sleep-task',
        states: [{ state: 'start-up', startMs, endMs: startMs + 20 }],
        items: items(10, 10, startMs + 20),
      }),
    });
  const [first, second] = [sleeper(0, 0), sleeper(1, 120)];
  // the first with two slots: 20 + 50 = 70 against 120; the second then starts 50 sooner: 240 - 50
  assert.equal(predict([first, second], first, 240, 0, 2).wallMs, 190);
  // as one flow (no pipelines known), the second, ready at 140 as measured, bounds it: no gain
  const [one, two] = [
    { ...first, pipeline: undefined },
    { ...second, pipeline: undefined },
  ];
  assert.equal(predict([one, two], one, 240, 0, 2).wallMs, 240);
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

test('advise: the whole pipeline changed where the model, with the change’s own cost, gives 10% less; else none, and why', () => {
  const format = (ms: number): string => `${ms}ms`;
  const option = {
    wallMs: 300,
    change: 'mul --workers 2',
    kind: 'option' as const,
    coresFull: false,
    coresBound: false,
  };
  const now = { wallMs: 500, pipeline: 'seq 8 | mul | add', command: 'mul', program: 'mul', balanced: false };
  const advice = (prediction: Parameters<typeof advise>[0], over: Partial<Parameters<typeof advise>[1]> = {}) =>
    advise(prediction, { ...now, ...over }, format, 'CPU 900ms on 2 cores');
  assert.deepEqual(advice(option), {
    suggestion: 'seq 8 | mul --workers 2 | add',
    runnable: true,
    reason: null,
    lines: ['suggested: seq 8 | mul --workers 2 | add', 'predicted: 300ms (now 500ms)'],
  });
  assert.deepEqual(advice({ ...option, wallMs: 450, coresBound: true }).lines, [
    'suggested: seq 8 | mul --workers 2 | add',
    'predicted: 450ms (now 500ms; bounded by the cores: CPU 900ms on 2 cores)',
  ]);
  // not 10% under now: 451 of 500 (450 is)
  assert.deepEqual(advice({ ...option, wallMs: 451 }), {
    suggestion: null,
    runnable: false,
    reason: 'the model gives mul --workers 2 451ms, not 10% under now 500ms',
    lines: ['suggested: none — the model gives mul --workers 2 451ms, not 10% under now 500ms'],
  });
  // a program inside a function: its command as it ran changed where it stands in the body; the option
  // it sets said in words where that is not in the text
  const inside = { ...option, change: 'mul --workers 4', changedFrom: 'mul --workers 2' };
  const body = { pipeline: 'g() { mul --workers 2; }; seq 8 | g', command: 'g' };
  assert.equal(advice(inside, body).suggestion, 'g() { mul --workers 4; }; seq 8 | g');
  const given = { pipeline: 'g() { mul "$@"; }; seq 8 | g --workers 2', command: 'g --workers 2' };
  assert.equal(advice(inside, given).suggestion, 'run mul with --workers 4 (in g --workers 2)');
  assert.equal(
    advice({ ...inside, wallMs: 451 }, given).reason,
    'the model gives mul with --workers 4 (in g --workers 2) 451ms, not 10% under now 500ms',
  );
  // in words where the stage's words are not in the text once: not a pipeline to run
  for (const pipeline of ['seq 8 | mul | mul', 'f() { mul; }; seq 8 | f']) {
    const words = advice(option, { pipeline, command: pipeline.includes('f()') ? 'f' : 'mul' });
    assert.deepEqual([words.runnable, words.lines[0]!.startsWith('suggested: seq')], [false, false], words.suggestion!);
  }
  assert.equal(advice({ ...option, coresFull: true }).reason, 'the cores are already full (CPU 900ms on 2 cores)');
  assert.equal(advice(option, { balanced: true }).reason, 'no single stage holds the others back (balanced)');
  // a worker's cost per line against the line's own
  const cheap = { ...option, perLine: { itemMs: 0.5, workerMs: 0.5 } };
  assert.equal(advice(cheap).reason, "mul's lines take 0.5ms each; a worker thread costs 0.5ms per line");
  assert.equal(
    advice({ ...option, perLine: { itemMs: 0.6, workerMs: 0.5 } }).suggestion,
    'seq 8 | mul --workers 2 | add',
  );
  assert.match(advice({ ...option, perLine: { itemMs: 1, workerMs: undefined } }).reason!, /could not be measured/);
  // a stage with no option to change: a what-if, worded as one, and none suggested
  const gzip = { wallMs: 400, change: 'gzip -9', kind: 'what-if' as const, coresFull: false, coresBound: true };
  // a pipestage stage inside a subshell or a function: not changed from here
  assert.equal(
    advice({ ...gzip, change: '(sleep 1; mul)' }, { command: '(sleep 1; mul)' }).reason,
    'mul runs inside (sleep 1; mul), where timer changes no option of it',
  );
  // several pipestage runs in the stage (xargs -n 2 sh -c 'mul', a subshell's mul | add): none modelled
  const xargs = "xargs -n 2 sh -c 'mul'";
  const several = (tracedNames: string[]) =>
    advice({ ...gzip, change: xargs }, { command: xargs, program: undefined, tracedNames }).reason;
  const once = 'timer models a change only where a stage ran one pipestage program once';
  assert.equal(several(['mul', 'mul', 'mul']), `mul ran 3 times in ${xargs}: ${once}`);
  assert.equal(several(['mul', 'add', 'mul']), `add and mul ran in ${xargs}: ${once}`);
  assert.equal(several(['add', 'mul']), `add and mul ran in ${xargs}: ${once}`);
  // a stage that failed (a usage error): no what-if, no change; grep's 1 and a SIGPIPE's 141 are no failure
  assert.deepEqual(advice(option, { status: 2 }).lines, [
    'suggested: none — mul exited with status 2: a failed run is no measure of a change',
  ]);
  assert.deepEqual(advice(gzip, { status: 2 }).lines, advice(option, { status: 2 }).lines);
  for (const status of [0, 1, 141, null]) assert.equal(advice(option, { status }).runnable, true, `${status}`);
  assert.match(
    advice({ ...option, wallMs: 520 }).reason!,
    /^the model gives mul --workers 2 520ms, no less than now 500ms$/,
  );
  assert.deepEqual(advice(gzip, { command: 'gzip -9', program: undefined }).lines, [
    'if gzip -9 used half its CPU: about 400ms (now 500ms; the cores bound it: CPU 900ms on 2 cores)',
    'suggested: none — gzip -9 has no option known to make it faster',
  ]);
});

test('changedPipeline: the stage changed where its words stand, once; else in words, what and where', () => {
  assert.equal(changedPipeline('seq 8 | mul | add', 'mul', 'mul --workers 2', 'mul'), 'seq 8 | mul --workers 2 | add');
  // (a replacement's $ is no pattern)
  assert.equal(
    changedPipeline("mul -r 2 | awk '{print $1}'", 'mul -r 2', 'mul -r 2 --workers 2', 'mul'),
    "mul -r 2 --workers 2 | awk '{print $1}'",
  );
  // typed twice: which one is not known from the text; a word that only contains it is not it
  assert.equal(
    changedPipeline('seq 8 | mul | mul', 'mul', 'mul --workers 2', 'mul'),
    'add --workers 2 to mul (typed 2 times: which one is not known)',
  );
  assert.equal(
    changedPipeline('seq 8 | mul | add --formula | tee mul.out', 'mul', 'mul --workers 2', 'mul'),
    'seq 8 | mul --workers 2 | add --formula | tee mul.out',
  );
  // after a wrapper that runs it
  assert.equal(
    changedPipeline('seq 8 | nice mul | cat', 'nice mul', 'nice mul --workers 2', 'mul'),
    'seq 8 | nice mul --workers 2 | cat',
  );
  // a function or a script running it
  assert.equal(
    changedPipeline('f() { mul; }; seq 8 | f', 'f', 'f --workers 2', 'mul'),
    'run mul with --workers 2 (in f)',
  );
  assert.equal(
    changedPipeline('seq 8 | ./bin/mul', './bin/mul', './bin/mul --workers 2', 'mul'),
    'seq 8 | ./bin/mul --workers 2',
  );
});

test('verificationLine: verified where faster and within 20% of the predicted wall; else which failed', () => {
  assert.equal(verificationLine(1.5, null, 1.6, 600, 560), 'verified: 1.50 times faster (predicted 1.60)');
  // 20% of 500 is 100: 600 is within, 601 is not
  assert.match(verificationLine(1.3, null, 1.6, 600, 500), /^verified: /);
  assert.equal(
    verificationLine(1.3, null, 1.6, 601, 500),
    'not confirmed: 1.30 times as fast as now (predicted 1.60): its wall more than 20% off the predicted one',
  );
  assert.equal(
    verificationLine(0.98, null, 1.34, 1020, 746),
    'not confirmed: 0.98 times as fast as now (predicted 1.34): not faster',
  );
  assert.match(verificationLine(1, null, 1.2, 1000, 1000), /: not faster$/);
});

test('verificationLine over several runs: the ratios’ range, faster in every run, the median wall within 20%', () => {
  assert.equal(
    verificationLine(1.31, [1.27, 1.35], 1.34, 600, 590),
    'verified: 1.31 (1.27–1.35) times faster (predicted 1.34)',
  );
  // one run of them not faster: the median alone does not confirm it
  assert.equal(
    verificationLine(1.2, [0.99, 1.4], 1.2, 600, 600),
    'not confirmed: 1.20 (0.99–1.40) times as fast as now (predicted 1.20): not faster in every run',
  );
  assert.match(verificationLine(1.2, [1, 1.4], 1.2, 600, 600), /: not faster in every run$/);
  assert.equal(
    verificationLine(1.5, [1.4, 1.6], 2, 800, 600),
    'not confirmed: 1.50 (1.40–1.60) times as fast as now (predicted 2.00): its median wall more than 20% off the predicted one',
  );
  // runs that agree to the hundredth: no range shown
  assert.equal(verificationLine(1.5, [1.5, 1.5], 1.5, 600, 600), 'verified: 1.50 times faster (predicted 1.50)');
});
