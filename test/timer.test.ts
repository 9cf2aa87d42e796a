import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, sh, shBytes } from './helpers.js';
import { readTrace } from '../src/trace/read-trace.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-timer-'));
const SUMMARY =
  /^timer: [\w.-]+: \d+ lines in, \d+ out, wall [\d.]+(ns|µs|ms|s), (user .+, sys .+|CPU not available), peak RSS .+, [\d.]+ lines\/s(, .+)?\n$/;

test('timer: the command status is passed on (sh sees it)', async () => {
  for (const status of [0, 3, 42]) {
    const { exitCode, stderr } = await sh(`timer -- ${FIXTURES}/exit-with ${status}`);
    assert.equal(exitCode, status);
    assert.match(stderr, SUMMARY);
  }
});

test('timer: a command killed by signal N: timer reports, then dies of N (128+N)', async () => {
  for (const [signal, status] of [
    ['TERM', 143],
    ['KILL', 137],
    ['INT', 130],
    ['HUP', 129],
  ] as const) {
    const { stdout, stderr } = await sh(`timer -- ${FIXTURES}/die-by ${signal}; echo "status=$?"`);
    assert.equal(stdout, `status=${status}\n`, signal);
    assert.match(stderr, new RegExp(`killed by SIG${signal}\\n`));
    // A shell's $? cannot tell dying of N from exiting 128+N; its parent can: timer itself is killed by N
    // (sh execs timer, so the process this test waits for is timer's).
    const direct = await sh(`exec timer -- ${FIXTURES}/die-by ${signal} 2>/dev/null`);
    assert.deepEqual({ signal: direct.signal, exitCode: direct.exitCode }, { signal: `SIG${signal}`, exitCode: -1 });
  }
});

test('timer: not found is 127, not executable is 126, with one line', async () => {
  const missing = await sh('timer -- no-such-command-here arg');
  assert.equal(missing.exitCode, 127);
  assert.equal(missing.stderr, "timer: failed to run command 'no-such-command-here': No such file or directory\n");
  const file = path.join(scratch, 'not-executable');
  writeFileSync(file, '#!/bin/sh\necho hi\n');
  chmodSync(file, 0o644);
  const denied = await sh(`timer -- ${file}`);
  assert.equal(denied.exitCode, 126);
  assert.equal(denied.stderr, `timer: failed to run command '${file}': Permission denied\n`);
});

test('timer: usage errors exit 2; a failure of its own (unwritable --output) is 125', async () => {
  const usage = await sh('timer --label');
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /Try 'timer --help'/);
  assert.equal((await sh('timer')).exitCode, 2);
  const own = await sh('timer --output /nonexistent-dir/report -- true');
  assert.equal(own.exitCode, 125);
  assert.equal(own.stderr, "timer: cannot open '/nonexistent-dir/report': No such file or directory\n");
});

test('timer: SIGINT, SIGTERM, SIGHUP, SIGQUIT reach the command (it says so), which dies of it: 128+N', {
  timeout: 60_000,
}, async () => {
  // Sent once the command has set its traps (it says "ready"), so timer's handlers exist too.
  for (const [signal, status] of [
    ['INT', 130],
    ['TERM', 143],
    ['HUP', 129],
    ['QUIT', 131],
  ] as const) {
    const out = path.join(scratch, `trap-${signal}`);
    const { stdout } = await sh(
      `ulimit -c 0; timer -- ${FIXTURES}/trap-signals >${out} 2>${out}.err & p=$!; ` +
        `until grep -q ready ${out} 2>/dev/null; do sleep 0.02; done; kill -${signal} $p; wait $p; echo "status=$?"`,
    );
    assert.equal(stdout, `status=${status}\n`, signal);
    assert.equal(readFileSync(out, 'utf8'), `ready\ngot ${signal}\n`, `${signal} was not passed on`);
    const report = readFileSync(`${out}.err`, 'utf8');
    assert.match(report, new RegExp(`^timer: trap-signals: .*, killed by SIG${signal}\\n$`));
  }
});

test('timer: a signal passed on leaves no orphan (a background job ignoring SIGINT is ended)', async () => {
  const tag = `${process.pid % 100000}`;
  const sleeps = `pgrep -f '^sleep 3[12][.]${tag}$' | wc -l`;
  for (const [signal, status] of [
    ['INT', 130],
    ['TERM', 143],
    ['HUP', 129],
  ] as const) {
    // The command starts a background job (which ignores SIGINT, as sh makes it) and a foreground one;
    // the signal is sent once both run.
    const { stdout } = await sh(
      `timer -- sh -c 'sleep 31.${tag} & sleep 32.${tag}' & p=$!; until [ "$(${sleeps})" = 2 ]; do sleep 0.02; done; ` +
        `kill -${signal} $p; wait $p; echo "status=$?"; sleep 0.2; ${sleeps}`,
    );
    const [statusLine, left] = stdout.trim().split('\n');
    assert.equal(statusLine, `status=${status}`, signal);
    assert.equal(left, '0', `${signal}: processes left behind`);
  }
});

test('timer: a command that exits without reading its stdin is not an error', async () => {
  const { stdout, stderr, exitCode } = await sh(`seq 1 200000 | timer -- ${FIXTURES}/ignore-stdin`);
  assert.equal(exitCode, 0);
  assert.equal(stdout, 'ignored\n');
  assert.match(stderr, SUMMARY);
});

test('timer: random binary data passes through byte for byte, with and without --each', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);
  for (const options of ['', '--each --output /dev/null', `--trace ${path.join(scratch, 'binary.trace.json')}`]) {
    const { stdout, exitCode } = await shBytes(`timer ${options} -- cat`, data);
    assert.equal(exitCode, 0);
    assert.ok(stdout.equals(data), `bytes differ (${options || 'no options'})`);
  }
});

test('timer: what the command writes (binary) arrives unchanged', async () => {
  const { stdout } = await shBytes(`timer -- ${FIXTURES}/write-binary 100000 7`);
  let state = 7;
  const expected = Buffer.alloc(100000);
  for (let i = 0; i < expected.length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    expected[i] = state & 0xff;
  }
  assert.ok(stdout.equals(expected));
});

test('timer: counts lines in and out (a last line without newline counts)', async () => {
  const { stdout, stderr } = await sh('printf "a\\nb\\nc" | timer -- cat');
  assert.equal(stdout, 'a\nb\nc');
  assert.match(stderr, /^timer: cat: 3 lines in, 3 out, /);
  assert.match((await sh('seq 5 | timer --label five -- head -n 2')).stderr, /^timer: five: 5 lines in, 2 out, /);
});

test('timer --each --json: latency = out - in, service = out - max(in, previous out), and the schema', async () => {
  // Lines 1 and 2 come together, line 3 later: line 2 is served once line 1 is out, line 3 from its arrival.
  const { stdout, stderr, exitCode } = await sh(
    '{ echo 1; echo 2; sleep 0.4; echo 3; } | timer --each --json -- sleep-task --for 100ms',
  );
  assert.equal(exitCode, 0);
  assert.equal(stdout, '1\n2\n3\n');
  const report = JSON.parse(stderr) as {
    pipestageTimer: number;
    summary: Record<string, unknown>;
    items: Record<string, number>[];
  };
  assert.equal(report.pipestageTimer, 1);
  const summary = report.summary;
  const keys = 'bytesIn bytesOut command error exitCode label linesIn linesOut linesPerSecond peakRssBytes';
  assert.deepEqual(Object.keys(summary).sort(), `${keys} rssSampleIntervalMs signal sysMs userMs wallMs`.split(' '));
  assert.deepEqual(summary['command'], ['sleep-task', '--for', '100ms']);
  assert.equal(summary['label'], 'sleep-task');
  assert.equal(summary['exitCode'], 0);
  assert.equal(summary['signal'], null);
  assert.equal(summary['error'], null);
  assert.equal(summary['linesIn'], 3);
  assert.equal(summary['linesOut'], 3);
  assert.equal(summary['bytesOut'], 6);
  for (const key of ['wallMs', 'userMs', 'sysMs', 'peakRssBytes', 'linesPerSecond'])
    assert.equal(typeof summary[key], 'number', key);
  assert.equal(report.items.length, 3);
  // Figures are rounded to the µs: the formulas hold to 2 µs. Each line spends 100 ms in the stage.
  const near = (got: number, want: number, what: string): void =>
    assert.ok(Math.abs(got - want) <= 0.002, `${what}: ${got}, formula ${want} (${JSON.stringify(report.items)})`);
  report.items.forEach((item, index) => {
    const { line, inMs, outMs, latencyMs, serviceMs } = item as Record<string, number>;
    const previousOut = index === 0 ? 0 : report.items[index - 1]!['outMs']!;
    assert.equal(line, index + 1);
    assert.ok(inMs! >= 0 && outMs! >= inMs! && outMs! >= previousOut, JSON.stringify(item));
    near(latencyMs!, outMs! - inMs!, `line ${line} latency`);
    near(serviceMs!, outMs! - Math.max(inMs!, previousOut), `line ${line} service`);
    assert.ok(latencyMs! >= 100 - 0.5, `line ${line}: latency ${latencyMs} under the 100 ms it sleeps`);
  });
});

test('timer --each: one line per item on stderr', async () => {
  const { stderr } = await sh('seq 2 | timer --each -- sleep-task --for 30ms');
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^timer: sleep-task: line 1: latency \d+ms, service \d+ms$/);
  assert.match(lines[1]!, /^timer: sleep-task: line 2: latency \d+ms, service \d+ms$/);
});

test('timer --output FILE: reports go to the file, stderr stays clean', async () => {
  const file = path.join(scratch, 'report.txt');
  const { stderr } = await sh(`seq 3 | timer --output ${file} -- cat >/dev/null`);
  assert.equal(stderr, '');
  assert.match(readFileSync(file, 'utf8'), SUMMARY);
});

test('timer --progress: nothing when stderr is not a terminal', async () => {
  const { stderr } = await sh('seq 3 | timer --progress -- sleep-task --for 50ms >/dev/null');
  assert.match(stderr, SUMMARY);
});

test('timer: reader gone (| head -n 1): closes the command, reports, passes on its status', async () => {
  const { stdout, stderr } = await sh('{ yes | timer -- cat; echo "timer=$?" >&2; } | head -n 1');
  assert.equal(stdout, 'y\n');
  const lines = stderr.trim().split('\n');
  assert.match(`${lines[0]}\n`, SUMMARY);
  // timer closed cat's pipes: cat ends on EOF (0) or dies of SIGPIPE (141), whichever it meets first.
  assert.match(lines[1]!, /^timer=(0|141)$/);
  if (lines[1] === 'timer=141') assert.match(lines[0]!, /killed by SIGPIPE$/);
  const stage = await sh('{ yes 11 | timer -- mul --repeat 1; echo "timer=$?" >&2; } | head -n 1');
  assert.equal(stage.stderr.trim().split('\n')[1], 'timer=0'); // mul ends quietly with 0
});

test('timer gives the command real pipes: a writer blocked on a full pipe when the reader goes away dies of SIGPIPE, as in a shell pipe', async () => {
  const kinds = await sh(
    "echo x | timer --output /dev/null -- sh -c 'test -p /dev/stdin && test -p /dev/stdout && echo pipes'",
  );
  assert.equal(kinds.stdout, 'pipes\n');
  // (Node's own child pipes are socketpairs: head then failed with "Connection reset by peer", exit 1.)
  for (const reader of ['| head -c 1 >/dev/null', '>/dev/full']) {
    const { stderr } = await sh(`{ timer -- head -c 10000000 /dev/zero </dev/null; echo "timer=$?" >&2; } ${reader}`);
    const lines = stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('timer: write error: '));
    assert.equal(lines.length, 2, `${reader}: ${stderr}`);
    assert.match(lines[0]!, /^timer: head: .*, killed by SIGPIPE$/, reader);
    assert.equal(lines[1], reader === '>/dev/full' ? 'timer=1' : 'timer=141');
  }
});

test('timer --trace: two stages append to one file: one span per item per stage, never overlapping', async () => {
  const trace = path.join(scratch, 'two.trace.json');
  const { stdout } = await sh(
    `seq 4 | timer --trace ${trace} --label first -- sleep-task --for 60ms 2>/dev/null | timer --trace ${trace} --label second -- sleep-task --for 40ms 2>/dev/null`,
  );
  assert.equal(stdout, '1\n2\n3\n4\n');
  const text = readFileSync(trace, 'utf8');
  assert.ok(text.startsWith('[\n'));
  const events = JSON.parse(`${text.trim().replace(/,$/, '')}]`) as {
    ph: string;
    pid: number;
    ts: number;
    dur: number;
    name: string;
    args: Record<string, unknown>;
  }[];
  const names = events
    .filter((e) => e.name === 'process_name')
    .map((e) => e.args['name'])
    .sort();
  assert.deepEqual(names, ['first', 'second']);
  const { stages } = readTrace(text);
  assert.deepEqual(
    stages.map((stage) => [stage.name, stage.items, stage.spans.length]),
    [
      ['first', 4, 4],
      ['second', 4, 4],
    ],
  );
  for (const stage of stages) {
    for (let i = 1; i < stage.spans.length; i++)
      assert.ok(stage.spans[i]![0] >= stage.spans[i - 1]![1], `${stage.name}: spans overlap`);
  }
  // The shared clock: the second stage's first item ends after the first stage's first item.
  assert.ok(stages[1]!.spans[0]![1] >= stages[0]!.spans[0]![1]);
});

test('timer --trace: a fast stage gets merged spans, so the trace stays small', async () => {
  const trace = path.join(scratch, 'fast.trace.json');
  await sh(`seq 1 200000 | timer --trace ${trace} -- add --formula >/dev/null`);
  const [stage] = readTrace(readFileSync(trace, 'utf8')).stages;
  assert.equal(stage!.items, 200000);
  assert.ok(stage!.spans.length < 20000, `${stage!.spans.length} spans`);
});

test('timer report --width 80: the Gantt chart of a recorded trace (golden output)', async () => {
  const { stdout, exitCode } = await sh(`timer report ${FIXTURES}/two-stages.trace.json --width 80`);
  assert.equal(exitCode, 0);
  assert.equal(stdout, readFileSync(`${FIXTURES}/two-stages.report.txt`, 'utf8'));
});

test('timer report --svg: an SVG picture; a missing or broken file is an error', async () => {
  const svg = path.join(scratch, 'chart.svg');
  const { exitCode } = await sh(`timer report ${FIXTURES}/two-stages.trace.json --svg ${svg} >/dev/null`);
  assert.equal(exitCode, 0);
  const picture = readFileSync(svg, 'utf8');
  assert.match(picture, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((picture.match(/<rect [^>]*fill="#(4e79a7|f28e2b)" stroke="white"/g) ?? []).length, 12); // 6 items x 2 stages
  const missing = await sh('timer report /nonexistent.json');
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /^timer: cannot read trace '\/nonexistent.json': No such file or directory\n$/);
  writeFileSync(path.join(scratch, 'broken.json'), '[{"ph":');
  assert.equal((await sh(`timer report ${scratch}/broken.json`)).exitCode, 1);
});
