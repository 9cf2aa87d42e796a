// timer as a Unix user meets it: terminals and job control, signals, exit statuses, read errors,
// trace and report files shared or left behind, JSON for every outcome, broken traces.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, ROOT, sh, tmuxSession } from './helpers.js';
import { shellUntil, states, waitFor } from './states.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-timer-unix-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const hasTmux = (await sh('command -v tmux')).exitCode === 0;

test('timer keeps the terminal: the command reads /dev/tty and gets a terminal side directly (not counted)', async () => {
  const { stdout } = await sh(
    `printf 'hello\\n' | script -qec "timer -- sh -c 'read x </dev/tty; echo got \\$x; test -t 0 && test -t 1 && echo both-ttys'" /dev/null`,
  );
  assert.match(stdout, /got hello/);
  assert.match(stdout, /both-ttys/);
  assert.match(stdout, /timer: sh: input not counted \(terminal\), output not counted \(terminal\), wall /);
  assert.doesNotMatch(stdout, /No such device/);
});

test('in a terminal: Ctrl-Z stops timer and its command together, fg resumes both, Ctrl-C is delivered once', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('jobs');
  try {
    await session.keys('timer -- sleep 31.5', 'Enter');
    await waitFor('sleep to start', async () => (await states('^sleep 31.5$')).length === 1);
    await session.keys('C-z');
    await waitFor(
      'both stopped',
      async () => (await states('^sleep 31.5$'))[0] === 'T' && (await states('timer -- sleep 31.5$'))[0] === 'T',
    );
    await session.keys('fg', 'Enter');
    await waitFor(
      'both running again',
      async () => (await states('^sleep 31.5$'))[0] === 'S' && (await states('timer -- sleep 31.5$'))[0] !== 'T',
    );
    await session.keys('C-c');
    await waitFor('both ended', async () => (await states('sleep 31[.]5$')).length === 0);
    // One Ctrl-C reaches the command once: the terminal sent it to the whole group, timer does not repeat it.
    await session.keys(
      'timer -- bash -c \'n=0; trap "n=\\$((n+1))" INT; sleep 1.5 & wait; sleep 1 & wait; echo ints=$n\'',
      'Enter',
    );
    await waitFor('the command to start', async () => (await states('^sleep 1.5$')).length === 1);
    await session.keys('C-c');
    await waitFor('the count', async () => /ints=\d/.test(await session.screen()));
    assert.match(await session.screen(), /ints=1\b/);
  } finally {
    await session.close();
  }
});

test('a command that ignores SIGINT and exits 0: timer exits 0; a second SIGINT kills its processes', async () => {
  // Signals are sent once the command runs (a loaded machine may take a while to start it).
  const running = (pattern: string): string => `until pgrep -f '${pattern}' >/dev/null; do sleep 0.05; done`;
  const calm = await sh(
    `timer -- sh -c 'trap "" INT; sleep 1.25; exit 0' & p=$!; ${running('^sleep 1.25$')}; kill -INT $p; wait $p; echo "status=$?"`,
  );
  assert.match(calm.stdout, /^status=0$/m);
  const stubborn = await sh(
    `timer -- sh -c 'trap "" INT TERM; sleep 33.5' & p=$!; ${running('^sleep 33.5$')}; kill -INT $p; sleep 0.3; kill -INT $p; wait $p; echo "status=$?"; sleep 0.2; pgrep -f '^sleep 33.5$' | wc -l`,
  );
  assert.deepEqual(stubborn.stdout.trim().split('\n'), ['status=137', '0']);
});

test('SIGQUIT sent to timer alone is passed on to the command, whose status timer exits with, within 5 s', {
  timeout: 60_000,
}, async () => {
  // Sent once the command's sleep runs (timer's handlers are installed before the command starts).
  const pidFile = path.join(scratch, 'quit-pid');
  // (what a timer that failed left running is ended, for the next run)
  const killCommand = `c=$(cat ${pidFile}); kill -KILL $(pgrep -P $c) $c 2>/dev/null`;
  const { stdout } = await sh(
    `timer -- sh -c 'echo $$ >${pidFile}; trap "echo got-quit; exit 7" QUIT; sleep 34.5 & wait' 2>/dev/null & p=$!; ` +
      `${shellUntil("pgrep -f '^sleep 34[.]5$' >/dev/null", 'the command to start')}; kill -QUIT $p; ` +
      `${shellUntil('[ ! -e /proc/$p ] || grep -qs "^State:.*Z" /proc/$p/status', 'timer to end', 5)}; ` +
      `kill -KILL $p 2>/dev/null; wait $p; echo "status=$?"; pgrep -f '^sleep 34[.]5$' | wc -l; ${killCommand}`,
  );
  assert.deepEqual(stdout.trim().split('\n'), ['got-quit', 'status=7', '0']);
});

test('a second SIGTERM kills a command that outlives the first (137), within 5 s', { timeout: 60_000 }, async () => {
  // The command counts each SIGTERM passed on (its sleep killed by it); the second is sent once the first
  // has been counted.
  const count = path.join(scratch, 'terms');
  const pidFile = path.join(scratch, 'term-pid');
  const killCommand = `c=$(cat ${pidFile}); kill -KILL $(pgrep -P $c) $c 2>/dev/null`;
  const { stdout } = await sh(
    `timer -- sh -c 'echo $$ >${pidFile}; trap "echo term >>${count}" TERM; while :; do sleep 35.5; done' 2>/dev/null & p=$!; ` +
      `${shellUntil("pgrep -f '^sleep 35[.]5$' >/dev/null", 'the command to start')}; kill -TERM $p; ` +
      `${shellUntil(`[ -s ${count} ] && pgrep -f '^sleep 35[.]5$' >/dev/null`, 'the first SIGTERM counted')}; kill -TERM $p; ` +
      `${shellUntil('[ ! -e /proc/$p ] || grep -qs "^State:.*Z" /proc/$p/status', 'timer to end', 5)}; ` +
      `kill -KILL $p 2>/dev/null; wait $p; echo "status=$?"; ` +
      `${shellUntil("! pgrep -f '^sleep 35[.]5$' >/dev/null", 'its sleep to end', 5)}; cat ${count}; ${killCommand}`,
  );
  assert.deepEqual(stdout.trim().split('\n'), ['status=137', 'term']);
});

test("a read error on timer's stdin is reported, and the status is 1", async () => {
  const { stderr, exitCode } = await sh('timer -- cat </tmp');
  assert.equal(exitCode, 1);
  assert.match(stderr, /^timer: read error: Is a directory\ntimer: cat: 0 lines in/);
});

test("--trace: a bad path is refused before the command runs; an earlier run's file or a file that is no trace is left untouched", async () => {
  const made = path.join(scratch, 'made');
  const bad = await sh(`timer --trace /nonexistent/t.json -- touch ${made}`);
  assert.equal(bad.exitCode, 125);
  assert.equal(bad.stderr, "timer: cannot write trace '/nonexistent/t.json': No such file or directory\n");
  assert.equal(existsSync(made), false);

  // A trace an earlier run left (its writer started at boot): refused, untouched, nothing run.
  const old = path.join(scratch, 'old.trace.json');
  const oldText =
    '[\n{"name":"process_name","ph":"M","pid":1,"tid":1,"args":{"name":"mul","startTicks":0}},\n{"name":"mul","cat":"item","ph":"X","ts":1,"dur":5,"pid":1,"tid":1,"args":{"line":1}},\n';
  writeFileSync(old, oldText);
  const earlier = await sh(`echo 1 | timer --trace ${old} -- touch ${made}`);
  assert.equal(earlier.exitCode, 125);
  assert.equal(earlier.stderr, `timer: ${old}: trace of an earlier run; remove it\n`);
  assert.equal(readFileSync(old, 'utf8'), oldText);
  assert.equal(existsSync(made), false);

  const notTrace = path.join(scratch, 'README.md');
  copyFileSync(path.join(ROOT, 'README.md'), notTrace);
  const refused = await sh(`timer --trace ${notTrace} -- true`);
  assert.equal(refused.exitCode, 125);
  assert.match(refused.stderr, /README\.md: not a trace file .*; not written\n$/);
  assert.equal(readFileSync(notTrace, 'utf8'), readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  // Two timers of one run share the file, as before.
  const shared = path.join(scratch, 'shared.trace.json');
  const both = await sh(`seq 3 | timer --trace ${shared} -- cat | timer --trace ${shared} -- cat`);
  assert.equal(both.exitCode, 0, both.stderr);
  assert.equal((readFileSync(shared, 'utf8').match(/"process_name"/g) ?? []).length, 2);
});

test('--output: timers of one pipeline append whole reports to one file; a report that cannot be written is said, status 125', async () => {
  const file = path.join(scratch, 'reports.txt');
  writeFileSync(file, 'kept\n');
  const { stdout, exitCode } = await sh(
    `seq 3 | timer --output ${file} --label one -- cat | timer --output ${file} --label two -- cat`,
  );
  assert.equal(exitCode, 0);
  assert.equal(stdout, '1\n2\n3\n');
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines[0], 'kept');
  assert.deepEqual(
    lines
      .slice(1, 3)
      .map((line) => line.split(':')[1])
      .sort(),
    [' one', ' two'],
  );
  const full = await sh('echo 1 | timer --output /dev/full -- cat');
  assert.equal(full.exitCode, 125);
  assert.equal(full.stdout, '1\n');
  assert.equal(full.stderr, "timer: write error on '/dev/full': the report is lost\n");
});

test('--json: every outcome is one JSON document — not found (127), cannot execute (126), a bad trace (125), killed', async () => {
  // (the shell running the test may add its own line after the document: "Terminated")
  const parse = (text: string) =>
    JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as {
      pipestageTimer: number;
      summary: { exitCode: number | null; error: string | null; signal: string | null; peakRssBytes: number | null };
    };
  const missing = await sh('timer --json -- no-such-command-here </dev/null');
  assert.equal(missing.exitCode, 127);
  const report = parse(missing.stderr);
  assert.equal(report.summary.exitCode, 127);
  assert.equal(report.summary.error, "timer: failed to run command 'no-such-command-here': No such file or directory");
  assert.equal(report.summary.peakRssBytes, null);
  const notExecutable = await sh(`timer --json -- ${path.join(ROOT, 'README.md')} </dev/null`);
  assert.equal(notExecutable.exitCode, 126);
  assert.equal(parse(notExecutable.stderr).summary.exitCode, 126);
  const badTrace = await sh('timer --json --trace /nonexistent/t.json -- true');
  assert.equal(badTrace.exitCode, 125);
  assert.match(parse(badTrace.stderr).summary.error!, /cannot write trace/);
  const killed = await sh(`timer --json -- ${FIXTURES}/die-by TERM </dev/null`);
  assert.equal(parse(killed.stderr).summary.signal, 'SIGTERM');
});

test('timer report: an empty file, a file that is no trace, a trace cut short, and - for stdin', async () => {
  const empty = path.join(scratch, 'empty.json');
  writeFileSync(empty, '');
  const none = await sh(`timer report ${empty}`);
  assert.equal(none.exitCode, 1);
  assert.equal(none.stderr, `timer: ${empty}: empty file, not a trace\n`);
  const text = readFileSync(path.join(FIXTURES, 'two-stages.trace.json'), 'utf8');
  const cut = path.join(scratch, 'cut.json');
  writeFileSync(
    cut,
    text
      .replace(/\]\s*$/, '')
      .replace(/,?\s*$/, '')
      .slice(0, -20),
  );
  const partial = await sh(`timer report --width 80 ${cut}`);
  assert.equal(partial.exitCode, 0, partial.stderr);
  assert.match(partial.stderr, /cut short .*drawing what is complete/);
  assert.match(partial.stdout, /bottleneck: /);
  const piped = await sh(`timer report --width 80 - < ${path.join(FIXTURES, 'two-stages.trace.json')}`);
  assert.equal(piped.exitCode, 0);
  assert.equal(
    piped.stdout,
    (await sh(`timer report --width 80 ${path.join(FIXTURES, 'two-stages.trace.json')}`)).stdout,
  );
  const garbage = await sh(`echo '[{"a":' | timer report -`);
  assert.equal(garbage.exitCode, 1);
  assert.match(garbage.stderr, /^timer: \(standard input\): not a trace file/);
});

test("a command's start-up is its own span, never the first item's work, busy time or the bottleneck", async () => {
  const trace = path.join(scratch, 'startup.trace.json');
  const { exitCode } = await sh(
    `seq 8 | timer --trace ${trace} --label m -- mul -r 2000000 2>/dev/null | timer --trace ${trace} --label a -- add -r 2 2>/dev/null | timer --trace ${trace} --label st -- sleep-task --for 100ms >/dev/null 2>&1`,
  );
  assert.equal(exitCode, 0);
  const events = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map(
      (line) =>
        JSON.parse(line.replace(/,$/, '')) as {
          name?: string;
          cat?: string;
          pid: number;
          dur?: number;
          args?: { line?: number; name?: string };
        },
    );
  const names = new Map(
    events.filter((event) => event.name === 'process_name').map((event) => [event.pid, event.args!.name!]),
  );
  const startups = events.filter((event) => event.cat === 'startup');
  assert.ok(
    startups.some((event) => names.get(event.pid) === 'm'),
    'no start-up span for the first stage',
  );
  // m's first item is now about as long as its others (its span no longer holds a node start-up).
  const mItems = events.filter((event) => event.cat === 'item' && names.get(event.pid) === 'm');
  const others = mItems
    .filter((event) => event.args?.line !== 1)
    .map((event) => event.dur!)
    .sort((a, b) => a - b);
  const median = others[others.length >> 1]!;
  assert.ok(
    mItems.find((event) => event.args?.line === 1)!.dur! <= Math.max(3 * median, median + 30_000),
    JSON.stringify(mItems),
  );
  const report = await sh(`timer report --width 80 ${trace}`);
  assert.match(report.stdout, /^bottleneck: st\b/m);
  assert.match(report.stdout, /· start-up \(not counted as work\)/);
});

test('--progress in a terminal: two timers of one pipeline each keep a line of their own, --output or not', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('progress');
  try {
    const report = path.join(scratch, 'progress-report.txt');
    await session.keys(
      `seq 80 | timer --progress --label one -- sleep-task --for 40ms | timer --progress --output ${report} --label two -- sleep-task --for 40ms >/dev/null`,
      'Enter',
    );
    let screen = '';
    await waitFor('both progress lines', async () => {
      screen = await session.screen();
      return /^timer: one: [1-9]\d* items, /m.test(screen) && /^timer: two: [1-9]\d* items, /m.test(screen);
    });
    const rows = screen.split('\n');
    assert.notEqual(
      rows.findIndex((row) => row.startsWith('timer: one:')),
      rows.findIndex((row) => row.startsWith('timer: two:')),
    );
    await waitFor('the end', async () => existsSync(report) && readFileSync(report, 'utf8').includes('80 out'));
  } finally {
    await session.close();
  }
  const dumb = await sh(
    `script -qec "seq 3 | TERM=dumb timer --progress -- sleep-task --for 300ms >/dev/null" /dev/null`,
  );
  assert.doesNotMatch(dumb.stdout, /\x1b/);
});
