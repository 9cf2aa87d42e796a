// npm run faults: the suite must fail when the code is wrong. Each file test/faults/<name>.patch is a
// small deliberate bug in src/ with a header naming what a user would see and the test files that must
// catch it:
//
//   Fault: <what is wrong>
//   Caught-by: <test files, by name: timer workers alone/pipeline-accuracy>
//
//   diff --git a/src/…
//
// Each patch in turn is applied (git apply) to one scratch copy of the working tree, the executables
// and tests are built, and only the test files it names are run. A fault survives when they all pass.
// Prints each fault and the tests that caught it; exits 1 if any fault survived, or no longer applies
// to the code (a patch moves with the code it breaks), or breaks the build instead of the behaviour.
//
// Usage: node scripts/faults.mjs [--keep | --check] [NAME...]   (NAME: patches whose name contains it)
//   --keep   leave the scratch copy in place and print where it is
//   --check  only check the list: at least 25 patches, each with its header, naming test files that
//            exist, and applying cleanly to the working tree (npm test runs this: test/faults.test.ts)
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORTER = path.join(ROOT, 'scripts/lib/failures-reporter.mjs');
const PER_FAULT_TIMEOUT_MS = 240_000;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const end = header.findIndex((line) => !line.startsWith('//'));
  console.log(
    header
      .slice(0, end)
      .map((line) => line.replace(/^\/\/ ?/, ''))
      .join('\n'),
  );
  process.exit(0);
}
const unknown = args.find((arg) => arg.startsWith('-') && arg !== '--keep' && arg !== '--check');
if (unknown) {
  console.error(`faults: unknown option '${unknown}'\nTry 'node scripts/faults.mjs --help' for more information.`);
  process.exit(2);
}
const keep = args.includes('--keep');
const checkOnly = args.includes('--check');
const MINIMUM_FAULTS = 25;

/** A patch's header (Fault:, Caught-by:), or the problem with it. */
function parseFault(text, file) {
  const name = file.replace(/\.patch$/, '');
  const header = text.slice(0, Math.max(0, text.indexOf('\ndiff --git ')));
  const fault = /^Fault: (.+)$/m.exec(header)?.[1]?.trim();
  const caughtBy = /^Caught-by: (.+)$/m.exec(header)?.[1]?.trim().split(/\s+/) ?? [];
  const touched = [...text.matchAll(/^diff --git a\/(\S+) /gm)].map((match) => match[1]);
  let problem;
  if (!header) problem = 'no header before its first "diff --git" line';
  else if (!fault) problem = 'no "Fault: <what is wrong>" line in its header';
  else if (caughtBy.length === 0) problem = 'no "Caught-by: <test files>" line in its header';
  else if (touched.length === 0) problem = 'no diff';
  else if (touched.some((file) => !file.startsWith('src/')))
    problem = `it changes more than src/: ${touched.join(' ')}`;
  else {
    const missing = caughtBy.filter((test) => !existsSync(path.join(ROOT, `test/${test}.test.ts`)));
    if (missing.length > 0)
      problem = `Caught-by names no test file: ${missing.map((test) => `test/${test}.test.ts`).join(' ')}`;
  }
  return { name, fault, caughtBy, problem };
}
const wanted = args.filter((arg) => !arg.startsWith('-'));

const faultsDir = path.join(ROOT, 'test/faults');
const faults = readdirSync(faultsDir)
  .filter((file) => file.endsWith('.patch'))
  .sort()
  .map((file) => ({
    file: path.join(faultsDir, file),
    ...parseFault(readFileSync(path.join(faultsDir, file), 'utf8'), file),
  }))
  .filter((fault) => wanted.length === 0 || wanted.some((name) => fault.name.includes(name)));
if (faults.length === 0) {
  console.error(`faults: no patch in test/faults/ matches ${wanted.join(' ')}`);
  process.exit(2);
}
const malformed = faults.filter((fault) => fault.problem);
for (const fault of malformed) console.error(`faults: ${fault.name}: ${fault.problem}`);
if (malformed.length > 0) process.exit(1);
if (checkOnly) {
  let problems = 0;
  for (const fault of faults) {
    const applies = spawnSync('git', ['apply', '--check', fault.file], { cwd: ROOT, encoding: 'utf8' });
    if (applies.status === 0) continue;
    problems++;
    console.error(`faults: ${fault.name}: does not apply to the working tree: ${applies.stderr.split('\n')[0]}`);
  }
  if (wanted.length === 0 && faults.length < MINIMUM_FAULTS) {
    problems++;
    console.error(`faults: ${faults.length} patches in test/faults/, fewer than ${MINIMUM_FAULTS}`);
  }
  if (problems === 0) console.log(`${faults.length} faults, each with its header, each applying to the working tree`);
  process.exit(problems === 0 ? 0 : 1);
}

/** Runs a command in the scratch copy; returns its status and output (never throws). */
function run(scratch, command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: scratch, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** A scratch copy of the working tree (tracked files and new ones git does not ignore), as a git repository. */
function makeScratch() {
  const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-faults-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(path.join(ROOT, file))) continue; // deleted, not yet committed
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(scratch, file));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'));
  const git = (...gitArgs) =>
    run(scratch, 'git', ['-c', 'user.name=faults', '-c', 'user.email=faults@localhost', ...gitArgs]);
  git('init', '-q');
  mkdirSync(path.join(scratch, '.git/info'), { recursive: true });
  // (what the tree ignores, and the link to the installed packages)
  writeFileSync(
    path.join(scratch, '.git/info/exclude'),
    `${readFileSync(path.join(scratch, '.gitignore'))}node_modules\n`,
  );
  const added = git('add', '-A');
  const committed = git('commit', '-q', '--no-gpg-sign', '-m', 'the tree under test');
  if (!added.ok || !committed.ok) throw new Error(`scratch repository: ${added.output} ${committed.output}`);
  return { scratch, git };
}

/** Runs the named test files in the scratch copy; resolves with the failures they reported. */
function runTests(scratch, testFiles) {
  const env = { ...process.env };
  if (env.NODE_EXTRA_CA_CERTS) env.PIPESTAGE_NPM_CA_CERTS = env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_EXTRA_CA_CERTS;
  const files = testFiles.map((name) => `.test-build/${name}.test.mjs`);
  const child = spawn('node', ['--test', '--test-concurrency=2', `--test-reporter=${REPORTER}`, ...files], {
    cwd: scratch,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }, PER_FAULT_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGKILL'); // whatever the tests left behind
      } catch {}
      const failures = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      resolve({ code, signal, failures, stderr });
    }),
  );
}

/** The failures worth printing: the innermost tests that failed, one per test, file-level ones if none. */
function culprits(failures) {
  const inner = failures.filter((failure) => failure.nesting > 0 || !failures.some((other) => other.nesting > 0));
  const named = inner.filter((failure) => !/^\//.test(failure.name));
  return (named.length > 0 ? named : inner).slice(0, 3);
}

const started = Date.now();
const { scratch, git } = makeScratch();
const results = [];
for (const fault of faults) {
  const began = Date.now();
  const result = { name: fault.name, fault: fault.fault };
  const applied = git('apply', fault.file);
  if (!applied.ok) {
    result.outcome = 'does not apply';
    result.detail = `${applied.output.split('\n')[0]} (move the patch with the code it breaks)`;
  } else {
    const built = run(scratch, 'node', ['scripts/build.mjs']);
    const testsBuilt = built.ok && run(scratch, 'node', ['scripts/build-tests.mjs']);
    if (!built.ok || !testsBuilt.ok) {
      result.outcome = 'breaks the build';
      result.detail = (built.ok ? testsBuilt : built).output.split('\n').slice(0, 3).join(' ');
    } else {
      const tests = await runTests(scratch, fault.caughtBy);
      const caught = culprits(tests.failures);
      if (tests.code === 0 && !tests.signal) result.outcome = 'SURVIVED';
      else {
        result.outcome = 'caught';
        result.detail =
          caught.length > 0
            ? caught.map((c) => `${path.basename(c.file ?? '')}: ${c.name}${c.message ? ` — ${c.message}` : ''}`)
            : [`the test run ended ${tests.signal ?? `with status ${tests.code}`}: ${tests.stderr.slice(-300)}`];
      }
    }
  }
  const reset = git('reset', '-q', '--hard');
  const cleaned = git('clean', '-fdq');
  if (!reset.ok || !cleaned.ok)
    throw new Error(`could not restore the scratch copy: ${reset.output} ${cleaned.output}`);
  result.seconds = (Date.now() - began) / 1000;
  results.push(result);
  const mark = result.outcome === 'caught' ? 'caught  ' : `${result.outcome.toUpperCase()}:`;
  console.log(`${mark} ${fault.name} (${result.seconds.toFixed(1)} s, ${fault.caughtBy.join(' ')})`);
  console.log(`    fault: ${fault.fault}`);
  for (const line of [result.detail ?? 'every test named passed'].flat()) console.log(`    ${line}`);
}

const caught = results.filter((result) => result.outcome === 'caught').length;
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n${results.length} faults: ${caught} caught, ${results.length - caught} not (${seconds} s)`);
if (keep) console.log(`scratch copy kept: ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });
process.exitCode = caught === results.length ? 0 : 1;
