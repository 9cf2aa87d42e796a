import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';

/** The repository root and its bin/ folder, first on PATH for every command a test runs. */
export const ROOT = repositoryRoot(path.dirname(fileURLToPath(import.meta.url)));
/** The nearest folder above `from` holding package.json (tests run from test/ or from .test-build/). */
function repositoryRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir))
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  throw new Error(`no package.json above ${from}`);
}
export const BIN = path.join(ROOT, 'bin');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const ENV = { ...process.env, PATH: `${BIN}:${process.env['PATH']}` };

/**
 * The environment for running npm: npm test (scripts/test.sh) takes NODE_EXTRA_CA_CERTS out of the
 * tests' environment (every node start pays for parsing it, and the tools under test make no TLS
 * connection); npm, which may reach the registry, gets it back.
 */
export function npmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const certificates = process.env['PIPESTAGE_NPM_CA_CERTS'];
  return certificates ? { ...env, NODE_EXTRA_CA_CERTS: certificates } : env;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  signal?: string;
}

/**
 * Runs `sh -c command` with the built executables on PATH, in the repository root, feeding `input` on
 * stdin; resolves with everything it wrote and how it ended, never rejects (killed after `timeoutMs`).
 * Plain child_process: a test file runs hundreds of these, and execa costs more CPU per call.
 */
function run(
  command: string,
  input: string | Buffer,
  timeoutMs: number,
): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number; signal?: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env: ENV, cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL' });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {}); // a command that does not read its input
    child.stdin.end(input);
    child.on('error', (error) =>
      resolve({ stdout: Buffer.alloc(0), stderr: Buffer.from(String(error)), exitCode: -1 }),
    );
    child.on('close', (code, signal) =>
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        exitCode: code ?? -1,
        ...(signal ? { signal } : {}),
      }),
    );
  });
}

/** Runs a shell command line (sh -c) with the built executables on PATH; never rejects. */
export async function sh(command: string, input?: string | Buffer, timeoutMs = 60_000): Promise<ShellResult> {
  const result = await run(command, input ?? '', timeoutMs);
  return {
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
    exitCode: result.exitCode,
    ...(result.signal ? { signal: result.signal } : {}),
  };
}

/** Like sh, with stdout as raw bytes. */
export async function shBytes(
  command: string,
  input?: Buffer,
): Promise<{ stdout: Buffer; stderr: string; exitCode: number }> {
  const result = await run(command, input ?? Buffer.alloc(0), 60_000);
  return { stdout: result.stdout, stderr: result.stderr.toString(), exitCode: result.exitCode };
}

/** One row of an end-to-end table: a shell command line and what it must produce. */
export interface Case {
  name: string;
  command: string;
  stdin?: string;
  stdout?: string | RegExp;
  stderr?: string | RegExp;
  exitCode: number;
}

/** Checks a case's result; returns a description of the first mismatch, or undefined. */
export function mismatch(c: Case, r: ShellResult): string | undefined {
  const expectText = (what: string, want: string | RegExp | undefined, got: string): string | undefined => {
    if (want === undefined) return undefined;
    const ok = typeof want === 'string' ? got === want : want.test(got);
    return ok
      ? undefined
      : `${what}: expected ${JSON.stringify(String(want))}, got ${JSON.stringify(got.slice(0, 400))}`;
  };
  if (r.exitCode !== c.exitCode)
    return `exit code: expected ${c.exitCode}, got ${r.exitCode} (stderr ${JSON.stringify(r.stderr.slice(0, 400))})`;
  return (
    expectText('stdout', c.stdout, r.stdout) ??
    expectText('stderr', c.stderr ?? (c.exitCode === 0 ? '' : undefined), r.stderr)
  );
}

/** A tmux session running bash in a real terminal; keys typed, the screen and processes read. */
export async function tmuxSession(name: string) {
  const socket = `-L pipestage-${process.pid}`;
  await sh(
    `tmux ${socket} new-session -d -s ${name} -x 120 -y 50 "env PATH='${path.join(ROOT, 'bin')}':\\$PATH PS1='$ ' bash --norc --noprofile -i"`,
  );
  return {
    keys: (...keys: string[]) =>
      sh(`tmux ${socket} send-keys -t ${name} ${keys.map((key) => `'${key.replace(/'/g, `'\\''`)}'`).join(' ')}`),
    screen: async () => (await sh(`tmux ${socket} capture-pane -p -t ${name}`)).stdout,
    close: () => sh(`tmux ${socket} kill-server`),
  };
}

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

/** The --json document of `timer --pipeline` (the fields the tests read). */
export interface Profile {
  pipestageProfile: number;
  exitCode: number;
  wallMs: number;
  cpuMs: number;
  cores: number;
  coresBusyElsewhere: number;
  unattributedCpuMs: number;
  bottleneck: string | null;
  bottleneckLine: string;
  prediction: { wallMs: number; change: string; coresFull: boolean; line: string } | null;
  stages: {
    pid: number;
    stdin: string | null;
    stdout: string | null;
    command: string;
    name: string;
    status: number | null;
    userMs: number | null;
    sysMs: number | null;
    peakRssBytes: number | null;
    bytesIn: number | null;
    bytesOut: number | null;
    lines: number | null;
    workingMs: number;
    waitingForCpuMs: number;
    waitingForInputMs: number;
    blockedOnOutputMs: number;
    otherWaitMs: number;
    wallMs: number;
    timeline: { startMs: number; endMs: number; state: string }[];
    items: { lane: string; line: number | null }[] | null;
  }[];
}

/** Runs `timer --pipeline PIPELINE --json` and parses its report (stdout is the pipeline's). */
export async function profile(
  pipeline: string,
  extra = '',
): Promise<{ report: Profile; stdout: string; exitCode: number }> {
  const quoted = `'${pipeline.replace(/'/g, `'\\''`)}'`;
  const file = path.join(tmpdir(), `pipestage-profile-${process.pid}-${Math.random()}.json`);
  const result = await sh(`timer --pipeline ${quoted} --json --output ${file} ${extra}`);
  let report: Profile;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  } catch {
    assert.fail(`not one JSON document: ${readFileSync(file, 'utf8').slice(0, 600)} (stderr ${result.stderr})`);
  } finally {
    rmSync(file, { force: true });
  }
  return { report, stdout: result.stdout, exitCode: result.exitCode };
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
  const ended = new Promise<ShellResult>((resolve) =>
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? -1 })),
  );
  return {
    write: (text: string): void => void child.stdin.write(text),
    end: (): void => void child.stdin.end(),
    kill: (): boolean => child.kill('SIGKILL'),
    /** Resolves once stdout holds `text`; rejects after `ms` with what it holds. */
    output: (text: string, ms = 10_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!stdout.includes(text)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
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

/** Milliseconds in a --time figure as pretty-ms prints it ("245ms", "1.23s"). */
export const durationMs = (text: string): number => {
  const match = /^([\d.]+)(ms|s)$/.exec(text);
  assert.ok(match, `not a duration: ${text}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
};

// Waiting for states, not for time (issue 20): a signal is sent once the process is in the state the
// test is about, and "promptly" is a generous bound that a lost signal fails instead of hanging.

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
