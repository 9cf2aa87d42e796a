// What a stage is to the engine: a function from a line to its result, with how it runs.

import type { StageTracer } from '../trace/stage-tracer.js';

/**
 * What a line produces: text (a latin1 byte string, without terminator: the engine ends it as the
 * input line was ended), an integer (written as one line of decimal digits, always terminated,
 * without building a string when it is a Number), or undefined to write nothing.
 */
export type LineOutput = string | number | bigint | undefined;

/** A line filter: the engine feeds it lines and owns everything else. */
export interface Stage {
  /**
   * The output for one line, given as a latin1 byte string without its newline (`terminated` says
   * whether it had one), or a promise of it. Bad data throws (or rejects with) an InputError.
   * `signal` aborts when the run stops early (reader gone, write error).
   */
  processLine(text: string, terminated: boolean, signal: AbortSignal): LineOutput | Promise<LineOutput>;
  /** How many asynchronous lines may be in flight at once (default 1). */
  concurrency?: number;
  /** Write outputs in input order (default), or as they complete. */
  ordered?: boolean;
  /** processLine's promises resolve to TimedOutput: the output and the line's own compute time. */
  timed?: boolean;
  /** Releases what the stage holds (threads) once the run is over. */
  close?(): void;
}

/**
 * What a worker pool's lines resolve to: the output and the line's own compute time (not its queue
 * wait); when it began (on the main thread's performance clock) and on which thread (its lane, 1..N).
 */
export interface TimedOutput {
  output: LineOutput;
  computeMs: number;
  startMs: number;
  lane: number;
}

/** How the engine runs a stage (runStage). */
export interface RunOptions {
  /** Report each line's cost and a summary on stderr. */
  time: boolean;
  /** Files to read in order (`-` is stdin); none: stdin, and messages say `line N` instead of `FILE:N`. */
  files?: string[];
  /** Lines end with NUL instead of newline, in and out (-z). */
  nullTerminated?: boolean;
  /** Where the stage's own trace goes (--trace FILE, $PIPESTAGE_TRACE). */
  trace?: StageTracer;
}
