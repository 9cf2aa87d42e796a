// timer --pipeline's model in process (src/timer/pipeline/model.ts, timeline.ts): data-flow order,
// unseen stages, profiles, the bottleneck line, PIPESTATUS, and a stage's time split into states.
// Every expected figure is worked by hand from the inputs; none is taken from the code under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyPipestatus,
  dataFlowOrder,
  findBottleneck,
  profileStages,
  withUnseenStages,
} from '../../src/timer/pipeline/model.js';
import { stateTotals, timeline } from '../../src/timer/pipeline/timeline.js';
import { observed, profiled, times, traced } from './fixtures.js';

const pids = (stages: { pid: number }[]): number[] => stages.map((stage) => stage.pid);

test('dataFlowOrder: chains by their head’s start; only pipes link; the first reader of a pipe; cycles last', () => {
  const a = observed({ pid: 1, startMs: 3, stdin: 'pipe:[1]', stdout: 'pipe:[2]' });
  const b = observed({ pid: 2, startMs: 2, stdin: 'pipe:[2]', stdout: 'pipe:[3]' });
  const late = observed({ pid: 3, startMs: 9, stdin: 'pipe:[2]', stdout: undefined });
  const file = observed({ pid: 4, startMs: 1, stdin: '/tmp/f', stdout: '/tmp/f' });
  const reader = observed({ pid: 5, startMs: 0, stdin: '/tmp/f', stdout: undefined });
  assert.deepEqual(pids(dataFlowOrder([late, b, file, reader, a])), [5, 4, 1, 2, 3]);
  // a stage reading its own output is no chain of two
  const self = observed({ pid: 6, startMs: 0, stdin: 'pipe:[7]', stdout: 'pipe:[7]' });
  const next = observed({ pid: 9, startMs: 1, stdin: '/dev/null', stdout: undefined });
  assert.deepEqual(pids(dataFlowOrder([next, self])), [6, 9]);
  // a cycle of pipes has no head: its stages follow, by start
  const x = observed({ pid: 7, startMs: 5, stdin: 'pipe:[8]', stdout: 'pipe:[9]' });
  const y = observed({ pid: 8, startMs: 4, stdin: 'pipe:[9]', stdout: 'pipe:[8]' });
  assert.deepEqual(pids(dataFlowOrder([x, y, reader])), [5, 8, 7]);
});

test('withUnseenStages: an unread pipe had a reader, an unwritten one a writer; timer’s own pipes had none', () => {
  const a = observed({ pid: 1, startMs: 0, endMs: 40, stdin: 'pipe:[1]', stdout: 'pipe:[2]' });
  const stages = withUnseenStages([a], new Set(['pipe:[1]']));
  assert.deepEqual(
    stages.map((stage) => [stage.pid, stage.stdin, stage.stdout, stage.startMs, stage.endMs]),
    [
      [1, 'pipe:[1]', 'pipe:[2]', 0, 40],
      [0, 'pipe:[2]', undefined, 40, 40],
    ],
  );
  const c = observed({ pid: 3, startMs: 25, stdin: 'pipe:[5]', stdout: '/dev/null' });
  assert.deepEqual(
    withUnseenStages([c], new Set()).map((stage) => [stage.pid, stage.stdin, stage.stdout, stage.startMs]),
    [
      [0, undefined, 'pipe:[5]', 25],
      [3, 'pipe:[5]', '/dev/null', 25],
    ],
  );
  assert.deepEqual(pids(withUnseenStages([a], new Set(['pipe:[1]', 'pipe:[2]']))), [1]);
  // a stage seen with no pipes before an unwritten pipe wrote it; one with its stdin seen did not
  const bare = observed({ pid: 4, stdin: undefined, stdout: undefined });
  assert.deepEqual(
    withUnseenStages([bare, c], new Set()).map((stage) => [stage.pid, stage.stdout]),
    [
      [4, 'pipe:[5]'],
      [3, '/dev/null'],
    ],
  );
  const linked = observed({ pid: 5, stdin: '/dev/null', stdout: '/dev/tty' });
  assert.deepEqual(pids(withUnseenStages([linked, c], new Set())), [5, 0, 3]);
  const half = observed({ pid: 7, stdin: '/dev/null', stdout: undefined });
  assert.deepEqual(pids(withUnseenStages([half, c], new Set())), [7, 0, 3]);
  // a stage with no pipes seen, after one that writes into a pipe nobody read, takes the pipe's place
  const t = observed({ pid: 6 });
  assert.deepEqual(
    withUnseenStages([a, t], new Set(['pipe:[1]'])).map((stage) => [stage.pid, stage.stdin]),
    [
      [1, 'pipe:[1]'],
      [6, 'pipe:[2]'],
    ],
  );
  assert.deepEqual(pids(withUnseenStages([linked, observed({ pid: 6 })], new Set())), [5, 6]);
  // only a stage with neither pipe seen takes it: one with either seen stays after the unseen reader
  const outOnly = observed({ pid: 8, stdin: undefined, stdout: 'pipe:[1]' });
  assert.deepEqual(pids(withUnseenStages([a, outOnly], new Set(['pipe:[1]']))), [1, 0, 8]);
  const inOnly = observed({ pid: 8, stdin: '/dev/null', stdout: undefined });
  assert.deepEqual(pids(withUnseenStages([a, inOnly], new Set(['pipe:[1]']))), [1, 0, 8]);
});

test('profileStages: figures from the samples, else the trace’s exit; names numbered by place; pipes fed', () => {
  const exit = { status: 3, lines: 7, userMs: 11, sysMs: 2, peakRssBytes: 5000, atMs: 90, bytesIn: 10, bytesOut: 20 };
  const stages = profileStages(
    [
      observed({
        pid: 10,
        argvs: [['node', '/x/bin/add']],
        startMs: 5,
        endMs: 95,
        stdout: 'pipe:[1]',
        userMs: null,
        sysMs: null,
        peakRssBytes: 9000,
        status: 0,
        traced: traced({ name: 'add', exit }),
      }),
      observed({
        pid: 11,
        argvs: [['node', '/x/bin/add', '-r', '2']],
        startMs: 6,
        stdin: 'pipe:[1]',
        stdout: 'pipe:[2]',
        userMs: 4,
        sysMs: 1,
        peakRssBytes: 100,
        bytesIn: 6,
        bytesOut: 8,
        status: 1,
        traced: traced({ name: 'add' }),
        intervals: [{ startMs: 6, endMs: 26, cpuMs: 10, cpuWaitMs: 0, state: 'waiting for input', stopped: false }],
      }),
      observed({ pid: 12, argvs: [['cat']], startMs: 7, stdin: 'pipe:[3]', stdout: undefined }),
    ],
    new Set(['pipe:[2]']),
  );
  const shown = stages.map((s) => [s.pid, s.command, s.name, s.status, s.wallMs, s.userMs, s.sysMs, s.feedsNext]);
  assert.deepEqual(shown, [
    [10, 'add', 'add#1', 3, 90, 11, 2, true],
    [11, 'add -r 2', 'add#2', 1, 94, 4, 1, false],
    [0, '(ended before the first sample)', '(unseen)', null, 0, null, null, true],
    [12, 'cat', 'cat', null, 93, 0, 0, false],
  ]);
  assert.deepEqual(
    stages.map((s) => [s.peakRssBytes, s.bytesIn, s.bytesOut, s.linesOut, s.startMs, s.endMs]),
    [
      [9000, 10, 20, 7, 5, 95],
      // (its bytes as reaped: unknown, with a stage no sample saw that the shell may have reaped with it)
      [100, null, null, null, 6, 100],
      [null, null, null, null, 7, 7],
      [null, null, null, null, 7, 100],
    ],
  );
  assert.equal(
    profileStages([observed({ traced: traced({ exit: { ...exit, peakRssBytes: 5 } }) })])[0]!.peakRssBytes,
    5,
  );
  // (its wall 6 to 100: the 74 ms after its last interval in no state seen, unknown)
  assert.deepEqual(stages[1]!.time, times({ working: 10, 'waiting for input': 10, unknown: 74 }));
  assert.deepEqual(stages[1]!.timeline, [
    { startMs: 6, endMs: 16, state: 'working' },
    { startMs: 16, endMs: 26, state: 'waiting for input' },
  ]);
  assert.equal(stages[2]!.stdin, undefined); // the unseen writer of cat's pipe
  // a file written by one stage and read by the next is no pipe between them; the last stage feeds none
  const viaFile = profileStages(
    [
      observed({ pid: 1, startMs: 0, stdout: '/tmp/f' }),
      observed({ pid: 2, startMs: 1, stdin: '/tmp/f', stdout: 'pipe:[9]' }),
    ],
    new Set(['pipe:[9]']),
  );
  assert.deepEqual(
    viaFile.map((stage) => stage.feedsNext),
    [false, false],
  );
  assert.equal(stages[2]!.stdout, 'pipe:[3]');
});

test('findBottleneck: the busiest stage, with its CPU wait and its neighbours’ evidence from 5% on', () => {
  const a = profiled('a', { working: 300, 'blocked on output': 600 });
  const b = profiled('b', { working: 900, 'waiting for a CPU': 50 });
  const c = profiled('c', { 'waiting for input': 700 }, false);
  const found = findBottleneck([a, b, c], 1000);
  assert.equal(found.stage, b);
  assert.equal(found.busiest, b);
  assert.equal(
    found.line,
    'bottleneck: b — working 90% of its wall, waiting for a CPU 5%; a blocked on output to it 60%; ' +
      'c waiting for input from it 70%',
  );
  const edge = [
    profiled('a', { working: 300, 'blocked on output': 50 }),
    profiled('b', { working: 900 }),
    profiled('c', { 'waiting for input': 50 }, false),
  ];
  assert.equal(
    findBottleneck(edge, 1000).line,
    'bottleneck: b — working 90% of its wall; a blocked on output to it 5%; c waiting for input from it 5%',
  );
  const quiet = [
    profiled('a', { working: 300, 'blocked on output': 49 }),
    profiled('b', { working: 900, 'waiting for a CPU': 49 }),
    profiled('c', { 'waiting for input': 49 }, false),
  ];
  assert.equal(findBottleneck(quiet, 1000).line, 'bottleneck: b — working 90% of its wall');
  // the neighbours count only when the pipe between is theirs
  const apart = [profiled('a', { 'blocked on output': 600 }, false), profiled('b', { working: 900 }, false), c];
  assert.equal(findBottleneck(apart, 1000).line, 'bottleneck: b — working 90% of its wall');
  const io = profiled('s', { working: 100, 'waiting for a CPU': 60, 'other wait': 500 });
  assert.equal(
    findBottleneck([io], 1000).line,
    'bottleneck: s — busy 66% of its wall (working 10%, waiting for a CPU 6%, other waits 50%)',
  );
  const even = profiled('e', { working: 100, 'other wait': 100 });
  assert.equal(findBottleneck([even], 1000).line, 'bottleneck: e — working 10% of its wall');
});

test('findBottleneck: none seen busy; balanced when the top two are within 10 points and the top at 50% or more', () => {
  const none = 'bottleneck: none (no stage was seen busy)';
  assert.deepEqual(findBottleneck([], 1000), { stage: undefined, busiest: undefined, line: none });
  assert.equal(findBottleneck([profiled('a', { working: 10 })], 0).line, none);
  assert.equal(findBottleneck([profiled('a', { 'waiting for input': 10 })], 100).line, none);
  // busy under 5% of the pipeline's wall: it bounds nothing
  const idle = findBottleneck(
    [profiled('a', { working: 40, 'waiting for input': 900 }), profiled('b', { working: 10 })],
    1000,
  );
  assert.deepEqual(idle, {
    stage: undefined,
    busiest: undefined,
    line: "bottleneck: none (the busiest stage, a, was busy 4% of the pipeline's wall: the pipeline waited on its input or its output)",
  });
  assert.equal(findBottleneck([profiled('a', { working: 50 })], 1000).line, 'bottleneck: a — working 5% of its wall');
  const top = profiled('a', { working: 500 });
  const balanced = findBottleneck([profiled('c', { working: 300 }), top, profiled('b', { working: 400 })], 1000);
  assert.deepEqual(balanced, {
    stage: undefined,
    busiest: top,
    line: "bottleneck: none (balanced: a 50%, b 40% busy, of the pipeline's wall)",
  });
  assert.equal(
    findBottleneck([profiled('a', { working: 490 }), profiled('b', { working: 450 })], 1000).line,
    'bottleneck: a — working 49% of its wall',
  );
  assert.equal(
    findBottleneck([profiled('a', { working: 900 }), profiled('b', { working: 799 })], 1000).line,
    'bottleneck: a — working 90% of its wall',
  );
});

test('applyPipestatus: zipped when as many; else the last-started chain of that length; a traced status kept', () => {
  const chain = (): ReturnType<typeof profiled>[] => [
    profiled('a', {}, true, { status: null, startMs: 0 }),
    profiled('b', {}, false, { status: null, startMs: 1 }),
    profiled('c', {}, true, { status: null, startMs: 5 }),
    profiled('d', {}, false, { status: 9, startMs: 6 }),
    profiled('e', {}, false, { status: null, startMs: 7 }),
  ];
  const stages = chain();
  applyPipestatus(stages, [1, 2]);
  assert.deepEqual(
    stages.map((s) => s.status),
    [null, null, 1, 9, null],
  );
  const same = chain();
  applyPipestatus(same, [1, 2, 3, 4, 5]);
  assert.deepEqual(
    same.map((s) => s.status),
    [1, 2, 3, 9, 5],
  );
  const none = chain();
  applyPipestatus(none, [1, 2, 3]);
  applyPipestatus(none, []);
  assert.deepEqual(
    none.map((s) => s.status),
    [null, null, null, 9, null],
  );
  const single = chain();
  applyPipestatus(single, [4]);
  assert.equal(single[4]!.status, 4);
});

test('timeline from samples: CPU beyond an interval carried (at most 20 ms); the run queue, then the wait seen', () => {
  const interval = (startMs: number, cpuMs: number, cpuWaitMs = 0) =>
    ({ startMs, endMs: startMs + 20, cpuMs, cpuWaitMs, state: 'other wait', stopped: false }) as const;
  assert.deepEqual(timeline(observed({ intervals: [interval(0, 30), interval(20, 0), interval(40, 0)] })), [
    { startMs: 0, endMs: 30, state: 'working' },
    { startMs: 30, endMs: 60, state: 'other wait' },
  ]);
  // 60 ms of CPU in a 20 ms interval: 20 working, 20 carried (not 40), all worked in the next one
  assert.deepEqual(timeline(observed({ intervals: [interval(0, 60), interval(20, 0), interval(40, 5)] })), [
    { startMs: 0, endMs: 45, state: 'working' },
    { startMs: 45, endMs: 60, state: 'other wait' },
  ]);
  assert.deepEqual(timeline(observed({ intervals: [interval(0, 5, 30)] })), [
    { startMs: 0, endMs: 5, state: 'working' },
    { startMs: 5, endMs: 20, state: 'waiting for a CPU' },
  ]);
  assert.deepEqual(stateTotals(timeline(observed({ intervals: [interval(0, 5, 5), interval(20, 10)] }))), {
    ...times({ working: 15, 'waiting for a CPU': 5, 'other wait': 20 }),
  });
});

test('timeline from samples: a stopped interval is stopped whatever its CPU; segments merge only when they touch', () => {
  const stage = observed({
    intervals: [
      { startMs: 0, endMs: 10, cpuMs: 10, cpuWaitMs: 0, state: 'other wait', stopped: false },
      { startMs: 20, endMs: 30, cpuMs: 10, cpuWaitMs: 0, state: 'other wait', stopped: false },
      { startMs: 30, endMs: 40, cpuMs: 5, cpuWaitMs: 5, state: 'other wait', stopped: true },
    ],
  });
  assert.deepEqual(timeline(stage), [
    { startMs: 0, endMs: 10, state: 'working' },
    { startMs: 20, endMs: 30, state: 'working' },
    { startMs: 30, endMs: 40, state: 'stopped' },
  ]);
});

test('timeline from a trace: the CPU and the run queue shared out per interval, each share within bounds', () => {
  const working = (startMs: number, endMs: number) => ({ state: 'working' as const, startMs, endMs });
  const run = (cpuMs: number, cpuWaitMs: number, states = [working(0, 20)]) =>
    timeline(
      observed({
        intervals: [{ startMs: 0, endMs: 40, cpuMs, cpuWaitMs, state: 'blocked on output', stopped: false }],
        traced: traced({ states }),
      }),
    );
  // CPU 4 of the trace's 20 ms working (0.2), the run queue 8 (0.4): working 4, CPU wait 8, other wait 8;
  // then the interval's second half from the samples: CPU 2, run queue 4, the rest the wait seen
  assert.deepEqual(run(4, 8), [
    { startMs: 0, endMs: 4, state: 'working' },
    { startMs: 4, endMs: 12, state: 'waiting for a CPU' },
    { startMs: 12, endMs: 20, state: 'other wait' },
    { startMs: 20, endMs: 22, state: 'working' },
    { startMs: 22, endMs: 26, state: 'waiting for a CPU' },
    { startMs: 26, endMs: 40, state: 'blocked on output' },
  ]);
  // CPU 10 (0.5) and a run queue of 16 (0.8): the run queue gets the other half, no more
  assert.deepEqual(run(10, 16).slice(0, 2), [
    { startMs: 0, endMs: 10, state: 'working' },
    { startMs: 10, endMs: 20, state: 'waiting for a CPU' },
  ]);
  // CPU 60: all 20 ms working, and the second half no more than its 20 ms
  assert.deepEqual(run(60, 0), [{ startMs: 0, endMs: 40, state: 'working' }]);
  // the working time of an interval counts the working spans inside it only, not later ones
  const spans = [working(0, 10), { state: 'waiting for input' as const, startMs: 10, endMs: 30 }, working(30, 40)];
  const later = timeline(
    observed({
      intervals: [
        { startMs: 0, endMs: 10, cpuMs: 5, cpuWaitMs: 0, state: 'other wait', stopped: false },
        { startMs: 10, endMs: 30, cpuMs: 0, cpuWaitMs: 0, state: 'other wait', stopped: false },
        { startMs: 30, endMs: 40, cpuMs: 10, cpuWaitMs: 0, state: 'other wait', stopped: false },
        { startMs: 40, endMs: 50, cpuMs: 0, cpuWaitMs: 0, state: 'other wait', stopped: false },
      ],
      traced: traced({ states: spans }),
    }),
  );
  assert.deepEqual(later, [
    { startMs: 0, endMs: 5, state: 'working' },
    { startMs: 5, endMs: 10, state: 'other wait' },
    { startMs: 10, endMs: 30, state: 'waiting for input' },
    { startMs: 30, endMs: 40, state: 'working' },
    { startMs: 40, endMs: 50, state: 'other wait' },
  ]);
});

test('timeline from a trace: working split by the CPU per interval; stopped intervals; samples after the trace', () => {
  const stage = observed({
    endMs: 140,
    intervals: [
      { startMs: 0, endMs: 40, cpuMs: 10, cpuWaitMs: 10, state: 'other wait', stopped: false },
      { startMs: 40, endMs: 60, cpuMs: 0, cpuWaitMs: 0, state: 'stopped', stopped: true },
      { startMs: 60, endMs: 100, cpuMs: 40, cpuWaitMs: 0, state: 'other wait', stopped: false },
      { startMs: 100, endMs: 140, cpuMs: 10, cpuWaitMs: 0, state: 'blocked on output', stopped: false },
    ],
    traced: traced({
      states: [
        { state: 'start-up', startMs: 0, endMs: 20 },
        { state: 'working', startMs: 20, endMs: 80 },
        { state: 'waiting for input', startMs: 80, endMs: 120 },
      ],
    }),
  });
  // interval 1: 20 ms traced working, 10 of CPU (half), 10 ms run queue (the other half): working 20-30,
  // CPU wait 30-40; stopped 40-60; interval 3: 20 ms traced working, CPU 40 (all of it); after the
  // trace ends at 120 the samples: 20 ms of interval 4, CPU 10 × 20/40 = 5 ms working, then blocked
  assert.deepEqual(timeline(stage), [
    { startMs: 0, endMs: 20, state: 'start-up' },
    { startMs: 20, endMs: 30, state: 'working' },
    { startMs: 30, endMs: 40, state: 'waiting for a CPU' },
    { startMs: 40, endMs: 60, state: 'stopped' },
    { startMs: 60, endMs: 80, state: 'working' },
    { startMs: 80, endMs: 120, state: 'waiting for input' },
    { startMs: 120, endMs: 125, state: 'working' },
    { startMs: 125, endMs: 140, state: 'blocked on output' },
  ]);
  // a trace with no samples at all: its states as they are; past the last sample likewise
  const alone = observed({ traced: traced({ states: [{ state: 'working', startMs: 0, endMs: 10 }] }) });
  assert.deepEqual(timeline(alone), [{ startMs: 0, endMs: 10, state: 'working' }]);
  const partly = observed({
    intervals: [{ startMs: 0, endMs: 10, cpuMs: 0, cpuWaitMs: 0, state: 'other wait', stopped: false }],
    traced: traced({ states: [{ state: 'working', startMs: 5, endMs: 30 }] }),
  });
  assert.deepEqual(timeline(partly), [
    { startMs: 5, endMs: 10, state: 'other wait' },
    { startMs: 10, endMs: 30, state: 'working' },
  ]);
  // within its wall: a trace that began before the stage's start (known to a tick) or ended after its end
  const clipped = observed({
    startMs: 5,
    endMs: 25,
    traced: traced({ states: [{ state: 'working', startMs: 0, endMs: 30 }] }),
  });
  assert.deepEqual(timeline(clipped), [{ startMs: 5, endMs: 25, state: 'working' }]);
});

test('applyPipestatus with typed rows: the last pipeline’s rows get the statuses; none where it may not have run last', () => {
  const rows = (): ReturnType<typeof profiled>[] => [
    profiled('a', {}, false, { status: null }),
    profiled('b', {}, false, { status: 7 }),
    profiled('c', {}, false, { status: null }),
  ];
  const last = rows();
  applyPipestatus(last, [1, 2], [1, 2]);
  assert.deepEqual(
    last.map((s) => s.status),
    [null, 7, 2],
  );
  const other = rows();
  applyPipestatus(other, [1, 2, 3], [1, 2]); // as many statuses as rows, but not the last pipeline's count
  assert.deepEqual(
    other.map((s) => s.status),
    [null, 7, null],
  );
  const skipped = rows();
  applyPipestatus(skipped, [1, 2, 3], null);
  assert.deepEqual(
    skipped.map((s) => s.status),
    [null, 7, null],
  );
});

test('profileStages with the typed stages: a row per element, named as typed, in fork order; unseen ones placed', () => {
  const typedStages = [
    { text: 'seq 3', program: 'seq', pipeline: 0, conditional: false, background: false, procsubs: [] },
    {
      text: '(grep -v 9 | gzip -7)',
      program: undefined,
      pipeline: 0,
      conditional: false,
      background: false,
      procsubs: [],
    },
    { text: 'wc -c >out', program: 'wc', pipeline: 0, conditional: false, background: false, procsubs: [] },
  ];
  // seq unseen; the subshell and wc seen (wc started first on the clock, later by pid: same tick)
  const sub = observed({ pid: 11, startMs: 20, stdin: 'pipe:[3]', stdout: 'pipe:[4]', argvs: [['grep'], ['gzip']] });
  const wc = observed({ pid: 12, startMs: 20, stdin: 'pipe:[4]', stdout: '/tmp/out', argvs: [['wc', '-c']] });
  const stages = profileStages([wc, sub], new Set(), typedStages);
  assert.deepEqual(
    stages.map((stage) => [stage.pid, stage.command, stage.name, stage.startMs]),
    [
      [0, 'seq 3', 'seq', 20],
      [11, '(grep -v 9 | gzip -7)', '(grep -v 9 | gzip -7)', 20],
      [12, 'wc -c >out', 'wc', 20],
    ],
  );
  assert.equal(stages[0]!.userMs, null, 'an element no sample saw: its CPU unknown');
  // two elements of one program: named by their texts; the same text twice: numbered
  const two = [
    { text: 'gzip -1', program: 'gzip', pipeline: 0, conditional: false, background: false, procsubs: [] },
    { text: 'gzip -9', program: 'gzip', pipeline: 0, conditional: false, background: false, procsubs: [] },
  ];
  const gzips = [observed({ pid: 1 }), observed({ pid: 2, startMs: 1 })];
  assert.deepEqual(
    profileStages(gzips, new Set(), two).map((stage) => stage.name),
    ['gzip -1', 'gzip -9'],
  );
  const same = two.map((stage) => ({ ...stage, text: 'gzip -1' }));
  assert.deepEqual(
    profileStages(gzips, new Set(), same).map((stage) => stage.name),
    ['gzip#1', 'gzip#2'],
  );
  // one command with its process substitutions: one row, the CPU of all
  const one = [
    {
      text: 'paste <(seq 3) <(seq 4)',
      program: 'paste',
      pipeline: 0,
      conditional: false,
      background: false,
      procsubs: ['<(seq 3)', '<(seq 4)'],
    },
  ];
  const paste = profileStages(
    [observed({ pid: 5, userMs: 1 }), observed({ pid: 6, userMs: 2 }), observed({ pid: 7, startMs: 1, userMs: 4 })],
    new Set(),
    one,
  );
  assert.deepEqual(
    paste.map((stage) => [stage.pid, stage.command, stage.userMs]),
    [[7, 'paste <(seq 3) <(seq 4)', 7]],
  );
  // fewer seen than elements, nothing known of their pipes: they take the first places
  const fallback = profileStages(
    [observed({ pid: 1, argvs: [['cat']] }), observed({ pid: 2, startMs: 1 })],
    new Set(),
    [
      { text: 'cat', program: 'cat', pipeline: 0, conditional: false, background: false, procsubs: [] },
      { text: 'x', program: 'x', pipeline: 0, conditional: false, background: false, procsubs: [] },
      { text: 'y', program: 'y', pipeline: 0, conditional: false, background: false, procsubs: [] },
    ],
  );
  assert.deepEqual(
    fallback.map((stage) => stage.command),
    ['cat', 'x', 'y'],
  );
});
