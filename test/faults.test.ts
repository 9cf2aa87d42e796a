// The list of deliberate faults (test/faults/*.patch, run by `npm run faults`) stays usable: each
// patch has its header, names test files that exist, and still applies to the code it breaks (a patch
// moves with the code when files move). Whether each one is caught is `npm run faults`' job (CI runs it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from './helpers.js';

test('npm run faults --check: at least 25 faults, each with its header, each applying to the working tree', async () => {
  const { stdout, stderr, exitCode } = await sh('node scripts/faults.mjs --check');
  assert.equal(stderr, '');
  assert.equal(exitCode, 0);
  assert.match(stdout, /^\d+ faults, each with its header, each applying to the working tree\n$/);
  assert.ok(Number.parseInt(stdout, 10) >= 25, stdout);
});

test('npm run faults refuses a patch without its header, and an unknown option (exit 2)', async () => {
  const unknown = await sh('node scripts/faults.mjs --bogus');
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /^faults: unknown option '--bogus'\n/);
  const none = await sh('node scripts/faults.mjs --check no-such-fault-name');
  assert.equal(none.exitCode, 2);
  assert.equal(none.stderr, 'faults: no patch in test/faults/ matches no-such-fault-name\n');
});
