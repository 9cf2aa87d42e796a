// timer --pipeline: the real executable profiling real pipelines (bottleneck, statuses, prediction,
// outputs, signals). In a terminal: timer-pipeline-terminal.test.ts; the model's pure functions:
// pipeline-model.test.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseTraceEvents } from '../src/trace/trace-file.js';
import { profile, sh, type Profile } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-pipeline-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const share = (
  report: Profile,
  name: string,
  field: 'workingMs' | 'blockedOnOutputMs' | 'waitingForInputMs' | 'otherWaitMs',
): number => {
  const stage = report.stages.find((candidate) => candidate.name === name);
  assert.ok(stage, `no stage ${name} in ${report.stages.map((s) => s.name).join(', ')}`);
  return stage[field] / stage.wallMs;
};

// ---- the executable ----

test('the pipeline runs as the shell runs it: stdin, stdout, quoting, variables; its exit status is the shell’s', async () => {
  const result = await sh(
    `X=world timer --pipeline 'tr a-z A-Z | sed "s/^/$X: /"; (exit 3)' --no-progress 2>${scratch}/r1`,
    'hello\nthere\n',
  );
  assert.equal(result.stdout, 'world: HELLO\nworld: THERE\n');
  assert.equal(result.exitCode, 3);
  const report = readFileSync(`${scratch}/r1`, 'utf8');
  assert.match(report, /^timer: pipeline: tr a-z A-Z/m);
  assert.match(report, /^bottleneck: /m);
  assert.doesNotMatch(report, /\x1b/, 'no escape sequence when stderr is not a terminal');
});

test('each stage in data-flow order with its status from PIPESTATUS, command, CPU, memory and bytes', async () => {
  const { report, stdout, exitCode } = await profile(
    'seq 1 200000 | (sleep 0.3; exit 4) | sort -r | (sleep 0.3; head -c 10)',
  );
  assert.equal(exitCode, 0);
  assert.equal(stdout, '');
  assert.equal(report.pipestageProfile, 1);
  // each as typed (head, exec'd last, ends at once: a sample may not see it, the text does)
  assert.deepEqual(
    report.stages.map((stage) => stage.command),
    ['seq 1 200000', '(sleep 0.3; exit 4)', 'sort -r', '(sleep 0.3; head -c 10)'],
  );
  assert.deepEqual(
    report.stages.map((stage) => stage.status),
    [141, 4, 0, 0],
  );
  const seq = report.stages[0]!;
  assert.ok(seq.blockedOnOutputMs > 0.5 * seq.wallMs);
  assert.ok(report.stages.every((stage) => stage.timeline.every((segment) => segment.endMs >= segment.startMs)));
});

test('pipestage stages report from their own traces: lines, exact CPU, item spans on worker lanes', async () => {
  const trace = path.join(scratch, 'cpu.trace.json');
  const { report, stdout } = await profile('seq 6 | mul --workers 2 | add', `--trace ${trace}`);
  assert.equal(stdout.split('\n').length, 7);
  const mul = report.stages.find((stage) => stage.name === 'mul')!;
  assert.equal(mul.command, 'mul --workers 2');
  assert.equal(mul.lines, 6);
  assert.equal(mul.bytesIn, 12);
  assert.equal(mul.status, 0);
  assert.ok(mul.items!.length > 0 && mul.items!.every((item) => /^worker \d$/.test(item.lane)));
  const cpu = report.stages.reduce((sum, stage) => sum + (stage.userMs ?? 0) + (stage.sysMs ?? 0), 0);
  // the stages' total and the reaped children's CPU (kernel ticks of 10 ms) agree
  assert.ok(
    Math.abs(report.cpuMs - cpu) <= Math.max(40, 0.05 * report.cpuMs),
    `stages ${cpu} ms, reaped ${report.cpuMs} ms`,
  );
  // Each stage's CPU against an independent witness: what the process itself read (process.cpuUsage)
  // as it closed its trace. The kernel's figure at the reap is that plus the exit (a few ms), give or
  // take a 10 ms tick: a share of one stage's CPU given to the next (80% of mul's to add) is far out.
  const exits = parseTraceEvents(readFileSync(trace, 'utf8')).events.filter((event) => event.cat === 'exit');
  for (const name of ['mul', 'add']) {
    const stage = report.stages.find((candidate) => candidate.name === name)!;
    const exit = exits.find((event) => event.pid === stage.pid)?.args;
    assert.ok(exit, `no exit event of ${name} (pid ${stage.pid}) in the trace`);
    const own = Number(exit['userMs']) + Number(exit['sysMs']);
    const reported = (stage.userMs ?? 0) + (stage.sysMs ?? 0);
    assert.ok(
      reported >= own - 20 && reported <= own + Math.max(40, 0.2 * own),
      `${name}: CPU ${reported} ms in the report, ${own} ms by its own account`,
    );
  }
});

test("programs the shell reaps one after another each keep their own CPU (the kernel's, as each read it at its end)", async () => {
  // Three python3 stages end in turn, 0.6 s apart: the first computes 400 ms, the next two only wait. Each writes
  // the CPU it used (os.times, with its children: a pyenv shim runs some) to a file as it ends: the witness. The shell reaps each in its turn, so
  // each reap's CPU must go to that stage alone (a reap given every earlier stage's CPU too is far out).
  writeFileSync(
    path.join(scratch, 'stage.py'),
    [
      'import os, sys, time',
      'witness, busy_s, sleep_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])',
      'end = time.process_time() + busy_s',
      'while time.process_time() < end: pass',
      'time.sleep(sleep_s)',
      'sys.stdout.write(sys.stdin.read() + witness + "\\n")',
      'sys.stdout.flush()',
      't = os.times()',
      'open(witness, "w").write(str((t.user + t.system + t.children_user + t.children_system) * 1000))',
    ].join('\n'),
  );
  const stage = (name: string, busy: number, sleep: number): string =>
    `python3 ${scratch}/stage.py ${scratch}/${name}.cpu ${busy} ${sleep}`;
  const { report, exitCode } = await profile(
    `${stage('a', 0.4, 0)} </dev/null | ${stage('b', 0, 1)} | ${stage('c', 0, 1.6)} >/dev/null`,
  );
  assert.equal(exitCode, 0);
  assert.equal(report.stages.length, 3, report.stages.map((s) => s.command).join(' | '));
  for (const [index, name] of ['a', 'b', 'c'].entries()) {
    const own = Number(readFileSync(path.join(scratch, `${name}.cpu`), 'utf8'));
    const stage = report.stages[index]!;
    const reported = (stage.userMs ?? 0) + (stage.sysMs ?? 0);
    // (the witness is read before python's own exit, and CPU comes in 10 ms ticks: up to 60 ms more was
    // seen on a loaded machine; an earlier stage's 400 ms is far out)
    assert.ok(
      reported >= own - 20 && reported <= own + 100,
      `stage ${name} (${stage.command}): CPU ${reported} ms in the report, ${own} ms by its own account`,
    );
  }
});

test('a pipestage stage counts every byte it wrote, a result larger than its output buffer too', async () => {
  // 20000! has 77,338 digits: written past the stage's buffer, in one write of its own
  const { report, stdout } = await profile('echo 20000 | mul --repeat 1 | wc -c');
  const mul = report.stages.find((stage) => stage.name === 'mul')!;
  assert.equal(mul.bytesOut, Number(stdout.trim()));
});

test("an ordinary program's bytes: its whole I/O, final, where the shell reaped it alone; unknown where with others", async () => {
  // The first stage ends (and is reaped alone) while the second sleeps; the second is reaped last.
  // The witness: head writes exactly 5000 bytes, wc -c exactly "5000\n"; each reads 5000 bytes of
  // data (from /dev/zero, from the pipe) besides its programs' libraries.
  const { report } = await profile('(sleep 0.3; head -c 5000 /dev/zero) | (sleep 0.6; wc -c)');
  assert.deepEqual(
    report.stages.map((stage) => stage.bytesOut),
    [5000, 5],
  );
  for (const stage of report.stages) assert.ok(stage.bytesIn! >= 5000, `${stage.command} read ${stage.bytesIn}`);
  // stages ending within one interval of the samples are reaped together: their bytes unknown, never a
  // sum or a last sample (each writes exactly "1\n2\n3\n"; one reaped alone, on a loaded machine, is exact)
  const together = await profile('seq 3 | cat | cat');
  for (const stage of together.report.stages) assert.ok([null, 6].includes(stage.bytesOut), JSON.stringify(stage));
  // two stages every sample saw, ending together between two samples 1 s apart: reaped together, so
  // unknown each (their sum, 1005 B written, is neither's)
  const pair = await profile('(sleep 0.3; head -c 1000 /dev/zero) | (sleep 0.3; wc -c)', '--interval 1000');
  assert.deepEqual(
    pair.report.stages.map((stage) => [stage.pid > 0, stage.bytesIn, stage.bytesOut]),
    [
      [true, null, null],
      [true, null, null],
    ],
  );
});

test('a stage with process substitutions: its bytes unknown (the shell reaps them apart from it, or nobody does)', async () => {
  for (const text of ["paste -d ' ' <(seq 3) <(seq 3)", "paste -d ' ' <(seq 3) <(seq 3) | (sleep 0.3; wc -c)"]) {
    const { report, stdout } = await profile(text);
    assert.equal(stdout, text.includes('wc') ? '12\n' : '1 1\n2 2\n3 3\n');
    const paste = report.stages[0]!;
    assert.equal(paste.command, "paste -d ' ' <(seq 3) <(seq 3)");
    // (seen or not — paste alone may end before the first sample — its bytes are not known)
    assert.deepEqual([paste.bytesIn, paste.bytesOut], [null, null], JSON.stringify(paste));
  }
  // a paste the samples saw, reaped alone by the shell: the case where its counters would be given
  // (it ends before the first sample now and then on a busy machine: run again until one saw it)
  const text = "paste -d ' ' <(seq 3) <(seq 3) | (sleep 0.3; wc -c)";
  let seen = 0;
  for (let run = 0; run < 8 && seen < 2; run++) {
    const paste = (await profile(text)).report.stages[0]!;
    if (paste.pid === 0) continue;
    seen++;
    assert.deepEqual([paste.bytesIn, paste.bytesOut], [null, null], JSON.stringify(paste));
  }
  assert.ok(seen > 0, `${text}: paste ended before the first sample in 8 runs of 8`);
});

test('stages reaped together between two samples: their CPU in part a share by rate, marked so (~, cpuShared); the whole exact', async () => {
  // samples 1 s apart (and 4 in the first 35 ms): all three seen early, reaped by the shell together
  const { report } = await profile('seq 1 400000 | gzip -1 | wc -c', '--interval 1000');
  assert.ok(
    report.stages.some((stage) => stage.cpuShared),
    JSON.stringify(report.stages.map((s) => [s.name, s.userMs, s.cpuShared])),
  );
  const stagesCpu = report.stages.reduce((sum, stage) => sum + stage.userMs! + stage.sysMs!, 0);
  assert.ok(Math.abs(report.cpuMs - report.unattributedCpuMs - stagesCpu) < 0.01, `${report.cpuMs} ${stagesCpu}`);
  const text = await sh(`timer --pipeline 'seq 1 400000 | gzip -1 | wc -c' --interval 1000 2>&1 >/dev/null`);
  const rows = text.stdout.split('\n').filter((line) => /^(seq|gzip|wc) /.test(line));
  assert.ok(
    rows.some((row) => / ~[\d.]+(µs|ms|s) /.test(row)),
    text.stdout,
  );
  assert.match(
    text.stdout.replace(/\n\s*/g, ' '),
    /~: reaped with other stages between two samples: in part its share by rate, an estimate\./,
  );
});

test('a stage ready before its first line comes waits for input from then on: its start-up ends when it asks', async () => {
  // The first line comes a second after the shell started; add is ready long before (a Node start-up).
  const { report } = await profile('(sleep 1; echo 1) | add');
  const add = report.stages[1]!;
  // (its start is known to a tick, 10 ms: /proc/PID/stat's starttime; the rest from its own trace)
  const firstLine = add.startMs + add.startupMs + add.waitingForInputMs;
  assert.ok(firstLine >= 990, `its start-up and its wait end at ${firstLine} ms, before the line came`);
  assert.ok(add.startupMs < add.waitingForInputMs, `start-up ${add.startupMs} ms, waiting ${add.waitingForInputMs} ms`);
  // its start-up from its fork on (exec and Node's own start come before its trace's clock): no time unknown
  assert.deepEqual([add.timeline[0]!.state, add.timeline[0]!.startMs, add.unknownMs], ['start-up', add.startMs, 0]);
});

test("a CPU-bound program's working time is its CPU time, at 1 ms samples too, its states adding up to its wall", async () => {
  // awk alone, one thread on a CPU all along: the kernel's user + sys (what the shell reaped) is the witness
  for (const interval of ['--interval 1', '']) {
    const { report } = await profile("awk 'BEGIN { for (i = 0; i < 20000000; i++) s += i }'", interval);
    const awk = report.stages[0]!;
    const cpu = awk.userMs! + awk.sysMs!;
    const shown = `${interval}: working ${awk.workingMs} ms, CPU ${cpu} ms`;
    assert.ok(Math.abs(awk.workingMs - cpu) <= Math.max(20, 0.05 * cpu), shown);
    const states = awk.workingMs + awk.waitingForCpuMs + awk.otherWaitMs + awk.waitingForInputMs;
    assert.ok(
      Math.abs(states + awk.blockedOnOutputMs + awk.startupMs - awk.wallMs) < 1,
      `${shown}, wall ${awk.wallMs}`,
    );
  }
});

test('bottleneck: a heavy second stage (the first waits on it or is done, the second works)', async () => {
  const { report } = await profile('seq 16 | sleep-task --for 2ms --mode spin | sleep-task --for 40ms --mode spin');
  // (two stages of one program: each named by its whole text as typed)
  assert.equal(report.bottleneck, 'sleep-task --for 40ms --mode spin', report.bottleneckLine);
  assert.match(
    report.bottleneckLine,
    /^bottleneck: sleep-task --for 40ms --mode spin — working \d+% of its wall(, waiting for a CPU \d+%)?(;|$)/,
  );
});

test('bottleneck: a heavy first stage (the next one waits for input from it)', async () => {
  const { report } = await profile('seq 16 | sleep-task --for 40ms --mode spin | sleep-task --for 2ms --mode spin');
  assert.equal(report.bottleneck, 'sleep-task --for 40ms --mode spin', report.bottleneckLine);
  assert.match(report.bottleneckLine, /sleep-task --for 2ms --mode spin waiting for input from it \d+%/);
  assert.ok(share(report, 'sleep-task --for 2ms --mode spin', 'waitingForInputMs') > 0.3);
});

test('bottleneck: an IO-bound stage in the middle (other waits, not CPU), and the suggestion is more concurrency', async () => {
  const { report } = await profile(
    'seq 16 | sleep-task --for 2ms --mode spin | sleep-task --for 50ms --mode wait | sleep-task --for 2ms --mode spin',
  );
  assert.equal(report.bottleneck, 'sleep-task#2', report.bottleneckLine);
  assert.match(
    report.bottleneckLine,
    /busy \d+% of its wall \(working \d+%(, waiting for a CPU \d+%)?, other waits \d+%\)/,
  );
  const waits = report.stages.find((stage) => stage.name === 'sleep-task#2')!;
  assert.ok(
    waits.otherWaitMs > 2 * (waits.workingMs + waits.waitingForCpuMs),
    JSON.stringify(waits, ['workingMs', 'waitingForCpuMs', 'otherWaitMs']),
  );
  assert.equal(report.prediction?.change, 'sleep-task --for 50ms --mode wait --concurrency 2');
});

test('bottleneck: an ordinary program (seq | gzip -9 | wc -c names gzip)', async () => {
  const { report, stdout } = await profile('seq 1 4000000 | gzip -9 | wc -c');
  assert.match(stdout, /^\d+\n$/);
  assert.equal(report.bottleneck, 'gzip', report.bottleneckLine);
  assert.ok(share(report, 'wc', 'waitingForInputMs') > 0.5);
  assert.equal(report.prediction?.change, 'gzip -9');
  const gzip = report.stages.find((stage) => stage.name === 'gzip')!;
  assert.ok(gzip.userMs! + gzip.sysMs! > 0.8 * report.cpuMs, 'gzip has most of the CPU');
});

test('bottleneck: a slow reader at the end (the stage before it is blocked on output)', async () => {
  const { report } = await profile('seq 1 300000 | (sleep 1; cat >/dev/null)');
  assert.equal(report.stages.length, 2);
  assert.match(report.bottleneck ?? '', /^\(sleep/, report.bottleneckLine); // cat, exec'd last, may end between two samples
  assert.ok(share(report, 'seq', 'blockedOnOutputMs') > 0.6, report.bottleneckLine);
  assert.match(report.bottleneckLine, /seq blocked on output to it \d+%/);
});

test('control characters in the typed text (an escape, a bell) are shown in the report as ^[ and ^G, not sent', async () => {
  // (printf makes the bytes: ESC and BEL in the pipeline's text itself)
  const result = await sh(`timer --pipeline "$(printf 'seq 3 | grep -v \\033x\\a | cat')" 2>&1 >/dev/null`);
  assert.equal(result.exitCode, 0);
  assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/);
  assert.match(result.stdout, /^timer: pipeline: seq 3 \| grep -v \^\[x\^G \| cat$/m);
  assert.match(result.stdout, /^grep -v \^\[x\^G {2,}0 /m);
});

test('the report: a row per stage with its shares, the chart with a legend, bottleneck and prediction lines', async () => {
  const result = await sh(
    `timer --pipeline 'seq 8 | sleep-task --for 20ms --concurrency 2 | cat' --svg ${scratch}/p.svg 2>&1 >/dev/null`,
  );
  assert.equal(result.exitCode, 0, result.stdout);
  const text = result.stdout;
  const shows = (pattern: RegExp): void => assert.match(text, pattern, `${pattern} not in:\n${text}`);
  shows(/^stage +status +wall +user +sys +peak RSS +read +written$/m);
  // (cut by display width to fit its table in 80 columns, as every table is)
  shows(/^sleep-task --for [^\n]*… +0 /m);
  for (const header of ['stage ', 'share of its wall ']) {
    const rows = text
      .slice(text.indexOf(`\n${header}`) + 1)
      .split('\n\n')[0]!
      .split('\n');
    for (const row of rows) assert.ok([...row].length <= 80, `wider than 80 columns: ${row}`);
  }
  shows(/^share of its wall +working +CPU wait +other waits +input wait +blocked +start-up$/m);
  shows(/^cat +\d+% +\d+% +\d+% +\d+% +\d+% +\d+%$/m);
  shows(/^ {2}slot 1 +\|/m);
  shows(/█ working/);
  shows(/^bottleneck: /m);
  // (the change, in the pipeline as typed, where the model gives it 10% less; else none, and why)
  shows(/^suggested: (seq 8 \| sleep-task --for 20ms --concurrency 4 \| cat\npredicted: \S+ \(now \S+\)|none — .+)$/m);
  shows(/sampled every 100ms/);
  const svg = readFileSync(`${scratch}/p.svg`, 'utf8');
  assert.match(svg, /^<svg /);
  assert.match(svg, />slot 2</);
  assert.match(svg, /bottleneck: /);
});

test("the report table: a pipestage stage's bytes read and written, each in its column (its own exact count)", async () => {
  // mul reads "1\\n" … "6\\n" (12 bytes) and writes 1, 2, 6, 24, 120, 720, a line each (17 bytes)
  const { stdout, exitCode } = await sh("timer --pipeline 'seq 6 | mul --repeat 1 | cat' 2>&1 >/dev/null");
  assert.equal(exitCode, 0, stdout);
  const rows = stdout.split('\n');
  const header = rows.find((row) => row.startsWith('stage '))?.split(/ {2,}|(?<=stage) +/);
  assert.deepEqual(header?.slice(-2), ['read', 'written'], stdout);
  const mul = rows
    .find((row) => row.startsWith('mul --repeat 1 '))
    ?.trim()
    .split(/ {2,}/);
  assert.deepEqual(mul?.slice(-2), ['12 B', '17 B'], stdout);
});

test('--trace writes a Chrome trace: a process per stage, timer’s state slices, the stages’ own item spans; an earlier run’s file is refused', async () => {
  const file = `${scratch}/pipeline-trace.json`;
  const result = await sh(`timer --pipeline 'seq 5 | mul | cat' --trace ${file} --no-progress 2>/dev/null`);
  assert.equal(result.stdout, '1\n2\n6\n24\n120\n');
  const events = JSON.parse(`${readFileSync(file, 'utf8').trim().replace(/,$/, '')}]`) as {
    name: string;
    cat?: string;
    ph: string;
    pid: number;
    args?: { name?: string };
  }[];
  const names = events.filter((event) => event.name === 'process_name').map((event) => event.args!.name);
  assert.ok(names.includes('mul') && names.includes('cat') && names.length >= 3, names.join(', '));
  assert.ok(events.some((event) => event.cat === 'item' && event.name === 'mul'));
  assert.ok(events.some((event) => event.cat === 'pipeline-state'));
  const report = await sh(`timer report ${file}`);
  assert.equal(report.exitCode, 0, report.stderr);
  writeFileSync(
    `${scratch}/old.json`,
    '[\n{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"x","startTicks":1}},\n',
  );
  const refused = await sh(`timer --pipeline 'touch ${scratch}/touched' --trace ${scratch}/old.json`);
  assert.equal(refused.exitCode, 125);
  assert.match(refused.stderr, /trace of an earlier run; remove it/);
  assert.equal(existsSync(`${scratch}/touched`), false, 'nothing ran');
});

test('a subshell is one stage, its children inside it (two pipestage stages in it are not rows of their own)', async () => {
  const { report, stdout } = await profile('seq 10 | (mul --repeat 20000 | add) | cat');
  assert.equal(stdout.split('\n').length, 11);
  assert.deepEqual(
    // as typed, seq 10 too, which may end before any sample sees it
    report.stages.map((stage) => stage.command),
    ['seq 10', '(mul --repeat 20000 | add)', 'cat'],
    JSON.stringify(report.stages.map(({ pid, command, stdin, stdout }) => ({ pid, command, stdin, stdout }))),
  );
  assert.ok(report.stages[1]!.userMs! > 0);
});

test('a stage starting late joins the run’s trace (a; sleep; b), and every stage has its row', async () => {
  const { report } = await profile('seq 3 | mul; sleep 2.2; seq 2 | add');
  const traced = report.stages.filter((stage) => stage.items !== null).map((stage) => stage.name);
  assert.deepEqual(traced.sort(), ['add', 'mul']);
  // every stage has its row, as typed, a 1 ms `seq` that no sample may see too
  assert.deepEqual(
    report.stages.map((stage) => stage.command),
    ['seq 3', 'mul', 'sleep 2.2', 'seq 2', 'add'],
  );
  assert.deepEqual(
    report.stages.map((stage) => stage.items !== null),
    [false, true, false, false, true],
    'the traced stages in their own rows',
  );
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
  const run = sh(
    `timer --pipeline 'sleep ${marker} | sleep ${marker}' --no-progress 2>/dev/null & pid=$!; while [ "$(pgrep -fc "^sleep ${marker}$")" != 2 ]; do sleep 0.05; done; kill -TERM $pid; wait $pid; echo "status $?"; sleep 0.2; pgrep -f "^sleep ${marker}$" || echo none left`,
  );
  const result = await run;
  assert.match(result.stdout, /status 143\nnone left\n$/);
});

test('SIGUSR1 prints a line so far (each stage and its CPU) and the run goes on', async () => {
  const result = await sh(
    `timer --pipeline 'seq 3 | sleep-task --for 317ms' 2>${scratch}/usr1 & pid=$!; while ! pgrep -f "^node .*bin/sleep-task --for 317ms$" >/dev/null; do sleep 0.05; done; sleep 0.3; kill -USR1 $pid; wait $pid; echo "status $?"`,
  );
  assert.match(result.stdout, /^1\n2\n3\nstatus 0\n$/);
  const report = readFileSync(`${scratch}/usr1`, 'utf8');
  assert.match(report, /^timer: pipeline: \S+ so far; .*sleep-task --for 317ms: CPU \S+$/m);
  assert.match(report, /^bottleneck: /m);
  assert.doesNotMatch(report, /Debugger listening/);
});
