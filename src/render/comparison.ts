// The types of a comparison of several pipelines (`timer --pipeline A --pipeline B`), as the report holds them.
import type { Range, State } from './profile.js';

/** How much faster the fastest pipeline was than another: over the runs paired in turn, their median and range. */
export interface ComparisonRatio {
  /** the faster pipeline's place, and the other's */
  faster: number;
  slower: number;
  ratio: number;
  range: Range | null;
}

/** One stage across the pipelines: matched by place and program (a changed stage's text differs). */
export interface StageChange {
  /** its name in each pipeline, null where that one has no such stage */
  names: (string | null)[];
  wallMs: (number | null)[];
  cpuMs: (number | null)[];
  /** the state whose share of the stage's wall changed most, and its share in each pipeline */
  state: { name: State; shares: (number | null)[] } | null;
  /** the lanes (worker threads, concurrency slots) of a stage that traced itself, else null */
  lanes: (number | null)[];
}

/** Several pipelines, each profiled (--runs times, in turn), and compared. */
export interface Comparison {
  pipelines: string[];
  /** runs paired in the ratios (each pipeline's, in turn) */
  runs: number;
  /** each pipeline's reported (median) wall, less stopped time, and its range over the runs */
  wallMs: number[];
  wallRange: (Range | null)[];
  /** each pipeline's runs that exited other than 0: how many, and the first one's status (null: none) */
  failures: ({ runs: number; status: number } | null)[];
  /** the fastest over the runs paired, and the ratio of it to each other pipeline */
  fastest: number;
  ratios: ComparisonRatio[];
  stages: StageChange[];
}
