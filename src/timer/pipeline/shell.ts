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
 * The script bash runs: the pipeline as its first lines, then PIPESTATUS (each stage's status)
 * written to `statusFile`, and the pipeline's own status.
 */
export function bashScript(pipeline: string, statusFile: string): string {
  const save = '__pipestage_status=$? __pipestage_statuses="${PIPESTATUS[*]}"';
  const write = `printf '%s\\n' "$__pipestage_statuses" >${shellQuote(statusFile)}`;
  return `${pipeline}\n\n${save}\n${write}\nexit "$__pipestage_status"\n`;
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
