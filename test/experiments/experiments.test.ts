// The experiments' scripts, which judge wall times against expectations: run after the other suites,
// one at a time, on an otherwise idle machine (timing under a loaded machine is not what they test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from '../helpers.js';

test('the kitchen experiment reproduces its expectations (scripts/kitchen.sh)', async () => {
  // Expectations differ by 2 units or more, so a 1-unit tolerance still tells the semantics apart.
  const { stdout, stderr, exitCode } = await sh('bash scripts/kitchen.sh --unit 0.1 --tolerance 1');
  assert.equal(exitCode, 0, stdout + stderr);
  assert.match(stdout, /every run within 1 units of its expectation/);
});
