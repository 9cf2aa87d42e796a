// The experiments' scripts, which judge times against expectations. The kitchen measures each run in
// the stages' own traces (no process start-up counts), so it runs beside the other suites.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sh } from '../helpers.js';

const out = mkdtempSync(path.join(tmpdir(), 'pipestage-kitchen-test-'));
after(() => rmSync(out, { recursive: true, force: true }));

test('the kitchen experiment reproduces its expectations (scripts/kitchen.sh)', async () => {
  // Expectations differ by 2 units or more, so a 1-unit tolerance still tells the semantics apart.
  // One more try when a run is off: a shared machine's noise (an event loop late by 100 ms) is not the
  // semantics under test; two runs off in a row are.
  let { stdout, stderr, exitCode } = await sh(`bash scripts/kitchen.sh --unit 0.1 --tolerance 1 --out ${out}`);
  if (exitCode !== 0) {
    console.log(`# first run off, trying once more:\n${stdout.replace(/^/gm, '# ')}`);
    ({ stdout, stderr, exitCode } = await sh(`bash scripts/kitchen.sh --unit 0.1 --tolerance 1 --out ${out}`));
  }
  assert.equal(exitCode, 0, stdout + stderr);
  assert.match(stdout, /every run within 1 units of its expectation/);
});
