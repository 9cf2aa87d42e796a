// timer --pipeline: the real executable profiling real pipelines (bottleneck, statuses, prediction,
// outputs, signals, terminal), and the pipeline model's pure functions on recorded figures.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { profile, sh, states, tmuxSession, waitFor, type Profile } from './helpers.js';
import { applyPipestatus, attributeReaped, dataFlowOrder, findBottleneck, stageCommand, timeline, withUnseenStages, type ObservedStage, type StageProfile, type State } from '../src/timer/pipeline/model.js';
import { classify, combine, readStat } from '../src/timer/pipeline/observe.js';
import { doubledCommand, makespan } from '../src/timer/pipeline/predict.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-pipeline-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const hasTmux = (await sh('command -v tmux')).exitCode === 0;

const share = (report: Profile, name: string, field: 'workingMs' | 'blockedOnOutputMs' | 'waitingForInputMs' | 'otherWaitMs'): number => {
  const stage = report.stages.find((candidate) => candidate.name === name);
  assert.ok(stage, `no stage ${name} in ${report.stages.map((s) => s.name).join(', ')}`);
  return stage[field] / stage.wallMs;
};

// ---- the executable ----

test('the pipeline runs as the shell runs it: stdin, stdout, quoting, variables; its exit status is the shell’s', async () => {
  const result = await sh(`X=world timer --pipeline 'tr a-z A-Z | sed "s/^/$X: /"; (exit 3)' --no-progress 2>${scratch}/r1`, 'hello\nthere\n');
  assert.equal(result.stdout, 'world: HELLO\nworld: THERE\n');
  assert.equal(result.exitCode, 3);
  const report = readFileSync(`${scratch}/r1`, 'utf8');
  assert.match(report, /^timer: pipeline: tr a-z A-Z/m);
  assert.match(report, /^bottleneck: /m);
  assert.doesNotMatch(report, /\x1b/, 'no escape sequence when stderr is not a terminal');
});

test('each stage in data-flow order with its status from PIPESTATUS, command, CPU, memory and bytes', async () => {
  const { report, stdout, exitCode } = await profile('seq 1 200000 | (sleep 0.3; exit 4) | sort -r | (sleep 0.3; head -c 10)');
  assert.equal(exitCode, 0);
  assert.equal(stdout, '');
  assert.equal(report.pipestageProfile, 1);
  // (head, exec'd last, ends at once: a sample may not see it)
  assert.deepEqual(
    report.stages.map((stage) => stage.command.replace('; head -c 10', '')),
    ['seq 1 200000', '(sleep 0.3)', 'sort -r', '(sleep 0.3)'],
  );
  assert.deepEqual(
    report.stages.map((stage) => stage.status),
    [141, 4, 0, 0],
  );
  const seq = report.stages[0]!;
  assert.ok(seq.bytesOut! > 60_000, `seq wrote ${seq.bytesOut}`);
  assert.ok(seq.blockedOnOutputMs > 0.5 * seq.wallMs);
  assert.ok(report.stages.every((stage) => stage.timeline.every((segment) => segment.endMs >= segment.startMs)));
});

test('pipestage stages report from their own traces: lines, exact CPU, item spans on worker lanes', async () => {
  const { report, stdout } = await profile('seq 6 | mul --workers 2 | add');
  assert.equal(stdout.split('\n').length, 7);
  const mul = report.stages.find((stage) => stage.name === 'mul')!;
  assert.equal(mul.command, 'mul --workers 2');
  assert.equal(mul.lines, 6);
  assert.equal(mul.bytesIn, 12);
  assert.equal(mul.status, 0);
  assert.ok(mul.items!.length > 0 && mul.items!.every((item) => /^worker \d$/.test(item.lane)));
  const cpu = report.stages.reduce((sum, stage) => sum + (stage.userMs ?? 0) + (stage.sysMs ?? 0), 0);
  // the stages' total and the reaped children's CPU (kernel ticks of 10 ms) agree
  assert.ok(Math.abs(report.cpuMs - cpu) <= Math.max(40, 0.05 * report.cpuMs), `stages ${cpu} ms, reaped ${report.cpuMs} ms`);
});

test('bottleneck: a heavy second stage (the first waits on it or is done, the second works)', async () => {
  const { report } = await profile('seq 16 | sleep-task --for 2ms --mode spin | sleep-task --for 40ms --mode spin');
  assert.equal(report.bottleneck, 'sleep-task#2', report.bottleneckLine);
  assert.match(report.bottleneckLine, /^bottleneck: sleep-task#2 — working \d+% of the time(, waiting for a CPU \d+%)?(;|$)/);
});

test('bottleneck: a heavy first stage (the next one waits for input from it)', async () => {
  const { report } = await profile('seq 16 | sleep-task --for 40ms --mode spin | sleep-task --for 2ms --mode spin');
  assert.equal(report.bottleneck, 'sleep-task#1', report.bottleneckLine);
  assert.match(report.bottleneckLine, /sleep-task#2 waiting for input from it \d+%/);
  assert.ok(share(report, 'sleep-task#2', 'waitingForInputMs') > 0.3);
});

test('bottleneck: an IO-bound stage in the middle (other waits, not CPU), and the suggestion is more concurrency', async () => {
  const { report } = await profile('seq 16 | sleep-task --for 2ms --mode spin | sleep-task --for 50ms --mode wait | sleep-task --for 2ms --mode spin');
  assert.equal(report.bottleneck, 'sleep-task#2', report.bottleneckLine);
  assert.match(report.bottleneckLine, /busy \d+% of the time \(working \d+%(, waiting for a CPU \d+%)?, other waits \d+%\)/);
  const waits = report.stages.find((stage) => stage.name === 'sleep-task#2')!;
  assert.ok(waits.otherWaitMs > 2 * (waits.workingMs + waits.waitingForCpuMs), JSON.stringify(waits, ['workingMs', 'waitingForCpuMs', 'otherWaitMs']));
  assert.equal(report.prediction?.change, 'sleep-task --for 50ms --mode wait --concurrency 2');
});

test('bottleneck: an ordinary program (seq | gzip -9 | wc -c names gzip)', async () => {
  const { report, stdout } = await profile('seq 1 4000000 | gzip -9 | wc -c');
  assert.match(stdout, /^\d+\n$/);
  assert.equal(report.bottleneck, 'gzip', report.bottleneckLine);
  assert.ok(share(report, 'wc', 'waitingForInputMs') > 0.5);
  assert.equal(report.prediction?.change, 'gzip twice as fast');
  const gzip = report.stages.find((stage) => stage.name === 'gzip')!;
  assert.ok(gzip.bytesIn! > 20_000_000 && gzip.bytesOut! > 1_000_000, `read ${gzip.bytesIn}, wrote ${gzip.bytesOut}`);
  assert.ok(gzip.userMs! + gzip.sysMs! > 0.8 * report.cpuMs, 'gzip has most of the CPU');
});

test('bottleneck: a slow reader at the end (the stage before it is blocked on output)', async () => {
  const { report } = await profile('seq 1 300000 | (sleep 1; cat >/dev/null)');
  assert.equal(report.stages.length, 2);
  assert.match(report.bottleneck ?? '', /^\(sleep/, report.bottleneckLine); // cat, exec'd last, may end between two samples
  assert.ok(share(report, 'seq', 'blockedOnOutputMs') > 0.6, report.bottleneckLine);
  assert.match(report.bottleneckLine, /seq blocked on output to it \d+%/);
});

test('the report: a row per stage with its shares, the chart with a legend, bottleneck and prediction lines', async () => {
  const result = await sh(`timer --pipeline 'seq 8 | sleep-task --for 20ms --concurrency 2 | cat' --svg ${scratch}/p.svg 2>&1 >/dev/null`);
  assert.equal(result.exitCode, 0, result.stdout);
  const text = result.stdout;
  const shows = (pattern: RegExp): void => assert.match(text, pattern, `${pattern} not in:\n${text}`);
  shows(/^stage +status +wall +user +sys +peak RSS +read +written$/m);
  shows(/^sleep-task --for 20ms --concurrency 2 +0 /m);
  shows(/^share of its wall +working +CPU wait +other waits +input wait +blocked +start-up$/m);
  shows(/^cat +\d+% +\d+% +\d+% +\d+% +\d+% +\d+%$/m);
  shows(/^ {2}slot 1 +\|/m);
  shows(/█ working/);
  shows(/^bottleneck: /m);
  shows(/^predicted: \S+ with /m);
  shows(/sampled every 100ms/);
  const svg = readFileSync(`${scratch}/p.svg`, 'utf8');
  assert.match(svg, /^<svg /);
  assert.match(svg, />slot 2</);
  assert.match(svg, /bottleneck: /);
});

test('--trace writes a Chrome trace: a process per stage, timer’s state slices, the stages’ own item spans; an earlier run’s file is refused', async () => {
  const file = `${scratch}/pipeline-trace.json`;
  const result = await sh(`timer --pipeline 'seq 5 | mul | cat' --trace ${file} --no-progress 2>/dev/null`);
  assert.equal(result.stdout, '1\n2\n6\n24\n120\n');
  const events = JSON.parse(`${readFileSync(file, 'utf8').trim().replace(/,$/, '')}]`) as { name: string; cat?: string; ph: string; pid: number; args?: { name?: string } }[];
  const names = events.filter((event) => event.name === 'process_name').map((event) => event.args!.name);
  assert.ok(names.includes('mul') && names.includes('cat') && names.length >= 3, names.join(', '));
  assert.ok(events.some((event) => event.cat === 'item' && event.name === 'mul'));
  assert.ok(events.some((event) => event.cat === 'pipeline-state'));
  const report = await sh(`timer report ${file}`);
  assert.equal(report.exitCode, 0, report.stderr);
  writeFileSync(`${scratch}/old.json`, '[\n{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"x","startTicks":1}},\n');
  const refused = await sh(`timer --pipeline 'touch ${scratch}/touched' --trace ${scratch}/old.json`);
  assert.equal(refused.exitCode, 125);
  assert.match(refused.stderr, /trace of an earlier run; remove it/);
  assert.equal(existsSync(`${scratch}/touched`), false, 'nothing ran');
});

test('a subshell is one stage, its children inside it (two pipestage stages in it are not rows of their own)', async () => {
  const { report, stdout } = await profile('seq 10 | (mul --repeat 20000 | add) | cat');
  assert.equal(stdout.split('\n').length, 11);
  assert.deepEqual(
    // (seq 10 may end before a sample sees it run: a fork of the shell, then)
    report.stages.map((stage) => stage.command.replace(/^\(shell\)$/, 'seq 10')),
    ['seq 10', '(mul --repeat 20000; add)', 'cat'],
    JSON.stringify(report.stages.map(({ pid, command, stdin, stdout }) => ({ pid, command, stdin, stdout }))),
  );
  assert.ok(report.stages[1]!.userMs! > 0);
});

test('a stage starting late joins the run’s trace (a; sleep; b), and every stage has its row', async () => {
  const { report } = await profile('seq 3 | mul; sleep 2.2; seq 2 | add');
  const traced = report.stages.filter((stage) => stage.items !== null).map((stage) => stage.name);
  assert.deepEqual(traced.sort(), ['add', 'mul']);
  assert.equal(report.stages.length, 5, JSON.stringify(report.stages.map(({ pid, command, stdin, stdout }) => ({ pid, command, stdin, stdout }))));
});

test('usage: --pipeline takes no COMMAND; a pipeline that cannot run still gives one report', async () => {
  const extra = await sh(`timer --pipeline 'true' sleep 1`);
  assert.equal(extra.exitCode, 2);
  assert.match(extra.stderr, /^timer: --pipeline takes no COMMAND/);
  // (the first stage lives long enough for a sample to see it: a fork that fails at once may not be)
  const missing = await profile('(sleep 0.2; no-such-program-here) | (sleep 0.3; cat)');
  assert.equal(missing.exitCode, 0);
  assert.deepEqual(
    missing.report.stages.map((stage) => stage.status),
    [127, 0],
  );
});

test('SIGTERM to timer ends every process of the pipeline, and nothing is left behind', async () => {
  const marker = `${30 + Math.random()}`.slice(0, 7);
  const run = sh(`timer --pipeline 'sleep ${marker} | sleep ${marker}' --no-progress 2>/dev/null & pid=$!; while [ "$(pgrep -fc "^sleep ${marker}$")" != 2 ]; do sleep 0.05; done; kill -TERM $pid; wait $pid; echo "status $?"; sleep 0.2; pgrep -f "^sleep ${marker}$" || echo none left`);
  const result = await run;
  assert.match(result.stdout, /status 143\nnone left\n$/);
});

test('SIGUSR1 prints a line so far (each stage and its CPU) and the run goes on', async () => {
  const result = await sh(`timer --pipeline 'seq 3 | sleep-task --for 317ms' 2>${scratch}/usr1 & pid=$!; while ! pgrep -f "^node .*bin/sleep-task --for 317ms$" >/dev/null; do sleep 0.05; done; sleep 0.3; kill -USR1 $pid; wait $pid; echo "status $?"`);
  assert.match(result.stdout, /^1\n2\n3\nstatus 0\n$/);
  const report = readFileSync(`${scratch}/usr1`, 'utf8');
  assert.match(report, /^timer: pipeline: \S+ so far; .*sleep-task --for 317ms: CPU \S+$/m);
  assert.match(report, /^bottleneck: /m);
  assert.doesNotMatch(report, /Debugger listening/);
});

test('in a terminal: a live view while it runs, Ctrl-Z stops the pipeline and timer, fg resumes, the report counts the stopped time', { skip: !hasTmux && 'tmux is not installed' }, async () => {
  const session = await tmuxSession('pipeline');
  try {
    await session.keys("timer --pipeline 'seq 40 | sleep-task --for 100ms | cat >/dev/null'", 'Enter');
    await waitFor('the live view', async () => /sleep-task --for 100ms +\S/.test(await session.screen()) && /^timer: \d/m.test(await session.screen()));
    await session.keys('C-z');
    await waitFor('all stopped', async () => (await states('^node .*bin/sleep-task --for 100ms$')).includes('T') && (await states('^node .*bin/timer --pipeline seq 40')).every((state) => state === 'T'));
    await delay(1000);
    await session.keys('fg', 'Enter');
    await waitFor('the report', async () => /^bottleneck: /m.test(await session.screen()), 15000);
    const screen = await session.screen();
    const stopped = /stopped (\d+(?:\.\d+)?)(ms|s) \(Ctrl-Z; left out/.exec(screen);
    assert.ok(stopped, screen);
    assert.ok(Number(stopped[1]) * (stopped[2] === 's' ? 1000 : 1) >= 900, `stopped ${stopped[0]}`);
    // the report replaced the live view drawn after fg: no live line below the report's first line
    assert.doesNotMatch(screen.slice(screen.indexOf('timer: pipeline:')), /^timer: \d/m);
  } finally {
    await session.close();
  }
});

test('in a terminal: the stages’ stderr passes above the live view, whole lines; Ctrl-C goes to the stages, and timer reports and exits 130', { skip: !hasTmux && 'tmux is not installed' }, async () => {
  const session = await tmuxSession('pipeline-int');
  try {
    await session.keys("timer --pipeline 'seq 100 | sleep-task --for 100ms | (echo note-from-a-stage >&2; cat >/dev/null)'", 'Enter');
    await waitFor('the live view', async () => /^timer: \d/m.test(await session.screen()));
    await delay(1500);
    const during = await session.screen();
    assert.equal(during.split('\n').filter((line) => line === 'note-from-a-stage').length, 1, during);
    assert.ok(during.indexOf('note-from-a-stage') < during.search(/^timer: \d/m), 'the note is above the view');
    await session.keys('C-c');
    await waitFor('the report', async () => /^predicted: /m.test(await session.screen()));
    await session.keys('echo "status=$?"', 'Enter');
    await waitFor('the status', async () => /^status=\d+/m.test(await session.screen()));
    const screen = await session.screen();
    assert.match(screen, /^status=130$/m, screen);
    assert.match(screen, /killed by SIGINT/, screen);
    assert.match(screen, /^bottleneck: sleep-task — busy \d+% of the time/m, screen);
    assert.deepEqual(await states('^node .*bin/sleep-task --for 100ms$'), [], 'nothing left running');
  } finally {
    await session.close();
  }
});

test('in a terminal: no live view with TERM=dumb or --no-progress', { skip: !hasTmux && 'tmux is not installed' }, async () => {
  const session = await tmuxSession('pipeline-quiet');
  try {
    for (const command of ["TERM=dumb timer --pipeline 'sleep 1.2'", "timer --pipeline 'sleep 1.3' --no-progress"]) {
      await session.keys('clear', 'Enter');
      await session.keys(command, 'Enter');
      await delay(700);
      assert.doesNotMatch(await session.screen(), /^(timer: \d|sleep 1\.\d +)/m, command);
      await waitFor('the report', async () => /^predicted: /m.test(await session.screen()));
    }
  } finally {
    await session.close();
  }
});

// ---- the model ----

const observed = (fields: Partial<ObservedStage>): ObservedStage => ({
  pid: 1,
  argvs: [['x']],
  startMs: 0,
  endMs: 100,
  stdin: undefined,
  stdout: undefined,
  userMs: 0,
  sysMs: 0,
  peakRssBytes: null,
  bytesIn: null,
  bytesOut: null,
  status: null,
  intervals: [],
  traced: undefined,
  ...fields,
});

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

const profiled = (name: string, time: Partial<Record<State, number>>, feedsNext = true): StageProfile => ({
  pid: 1,
  command: name,
  name,
  status: 0,
  wallMs: 1000,
  startMs: 0,
  endMs: 1000,
  userMs: 0,
  sysMs: 0,
  peakRssBytes: null,
  bytesIn: null,
  bytesOut: null,
  linesOut: null,
  time: { working: 0, 'waiting for a CPU': 0, 'other wait': 0, 'waiting for input': 0, 'blocked on output': 0, 'start-up': 0, stopped: 0, unknown: 0, ...time },
  timeline: [],
  traced: undefined,
  feedsNext,
  stdin: undefined,
  stdout: undefined,
});

test('model: the bottleneck line names the busiest stage with its neighbours’ evidence, or none when balanced', () => {
  const mul = profiled('mul', { working: 400, 'blocked on output': 580 });
  const add = profiled('add', { working: 960 }, false);
  assert.equal(findBottleneck([mul, add], 1000).line, 'bottleneck: add — working 96% of the time; mul blocked on output to it 58%');
  const balanced = findBottleneck([profiled('mul', { working: 970 }), profiled('add', { working: 960 }, false)], 1000);
  assert.equal(balanced.stage, undefined);
  assert.equal(balanced.line, 'bottleneck: none (balanced: mul 97%, add 96%)');
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
  assert.deepEqual(stageCommand([['node', '/x/bin/add', '--formula']], 'add'), { command: 'add --formula', name: 'add' });
  assert.deepEqual(stageCommand([['/usr/bin/env', 'node', '/x/bin/mul', '-r', '2']], 'mul'), { command: 'mul -r 2', name: 'mul' });
  assert.deepEqual(stageCommand([['gzip', '-9']], undefined), { command: 'gzip -9', name: 'gzip' });
  assert.deepEqual(stageCommand([['sleep', '2'], ['cat']], undefined), { command: '(sleep 2; cat)', name: '(sleep; cat)' });
  assert.deepEqual(stageCommand([], undefined), { command: '(shell)', name: 'sh' });
});

test('observe: /proc/PID/stat read in place gives the fields a split gives (a name with spaces and parentheses too)', async () => {
  // the name (comm) is the program file's: a link to sleep named "a) (b c"
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-stat-'));
  symlinkSync((await sh('command -v sleep')).stdout.trim(), path.join(dir, 'a) (b c'));
  const child = spawn(path.join(dir, 'a) (b c'), ['5'], { stdio: 'ignore' });
  try {
    // until the child has run the program (a fork is named node until its exec)
    await waitFor('the linked program to run', async () => readFileSync(`/proc/${child.pid}/comm`, 'latin1').trim() === 'a) (b c');
    for (const pid of [process.pid, child.pid!]) {
      const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const stat = readStat(pid)!;
      assert.deepEqual(
        [stat.state, stat.userTicks, stat.sysTicks, stat.childUserTicks, stat.childSysTicks, stat.startTicks, stat.rssPages],
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
  assert.equal(classify('S', 'hrtimer_nanosleep'), 'other wait');
  assert.equal(classify('R', undefined), 'working');
  assert.equal(classify('T', undefined), 'stopped');
  assert.equal(classify('S', 'do_wait'), 'parent');
  assert.equal(combine(['parent', 'other wait']), 'other wait');
  assert.equal(combine(['waiting for input', 'working']), 'working');
});

test('model: CPU the shell reaped from stages together is shared: each keeps what it is known to have used', () => {
  // what the samples missed (40 ms of user time) goes by how fast each was using CPU at its last sample
  assert.deepEqual(attributeReaped([{ userMs: 300, sysMs: 0 }, { userMs: 100, sysMs: 10 }], { userMs: 440, sysMs: 10 }, [1, 3]), [
    { userMs: 310, sysMs: 0 },
    { userMs: 130, sysMs: 10 },
  ]);
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
  assert.deepEqual(doubledCommand('mul -r 5', false, 'mul'), { command: 'mul -r 5 --workers 2', servers: 2 });
  assert.deepEqual(doubledCommand('mul --workers 3', false, 'mul'), { command: 'mul --workers 6', servers: 6 });
  assert.deepEqual(doubledCommand('sleep-task --for 1s', true, 'sleep-task'), { command: 'sleep-task --for 1s --concurrency 2', servers: 2 });
});
