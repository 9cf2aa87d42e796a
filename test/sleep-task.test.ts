import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { BIN, durationMs, ENV, mismatch, sh, shBytes, type Case } from './helpers.js';
import { parseDuration, parseTask } from '../src/kernels/sleep.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-sleep-task-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('parseDuration: units required, ms semantics, limits', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('0ms'), 0);
  assert.equal(parseDuration('1d'), 86_400_000);
  for (const bad of ['2', 'soon', '-2s', '2x', '', '1.5', '25h']) assert.throws(() => parseDuration(bad), bad);
});

test('parseTask: a label exactly when the first token is not a step', () => {
  assert.deepEqual(parseTask('meatballs 2s block:1s 2s', 'wait'), {
    label: 'meatballs',
    steps: [
      { mode: 'wait', ms: 2000 },
      { mode: 'block', ms: 1000 },
      { mode: 'wait', ms: 2000 },
    ],
  });
  assert.deepEqual(parseTask('2s spin:5ms\r', 'block'), {
    label: undefined,
    steps: [
      { mode: 'block', ms: 2000 },
      { mode: 'spin', ms: 5 },
    ],
  });
  assert.throws(() => parseTask('pasta', 'wait'), { message: "invalid duration 'pasta'" });
  assert.throws(() => parseTask('pasta soon', 'wait'), { message: "invalid duration 'soon'" });
  assert.throws(() => parseTask('pasta sleep:2s', 'wait'), { message: "invalid step 'sleep:2s'" });
  assert.throws(() => parseTask('  ', 'wait'), /no step/);
});

// (bad option values and durations: test/hardening.test.ts)
const cases: Case[] = [
  { name: 'lines pass through', command: 'sleep-task --for 1ms', stdin: 'a\nb\n', stdout: 'a\nb\n', exitCode: 0 },
  {
    name: 'blank lines, CRLF, no final newline pass through',
    command: 'sleep-task --for 0ms',
    stdin: '\r\n\nx\r\ny',
    stdout: '\r\n\nx\r\ny',
    exitCode: 0,
  },
  { name: 'empty input', command: 'sleep-task --for 1s', stdin: '', stdout: '', exitCode: 0 },
  {
    name: '--from-input: bad lines reported, not written; the rest in order',
    command: 'sleep-task --from-input --concurrency 4',
    stdin: 'a 1ms\nb soon\nc -2s\nd 1ms\n3\n',
    stdout: 'a 1ms\nd 1ms\n',
    stderr:
      "sleep-task: line 2: invalid duration 'soon'\nsleep-task: line 3: invalid duration '-2s' (negative)\nsleep-task: line 5: invalid duration '3' (a unit is required: 250ms, 2s, 1.5m)\n",
    exitCode: 1,
  },
  {
    name: '--for or --from-input is required',
    command: 'sleep-task',
    stdout: '',
    stderr: /one of --for DURATION or --from-input is required\nTry 'sleep-task --help'/,
    exitCode: 2,
  },
];

for (const c of cases) {
  test(`sleep-task: ${c.name}`, async () => {
    assert.equal(mismatch(c, await sh(c.command, c.stdin)), undefined);
  });
}

test('sleep-task: every byte passes through unchanged (NUL, invalid UTF-8, CR, no final newline)', async () => {
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3)) & 0xff;
  const { stdout, exitCode } = await shBytes('sleep-task --for 0ms --concurrency 8', bytes);
  assert.equal(exitCode, 0);
  assert.ok(stdout.equals(bytes), 'output bytes differ from input bytes');
});

test('sleep-task: order is kept by default; --unordered writes lines as they finish', async () => {
  const input = 'slow 300ms\nfast 1ms\n';
  assert.equal((await sh('sleep-task --from-input --concurrency 2', input)).stdout, input);
  assert.equal(
    (await sh('sleep-task --from-input --concurrency 2 --unordered', input)).stdout,
    'fast 1ms\nslow 300ms\n',
  );
});

test('sleep-task: ten concurrent 200ms waits overlap (the time with a line in progress is well under their sum)', async () => {
  // Measured inside the process (--time), so a loaded machine's slow start-up does not count.
  const { stdout, stderr } = await sh('seq 10 | sleep-task --for 200ms --concurrency 10 --time');
  assert.equal(stdout, '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n');
  const ms = (text: string): number => Number(/[\d.]+/.exec(text)![0]) * (text.endsWith('ms') ? 1 : 1000);
  const lines = [...stderr.matchAll(/^sleep-task: line \d+: ([\d.]+m?s)$/gm)].map(([, time]) => ms(time!));
  assert.equal(lines.length, 10, stderr);
  assert.ok(
    lines.every((time) => time >= 200),
    stderr,
  );
  const busy = ms(/^sleep-task: 10 lines, busy ([\d.]+m?s)$/m.exec(stderr)![1]!);
  assert.ok(busy < 1000, `the waits did not overlap: ${stderr}`);
});

test('sleep-task: block and spin never overlap inside one process', async () => {
  for (const mode of ['block', 'spin']) {
    // A blocking first line holds the process: the quick second line cannot finish before it.
    const input = `slow ${mode}:200ms\nfast 1ms\n`;
    const { stdout } = await sh('sleep-task --from-input --concurrency 2 --unordered', input);
    assert.equal(stdout, `slow ${mode}:200ms\nfast 1ms\n`, mode);
    // Measured inside the process (--time: no start-up). The four lines start together and their
    // 100 ms steps hold the process in turn, so the k-th line to end took at least k x 100 ms, and the
    // time with a line in progress is at least the last one's (as waits, all four would end at 100 ms).
    // pretty-ms rounds each figure to 0.5 ms.
    const { stderr } = await sh(`seq 4 | sleep-task --for 100ms --mode ${mode} --concurrency 4 --time >/dev/null`);
    const lines = [...stderr.matchAll(/^sleep-task: line \d: (\S+)$/gm)].map(([, time]) => durationMs(time!));
    assert.equal(lines.length, 4, stderr);
    lines.sort((a, b) => a - b);
    lines.forEach((time, k) => assert.ok(time >= (k + 1) * 100 - 0.5, `${mode}: the steps overlapped: ${stderr}`));
    const busy = durationMs(/^sleep-task: 4 lines, busy (\S+)$/m.exec(stderr)?.[1] ?? '');
    assert.ok(busy >= lines[3]! - 0.5, `${mode}: busy ${busy} ms under the last line's ${lines[3]} ms`);
  }
});

test('sleep-task: --time reports each line and a summary', async () => {
  const { stdout, stderr } = await sh('printf "a\\nb\\n" | sleep-task --for 20ms --time');
  assert.equal(stdout, 'a\nb\n');
  assert.match(stderr, /^sleep-task: line 1: \d+ms\nsleep-task: line 2: \d+ms\nsleep-task: 2 lines, busy \d+ms\n$/);
});

test('sleep-task: SIGINT ends a long wait at once (the shell sees 130)', { timeout: 60_000 }, async () => {
  // The signal is sent once the second line's hour-long wait has begun: the first line is out.
  const input = 'a 0ms\nb 1h\n';
  const { stdout } = await sh(
    `printf '${input}' | sleep-task --from-input >${scratch}/out & pid=$!; ` +
      `until [ -s ${scratch}/out ]; do sleep 0.02; done; kill -INT $pid; wait $pid; echo "status=$?"; cat ${scratch}/out`,
    undefined,
    30_000,
  );
  assert.equal(stdout, 'status=130\na 0ms\n');
  const child = execa(`${BIN}/sleep-task`, ['--from-input'], { env: ENV, input, reject: false, buffer: false });
  await once(child.stdout!, 'data');
  const sent = performance.now();
  child.kill('SIGINT');
  const result = await Promise.race([child, delay(5000).then(() => undefined)]);
  if (result === undefined) child.kill('SIGKILL');
  assert.ok(result, 'sleep-task still waited 5 s after SIGINT');
  assert.equal(result.signal, 'SIGINT');
  assert.ok(performance.now() - sent < 5000);
});

test('sleep-task: reader gone during waits: exit 0 at once', async () => {
  const { stdout, stderr } = await sh(
    '{ yes | sleep-task --for 10ms --concurrency 4; echo "status=$?" >&2; } | head -n 2',
  );
  assert.equal(stdout, 'y\ny\n');
  assert.equal(stderr, 'status=0\n');
});

test('sleep-task --concurrency 100000 over 30,000 lines: every line in order, no warning (one abort listener for all waits)', async () => {
  const { stdout, stderr, exitCode } = await sh(
    'seq 30000 | sleep-task --for 300ms --concurrency 100000 | sha1sum; seq 30000 | sha1sum',
  );
  assert.equal(exitCode, 0);
  const [got, want] = stdout.trim().split('\n');
  assert.equal(got, want);
  assert.equal(stderr, '');
  const unordered = await sh(
    'seq 20 | sleep-task --for 10ms --concurrency 20 --unordered 2>&1 | sort -n | uniq | wc -l',
  );
  assert.equal(unordered.stdout.trim(), '20');
});

test('--preempt: two CPU-bound lines take turns as Python threads do: each takes about twice as long, the total is unchanged', async () => {
  const ms = (text: string): number => Number(/[\d.]+/.exec(text)![0]) * (text.endsWith('ms') ? 1 : 1000);
  const { stdout, stderr } = await sh(
    "printf 'a spin:200ms\\nb spin:200ms\\n' | sleep-task --from-input --concurrency 2 --preempt 5ms --unordered --time",
  );
  assert.equal(stdout.split('\n').filter(Boolean).length, 2);
  const lines = [...stderr.matchAll(/^sleep-task: line \d: ([\d.]+m?s)$/gm)].map(([, time]) => ms(time!));
  assert.equal(lines.length, 2, stderr);
  // Round-robin slices: both lines end near the end of the run (as asyncio tasks, the first would end
  // halfway), and the run takes the CPU time of both (400 ms), however loaded the machine.
  const busy = ms(/busy ([\d.]+m?s)$/m.exec(stderr)![1]!);
  assert.ok(busy >= 390, `busy ${busy} ms`);
  for (const time of lines)
    assert.ok(time >= 0.9 * busy, `a line ended after ${time} ms of ${busy}: the lines did not take turns`);
  // A block step keeps the GIL (and the process): the line behind it cannot even start its wait.
  const blocked = await sh(
    "printf 'a block:200ms\\nb wait:10ms\\n' | sleep-task --from-input --concurrency 2 --preempt 5ms --unordered",
  );
  assert.equal(blocked.stdout, 'a block:200ms\nb wait:10ms\n');
  const usage = await sh('sleep-task --for 1s --preempt 5');
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /--preempt: invalid duration '5' \(a unit is required/);
});
