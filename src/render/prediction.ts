// The types of timer --pipeline's prediction, its suggestion and its verification, as the report holds them.

/** The suggestion run after the profile (--verify): now's wall over its, and over the predicted one. */
export interface VerifyReport {
  verified: boolean;
  /** now's wall over the suggestion's: over several runs the median of the runs paired in order, and their range */
  ratio: number | null;
  ratioRange: [number, number] | null;
  predictedRatio: number | null;
  wallMs: number | null;
  line: string;
}

/** What the report makes of a prediction. */
export interface PredictionReport {
  /** the whole pipeline as changed (or in words, where the stage's words are not in its text); null: none */
  suggestion: string | null;
  /** the suggestion is the whole pipeline, to run as it is (not words) */
  runnable: boolean;
  /** the wall the prediction is set against: the run's, less stopped time */
  nowMs: number;
  /** why nothing is suggested */
  reason: string | null;
  /** the report's lines for it */
  lines: string[];
  /** the wall had the bottleneck used 0.25, 0.5 and 0.75 of its CPU (a stage with no option to change) */
  whatIfMs: [number, number, number] | null;
  /** what a worker thread costs per line, where the change adds them: measured now, or cached (the file) */
  workerCost: {
    wallMsPerLine: number;
    cpuMsPerLine: number;
    threadStartMs: number;
    threadCpuMs: number;
    source: string;
    file: string;
  } | null;
}

export interface Prediction {
  wallMs: number;
  /** the change: the stage's command with the option changed; for a what-if, the stage's command as typed */
  change: string;
  /**
   * the command the option is changed in: the stage's own, or where the stage runs the program inside
   * (a function, a subshell, xargs, a \`<( )\`), the program's as it ran; undefined for a what-if
   */
  changedFrom?: string;
  /** an option of a pipestage stage changed, or a what-if (the stage at half its CPU) */
  kind: 'option' | 'what-if';
  /** the cores are full already (their bound is the measured wall): more workers will not help */
  coresFull: boolean;
  /** the cores bound the prediction (not the flow of items) */
  coresBound: boolean;
  /** where the change adds worker threads: a line's own cost, and a worker's per line (undefined: not known) */
  perLine?: { itemMs: number; workerMs: number | undefined };
}

/** How much faster than now a change must be predicted: on several runs, their spread; one run: 10%. */
export interface Margin {
  share: number;
  /** how the share is said: `10%`, `the run-to-run spread (12%)` */
  words: string;
}

/** A figure's least and greatest over the runs. */
export type Range = [number, number];

/** --runs N: every run, the one reported (its wall the median), and each figure's range over the runs. */
export interface RunsSummary<Run = unknown> {
  /** runs asked for (--runs), and run before them unprofiled (--warmup) */
  asked: number;
  warmup: number;
  /** every profiled run, in order (fewer than asked where a signal stopped them) */
  each: Run[];
  /** the reported run's place in each */
  median: number;
  /** the walls less stopped time */
  wallMs: Range;
  cpuMs: Range | null;
  /** each row of the reported run, matched by place and name in the others (null: not in every run) */
  stages: { name: string; wallMs: Range | null; cpuMs: Range | null }[];
  /** the bottleneck named in most runs (null: none, or it varies: no name in most), each one's count, most first */
  bottleneck: { name: string | null; varies: boolean; counts: [string, number][] };
  /** the margin a suggestion is held to (undefined: no suggestion, the bottleneck varies) */
  margin: Margin | undefined;
}
