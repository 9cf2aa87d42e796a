// A stage's sub-rows (src/render/sub-rows.ts) and the bottleneck named down to a process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessProfile } from '../../src/render/profile.js';
import { processName, subRows } from '../../src/render/sub-rows.js';
import { findBottleneck, withinStage } from '../../src/timer/pipeline/model.js';
import { profiled } from './fixtures.js';

const proc = (pid: number, argv: string[], fields: Partial<ProcessProfile> = {}): ProcessProfile => ({
  pid,
  parent: 1,
  argv,
  startMs: 0,
  endMs: 100,
  running: false,
  userMs: 0,
  sysMs: 0,
  sampled: false,
  lost: null,
  ...fields,
});
const shown = (rows: ReturnType<typeof subRows>) =>
  rows.map((row) => [row.name, row.depth, Math.round(row.userMs), Math.round(row.sysMs)]);

test('processName: a pipestage stage as its name and arguments, env skipped, others as run', () => {
  assert.equal(processName(['/usr/bin/node', '/x/bin/mul', '--repeat', '5']), 'mul --repeat 5');
  assert.equal(processName(['/usr/bin/env', 'node', '/x/bin/add']), 'add');
  assert.equal(processName(['gzip', '-7']), 'gzip -7');
});

test('subRows: none for a stage of one program; a subshell’s programs with a (rest) that makes them add up', () => {
  assert.deepEqual(subRows(profiled('gzip', {}, true, { pid: 5, processes: [proc(5, ['gzip'])] })), []);
  const stage = profiled('(grep | gzip)', {}, true, {
    pid: 5,
    userMs: 100,
    sysMs: 10,
    processes: [proc(6, ['grep', 'x'], { userMs: 20, sysMs: 2 }), proc(7, ['gzip', '-7'], { userMs: 70, sysMs: 8 })],
  });
  assert.deepEqual(shown(subRows(stage)), [
    ['(rest)', 1, 10, 0],
    ['grep x', 1, 20, 2],
    ['gzip -7', 1, 70, 8],
  ]);
  // nothing left: the (rest) row still, at 0 (a subshell's own row: under 1 ms it came and went from run to run)
  assert.deepEqual(shown(subRows({ ...stage, userMs: 90, sysMs: 10 })), [
    ['(rest)', 1, 0, 0],
    ['grep x', 1, 20, 2],
    ['gzip -7', 1, 70, 8],
  ]);
});

test('subRows: the stage’s own program, a (rest) with what is left; process substitutions as typed, their processes under them', () => {
  const stage = profiled('paste', {}, true, {
    pid: 5,
    userMs: 200,
    sysMs: 0,
    procsubs: ['<(seq 3)', '<(seq 9 | gzip)'],
    processes: [
      proc(5, ['paste', '/dev/fd/63', '/dev/fd/62'], { userMs: 60 }),
      proc(6, ['seq', '3'], { parent: 5, userMs: 10, lost: 'process substitution' }),
      proc(7, [], { parent: 5, userMs: 5, lost: 'process substitution' }),
      proc(8, ['seq', '9'], { parent: 7, userMs: 15 }),
      proc(9, ['gzip'], { parent: 7, userMs: 100 }),
    ],
  });
  assert.deepEqual(shown(subRows(stage)), [
    ['paste … …', 1, 60, 0],
    ['(rest)', 1, 10, 0],
    ['<(seq 3)', 1, 10, 0],
    ['<(seq 9 | gzip)', 1, 120, 0],
    ['seq 9', 2, 15, 0],
    ['gzip', 2, 100, 0],
  ]);
  // as many substitutions seen as typed, else by their programs
  const fewer = { ...stage, procsubs: ['<(seq 3)'] };
  assert.deepEqual(
    subRows(fewer).map((row) => row.name),
    ['paste … …', '(rest)', '<(seq 3)', '(subshell)', 'seq 9', 'gzip'],
  );
});

test('subRows: a process substitution orphaned (its program ended first) is still one, named as typed', () => {
  // seq 5 | paste - <(seq 10 14) <(yes "a b" | head -5): paste exits, its substitutions are adopted
  const typed = ['<(seq 10 14)', '<(yes "a b" | head -5)'];
  const paste = (processes: ProcessProfile[]) =>
    profiled('paste', {}, true, { pid: 5, userMs: 20, procsubs: typed, processes });
  const own = proc(5, ['paste', '-', '/dev/fd/63', '/dev/fd/62'], { userMs: 5 });
  const seq = proc(6, ['seq', '10', '14'], { parent: 5, userMs: 2, lost: 'orphan' });
  const sub = proc(7, [], { parent: 5, userMs: 1, lost: 'orphan' });
  const head = proc(9, ['head', '-5'], { parent: 7, userMs: 3 });
  assert.deepEqual(
    subRows(paste([own, seq, sub, head])).map((row) => [row.name, row.depth]),
    [
      ['paste - … …', 1],
      ['(rest)', 1],
      ['<(seq 10 14)', 1],
      ['<(yes "a b" | head -5)', 1],
      ['head -5', 2],
    ],
  );
  // one of them seen: named by the program it runs where that is one typed, else as run
  assert.deepEqual(
    subRows(paste([own, seq])).map((row) => row.name),
    ['paste - … …', '(rest)', '<(seq 10 14)'],
  );
  assert.deepEqual(
    subRows(paste([own, sub, head])).map((row) => row.name),
    ['paste - … …', '(rest)', '(subshell)', 'head -5'],
  );
  // an orphan that is not among the first children (forked by the program itself) is no substitution
  const late = proc(12, ['sleep', '9'], { parent: 5, lost: 'orphan' });
  assert.deepEqual(
    subRows(paste([own, seq, sub, late])).map((row) => row.name),
    ['paste - … …', '(rest)', 'sleep 9', '<(seq 10 14)', '<(yes "a b" | head -5)'],
  );
});

test('subRows: many alike folded by command, then by program', () => {
  const jobs = (argv: (index: number) => string[]) =>
    profiled('xargs', {}, true, {
      pid: 5,
      userMs: 80,
      processes: [
        proc(5, ['xargs']),
        ...Array.from({ length: 8 }, (_, index) => proc(10 + index, argv(index), { userMs: 10 })),
      ],
    });
  assert.deepEqual(shown(subRows(jobs(() => ['mul', '5']))), [
    ['xargs', 1, 0, 0],
    ['8 × mul 5', 1, 80, 0],
  ]);
  assert.deepEqual(shown(subRows(jobs((index) => ['mul', String(index)]))), [
    ['xargs', 1, 0, 0],
    ['8 × mul …', 1, 80, 0],
  ]);
  assert.deepEqual(
    subRows(jobs((index) => ['mul', String(index % 2)])).map((row) => row.name),
    ['xargs', '4 × mul 0', '4 × mul 1'],
  );
});

test('withinStage: the process that used half the stage’s CPU or more, not its own', () => {
  const stage = (own: number, a: number, b: number) =>
    profiled('(a | b)', {}, true, {
      pid: 5,
      userMs: own + a + b,
      processes: [proc(6, ['a'], { userMs: a }), proc(7, ['b'], { userMs: b })],
    });
  assert.equal(withinStage(stage(0, 20, 80)), "b in (a | b) (80% of the stage's CPU)");
  assert.equal(withinStage(stage(0, 50, 50)), "a in (a | b) (50% of the stage's CPU)");
  assert.equal(withinStage(stage(10, 20, 70)), "b in (a | b) (70% of the stage's CPU)");
  assert.equal(withinStage(stage(60, 10, 30)), '(a | b)', 'none has half');
  // one command run twice (xargs -n 1 sh -c 'm'), each near half: the two as one, every time
  const xargs = (first: number, second: number) =>
    profiled('xargs', {}, true, {
      pid: 5,
      userMs: 10 + first + second + 2,
      processes: [
        proc(5, ['xargs', 'sh', '-c', 'm']),
        proc(6, ['sh', '-c', 'm', '1'], { userMs: 1 }),
        proc(7, ['m'], { userMs: first }),
        proc(8, ['sh', '-c', 'm', '2'], { userMs: 1 }),
        proc(9, ['m'], { userMs: second }),
      ],
    });
  for (const [first, second] of [
    [49, 51],
    [51, 49],
    [40, 40],
  ] as const)
    assert.equal(
      withinStage(xargs(first, second)),
      `2 × m in xargs (${Math.round((100 * (first + second)) / (12 + first + second))}% of the stage's CPU)`,
    );
  const paste = profiled('paste', {}, true, {
    pid: 5,
    userMs: 100,
    processes: [proc(5, ['paste']), proc(6, ['seq'], { userMs: 10, lost: 'process substitution' })],
  });
  assert.equal(withinStage(paste), 'paste', 'its own process');
  assert.equal(withinStage(profiled('gzip', {}, true, { processes: [proc(1, ['gzip'])] })), 'gzip');
});

test('findBottleneck: two equally busy stages are balanced only where they ran together', () => {
  const a = profiled('a', { working: 900 }, true, { startMs: 0, endMs: 1000, wallMs: 1000 });
  const together = profiled('b', { working: 880 }, true, { startMs: 100, endMs: 1000, wallMs: 900 });
  // (ranked and said by the pipeline's time, 90% and 88%: b's own wall, 900 ms, it was busy 98% of)
  assert.match(
    findBottleneck([a, together], 1000).line,
    /^bottleneck: none \(balanced: a 90%, b 88% busy, of the pipeline's wall\)$/,
  );
  const after = profiled('b', { working: 880 }, true, { startMs: 1000, endMs: 2000, wallMs: 1000 });
  const apart = findBottleneck([a, after], 1000);
  assert.match(apart.line, /^bottleneck: a — /, 'one after the other: not balanced');
});

test('findBottleneck: a `>( )` that ran on after its stage ended and used more CPU than any stage was busy', () => {
  // seq 8 | tee >(mul > f) | add — tee ends at 20 ms, its >(mul) at 1000 ms, 900 ms of CPU
  const tee = (mulCpu: number) =>
    profiled('tee', { working: 15 }, true, {
      pid: 5,
      command: 'tee >(mul > f)',
      startMs: 0,
      endMs: 20,
      wallMs: 20,
      userMs: 20 + mulCpu,
      procsubs: ['>(mul > f)'],
      processes: [
        proc(5, ['tee', '/dev/fd/63'], { endMs: 20, userMs: 20 }),
        proc(6, ['node', '/usr/bin/mul'], { parent: 5, endMs: 1000, userMs: mulCpu, lost: 'process substitution' }),
      ],
    });
  const add = profiled('add', { working: 100, 'waiting for input': 850 }, false, { startMs: 0, endMs: 1000 });
  assert.equal(
    findBottleneck([profiled('seq', {}), tee(900), add], 1000).line,
    "bottleneck: >(mul > f) in tee — a process substitution that ran on after tee ended: 98% of the pipeline's " +
      'wall, its CPU 90%',
  );
  // (its CPU under add's busy time, 100 ms: add is the busiest)
  assert.match(findBottleneck([profiled('seq', {}), tee(90), add], 1000).line, /^bottleneck: add — /);
});
