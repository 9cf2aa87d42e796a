import { type ItemSpan, SpanMerger, STAGE_MERGE_MS } from './spans.js';
import { openTraceFile, STATE_LANE, traceClockUs, TraceAppender, TraceRefused } from './trace-file.js';
import { systemErrorText } from '../base/messages.js';

/** What the main thread is doing, drawn on its lane (tid 0). */
export type StageState = 'start-up' | 'waiting for input' | 'blocked on output' | 'working';
const STAGE_STATES: readonly StageState[] = ['start-up', 'waiting for input', 'blocked on output', 'working'];

/**
 * Writes a stage's own trace (Chrome Trace Event Format, on timer's file protocol: see openTraceFile)
 * into the file of `--trace FILE` or $PIPESTAGE_TRACE: the process named after the tool, its states on
 * tid 0 (`main`), and one span per computed line (`"cat":"item"`, `args.line`) on the lane of the
 * worker thread or concurrency slot that computed it (tid 1..N, `worker 2`, `slot 5`; `items` for a
 * stage that computes one line at a time). Consecutive items and states shorter than STAGE_MERGE_MS are
 * merged into one span of up to STAGE_MERGE_MS: `args.items` counts the items; a state span is named after
 * the state that took most of it, and `args` gives each state's ms in it when it held several (timer
 * adds them up exactly). Times are ms on this process's performance clock.
 */
export class StageTracer {
  private readonly out: TraceAppender;
  private readonly items: SpanMerger;
  /** The state now, since when; the state span being gathered, since when, and each state's share of it. */
  private state: StageState = 'start-up';
  private stateSinceMs = 0; // the process's start (performance.timeOrigin)
  private spanStartMs = 0;
  private readonly shares = new Float64Array(STAGE_STATES.length); // ms, by STAGE_STATES index
  private readonly nameJson: string;

  constructor(fd: number, name: string, laneName: (lane: number) => string) {
    this.out = new TraceAppender(fd);
    this.items = new SpanMerger(
      STAGE_MERGE_MS,
      (lane, span) => this.writeItem(lane, span),
      (lane) => this.out.metadata('thread_name', process.pid, lane, { name: laneName(lane) }),
    );
    this.nameJson = JSON.stringify(name);
    this.out.metadata('process_name', process.pid, STATE_LANE, { name });
    this.out.metadata('thread_name', process.pid, STATE_LANE, { name: 'main' });
  }

  /** Opens the trace file of a stage (or says why not: a message for stderr, and no tracer). */
  static open(path: string, name: string, laneName: (lane: number) => string): StageTracer | string {
    try {
      return new StageTracer(openTraceFile(path), name, laneName);
    } catch (error) {
      const why = error instanceof TraceRefused ? error.message : `${path}: ${systemErrorText(error)}`;
      return `${name}: ${why}; not tracing`;
    }
  }

  /**
   * The main thread's state from `atMs` on. A state span is written at a change once it lasts STAGE_MERGE_MS
   * or more; shorter states gather into one span, named after the state that took most of its time,
   * with each state's share of it.
   */
  setState(state: StageState, atMs: number): void {
    if (state === this.state) return;
    this.shares[STAGE_STATES.indexOf(this.state)]! += atMs - this.stateSinceMs;
    this.state = state;
    this.stateSinceMs = atMs;
    if (atMs - this.spanStartMs >= STAGE_MERGE_MS) this.writeState(atMs);
  }

  /** Input arrived: a wait for input ends now (the stage splits it into lines: work). The clock is read only then. */
  inputArrived(): void {
    if (this.state === 'waiting for input') this.setState('working', performance.now());
  }

  /** `count` lines computed one after the other from `line` on: on `lane`, from `startMs` to `endMs`. */
  item(lane: number, line: number, file: string | undefined, startMs: number, endMs: number, count = 1): void {
    this.items.add(lane, line, file, startMs, endMs, count);
  }

  /**
   * Writes what is still open, then how the stage ended — an instant event `"cat":"exit"` with its
   * exit status, the lines it answered, the bytes it read and wrote, and its CPU time and peak memory
   * so far — and closes the file.
   */
  close(atMs: number, end: { status: number; lines: number; bytesIn: number; bytesOut: number }): void {
    this.items.flush();
    this.shares[STAGE_STATES.indexOf(this.state)]! += atMs - this.stateSinceMs;
    this.stateSinceMs = atMs;
    if (atMs > this.spanStartMs) this.writeState(atMs);
    const { user, system } = process.cpuUsage();
    const args = {
      status: end.status,
      lines: end.lines,
      bytesIn: end.bytesIn,
      bytesOut: end.bytesOut,
      userMs: Math.round(user / 1000),
      sysMs: Math.round(system / 1000),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    this.out.event({
      name: 'exit',
      cat: 'exit',
      ph: 'i',
      s: 'p',
      ts: traceClockUs(atMs),
      pid: process.pid,
      tid: STATE_LANE,
      args,
    });
    this.out.close();
  }

  // The two events written every millisecond are put together as text (what JSON.stringify of
  // { name, cat, ph, ts, dur, pid, tid, args } gives, at a fraction of its cost).

  private writeState(endMs: number): void {
    let most = 0;
    let held = 0;
    for (let index = 0; index < STAGE_STATES.length; index++) {
      if (this.shares[index]! > 0) held += 1;
      if (this.shares[index]! > this.shares[most]!) most = index;
    }
    const name = STAGE_STATES[most]!;
    const ts = traceClockUs(this.spanStartMs);
    let args = '';
    if (held > 1) {
      // each state's time in the span, to the µs ("working":3.1,"blocked on output":1.9)
      const parts: string[] = [];
      for (let index = 0; index < STAGE_STATES.length; index++)
        if (this.shares[index]! > 0)
          parts.push(`"${STAGE_STATES[index]}":${Math.round(this.shares[index]! * 1000) / 1000}`);
      args = `,"args":{${parts.join(',')}}`;
    }
    const dur = traceClockUs(endMs) - ts;
    this.out.json(
      `{"name":"${name}","cat":"state","ph":"X","ts":${ts},"dur":${dur},"pid":${process.pid},` +
        `"tid":${STATE_LANE}${args}}`,
    );
    this.spanStartMs = endMs;
    this.shares.fill(0);
  }

  private writeItem(lane: number, span: ItemSpan): void {
    const ts = traceClockUs(span.startMs);
    const items = span.count > 1 ? `,"items":${span.count}` : '';
    const file = span.file === undefined ? '' : `,"file":${JSON.stringify(span.file)}`;
    const dur = Math.max(0, traceClockUs(span.endMs) - ts);
    this.out.json(
      `{"name":${this.nameJson},"cat":"item","ph":"X","ts":${ts},"dur":${dur},"pid":${process.pid},"tid":${lane},` +
        `"args":{"line":${span.line}${items}${file}}}`,
    );
  }
}
