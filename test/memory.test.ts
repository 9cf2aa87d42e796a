// Memory promises, measured by witnesses independent of the code under test:
// - the stages' "memory stays flat on any input" (man mul, add, sleep-task), with --workers, with
//   --concurrency and at 10M lines: peak RSS from GNU time (`/usr/bin/time -f %M`, the kernel's
//   ru_maxrss of the stage alone) at two input sizes, the growth per line bounded;
// - timer's peak RSS is "the largest sum over the command's process tree" (man timer): two processes
//   holding known memory, timer's figure against the sum of their own VmHWM (/proc/PID/status).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ENV, FIXTURES, ROOT, sh } from './helpers.js';
import { waitFor } from './states.js';

const GNU_TIME = '/usr/bin/time';
const noTime = existsSync(GNU_TIME) ? false : `no ${GNU_TIME} (Debian: apt-get install time; .ci/run installs it)`;
const MB = 1024 * 1024;

/**
 * Runs `producer | [env] stage | wc -c` with GNU time around the stage alone: its peak RSS in bytes,
 * and the bytes it wrote (so that a stage that stopped early does not pass as flat).
 */
async function stagePeak(producer: string, stage: string, env = ''): Promise<{ peak: number; bytesOut: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-memory-'));
  const file = path.join(dir, 'peak');
  try {
    const result = await sh(`${producer} | ${env} ${GNU_TIME} -f %M -o ${file} ${stage} | wc -c`);
    assert.equal(result.exitCode, 0, `${stage}: ${result.stderr}`);
    assert.equal(result.stderr, '');
    // (GNU time writes "Command exited with non-zero status N" first when it did)
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, `${stage}: ${lines.join(' / ')}`);
    return { peak: Number(lines[0]) * 1024, bytesOut: Number(result.stdout.trim()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Peak RSS of `stage` over `small` and `large` lines of `line` (each answered `answer`, checked), and
 * how much it grew between the two.
 */
async function growth(
  line: string,
  answer: string,
  stage: string,
  [small, large]: [number, number],
  env = '',
): Promise<{ grew: number; shown: string }> {
  const peaks: number[] = [];
  for (const lines of [small, large]) {
    const run = await stagePeak(`yes ${line} | head -n ${lines}`, stage, env);
    assert.equal(run.bytesOut, lines * (answer.length + 1), `${stage}: every one of ${lines} lines answered`);
    peaks.push(run.peak);
  }
  const [a, b] = peaks as [number, number];
  const shown =
    `${stage}: peak RSS ${(a / MB).toFixed(1)} MB at ${small} lines, ${(b / MB).toFixed(1)} MB at ${large} ` +
    `(${((b - a) / MB).toFixed(1)} MB more)`;
  return { grew: b - a, shown };
}

// V8's heap grows with the allocation rate until it settles: with --workers 2 (three isolates) the
// peak climbs from 83 MB at 10k lines to 117 MB at 100k and stays there at 1M (measured 2026-12, GNU
// time, V8's defaults) — bounded, but showing it takes 1M lines, 25 s of CPU (a message per line to a
// thread). So the heap is capped (1 MB semi-spaces, 16 MB old space: flags, not the code under test):
// anything kept per line then either overflows the heap, and V8 aborts the stage (keeping each
// line's pending entry, about 700 bytes a line, aborts before 40k lines), or shows in RSS outside
// the heap (buffers, threads). Measured with the cap: 73-76 MB at 10k, 30k and 60k lines (at most
// 2.7 MB apart, the GC's timing).
const CAPPED_HEAP = 'NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=16"';

test('--workers: memory stays flat as lines grow (peak RSS at 10k and 40k lines)', { skip: noTime }, async (t) => {
  const { grew, shown } = await growth('7', '5040', 'mul --repeat 1 --workers 2', [10_000, 40_000], CAPPED_HEAP);
  t.diagnostic(shown);
  assert.ok(grew < 6 * MB, shown);
});

// --concurrency (one thread, lines in flight on the event loop), heap capped likewise: measured
// 52.6-52.8 MB at 100k lines, 54.2-55.3 MB at 500k (2.5 MB apart at most).
test('--concurrency: memory stays flat as lines grow (peak RSS at 100k and 500k lines)', {
  skip: noTime,
}, async (t) => {
  const { grew, shown } = await growth(
    '7',
    '7',
    'sleep-task --for 0ms --concurrency 4',
    [100_000, 500_000],
    CAPPED_HEAP,
  );
  t.diagnostic(shown);
  assert.ok(grew < 8 * MB, shown);
});

// 10M lines through the cheapest stage per line (add --formula of 1: a one-digit answer, no loop; 1.6 s
// of CPU), with V8's defaults, as a user runs it: measured 52.7-55 MB at 1M lines and 56.9-58.5 MB at
// 10M (4.2 MB more at most); 16 MB more fails a leak of 2 bytes a line.
test('10M lines: memory stays flat (add --formula, peak RSS at 1M and 10M lines)', { skip: noTime }, async (t) => {
  const { grew, shown } = await growth('1', '1', 'add --formula', [1_000_000, 10_000_000]);
  t.diagnostic(shown);
  assert.ok(grew < 16 * MB, shown);
});

/** VmHWM of a live process, in bytes. */
function highWaterMark(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
  assert.ok(kb !== undefined, `VmHWM of ${pid}`);
  return Number(kb) * 1024;
}

test("timer's peak RSS is the sum over the command's processes, not the largest one", {
  timeout: 30_000,
}, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-memory-'));
  const report = path.join(dir, 'report');
  const hold = path.join(FIXTURES, 'hold-memory');
  let onExit = (): void => {};
  try {
    // Two processes of very different sizes (64 and 24 MiB held, about 44 MB of Node each on top):
    // the sum and the largest differ by 60 MB or more.
    const timer = spawn('timer', ['--json', '--output', report, '--', 'sh', '-c', `${hold} 64 & ${hold} 24 & wait`], {
      env: ENV,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    timer.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    timer.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => timer.once('close', resolve));
    const ready = (): number[] => [...stdout.matchAll(/^ready (\d+)$/gm)].map((match) => Number(match[1]));
    onExit = () => {
      timer.kill('SIGKILL');
      for (const pid of ready()) process.kill(pid, 'SIGKILL'); // (ours: their pids, printed by themselves)
    };
    await waitFor('both processes holding their memory', async () => ready().length === 2, 15_000).catch(
      (error: Error) => assert.fail(`${error.message}: stdout ${JSON.stringify(stdout)}, stderr ${stderr}`),
    );
    const pids = ready();
    // The witness: each process's own high-water mark, read while both hold their memory.
    const witnessed = pids.map(highWaterMark);
    // SIGUSR1 makes timer sample now and say so ("(so far)"): a sample taken while both are alive
    // and full, a state rather than a wait for the 100 ms sampler.
    timer.kill('SIGUSR1');
    await waitFor(
      'the report so far',
      async () => existsSync(report) && readFileSync(report, 'utf8').includes('(so far)'),
    );
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    const status = await closed;
    onExit = () => {};
    assert.equal(status, 0, stderr);
    const text = readFileSync(report, 'utf8');
    const summary = JSON.parse(text.slice(text.indexOf('{'))).summary as { peakRssBytes: number };
    const sum = witnessed[0]! + witnessed[1]!;
    const largest = Math.max(...witnessed);
    const shown =
      `timer's peak ${(summary.peakRssBytes / MB).toFixed(1)} MB; the processes' own peaks ` +
      `${witnessed.map((bytes) => (bytes / MB).toFixed(1)).join(' + ')} MB`;
    // At least the two (RSS sampled while both are at their peak; 2% for pages the kernel counts
    // apart), at most the two plus the shell (a few MB); the largest alone is 60 MB below that.
    t.diagnostic(shown);
    assert.ok(summary.peakRssBytes >= sum * 0.98, shown);
    assert.ok(summary.peakRssBytes <= sum + 8 * MB, shown);
    assert.ok(largest < sum * 0.98 - 16 * MB, `the sizes must tell the sum from the largest: ${shown}`);
  } finally {
    // (a failed check leaves nothing running: the test file would never end)
    try {
      onExit();
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
});
