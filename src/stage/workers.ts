import type * as WorkerThreads from 'node:worker_threads';
import { Fifo } from '../base/fifo.js';
import { InputError } from '../base/input-error.js';
import type { TimedOutput, LineOutput, Stage } from './stage.js';

/** Lines handed to each worker ahead of time, so that none waits for its next line. */
const LINES_AHEAD_PER_WORKER = 2;

interface LineMessage {
  id: number;
  text: string;
  terminated: boolean;
}

/** `startedAt`: when the line's computing began, in ms on the wall clock every thread shares. */
type ResultMessage =
  | { id: number; output: LineOutput; ms: number; startedAt: number }
  | { id: number; error: string; input: boolean };

/** What a worker thread is started with: the options its copy of the stage is built from. */
interface WorkerSetup {
  options: Record<string, unknown>;
}

/** process.argv's last entry in a worker thread started by `workerPool` (no command line can hold a NUL). */
const WORKER_ARGUMENT = '\0pipestage-worker';

/**
 * node:worker_threads, loaded when first needed: loading it costs about 8 ms of start-up, which a
 * stage without --workers does not pay.
 */
const threads = (): typeof WorkerThreads => process.getBuiltinModule('node:worker_threads');

/** True inside a worker thread started by `workerPool`. */
export function isStageWorker(): boolean {
  return process.argv[process.argv.length - 1] === WORKER_ARGUMENT && threads().parentPort !== null;
}

/** The options a worker's stage is to be built from. */
export function workerOptions(): Record<string, unknown> {
  return (threads().workerData as WorkerSetup).options;
}

/**
 * Inside a worker: computes each line the main thread sends with `stage` and sends back its output,
 * or its error (bad data keeps its message; the engine reports it with the line number). Lines sent
 * ahead wait their turn: at most the stage's concurrency (1 unless --concurrency) are in flight in a
 * thread (sleep-task waiting in two lines at once per thread made --workers 2 run four at once).
 */
export function serveLines(stage: Stage): void {
  const port = threads().parentPort!;
  const never = new AbortController().signal;
  const limit = Math.max(1, stage.concurrency ?? 1);
  const waiting = new Fifo<LineMessage>();
  let inFlight = 0;
  const reply = (id: number, output: LineOutput, started: number): void =>
    port.postMessage({ id, output, ms: performance.now() - started, startedAt: performance.timeOrigin + started });
  const fail = (id: number, error: unknown): void =>
    port.postMessage({
      id,
      error: error instanceof Error ? error.message : String(error),
      input: error instanceof InputError,
    });
  const next = (): void => {
    while (inFlight < limit && waiting.size > 0) {
      const { id, text, terminated } = waiting.shift()!;
      const started = performance.now();
      inFlight += 1;
      const done = (): void => {
        inFlight -= 1;
        next();
      };
      try {
        const output = stage.processLine(text, terminated, never);
        if (output instanceof Promise)
          output.then(
            (value) => {
              reply(id, value, started);
              done();
            },
            (error: unknown) => {
              fail(id, error);
              done();
            },
          );
        else {
          reply(id, output, started);
          inFlight -= 1;
        }
      } catch (error) {
        fail(id, error);
        inFlight -= 1;
      }
    }
  };
  port.on('message', (message: LineMessage) => {
    waiting.push(message);
    next();
  });
}

/**
 * A stage whose lines are computed on up to `count` worker threads, each running `script` (the
 * executable's own bundle) with `options`. Lines wait in one queue for a thread. Threads start as
 * work needs them: a thread for each line waiting that no idle or starting thread will take, up to
 * `count`, started together (lines read together use their threads together, where each thread
 * used to wait for the one before to be online: 8 lines of ~270 ms on 2 threads, median of 10
 * interleaved rounds 1283 ms against 1347 ms, 2168 ms on one); a trickle of lines, each taken
 * before the next comes, starts one thread. The engine keeps the
 * output in input order and bounds the lines in flight. Lines resolve to TimedOutput. `close` ends
 * the threads.
 */
export function workerPool(script: string, options: Record<string, unknown>, count: number): Stage & { timed: true } {
  interface PoolWorker {
    thread: WorkerThreads.Worker;
    busy: number;
    online: boolean;
    /** 1..count, in the order threads were started: the thread's lane in a trace */
    lane: number;
  }
  interface QueuedLine extends LineMessage {
    resolve: (output: TimedOutput) => void;
    reject: (error: Error) => void;
  }
  const workers: PoolWorker[] = [];
  const queue = new Fifo<QueuedLine>();
  const pending = new Map<number, QueuedLine & { worker: PoolWorker }>();
  let nextId = 0;
  let closed = false;

  const failAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    for (const { reject } of queue.drain()) reject(error);
  };
  const send = (worker: PoolWorker): void => {
    const line = queue.shift()!;
    worker.busy += 1;
    pending.set(line.id, { ...line, worker });
    worker.thread.postMessage({ id: line.id, text: line.text, terminated: line.terminated } satisfies LineMessage);
  };
  const dispatch = (): void => {
    // An idle thread first; then, while more may start, a new thread rather than a queue behind a
    // busy one (a heavy line would wait a whole line for a core that is free); with all started,
    // lines ahead so that no thread waits for its next line.
    for (const worker of workers) if (worker.online && worker.busy === 0 && queue.size > 0) send(worker);
    if (queue.size > 0 && workers.length < count) {
      // a thread for each line waiting that no thread starting will take (all at once for lines read together)
      const starting = workers.filter((worker) => !worker.online).length;
      for (let more = Math.min(queue.size - starting, count - workers.length); more > 0; more -= 1) startWorker();
    } else if (workers.every((worker) => worker.online)) {
      // (not while one is starting: it takes the next line, not a line queued behind a busy one)
      for (const worker of workers) while (worker.busy < LINES_AHEAD_PER_WORKER && queue.size > 0) send(worker);
    }
  };
  const startWorker = (): void => {
    // stdout/stderr not piped into the process's own streams (each pipe would add listeners to
    // them); a worker never writes to stdout, and what it writes on stderr is passed on.
    const thread = new (threads().Worker)(script, {
      argv: [WORKER_ARGUMENT],
      workerData: { options } satisfies WorkerSetup,
      stdout: true,
      stderr: true,
    });
    thread.stdout.resume();
    thread.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const worker: PoolWorker = { thread, busy: 0, online: false, lane: workers.length + 1 };
    thread.once('online', () => {
      worker.online = true;
      dispatch();
    });
    thread.on('message', (message: ResultMessage) => {
      const line = pending.get(message.id);
      if (!line) return;
      pending.delete(message.id);
      worker.busy -= 1;
      if ('error' in message) line.reject(message.input ? new InputError(message.error) : new Error(message.error));
      else
        line.resolve({
          output: message.output,
          computeMs: message.ms,
          startMs: message.startedAt - performance.timeOrigin,
          lane: worker.lane,
        });
      dispatch();
    });
    thread.on('error', (error) => failAll(new Error(`worker thread failed: ${error.message}`)));
    thread.on('exit', (code) => {
      if (!closed) failAll(new Error(`worker thread exited (status ${code})`));
    });
    workers.push(worker);
  };

  return {
    concurrency: count * LINES_AHEAD_PER_WORKER,
    ordered: true,
    timed: true,
    processLine(text, terminated) {
      return new Promise<TimedOutput>((resolve, reject) => {
        queue.push({ id: nextId++, text, terminated, resolve, reject });
        dispatch();
      }) as unknown as Promise<LineOutput>;
    },
    close() {
      closed = true;
      for (const { thread } of workers) void thread.terminate();
    },
  };
}
