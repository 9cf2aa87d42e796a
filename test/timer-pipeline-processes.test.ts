// timer --pipeline down to the process: a stage's programs as sub-rows with their own CPU, a process
// substitution named as typed with its processes under it, the bottleneck named down to the process,
// `>(…)` waited for, `&` jobs left running.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { profile, sh } from './helpers.js';

const hasParallel = (await sh('command -v parallel')).exitCode === 0;

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-processes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a `>(…)` that outlives the shell is waited for: its file is whole when timer ends', async () => {
  const file = path.join(scratch, 'count');
  // the process substitution ends well after tee and the shell (bash does not wait for it)
  const { report } = await profile(`seq 1000 | tee >(exec > /dev/null 2>&1; sleep 0.4; wc -l > ${file}) > /dev/null`);
  assert.equal(readFileSync(file, 'utf8'), '1000\n');
  assert.ok(report.wallMs >= 400, `the pipeline lasts as long as its process substitution: ${report.wallMs} ms`);
  // waited for, it is not left running: tee's row has ended, with its status — samples 1 s apart too,
  // none of them after the shell's end
  // (a review's case: gzip ends about as the shell does; 3 of 4 runs showed tee running before)
  for (let run = 0; run < 3; run++) {
    const gzip = await profile(`seq 1 300000 | tee >(gzip -6 > ${file}.gz) | wc -l`, '--interval 1000');
    const tee = gzip.report.stages.find((stage) => stage.command.startsWith('tee '))!;
    assert.deepEqual([tee.running, tee.status], [false, 0], JSON.stringify(tee));
  }
});

test('an `&` job still running when the shell ends is left running, its row marked running', async () => {
  const { report } = await profile('sleep 30 >/dev/null 2>&1 & seq 3 | wc -l');
  const job = report.stages.find(
    (stage) => stage.command === 'sleep 30 >/dev/null 2>&1',
  ) as (typeof report.stages)[number] & {
    running: boolean;
    processes: { pid: number }[];
  };
  assert.equal(job.running, true);
  const pid = job.processes[0]!.pid;
  assert.ok(alive(pid), 'the job is still running after timer ended');
  process.kill(pid, 'SIGTERM');
  assert.deepEqual(
    report.stages.map((stage) => [stage.command, stage.status]),
    [
      ['sleep 30 >/dev/null 2>&1', null],
      ['seq 3', 0],
      ['wc -l', 0],
    ],
  );
});

test('the report: a sub-row per program of a subshell adding up to it, the bottleneck named in it', async () => {
  const pipeline = 'seq 400000 | (grep -v 99 | gzip -7) | wc -c';
  const { stderr, exitCode } = await sh(`timer --pipeline ${quote(pipeline)} >/dev/null`);
  assert.equal(exitCode, 0, stderr);
  const lines = stderr.split('\n');
  // (the stage's name is cut to fit 80 columns where its figures are wide: ~104ms, ~989µs)
  for (const name of ['(grep -v 99 | gzip', '  grep -v 99 ', '  gzip -7 '])
    assert.ok(
      lines.some((line) => line.startsWith(name)),
      `a row ${JSON.stringify(name)} in\n${stderr}`,
    );
  // named down to gzip, with its share of the stage's CPU; the shares after it the stage's (lines joined)
  const bottleneck = /^bottleneck: .*(\n {2}.*)*/m.exec(stderr)![0].replace(/\n {2}/g, ' ');
  assert.match(
    bottleneck,
    /^bottleneck: gzip -7 in \(grep -v 99 \| gzip -7\) \(\d+% of the stage's CPU\) — the stage working \d+% of its wall/,
  );
  // the sub-rows' CPU adds up to the stage's (to the rounding of each figure)
  const ms = (text: string): number => {
    const match = /^[≈~]?([\d.]+)(µs|ms|s)$/.exec(text)!;
    return Number(match[1]) * { µs: 0.001, ms: 1, s: 1000 }[match[2] as 'ms'];
  };
  const cpu = (line: string): number => {
    const fields = line.trim().split(/\s{2,}/);
    // user and sys: after status (stage rows) and wall
    return fields
      .slice(-5)
      .filter((field) => /^[≈~]?[\d.]+(µs|ms|s)$/.test(field))
      .slice(-2)
      .reduce((sum, field) => sum + ms(field), 0);
  };
  const stage = lines.findIndex((line) => line.startsWith('(grep -v 99 | gzip'));
  const subs: string[] = [];
  for (let index = stage + 1; lines[index]?.startsWith('  '); index++) subs.push(lines[index]!);
  const sum = subs.reduce((total, line) => total + cpu(line), 0);
  // (more only where the processes' own figures, to the ns, pass the shell's for the stage, in 10 ms ticks
  // of user and of sys: the stage's is then the lower, by less than a tick each)
  const total = cpu(lines[stage]!);
  assert.ok(sum >= total - 2 && sum <= total + 20, `sub-rows ${sum} ms, the stage ${total} ms:\n${stderr}`);
});

test('a process substitution is a sub-row as typed, its processes under it', async () => {
  const { stderr, exitCode } = await sh(
    `seq 3 | timer --pipeline ${quote('cat <(sleep 0.3; seq 3) - | wc -l')} >/dev/null`,
  );
  assert.equal(exitCode, 0, stderr);
  const lines = stderr.split('\n');
  const at = lines.findIndex((line) => line.startsWith('  <(sleep 0.3; seq 3) '));
  assert.ok(at > 0, stderr);
  assert.match(lines[at + 1]!, /^ {4}sleep 0\.3 /, stderr);
});

test('a pipestage stage as a `>(…)` (tee >(mul)) is a process of its stage: its trace gives no row its lines, bytes or states', async () => {
  const text = "printf '11\\n%.0s' 1 2 3 4 5 6 | tee >(mul --repeat 4000000 --workers 2 > /dev/null) | wc -l";
  for (let run = 0; run < 3; run++) {
    const { report, stdout } = await profile(text);
    assert.equal(stdout, '6\n');
    const what = JSON.stringify(report.stages.map((s) => [s.command, s.pid, s.wallMs, s.workingMs, s.lines]));
    assert.deepEqual(
      report.stages.map((stage) => stage.command),
      ["printf '11\\n%.0s' 1 2 3 4 5 6", 'tee >(mul --repeat 4000000 --workers 2 > /dev/null)', 'wc -l'],
    );
    // (mul's own trace counts 6 lines, 18 B read: no stage here runs mul as its program)
    for (const stage of report.stages) {
      assert.equal(stage.lines, null, what);
      assert.ok(stage.workingMs <= (stage.wallMs ?? 0) + 1, what);
    }
    // mul's CPU (its workers' too) is the tee stage's, under its >( ) row
    const tee = report.stages[1]!;
    assert.ok(tee.userMs! + tee.sysMs! >= 100, what);
  }
});

test("a process of the same process group that is not the pipeline's is never taken for one of its own", async () => {
  const json = path.join(scratch, 'report.json');
  const file = path.join(scratch, 'other');
  // started before timer, in its process group, a process that starts after the pipeline's shell and
  // outlives it: not the pipeline's (its environment says so), never waited for
  const other = `(sleep 0.2; sleep 5 & echo $! > ${file}; wait) >/dev/null 2>&1 &`;
  const pipeline = `sleep 0.5; seq 3 | tee >(cat > ${path.join(scratch, 'copy')}) > /dev/null`;
  const { exitCode, stderr } = await sh(`${other} timer --pipeline ${quote(pipeline)} --json --output ${json}`);
  assert.equal(exitCode, 0, stderr);
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    wallMs: number;
    stages: { processes: { argv: string[] }[] }[];
  };
  const sleep = Number(readFileSync(file, 'utf8'));
  const sleeps = report.stages.flatMap((stage) => stage.processes).filter((proc) => proc.argv.join(' ') === 'sleep 5');
  assert.deepEqual(sleeps, []);
  assert.ok(report.wallMs < 4000, `timer waited for it: ${report.wallMs} ms`);
  process.kill(sleep, 'SIGTERM');
});

test("an & job still running takes nothing of the shell's last figures and is no bottleneck; shares within walls", async () => {
  const { report } = await profile('sleep 5 >/dev/null 2>&1 & seq 300000 | gzip -1 | wc -c');
  const stages = report.stages as unknown as {
    command: string;
    bytesIn: number | null;
    bytesOut: number | null;
    wallMs: number | null;
    processes: { pid: number; argv: string[] }[];
  }[];
  for (const stage of stages) {
    for (const bytes of [stage.bytesIn, stage.bytesOut])
      assert.ok(bytes === null || bytes >= 0, `${stage.command}: ${bytes}`);
    const profiled = report.stages.find((other) => other.command === stage.command)!;
    const states =
      profiled.workingMs +
      profiled.waitingForCpuMs +
      profiled.waitingForInputMs +
      profiled.blockedOnOutputMs +
      profiled.otherWaitMs +
      profiled.startupMs;
    if (stage.wallMs !== null)
      assert.ok(states <= stage.wallMs + 1, `${stage.command}: states ${states} ms, wall ${stage.wallMs} ms`);
    assert.ok(
      stage.wallMs === null || stage.wallMs <= report.wallMs + 1,
      `${stage.command}: ${stage.wallMs} ms in ${report.wallMs} ms`,
    );
  }
  assert.doesNotMatch(report.bottleneckLine, /^bottleneck: sleep/);
  for (const proc of stages.flatMap((stage) => stage.processes))
    if (proc.argv.join(' ') === 'sleep 5') process.kill(proc.pid, 'SIGTERM');
});

test('a program that starts processes (GNU parallel): each of them seen, from its first', {
  skip: !hasParallel && 'GNU parallel is not installed',
}, async () => {
  const { report } = await profile("seq 4 | parallel -j2 'sleep 0.3; echo {}' | cat");
  const processes = (report.stages as unknown as { processes: { argv: string[] }[] }[]).flatMap(
    (stage) => stage.processes,
  );
  assert.equal(
    processes.filter((proc) => proc.argv.join(' ') === 'sleep 0.3').length,
    4,
    JSON.stringify(processes.map((proc) => proc.argv)),
  );
});

test('a pipeline typed over several lines: each row on one line, its line breaks shown as ⏎', async () => {
  const { stderr, exitCode } = await sh(
    `timer --pipeline ${quote("seq 3 | awk '{ s += $1 }\nEND { print s }'")} >/dev/null`,
  );
  assert.equal(exitCode, 0, stderr);
  const lines = stderr.split('\n');
  assert.ok(
    lines.some((line) => line.startsWith("awk '{ s += $1 }⏎END")),
    stderr,
  );
  assert.ok(!lines.some((line) => line.startsWith('END')), stderr);
});

test('a `>( )` that works on after its stage ended is the bottleneck, said as one (not "none, the pipeline waited")', async () => {
  const file = path.join(scratch, 'side');
  const { report } = await profile(`seq 8 | tee >(mul --repeat 30000000 > ${file}) | add`, '</dev/null');
  assert.equal(readFileSync(file, 'utf8'), (await sh('seq 8 | mul --repeat 30000000')).stdout);
  const tee = report.stages[1]!;
  type Proc = { lost: string | null; startMs: number; wallMs: number; userMs: number; sysMs: number };
  const mul = (tee as unknown as { processes: Proc[] }).processes.find((p) => p.lost === 'process substitution')!;
  const pct = (ms: number): string => `${Math.round((100 * ms) / report.wallMs)}%`;
  // (the pipeline's wall is its active time: nothing stopped; tee seen by no sample ends where it began)
  const teeEnd = tee.startMs + (tee.wallMs ?? 0);
  const ranOnMs = mul.startMs + mul.wallMs - teeEnd;
  const busy = tee.workingMs + tee.waitingForCpuMs + tee.otherWaitMs;
  const typed = `>(mul --repeat 30000000 > ${file})`;
  if (ranOnMs > 0 && mul.userMs + mul.sysMs > busy)
    assert.equal(
      report.bottleneckLine,
      `bottleneck: ${typed} in tee — a process substitution that ran on after tee ended: ` +
        `${pct(ranOnMs)} of the pipeline's wall, its CPU ${pct(mul.userMs + mul.sysMs)}`,
    );
  // (on a loaded machine tee may live as long as it, busy all along: the >( ) is named inside its stage)
  else assert.ok(report.bottleneckLine.startsWith(`bottleneck: ${typed} in tee (`), report.bottleneckLine);
  assert.equal(report.suggestion, null);
});
