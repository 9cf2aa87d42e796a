import { parentPort, Worker, workerData } from 'node:worker_threads';
import { InputError } from '../work/input-error.js';
import type { LineOutput, Stage } from './run-stage.js';

/** Lines handed to each worker ahead of time, so that none waits for its next line. */
const LINES_AHEAD_PER_WORKER = 2;

interface LineMessage {
  id: number;
  text: string;
  terminated: boolean;
}

type ResultMessage = { id: number; output: LineOutput } | { id: number; error: string; input: boolean };

/** What a worker thread is started with: the options its copy of the stage is built from. */
export interface WorkerSetup {
  options: Record<string, unknown>;
}

/** True inside a worker thread started by `workerPool`. */
export function isStageWorker(): boolean {
  return parentPort !== null && (workerData as { pipestageWorker?: boolean } | null)?.pipestageWorker === true;
}

/** The options a worker's stage is to be built from. */
export function workerOptions(): Record<string, unknown> {
  return (workerData as WorkerSetup).options;
}

/**
 * Inside a worker: computes each line the main thread sends with `stage` and sends back its output,
 * or its error (bad data keeps its message; the engine reports it with the line number).
 */
export function serveLines(stage: Stage): void {
  const port = parentPort!;
  const never = new AbortController().signal;
  const reply = (id: number, output: LineOutput): void => port.postMessage({ id, output });
  const fail = (id: number, error: unknown): void =>
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error), input: error instanceof InputError });
  port.on('message', ({ id, text, terminated }: LineMessage) => {
    try {
      const output = stage.processLine(text, terminated, never);
      if (output instanceof Promise) output.then((value) => reply(id, value), (error: unknown) => fail(id, error));
      else reply(id, output);
    } catch (error) {
      fail(id, error);
    }
  });
}

/**
 * A stage whose lines are computed on `count` worker threads, each running `script` (the executable's
 * own bundle) with `options`. Lines go to the least busy worker; the engine keeps the output in input
 * order and bounds the lines in flight. `close` ends the threads.
 */
export function workerPool(script: string, options: Record<string, unknown>, count: number): Stage {
  const workers: { thread: Worker; busy: number }[] = [];
  const pending = new Map<number, { resolve: (output: LineOutput) => void; reject: (error: Error) => void; worker: (typeof workers)[number] }>();
  let nextId = 0;
  let closed = false;

  const failAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  for (let i = 0; i < count; i++) {
    const thread = new Worker(script, { workerData: { pipestageWorker: true, options } satisfies WorkerSetup & { pipestageWorker: true } });
    const worker = { thread, busy: 0 };
    thread.on('message', (message: ResultMessage) => {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      waiting.worker.busy -= 1;
      if ('error' in message) waiting.reject(message.input ? new InputError(message.error) : new Error(message.error));
      else waiting.resolve(message.output);
    });
    thread.on('error', (error) => failAll(new Error(`worker thread failed: ${error.message}`)));
    thread.on('exit', (code) => {
      if (!closed) failAll(new Error(`worker thread exited (status ${code})`));
    });
    workers.push(worker);
  }

  return {
    concurrency: count * LINES_AHEAD_PER_WORKER,
    ordered: true,
    processLine(text, terminated) {
      let worker = workers[0]!;
      for (const candidate of workers) if (candidate.busy < worker.busy) worker = candidate;
      worker.busy += 1;
      const id = nextId++;
      return new Promise<LineOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker });
        worker.thread.postMessage({ id, text, terminated } satisfies LineMessage);
      });
    },
    close() {
      closed = true;
      for (const { thread } of workers) void thread.terminate();
    },
  };
}
