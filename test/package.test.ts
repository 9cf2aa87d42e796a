// The package as users get it: `npm pack`, then `npm install -g` of the tarball gives working
// executables on PATH (the `files` and `bin` fields are right, the bundles run outside the repository).
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { npmEnv, ROOT } from './helpers.js';

const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-pack-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
/** The install prefix, once the first test has installed the tarball there. */
let setInstalled: (prefix: string) => void;
const installed = new Promise<string>((resolve) => (setInstalled = resolve));

test('npm pack, then npm install -g of the tarball: mul, add, sleep-task and timer work from PATH', {
  timeout: 180_000,
}, async () => {
  // dist/ is already built by `npm test`; the dependencies come from npm's cache, filled by the install.
  await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: ROOT, env: npmEnv() });
  const prefix = path.join(scratch, 'prefix');
  const tarball = path.join(scratch, `pipestage-${version}.tgz`);
  await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: scratch,
    env: npmEnv(),
  });
  setInstalled(prefix);
  const run = (command: string, input: string) =>
    execa('sh', ['-c', command], {
      input,
      cwd: scratch, // nothing of the repository is at hand
      env: { PATH: `${path.join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`, HOME: scratch },
      reject: false,
    });
  const pipeline = await run('mul | add', '11\n');
  assert.equal(pipeline.stdout, '796675481078400');
  assert.equal(pipeline.exitCode, 0);
  const timed = await run('timer --output /dev/null -- sleep-task --for 1ms | mul --repeat 1 --workers 2', '3\n4\n');
  assert.equal(timed.stdout, '6\n24');
  assert.equal(timed.stderr, '');
  const { stdout } = await run('for tool in mul add sleep-task timer; do command -v "$tool"; done', '');
  assert.deepEqual(
    stdout.split('\n'),
    ['mul', 'add', 'sleep-task', 'timer'].map((name) => path.join(prefix, 'bin', name)),
  );
  // package.json's man field: `man mul` and `man timer` find the pages under the prefix (MANPATH as a
  // user sets it), and timer's is the whole reference, --pipeline and timer report included.
  const manPath = path.join(prefix, 'share', 'man');
  const manual = await run(`MANPATH=${manPath} MANWIDTH=80 man mul | col -b`, '');
  assert.equal(manual.stderr, '');
  assert.match(manual.stdout, /^NAME\n\s+mul - the CPU-bound pipeline stage/m);
  const where = await run(`MANPATH=${manPath} man -w timer`, '');
  assert.equal(where.stderr, '');
  // (npm links share/man/man1/timer.1 to the package's page; man -w names the page itself)
  assert.equal(where.stdout, realpathSync(path.join(manPath, 'man1', 'timer.1')));
  assert.equal(
    where.stdout,
    realpathSync(path.join(prefix, 'lib', 'node_modules', 'pipestage', 'dist', 'man', 'timer.1')),
  );
  const timerManual = await run(`MANPATH=${manPath} MANWIDTH=80 man timer | col -b`, '');
  assert.equal(timerManual.stderr, '');
  assert.equal(timerManual.exitCode, 0);
  const headings = timerManual.stdout.split('\n').filter((line) => /^[A-Z][A-Z ]*$/.test(line));
  assert.deepEqual(headings, [
    'NAME',
    'SYNOPSIS',
    'DESCRIPTION',
    'OPTIONS',
    'REPORTS',
    'TERMINALS AND PIPES',
    'PIPELINES',
    'TRACES',
    'SHELL COMPLETION',
    'TIMER REPORT',
    'EXIT STATUS',
    'SIGNALS',
    'ENVIRONMENT',
    'FILES',
    'EXAMPLES',
    'SEE ALSO',
  ]);
  assert.match(timerManual.stdout, /^\s+timer --pipeline 'PIPELINE' \[options\]$/m);
  assert.match(timerManual.stdout, /^\s+timer report --joblog JOBLOG \[--width N\] \[--svg OUT\]$/m);
});

/** GNU parallel over a real ssh: an OpenSSH server on 127.0.0.1 with throwaway keys, stopped by its pid. */
const sshd = '/usr/sbin/sshd';
const sshSkip = !existsSync(sshd)
  ? 'sshd is not installed (apt-get install openssh-server; .ci/run installs it)'
  : (await execa('sh', ['-c', 'command -v parallel'], { reject: false })).exitCode !== 0
    ? 'GNU parallel is not installed'
    : process.getuid?.() !== 0
      ? 'sshd needs root here (its privilege-separation directory)'
      : false;

test('GNU parallel -S over a real OpenSSH server: the installed tools run remotely, output as the local pipeline, --joblog names both hosts', {
  skip: sshSkip,
  timeout: 180_000,
}, async () => {
  const prefix = await installed;
  const dir = path.join(scratch, 'ssh');
  mkdirSync(dir);
  for (const key of ['host_key', 'user_key'])
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
  copyFileSync(path.join(dir, 'user_key.pub'), path.join(dir, 'authorized_keys'));
  const port = 20_000 + (process.pid % 20_000);
  writeFileSync(
    path.join(dir, 'sshd_config'),
    `${[
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host_key`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      `PidFile ${dir}/sshd.pid`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
    ].join('\n')}\n`,
  );
  mkdirSync('/run/sshd', { recursive: true });
  await execa(sshd, ['-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')]);
  const pidFile = path.join(dir, 'sshd.pid');
  try {
    for (let waited = 0; !existsSync(pidFile) && waited < 5000; waited += 50) await delay(50);
    const ssh = `ssh -i ${dir}/user_key -p ${port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR`;
    const env = { PATH: `${path.join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`, HOME: scratch };
    const run = (command: string) => execa('sh', ['-c', command], { cwd: scratch, env, reject: false });
    const joblog = path.join(dir, 'joblog');
    const remote = await run(
      `seq 1 40 | parallel --env PATH --ssh '${ssh}' -S 1/127.0.0.1,1/localhost --joblog ${joblog} --pipe -k -N 10 mul --repeat 1000 | add --formula`,
    );
    // What `seq 1 40 | mul --repeat 1000 | add --formula` prints locally: n! then its triangle number.
    const factorial = (n: bigint): bigint => (n <= 1n ? 1n : n * factorial(n - 1n));
    const local = Array.from({ length: 40 }, (_, i) => factorial(BigInt(i + 1)))
      .map((f) => `${(f * (f + 1n)) / 2n}\n`)
      .join('');
    assert.equal(remote.exitCode, 0, remote.stderr);
    assert.ok(remote.stdout === local.trimEnd(), `remote output differs: ${remote.stderr}`);
    const jobs = readFileSync(joblog, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'));
    assert.equal(jobs.length, 4);
    assert.deepEqual([...new Set(jobs.map((job) => job[1]))].sort(), ['127.0.0.1', 'localhost']);
    assert.ok(
      jobs.every((job) => job[6] === '0' && job[7] === '0'),
      JSON.stringify(jobs),
    );
    // The joblog of an -S run as a Gantt chart: a row per host.
    const chart = await run(`timer report --joblog ${joblog} --width 60`);
    assert.equal(chart.exitCode, 0, chart.stderr);
    assert.match(chart.stdout, /^joblog: 4 jobs on 2 hosts, wall /);
    for (const host of ['127\\.0\\.0\\.1', 'localhost']) assert.match(chart.stdout, new RegExp(`^${host} +\\|`, 'm'));
    assert.match(chart.stdout, /^failed: 0 jobs$/m);
    // stdin reaches the remote tool byte for byte (CR, tabs, quotes), and its options intact.
    const input = 'it\'s "quoted"\r\n\ttab $HOME\n';
    const echoed = await execa(
      'sh',
      ['-c', `parallel --env PATH --ssh '${ssh}' -S 1/127.0.0.1 --pipe -k sleep-task --for 1ms --mode spin`],
      { cwd: scratch, env, input, reject: false, stripFinalNewline: false },
    );
    assert.equal(echoed.stdout, input);
  } finally {
    if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  }
});
