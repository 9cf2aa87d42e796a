import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { PredictionReport } from '../src/render/prediction.js';

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

/** A tmux session running bash in a real terminal (120×50 unless said); keys typed, the screen and scrollback read. */
export async function tmuxSession(name: string, size = { columns: 120, rows: 50 }) {
  // A server of its own for each session: a session made on the server the last test's close is still
  // taking down dies with it (CI, stop 28: no prompt within 10 s).
  const socket = `-L pipestage-${process.pid}-${name}`;
  const made = await sh(
    `tmux ${socket} new-session -d -s ${name} -x ${size.columns} -y ${size.rows} "env PATH='${path.join(ROOT, 'bin')}':\\$PATH PS1='$ ' bash --norc --noprofile -i"`,
  );
  if (made.exitCode !== 0) throw new Error(`tmux session ${name}: new-session exited ${made.exitCode}: ${made.stderr}`);
  const session = {
    keys: (...keys: string[]) =>
      sh(`tmux ${socket} send-keys -t ${name} ${keys.map((key) => `'${key.replace(/'/g, `'\\''`)}'`).join(' ')}`),
    screen: async () => (await sh(`tmux ${socket} capture-pane -p -t ${name}`)).stdout,
    /** the scrollback and the screen, every line the terminal still holds */
    history: async () => (await sh(`tmux ${socket} capture-pane -p -S - -E - -t ${name}`)).stdout,
    resize: (rows: number) => sh(`tmux ${socket} resize-window -t ${name} -y ${rows}`),
    close: () => sh(`tmux ${socket} kill-server`),
  };
  // keys typed before bash has its prompt up may be echoed twice or lost: wait for the prompt (bounded)
  let screen = '';
  for (let waited = 0; waited < 10_000; waited += 50) {
    const capture = await sh(`tmux ${socket} capture-pane -p -t ${name}`);
    screen = capture.exitCode === 0 ? capture.stdout : `(capture-pane exited ${capture.exitCode}: ${capture.stderr})`;
    if (/^\$ ?$/m.test(screen)) return session;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await session.close();
  throw new Error(`tmux session ${name}: no shell prompt within 10 s; the pane held:\n${screen}`);
}

/** The --json document of `timer --pipeline` (the fields the tests read). */
export interface Profile {
  pipestageProfile: number;
  pipeline: string;
  exitCode: number;
  wallMs: number;
  cpuMs: number;
  cores: number;
  coresBusyElsewhere: number | null;
  unattributedCpuMs: number;
  stoppedMs: number;
  bottleneck: string | null;
  bottleneckLine: string;
  prediction: {
    wallMs: number;
    change: string;
    kind: 'option' | 'what-if';
    coresFull: boolean;
    reason: string | null;
    lines: string[];
    workerCost: PredictionReport['workerCost'];
  } | null;
  suggestion: {
    pipeline: string | null;
    words: string | null;
    change: string;
    predictedMs: number;
    nowMs: number;
  } | null;
  whatIf: { stage: string; cpuShare: number[]; wallMs: [number, number, number]; nowMs: number } | null;
  verify: {
    verified: boolean;
    ratio: number | null;
    ratioRange: [number, number] | null;
    predictedRatio: number | null;
    wallMs: number | null;
    line: string;
  } | null;
  stages: {
    pid: number;
    stdin: string | null;
    stdout: string | null;
    command: string;
    name: string;
    status: number | null;
    userMs: number | null;
    sysMs: number | null;
    cpuShared: boolean;
    running: boolean;
    peakRssBytes: number | null;
    bytesIn: number | null;
    bytesOut: number | null;
    lines: number | null;
    workingMs: number;
    waitingForCpuMs: number;
    waitingForInputMs: number;
    blockedOnOutputMs: number;
    otherWaitMs: number;
    startupMs: number;
    stoppedMs: number;
    unknownMs: number;
    startMs: number;
    wallMs: number;
    timeline: { startMs: number; endMs: number; state: string }[];
    items: { lane: string; line: number | null }[] | null;
  }[];
  runs: {
    asked: number;
    warmup: number;
    count: number;
    reported: number;
    wallMs: [number, number];
    cpuMs: [number, number] | null;
    stages: { name: string; wallMs: [number, number] | null; cpuMs: [number, number] | null }[];
    bottleneck: { name: string | null; varies: boolean; counts: Record<string, number> };
    each: Profile[];
  } | null;
}

/**
 * Runs `timer --pipeline PIPELINE --json` and parses its report (stdout is the pipeline's); `env`:
 * assignments for timer's environment (`NAME=value ...`).
 */
export async function profile(
  pipeline: string,
  extra = '',
  env = '',
): Promise<{ report: Profile; stdout: string; exitCode: number }> {
  const quoted = `'${pipeline.replace(/'/g, `'\\''`)}'`;
  const file = path.join(tmpdir(), `pipestage-profile-${process.pid}-${Math.random()}.json`);
  const result = await sh(`${env} timer --pipeline ${quoted} --json --output ${file} ${extra}`);
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

/** Milliseconds in a --time figure as pretty-ms prints it ("245ms", "1.23s"). */
export const durationMs = (text: string): number => {
  const match = /^([\d.]+)(ms|s)$/.exec(text);
  assert.ok(match, `not a duration: ${text}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
};
