import { readFileSync } from 'node:fs';
import ms from 'ms';
import { Fifo } from '../base/fifo.js';
import { InputError, quoteBytes } from '../base/input-error.js';

/** How a step is spent: a timer (the process stays free), a blocked thread, or a busy CPU. */
export type SpendMode = 'wait' | 'block' | 'spin';
export const SPEND_MODES: readonly SpendMode[] = ['wait', 'block', 'spin'];

/** One step of a task: how long, and how it is spent. */
export interface Step {
  mode: SpendMode;
  ms: number;
}

/** A task read from a line: an optional label, then its steps in order. */
interface Task {
  label: string | undefined;
  steps: Step[];
}

/** Longest accepted duration: one day. */
const MAX_DURATION_MS = 86_400_000;

/**
 * Milliseconds in a duration with a unit (`250ms`, `2s`, `1.5m`, `1h`; parsed by `ms`), or an
 * Error saying why not: no unit, negative, above one day, not a duration.
 */
export function parseDuration(text: string): number {
  const value = /[a-z]\s*$/i.test(text) ? ms(text as ms.StringValue) : undefined;
  if (value === undefined || !Number.isFinite(value)) {
    const why = /^\s*[+-]?[\d.]+\s*$/.test(text) ? ' (a unit is required: 250ms, 2s, 1.5m)' : '';
    throw new InputError(`invalid duration ${quoteBytes(text)}${why}`);
  }
  if (value < 0) throw new InputError(`invalid duration ${quoteBytes(text)} (negative)`);
  if (value > MAX_DURATION_MS) throw new InputError(`invalid duration ${quoteBytes(text)} (more than 1 day)`);
  return value;
}

/** A step token, `[wait:|block:|spin:]DURATION`, whose mode defaults to `mode`. */
function parseStep(token: string, mode: SpendMode): Step {
  const colon = token.indexOf(':');
  if (colon !== -1) {
    const prefix = token.slice(0, colon);
    if (!(SPEND_MODES as readonly string[]).includes(prefix)) throw new InputError(`invalid step ${quoteBytes(token)}`);
    return { mode: prefix as SpendMode, ms: parseDuration(token.slice(colon + 1)) };
  }
  return { mode, ms: parseDuration(token) };
}

/**
 * A task line: `[label] step...`. The first token is a label exactly when it is not a valid step;
 * at least one step must follow. `text` is the line without its newline (a final CR is ignored).
 */
export function parseTask(text: string, mode: SpendMode): Task {
  const tokens = text.split(/[ \t\r]+/).filter((token) => token !== '');
  if (tokens.length === 0) throw new InputError('no step (expected: [label] [wait:|block:|spin:]DURATION...)');
  let label: string | undefined;
  let first = 0;
  try {
    parseStep(tokens[0]!, mode);
  } catch {
    label = tokens[0];
    first = 1;
  }
  if (first === tokens.length) {
    // A lone token that is no step: report it as the bad duration it most likely is.
    parseStep(tokens[0]!, mode);
  }
  return { label, steps: tokens.slice(first).map((token) => parseStep(token, mode)) };
}

// One shared cell for Atomics.wait: nobody ever notifies it, so a wait always runs to its timeout.
const blockCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * The timers of the wait steps in flight, all cancelled at once when `signal` aborts: one listener
 * for any number of lines in flight, and constant cost per wait (no listener added and removed per
 * step, which is what made 100,000 lines in flight cost quadratic time).
 */
export class Waits {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  /** A promise that settles after `ms` (and never, once cancelled). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  cancel(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/**
 * Spends one step: `wait` returns a promise that settles after the duration (through `waits`),
 * `block` blocks the thread, `spin` keeps one core busy; both of those return when done.
 */
function spendStep(step: Step, waits: Waits): Promise<void> | undefined {
  if (step.ms === 0) return undefined; // nothing to spend: not even a turn of the event loop
  if (step.mode === 'wait') return waits.wait(step.ms);
  if (step.mode === 'block') {
    Atomics.wait(blockCell, 0, 0, step.ms);
    return undefined;
  }
  spin(step.ms);
  return undefined;
}

/**
 * Keeps this thread on a CPU for `ms` of CPU time (not wall time: a core shared with others makes it
 * last longer, as any CPU-bound chore does). The clock is the thread's own run time
 * (/proc/thread-self/schedstat; the process's CPU would count V8's own threads too: a spin of 100 ms
 * ended after 97 of wall beside them). The kernel brings it up to date only at a tick or when the thread
 * leaves its core (a spin of 1 ms read from it alone lasted 3-4): between two such updates the thread
 * ran all along, so its run time is the last value read plus the wall time since that value was first
 * seen, and a spin ends once that reaches the target and one more read shows no update (the thread did
 * not leave its core meanwhile), and `ms` of wall have passed (the first value read may be up to a
 * tick old: a 5 ms slice of --preempt spun 3 on average), and the last update is recent (STALE_MS). The
 * wall clock alone where the file cannot be read.
 */
/**
 * No update of the run time for longer than this (two ticks at 250 Hz, and some) while spinning: the
 * thread was off its core meanwhile unseen (a VM's vCPU held by the host, its tick late), so the wall
 * since counts for nothing until the next update shows what ran. Beside three busy loops, 150 spins of
 * 15 ms used 12.0 ms of CPU at the least without it, 15.1 with it; a spin waits for that update until
 * twice its time and this (a core without ticks, nohz_full, updates only when the thread leaves it).
 */
const STALE_MS = 10;

function spin(ms: number): void {
  const first = threadRunMs();
  if (first === undefined) {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // busy: this loop is the work
    }
    return;
  }
  const target = first + ms;
  let value = first;
  const start = performance.now();
  let seenAt = start;
  let next = 0;
  for (;;) {
    const now = performance.now();
    // (and never under `ms` of wall: the value first read may be a tick old, the thread running since)
    const due = now - start >= ms && value + (now - seenAt) >= target;
    if (due || now >= next) {
      // (a /proc read costs ~60 µs: every 0.25 ms, and to confirm the end)
      const read = threadRunMs() ?? value;
      if (read !== value) [value, seenAt] = [read, now];
      else if (due && (now - seenAt <= STALE_MS || now - start >= 2 * ms + STALE_MS)) return;
      next = now + 0.25;
    }
  }
}

/** This thread's run time so far, in ms (/proc/thread-self/schedstat, to the ns), or undefined. */
function threadRunMs(): number | undefined {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Spends a task's steps in order. Consecutive block/spin steps run back to back; a wait step yields
 * to whatever else the process has to do (other lines, with concurrency). Returns a promise only when
 * some step waits.
 */
export function spendTask(steps: readonly Step[], waits: Waits, from = 0): Promise<void> | undefined {
  for (let i = from; i < steps.length; i++) {
    const waiting = spendStep(steps[i]!, waits);
    if (waiting) return waiting.then(() => spendTask(steps, waits, i + 1));
  }
  return undefined;
}

/**
 * Python's GIL for lines in flight (`sleep-task --preempt`): one line runs at a time, and it is handed
 * round in the order lines ask for it. Handing over goes through a turn of the event loop, so that
 * waits that ended meanwhile line up too.
 */
export class Gil {
  private held = false;
  private scheduled = false;
  private readonly ready = new Fifo<() => void>();

  /** `intervalMs`: how long a spinning line runs before it lets the next ready line run (Python's switch interval). */
  constructor(readonly intervalMs: number) {}

  /** Resolves once the caller holds the GIL (after every line that asked before it). */
  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.ready.push(resolve);
      this.grantSoon();
    });
  }

  release(): void {
    this.held = false;
    this.grantSoon();
  }

  private grantSoon(): void {
    if (this.held || this.scheduled || this.ready.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.held || this.ready.size === 0) return;
      this.held = true;
      this.ready.shift()!();
    });
  }
}

/**
 * Spends a task's steps as a Python thread would under the GIL: it needs the GIL to run; a `spin`
 * step runs in slices of the switch interval, letting the other ready lines run in turn between them;
 * a `block` step keeps the GIL (and the process) for its whole duration; a `wait` step releases it;
 * between two steps the other ready lines get their turn.
 */
export async function spendTaskPreempted(steps: readonly Step[], waits: Waits, gil: Gil): Promise<void> {
  await gil.acquire();
  for (const step of steps) {
    if (step.ms === 0) continue;
    if (step.mode === 'wait') {
      gil.release();
      await waits.wait(step.ms);
      await gil.acquire();
      continue;
    }
    if (step.mode === 'block') spendStep(step, waits);
    else {
      for (let left = step.ms; left > 0; ) {
        const slice = Math.min(left, gil.intervalMs);
        spendStep({ mode: 'spin', ms: slice }, waits);
        left -= slice;
        if (left > 0) {
          gil.release();
          await gil.acquire();
        }
      }
    }
    gil.release();
    await gil.acquire();
  }
  gil.release();
}
