// Every executable through the rules every Unix tool keeps (coreutils tests/help/help-version.sh).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT, sh } from './helpers.js';

const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };

/**
 * Each executable, with a command line that runs it on endless input for the `| head` check and what
 * it then says: a stage ends quietly with 0; timer prints its report and passes on its command's
 * status (cat dies of SIGPIPE: 141).
 */
export const EXECUTABLES: { name: string; endless: string; afterHead: RegExp }[] = [
  { name: 'mul', endless: 'yes 11 | mul --repeat 1', afterHead: /^status=0\n$/ },
  { name: 'add', endless: 'yes 11 | add', afterHead: /^status=0\n$/ },
  { name: 'sleep-task', endless: 'yes | sleep-task --for 0ms', afterHead: /^status=0\n$/ },
  // cat sees its stdin closed or dies of SIGPIPE, whichever comes first: 0 or 141.
  {
    name: 'timer',
    endless: 'yes | timer -- cat',
    afterHead: /^timer: cat: \d+ lines in, \d+ out, [^\n]*(\nstatus=0|, killed by SIGPIPE\nstatus=141)\n$/,
  },
];

for (const { name, endless, afterHead } of EXECUTABLES) {
  // (-h, the same action as --help, is the parser's: test/cli.test.ts)
  test(`${name}: --help prints usage on stdout, exit 0`, async () => {
    const { stdout, stderr, exitCode } = await sh(`${name} --help`);
    assert.equal(exitCode, 0);
    assert.match(stdout, new RegExp(`^Usage: ${name} `));
    assert.match(stdout, /--version/);
    assert.equal(stderr, '');
  });

  test(`${name}: --version prints the package version`, async () => {
    const { stdout, exitCode } = await sh(`${name} --version`);
    assert.equal(exitCode, 0);
    assert.equal(stdout, `${version}\n`);
  });

  test(`${name}: --help into /dev/full fails with a write error`, async () => {
    // (--help and --version are written by the same function: the longer text is tried here)
    const { stderr, exitCode } = await sh(`${name} --help >/dev/full`);
    assert.equal(exitCode, 1);
    assert.equal(stderr, `${name}: write error: No space left on device\n`);
  });

  // (unknown options and bad values: test/hardening.test.ts, test/citizenship.test.ts)
  test(`${name}: | head -n 1 on endless input ends quietly`, async () => {
    const { stdout, stderr } = await sh(`{ ${endless}; echo "status=$?" >&2; } | head -n 1 >/dev/null; echo done`);
    assert.equal(stdout, 'done\n');
    assert.match(stderr, afterHead);
  });

  // (completion: test/citizenship.test.ts)
}
