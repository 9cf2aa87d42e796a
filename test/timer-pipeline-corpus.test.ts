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
import { corpus } from './corpus.js';
import { profile, sh } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-corpus-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const RUNS = Number(process.env['PIPESTAGE_CORPUS_RUNS'] ?? 2);
const CORPUS = corpus(scratch, {
  python: (await sh('command -v python3')).exitCode === 0,
  parallel: (await sh('command -v parallel')).exitCode === 0,
});

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
