import type { StageState, StageTracer } from '../trace/stage-tracer.js';
import type { Sink } from './sink.js';
import type { TimedOutput } from './stage.js';

/** What the tracer asks of the read loop: its counts and the file being read, when a span closes. */
interface ReadLoopCounts {
  /** the last line read */
  lineNo(): number;
  /** the lines that produced output so far */
  done(): number;
  /** the file whose lines are read, as trace spans name it */
  traceFile(): string | undefined;
}

/**
 * The read loop's side of a stage's own trace: what the main thread does (working, waiting for
 * input, blocked on output) and the spans of the lines it computes, told to the StageTracer per turn
 * of the loop, never per line (the loop over lines stays the same traced or not).
 *
 * The lines a turn computes one after the other form spans on lane 1, cut where the sink flushes
 * (every 1 ms of results, or 64 KiB) and where the turn ends: a span's lines are counted by `done`.
 * An asynchronous line computed in this process holds a lane (its concurrency slot) while in flight;
 * a worker thread's line is drawn on its thread's lane, with the times the thread measured.
 */
export class TurnTracer {
  private spanOpen = false;
  private spanStart = 0;
  private spanLine = 0;
  private spanDone = 0;
  // The main thread works from the start of a turn that read a line; said to the tracer once the
  // turn ends or a write waits.
  private turnStart = 0;
  private turnLine = 0;
  private turnWorking = false;
  /** the lanes (concurrency slots) free for the next asynchronous line, and the next new one */
  private readonly freeLanes: number[] = [];
  private nextLane = 1;

  constructor(
    private readonly tracer: StageTracer,
    private readonly sink: Sink,
    private readonly counts: ReadLoopCounts,
  ) {
    sink.onFlushed = (queuedAtMs, resumedAtMs) => this.spanOpen && this.closeSpan(queuedAtMs, resumedAtMs);
  }

  /** Input has come: splitting it into lines is work (the read loop says when it runs out). */
  inputArrived(): void {
    this.tracer.inputArrived();
  }

  /**
   * A turn of the read loop starts at `atMs`: its span and state start now (the clock is this turn's
   * start too, for a line waiting behind asynchronous ones: its own span runs from the clock's last
   * reading).
   */
  turnStarted(atMs: number): void {
    this.sink.clock = this.spanStart = this.turnStart = atMs;
    this.turnLine = this.counts.lineNo();
    this.turnWorking = false;
    this.spanLine = this.turnLine + 1;
    this.spanDone = this.counts.done();
    this.spanOpen = true;
  }

  /**
   * The turn ended (`yielded`: only to let the event loop run, and it goes on soon): the state from
   * now on is blocked on output (`blocked`), working (lines in flight), waiting for input
   * (`wantsInput`: more input is expected and none is pending), or working.
   */
  turnEnded(yielded: boolean, blocked: boolean, inFlight: number, wantsInput: boolean): void {
    this.closeSpan(this.sink.queuedAt, 0);
    this.spanOpen = false;
    this.workingSinceTurnStart();
    if (yielded) return;
    const state: StageState = blocked
      ? 'blocked on output'
      : inFlight > 0
        ? 'working'
        : wantsInput
          ? 'waiting for input'
          : 'working';
    this.tracer.setState(state, performance.now());
  }

  /** A direct write waited for a slow reader from `fromMs` to `toMs`: blocked on output meanwhile. */
  outputWaited(fromMs: number, toMs: number): void {
    this.workingSinceTurnStart();
    this.tracer.setState('blocked on output', fromMs);
    this.tracer.setState('working', toMs);
  }

  /** A line computed at once (from `startMs` on) waits behind asynchronous ones: a span of its own. */
  lineWaiting(lineNo: number, startMs: number): void {
    this.closeSpan(this.sink.queuedAt, 0);
    this.tracer.item(1, lineNo, this.counts.traceFile(), startMs, (this.sink.clock = performance.now()));
  }

  /** The lane an asynchronous line computed in this process holds while in flight. */
  takeLane(): number {
    return this.freeLanes.pop() ?? this.nextLane++;
  }

  /** A line on `lane` (from takeLane) settled: its span, if it produced output; the lane is free. */
  laneSettled(lane: number, lineNo: number, file: string | undefined, startMs: number, output: boolean): void {
    if (output) this.tracer.item(lane, lineNo, file, startMs, performance.now());
    this.freeLanes.push(lane);
  }

  /** A worker thread computed a line: its span on the thread's lane, as the thread timed it. */
  threadComputed(timed: TimedOutput, lineNo: number, file: string | undefined): void {
    this.tracer.item(timed.lane, lineNo, file, timed.startMs, timed.startMs + timed.computeMs);
  }

  private closeSpan(endMs: number, nextStartMs: number): void {
    const done = this.counts.done();
    if (done > this.spanDone)
      this.tracer.item(1, this.spanLine, this.counts.traceFile(), this.spanStart, endMs, done - this.spanDone);
    this.spanDone = done;
    this.spanLine = this.counts.lineNo() + 1;
    this.spanStart = nextStartMs;
  }

  private workingSinceTurnStart(): void {
    if (this.turnWorking || this.counts.lineNo() === this.turnLine) return;
    this.tracer.setState('working', this.turnStart);
    this.turnWorking = true;
  }
}
