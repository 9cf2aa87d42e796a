import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseIo } from '../../base/proc.js';

// The shell that runs a --pipeline: bash where there is one (its PIPESTATUS gives each stage's status).

/** `name` found as an executable on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The script bash runs: the pipeline as typed, then PIPESTATUS (each stage's status), `times` (the
 * CPU of the shell and of every child it reaped, to the ms: the kernel's getrusage) and its
 * /proc/PID/io (its I/O and that of every child it reaped) written to `statusFile`, and the
 * pipeline's own status, in a group whose stderr is /dev/null (the user's own `set -x` traces none of
 * it), after a blank line. Builtins are called as such: a function of the user's named `exit` changes
 * nothing; nothing in it fails (a user's `set -e` is still on).
 */
export function bashScript(pipeline: string, statusFile: string): string {
  const save = [
    '__pipestage_status=$? __pipestage_statuses="${PIPESTATUS[*]}"',
    'builtin read -r -d "" __pipestage_io </proc/$$/io || builtin :',
  ].join('; ');
  const write = [
    `{ builtin printf '%s\\n' "$__pipestage_statuses"`,
    'builtin times',
    `builtin printf '%s' "$__pipestage_io"; } >${shellQuote(statusFile)}`,
  ].join('; ');
  return `${pipeline}\n\n{ ${save}; ${write}; builtin exit "$__pipestage_status"; } 2>/dev/null\n`;
}

/**
 * What in a text would show timer's lines or change what they do: `set -v` (bash prints each line it
 * reads), a DEBUG trap (run before each of them), BASH_XTRACEFD (`set -x` then traces past the group's
 * stderr), `enable -n` (builtins turned off).
 */
const SEES_THE_WRAPPER =
  /\bset\s[^\n;|&]*(-[a-zA-Z]*v|\bverbose\b)|\btrap\b[^\n]*\bDEBUG\b|\bBASH_XTRACEFD\b|\benable\b/;

/**
 * Whether bash can run the pipeline followed by timer's lines (bashScript) exactly as it runs the text
 * alone: `bash -n` finds no syntax error and no here-document left open (which would take timer's lines
 * as its body), the text does not end in a backslash (literal at the end of `bash -c`'s text, a line
 * continuation before timer's lines), and nothing in it would see timer's lines (SEES_THE_WRAPPER).
 * Otherwise the text is run bare, as typed — bash then says what it
 * says of it, runs what it runs (`shopt -s extglob` on one line makes the next one valid, which bash -n
 * cannot know) and exits as it exits — and the stages' statuses are unknown.
 */
export function wrappable(bash: string, pipeline: string): boolean {
  if (pipeline.endsWith('\\') || SEES_THE_WRAPPER.test(pipeline)) return false;
  const check = spawnSync(bash, ['-n', '-c', pipeline, 'bash'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return check.status === 0 && check.stderr.length === 0;
}

/** What bashScript wrote at the end: each stage's status, and the CPU of the shell and its children. */
export interface ShellEnd {
  statuses: number[];
  /** the shell's own CPU and that of every child it waited for (bash's `times`, to the ms) */
  cpu: { userMs: number; sysMs: number } | undefined;
  /** the shell's own CPU alone, at its end (`times`' first line) */
  own: { userMs: number; sysMs: number } | undefined;
  /** rchar and wchar of the shell and every child it waited for, at the end */
  io: [number, number] | undefined;
}

/** `0m1.250s` (bash's `times`) in ms, or NaN. */
const timesMs = (text: string | undefined): number => {
  const match = /^(\d+)m(\d+(?:\.\d+)?)s$/.exec(text ?? '');
  return match ? Number(match[1]) * 60_000 + Number(match[2]) * 1000 : Number.NaN;
};

/** What bashScript wrote; no statuses nor CPU when the shell ended before the end of its script. */
export function readShellEnd(statusFile: string): ShellEnd {
  let lines: string[];
  try {
    lines = readFileSync(statusFile, 'latin1').split('\n');
  } catch {
    // the shell ended before the end of its script (exit, set -e, a signal): statuses unknown
    return { statuses: [], cpu: undefined, own: undefined, io: undefined };
  }
  const statuses = lines[0]!
    .split(' ')
    .filter((word) => word !== '')
    .map(Number);
  // "0m0.003s 0m0.001s" (the shell's user and sys), then its children's
  const [ownUser, ownSys] = (lines[1] ?? '').split(' ').map(timesMs);
  const [user, sys] = (lines[2] ?? '').split(' ').map(timesMs);
  const cpu = { userMs: ownUser! + user!, sysMs: ownSys! + sys! };
  const own = { userMs: ownUser!, sysMs: ownSys! };
  const io = parseIo(lines.slice(3).join('\n'));
  const known = Number.isFinite(cpu.userMs + cpu.sysMs);
  return { statuses, cpu: known ? cpu : undefined, own: known ? own : undefined, io };
}
