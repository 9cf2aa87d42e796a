// A stage's processes look by look (src/timer/pipeline/tree.ts), on a fake /proc: which a process of the
// pipeline reaps, which nobody does (counted apart), and each one's CPU.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS_PER_TICK, type ProcessStat } from '../../src/base/proc.js';
import { newStage } from '../../src/timer/pipeline/stage-record.js';
import { adoptUnseen, lostAlive, procsubsRunning, refreshLost, whole } from '../../src/timer/pipeline/lost.js';
import { descendants, lookAtTree, refreshLive, type TreeProbe } from '../../src/timer/pipeline/tree.js';
import { schedstatReader } from '../../src/timer/pipeline/states.js';

/** A fake /proc: processes by pid (ticks as given), their children, their schedstat run time (ms). */
function fakeProc() {
  const stats = new Map<number, ProcessStat>();
  const runs = new Map<number, number>();
  const probe: TreeProbe = {
    stat: (pid) => stats.get(pid),
    childrenOf: (pid) =>
      [...stats].filter(([, stat]) => stat.ppid === pid && stat.state !== 'X').map(([child]) => child),
    schedstat: (pid) => [runs.get(pid) ?? 0, 0],
    startMsOf: (ticks) => ticks * MS_PER_TICK,
  };
  const put = (pid: number, ppid: number, fields: Partial<ProcessStat> = {}): void => {
    stats.set(pid, {
      name: 'x',
      state: 'S',
      pgrp: 1,
      ttyNr: 0,
      tpgid: 0,
      userTicks: 0,
      sysTicks: 0,
      childUserTicks: 0,
      childSysTicks: 0,
      startTicks: pid,
      rssPages: 1,
      threads: 1,
      ...stats.get(pid),
      ppid,
      ...fields,
    });
  };
  return { probe, put, gone: (pid: number) => stats.delete(pid), runs };
}

const cpu = (ms: number): number => ms / MS_PER_TICK;

test('a program given /dev/fd/N: its first children are process substitutions, counted apart, waited for', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1, { userTicks: cpu(20) });
  stage.argvs.set(10, ['paste', '/dev/fd/63', '/dev/fd/62']);
  put(11, 10, { userTicks: cpu(30) });
  put(12, 10, { userTicks: cpu(50), childUserTicks: cpu(40) });
  put(13, 12, { userTicks: cpu(10) }); // inside the second substitution
  const look = lookAtTree(stage, probe, 100);
  assert.equal(stage.procs.get(11)!.lost, 'process substitution');
  assert.equal(stage.procs.get(12)!.lost, 'process substitution');
  assert.equal(stage.procs.get(13)!.lost, undefined, 'reaped by the substitution');
  assert.equal(look.userMs, 20, 'the shell will account for paste alone');
  assert.equal(stage.lostUserMs, 30 + 50 + 40 + 10);
  assert.ok(procsubsRunning(stage));
  assert.deepEqual(
    lostAlive(stage).map((record) => record.pid),
    [11, 12, 13],
  );
  // the first ends, exited under paste (which never reaps it): final, no longer running
  put(11, 10, { state: 'Z', userTicks: cpu(35) });
  gone(13);
  put(12, 10, { childUserTicks: cpu(55) });
  lookAtTree(stage, probe, 200);
  assert.equal(stage.procs.get(11)!.exited, true);
  assert.equal(stage.lostUserMs, 35 + 50 + 55, 'what 12 reaped of 13 is in its whole');
  gone(11);
  gone(12);
  gone(10);
  assert.equal(lookAtTree(stage, probe, 300).stageAlive, false);
  assert.ok(!procsubsRunning(stage));
});

test('a child of a shell fork is reaped by it; one whose parent changed is an orphan, counted apart', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  put(11, 10, { userTicks: cpu(30) });
  lookAtTree(stage, probe, 100);
  assert.equal(stage.procs.get(11)!.lost, undefined);
  assert.equal(stage.lostUserMs, 0);
  gone(10);
  put(11, 1, { userTicks: cpu(40) }); // adopted by init
  const look = lookAtTree(stage, probe, 200);
  assert.equal(look.stageAlive, false);
  assert.equal(stage.procs.get(11)!.lost, 'orphan');
  assert.equal(stage.lostUserMs, 40);
  assert.ok(!procsubsRunning(stage), 'an orphan is not waited for');
});

test('children a parent reaped between two looks get what its reaped CPU grew by: their figures final', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  // started at 0 ms: by the look at 100, 11 used CPU 40% of its life, 12 10%
  put(11, 10, { userTicks: cpu(40), startTicks: 0 });
  put(12, 10, { userTicks: cpu(10), startTicks: 0 });
  lookAtTree(stage, probe, 100);
  gone(11);
  gone(12);
  put(10, 1, { childUserTicks: cpu(90) });
  lookAtTree(stage, probe, 200);
  // 50 seen, 90 reaped: the 40 missed shared by what each was seen using (32, 8), each at most what
  // it could have used in the 100 ms since at its rate (40, 10)
  assert.equal(stage.procs.get(11)!.userMs, 72);
  assert.equal(stage.procs.get(12)!.userMs, 18);
  assert.ok(stage.procs.get(11)!.exited && stage.procs.get(12)!.exited);
});

test('children a parent reaped: what children no look saw used stays the parent’s', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  put(11, 10, { userTicks: cpu(10), startTicks: 0 }); // 10% of its 100 ms
  put(12, 10, { startTicks: 10 }); // just started: no rate yet
  lookAtTree(stage, probe, 100);
  gone(11);
  gone(12);
  // parallel's way: it started and reaped others meanwhile, 500 ms of them
  put(10, 1, { childUserTicks: cpu(510) });
  lookAtTree(stage, probe, 200);
  assert.equal(stage.procs.get(11)!.userMs, 20, 'at most 10 ms more: 10% of the 100 ms since');
  assert.equal(stage.procs.get(12)!.userMs, 0, 'no rate known: nothing more');
});

test('children a parent reaped: each at most its rate when last read, until a read between looks found it gone', () => {
  const { probe, put, gone, runs } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  put(11, 10, { userTicks: cpu(20), startTicks: 0 }); // 20% of its 100 ms
  put(12, 10, { userTicks: cpu(20), startTicks: 0 });
  put(13, 10, { userTicks: cpu(20), startTicks: 0 });
  lookAtTree(stage, probe, 100);
  // read again at 120: 11 is gone (reaped), 12 used nothing since (a fork that became a `sleep`), 13 used 8
  gone(11);
  runs.set(13, 28);
  refreshLive(stage, probe, 120);
  assert.equal(stage.procs.get(11)!.missedMs, 120);
  gone(12);
  gone(13);
  // the parent reaped them and others no look saw: 600 ms of them all
  put(10, 1, { childUserTicks: cpu(600) });
  lookAtTree(stage, probe, 200);
  assert.equal(stage.procs.get(11)!.userMs, 24, 'at most 20% of the 20 ms until it was found gone');
  assert.equal(stage.procs.get(12)!.userMs, 20, 'idle when last read: nothing more');
  assert.equal(stage.procs.get(13)!.userMs, 28 + 32, 'at its last rate, 40%, over the 80 ms since');
});

test('own CPU: the main thread’s run time where the ticks say less, split as the ticks', () => {
  const { probe, put, runs } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1, { userTicks: 3, sysTicks: 1 });
  runs.set(10, 48);
  lookAtTree(stage, probe, 100);
  const record = stage.procs.get(10)!;
  assert.equal(record.userMs + record.sysMs, 48);
  assert.equal(record.userMs, 36);
  runs.set(10, 10);
  lookAtTree(stage, probe, 200);
  assert.equal(stage.procs.get(10)!.userMs + stage.procs.get(10)!.sysMs, 40, 'the ticks where more');
});

test('whole: its own, what it reaped or what its gone children were seen using where more, and its live ones', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  stage.argvs.set(10, ['tee', '/dev/fd/63']);
  put(11, 10, { userTicks: cpu(10) });
  put(12, 11, { userTicks: cpu(30) });
  put(13, 11, { userTicks: cpu(20) });
  lookAtTree(stage, probe, 100);
  gone(12);
  lookAtTree(stage, probe, 200); // 11 not yet read since it reaped 12
  assert.equal(whole(stage, stage.procs.get(11)!, 'userMs'), 10 + 30 + 20);
  put(11, 10, { childUserTicks: cpu(35) });
  refreshLost(stage, probe, 250);
  assert.equal(whole(stage, stage.procs.get(11)!, 'userMs'), 10 + 35 + 20);
  // seen exited, it reaped them all: in its ticks (each rounded down) or as they were seen, where more
  put(11, 10, { state: 'Z', childUserTicks: cpu(40) });
  refreshLost(stage, probe, 260);
  assert.equal(whole(stage, stage.procs.get(11)!, 'userMs'), 10 + Math.max(40, 30 + 20));
  gone(11);
  gone(13);
  refreshLost(stage, probe, 300);
  assert.ok(!procsubsRunning(stage), 'gone where a read finds nothing');
});

test('adoptUnseen: processes no sample saw are unplaced process substitutions; an orphan seen alive becomes one', () => {
  const { probe, put } = fakeProc();
  const first = newStage(10, 10, 0);
  const unplaced = newStage(0, 0, 0);
  put(5, 1);
  put(14, 1, { userTicks: cpu(7) });
  adoptUnseen(
    [first],
    new Map([
      [14, probe.stat(14)!],
      [5, probe.stat(5)!],
    ]),
    probe,
    100,
    unplaced,
  );
  assert.equal(unplaced.procs.get(14)!.lost, 'process substitution');
  assert.equal(unplaced.procs.get(5)!.lost, 'process substitution');
  assert.ok(procsubsRunning(unplaced) && !procsubsRunning(first));
  // one seen before its stage ran its program, orphaned since
  put(10, 1);
  put(11, 10);
  lookAtTree(first, probe, 200);
  put(11, 1);
  lookAtTree(first, probe, 300);
  assert.equal(first.procs.get(11)!.lost, 'orphan');
  adoptUnseen([first], new Map(), probe, 400, unplaced);
  assert.equal(first.procs.get(11)!.lost, 'process substitution');
});

test('a shell reaps its children: one exited under any shell is not lost; under a program that reaps none it is', () => {
  for (const shell of ['sh', '/bin/bash', 'dash', 'ksh', 'mksh', 'zsh', 'busybox', 'cat']) {
    const { probe, put, gone } = fakeProc();
    const stage = newStage(10, 10, 0);
    put(10, 1);
    stage.argvs.set(10, [shell, '-c', 'x']);
    put(11, 10, { state: 'Z', userTicks: cpu(30) });
    lookAtTree(stage, probe, 100);
    // (not yet: a program may reap it still)
    assert.equal(stage.procs.get(11)!.lost, undefined, shell);
    // gone with its parent, never reaped by it (`cat < <(seq 3)`: init reaps it)
    gone(11);
    gone(10);
    lookAtTree(stage, probe, 200);
    assert.equal(stage.procs.get(11)!.lost, shell === 'cat' ? 'process substitution' : undefined, shell);
    assert.equal(stage.lostUserMs, shell === 'cat' ? 30 : 0, shell);
  }
  // a program that reaps its children (xargs, parallel): one seen exited is not lost
  const reaping = fakeProc();
  const parallel = newStage(10, 10, 0);
  reaping.put(10, 1);
  parallel.argvs.set(10, ['perl', '/usr/bin/parallel']);
  reaping.put(11, 10, { state: 'Z', userTicks: cpu(30) });
  reaping.put(12, 10, { state: 'Z', userTicks: cpu(20) });
  lookAtTree(parallel, reaping.probe, 100);
  reaping.gone(11);
  reaping.put(10, 1, { childUserTicks: cpu(30) });
  lookAtTree(parallel, reaping.probe, 200);
  reaping.gone(12);
  reaping.gone(10);
  lookAtTree(parallel, reaping.probe, 300);
  assert.deepEqual([parallel.procs.get(11)!.lost, parallel.procs.get(12)!.lost], [undefined, undefined]);
  assert.equal(parallel.lostUserMs, 0);
  // a fork of the shell that ran no program yet is the shell
  const { probe, put } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  put(11, 10, { state: 'Z' });
  lookAtTree(stage, probe, 100);
  assert.equal(stage.procs.get(11)!.lost, undefined);
});

test('process substitutions are as many of a program’s first children as it was given /dev/fd/N', () => {
  const cases: [string[], number[]][] = [
    [
      ['paste', '/dev/fd/63', '/dev/fd/62'],
      [11, 12],
    ],
    [['tee', '/dev/fd/63'], [11]],
    [['tee', 'x/dev/fd/63', '/dev/fd/63x', '/dev/fd/'], []],
  ];
  for (const [argv, lost] of cases) {
    const { probe, put } = fakeProc();
    const stage = newStage(10, 10, 0);
    put(10, 1, { userTicks: cpu(10), childUserTicks: cpu(20), rssPages: 3 });
    stage.argvs.set(10, argv);
    // listed out of order: the lowest pids are the first forked
    put(13, 10, { userTicks: cpu(5), rssPages: 2 });
    put(12, 10, { userTicks: cpu(7), rssPages: 2 });
    put(11, 10, { userTicks: cpu(9), rssPages: 2 });
    const look = lookAtTree(stage, probe, 100);
    assert.deepEqual(
      [11, 12, 13].filter((pid) => stage.procs.get(pid)!.lost !== undefined),
      lost,
      argv.join(' '),
    );
    const own = { 11: 9, 12: 7, 13: 5 } as Record<number, number>;
    const reaped = [11, 12, 13].filter((pid) => !lost.includes(pid)).reduce((sum, pid) => sum + own[pid]!, 0);
    assert.equal(look.userMs, 10 + 20 + reaped, 'the shell will account for the stage process and what it reaps');
    assert.equal(look.rssPages, 3 + 2 * 3);
    assert.deepEqual(
      look.live.map((entry) => entry.pid),
      [10, 11, 12, 13],
    );
    assert.equal(look.stageAlive, true);
  }
});

test('a pid used again is another process; one that is gone, and its parent with it, keeps its figures', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  put(11, 10, { userTicks: cpu(10), sysTicks: cpu(10), childSysTicks: cpu(10) });
  lookAtTree(stage, probe, 100);
  const first = stage.procs.get(11)!;
  assert.equal(first.sysMs + first.childSysMs, 20);
  gone(11);
  put(11, 10, { startTicks: 50, userTicks: cpu(1) });
  lookAtTree(stage, probe, 200);
  assert.notEqual(stage.procs.get(11), first);
  assert.equal(stage.procs.get(11)!.startTicks, 50);
  assert.equal(stage.procs.get(11)!.startMs, 200, '(a start after the look that saw it: the look)');
  // a process in state X (dead) is exited
  put(11, 10, { startTicks: 50, state: 'X' });
  lookAtTree(stage, probe, 300);
  assert.equal(stage.procs.get(11)!.exited, true);
  // the stage process gone: not alive, and not looked at again
  gone(10);
  assert.equal(lookAtTree(stage, probe, 400).stageAlive, false);
  put(10, 1);
  assert.equal(lookAtTree(stage, probe, 500).stageAlive, false);
});

test('refreshLive: the own figures of a stage’s other live processes, not the stage’s nor the lost ones', () => {
  const { probe, put, gone, runs } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1, { userTicks: cpu(10) });
  stage.argvs.set(10, ['tee', '/dev/fd/63']);
  put(11, 10, { userTicks: cpu(10) }); // the process substitution
  put(12, 10, { userTicks: cpu(10), childUserTicks: cpu(10) });
  put(13, 10, { userTicks: cpu(10) });
  lookAtTree(stage, probe, 100);
  assert.deepEqual(
    descendants(stage).map((record) => record.pid),
    [12, 13],
  );
  put(10, 1, { userTicks: cpu(50) });
  put(11, 10, { userTicks: cpu(50) });
  put(12, 10, { userTicks: cpu(20), sysTicks: cpu(10), childUserTicks: cpu(40), state: 'Z' });
  runs.set(12, 35);
  gone(13);
  refreshLive(stage, probe, 120);
  const [root, lost, reaped, ended] = [10, 11, 12, 13].map((pid) => stage.procs.get(pid)!);
  assert.equal(root!.userMs, 10, 'the stage process: the shell’s figure is exact');
  assert.equal(lost!.userMs, 10, 'a lost one: read by refreshLost');
  const round = (ms: number): number => Math.round(ms * 1e6) / 1e6;
  assert.deepEqual(
    [reaped!.userMs, reaped!.sysMs, reaped!.childUserMs].map(round),
    [35 * (2 / 3), 35 / 3, 10].map(round),
  );
  assert.equal(reaped!.exited, true);
  assert.equal(reaped!.lastSeenMs, 120);
  assert.deepEqual([ended!.goneMs, ended!.lastSeenMs], [undefined, 100], 'gone: left to the next look');
  assert.deepEqual(
    descendants(stage).map((record) => record.pid),
    [13],
  );
});

test('a child gone with its parent in one interval is a process substitution where the parent ran a program given /dev/fd/N', () => {
  for (const argv of [
    ['paste', '/dev/fd/63'],
    ['paste', 'a'],
  ]) {
    const { probe, put, gone } = fakeProc();
    const stage = newStage(10, 10, 0);
    put(10, 1);
    put(11, 10, { userTicks: cpu(20) });
    lookAtTree(stage, probe, 100); // the fork, before its exec: no program yet
    stage.argvs.set(10, argv);
    gone(10);
    gone(11);
    lookAtTree(stage, probe, 200);
    const lost = argv[1] === 'a' ? undefined : 'process substitution';
    assert.equal(stage.procs.get(11)!.lost, lost, argv.join(' '));
    assert.equal(stage.lostUserMs, lost ? 20 : 0);
  }
});

test('children reaped for less than they were seen using keep their figures, not final', () => {
  const { probe, put, gone } = fakeProc();
  const stage = newStage(10, 10, 0);
  put(10, 1);
  put(11, 10, { userTicks: cpu(30) });
  lookAtTree(stage, probe, 100);
  gone(11);
  put(10, 1, { childUserTicks: cpu(20) }); // (counters read apart)
  lookAtTree(stage, probe, 200);
  assert.deepEqual([stage.procs.get(11)!.userMs, stage.procs.get(11)!.exited], [30, false]);
});

test("a process's threads: all of them run time, and those that ended keep what they were last seen with", () => {
  // /proc/7/schedstat and /proc/7/task/TID/schedstat, in ns; threads come and go
  const files = new Map<string, string>();
  let tasks = ['7', '8', '9'];
  const set = (tid: string, ms: number) => files.set(`/proc/7/task/${tid}/schedstat`, `${ms * 1e6} 0 1`);
  const read = schedstatReader({ text: (file) => files.get(file) }, () => tasks);
  files.set('/proc/7/schedstat', `${10e6} ${2e6} 5`);
  set('8', 100);
  set('9', 40);
  assert.deepEqual(read(7, 3), [10, 2, 150]);
  // thread 9 ends: its 40 ms stay the process's; 8 runs on
  tasks = ['7', '8'];
  set('8', 130);
  files.delete('/proc/7/task/9/schedstat');
  assert.deepEqual(read(7, 2), [10, 2, 180]);
  // every other thread ended (one thread left): still counted
  tasks = ['7'];
  assert.deepEqual(read(7, 1), [10, 2, 180]);
  // another process: its own threads only
  files.set('/proc/5/schedstat', `${3e6} 0 1`);
  assert.deepEqual(read(5, 1), [3, 0, 3]);
});
