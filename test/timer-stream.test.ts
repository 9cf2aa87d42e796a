// timer -- COMMAND passes output on as chunks arrive (man timer: "stdin and stdout pass through byte for
// byte as chunks arrive ... no buffering added"): `(echo 1; sleep 1; echo 2) | timer -- cat` shows 1
// before 2 is written. The test drives stdin itself: it writes a line only once the previous one came
// out (a state, not a sleep), so a chunk held until input ends never comes out and the test fails by
// its timeout rather than hanging.
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, ROOT } from './helpers.js';

/** A running command fed line by line: `send` writes a line and resolves when it came out on stdout. */
function lineByLine(command: string[]) {
  const child = spawn(command[0]!, command.slice(1), { env: ENV, cwd: ROOT, stdio: ['pipe', 'pipe', 'ignore'] });
  let seen = '';
  let waiting: { text: string; resolve: (ms: number) => void } | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    const now = performance.now();
    seen += chunk.toString();
    if (waiting && seen.endsWith(waiting.text)) {
      const { resolve } = waiting;
      waiting = undefined;
      resolve(now);
    }
  });
  return {
    /**
     * Writes `line`, resolves with the ms from the write to its arrival on stdout; rejects when it has
     * not come out within 10 s, killing the command (a chunk held until input ends never comes out,
     * and a live child would keep the test file running).
     */
    send(line: string): Promise<number> {
      const text = `${line}\n`;
      return new Promise((resolve, reject) => {
        const written = performance.now();
        const lost = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${command.join(' ')}: line ${JSON.stringify(line)} not out 10 s after it went in`));
        }, 10_000);
        waiting = {
          text,
          resolve: (arrived) => {
            clearTimeout(lost);
            resolve(arrived - written);
          },
        };
        child.stdin.write(text);
      });
    },
    seen: () => seen,
    end: () =>
      new Promise<number | null>((resolve) => {
        child.once('close', (code) => resolve(code));
        child.stdin.end();
      }),
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Per-line delays from write to arrival through `command`, after one line that waits out its start-up. */
async function delays(
  command: string[],
  lines: number,
): Promise<{ delays: number[]; output: string; code: number | null }> {
  const run = lineByLine(command);
  await run.send('start'); // start-up: not part of the pass-through delay
  const measured: number[] = [];
  for (let line = 1; line <= lines; line++) measured.push(await run.send(String(line)));
  const output = run.seen();
  return { delays: measured, output, code: await run.end() };
}

test('timer -- cat passes each line on before the next is written; a held chunk is caught', {
  timeout: 30_000,
}, async () => {
  const through = await delays(['timer', '--', 'cat'], 5);
  const alone = await delays(['cat'], 5);
  assert.equal(through.output, 'start\n1\n2\n3\n4\n5\n');
  assert.equal(through.code, 0);
  // Each line came out while the next was not yet written (send waits for it): arrival is a state.
  // How soon is a bound, so that a chunk held back a while (not for ever) fails too: timer adds two
  // pipe hops and an event-loop turn, well under a millisecond idle; a loaded machine (2 cores shared
  // by several test runs) delays a wake-up by tens of ms now and then, and cat alone, measured in the
  // same run, shows how much. The median of 5 ignores one or two unlucky lines; a hold of 250 ms
  // (the fault this guards against) puts every line, so the median, at ≥ 250 ms; 150 ms over cat's
  // own median is far above scheduling noise and far below that.
  const added = median(through.delays) - median(alone.delays);
  assert.ok(
    added < 150,
    `timer added ${added.toFixed(1)} ms per line (median; timer ${through.delays.map((d) => d.toFixed(1))} ms, ` +
      `cat alone ${alone.delays.map((d) => d.toFixed(1))} ms)`,
  );
});
