// timer --pipeline runs the text as `bash -c TEXT` runs it: the same output, errors and status, and
// nothing of timer's own lines (the ones that take the stages' statuses) is ever seen. The witness is
// bash itself, run bare on the same text.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sh } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-shell-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** Texts a user may type, each with what bash makes of it: its stdout, then its stderr (the witness is checked too). */
const TEXTS: [string, RegExp][] = [
  ['seq 3 |', /syntax error: unexpected end of file/],
  ['seq 3 &&', /syntax error: unexpected end of file/],
  ['seq 3 | (cat', /syntax error/],
  ['cat <<EOF\nhere-doc left open', /here-document at line 1 delimited by end-of-file/],
  ['cat <<EOF\na here-doc\nEOF', /^a here-doc\n$/],
  ['cat <<< "a here-string" | tr a-z A-Z', /^A HERE-STRING\n$/],
  ['set -x; echo one; echo two', /^one\ntwo\n\+ echo one\n\+ echo two\n$/],
  ['echo "$0"; seq 2 | cat; exit 4', /^bash\n1\n2\n$/],
  ['set -e; false | true; false; echo never', /^$/],
  ['set -eu; seq 2 | cat', /^1\n2\n$/],
  ['trap "echo bye" EXIT; seq 2 | cat', /^1\n2\nbye\n$/],
  ['exit() { echo mine; }; printf() { echo mine; }; seq 2 | cat', /^1\n2\n$/],
  ['shopt -s extglob\necho ab!(x)', /^ab!\(x\)\n$|^ab\n$/],
  ['echo a trailing backslash \\', /^a trailing backslash \\\n$/],
  ['seq 2 | cat # a comment', /^1\n2\n$/],
  ['trap "echo D" DEBUG; echo x', /^D\nx\n$/],
  ['set -v; echo v | cat', /^v\n$/],
  ['set -o verbose; echo w', /^w\n$/],
  ['BASH_XTRACEFD=1; set -x; echo q', /^\+ echo q\nq\n$/],
  ['enable -n builtin; echo x | cat', /^x\n$/],
  ['enable -n exit; echo x | cat', /^x\n$/],
];

test("the text runs as bash -c runs it: bash's own output, messages and status; timer's lines never seen", async () => {
  for (const [text, expected] of TEXTS) {
    const bare = await sh(`cd ${scratch} && bash -c ${quote(text)} bash`);
    assert.match(bare.stdout + bare.stderr, expected, `the witness, bash -c ${text}`);
    const report = path.join(scratch, 'report');
    rmSync(report, { force: true });
    const timed = await sh(`cd ${scratch} && timer --pipeline ${quote(text)} --output ${report}`);
    const what = `timer --pipeline ${quote(text)}`;
    assert.equal(timed.stdout, bare.stdout, `${what}: stdout`);
    assert.equal(timed.stderr, bare.stderr, `${what}: stderr`);
    assert.equal(timed.exitCode, bare.exitCode, `${what}: status`);
    // a report every time, and no word of timer's lines in it
    const written = readFileSync(report, 'utf8');
    assert.match(written, /^timer: pipeline: /m, what);
    assert.doesNotMatch(
      written + timed.stderr + timed.stdout,
      /__pipestage|PIPESTATUS|builtin (printf|exit|times|read)/,
      what,
    );
  }
});

test('the stages’ statuses come from PIPESTATUS, whatever traps and functions the text defines', async () => {
  const report = path.join(scratch, 'statuses.json');
  const text =
    'trap "echo bye" EXIT; printf() { echo mine; }; (sleep 0.2; seq 2) | (cat; exit 3) | (cat >/dev/null; exit 5)';
  const timed = await sh(`timer --pipeline ${quote(text)} --json --output ${report}`);
  assert.equal(timed.exitCode, 5, timed.stderr);
  assert.equal(timed.stdout, 'bye\n');
  const profile = JSON.parse(readFileSync(report, 'utf8')) as { stages: { status: number | null }[] };
  assert.deepEqual(
    profile.stages.map((stage) => stage.status),
    [0, 3, 5],
  );
});

test('output files are checked before the pipeline runs: a bad one is refused with status 125, nothing run', async () => {
  const mark = path.join(scratch, 'ran');
  for (const option of ['--svg', '--trace', '--output']) {
    const refused = await sh(`timer --pipeline ${quote(`touch ${mark}`)} ${option} /nonexistent/dir/file`);
    assert.equal(refused.exitCode, 125, `${option}: ${refused.stderr}`);
    assert.match(refused.stderr, /^timer: .*'\/nonexistent\/dir\/file'.*No such file or directory/m, option);
    assert.equal(existsSync(mark), false, `${option}: the pipeline ran`);
  }
});
