// timer --pipeline in a real terminal (tmux): the live view, Ctrl-Z and fg, Ctrl-C, TERM=dumb.
// (Apart from test/timer-pipeline.test.ts so that the two run side by side.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sh, tmuxSession } from './helpers.js';
import { states, waitFor } from './states.js';

const hasTmux = (await sh('command -v tmux')).exitCode === 0;
const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-terminal-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Waits until a stage's process (`stage`: a pgrep pattern) and timer (`timer`, found) are stopped. */
const allStopped = (stage: string, timer: string): Promise<void> =>
  waitFor('all stopped', async () => {
    const timers = await states(timer);
    return (await states(stage)).includes('T') && timers.length > 0 && timers.every((state) => state === 'T');
  });

test('in a terminal: a live view while it runs, Ctrl-Z stops the pipeline and timer, fg resumes, the report counts the stopped time', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline');
  try {
    await session.keys("timer --pipeline 'seq 40 | sleep-task --for 101ms | cat >/dev/null'", 'Enter');
    await waitFor('the live view', async () => {
      const screen = await session.screen();
      // each row named as typed (its redirection too)
      return (
        /sleep-task --for 101ms +\S/.test(screen) && /^cat >\/dev\/null +\S/m.test(screen) && /^timer: \d/m.test(screen)
      );
    });
    await session.keys('C-z');
    await allStopped('^node .*bin/sleep-task --for 101ms$', '^node .*bin/timer --pipeline seq 40');
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

/**
 * Captures the screen every 100 ms until `done` says so (bounded: a lost end fails), checking every
 * capture with `each`; resolves with the last one.
 */
async function watchScreen(
  session: { screen: () => Promise<string> },
  what: string,
  each: (screen: string) => void,
  done: (screen: string) => boolean,
  ms = 20_000,
): Promise<string> {
  let screen = '';
  try {
    await waitFor(
      what,
      async () => {
        screen = await session.screen();
        each(screen);
        return done(screen);
      },
      ms,
    );
  } catch (error) {
    // a lost end shows what the terminal held instead
    if (error instanceof assert.AssertionError) assert.fail(`${error.message}; the screen was:\n${screen}`);
    throw error;
  }
  return screen;
}

const NOTE = 'note-from-a-stage';
const LIVE = /^timer: \d/m;
/** The live view's lines: its clock, and a stage's row (the report's rows have no `CPU  N%  in`) */
const LIVE_ROWS = /^timer: \d|^\S.* CPU +\d+% +in /m;

test('in a terminal: the stages’ stderr passes above the live view, whole lines, never erased; Ctrl-C goes to the stages, and timer reports and exits 130', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline-int');
  try {
    // The last stage writes its note once told, told once the live view is on the screen.
    const go = path.join(scratch, 'go');
    await session.keys(
      `timer --pipeline 'seq 100 | sleep-task --for 103ms | (until [ -e ${go} ]; do sleep 0.05; done; echo ${NOTE} >&2; cat >/dev/null)'`,
      'Enter',
    );
    await waitFor('the live view', async () => LIVE.test(await session.screen()));
    writeFileSync(go, '');
    // From the note's first appearance to the end, on every capture: the note once, whole, above the view.
    let noted = false;
    let views = 0;
    const noteKept = (screen: string): void => {
      const notes = screen.split('\n').filter((line) => line === NOTE);
      if (notes.length > 0) noted = true;
      if (!noted) return;
      assert.deepEqual(notes, [NOTE], screen);
      if (LIVE.test(screen)) {
        views += 1;
        assert.ok(screen.indexOf(NOTE) < screen.search(LIVE), `the note is above the view:\n${screen}`);
      }
    };
    // Ctrl-C once the view has been redrawn below the note (it is redrawn every 200 ms)
    await watchScreen(session, 'the view redrawn below the note', noteKept, () => views >= 3);
    await session.keys('C-c');
    // (its last line: the bottleneck — a run cut short predicts nothing)
    await watchScreen(session, 'the report', noteKept, (screen) => /^bottleneck: /m.test(screen));
    await session.keys('echo "status=$?"', 'Enter');
    const screen = await watchScreen(session, 'the status', noteKept, (screen) => /^status=\d+/m.test(screen));
    assert.match(screen, /^status=130$/m, screen);
    assert.match(screen, /killed by SIGINT/, screen);
    // (the shell, killed, never gave the stages' statuses: said so, not guessed)
    assert.match(screen, /^status unknown: the shell was killed by SIGINT before it could give them\.$/m, screen);
    // (its wording as its states were: busy with its waits, or working and waiting for a CPU on a loaded machine)
    assert.match(screen, /^bottleneck: sleep-task — (busy|working) \d+% of its wall/m, screen);
    assert.doesNotMatch(screen, /^(suggested: |predicted: |if .* used half its CPU: )/m, screen);
    assert.deepEqual(await states('^node .*bin/sleep-task --for 103ms$'), [], 'nothing left running');
  } finally {
    await session.close();
  }
});

test('in a terminal: the output scrolls above the live view into the scrollback, every line in order, through Ctrl-Z, fg and a resize; the stages keep the terminal', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline-scroll', { columns: 80, rows: 12 });
  try {
    await session.keys(
      "timer --pipeline 'seq 60 | sleep-task --for 45ms | (cat; test -t 1 && test -t 2 && echo stages-on-the-terminal >&2)'",
      'Enter',
    );
    // the view drawn while the output scrolls: a stage's row (not the shell's job line, which also
    // names the stage) and the clock on the bottom row, output lines above
    const drawn = (screen: string, rows = 12): boolean =>
      /^sleep-task --for 45ms .* CPU +\d+%/m.test(screen) &&
      /^\d+$/m.test(screen) &&
      screen.split('\n')[rows - 1]!.startsWith('timer: ');
    await waitFor('the live view under the output', async () => drawn(await session.screen()));
    // Resized while stopped (the view is cleared at a stop): a terminal resets its scroll region when
    // resized, and lines written before timer redraws scroll the whole screen, view rows and all.
    const stopResizeAndGo = async (rows: number): Promise<void> => {
      await session.keys('C-z');
      await allStopped('^node .*bin/sleep-task --for 45ms$', '^node .*bin/timer --pipeline seq 60');
      await session.resize(rows);
      await session.keys('fg', 'Enter');
      await waitFor(`the view again, on ${rows} rows`, async () => drawn(await session.screen(), rows));
    };
    await stopResizeAndGo(9);
    await waitFor('the report', async () => /^bottleneck: /m.test(await session.screen()), 15_000);
    const history = await session.history();
    const numbers = history.split('\n').filter((line) => /^\d+$/.test(line));
    assert.deepEqual(
      numbers,
      Array.from({ length: 60 }, (_, index) => String(index + 1)),
      history,
    );
    assert.match(history, /^stages-on-the-terminal$/m, 'the stages had the terminal itself on stdout and stderr');
    assert.doesNotMatch(history, LIVE_ROWS, 'no row of the view is left anywhere');
    // the screen is whole again: what the shell prints next scrolls down to the last row
    await session.keys('seq 101 130', 'Enter');
    const after = await watchScreen(
      session,
      'the next prompt',
      () => {},
      (screen) => /^130\n\$ ?\n/m.test(screen),
    );
    assert.equal(after.split('\n')[8]?.trimEnd(), '$', `the prompt on the last of 9 rows:\n${after}`);
  } finally {
    await session.close();
  }
});

test('in a terminal: no live view with TERM=dumb or --no-progress, on any capture until the report', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline-quiet');
  try {
    for (const command of ["TERM=dumb timer --pipeline 'sleep 1.2'", "timer --pipeline 'sleep 1.3' --no-progress"]) {
      await session.keys('clear', 'Enter');
      await waitFor('a clear screen', async () => !/sleep 1\.\d/.test(await session.screen()));
      await session.keys(command, 'Enter');
      // Until the report's end (its bottleneck line, which every report has: a prediction needs a busy
      // stage, and a loaded machine may show none), bounded as the first test's, for a lost report.
      await watchScreen(
        session,
        'the report',
        (screen) => assert.doesNotMatch(screen, LIVE_ROWS, `${command}:\n${screen}`),
        (screen) => /^bottleneck: /m.test(screen),
        15_000,
      );
    }
  } finally {
    await session.close();
  }
});
