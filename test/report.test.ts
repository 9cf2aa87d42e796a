// timer report shows what is inside: lanes of traced stages, their states, the CSV of item spans, and
// GNU parallel's joblog as a Gantt chart — from traces and joblogs written by real runs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sh } from './helpers.js';
import { procState, shellUntil, waitFor } from './states.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-report-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const hasParallel = (await sh('command -v parallel')).exitCode === 0;

test('a traced stage with several lanes: a row per lane under its row, in the chart, the SVG and the CSV', async () => {
  const trace = path.join(scratch, 'lanes.json');
  const svg = path.join(scratch, 'lanes.svg');
  const csv = path.join(scratch, 'lanes.csv');
  await sh(`seq 6 | sleep-task --for 60ms --concurrency 3 --trace ${trace} >/dev/null`);
  const { stdout, exitCode } = await sh(`timer report ${trace} --width 60 --svg ${svg} --csv ${csv}`);
  assert.equal(exitCode, 0);
  const rows = stdout.split('\n').filter((line) => line.includes('|'));
  assert.deepEqual(
    rows.map((row) => row.split('|')[0]!.trimEnd()),
    ['sleep-task', '  slot 1', '  slot 2', '  slot 3'],
  );
  assert.match(stdout, /^sleep-task +6 /m);
  const picture = readFileSync(svg, 'utf8');
  for (const lane of ['slot 1', 'slot 2', 'slot 3']) assert.ok(picture.includes(`>${lane}</text>`), lane);
  const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'stage,pid,lane,line,start,end,elapsed');
  assert.equal(lines.length, 7);
  for (const line of lines.slice(1)) {
    const [stage, pid, lane, item, start, end, elapsed] = line.split(',');
    assert.equal(stage, 'sleep-task');
    assert.match(pid!, /^\d+$/);
    assert.match(lane!, /^slot [123]$/);
    assert.match(item!, /^[1-6]$/);
    assert.ok(Math.abs(Number(end) - Number(start) - Number(elapsed)) < 1e-5);
    assert.ok(Number(elapsed) >= 0.058 && Number(elapsed) < 0.5, line); // (a timer may fire up to 1 ms early: libuv's loop time)
  }
  assert.deepEqual(
    lines
      .slice(1)
      .map((line) => Number(line.split(',')[3]))
      .sort(),
    [1, 2, 3, 4, 5, 6],
  );
});

test('a stage whose reader is slow is drawn blocked on output (») and waiting stages are not', async () => {
  const trace = path.join(scratch, 'blocked.json');
  const go = path.join(scratch, 'blocked.go');
  // The reader reads nothing until told: told once add is blocked writing (/proc wchan in pipe_write),
  // and after add has been blocked for as long as it ran before, at least a second: most of the chart.
  const started = performance.now();
  const run = sh(
    `seq 200000 | add --formula --trace ${trace} | { ${shellUntil(`[ -e ${go} ]`, 'told to read', 60)}; cat >/dev/null; }`,
  );
  let pid = 0;
  await waitFor(
    'add blocked writing to its reader',
    async () => {
      pid ||= Number((await sh(`pgrep -f 'add --formula --trace ${trace}$'`)).stdout.trim().split('\n')[0]);
      return pid > 0 && /pipe_write/.test(procState(pid)?.wchan ?? '');
    },
    30_000,
  );
  await delay(Math.max(1000, performance.now() - started));
  assert.match(procState(pid)?.wchan ?? 'gone', /pipe_write/, 'add is still blocked');
  writeFileSync(go, '');
  const { stdout: readerSaid } = await run;
  assert.equal(readerSaid, '');
  const events = readFileSync(trace, 'utf8');
  assert.match(events, /"name":"blocked on output","cat":"state"/);
  const { stdout } = await sh(`timer report ${trace} --width 60`);
  assert.match(stdout, /^add +\|[^|]*»»»[^|]*\|$/m);
  assert.match(stdout, /» blocked on output/);
});

test('timer report --joblog: a local GNU parallel run, a row per slot, failed jobs marked and counted', {
  skip: !hasParallel && 'GNU parallel is not installed',
}, async () => {
  const joblog = path.join(scratch, 'local.joblog');
  const svg = path.join(scratch, 'joblog.svg');
  await sh(`parallel --joblog ${joblog} -j 2 'sleep-task --for 150ms </dev/null; exit {}' ::: 0 3 0 0 5`);
  const { stdout, stderr, exitCode } = await sh(`timer report --joblog ${joblog} --width 60 --svg ${svg}`);
  assert.equal(exitCode, 0, stderr);
  assert.match(stdout, /^joblog: 5 jobs on 1 host, wall /);
  const rows = stdout
    .split('\n')
    .filter((line) => line.includes('|'))
    .map((row) => row.split('|')[0]!.trimEnd());
  assert.deepEqual(rows, ['local', '  slot 1', '  slot 2']);
  // The two failed jobs drawn x in the chart's rows, not only in its legend: on the slots' rows, two runs
  // of x (one, if the second followed the first on its slot at once). (The host's row shows x only where
  // no job that succeeded ran meanwhile.)
  const bars = stdout
    .split('\n')
    .filter((line) => line.includes('|'))
    .map((row) => row.slice(row.indexOf('|') + 1, row.lastIndexOf('|')));
  const runs = bars.slice(1).join(' ').match(/x+/g)?.length ?? 0;
  assert.ok(runs === 1 || runs === 2, stdout);
  assert.match(stdout, /^local +5 +2 +[\d.]+m?s +[\d.]+%$/m);
  assert.match(stdout, /^failed: 2 jobs \(first: seq 2: exit 3\)$/m);
  assert.match(readFileSync(svg, 'utf8'), /fill="#d62728"><title>failed<\/title>/);
});

test('timer report --joblog: a file that is no joblog is named, exit 1; a trace operand with it is a usage error', async () => {
  const notJoblog = path.join(scratch, 'notes.txt');
  writeFileSync(notJoblog, 'Seq Host\n1 2\n');
  const bad = await sh(`timer report --joblog ${notJoblog}`);
  assert.equal(bad.exitCode, 1);
  assert.equal(
    bad.stderr,
    `timer: ${notJoblog}: not a GNU parallel joblog (its first line is not Seq Host Starttime JobRuntime Send Receive Exitval Signal Command)\n`,
  );
  const both = await sh(`timer report --joblog ${notJoblog} t.json`);
  assert.equal(both.exitCode, 2);
  assert.match(both.stderr, /^timer report: --joblog takes no trace file \(got 't\.json'\)\n/);
});
