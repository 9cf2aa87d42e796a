import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';

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
 * The script bash runs: the pipeline as typed, then PIPESTATUS (each stage's status) written to
 * `statusFile` and the pipeline's own status, in a group whose stderr is /dev/null (the user's own
 * `set -x` traces none of it), after a blank line. Builtins are called as such: a function of the user's
 * named `exit` changes nothing.
 */
export function bashScript(pipeline: string, statusFile: string): string {
  const save = '__pipestage_status=$? __pipestage_statuses="${PIPESTATUS[*]}"';
  const write = `builtin printf '%s\\n' "$__pipestage_statuses" >${shellQuote(statusFile)}`;
  return `${pipeline}\n\n{ ${save}; ${write}; builtin exit "$__pipestage_status"; } 2>/dev/null\n`;
}

/**
 * Whether bash can run the pipeline followed by timer's lines (bashScript) exactly as it runs the text
 * alone: `bash -n` finds no syntax error and no here-document left open (which would take timer's lines
 * as its body), and the text does not end in a backslash (literal at the end of `bash -c`'s text, a line
 * continuation before timer's lines). Otherwise the text is run bare, as typed — bash then says what it
 * says of it, runs what it runs (`shopt -s extglob` on one line makes the next one valid, which bash -n
 * cannot know) and exits as it exits — and the stages' statuses are unknown.
 */
export function wrappable(bash: string, pipeline: string): boolean {
  if (pipeline.endsWith('\\')) return false;
  const check = spawnSync(bash, ['-n', '-c', pipeline, 'bash'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return check.status === 0 && check.stderr.length === 0;
}

/** The statuses bashScript wrote; none when the shell ended before the end of its script. */
export function readStatuses(statusFile: string): number[] {
  try {
    return readFileSync(statusFile, 'latin1')
      .trim()
      .split(' ')
      .filter((word) => word !== '')
      .map(Number);
  } catch {
    // the shell ended before the end of its script (exit, set -e, a signal): statuses unknown
    return [];
  }
}
