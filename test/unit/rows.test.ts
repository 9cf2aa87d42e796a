// The rows of a pipeline whose stages the text gave: the shell's children seen, placed on the elements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forkOrder, oneElement, placeElements, unseenElement } from '../../src/timer/pipeline/rows.js';
import { observed, traced } from './fixtures.js';

const OUT = new Set(['pipe:[1]', '/dev/pts/0']);
/** elements: [pipeline, program] each */
const typed = (...elements: [number, string | undefined][]) =>
  elements.map(([pipeline, program]) => ({ pipeline, program }));
const pids = (placed: ReturnType<typeof placeElements>) => placed?.map((stage) => stage?.pid ?? 0);

test('forkOrder: by start, then by pid', () => {
  const stages = [observed({ pid: 9, startMs: 5 }), observed({ pid: 7, startMs: 5 }), observed({ pid: 3, startMs: 6 })];
  assert.deepEqual(
    stages.sort(forkOrder).map((stage) => stage.pid),
    [7, 9, 3],
  );
});

test('placeElements: all seen, in fork order; more seen than elements is no placement', () => {
  const three = typed([0, 'seq'], [0, 'mul'], [0, 'add']);
  const seen = [
    observed({ pid: 12, startMs: 1 }),
    observed({ pid: 10, startMs: 0 }),
    observed({ pid: 11, startMs: 0 }),
  ];
  assert.deepEqual(pids(placeElements(seen, three, OUT)), [10, 11, 12]);
  assert.equal(placeElements([...seen, observed({ pid: 13, startMs: 2 })], three, OUT), undefined);
});

test('placeElements: the pipes place the stages seen, gaps where an element was not seen', () => {
  const three = typed([0, 'seq'], [0, 'mul'], [0, 'add']);
  // the first one unseen: the second reads a pipe nobody seen wrote
  const second = observed({ pid: 11, stdin: 'pipe:[5]', stdout: 'pipe:[6]' });
  const third = observed({ pid: 12, startMs: 1, stdin: 'pipe:[6]', stdout: '/dev/pts/0' });
  assert.deepEqual(pids(placeElements([second, third], three, OUT)), [0, 11, 12]);
  // the middle one unseen: the last writes timer's stdout
  const first = observed({ pid: 10, stdin: '/dev/pts/0', stdout: 'pipe:[5]' });
  assert.deepEqual(pids(placeElements([first, { ...third, stdin: 'pipe:[7]' }], three, OUT)), [10, 0, 12]);
  // the last one unseen: the next reads the pipe the one before writes
  assert.deepEqual(pids(placeElements([first, second], three, OUT)), [10, 11, 0]);
  // nothing known of the pipes: the first places in order
  assert.deepEqual(pids(placeElements([observed({ pid: 10 })], three, OUT)), [10, 0, 0]);
  // pipes that contradict every place (a here-string's pipe): the first places in order
  const hereString = observed({ pid: 10, stdin: 'pipe:[9]', stdout: '/dev/pts/0' });
  assert.deepEqual(pids(placeElements([hereString], typed([0, 'tr']), OUT)), [10]);
});

test('placeElements: in statements, a stage reading timer’s stdin begins a pipeline; a traced stage is its program', () => {
  // seq 3 | mul; sleep 1; seq 2 | add — seq 3 and seq 2 unseen
  const elements = typed([0, 'seq'], [0, 'mul'], [1, 'sleep'], [2, 'seq'], [2, 'add']);
  const mul = observed({ pid: 10, stdin: 'pipe:[5]', stdout: '/dev/pts/0', traced: traced({ name: 'mul' }) });
  const sleep = observed({ pid: 20, startMs: 5, stdin: '/dev/pts/0', stdout: '/dev/pts/0' });
  // add seen from its trace alone: no pipes known, its name is
  const add = observed({ pid: 30, startMs: 9, traced: traced({ name: 'add' }) });
  assert.deepEqual(pids(placeElements([add, sleep, mul], elements, OUT)), [0, 10, 20, 0, 30]);
  // the same without the trace's name: the first place left
  assert.deepEqual(pids(placeElements([mul, sleep, { ...add, traced: undefined }], elements, OUT)), [0, 10, 20, 30, 0]);
});

test('placeElements: a stage running a pipestage program under another (xargs sh -c mul) is the element typed to run that one', () => {
  // echo 1 | xargs sh -c 'mul' >out — echo unseen; xargs seen running, mul's trace in its tree
  const elements = typed([0, 'echo'], [0, 'xargs']);
  const xargs = observed({
    pid: 10,
    argvs: [
      ['xargs', 'sh', '-c', 'mul'],
      ['sh', '-c', 'mul'],
      ['node', '/usr/bin/mul'],
    ],
    stdin: 'pipe:[5]',
    stdout: '/tmp/out',
    traced: traced({ name: 'mul' }),
  });
  assert.deepEqual(pids(placeElements([xargs], elements, OUT)), [0, 10]);
  // (its child's command read first: the samples' order, not the process tree's)
  const childFirst = {
    ...xargs,
    argvs: [
      ['sh', '-c', 'mul'],
      ['xargs', 'sh', '-c', 'mul'],
    ],
  };
  assert.deepEqual(pids(placeElements([childFirst], elements, OUT)), [0, 10]);
});

test('placeElements: a stage whose program is known is an element typed to run it, where one is', () => {
  // sleep 0.2; head -c 5000 /dev/zero >/dev/null; sleep 0.2 — head unseen
  const elements = typed([0, 'sleep'], [1, 'head'], [2, 'sleep']);
  const first = observed({ pid: 10, argvs: [['sleep', '0.2']], stdin: '/dev/pts/0', stdout: '/dev/pts/0' });
  const last = observed({
    pid: 12,
    startMs: 200,
    argvs: [['sleep', '0.2']],
    stdin: '/dev/pts/0',
    stdout: '/dev/pts/0',
  });
  assert.deepEqual(pids(placeElements([first, last], elements, OUT)), [10, 0, 12]);
  // a script run by its interpreter (gunzip is `/bin/sh /usr/bin/gunzip`): its second word
  const gunzip = observed({ pid: 11, argvs: [['/bin/sh', '/usr/bin/gunzip']] });
  assert.deepEqual(pids(placeElements([gunzip], typed([0, 'seq'], [0, 'gunzip']), OUT)), [0, 11]);
  // no element runs it (env runs python3 in its place): the pipes alone place it
  const python = observed({ pid: 13, argvs: [['python3', '-c', 'pass']] });
  assert.deepEqual(pids(placeElements([python], typed([0, 'env']), OUT)), [13]);
});

test('oneElement: the last process started is the command, with the CPU of all and their span', () => {
  const one = oneElement([
    observed({ pid: 12, startMs: 4, endMs: 50, userMs: 30, sysMs: 2, argvs: [['paste']] }),
    observed({ pid: 10, startMs: 1, endMs: 20, userMs: 5, sysMs: 1 }),
    observed({ pid: 11, startMs: 2, endMs: 60, userMs: 7, sysMs: 0 }),
  ]);
  assert.deepEqual(
    [one.pid, one.argvs, one.startMs, one.endMs, one.userMs, one.sysMs],
    [12, [['paste']], 1, 60, 42, 3],
  );
  assert.equal(oneElement([observed({ userMs: null }), observed({ pid: 2, startMs: 1 })]).userMs, null);
});

test('unseenElement: no process, no figures, at the time given', () => {
  const unseen = unseenElement(42);
  assert.deepEqual([unseen.pid, unseen.startMs, unseen.endMs, unseen.userMs, unseen.argvs], [0, 42, 42, null, []]);
});

test('placeElements: a stage with a process substitution under it is an element typed with one', () => {
  // printf (a builtin's fork, unseen) | tee >(mul) | wc: tee's fork seen before it ran tee, its pipes not yet set
  const elements = [
    { pipeline: 0, program: 'printf', procsubs: [] },
    { pipeline: 0, program: 'tee', procsubs: ['>(mul)'] },
    { pipeline: 0, program: 'wc', procsubs: [] },
  ];
  const procsub = { pid: 13, parent: 11, argv: ['node', 'mul'], startMs: 0, endMs: 5, running: false };
  const tee = observed({
    pid: 11,
    argvs: [],
    processes: [{ ...procsub, userMs: 1, sysMs: 0, sampled: true, lost: 'process substitution' }],
  });
  const wc = observed({ pid: 12, startMs: 1 });
  assert.deepEqual(pids(placeElements([tee, wc], elements, OUT)), [0, 11, 12]);
  // without it, the first places in order
  assert.deepEqual(pids(placeElements([{ ...tee, processes: [] }, wc], elements, OUT)), [11, 12, 0]);
});

test('placeElements: a wrapper (nice mul) is the program it runs, not a stage of its own name', () => {
  // yes 11 | head -40 | nice mul | cat — head unseen, yes seen with no pipes (it ended as it began), mul
  // seen running node reading head's pipe
  const elements = typed([0, 'yes'], [0, 'head'], [0, 'nice'], [0, 'cat']);
  const yes = observed({ pid: 10, argvs: [['yes', '11']] });
  const mul = observed({
    pid: 12,
    argvs: [['node', '/usr/bin/mul']],
    stdin: 'pipe:[5]',
    stdout: 'pipe:[6]',
    traced: traced({ name: 'mul' }),
  });
  const cat = observed({ pid: 13, argvs: [['cat']], stdin: 'pipe:[6]', stdout: '/dev/pts/0' });
  assert.deepEqual(pids(placeElements([yes, mul, cat], elements, OUT)), [10, 0, 12, 13]);
});
