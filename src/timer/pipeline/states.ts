import { readdirSync } from 'node:fs';
import type { ProcFiles } from '../../base/proc.js';
import type { SampledState } from '../../render/profile.js';

// A process's state from /proc: its state letter and the kernel function it sleeps in.

/**
 * What a process is doing now, from its state letter and (when asleep) the kernel function it sleeps
 * in: `anon_pipe_read`/`pipe_read` (or `pipe_wait_readable`: grep with its output /dev/null) is waiting
 * for input, `anon_pipe_write`/`pipe_write`/`pipe_wait_writable` blocked on output, `do_wait` a shell
 * waiting for its children ('parent'), anything else another wait.
 */
export function classify(state: string, wchan: string | undefined): SampledState | 'parent' {
  if (state === 'R') return 'working';
  if (state === 'T' || state === 't') return 'stopped';
  if (state === 'D') return 'other wait';
  if (wchan === undefined) return 'unknown';
  if (wchan.endsWith('pipe_read') || wchan === 'pipe_wait_readable') return 'waiting for input';
  if (wchan.endsWith('pipe_write') || wchan === 'pipe_wait_writable') return 'blocked on output';
  if (wchan === 'do_wait' || wchan.endsWith('_wait4')) return 'parent';
  return 'other wait';
}

/** The state of a stage from its processes' states: any working wins, then blocked, other waits, starved. */
export function combine(states: (SampledState | 'parent')[]): SampledState {
  const order: (SampledState | 'parent')[] = [
    'working',
    'blocked on output',
    'other wait',
    'waiting for input',
    'stopped',
    'unknown',
    'parent',
  ];
  let best: SampledState | 'parent' = 'parent';
  for (const state of states) if (order.indexOf(state) < order.indexOf(best)) best = state;
  return best === 'parent' ? 'other wait' : best;
}

/**
 * How long a process's main thread ran on a CPU and waited on a run queue (no CPU free), and how long
 * all its threads ran (where it runs `threads`: a Node program's collector and compiler threads too),
 * ms (or 0).
 */
export function schedstatOf(
  files: Pick<ProcFiles, 'text'>,
  pid: number,
  threads = 1,
  others: Map<string, number> = new Map(),
  tasksOf: (pid: number) => string[] = liveTasks,
): [number, number, number] {
  const text = files.text(`/proc/${pid}/schedstat`);
  if (text === undefined) return [0, 0, 0];
  // "run-time wait-time timeslices" (ns, ns, count)
  const [run, wait] = text.split(' ');
  const mainMs = Number(run) / 1e6 || 0;
  if (threads > 1 || others.size > 0) {
    for (const task of tasksOf(pid)) {
      const ms = Number(files.text(`/proc/${pid}/task/${task}/schedstat`)?.split(' ')[0]) / 1e6;
      if (task !== String(pid) && ms >= (others.get(task) ?? 0)) others.set(task, ms);
    }
  }
  // (a thread that has ended keeps the run time it was last seen with: /proc lists only live ones)
  const runMs = [...others.values()].reduce((sum, ms) => sum + ms, mainMs);
  return [mainMs, Number(wait) / 1e6 || 0, runMs];
}

/** A process's live threads (/proc/PID/task), none where it is gone. */
function liveTasks(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/**
 * schedstatOf for the processes of one run: each process's other threads remembered, so that its
 * threads' run time keeps those that ended (a worker thread's CPU stays the process's).
 */
export function schedstatReader(
  files: Pick<ProcFiles, 'text'>,
  tasksOf: (pid: number) => string[] = liveTasks,
): (pid: number, threads?: number) => [number, number, number] {
  const threadsOf = new Map<number, Map<string, number>>();
  return (pid, threads) => {
    const others = threadsOf.get(pid) ?? new Map<string, number>();
    threadsOf.set(pid, others);
    return schedstatOf(files, pid, threads, others, tasksOf);
  };
}

/** A process's state now ('unknown' where /proc/PID/wchan cannot be read: hidepid, another user's). */
export function stateOf(files: ProcFiles, pid: number, state: string): SampledState | 'parent' {
  if (state === 'R' || state === 'T' || state === 't' || state === 'D') return classify(state, undefined);
  const wchan = files.text(`/proc/${pid}/wchan`);
  if (wchan === undefined) return 'unknown';
  // "0": asleep in no function the kernel names — waking up, on its way to a CPU
  return wchan === '' || wchan === '0' ? 'working' : classify(state, wchan);
}
