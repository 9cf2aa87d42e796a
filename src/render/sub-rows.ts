import path from 'node:path';
import type { ProcessProfile, StageProfile } from './profile.js';
import { stageCommand } from './stage-name.js';

// A stage's sub-rows: a row per program it ran (a process each), so that the work inside a subshell,
// a process substitution or xargs is seen down to the process; many alike folded into one.

export interface SubRow {
  /** the program as run (`gzip -7`), or `N × …` for N alike folded */
  name: string;
  /** 1: a process of the stage; 2: one inside a process substitution */
  depth: number;
  /** the stage's own process (or the `(rest)` of a subshell's) */
  own?: boolean;
  count: number;
  startMs: number;
  endMs: number;
  userMs: number;
  sysMs: number;
  /** counted to the last sample (not seen exited) */
  sampled: boolean;
  /** still running when the shell ended */
  running: boolean;
}

/** Above this many rows, processes running one program are folded into one row. */
const MOST_ROWS = 6;

/** A process's program as run: a pipestage stage (node running bin/NAME) as NAME and its arguments. */
export function processName(argv: string[]): string {
  // (node, or env running node: `#!/usr/bin/env node`)
  const node = argv.findIndex((arg, index) => index < 2 && path.basename(arg) === 'node');
  const scripts = node >= 0 && argv[node + 1] ? [path.basename(argv[node + 1]!)] : [];
  return stageCommand([argv], undefined, false, scripts).command;
}

const rowOf = (proc: ProcessProfile, depth: number): SubRow => ({
  name: proc.argv.length > 0 ? processName(proc.argv) : '(subshell)',
  depth,
  count: 1,
  startMs: proc.startMs,
  endMs: proc.endMs,
  userMs: proc.userMs,
  sysMs: proc.sysMs,
  sampled: proc.sampled,
  running: proc.running,
});

/** Rows with one key folded into one (`N × name`), in the order of their first. */
function fold(rows: SubRow[], key: (row: SubRow) => string, name: (row: SubRow) => string): SubRow[] {
  const groups = new Map<string, SubRow[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0]!;
    const count = group.reduce((sum, row) => sum + row.count, 0);
    return { ...total(`${count} × ${name(group[0]!)}`, group), count };
  });
}

/** Sums rows into one named `name` (their CPU, their span). */
function total(name: string, rows: SubRow[]): SubRow {
  return {
    name,
    depth: rows[0]?.depth ?? 1,
    count: 1,
    startMs: Math.min(...rows.map((row) => row.startMs)),
    endMs: Math.max(...rows.map((row) => row.endMs)),
    userMs: rows.reduce((sum, row) => sum + row.userMs, 0),
    sysMs: rows.reduce((sum, row) => sum + row.sysMs, 0),
    sampled: rows.some((row) => row.sampled),
    running: rows.some((row) => row.running),
  };
}

/** Rows running one command folded into one (`2 × sleep-task --for 80ms`), whatever their number. */
export const foldAlike = (rows: SubRow[]): SubRow[] =>
  fold(
    rows,
    (row) => `${row.own === true} ${row.name}`,
    (row) => row.name,
  );

/** Many rows alike folded: by command, then by program. */
function folded(rows: SubRow[]): SubRow[] {
  let result = rows;
  if (result.length > MOST_ROWS)
    result = fold(
      result,
      (row) => row.name,
      (row) => row.name,
    );
  if (result.length > MOST_ROWS) {
    const program = (row: SubRow): string => row.name.replace(/^\d+ × /, '').split(' ')[0]!;
    result = fold(result, program, (row) => `${program(row)} …`);
  }
  return result;
}

const named = (proc: ProcessProfile): string => (proc.argv.length > 0 ? processName(proc.argv) : '(subshell)');

/**
 * A process substitution's name where not all of the stage's were seen: the one typed that its program
 * begins (`seq 10 14` → `<(seq 10 14)`) where only one does, else its program as run.
 */
function typedAs(root: ProcessProfile, typed: string[]): string {
  if (root.argv.length === 0) return named(root);
  const program = processName(root.argv).split(' ')[0];
  const matches = typed.filter(
    (text) =>
      text
        .slice(2)
        .trimStart()
        .split(/[\s|;)]/)[0] === program,
  );
  return matches.length === 1 ? matches[0]! : named(root);
}

/**
 * The sub-rows of a stage (none where it ran one program): each program's own CPU, and each process
 * substitution as typed (`<(seq 3 | gzip)`) with the CPU of all its processes, theirs under it. The
 * stage process's row (or, for a subshell, a `(rest)` row) takes what the others leave of the stage's
 * CPU — its own, and that of processes no sample saw — so that the rows add up to the stage's. More
 * than MOST_ROWS: processes running one command folded, then one program.
 */
export function subRows(stage: StageProfile): SubRow[] {
  const own = stage.processes.find((proc) => proc.pid === stage.pid);
  const others = stage.processes.filter((proc) => proc !== own);
  if (others.length === 0) return [];
  const byPid = new Map(stage.processes.map((proc) => [proc.pid, proc]));
  // (bash forks a stage's process substitutions first, in the order typed: an orphan among the stage
  // process's first children is one whose program ended before it did)
  const first = others.filter((proc) => proc.parent === stage.pid).sort((a, b) => a.pid - b.pid);
  const forked = new Set(first.slice(0, stage.procsubs.length));
  const substitution = (proc: ProcessProfile | undefined): boolean =>
    proc?.lost === 'process substitution' || (proc?.lost === 'orphan' && forked.has(proc));
  // (one under another is that one's: the first children of a program given /dev/fd/N are the roots)
  const roots = others
    .filter((proc) => substitution(proc) && !substitution(byPid.get(proc.parent)))
    .sort((a, b) => a.pid - b.pid);
  const rootOf = (proc: ProcessProfile): ProcessProfile | undefined => {
    for (let at: ProcessProfile | undefined = proc; at; at = byPid.get(at.parent)) if (roots.includes(at)) return at;
    return undefined;
  };
  const programs = folded(others.filter((proc) => rootOf(proc) === undefined).map((proc) => rowOf(proc, 1)));
  const substitutions = roots.flatMap((root, index) => {
    const inside = others.filter((proc) => proc !== root && rootOf(proc) === root).map((proc) => rowOf(proc, 2));
    const typed = roots.length === stage.procsubs.length ? stage.procsubs[index]! : typedAs(root, stage.procsubs);
    const head = total(typed, [rowOf(root, 1), ...inside.map((row) => ({ ...row, depth: 1 }))]);
    return [head, ...folded(inside)];
  });
  const left = (field: 'userMs' | 'sysMs'): number =>
    Math.max(0, (stage[field] ?? 0) - others.reduce((sum, proc) => sum + proc[field], 0));
  // the stage's own program (its own CPU), and the rest of the stage's: a subshell's own CPU, processes
  // no sample saw, and what processes counted to their last read used after it
  const ownRow = own && { ...rowOf(own, 1), own: true };
  if (ownRow && stage.procsubs.length > 0 && own!.argv.some((arg) => /^\/dev\/fd\/\d+$/.test(arg)))
    ownRow.name = processName(own!.argv.map((arg) => (/^\/dev\/fd\/\d+$/.test(arg) ? '…' : arg)));
  const rest: SubRow = {
    ...total('(rest)', [rowOf(own ?? stage.processes[0]!, 1)]),
    startMs: stage.startMs,
    endMs: stage.endMs,
    running: false,
    ...restOf(left('userMs') - (own?.userMs ?? 0), left('sysMs') - (own?.sysMs ?? 0)),
    sampled: stage.cpuSampled,
    own: true,
  };
  // (a subshell's rest is its own row, always: shown only from 1 ms, it came and went between runs)
  const restShown = !ownRow || rest.userMs + rest.sysMs >= 1;
  return [...(ownRow ? [ownRow] : []), ...(restShown ? [rest] : []), ...programs, ...substitutions];
}

/**
 * What is left of a stage's user and sys CPU, never below 0: the stage's split and its processes' may
 * differ (the kernel splits each process's CPU by its ticks), so what one field lacks the other gives.
 */
function restOf(userMs: number, sysMs: number): { userMs: number; sysMs: number } {
  const total = Math.max(0, userMs + sysMs);
  if (userMs < 0) return { userMs: 0, sysMs: total };
  if (sysMs < 0) return { userMs: total, sysMs: 0 };
  return { userMs, sysMs };
}
