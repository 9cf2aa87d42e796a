/**
 * Items that `timer -- CMD` sees completing within this much of a span's start join it: timer's view
 * of a command (every 1 ms at most, so that a 10M-line run stays small).
 */
export const TIMER_MERGE_MS = 1;

/**
 * Items (and states) a stage traces itself that end within this much of a span's start join it: a
 * 3M-line pipeline then writes hundreds of events a second, not thousands, and the trace (and
 * timer --pipeline's reading of it) stays small.
 */
export const STAGE_MERGE_MS = 5;

/** `count` items, from `line` on, computed one after the other from `startMs` to `endMs`. */
export interface ItemSpan {
  startMs: number;
  endMs: number;
  line: number;
  count: number;
  /** the file whose lines they are (a span never holds lines of two files) */
  file: string | undefined;
}

/**
 * The one span merger of both trace writers: on each lane, an item of the same file that ends less
 * than `mergeMs` after the start of the lane's open span joins it (its end and count); any other item
 * hands the open span to `write` and opens the next one. `newLane` hears of a lane's first item.
 */
export class SpanMerger {
  private readonly open = new Map<number, ItemSpan | undefined>();
  // (called for every line of a concurrent stage: the last lane's open span is kept at hand, no map lookup)
  private lastLane = Number.NaN;
  private lastSpan: ItemSpan | undefined;

  constructor(
    private readonly mergeMs: number,
    private readonly write: (lane: number, span: ItemSpan) => void,
    private readonly newLane?: (lane: number) => void,
  ) {}

  /** `count` items from `line` on, computed on `lane` from `startMs` to `endMs`. */
  add(lane: number, line: number, file: string | undefined, startMs: number, endMs: number, count = 1): void {
    const open = lane === this.lastLane ? this.lastSpan : this.open.get(lane);
    if (open !== undefined && endMs - open.startMs < this.mergeMs && open.file === file) {
      open.endMs = endMs;
      open.count += count;
      return;
    }
    if (open) this.write(lane, open);
    else if (!this.open.has(lane)) this.newLane?.(lane);
    const span = { startMs, endMs, line, count, file };
    this.open.set(lane, span);
    this.lastLane = lane;
    this.lastSpan = span;
  }

  /** Writes every open span (lanes in the order of their first item). */
  flush(): void {
    for (const [lane, span] of this.open) if (span) this.write(lane, span);
    for (const lane of this.open.keys()) this.open.set(lane, undefined);
    this.lastSpan = undefined;
  }
}
