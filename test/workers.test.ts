// Scaling a stage past one process: --workers (worker threads, in the engine) and GNU parallel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { parseTraceEvents } from '../src/trace/trace-file.js';
import { setTimeout as delay } from 'node:timers/promises';
import { BIN, durationMs, ENV, sh } from './helpers.js';
import { computingThreads, waitFor } from './states.js';

const hasParallel = (await sh('command -v parallel')).exitCode === 0;
const NO_PARALLEL = 'GNU parallel is not installed (apt-get install parallel; .ci/run installs it)';

const factorial = (n: bigint): bigint => (n <= 1n ? 1n : n * factorial(n - 1n));
const triangle = (n: bigint): bigint => (n * (n + 1n)) / 2n;
const lines = (from: number, to: number, f: (n: bigint) => bigint): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${f(BigInt(from + i))}\n`).join('');

test('--workers: the exact results, in order, for mul and add (as one worker gives them)', async () => {
  const cases: [string, string][] = [
    ['seq 0 300 | mul --repeat 20 --workers 3', lines(0, 300, factorial)],
    ['seq 1 5000 | add --repeat 2 --workers 3', lines(1, 5000, triangle)],
    ['seq 1 3000 | add --formula --workers 3', lines(1, 3000, triangle)],
  ];
  for (const [command, expected] of cases) {
    const threaded = await sh(command);
    assert.equal(threaded.exitCode, 0);
    assert.ok(threaded.stdout === expected, `${command}: output differs`);
  }
});

test('--workers: bad lines reported with their numbers; the right results still come out in order', async () => {
  const input = '3\nabc\n4\n100001\n\n5\n';
  for (const workers of [1, 2, 4]) {
    const { stdout, stderr, exitCode } = await sh(`mul --repeat 1 --workers ${workers}`, input);
    assert.equal(stdout, '6\n24\n120\n', `workers ${workers}`);
    assert.equal(stderr, "mul: line 2: invalid number 'abc'\nmul: line 4: 100001 exceeds the limit 100000\n");
    assert.equal(exitCode, 1);
  }
});

test('--workers: --time, EPIPE, write errors and usage errors as with one worker', async () => {
  const timed = await sh('seq 3 | mul --repeat 10 --workers 2 --time');
  assert.equal(timed.stdout, '1\n2\n6\n');
  assert.match(timed.stderr, /^mul: line 1: .+\nmul: line 2: .+\nmul: line 3: .+\nmul: 3 lines, busy .+\n$/);
  const gone = await sh('{ yes 11 | mul --repeat 4000000 --workers 2; echo "mul=$?" >&2; } | head -n 1');
  assert.equal(gone.stdout, '39916800\n');
  assert.equal(gone.stderr, 'mul=0\n');
  const full = await sh('seq 3 | mul --repeat 1 --workers 2 >/dev/full');
  assert.equal(full.stderr, 'mul: write error: No space left on device\n');
  assert.equal(full.exitCode, 1);
  const usage = await sh('mul --workers 0');
  assert.equal(usage.exitCode, 2);
});

test('--workers: Ctrl-C ends all workers at once', { timeout: 60_000 }, async () => {
  const child = execa(`${BIN}/mul`, ['--repeat', '1000000000', '--workers', '2'], {
    env: ENV,
    input: '11\n11\n11\n',
    reject: false,
  });
  // Sent once both worker threads compute (running or runnable), however long the start took.
  await waitFor('two threads computing', async () => (await computingThreads(child.pid!)) >= 2, 30_000);
  const sent = performance.now();
  child.kill('SIGINT');
  const result = await Promise.race([child, delay(5000).then(() => undefined)]);
  if (result === undefined) child.kill('SIGKILL');
  assert.ok(result, 'mul still ran 5 s after SIGINT');
  assert.equal(result.signal, 'SIGINT');
  assert.ok(performance.now() - sent < 5000);
});

test('--workers 2 runs lines truly in parallel: two heavy lines overlap', async () => {
  // A functional property, whatever the machine's load: the stage's own trace shows a line computed on
  // one thread while another is computed on the other (each span measured inside its thread).
  const trace = `/tmp/pipestage-overlap-${process.pid}.json`;
  await sh(
    `rm -f ${trace}; printf "11\\n11\\n11\\n11\\n" | mul --repeat 10000000 --workers 2 --trace ${trace} >/dev/null`,
  );
  const { events } = parseTraceEvents(readFileSync(trace, 'utf8'));
  rmSync(trace, { force: true });
  const spans = (tid: number): [number, number][] =>
    events.filter((e) => e.cat === 'item' && e.tid === tid).map((e) => [e.ts!, e.ts! + e.dur!]);
  const [one, two] = [spans(1), spans(2)];
  assert.equal(one.length + two.length, 4);
  assert.ok(
    one.some(([a1, b1]) => two.some(([a2, b2]) => a1 < b2 && a2 < b1)),
    'no two lines were in progress on the two threads at once',
  );
});

// What `seq 1 200 | mul --repeat 1000 | add --formula` prints.
const PIPELINE = lines(1, 200, (n) => triangle(factorial(n)));

test('GNU parallel --pipe -k: the tools work as parallel jobs, order kept', {
  skip: !hasParallel && NO_PARALLEL,
}, async () => {
  const parallel = await sh('seq 1 200 | parallel --pipe -k -N 50 -j 2 mul --repeat 1000 | add --formula');
  assert.equal(parallel.exitCode, 0);
  assert.ok(parallel.stdout === PIPELINE, 'parallel output differs from the plain pipeline');
});

// (GNU parallel -S over ssh: test/package.test.ts, against a real OpenSSH server)

test('--workers N starts threads as work needs them (3 lines, 3 threads of 256), with no warning at any N', async () => {
  // Three lines, then input held open: once the three results are out, the threads that computed them
  // are idle and counted (no thread starts after its line is done).
  const threads = async (workers: number, repeat: number): Promise<number> => {
    const out = `/tmp/pipestage-threads-${process.pid}-${workers}`;
    const mul = `mul -r ${repeat} --workers ${workers}`;
    const { stdout, stderr } = await sh(
      `{ printf '11\\n11\\n11\\n'; exec sleep 29.71 2>/dev/null; } | ${mul} >${out} & p=$!; ` +
        `until [ "$(wc -l <${out})" -ge 3 ]; do sleep 0.05; done; grep Threads /proc/$p/status; kill $p; pkill -f '^sleep 29[.]71$'; wait; rm -f ${out}`,
    );
    const match = /^Threads:\s+(\d+)$/m.exec(stdout);
    assert.ok(match, stdout);
    assert.doesNotMatch(stderr, /Warning/);
    return Number(match[1]);
  };
  // (one worker: its one thread, whatever the lines weigh)
  const base = await threads(1, 1);
  // Three heavy lines read together: a thread each, started together; never more than three.
  const started = (await threads(256, 20_000_000)) - base;
  assert.equal(started, 3, `${started} threads for 3 lines`);
  const { stdout, stderr, exitCode } = await sh('seq 40 | mul -r 1 --workers 20 | add --formula --workers 256 | wc -l');
  assert.equal(exitCode, 0);
  assert.equal(stdout.trim(), '40');
  assert.equal(stderr, '', 'a warning with 20 or 256 workers');
});

test('--workers --time: per-line times are compute time (not queue waits), and the summary says what busy means', async () => {
  // Eight equal lines on two threads, up to four in flight: a line queued behind another on its thread
  // waits a whole line. Measured inside the thread, a line's time excludes that wait, so the eight
  // times add up to at most what two threads can compute while a line is in progress (2 x busy);
  // counted from the queue, they add up to about 14 lines' time against 2 x busy's 8.
  const { stderr } = await sh('yes 11 | head -n 8 | mul -r 4000000 --workers 2 --time >/dev/null');
  const times = [...stderr.matchAll(/^mul: line \d+: ([\d.]+m?s)$/gm)].map(([, time]) => durationMs(time!));
  assert.equal(times.length, 8, stderr);
  const summary =
    /^mul: 8 lines, busy (\S+) \(wall time with a line in progress\), compute (\S+) \(summed over the worker threads\)$/m.exec(
      stderr,
    );
  assert.ok(summary, stderr);
  const [busy, compute] = [durationMs(summary[1]!), durationMs(summary[2]!)];
  const sum = times.reduce((a, b) => a + b);
  // (pretty-ms rounds each figure: to 0.5 ms under a second, to 5 ms above)
  assert.ok(sum <= 2 * busy + 9 * 5, `the lines' times add up to ${sum} ms, more than 2 threads x busy ${busy} ms`);
  assert.ok(Math.abs(compute - sum) <= 9 * 5, `compute ${compute} ms, the lines' sum ${sum} ms`);
});

test('--workers N runs at most N lines at once (a waiting sleep-task: N x its --concurrency)', async () => {
  // The stage's own trace, whatever the machine's load: the most lines in progress at once, over all its
  // threads and on one (its lane). Lines sent ahead to a thread all waited at once (four at a time on two
  // threads); with --concurrency 2 in each thread, two at once on a thread, four in all at most.
  const most = async (options: string): Promise<{ all: number; lane: number }> => {
    const trace = `/tmp/pipestage-at-once-${process.pid}.json`;
    await sh(`rm -f ${trace}; seq 6 | sleep-task --for 100ms ${options} --trace ${trace} >/dev/null`);
    const { events } = parseTraceEvents(readFileSync(trace, 'utf8'));
    rmSync(trace, { force: true });
    const items = events.filter((e) => e.cat === 'item');
    assert.equal(items.length, 6, 'each line a span of its own (100 ms apart: none merged)');
    const atOnce = (spans: typeof items): number =>
      Math.max(...spans.map((span) => spans.filter((o) => o.ts! <= span.ts! && span.ts! < o.ts! + o.dur!).length));
    const lanes = [...new Set(items.map((e) => e.tid))].map((tid) => atOnce(items.filter((e) => e.tid === tid)));
    return { all: atOnce(items), lane: Math.max(...lanes) };
  };
  const two = await most('--workers 2');
  assert.ok(two.all <= 2 && two.lane === 1, `--workers 2: ${two.all} at once, ${two.lane} on a thread`);
  const four = await most('--workers 2 --concurrency 2');
  assert.ok(
    four.all <= 4 && four.lane === 2,
    `--workers 2 --concurrency 2: ${four.all} at once, ${four.lane} on a thread`,
  );
});
