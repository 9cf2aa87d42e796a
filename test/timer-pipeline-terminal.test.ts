// timer --pipeline in a real terminal (tmux): the live view, Ctrl-Z and fg, Ctrl-C, TERM=dumb.
// (Apart from test/timer-pipeline.test.ts so that the two run side by side.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sh, states, tmuxSession, waitFor } from './helpers.js';

const hasTmux = (await sh('command -v tmux')).exitCode === 0;

test('in a terminal: a live view while it runs, Ctrl-Z stops the pipeline and timer, fg resumes, the report counts the stopped time', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline');
  try {
    await session.keys("timer --pipeline 'seq 40 | sleep-task --for 101ms | cat >/dev/null'", 'Enter');
    await waitFor(
      'the live view',
      async () =>
        /sleep-task --for 101ms +\S/.test(await session.screen()) && /^timer: \d/m.test(await session.screen()),
    );
    await session.keys('C-z');
    await waitFor(
      'all stopped',
      async () =>
        (await states('^node .*bin/sleep-task --for 101ms$')).includes('T') &&
        (await states('^node .*bin/timer --pipeline seq 40')).every((state) => state === 'T'),
    );
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

test('in a terminal: the stages’ stderr passes above the live view, whole lines; Ctrl-C goes to the stages, and timer reports and exits 130', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline-int');
  try {
    await session.keys(
      "timer --pipeline 'seq 100 | sleep-task --for 103ms | (echo note-from-a-stage >&2; cat >/dev/null)'",
      'Enter',
    );
    await waitFor('the live view', async () => /^timer: \d/m.test(await session.screen()));
    await delay(1500);
    const during = await session.screen();
    assert.equal(during.split('\n').filter((line) => line === 'note-from-a-stage').length, 1, during);
    assert.ok(during.indexOf('note-from-a-stage') < during.search(/^timer: \d/m), 'the note is above the view');
    await session.keys('C-c');
    await waitFor('the report', async () => /^predicted: /m.test(await session.screen()));
    await session.keys('echo "status=$?"', 'Enter');
    await waitFor('the status', async () => /^status=\d+/m.test(await session.screen()));
    const screen = await session.screen();
    assert.match(screen, /^status=130$/m, screen);
    assert.match(screen, /killed by SIGINT/, screen);
    assert.match(screen, /^bottleneck: sleep-task — busy \d+% of the time/m, screen);
    assert.deepEqual(await states('^node .*bin/sleep-task --for 103ms$'), [], 'nothing left running');
  } finally {
    await session.close();
  }
});

test('in a terminal: no live view with TERM=dumb or --no-progress', {
  skip: !hasTmux && 'tmux is not installed',
}, async () => {
  const session = await tmuxSession('pipeline-quiet');
  try {
    for (const command of ["TERM=dumb timer --pipeline 'sleep 1.2'", "timer --pipeline 'sleep 1.3' --no-progress"]) {
      await session.keys('clear', 'Enter');
      await session.keys(command, 'Enter');
      await delay(700);
      assert.doesNotMatch(await session.screen(), /^(timer: \d|sleep 1\.\d +)/m, command);
      // The report's end: its bottleneck line, which every report has (a prediction needs a busy stage,
      // and a loaded machine may show none); bounded as the first test's, for a lost report.
      await waitFor('the report', async () => /^bottleneck: /m.test(await session.screen()), 15000);
    }
  } finally {
    await session.close();
  }
});
