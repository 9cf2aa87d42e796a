// Every process of a pipeline that nobody of it reaps — a process substitution under a program that
// never waits for it, a `>(…)` that outlives tee — is in timer --pipeline's report, with its CPU
// within 5% or 20 ms of the kernel's accounting. The witness: timer runs under test/witness/subreaper.py,
// a child subreaper, so that each such process, orphaned, is reaped by it, and its rusage (its own CPU
// and its reaped children's, to the µs) is the reference. Alone: timer's samples must come on time.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT, sh } from '../helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-witness-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const WITNESS = path.join(ROOT, 'test', 'witness', 'subreaper.py');
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

interface Process {
  pid: number;
  parent: number;
  argv: string[];
  userMs: number;
  sysMs: number;
  lost: string | null;
}

/** One run of PIPELINE under the witness: timer's report, and what the witness reaped (pid → CPU ms). */
async function witnessed(
  pipeline: string,
): Promise<{ stages: { name: string; processes: Process[] }[]; reaped: Map<number, number> }> {
  const file = path.join(scratch, 'report.json');
  rmSync(file, { force: true });
  const timer = `timer --json --output ${file} --pipeline ${quote(pipeline)}`;
  const result = await sh(`python3 ${WITNESS} ${quote(timer)} >/dev/null`);
  const witness = JSON.parse(result.stderr.trim().split('\n').pop()!) as {
    reaped: { pid: number; userMs: number; sysMs: number }[];
  };
  const report = JSON.parse(readFileSync(file, 'utf8')) as { stages: { name: string; processes: Process[] }[] };
  return { stages: report.stages, reaped: new Map(witness.reaped.map((r) => [r.pid, r.userMs + r.sysMs])) };
}

const big = path.join(scratch, 'big.txt');
writeFileSync(
  big,
  Array.from({ length: 200_000 }, (_, index) => `line ${index} ${(index * 7919) % 100_003}`).join('\n'),
);

/** Each entry: the pipeline, and how many processes nobody of it reaps (each reaped by the witness). */
const CORPUS: [string, number][] = [
  [`paste <(seq 300000 | gzip -6 | gunzip) <(seq 300000) | tee >(gzip -9 > ${scratch}/a.gz) | wc -l`, 3],
  [`tee >(gzip -1 | wc -c > /dev/null) >(sha256sum > /dev/null) < ${big} | wc -l`, 2],
  [`cat <(python3 -c 'print(sum(range(3 * 10 ** 6)))'; seq 1000) | wc -l`, 1],
  [`sort <(awk '{ s += $3 } END { print s }' ${big}) <(cut -d' ' -f3 ${big} | sort -n | tail -1) | cat`, 2],
];

for (const [pipeline, count] of CORPUS)
  test(`every process nobody reaps, its CPU the kernel's: ${pipeline}`, async () => {
    for (let run = 0; run < 3; run++) {
      const { stages, reaped } = await witnessed(pipeline);
      const processes = stages.flatMap((stage) => stage.processes);
      const byPid = new Map(processes.map((proc) => [proc.pid, proc]));
      const roots = processes.filter((proc) => proc.lost !== null && !byPid.get(proc.parent)?.lost);
      // (the witness reaped timer itself too, and the roots: every other it reaped is one of them)
      assert.equal(roots.length, count, `run ${run}: ${roots.map((proc) => proc.argv.join(' ') || proc.pid)}`);
      assert.equal(reaped.size, count + 1, `run ${run}: the witness reaped ${[...reaped.keys()]}`);
      // each stage's CPU takes in those of its processes nobody reaps (on top of what the shell reaped)
      for (const stage of stages) {
        const lost = stage.processes.filter((proc) => proc.lost !== null);
        const rows = lost.reduce((sum, proc) => sum + proc.userMs + proc.sysMs, 0);
        const { userMs, sysMs } = stage as unknown as { userMs: number; sysMs: number };
        assert.ok(
          rows <= userMs + sysMs + 1,
          `run ${run}: ${stage.name}: lost processes ${rows} ms, the stage ${userMs + sysMs} ms`,
        );
      }
      for (const root of roots) {
        // timer's rows for the process and those under it: their own CPU adds up to its whole
        const under = (proc: Process): boolean => {
          for (let at: Process | undefined = proc; at; at = byPid.get(at.parent)) if (at === root) return true;
          return false;
        };
        const timerMs = processes.filter(under).reduce((sum, proc) => sum + proc.userMs + proc.sysMs, 0);
        const kernelMs = reaped.get(root.pid);
        assert.ok(kernelMs !== undefined, `run ${run}: ${root.pid} (${root.argv.join(' ')}) not reaped by the witness`);
        const tolerance = Math.max(20, 0.05 * kernelMs);
        assert.ok(
          Math.abs(timerMs - kernelMs) <= tolerance,
          `run ${run}: ${root.argv.join(' ') || '(subshell)'}: ${timerMs.toFixed(1)} ms in timer's report, ${kernelMs.toFixed(1)} ms by the kernel's`,
        );
      }
    }
  });
