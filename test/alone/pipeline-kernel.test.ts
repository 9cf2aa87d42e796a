// timer --pipeline's CPU and I/O figures against the kernel's own accounting of every process, on the
// corpus (test/corpus.ts) and on pipelines whose processes nobody of them reaps (process substitutions
// under programs that never wait for them, a `>(…)` that outlives tee). The witness:
// test/witness/taskstats.py runs timer and listens to the kernel's taskstats exit records, one per
// thread of every process with its CPU to the ns (the scheduler's, not the 10 ms ticks timer reads in
// /proc/PID/stat), its process, its parent at exit and its rchar/wchar; a child subreaper, it is the
// parent of any process orphaned on the way. From those: each process's own CPU (its threads'), each
// subtree's, the pipeline's (every process under timer's shell, and every orphan). Held to, each run:
//   - every orphan that lived 200 ms (two of timer's samples) is a row of the report, marked as
//     nobody's to reap (`lost`): one that ended before any sample is not known (no subreaper in Node);
//   - the pipeline's CPU, each stage's (its process, all under it, its orphans) and each process row's
//     (its own, and that of those under it that are no row) within 5% or 20 ms of the kernel's, plus
//     what a process spends after its exit record (TEARDOWN_MS) above it;
//   - unattributed (the pipeline's CPU less its stages') between 0 and 20 ms or 2% (less 1 ms: the
//     pipeline's figure is whole ms);
//   - an ordinary program's bytes, where given, its subtree's rchar and wchar (the kernel's records
//     give each thread's rounded down to a KiB: that much above allowed; `?` allowed).
// PIPESTAGE_CORPUS_RUNS runs each (1 by default). Alone: timer's samples must come on time.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { corpus } from '../corpus.js';
import { ROOT, sh } from '../helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-kernel-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const WITNESS = path.join(ROOT, 'test', 'witness', 'taskstats.py');
const RUNS = Number(process.env['PIPESTAGE_CORPUS_RUNS'] ?? 1);
/**
 * What a process spends after the kernel's exit record, freeing its memory and files (its parent's
 * rusage has it, and so timer's figures): measured against wait4's rusage, 0.2-1.2 ms for seq and
 * gzip, 3-5 ms for python3 and node; 1.3 ms a process over GNU parallel's 33 (bash's `times` against
 * the records). Timer's figures may be that much above the records, a process; never below.
 */
const TEARDOWN_MS = 2;
/** An orphan living this long was seen by timer's samples (every 100 ms) at least once. */
const SEEN_MS = 200;
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const has = async (command: string): Promise<boolean> => (await sh(`command -v ${command}`)).exitCode === 0;

interface Row {
  pid: number;
  argv: string[];
  userMs: number;
  sysMs: number;
  lost: string | null;
}
interface Stage {
  command: string;
  pid: number;
  userMs: number | null;
  sysMs: number | null;
  traced: boolean;
  bytesIn: number | null;
  bytesOut: number | null;
  processes: Row[];
}
interface Thread {
  tid: number;
  pid: number;
  ppid: number;
  comm: string;
  cpuMs: number;
  lifeMs: number;
  rchar: number;
  wchar: number;
}
interface Process {
  parent: number;
  lifeMs: number;
  threads: number;
  cpuMs: number;
  rchar: number;
  wchar: number;
  children: number[];
}

const big = path.join(scratch, 'big.txt');
writeFileSync(
  big,
  Array.from({ length: 200_000 }, (_, index) => `line ${index} ${(index * 7919) % 100_003}`).join('\n'),
);
const PIPELINES = [
  ...corpus(scratch, { python: await has('python3'), parallel: await has('parallel') }).map(([text]) => text),
  // processes nobody of the pipeline reaps
  `paste <(seq 300000 | gzip -6 | gunzip) <(seq 300000) | tee >(gzip -9 > ${scratch}/a.gz) | wc -l`,
  `tee >(gzip -1 | wc -c > /dev/null) >(sha256sum > /dev/null) < ${big} | wc -l`,
  `cat <(python3 -c 'print(sum(range(3 * 10 ** 6)))'; seq 1000) | wc -l`,
  // (a Node program nobody reaps, its worker threads doing the work: its row is its own samples')
  `printf '11\\n%.0s' 1 2 3 4 5 6 | tee >(mul --repeat 4000000 --workers 2 > /dev/null) | wc -l`,
  `sort <(awk '{ s += $3 } END { print s }' ${big}) <(cut -d' ' -f3 ${big} | sort -n | tail -1) | cat`,
];

/** One run of PIPELINE under the witness: timer's report, the kernel's processes, the orphans. */
async function witnessed(pipeline: string) {
  const file = path.join(scratch, 'report.json');
  rmSync(file, { force: true });
  const result = await sh(`python3 ${WITNESS} timer --json --output ${file} --pipeline ${quote(pipeline)} >/dev/null`);
  assert.notEqual(result.exitCode, 77, result.stderr);
  const witness = JSON.parse(result.stderr.trim().split('\n').pop()!) as {
    witness: number;
    command: number;
    threads: Thread[];
  };
  const report = JSON.parse(readFileSync(file, 'utf8')) as { cpuMs: number; stages: Stage[] };
  const processes = new Map<number, Process>();
  for (const thread of witness.threads) {
    const proc = processes.get(thread.pid) ?? {
      parent: 0,
      lifeMs: 0,
      threads: 0,
      cpuMs: 0,
      rchar: 0,
      wchar: 0,
      children: [],
    };
    proc.threads += 1;
    proc.cpuMs += thread.cpuMs;
    proc.rchar += thread.rchar;
    proc.wchar += thread.wchar;
    if (thread.tid === thread.pid) Object.assign(proc, { parent: thread.ppid, lifeMs: thread.lifeMs });
    processes.set(thread.pid, proc);
  }
  for (const [pid, proc] of processes) processes.get(proc.parent)?.children.push(pid);
  // (the parent at exit: an orphan's is the witness, a process left a zombie is still its parent's)
  const orphans = [...processes.keys()].filter(
    (pid) => processes.get(pid)!.parent === witness.witness && pid !== witness.command,
  );
  // timer's shell: its child that started processes (`bash -n` first checks the text), else its last
  const shells = processes.get(witness.command)!.children;
  const shell = shells.find((pid) => processes.get(pid)!.children.length > 0) ?? Math.max(...shells);
  return { report, processes, orphans, shell };
}

for (const pipeline of PIPELINES)
  test(`the kernel's accounting: ${pipeline}`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const { report, processes, orphans, shell } = await witnessed(pipeline);
      const what = `${pipeline} (run ${run + 1})`;
      const subtree = (pid: number): number[] => [pid, ...(processes.get(pid)?.children ?? []).flatMap(subtree)];
      const sum = (pids: number[], field: 'threads' | 'cpuMs' | 'rchar' | 'wchar'): number =>
        pids.reduce((total, pid) => total + (processes.get(pid)?.[field] ?? 0), 0);
      // within 5% or 20 ms; above by up to TEARDOWN_MS a process more (not in the kernel's records)
      const near = (timer: number, pids: number[], name: string) => {
        const kernel = sum(pids, 'cpuMs');
        const tolerance = Math.max(20, 0.05 * kernel);
        assert.ok(
          timer >= kernel - tolerance && timer <= kernel + tolerance + TEARDOWN_MS * pids.length,
          `${what}: ${name}: ${timer.toFixed(1)} ms in timer's report, ${kernel.toFixed(1)} ms by the kernel's (${pids.length} processes)`,
        );
      };
      const rows = new Map(report.stages.flatMap((stage) => stage.processes.map((row) => [row.pid, row] as const)));
      for (const orphan of orphans.filter((pid) => processes.get(pid)!.lifeMs >= SEEN_MS))
        assert.ok(
          rows.get(orphan)?.lost,
          `${what}: ${orphan} (${JSON.stringify(processes.get(orphan))}) not a lost row`,
        );
      near(report.cpuMs, [...subtree(shell).slice(1), ...orphans.flatMap(subtree)], 'the pipeline');
      const stagesCpu = report.stages.reduce((total, stage) => total + (stage.userMs ?? 0) + (stage.sysMs ?? 0), 0);
      const unattributed = report.cpuMs - stagesCpu;
      assert.ok(
        unattributed >= -1 && unattributed <= Math.max(20, 0.02 * report.cpuMs),
        `${what}: unattributed ${unattributed.toFixed(1)} ms of ${report.cpuMs}`,
      );
      for (const stage of report.stages) {
        if (stage.userMs === null || stage.sysMs === null) continue;
        const own = stage.processes.filter((row) => orphans.includes(row.pid)).flatMap((row) => subtree(row.pid));
        const pids = [...(processes.has(stage.pid) ? subtree(stage.pid) : []), ...own];
        near(stage.userMs + stage.sysMs, pids, stage.command);
        if (!stage.traced)
          for (const [figure, field] of [
            [stage.bytesIn, 'rchar'],
            [stage.bytesOut, 'wchar'],
          ] as const)
            if (figure !== null) {
              // (the kernel sends each thread's rounded down to a KiB)
              const kernel = sum(pids, field);
              const within = figure >= kernel && figure < kernel + 1024 * sum(pids, 'threads');
              assert.ok(within, `${what}: ${stage.command}: ${field} ${figure} B, the kernel's ${kernel} B (KiB)`);
            }
        // each process row: its own CPU, and that of those under it that are no row
        const untaken = (pid: number): number[] => [
          pid,
          ...(processes.get(pid)?.children ?? []).filter((child) => !rows.has(child)).flatMap(untaken),
        ];
        for (const row of stage.processes)
          near(row.userMs + row.sysMs, untaken(row.pid), `${stage.command}: ${row.argv.join(' ')}`);
      }
    }
  });
