// Waiting for states, not for time: a test writes, signals or reads once a process is in the state it
// is about (its output so far, its /proc state, its threads computing), and a bounded wait fails the
// test instead of hanging it when the state never comes.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { ENV, ROOT, sh, type ShellResult } from './helpers.js';

/** Polls `check` every 100 ms until it holds; fails the test after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 8000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (await check()) return;
    await delay(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The state letters (R, S, T…) of the processes whose command line matches `pattern`. */
export async function states(pattern: string): Promise<string[]> {
  const { stdout } = await sh(`for p in $(pgrep -f '${pattern}'); do awk '{print $3}' /proc/$p/stat 2>/dev/null; done`);
  return stdout.split('\n').filter((line) => line !== '');
}

/**
 * A command (sh -c, the built executables on PATH) whose stdin the test writes as it goes: a test that
 * waits for a state (a result written) before writing more, never for a time. `output(text)` resolves
 * once stdout holds `text`, and fails after `ms` (a result held back fails the test, never hangs it).
 */
export function converse(command: string) {
  const child = spawn('sh', ['-c', command], { env: ENV, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => {});
  let closed = false;
  const ended = new Promise<ShellResult>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      for (const wake of waiters) wake();
      resolve({ stdout, stderr, exitCode: code ?? -1 });
    }),
  );
  return {
    write: (text: string): void => void child.stdin.write(text),
    end: (): void => void child.stdin.end(),
    kill: (): boolean => child.kill('SIGKILL'),
    /** Resolves once stdout holds `text`; rejects after `ms`, or once the command ended, with what it holds. */
    output: (text: string, ms = 10_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = stdout.includes(text);
          if (!found && !closed) return;
          waiters.delete(check);
          clearTimeout(timer);
          if (found) resolve();
          else
            reject(
              new Error(
                `the command ended without ${JSON.stringify(text)} on stdout: got ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`,
              ),
            );
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${JSON.stringify(text)} on stdout within ${ms} ms: got ${JSON.stringify(stdout)}`));
        }, ms);
        waiters.add(check);
        check();
      }),
    ended,
  };
}

/**
 * How many threads of process `pid` other than its main thread are computing: running or runnable
 * (state R in /proc/PID/task/TID/stat) with at least 100 ms of CPU (start-up's helper threads use less).
 */
export async function computingThreads(pid: number): Promise<number> {
  const { stdout } = await sh(
    `for t in /proc/${pid}/task/*; do [ "\${t##*/}" = ${pid} ] || sed 's/.*) //' $t/stat 2>/dev/null; done | ` +
      `awk '$1 == "R" && $12 + $13 >= 10' | wc -l`,
  );
  return Number(stdout.trim()) || 0;
}

/** What /proc says of process `pid` now: its state letter, wchan, and syscall (`running`: in user code). */
export function procState(pid: number): { state: string; wchan: string; syscall: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return {
      state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3),
      wchan: readFileSync(`/proc/${pid}/wchan`, 'utf8'),
      syscall: readFileSync(`/proc/${pid}/syscall`, 'utf8').trim(),
    };
  } catch {
    return undefined; // gone
  }
}

/**
 * A shell loop waiting until `condition` holds, for at most `seconds`: past that it prints
 * `timed out: WHAT` on stdout (which a test's exact expected output then fails on) and goes on.
 */
export function shellUntil(condition: string, what: string, seconds = 10): string {
  return (
    `n=0; until ${condition}; do if [ $n -ge ${seconds * 20} ]; then echo "timed out: ${what}"; break; fi; ` +
    'n=$((n+1)); sleep 0.05; done'
  );
}

/**
 * How `child` ended (its code or signal, and the ms it took from this call); fails, after killing it,
 * when it has not ended within `ms`: a lost signal fails the test instead of hanging it.
 */
export async function endsWithin(
  child: ChildProcess,
  ms: number,
  what: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = performance.now();
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode, ms: 0 };
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - started })),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  const result = await Promise.race([ended, late]);
  clearTimeout(timer);
  if (result === undefined) {
    child.kill('SIGKILL');
    assert.fail(`${what}: still running ${ms} ms later`);
  }
  return result;
}
