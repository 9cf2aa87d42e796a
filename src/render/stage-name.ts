import path from 'node:path';
import type { StageRecord } from './profile.js';

// How a stage is named, in the report, the live view and the SIGUSR1 line alike: its programs as the
// user typed them.

/**
 * The command a stage ran, as argv joined by spaces (a subshell's programs in parentheses), and its
 * name. `env` running a program (`#!/usr/bin/env node`) is shown as the program; node running one of
 * `scripts` (a pipestage stage: node running bin/NAME) as NAME and its arguments.
 */
export function stageCommand(
  argvs: string[][],
  tracedName: string | undefined,
  subshell = false,
  scripts: string[] = tracedName === undefined ? [] : [tracedName],
): { command: string; name: string } {
  const shown = argvs.map((seen) => {
    // `#!/usr/bin/env node` runs env first: what it runs is the program (seen before env's exec)
    let argv = seen;
    if (path.basename(argv[0]!) === 'env') {
      const program = argv.findIndex((arg, index) => index > 0 && !arg.startsWith('-') && !arg.includes('='));
      if (program > 0) argv = argv.slice(program);
    }
    if (argv.length > 1 && scripts.includes(path.basename(argv[1]!)))
      return [path.basename(argv[1]!), ...argv.slice(2)];
    return argv;
  });
  if (shown.length === 0) return { command: '(shell)', name: tracedName ?? 'sh' };
  if (shown.length === 1 && !subshell)
    return { command: shown[0]!.join(' '), name: tracedName ?? path.basename(shown[0]![0]!) };
  return {
    command: `(${shown.map((argv) => argv.join(' ')).join('; ')})`,
    name: `(${shown.map((argv) => path.basename(argv[0]!)).join('; ')})`,
  };
}

/**
 * A stage's programs in the order they were started: children as listed (by pid), the stage's own
 * program when it ran it.
 */
export function programsInOrder(record: StageRecord): string[][] {
  const key = (pid: number): [number, number] => record.order.get(pid) ?? [0, pid];
  return [...record.argvs.keys()]
    .sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1])
    .map((pid) => record.argvs.get(pid)!);
}

/** The stage process never ran a program of its own: a subshell (its programs are its children's). */
export const isSubshell = (record: StageRecord): boolean => record.argvs.size > 0 && !record.argvs.has(record.pid);

/**
 * A stage's command while it runs, before any trace is read: node running a script is shown as the
 * script (a pipestage stage: `mul 5`, not `node …/bin/mul 5`).
 */
export function liveName(record: StageRecord): string {
  const argvs = programsInOrder(record);
  const scripts = argvs.flatMap((argv) =>
    path.basename(argv[0]!) === 'node' && argv[1] ? [path.basename(argv[1])] : [],
  );
  return stageCommand(argvs, undefined, isSubshell(record), scripts).command;
}
