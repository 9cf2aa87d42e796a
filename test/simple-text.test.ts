// The stages of plain pipelines read without bash's grammar (simple-text.ts): for every text it
// reads, the very stages the grammar gives (the witness: tree-sitter-bash, parseWithGrammar); every
// other text left to the grammar.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { parseWithGrammar } from '../src/timer/pipeline/bash-parser.js';
import { simplePipeline } from '../src/timer/pipeline/simple-text.js';
import { ROOT } from './helpers.js';

const grammar = (text: string) => parseWithGrammar(text, path.join(ROOT, 'dist'));

const READ = [
  'seq 8 | mul | add',
  'seq 8|mul|add',
  '  seq 1 3000000 |  add --formula   | add --formula  ',
  'add --formula </tmp/seq3m | add --formula >/dev/null',
  '<in.txt tr a-z A-Z | sort -n >> out.txt',
  'seq 3 2>&1 | cat >&2',
  'seq 3 2> /dev/null | cat',
  "grep -v 'a b|c' | sed 's/x/y/'",
  'printf "%s:" "a b" | wc -c',
  '/usr/bin/seq 3 | ./bin/add',
  '"seq" 3 | cat',
  'echo x | cat',
  'gzip -9',
  'sleep-task --for 300ms',
  'mul --repeat 2000 -w2 | add',
  "awk '{ print $1 }' | sort -u",
  'exec cat | cat',
];
const LEFT = [
  'echo hi',
  'cd /tmp',
  'exec cat',
  'eval seq 3',
  'X=1 seq 3 | cat',
  'seq 3 | cat; seq 2',
  'seq 3 && cat',
  'seq 3 || cat',
  'seq 3 | cat &',
  'seq 3 |& cat',
  '(seq 3) | cat',
  '{ seq 3; } | cat',
  'time seq 3 | cat',
  '! seq 3 | cat',
  'seq $N | cat',
  'seq "$N" | cat',
  'seq `echo 3` | cat',
  'ls *.txt | wc -l',
  'cat <<EOF | tr a-z A-Z\nhello\nEOF',
  'tr a-z A-Z <<< "x" | cat',
  'paste <(seq 3) <(seq 3)',
  'tee >(gzip > x.gz) | wc -l',
  'seq 3\nseq 4',
  'seq 3 | cat # comment',
  "grep 'open | cat",
  'seq 3 |',
  'cat ~/x | wc',
  'seq 3 &> /dev/null | cat',
  'if true; then seq 3; fi | cat',
  'seq 3 | cat\\\n | wc',
  'printf "%s\\n" "a b" | wc -l',
];

test('plain pipelines: the stages bash’s grammar gives, read without it', async () => {
  for (const text of READ) {
    const fast = simplePipeline(text);
    assert.ok(fast, `not read: ${JSON.stringify(text)}`);
    assert.deepEqual(fast, await grammar(text), text);
  }
});

test('anything else is left to the grammar', () => {
  for (const text of LEFT) assert.equal(simplePipeline(text), undefined, JSON.stringify(text));
});
