// The shared engine's rules (src/stage), exercised through the built executables and real pipes.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { BIN, ENV, sh, shBytes } from './helpers.js';
import { endsWithin, procState, shellUntil, waitFor } from './states.js';
import { Fifo } from '../src/base/fifo.js';

const MAX_LINE = 1_048_576;
const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-engine-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('a line of exactly 1 MiB is accepted; one byte more is an error for that line only', async () => {
  const input = Buffer.concat([
    Buffer.alloc(MAX_LINE, '0'), // 1048576 zeros: the number 0
    Buffer.from('\n'),
    Buffer.alloc(MAX_LINE + 1, '0'),
    Buffer.from('\n5\n'),
  ]);
  const { stdout, stderr, exitCode } = await shBytes('mul --repeat 1', input);
  assert.equal(stdout.toString(), '1\n120\n');
  assert.equal(stderr, 'mul: line 2: line too long (more than 1048576 bytes)\n');
  assert.equal(exitCode, 1);
});

/** Runs `command` (a shell pipeline ending in one stage, written STAGE) under GNU time: its peak RSS, MB. */
async function peakMb(command: string): Promise<{ mb: number; stdout: string; stderr: string }> {
  const witness = path.join(scratch, `rss-${Math.random()}`);
  const { stdout, stderr } = await sh(
    command.replace('STAGE', `/usr/bin/time -o ${witness} -f %M`),
    undefined,
    120_000,
  );
  const kb = Number(/^(\d+)$/m.exec(readFileSync(witness, 'utf8'))?.[1]);
  assert.ok(kb > 0, `no peak RSS from GNU time: ${readFileSync(witness, 'utf8')}`);
  return { mb: kb / 1024, stdout, stderr };
}
const hasGnuTime = existsSync('/usr/bin/time');

test('a line of 60 MiB, then of 240 MiB, without newline: one error each, and the peak RSS grows by under 64 MB', {
  skip: !hasGnuTime && 'GNU time is not installed (apt-get install time)',
}, async () => {
  const run = (bytes: number) =>
    peakMb(`{ echo 3; head -c ${bytes} /dev/zero | tr "\\0" 7; } | STAGE add; echo "add=$?"`);
  const small = await run(60 * 1048576);
  const large = await run(240 * 1048576);
  for (const { stdout, stderr } of [small, large]) {
    assert.equal(stdout, '6\nadd=1\n');
    assert.equal(stderr, 'add: line 2: line too long (more than 1048576 bytes)\n');
  }
  // (it settles near 90 MB from about 50 MiB on: buffers read and dropped, collected by size; more
  // under load, when V8's marking threads wait for a core; a line kept would be 180 MB more)
  assert.ok(large.mb - small.mb < 64, `peak RSS ${small.mb.toFixed(1)} MB, then ${large.mb.toFixed(1)} MB`);
});

test('many lines cross chunk boundaries intact, in order', async () => {
  const { stdout, exitCode } = await sh('seq 1 300000 | sed "s/\\$/\\r/" | add --formula');
  assert.equal(exitCode, 0);
  let reference = '';
  for (let n = 1; n <= 300_000; n++) reference += `${(n * (n + 1)) / 2}\n`;
  assert.ok(stdout === reference, 'output differs from the reference sums');
});

test('a slow reader: backpressure loses nothing', async () => {
  const { stdout } = await sh(
    'seq 1 200000 | add --formula | (sleep 1; cat) | tail -n 1; seq 1 200000 | add --formula | (sleep 1; wc -l)',
  );
  assert.equal(stdout, '20000100000\n200000\n');
});

test('reader gone (| head -n 1): the stage exits 0 quietly', async () => {
  const { stdout, stderr } = await sh('{ yes 11 | mul --repeat 1; echo "mul=$?" >&2; } | head -n 1');
  assert.equal(stdout, '39916800\n');
  assert.equal(stderr, 'mul=0\n');
});

test('reader gone while lines are heavy: no more work, exit 0', async () => {
  // Each line costs ~100 ms; endless input would run forever if the stage did not stop.
  const { stdout, stderr } = await sh('{ yes 11 | mul --repeat 8000000; echo "mul=$?" >&2; } | head -n 1');
  assert.equal(stdout, '39916800\n');
  assert.equal(stderr, 'mul=0\n');
});

test('stdout is /dev/full: one write error line, exit 1', async () => {
  for (const command of ['seq 3 | mul --repeat 1 >/dev/full', 'seq 1 100000 | add --formula >/dev/full']) {
    const { stdout, stderr, exitCode } = await sh(command);
    assert.equal(stdout, '');
    assert.match(stderr, /^(mul|add): write error: No space left on device\n$/);
    assert.equal(exitCode, 1);
  }
});

test('stdin is a directory: a read error, exit 1', async () => {
  const { stderr, exitCode } = await sh('add < /');
  assert.equal(stderr, 'add: read error: Is a directory\n');
  assert.equal(exitCode, 1);
});

test('a result is written as soon as it is computed, before more input arrives', async () => {
  const child = spawn(`${BIN}/mul`, ['--repeat', '1'], { env: ENV, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  let received = '';
  const receivedUntil = (want: string): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (received === want) {
          child.stdout.off('data', onData);
          resolve();
        }
      };
      const onData = (data: string): void => {
        received += data;
        check();
      };
      child.stdout.on('data', onData);
      check();
    });
  child.stdin.write('5\n');
  await receivedUntil('120\n'); // stdin is still open: only a per-line flush delivers this
  child.stdin.write('6');
  child.stdin.end();
  await receivedUntil('120\n720\n');
  const [code] = await once(child, 'close');
  assert.equal(code, 0);
});

test('many cheap results are coalesced: far fewer writes than lines', async (t) => {
  const probe = await sh('command -v strace');
  if (probe.exitCode !== 0) return t.skip('strace is not installed (apt-get install strace)');
  const traced = await sh(
    'seq 1 100000 | strace -f -qq -e trace=write,writev -o /tmp/pipestage-strace.$$ add --formula >/dev/null; grep -c "^.*write" /tmp/pipestage-strace.$$; rm -f /tmp/pipestage-strace.$$',
  );
  const writes = Number(traced.stdout.trim());
  assert.ok(writes > 0 && writes < 1000, `${writes} write calls for 100000 lines`);
});

/** Starts `mul ARGS` on one heavy line (input kept open), tracing to `trace`; resolves once it computes. */
async function computingMul(args: string[], trace: string): Promise<ChildProcess> {
  const child = spawn(`${BIN}/mul`, [...args, '--trace', trace], {
    env: ENV,
    cwd: scratch, // (a core dump of SIGQUIT, where enabled, lands there)
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin.write('11\n');
  // Its trace started (options parsed, the engine set up), and it runs user code: the line's loop.
  await waitFor('mul to compute its line', async () => {
    const proc = procState(child.pid!);
    return existsSync(trace) && readFileSync(trace, 'utf8').includes('"process_name"') && proc?.syscall === 'running';
  });
  return child;
}

test('SIGINT, SIGTERM and SIGQUIT end a stage busy computing within 5 s, by the signal (the shell sees 128+N)', {
  timeout: 120_000,
}, async () => {
  // Sent once mul computes a line of 25 s: a handler installed for any of these would delay the end
  // until the line is done (a JS handler cannot run while the kernel loop does).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) {
    const trace = path.join(scratch, `busy-${signal}.json`);
    const child = await computingMul(['--repeat', '1000000000'], trace);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.kill(signal);
    const end = await endsWithin(child, 5000, `mul after ${signal}`);
    assert.equal(end.signal, signal);
    assert.equal(stderr, '');
  }
  const trace = path.join(scratch, 'busy-shell.json');
  const computing = `grep -qs process_name ${trace} && [ "$(cut -c1-7 /proc/$p/syscall 2>/dev/null)" = running ]`;
  const shell = await sh(
    `echo 11 | mul --repeat 1000000000 --trace ${trace} & p=$!; ${shellUntil(computing, 'mul computing')}; ` +
      'kill -TERM $p; wait $p; echo "status=$?"',
    undefined,
    30_000,
  );
  assert.equal(shell.stdout, 'status=143\n');
});

test('SIGTERM ends a stage whose worker threads compute (the main thread waits) within 5 s, threads with it', {
  timeout: 60_000,
}, async () => {
  const trace = path.join(scratch, 'workers.json');
  const child = spawn(`${BIN}/mul`, ['--repeat', '1000000000', '--workers', '2', '--trace', trace], {
    env: ENV,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.stdin.write('11\n12\n');
  // Both lines on their threads: the process has its two workers' CPU while the main thread sleeps.
  await waitFor('two worker threads computing', async () => {
    const { stdout } = await sh(`ps -L -o stat= -o comm= -p ${child.pid} 2>/dev/null | grep -c '^R'`);
    return existsSync(trace) && Number(stdout.trim()) >= 2;
  });
  child.kill('SIGTERM');
  const end = await endsWithin(child, 5000, 'mul --workers 2 after SIGTERM');
  assert.equal(end.signal, 'SIGTERM');
});

test('a stage leaves its stdout pipe in blocking mode: another writer of the same pipe is never told EAGAIN', async () => {
  // Node's own stdout stream would put the pipe in non-blocking mode for every process sharing it:
  // `head` writing beside a stage, into a pipe whose reader is slow, then failed with EAGAIN.
  for (const stage of ['add', 'mul -r 1', 'sleep-task --for 1ms']) {
    const { stdout, stderr } = await sh(
      `{ (sleep 0.5; echo 3) | ${stage} & sleep 0.3; head -c 3000000 /dev/zero; wait; } | (sleep 1; wc -c)`,
    );
    assert.equal(stderr, '', stage);
    assert.equal(stdout.trim(), '3000002', stage); // the 3 MB and the stage's one line of 2 bytes
  }
});

test('stdout and stderr on one slow pipe (2>&1): every line arrives', async () => {
  const { stdout } = await sh('seq 300000 | add --formula 2>&1 | (sleep 1; wc -l)');
  assert.equal(stdout.trim(), '300000');
});

test("the engine's FIFO queue: oldest first across its compaction, emptying and draining", () => {
  const queue = new Fifo<number>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.first, undefined);
  for (let i = 0; i < 3000; i++) queue.push(i);
  const taken: number[] = [];
  for (let i = 0; i < 2500; i++) taken.push(queue.shift()!); // past 1024 and half: compacted
  queue.push(3000);
  assert.equal(queue.size, 501);
  assert.equal(queue.first, 2500);
  while (queue.size > 0) taken.push(queue.shift()!);
  assert.deepEqual(
    taken,
    Array.from({ length: 3001 }, (_, i) => i),
  );
  queue.push(7);
  queue.push(8);
  assert.equal(queue.shift(), 7);
  assert.deepEqual(queue.drain(), [8]);
  assert.equal(queue.size, 0);
  assert.equal(queue.shift(), undefined);
});
