import { type ObservedStage, unsampledStage } from './observed.js';
import { WRAPPERS } from './commands.js';
import type { TypedStage } from './typed.js';

// The rows of a pipeline whose stages the text gave (typed.ts): one row per element as typed, every
// time, whether or not a sample saw its process. The shell forks a pipeline's elements one after
// another, each as its own child, before anything else it starts (a `<( )` or `$( )` inside an element
// is the element's child): the children seen, in the order they were started, are the elements in
// order, with gaps where a process ended before the first sample. Pipes place them where they can.

/** What the placing needs of an element typed: its pipeline, its program, its process substitutions. */
type Typed = Pick<TypedStage, 'pipeline' | 'program'> & { procsubs?: string[] };

const inner = (link: string | undefined, outside: Set<string>): boolean =>
  link?.startsWith('pipe:') === true && !outside.has(link);

/** A stage's place in the order the shell started its children: its start, then its pid. */
export const forkOrder = (a: ObservedStage, b: ObservedStage): number => a.startMs - b.startMs || a.pid - b.pid;

/**
 * For each element typed (its pipeline's number and program, in order), the observed stage that
 * is its process, or undefined where none was seen; undefined as a whole where the stages seen cannot
 * be the elements (more of them than elements). `observed`: the shell's children as seen. Where the
 * pipes contradict the places they suggest (a here-string is a pipe no stage wrote), the stages seen
 * take the first places in order.
 */
export function placeElements(
  observed: ObservedStage[],
  typed: Typed[],
  outside: Set<string>,
): (ObservedStage | undefined)[] | undefined {
  const seen = [...observed].sort(forkOrder);
  if (seen.length > typed.length) return undefined;
  const places =
    placesByPipes(seen, typed, outside, true) ??
    placesByPipes(seen, typed, outside, false) ??
    seen.map((_, index) => index);
  const elements: (ObservedStage | undefined)[] = typed.map(() => undefined);
  seen.forEach((stage, index) => {
    elements[places[index]!] = stage;
  });
  return elements;
}

/**
 * The places the pipes say the stages seen (in fork order) have, each the first that fits: a stage
 * reading timer's stdin (or a file) begins a pipeline, one writing timer's stdout (or a file) ends one,
 * one reading the pipe the stage before it writes comes right after it, one reading a pipe no stage
 * seen wrote does not begin its pipeline, a pipestage stage (its trace names it) is an element that
 * runs it, one with a process substitution under it an element typed with one — and, `byProgram`, a
 * stage whose program is known is an element typed to run it (tried first: `sleep 1; head …; sleep 1`
 * with head unseen). Undefined where none fits.
 */
function placesByPipes(
  seen: ObservedStage[],
  typed: Typed[],
  outside: Set<string>,
  byProgram: boolean,
): number[] | undefined {
  const pipelines = typed.map((stage) => stage.pipeline);
  const places: number[] = [];
  const first = (place: number): boolean => pipelines[place - 1] !== pipelines[place];
  const last = (place: number): boolean => pipelines[place + 1] !== pipelines[place];
  for (const [index, stage] of seen.entries()) {
    const previous = seen[index - 1];
    const lowest = previous === undefined ? 0 : places[index - 1]! + 1;
    const highest = pipelines.length - (seen.length - index); // room for the stages after it
    const fits = (place: number): boolean => {
      // a pipestage stage names itself in its trace: it is an element that runs that program, or a
      // program seen running it (`xargs sh -c 'mul'`: mul's trace, xargs's argv)
      // (a wrapper, `nice mul`, becomes the program it runs: which one, its words after its options say)
      const program = WRAPPERS.has(typed[place]!.program ?? '') ? undefined : typed[place]!.program;
      if (stage.traced && stage.traced.name !== program && program !== undefined && !ranSeen(stage, program))
        return false;
      if (byProgram && program !== undefined && !runs(stage, program)) return false;
      // a stage seen with a process substitution under it is an element typed with one (tee >(…), its
      // fork seen before it ran tee and set up its pipes, is not the printf before it)
      const procsub = stage.processes?.some((proc) => proc.lost === 'process substitution') === true;
      if (procsub && typed[place]!.procsubs?.length === 0) return false;
      if (previous !== undefined && inner(stage.stdin, outside) && stage.stdin === previous.stdout)
        return place === lowest && !first(place);
      if (stage.stdin !== undefined && !inner(stage.stdin, outside) && !first(place)) return false;
      if (stage.stdout !== undefined && !inner(stage.stdout, outside) && !last(place)) return false;
      if (inner(stage.stdin, outside) && !seen.some((other) => other.stdout === stage.stdin) && first(place))
        return false;
      return true;
    };
    let place = lowest;
    while (place <= highest && !fits(place)) place += 1;
    if (place > highest) return undefined;
    places.push(place);
  }
  return places;
}

/**
 * Whether a stage seen runs `program` as typed, where its program is known: the first words of the
 * first command it ran (`/bin/sh /usr/bin/gunzip` for gunzip, a shim's interpreter before it).
 */
function runs(stage: ObservedStage, program: string): boolean {
  const argv = stage.argvs[0];
  if (argv === undefined || stage.subshell) return true;
  return argv.slice(0, 2).some((word) => word.slice(word.lastIndexOf('/') + 1) === program);
}

/**
 * Whether a stage was seen running `program` itself: the first words of a command it ran (any: the
 * order the samples read them in may put a child's first), not a subshell's.
 */
function ranSeen(stage: ObservedStage, program: string): boolean {
  const named = (word: string): boolean => word.slice(word.lastIndexOf('/') + 1) === program;
  return !stage.subshell && stage.argvs.some((argv) => argv.slice(0, 2).some(named));
}

/** The stage of an element no sample saw: what is known of it is that it ran, about then. */
export function unseenElement(atMs: number): ObservedStage {
  return unsampledStage(0, [], atMs, atMs, undefined);
}

/**
 * One command's processes as one stage (`paste <(seq 3) <(seq 4)`: the shell starts each `<( )`, then
 * the command): the last one started is the command, and the stage's CPU is all of theirs.
 */
export function oneElement(observed: ObservedStage[]): ObservedStage {
  const seen = [...observed].sort(forkOrder);
  const command = seen[seen.length - 1]!;
  const sum = (field: 'userMs' | 'sysMs'): number | null =>
    seen.every((stage) => stage[field] !== null) ? seen.reduce((total, stage) => total + stage[field]!, 0) : null;
  return {
    ...command,
    startMs: Math.min(...seen.map((stage) => stage.startMs)),
    endMs: Math.max(...seen.map((stage) => stage.endMs)),
    userMs: sum('userMs'),
    sysMs: sum('sysMs'),
  };
}

/** Each stage's name as typed where the processes seen can be placed on the typed elements (pid → text). */
export function typedNames(observed: ObservedStage[], typed: TypedStage[], outside: Set<string>): Map<number, string> {
  const names = new Map<number, string>();
  const placed = typed.length === 1 && observed.length > 1 ? undefined : placeElements(observed, typed, outside);
  placed?.forEach((stage, index) => {
    if (stage) names.set(stage.pid, typed[index]!.text);
  });
  return names;
}
