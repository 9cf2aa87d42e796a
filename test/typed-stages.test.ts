// The stages of a pipeline as typed: the real parser (tree-sitter-bash, from dist/) on texts users type.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { parseTypedStages } from '../src/timer/pipeline/bash-parser.js';
import { lastPipelineRows } from '../src/timer/pipeline/typed.js';
import { corpus } from './corpus.js';
import { ROOT } from './helpers.js';

const parse = (text: string) => parseTypedStages(text, path.join(ROOT, 'dist'));

/** Each text's stages, as `pick` shows them, are the ones expected. */
async function expectStages(
  cases: [string, unknown[] | undefined][],
  pick: (stage: NonNullable<Awaited<ReturnType<typeof parse>>>[number]) => unknown,
): Promise<void> {
  for (const [text, expected] of cases) assert.deepEqual((await parse(text))?.map(pick), expected, text);
}

test('each element of one pipeline, its text exactly as typed, and the program of a simple command', async () => {
  const cases: [string, [string, string | undefined][]][] = [
    [
      'seq 24 | mul --repeat 200000 | add --formula',
      [
        ['seq 24', 'seq'],
        ['mul --repeat 200000', 'mul'],
        ['add --formula', 'add'],
      ],
    ],
    [
      'seq 8 | (grep -v 9 | gzip -7) | wc -c',
      [
        ['seq 8', 'seq'],
        ['(grep -v 9 | gzip -7)', undefined],
        ['wc -c', 'wc'],
      ],
    ],
    [
      `printf '%s\\n' "a b" | tr ' ' _`,
      [
        [`printf '%s\\n' "a b"`, 'printf'],
        [`tr ' ' _`, 'tr'],
      ],
    ],
    [
      'X=1 /usr/bin/env python3 -c "print(1)" | cat > /dev/null',
      [
        ['X=1 /usr/bin/env python3 -c "print(1)"', 'env'],
        ['cat > /dev/null', 'cat'],
      ],
    ],
    [
      '  seq 3   |   cat  # a comment',
      [
        ['seq 3', 'seq'],
        ['cat', 'cat'],
      ],
    ],
    [
      'seq 3 |& cat',
      [
        ['seq 3', 'seq'],
        ['cat', 'cat'],
      ],
    ],
    ['paste -d " " <(seq 3 | gzip -6) -', [['paste -d " " <(seq 3 | gzip -6) -', 'paste']]],
    [
      '{ seq 2; seq 3; } | sort -u',
      [
        ['{ seq 2; seq 3; }', undefined],
        ['sort -u', 'sort'],
      ],
    ],
    [
      'seq 9 | while read -r n; do echo "$n"; done | tail -1',
      [
        ['seq 9', 'seq'],
        ['while read -r n; do echo "$n"; done', undefined],
        ['tail -1', 'tail'],
      ],
    ],
    [
      'echo é | wc -c',
      [
        ['echo é', 'echo'],
        ['wc -c', 'wc'],
      ],
    ],
    ['sleep 1', [['sleep 1', 'sleep']]],
    [
      '! seq 3 | cat',
      [
        ['seq 3', 'seq'],
        ['cat', 'cat'],
      ],
    ],
    [
      'cat <<EOF | tr a-z A-Z | wc -c\nhello\nEOF',
      [
        ['cat <<EOF', 'cat'],
        ['tr a-z A-Z', 'tr'],
        ['wc -c', 'wc'],
      ],
    ],
    // (a here-document's stage is its command's line: its body is its input)
    ["cat <<'EOF' >/dev/null\nhello\nEOF", [["cat <<'EOF' >/dev/null", 'cat']]],
  ];
  await expectStages(cases, (stage) => [stage.text, stage.program]);
});

test('statements in order, each pipeline numbered; builtins and assignments outside a pipeline start no process', async () => {
  const cases: [string, [string, number][]][] = [
    [
      'seq 3 | cat; seq 2',
      [
        ['seq 3', 0],
        ['cat', 0],
        ['seq 2', 1],
      ],
    ],
    [
      'seq 3 && cat || (exit 3)',
      [
        ['seq 3', 0],
        ['cat', 1],
        ['(exit 3)', 2],
      ],
    ],
    [
      'X=1; echo hi; cd /; seq 3 | mul\n# a comment\nsleep 1 >/dev/null; true',
      [
        ['seq 3', 0],
        ['mul', 0],
        ['sleep 1 >/dev/null', 1],
      ],
    ],
    [
      'echo hi | cat; (x=$(seq 2); echo $x)',
      [
        ['echo hi', 0],
        ['cat', 0],
        ['(x=$(seq 2); echo $x)', 1],
      ],
    ],
    ['wc -l $(ls) <(seq 3)', [['wc -l $(ls) <(seq 3)', 0]]],
    [
      'cat <<EOF\nhi\nEOF\nseq 2',
      [
        ['cat <<EOF', 0],
        ['seq 2', 1],
      ],
    ],
  ];
  await expectStages(cases, (stage) => [stage.text, stage.pipeline]);
});

test('texts whose processes cannot be told from the text: none', async () => {
  for (const text of [
    'echo hi',
    'X=$(seq 3); seq 2 | cat',
    'paste <(seq 3) -; seq 2',
    'f() { seq 3; }; f',
    'f() { seq 3; }; seq 2 | cat; f > out',
    'if true; then seq 3; fi; seq 2',
    'eval "seq 3 | cat"',
    'exec seq 3',
    'for i in 1 2; do seq $i; done',
    'seq 3 |',
    '',
  ])
    assert.equal(await parse(text), undefined, text);
});

test('a function: its definition starts no process; its call in a pipeline or as a job an element of no program', async () => {
  await expectStages(
    [
      [
        'f() { seq 3; }; f | cat',
        [
          ['f', undefined, 0],
          ['cat', 'cat', 0],
        ],
      ],
      [
        'function g { mul; }\nseq 6 | g --x | add',
        [
          ['seq 6', 'seq', 0],
          ['g --x', undefined, 0],
          ['add', 'add', 0],
        ],
      ],
      [
        'f() { sleep 1; }; f & seq 3 | f',
        [
          ['f', undefined, 0],
          ['seq 3', 'seq', 1],
          ['f', undefined, 1],
        ],
      ],
      // the name is a program until the function is defined
      [
        'seq 2 | f; f() { cat; }; seq 3 | f',
        [
          ['seq 2', 'seq', 0],
          ['f', 'f', 0],
          ['seq 3', 'seq', 1],
          ['f', undefined, 1],
        ],
      ],
    ],
    (stage) => [stage.text, stage.program, stage.pipeline],
  );
});

test("a `&` job: a pipeline's elements, anything else one stage; marked background, no statuses from PIPESTATUS", async () => {
  await expectStages(
    [
      [
        'seq 3 | cat & seq 2',
        [
          ['seq 3', true],
          ['cat', true],
          ['seq 2', false],
        ],
      ],
      [
        'seq 3 | cat &',
        [
          ['seq 3', true],
          ['cat', true],
        ],
      ],
      [
        '{ sleep 1; seq 3; } & wc -l',
        [
          ['{ sleep 1; seq 3; }', true],
          ['wc -l', false],
        ],
      ],
      [
        'echo hi & sleep 1 &',
        [
          ['echo hi', true],
          ['sleep 1', true],
        ],
      ],
      [
        'seq 3 && cat & seq 2',
        [
          ['seq 3 && cat', true],
          ['seq 2', false],
        ],
      ],
    ],
    (stage) => [stage.text, stage.background],
  );
  const last = async (text: string) => lastPipelineRows((await parse(text))!);
  assert.deepEqual(await last('sleep 9 & seq 3 | cat'), [1, 2], 'the last pipeline, in the foreground');
  assert.equal(await last('seq 3 | cat; sleep 9 &'), undefined, 'the last statement a job');
  const conditional = (await parse('false && seq 3 | cat'))!;
  assert.equal(lastPipelineRows(conditional), undefined, 'after && it may not have run');
  assert.deepEqual(
    lastPipelineRows(conditional, (row) => row === 1),
    [0, 1],
    'a process of it seen: it ran, last',
  );
  // PIPESTATUS's length tells which ran last where no other pipeline has as many elements
  const orElse = (await parse('grep -q x /etc/hostname || seq 3 | sort -r'))!;
  assert.deepEqual(lastPipelineRows(orElse, undefined, 2), [1, 2], 'two statuses: seq 3 | sort -r ran last');
  assert.equal(lastPipelineRows(orElse, undefined, 1), undefined, 'one status: grep ran last');
  const twoOfTwo = (await parse('echo a | cat || seq 3 | sort -r'))!;
  assert.equal(lastPipelineRows(twoOfTwo, undefined, 2), undefined, 'two pipelines of two: either');
  const three = (await parse('seq 2 | cat | cat && seq 3 | sort -r'))!;
  assert.deepEqual(lastPipelineRows(three, undefined, 2), [3, 4]);
  assert.equal(lastPipelineRows(three, undefined, 3), undefined, 'three statuses: the first ran last');
});

test("each element's process substitutions as typed, in order, nested ones not", async () => {
  await expectStages(
    [
      [
        'paste <(seq 3) <(seq 4 | gzip -1 | gunzip) | tee >(gzip > x.gz)',
        [['<(seq 3)', '<(seq 4 | gzip -1 | gunzip)'], ['>(gzip > x.gz)']],
      ],
      ['cat <(cat <(seq 2)) | wc -l', [['<(cat <(seq 2))'], []]],
    ],
    (stage) => stage.procsubs,
  );
});

test('a pipeline of three or more before && or ||: its elements, the rest after (tree-sitter reads it the other way)', async () => {
  await expectStages(
    [
      [
        'seq 5 | cat | wc -l && echo yes',
        [
          ['seq 5', 0, true],
          ['cat', 0, true],
          ['wc -l', 0, true],
        ],
      ],
      [
        'seq 5 | gzip -1 | wc -c && cat x || sort y',
        [
          ['seq 5', 0, true],
          ['gzip -1', 0, true],
          ['wc -c', 0, true],
          ['cat x', 1, true],
          ['sort y', 2, true],
        ],
      ],
      [
        'a | b | c && d | e',
        [
          ['a', 0, true],
          ['b', 0, true],
          ['c', 0, true],
          ['d', 1, true],
          ['e', 1, true],
        ],
      ],
    ],
    (stage) => [stage.text, stage.pipeline, stage.conditional],
  );
  await expectStages([['seq 3 | cat > >(sleep 1; cat > f)', [[], ['>(sleep 1; cat > f)']]]], (stage) => stage.procsubs);
});

test("a redirection in the middle of a pipeline is its element's (tree-sitter reads `a | b 2>&1 | c` as `(a | b) 2>&1 | c`)", async () => {
  await expectStages(
    [
      [
        'printf "1\\n" | cat; seq 1 2000000 | gzip -1 2>&1 | wc -c',
        [
          ['printf "1\\n"', 0, []],
          ['cat', 0, []],
          ['seq 1 2000000', 1, []],
          ['gzip -1 2>&1', 1, []],
          ['wc -c', 1, []],
        ],
      ],
      [
        'x=1; a <(seq 3) | b 2> >(cat >&2) | c 2>/dev/null | d > >(wc)',
        [
          ['a <(seq 3)', 0, ['<(seq 3)']],
          ['b 2> >(cat >&2)', 0, ['>(cat >&2)']],
          ['c 2>/dev/null', 0, []],
          ['d > >(wc)', 0, ['>(wc)']],
        ],
      ],
      [
        'cat <<EOF | tr a-z A-Z 2>&1 | wc -l\nabc\nEOF\n',
        [
          ['cat <<EOF', 0, []],
          ['tr a-z A-Z 2>&1', 0, []],
          ['wc -l', 0, []],
        ],
      ],
    ],
    (stage) => [stage.text, stage.pipeline, stage.procsubs],
  );
});

test('a here-document left open (bash reads its body to the end of the text): its stage as typed', async () => {
  await expectStages(
    [
      ['cat <<EOF\nabc', [['cat <<EOF', 'cat']]],
      [
        'cat <<EOF | wc -l\nabc\ndef',
        [
          ['cat <<EOF', 'cat'],
          ['wc -l', 'wc'],
        ],
      ],
      [
        'seq 3; cat <<-"END"\n\tx',
        [
          ['seq 3', 'seq'],
          ['cat <<-"END"', 'cat'],
        ],
      ],
      // a here-string opens none
      ['cat <<<abc | wc; f() {', undefined],
    ],
    (stage) => [stage.text, stage.program],
  );
});

test('here-documents anywhere, and statements on the lines after a pipeline of three (tree-sitter-bash misreads both)', async () => {
  await expectStages(
    [
      [
        'seq 3000 | cat <<EOF | wc -l\nx\nEOF\nseq 5 | rev',
        [
          ['seq 3000', 0],
          ['cat <<EOF', 0],
          ['wc -l', 0],
          ['seq 5', 1],
          ['rev', 1],
        ],
      ],
      [
        'seq 1 2000000 | gzip -6 | wc -c\ncat <<EOF\nhi\nEOF',
        [
          ['seq 1 2000000', 0],
          ['gzip -6', 0],
          ['wc -c', 0],
          ['cat <<EOF', 1],
        ],
      ],
      [
        "python3 - <<'PY' 2>&1 | awk '{print}' | cat\nprint(1)\nPY\ntr a-z A-Z <<< \"x y\" | rev",
        [
          ["python3 - <<'PY' 2>&1", 0],
          ["awk '{print}'", 0],
          ['cat', 0],
          ['tr a-z A-Z <<< "x y"', 1],
          ['rev', 1],
        ],
      ],
      [
        'a | b | c\nd > f\ne | f | g\nh 2>&1',
        [
          ['a', 0],
          ['b', 0],
          ['c', 0],
          ['d > f', 1],
          ['e', 2],
          ['f', 2],
          ['g', 2],
          ['h 2>&1', 3],
        ],
      ],
      // two bodies on one line's here-documents, <<- and its tabs; a shift is no here-document
      [
        'cat <<A <<-B | wc\na\nA\n\tb\n\tB\necho $((1 << 3)) | cat',
        [
          ['cat <<A <<-B', 0],
          ['wc', 0],
          ['echo $((1 << 3))', 1],
          ['cat', 1],
        ],
      ],
      ['cat <<EOF && echo\nhi\nEOF', [['cat <<EOF', 0]]],
    ],
    (stage) => [stage.text, stage.pipeline],
  );
});

test("each stage's place in the text: its text stands there (the stage of a text typed twice is changed there)", async () => {
  const texts = [
    ...corpus('/tmp/x', { python: true, parallel: true }).map(([text]) => text),
    'echo mul; seq 8 | mul | mul',
    '  seq 3 |   cat  ',
    'cat <<EOF | tr a-z A-Z\nhello\nEOF\nseq 2 | cat',
    'f() { mul; }; seq 2 | f & sleep 1',
  ];
  for (const text of texts) {
    const stages = (await parse(text)) ?? [];
    for (const stage of stages) assert.equal(text.slice(stage.at!, stage.at! + stage.text.length), stage.text, text);
  }
  // (echo: a builtin, no process, no stage)
  assert.deepEqual(
    (await parse('echo mul; seq 8 | mul | mul'))?.map((stage) => stage.at),
    [10, 18, 24],
  );
});

test('a wrapper: the program it runs, past its options, their arguments, assignments, numbers and durations', async () => {
  await expectStages(
    [
      [
        'seq 3 | nice -n 5 mul | timeout -s KILL 10s sleep-task --for 1s | env A=1 B=2 /usr/bin/sort -r',
        [
          ['seq 3', undefined],
          ['nice -n 5 mul', 'mul'],
          ['timeout -s KILL 10s sleep-task --for 1s', 'sleep-task'],
          ['env A=1 B=2 /usr/bin/sort -r', 'sort'],
        ],
      ],
      [
        'seq 3 | command cat | taskset 0x3 add | (exec wc -l)',
        [
          ['seq 3', undefined],
          ['command cat', 'cat'],
          ['taskset 0x3 add', 'add'],
          ['(exec wc -l)', undefined],
        ],
      ],
    ],
    (stage) => [stage.text, stage.runs],
  );
});
