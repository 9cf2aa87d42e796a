// Figures a new user met that meant nothing: a speedup of one stage, lines per second of gzip's output.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, sh } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-figures-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('timer report on one stage: no speedup (nothing overlaps), in the text or the SVG; two stages keep it', async () => {
  const trace = path.join(scratch, 'one.json');
  await sh(`seq 3 | timer --trace ${trace} -- cat >/dev/null 2>&1`);
  const one = await sh(`timer report ${trace} --width 60 --svg ${scratch}/one.svg`);
  assert.equal(one.exitCode, 0, one.stderr);
  assert.match(one.stdout, /^pipeline: 1 stage, wall /);
  assert.doesNotMatch(one.stdout, /speedup/);
  assert.match(one.stdout, /\n\nbottleneck: cat \(the busiest stage bounds the pipeline\)\n$/);
  assert.doesNotMatch(readFileSync(`${scratch}/one.svg`, 'utf8'), /speedup/);
  const two = await sh(`timer report ${FIXTURES}/two-stages.trace.json --svg ${scratch}/two.svg`);
  // The speedup is the busy times of the table over the wall of the title (each rounded to the ms).
  const wall = Number(/^pipeline: 2 stages, wall (\d+)ms$/m.exec(two.stdout)![1]);
  const busy = [...two.stdout.matchAll(/^(?:produce|consume) +\d+ +(\d+)ms /gm)].map((row) => Number(row[1]));
  assert.equal(busy.length, 2, two.stdout);
  const speedup = /^speedup \(sum of busy time \/ wall time\): (\d+\.\d\d)x$/m.exec(two.stdout)![1]!;
  assert.ok(Math.abs(Number(speedup) - (busy[0]! + busy[1]!) / wall) <= 0.006, `${speedup} vs ${busy} / ${wall}`);
  const bottleneck = /^bottleneck: (\w+) /m.exec(two.stdout)![1];
  const title = `, speedup ${speedup}x, bottleneck ${bottleneck}<`;
  assert.ok(readFileSync(`${scratch}/two.svg`, 'utf8').includes(title), title);
});

test('timer -- gzip: the rate of output that is not text is in bytes per second, not lines', async () => {
  const gzip = await sh(`seq 20000 | timer -- gzip 2>&1 >${scratch}/out.gz`);
  assert.equal(gzip.exitCode, 0, gzip.stdout);
  assert.match(gzip.stdout, /^timer: gzip: 20000 lines in, \d+ out, wall .*, (\d+(\.\d)? (B|KiB|MiB|GiB))\/s\n$/);
  assert.doesNotMatch(gzip.stdout, /lines\/s/);
  assert.equal((await sh(`gzip -dc ${scratch}/out.gz | tail -n 1`)).stdout, '20000\n');
  // text keeps its lines per second; so does NUL-separated text (-z)
  assert.match((await sh('seq 20000 | timer -- cat 2>&1 >/dev/null')).stdout, / lines\/s\n$/);
  assert.match((await sh("printf 'a\\0b\\0' | timer -z -- cat 2>&1 >/dev/null")).stdout, / lines\/s\n$/);
});
