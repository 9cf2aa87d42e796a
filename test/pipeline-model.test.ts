// timer --pipeline's pure parts: the model (data-flow order, timelines, bottleneck, PIPESTATUS,
// names, CPU shared among stages reaped together, unseen stages), /proc parsing and states, and the
// flow-shop prediction.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sh } from './helpers.js';
import { waitFor } from './states.js';
import { applyPipestatus, dataFlowOrder, findBottleneck, withUnseenStages } from '../src/timer/pipeline/model.js';
import { attributeReaped, recentCpuRate } from '../src/timer/pipeline/observed.js';
import { timeline } from '../src/timer/pipeline/timeline.js';
import { stageCommand } from '../src/render/stage-name.js';
import { classify, combine } from '../src/timer/pipeline/states.js';
import { parseStat, readStat } from '../src/base/proc.js';
import { makespan } from '../src/timer/pipeline/predict.js';
import { readStageTraces } from '../src/trace/read-stage-traces.js';
import { StageTracer } from '../src/trace/stage-tracer.js';
import { openTraceFile } from '../src/trace/trace-file.js';
import { observed, profiled } from './unit/fixtures.js';

test('model: stages in data-flow order follow the pipes, not the start order', () => {
  const a = observed({ pid: 1, startMs: 5, stdin: '/dev/null', stdout: 'pipe:[10]' });
  const b = observed({ pid: 2, startMs: 1, stdin: 'pipe:[10]', stdout: 'pipe:[11]' });
  const c = observed({ pid: 3, startMs: 0, stdin: 'pipe:[11]', stdout: '/dev/pts/1' });
  const lone = observed({ pid: 4, startMs: 9, stdin: '/dev/null', stdout: '/dev/null' });
  assert.deepEqual(
    dataFlowOrder([c, lone, b, a]).map((stage) => stage.pid),
    [1, 2, 3, 4],
  );
});

test('model: a timeline from samples — CPU is working time, the rest the wait seen, stopped intervals stopped', () => {
  const stage = observed({
    intervals: [
      { startMs: 0, endMs: 20, cpuMs: 20, cpuWaitMs: 0, state: 'other wait', stopped: false },
      { startMs: 20, endMs: 40, cpuMs: 5, cpuWaitMs: 5, state: 'blocked on output', stopped: false },
      { startMs: 40, endMs: 60, cpuMs: 0, cpuWaitMs: 0, state: 'stopped', stopped: true },
    ],
  });
  assert.deepEqual(timeline(stage), [
    { startMs: 0, endMs: 25, state: 'working' },
    { startMs: 25, endMs: 30, state: 'waiting for a CPU' },
    { startMs: 30, endMs: 40, state: 'blocked on output' },
    { startMs: 40, endMs: 60, state: 'stopped' },
  ]);
});

test('model: a traced stage’s `working` time is working only as far as its CPU covers it', () => {
  const stage = observed({
    intervals: [{ startMs: 0, endMs: 100, cpuMs: 25, cpuWaitMs: 0, state: 'other wait', stopped: false }],
    traced: {
      name: 'sleep-task',
      states: [
        { state: 'start-up', startMs: 0, endMs: 50 },
        { state: 'working', startMs: 50, endMs: 100 },
      ],
      items: [],
      lanes: 1,
      exit: undefined,
    },
  });
  // CPU 25 ms over 50 ms of trace-working: half of it working, half another wait
  assert.deepEqual(timeline(stage), [
    { startMs: 0, endMs: 50, state: 'start-up' },
    { startMs: 50, endMs: 75, state: 'working' },
    { startMs: 75, endMs: 100, state: 'other wait' },
  ]);
});

test('model: the bottleneck line names the busiest stage with its neighbours’ evidence, or none when balanced', () => {
  const mul = profiled('mul', { working: 400, 'blocked on output': 580 });
  const add = profiled('add', { working: 960 }, false);
  assert.equal(
    findBottleneck([mul, add], 1000).line,
    'bottleneck: add — working 96% of its wall; mul blocked on output to it 58%',
  );
  const balanced = findBottleneck([profiled('mul', { working: 970 }), profiled('add', { working: 960 }, false)], 1000);
  assert.equal(balanced.stage, undefined);
  assert.equal(balanced.line, "bottleneck: none (balanced: mul 97%, add 96% busy, of the pipeline's wall)");
});

test('model: PIPESTATUS goes to the last pipeline’s stages; a status a stage traced is kept', () => {
  const stages = [profiled('a', {}, false), profiled('b', {}), profiled('c', {}, false)];
  for (const stage of stages) stage.status = null;
  stages[2]!.status = 7;
  applyPipestatus(stages, [1, 2]);
  assert.deepEqual(
    stages.map((stage) => stage.status),
    [null, 1, 7],
  );
});

test('model: a stage’s command and name (pipestage stages as NAME ARGS, a subshell’s programs in parentheses)', () => {
  assert.deepEqual(stageCommand([['node', '/x/bin/add', '--formula']], 'add'), {
    command: 'add --formula',
    name: 'add',
  });
  assert.deepEqual(stageCommand([['/usr/bin/env', 'node', '/x/bin/mul', '-r', '2']], 'mul'), {
    command: 'mul -r 2',
    name: 'mul',
  });
  assert.deepEqual(stageCommand([['gzip', '-9']], undefined), { command: 'gzip -9', name: 'gzip' });
  assert.deepEqual(stageCommand([['sleep', '2'], ['cat']], undefined), {
    command: '(sleep 2; cat)',
    name: '(sleep; cat)',
  });
  assert.deepEqual(stageCommand([], undefined), { command: '(shell)', name: 'sh' });
});

test('observe: /proc/PID/stat read in place gives the fields a split gives (a name with spaces and parentheses too)', async () => {
  // the name (comm) is the program file's: a link to sleep named "a) (b c"
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-stat-'));
  symlinkSync((await sh('command -v sleep')).stdout.trim(), path.join(dir, 'a) (b c'));
  const child = spawn(path.join(dir, 'a) (b c'), ['5'], { stdio: 'ignore' });
  try {
    // until the child has run the program (a fork is named node until its exec)
    await waitFor(
      'the linked program to run',
      async () => readFileSync(`/proc/${child.pid}/comm`, 'latin1').trim() === 'a) (b c',
    );
    for (const pid of [process.pid, child.pid!]) {
      // (one reading, parsed both ways: a running process's figures change between two readings)
      const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const stat = parseStat(text);
      assert.equal(readStat(pid)?.startTicks, stat.startTicks);
      assert.deepEqual(
        [
          stat.state,
          stat.userTicks,
          stat.sysTicks,
          stat.childUserTicks,
          stat.childSysTicks,
          stat.startTicks,
          stat.rssPages,
        ],
        [fields[0], ...[11, 12, 13, 14, 19, 21].map((index) => Number(fields[index]))],
      );
      assert.equal(stat.name, pid === child.pid ? 'a) (b c' : text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')));
    }
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('observe: states from the state letter and wchan; a stage takes its busiest process’s', () => {
  assert.equal(classify('S', 'anon_pipe_read'), 'waiting for input');
  assert.equal(classify('S', 'pipe_write'), 'blocked on output');
  // (splice and some readers wait for a pipe to be ready in these)
  assert.equal(classify('S', 'pipe_wait_readable'), 'waiting for input');
  assert.equal(classify('S', 'pipe_wait_writable'), 'blocked on output');
  assert.equal(classify('S', 'hrtimer_nanosleep'), 'other wait');
  assert.equal(classify('R', undefined), 'working');
  assert.equal(classify('T', undefined), 'stopped');
  assert.equal(classify('S', 'do_wait'), 'parent');
  assert.equal(combine(['parent', 'other wait']), 'other wait');
  assert.equal(combine(['waiting for input', 'working']), 'working');
});

const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} against ${expected}`);

test('model: CPU the shell reaped from stages together is shared: each keeps what it is known to have used', () => {
  // what the samples missed (40 ms) goes by how fast each was using CPU at its last sample (1 : 3)
  const [first, second] = attributeReaped(
    [
      { userMs: 300, sysMs: 0 },
      { userMs: 100, sysMs: 10 },
    ],
    { userMs: 440, sysMs: 10 },
    [1, 3],
  );
  close(first!.userMs + first!.sysMs, 300 + 10);
  close(second!.userMs + second!.sysMs, 110 + 30);
  // each split as its own figures, then user moved in proportion to the wholes, up to each whole
  const gap = 440 - (310 + (140 * 100) / 110);
  close(first!.userMs, Math.min(310, 310 + (gap * 310) / 450));
  close(second!.userMs, (140 * 100) / 110 + (gap * 140) / 450);
});

test('model: CPU shared as wholes: the kernel’s user/sys split is not the stages’ own (ticks against getrusage)', () => {
  // the same 64 and 62 ms seen, split otherwise by the kernel: no stage gains from another's sys
  const [first, second] = attributeReaped(
    [
      { userMs: 60, sysMs: 4 },
      { userMs: 60, sysMs: 2 },
    ],
    { userMs: 100, sysMs: 10 },
  );
  // more seen than the shell reaped (its figure to the ms, the samples to the ns): scaled to the kernel's
  close(first!.userMs + first!.sysMs, (64 * 110) / 126);
  close(second!.userMs + second!.sysMs, (62 * 110) / 126);
  close(first!.userMs + second!.userMs, 100);
});

test('model: a group counted in ticks keeps what its stages were seen using, up to two ticks above its figure', () => {
  const seen = [
    { userMs: 90, sysMs: 7 },
    { userMs: 5, sysMs: 1 },
  ];
  // the shell's counters grew by 90 + 0 ms in ticks: each of user and sys within a tick of what they used
  const kept = attributeReaped(seen, { userMs: 90, sysMs: 0 }, undefined, 20);
  close(kept[0]!.userMs + kept[0]!.sysMs, 97);
  close(kept[1]!.userMs + kept[1]!.sysMs, 6);
  close(kept[0]!.userMs + kept[1]!.userMs, 95);
  // more than two ticks above: the figure is the kernel's, and the samples are scaled to it
  const scaled = attributeReaped(seen, { userMs: 70, sysMs: 0 }, undefined, 20);
  close(scaled[0]!.userMs + scaled[0]!.sysMs, (97 * 70) / 103);
  // nothing seen, a total below 0 (the last group, after others kept more than their ticks): 0 each, not NaN
  const none = attributeReaped(
    [
      { userMs: 0, sysMs: 0 },
      { userMs: 0, sysMs: 0 },
    ],
    { userMs: -3, sysMs: 0 },
  );
  assert.deepEqual(
    none.map((cpu) => cpu.userMs + cpu.sysMs),
    [0, 0],
  );
  // a figure to the ms (the shell's `times`): no slack
  const exact = attributeReaped(seen, { userMs: 90, sysMs: 0 });
  close(exact[0]!.userMs + exact[0]!.sysMs + exact[1]!.userMs + exact[1]!.sysMs, 90);
});

test('model: a stage’s CPU rate when last sampled is taken over 100 ms at least (CPU comes in 10 ms ticks)', () => {
  const interval = (startMs: number, endMs: number, cpuMs: number, stopped = false) => ({
    startMs,
    endMs,
    cpuMs,
    cpuWaitMs: 0,
    state: 'working' as const,
    stopped,
  });
  // a full interval on a CPU, then a 3 ms one (a sample right after a reap) whose CPU showed no tick
  assert.equal(recentCpuRate([interval(0, 100, 100), interval(100, 103, 0)]), 100 / 103);
  assert.equal(recentCpuRate([interval(0, 100, 20), interval(100, 200, 50), interval(200, 210, 10)]), 60 / 110);
  assert.equal(recentCpuRate([interval(0, 100, 50), interval(100, 400, 0, true)]), 0.5); // stopped time is no rate
  assert.equal(recentCpuRate([]), 0);
});

test('model: a stage no sample saw is put back where the pipes say it was (not at timer’s own stdin or stdout)', () => {
  const a = observed({ pid: 1, stdin: 'pipe:[1]', stdout: 'pipe:[2]' });
  const c = observed({ pid: 3, stdin: 'pipe:[3]', stdout: 'pipe:[4]' });
  const stages = withUnseenStages([a, c], new Set(['pipe:[1]', 'pipe:[4]']));
  assert.deepEqual(
    stages.map((stage) => [stage.pid, stage.stdin, stage.stdout]),
    [
      [1, 'pipe:[1]', 'pipe:[2]'],
      [0, 'pipe:[2]', 'pipe:[3]'],
      [3, 'pipe:[3]', 'pipe:[4]'],
    ],
  );
  // a stage known from its trace alone (pipes unknown) takes the place after a pipe nobody read
  const traced = observed({ pid: 5, stdin: undefined, stdout: undefined });
  assert.deepEqual(
    withUnseenStages([a, traced], new Set(['pipe:[1]'])).map((stage) => [stage.pid, stage.stdin]),
    [
      [1, 'pipe:[1]'],
      [5, 'pipe:[2]'],
    ],
  );
});

test('predict: the flow shop — a stage twice as fast with two servers; the next stage bounds it', () => {
  const costs = (n: number, ms: number): number[] => new Array<number>(n).fill(ms);
  assert.equal(makespan([{ costs: costs(10, 10), groupSize: 1, servers: 1, readyMs: 0 }]), 100);
  assert.equal(makespan([{ costs: costs(10, 10), groupSize: 1, servers: 2, readyMs: 0 }]), 50);
  assert.equal(
    makespan([
      { costs: costs(10, 10), groupSize: 1, servers: 2, readyMs: 0 },
      { costs: costs(10, 8), groupSize: 1, servers: 1, readyMs: 0 },
    ]),
    10 + 80,
  );
  // worker threads added by the change start one after the other (as work needs them): the first
  // 100 ms after the stage was ready, the second 100 ms later; four items of 100 ms end at 400 ms
  // (both at 100 ms, they would end at 300)
  assert.equal(
    makespan([
      {
        costs: costs(4, 100),
        groupSize: 1,
        servers: 2,
        readyMs: 0,
        addedServers: { count: 2, readyMs: 100, everyMs: 100 },
      },
    ]),
    400,
  );
  assert.equal(
    makespan([
      {
        costs: costs(4, 100),
        groupSize: 1,
        servers: 2,
        readyMs: 0,
        addedServers: { count: 2, readyMs: 100, everyMs: 0 },
      },
    ]),
    300,
  );
  // one thread there already (--workers 1 doubled): only the new one starts late
  assert.equal(
    makespan([
      {
        costs: costs(4, 100),
        groupSize: 1,
        servers: 2,
        readyMs: 0,
        addedServers: { count: 1, readyMs: 100, everyMs: 100 },
      },
    ]),
    300,
  );
});

test('stage traces: states shorter than a span are merged, and each state’s time in it is kept exactly (read back by timer)', () => {
  // A stage flipping between working (0.3 ms) and blocked on output (0.7 ms) 200 times: the merged
  // spans are named after the longer state, and their shares give each state its exact total.
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-shares-'));
  try {
    const file = path.join(dir, 't.json');
    const tracer = new StageTracer(openTraceFile(file), 'add', (lane) => `lane ${lane}`);
    let at = 100;
    tracer.setState('working', at);
    for (let i = 0; i < 200; i++) {
      tracer.setState('blocked on output', (at += 0.3));
      tracer.setState('working', (at += 0.7));
    }
    tracer.setState('waiting for input', at);
    tracer.close(at + 50, { status: 0, lines: 0, bytesIn: 0, bytesOut: 0 });
    const text = readFileSync(file, 'utf8');
    const states = readStageTraces(text, performance.timeOrigin).get(process.pid)!.states;
    const total = (state: string): number =>
      states.filter((span) => span.state === state).reduce((sum, span) => sum + span.endMs - span.startMs, 0);
    const spans = text.split('\n').filter((line) => line.includes('"cat":"state"'));
    assert.ok(spans.length < 60, `${spans.length} state spans for 400 changes`);
    assert.ok(
      spans.some((line) =>
        /"name":"blocked on output".*"args":\{"blocked on output":[\d.]+,"working":[\d.]+\}/.test(line),
      ),
      spans.join('\n'),
    );
    for (const [state, ms] of [
      ['start-up', 100],
      ['working', 60],
      ['blocked on output', 140],
      ['waiting for input', 50],
    ] as const) {
      assert.ok(Math.abs(total(state) - ms) < 0.05, `${state}: ${total(state)} ms, not ${ms}`);
    }
    // spans follow each other without gaps or overlaps
    for (let i = 1; i < states.length; i++)
      assert.ok(
        Math.abs(states[i]!.startMs - states[i - 1]!.endMs) < 0.002,
        JSON.stringify(states.slice(i - 1, i + 1)),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
