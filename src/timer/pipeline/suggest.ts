import type { Margin, Prediction } from '../../render/profile.js';

export type { Margin };
import { WRAPPERS } from './commands.js';

// What the report says of a prediction: the suggestion, the whole pipeline with the change in it, only
// where the model (the change's own cost in it) gives less than now by more than the runs' spread (10%
// on one run); else none, and why.

/** What the report says of a prediction: the suggestion (or none, and why), and its lines. */
export interface Advice {
  /** the whole pipeline as changed, or in words where the stage's words are not in its text; null: none */
  suggestion: string | null;
  /** the suggestion is the whole pipeline, to run as it is (not words) */
  runnable: boolean;
  /** why nothing is suggested */
  reason: string | null;
  lines: string[];
}

/** A suggestion must be predicted faster than now by more than this share on a single run. */
export const MIN_GAIN = 0.1;

export const SINGLE_RUN: Margin = { share: MIN_GAIN, words: `${100 * MIN_GAIN}%` };

/** The margin over several runs: their walls' spread, (max − min) / median. */
export function spreadMargin(walls: number[]): Margin {
  const sorted = [...walls].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const share = median > 0 ? (sorted.at(-1)! - sorted[0]!) / median : 0;
  return { share, words: `the run-to-run spread (${Math.round(100 * share)}%)` };
}

/**
 * The report's lines for a prediction. A change of a pipestage stage's option is suggested — the
 * whole pipeline with it, to copy and run — only where the model, the change's own cost in it, gives a
 * wall shorter than now by more than the margin; else `suggested: none`, and why. A stage with no option to change
 * gets a what-if, worded as one.
 */
export function advise(
  prediction: Prediction,
  now: {
    wallMs: number;
    pipeline: string;
    command: string;
    /** where the stage's text begins in the pipeline's, where known */
    at?: number;
    program: string | undefined;
    /** the pipestage programs that ran in the stage, where several did (none of them modelled) */
    tracedNames?: string[];
    /** the stage's exit status, where known */
    status?: number | null;
    balanced: boolean;
  },
  format: (ms: number) => string,
  coresCpu: string,
  margin: Margin = SINGLE_RUN,
): Advice {
  const none = (reason: string, ...before: string[]): Advice => ({
    suggestion: null,
    runnable: false,
    reason,
    lines: [...before, `suggested: none — ${reason}`],
  });
  const nowText = `now ${format(now.wallMs)}`;
  // (a stage that failed — a usage error, status 2 — ran no measure of its work; 1 is grep's no match,
  // 141 a SIGPIPE from a reader that had enough)
  if (now.status != null && now.status >= 2 && now.status !== 141)
    return none(`${now.command} exited with status ${now.status}: a failed run is no measure of a change`);
  if (prediction.kind === 'what-if') {
    const bound = prediction.coresBound ? `; the cores bound it: ${coresCpu}` : '';
    // (a pipestage stage inside a function, a subshell: its option is not changed from here)
    const once = 'timer models a change only where a stage ran one pipestage program once';
    const why = now.tracedNames
      ? `${ranSeveral(now.tracedNames)} in ${now.command}: ${once}`
      : now.program && now.command.split(/\s+/)[0]?.split('/').pop() !== now.program
        ? `${now.program} runs inside ${now.command}, where timer changes no option of it`
        : `${now.command} has no option known to make it faster`;
    return none(why, `if ${now.command} used half its CPU: about ${format(prediction.wallMs)} (${nowText}${bound})`);
  }
  if (now.balanced) return none('no single stage holds the others back (balanced)');
  const perLine = prediction.perLine;
  if (perLine && perLine.workerMs === undefined)
    return none('what a worker thread costs per line could not be measured here');
  if (perLine && perLine.workerMs! >= perLine.itemMs) {
    const costs = `a worker thread costs ${format(perLine.workerMs!)} per line`;
    return none(`${now.command}'s lines take ${format(perLine.itemMs)} each; ${costs}`);
  }
  // (a line's cost against a worker's holds whatever the load: said first)
  if (prediction.coresFull) return none(`the cores are already full (${coresCpu})`);
  if (prediction.wallMs > (1 - margin.share) * now.wallMs) {
    const under = prediction.wallMs >= now.wallMs ? 'no less than' : `not ${margin.words} under`;
    const from = prediction.changedFrom ?? now.command;
    const change = runsItself(now.command, now.program)
      ? prediction.change
      : `${now.program} with ${optionOf(from, prediction.change)} (in ${now.command})`;
    return none(`the model gives ${change} ${format(prediction.wallMs)}, ${under} ${nowText}`);
  }
  // (the stage's own text where it runs the program; else the program's as it ran, where it stands in the text)
  const from = prediction.changedFrom ?? now.command;
  const inText = changedText(
    now.pipeline,
    from,
    prediction.change,
    now.program,
    from === now.command ? now.at : undefined,
  );
  const suggestion = inText ?? changedPipeline(now.pipeline, now.command, prediction.change, now.program, from);
  const bound = prediction.coresBound ? `; bounded by the cores: ${coresCpu}` : '';
  return {
    suggestion,
    runnable: inText !== undefined,
    reason: null,
    lines: [`suggested: ${suggestion}`, `predicted: ${format(prediction.wallMs)} (${nowText}${bound})`],
  };
}

/**
 * The pipeline with a stage's command changed where its words stand in the text, as a whole element
 * (once; its program first, or after a wrapper: an option added at its end is the program's); else, in
 * words, what to change and where (a function, a variable, a script, xargs, or a command typed twice).
 */
export function changedPipeline(
  pipeline: string,
  command: string,
  changed: string,
  program: string | undefined,
  from = command,
): string {
  const inText = changedText(pipeline, from, changed, program);
  if (inText !== undefined) return inText;
  const places = placesOf(pipeline, from).length;
  const option = optionOf(from, changed);
  if (places > 1) return `add ${option} to ${from} (typed ${places} times: which one is not known)`;
  return `run ${program ?? command} with ${option} (in ${command})`;
}

/** The option a change adds to a command (`--workers 2` of `mul --workers 2`), or sets (`--workers 4`). */
function optionOf(command: string, changed: string): string {
  if (changed.startsWith(command)) return changed.slice(command.length).trim();
  const options = changed.match(/(?<=^|\s)--(?:workers|concurrency) \d+(?=\s|$)/g) ?? [];
  return options.find((option) => !command.includes(option)) ?? changed;
}

/** The pipestage programs a stage ran, in words: `mul ran 3 times`, `add and mul ran` (sorted). */
function ranSeveral(names: string[]): string {
  // (sorted: the order the traces were read in is not the same from run to run)
  const distinct = [...new Set(names)].sort();
  if (distinct.length === 1) return `${distinct[0]} ran ${names.length} times`;
  return `${distinct.slice(0, -1).join(', ')} and ${distinct.at(-1)} ran`;
}

/** Whether a stage's command runs its program itself (first, or after a wrapper), not inside a function. */
export function runsItself(command: string, program: string | undefined): boolean {
  const words = command.split(/\s+/).map((word) => word.split('/').pop());
  return (
    program === undefined || words[0] === program || (WRAPPERS.has(words[0] ?? '') && words.slice(1).includes(program))
  );
}

/** Where a command stands in the pipeline's text as a whole element. */
function placesOf(pipeline: string, command: string): RegExpExecArray[] {
  const escaped = command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...pipeline.matchAll(new RegExp(`(?<=^|[\\s|(;&])${escaped}(?=$|[\\s|);&<>])`, 'g'))];
}

/**
 * The pipeline with the stage's command changed in its text, where that can be done: where the stage's
 * text begins (`at`, from the parse: the stage of a text typed twice), else where the text stands once
 * as a whole element; else undefined.
 */
export function changedText(
  pipeline: string,
  command: string,
  changed: string,
  program: string | undefined,
  at?: number,
): string | undefined {
  if (!runsItself(command, program)) return undefined;
  const places = placesOf(pipeline, command).map((place) => place.index);
  const place = at !== undefined && places.includes(at) ? at : places.length === 1 ? places[0]! : undefined;
  return place === undefined ? undefined : pipeline.slice(0, place) + changed + pipeline.slice(place + command.length);
}
