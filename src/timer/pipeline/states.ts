import type { SampledState } from '../../render/profile.js';

// A process's state from /proc: its state letter and the kernel function it sleeps in.

/**
 * What a process is doing now, from its state letter and (when asleep) the kernel function it sleeps
 * in: `anon_pipe_read`/`pipe_read` is waiting for input, `anon_pipe_write`/`pipe_write` blocked on
 * output, `do_wait` a shell waiting for its children ('parent'), anything else another wait.
 */
export function classify(state: string, wchan: string | undefined): SampledState | 'parent' {
  if (state === 'R') return 'working';
  if (state === 'T' || state === 't') return 'stopped';
  if (state === 'D') return 'other wait';
  if (wchan === undefined) return 'unknown';
  if (wchan.endsWith('pipe_read')) return 'waiting for input';
  if (wchan.endsWith('pipe_write')) return 'blocked on output';
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
