// timer --pipeline on a corpus of pipelines no other test was designed around — process substitution
// in and out, tee >( ), subshells, brace groups, xargs -P, GNU parallel, here-docs, a here-string, 2>&1,
// ;, && and ||, a failing stage, one killed by a signal, python3, awk, 1 ms stages first and last — each
// run RUNS times (PIPESTAGE_CORPUS_RUNS, 2 by default; 20 for the closing notes' figures): every run the
// same rows, each the stage's text as typed, and the statuses bash gives (the witness: the same text
// run by bash with PIPESTATUS printed).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { profile, sh } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-corpus-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const RUNS = Number(process.env['PIPESTAGE_CORPUS_RUNS'] ?? 2);
const hasParallel = (await sh('command -v parallel')).exitCode === 0;
const hasPython = (await sh('command -v python3')).exitCode === 0;

/** text, its rows as typed, and whether bash's PIPESTATUS is the last rows' statuses (the last pipeline surely ran last) */
const CORPUS: [text: string, rows: string[], statusesOfLast: boolean][] = [
  ['seq 24 | mul --repeat 2000 | add --formula', ['seq 24', 'mul --repeat 2000', 'add --formula'], true],
  ['seq 8 | (grep -v 9 | gzip -7) | wc -c', ['seq 8', '(grep -v 9 | gzip -7)', 'wc -c'], true],
  [
    `seq 100 | tee >(gzip -9 > ${scratch}/x.gz) | wc -l`,
    ['seq 100', `tee >(gzip -9 > ${scratch}/x.gz)`, 'wc -l'],
    true,
  ],
  [`paste -d ' ' <(seq 3) <(seq 3 | gzip -6 | gunzip)`, [`paste -d ' ' <(seq 3) <(seq 3 | gzip -6 | gunzip)`], true],
  ['seq 5 | xargs -P 2 -n 1 echo | sort', ['seq 5', 'xargs -P 2 -n 1 echo', 'sort'], true],
  ['cat <<EOF | tr a-z A-Z\nhello\nEOF', ['cat <<EOF', 'tr a-z A-Z'], true],
  ['tr a-z A-Z <<< "a here-string" | cat', ['tr a-z A-Z <<< "a here-string"', 'cat'], true],
  ['seq 3 2>&1 | cat', ['seq 3 2>&1', 'cat'], true],
  ['seq 10 | { head -2; cat; } | wc -l', ['seq 10', '{ head -2; cat; }', 'wc -l'], true],
  ['seq 3 | cat; seq 2 | cat', ['seq 3', 'cat', 'seq 2', 'cat'], true],
  ['seq 3 >/dev/null && cat /dev/null || (exit 3)', ['seq 3 >/dev/null', 'cat /dev/null', '(exit 3)'], false],
  ['X=1; echo hi >/dev/null; seq 3 | mul >/dev/null', ['seq 3', 'mul >/dev/null'], true],
  ['seq 10 | (mul --repeat 200 | add) | cat', ['seq 10', '(mul --repeat 200 | add)', 'cat'], true],
  ['seq 100000 | gzip -1 | gzip -d | wc -l', ['seq 100000', 'gzip -1', 'gzip -d', 'wc -l'], true],
  ['head -c 100000 /dev/urandom | sha256sum', ['head -c 100000 /dev/urandom', 'sha256sum'], true],
  ['true | (exit 3) | cat', ['true', '(exit 3)', 'cat'], true],
  ['seq 3 | (sleep 0.1; kill -TERM $BASHPID) | cat', ['seq 3', '(sleep 0.1; kill -TERM $BASHPID)', 'cat'], true],
  [
    'echo x | awk \'{print "awk:" $0}\' | sleep-task --for 1ms',
    ['echo x', `awk '{print "awk:" $0}'`, 'sleep-task --for 1ms'],
    true,
  ],
  ['true | sleep 0.2 | true', ['true', 'sleep 0.2', 'true'], true],
  ...(hasPython
    ? [
        [
          'seq 1000 | python3 -c "import sys; sys.stdout.write(sys.stdin.read())" | tail -1',
          ['seq 1000', 'python3 -c "import sys; sys.stdout.write(sys.stdin.read())"', 'tail -1'],
          true,
        ] as [string, string[], boolean],
      ]
    : []),
  ...(hasParallel
    ? [
        [
          'seq 20 | parallel -j 2 echo | sort -n | tail -1',
          ['seq 20', 'parallel -j 2 echo', 'sort -n', 'tail -1'],
          true,
        ] as [string, string[], boolean],
      ]
    : []),
];

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

test(`a corpus of ${CORPUS.length} pipelines, ${RUNS} runs each: the same rows every run, as typed, with bash's statuses`, async () => {
  for (const [text, rows, statusesOfLast] of CORPUS) {
    // the witness: bash itself, its output and the last pipeline's statuses
    const bare = await sh(`bash -c ${quote(`${text}\necho "PIPESTATUS=\${PIPESTATUS[*]}" >&2`)} bash`);
    const statuses = /PIPESTATUS=([\d ]*)$/m.exec(bare.stderr)![1]!.split(' ').map(Number);
    for (let run = 0; run < RUNS; run++) {
      const { report, stdout } = await profile(text);
      const what = `${text} (run ${run + 1}): ${JSON.stringify(report.stages.map((stage) => [stage.pid, stage.command]))}`;
      assert.deepEqual(
        report.stages.map((stage) => stage.command),
        rows,
        what,
      );
      if (!text.includes('urandom')) assert.equal(stdout, bare.stdout, what);
      // statuses: the last pipeline's as bash gives them, where it surely ran last; a pipestage stage's own
      const last = report.stages.slice(rows.length - statuses.length);
      if (statusesOfLast)
        assert.deepEqual(
          last.map((stage) => stage.status),
          statuses,
          what,
        );
      else
        assert.ok(
          report.stages.every((stage) => stage.status === null || stage.items !== null),
          what,
        );
    }
  }
});
