import ms from 'ms';
import { InputError, quoteBytes } from './input-error.js';

/** How a step is spent: a timer (the process stays free), a blocked thread, or a busy CPU. */
export type SpendMode = 'wait' | 'block' | 'spin';
export const SPEND_MODES: readonly SpendMode[] = ['wait', 'block', 'spin'];

/** One step of a task: how long, and how it is spent. */
export interface Step {
  mode: SpendMode;
  ms: number;
}

/** A task read from a line: an optional label, then its steps in order. */
export interface Task {
  label: string | undefined;
  steps: Step[];
}

/** Longest accepted duration: one day. */
export const MAX_DURATION_MS = 86_400_000;

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
export function parseStep(token: string, mode: SpendMode): Step {
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
export function spendStep(step: Step, waits: Waits): Promise<void> | undefined {
  if (step.ms === 0) return undefined; // nothing to spend: not even a turn of the event loop
  if (step.mode === 'wait') return waits.wait(step.ms);
  if (step.mode === 'block') {
    Atomics.wait(blockCell, 0, 0, step.ms);
    return undefined;
  }
  const end = performance.now() + step.ms;
  while (performance.now() < end) {
    // busy: this loop is the work
  }
  return undefined;
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
