// The shared engine's rules (src/stage), exercised through the built executables and real pipes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { execa } from 'execa';
import { BIN, ENV, sh, shBytes } from './helpers.js';
import { Fifo } from '../src/base/fifo.js';

const MAX_LINE = 1_048_576;

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

test('a 100 MiB line without newline: one error, reading goes on with flat memory', async () => {
  const command = '{ echo 3; head -c 104857600 /dev/zero | tr "\\0" 7; } | add; echo "add=$?"';
  const { stdout, stderr } = await sh(command);
  assert.equal(stdout, '6\nadd=1\n');
  assert.equal(stderr, 'add: line 2: line too long (more than 1048576 bytes)\n');
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

test('SIGINT and SIGTERM end a busy stage at once, by the signal (the shell sees 130 / 143)', async () => {
  for (const [signal, status] of [
    ['INT', 130],
    ['TERM', 143],
  ] as const) {
    const { stdout } = await sh(
      `yes 11 | mul --repeat 1000000000 & pid=$!; sleep 0.5; kill -${signal} $pid; wait $pid; echo "status=$?"`,
    );
    assert.equal(stdout.trim().split('\n').pop(), `status=${status}`);
  }
  const child = execa(`${BIN}/mul`, ['--repeat', '1000000000'], { env: ENV, input: '11\n', reject: false });
  setTimeout(() => child.kill('SIGINT'), 300);
  const result = await child;
  assert.equal(result.signal, 'SIGINT');
  assert.equal(result.stderr, '');
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
