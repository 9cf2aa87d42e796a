// Several --pipeline options through the real executable: each pipeline profiled, run in turn, on the
// same input; then compared, faster by how much over the runs and stage by stage; --json, --svg and
// --export-markdown each say so for several.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { type Profile, sh } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-compare-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface ComparisonDocument {
  pipestageComparison: number;
  comparison: {
    pipelines: string[];
    runs: number;
    wallMs: number[];
    wallRanges: ([number, number] | null)[];
    fastest: number;
    ratios: { faster: number; slower: number; ratio: number; range: [number, number] | null }[];
    stages: {
      names: (string | null)[];
      wallMs: (number | null)[];
      cpuMs: (number | null)[];
      state: { name: string; shares: (number | null)[] } | null;
      lanes: (number | null)[];
    }[];
  };
  profiles: Profile[];
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

test('two pipelines, --runs 3: run in turn on the same input, the faster by the runs paired (a witness of each wall)', async () => {
  const log = path.join(scratch, 'stamps');
  const input = path.join(scratch, 'input');
  writeFileSync(input, '1\n2\n3\n4\n5\n6\n');
  // each run stamps which pipeline it is, its start and its end
  const stamp = (name: string, body: string): string =>
    `echo ${name} $(date +%s%N) >> ${log}; ${body}; echo ${name} $(date +%s%N) >> ${log}`;
  const a = stamp('A', 'sleep-task --for 60ms | cat');
  const b = stamp('B', 'sleep-task --for 60ms --concurrency 3 | cat');
  const file = path.join(scratch, 'compare.json');
  const result = await sh(
    `timer --pipeline ${quote(a)} --pipeline ${quote(b)} --runs 3 --json --output ${file} < ${input}`,
  );
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, '1\n2\n3\n4\n5\n6\n'.repeat(6), 'each run read the whole input');
  const stamps = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  assert.deepEqual(
    stamps.map(([name]) => name),
    ['A', 'A', 'B', 'B', 'A', 'A', 'B', 'B', 'A', 'A', 'B', 'B'],
    'run in turn',
  );
  const walls = [0, 1, 2, 3, 4, 5].map((run) => (Number(stamps[2 * run + 1]![1]) - Number(stamps[2 * run]![1])) / 1e6);
  const document = JSON.parse(readFileSync(file, 'utf8')) as ComparisonDocument;
  assert.equal(document.pipestageComparison, 1);
  const { comparison, profiles } = document;
  assert.deepEqual(comparison.pipelines, [a, b]);
  assert.deepEqual([comparison.runs, profiles.length], [3, 2]);
  profiles.forEach((profile, index) => {
    assert.equal(profile.pipeline, [a, b][index]);
    assert.equal(profile.runs!.count, 3);
  });
  // B (three at once) is the faster; its ratio is the median of the runs paired, its range theirs
  assert.equal(comparison.fastest, 1);
  assert.equal(comparison.ratios.length, 1);
  const [ratio] = comparison.ratios;
  assert.deepEqual([ratio!.faster, ratio!.slower], [1, 0]);
  const paired = [0, 1, 2].map((run) => {
    const [one, two] = profiles.map((profile) => profile.runs!.each[run]!);
    return (one!.wallMs - one!.stoppedMs) / (two!.wallMs - two!.stoppedMs);
  });
  // (the walls in the document rounded to the µs)
  assert.ok(Math.abs(ratio!.ratio - median(paired)) < 1e-4 * ratio!.ratio, `${ratio!.ratio} against ${paired}`);
  const near = (x: number, y: number): boolean => Math.abs(x - y) < 1e-4 * y;
  assert.ok(near(ratio!.range![0], Math.min(...paired)) && near(ratio!.range![1], Math.max(...paired)));
  // each run's wall holds the witness's (its stamps are inside it), and little more: bash's start, date's
  // (up to 150 ms under the suite's load; A's runs and B's differ by about 240 ms, so none is taken for another)
  for (const run of [0, 1, 2])
    profiles.forEach((profile, index) => {
      const ours = profile.runs!.each[run]!.wallMs - profile.runs!.each[run]!.stoppedMs;
      const theirs = walls[2 * run + index]!;
      assert.ok(
        theirs <= ours && ours <= theirs + 150,
        `run ${run + 1} of ${'AB'[index]}: ${ours} ms, stamps ${theirs} ms`,
      );
    });
  // stage by stage: sleep-task matched though its text changed, its lanes 1 → 3
  const sleepTask = comparison.stages.find((stage) => stage.names[0] === 'sleep-task')!;
  assert.deepEqual(sleepTask.names, ['sleep-task', 'sleep-task']);
  assert.deepEqual(sleepTask.lanes, [1, 3]);
  const wallOf = (profile: Profile): number => {
    const stage = profile.stages.find((one) => one.name === 'sleep-task')!;
    return stage.wallMs - stage.stoppedMs;
  };
  sleepTask.wallMs.forEach((wall, index) => assert.ok(Math.abs(wall! - wallOf(profiles[index]!)) < 0.002));
});

test('two pipelines in the text report, --svg and --export-markdown: each profile, then the comparison', async () => {
  const svg = path.join(scratch, 'compare.svg');
  const markdown = path.join(scratch, 'compare.md');
  const a = 'seq 8 | sleep-task --for 50ms | cat';
  const b = 'seq 8 | sleep-task --for 50ms --concurrency 2 | cat';
  const result = await sh(
    `timer --pipeline ${quote(a)} --pipeline ${quote(b)} --runs 2 --svg ${svg} --export-markdown ${markdown} </dev/null`,
  );
  assert.equal(result.exitCode, 0, result.stderr);
  const reports = result.stderr.split(/^timer: pipeline: /m).slice(1);
  assert.equal(reports.length, 2, 'a report per pipeline');
  assert.match(result.stderr, /^comparison: 2 pipelines, 2 runs of each paired, run in turn$/m);
  assert.match(result.stderr, /^A: seq 8 \| sleep-task --for 50ms \| cat — wall \S+ \(\S+–\S+\)$/m);
  // (B waits two lines at once; under the suite's load two runs may still show A the faster)
  const faster = /^[AB]: (\d+\.\d\d)(?: \((\d+\.\d\d)–(\d+\.\d\d)\))? times (faster than|as fast as) [AB]$/m.exec(
    result.stderr,
  );
  assert.ok(faster, result.stderr);
  assert.match(result.stderr, /^sleep-task: wall \S+ → \S+, CPU \S+ → \S+, lanes 1 → 2; /m);
  // the picture: a panel per pipeline, named A and B, then the comparison
  const picture = readFileSync(svg, 'utf8');
  assert.equal(picture.match(/<svg /g)!.length, 3);
  assert.match(picture, /<text[^>]*>A: seq 8 \| sleep-task --for 50ms \| cat<\/text>/);
  assert.match(picture, /<text[^>]*>B: seq 8 \| sleep-task --for 50ms --concurrency 2 \| cat<\/text>/);
  assert.ok(picture.includes(faster[0]!), `the picture holds ${faster[0]}`);
  // Markdown: hyperfine's columns, the pipelines as code with their | escaped; the faster 1.00
  const table = readFileSync(markdown, 'utf8').split('\n');
  assert.equal(table[0], '| Pipeline | Wall [ms] | Min [ms] | Max [ms] | Relative |');
  assert.match(
    table[2]!,
    /^\| A: `seq 8 \\\| sleep-task --for 50ms \\\| cat` \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+\.\d\d/,
  );
  assert.match(
    table[3]!,
    /^\| B: `seq 8 \\\| sleep-task --for 50ms --concurrency 2 \\\| cat` \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+\.\d\d/,
  );
  // the faster (as the report named it) is 1.00; the other, the report's ratio
  const [fastRow, slowRow] = faster[0]!.startsWith('B') ? [table[3]!, table[2]!] : [table[2]!, table[3]!];
  assert.match(fastRow, /\| 1\.00 \|$/);
  assert.ok(slowRow.endsWith(`| ${faster[0]!.slice(3).split(' times')[0]} |`), `${slowRow} against ${faster[0]}`);
  assert.ok(table.includes('| Stage | Wall A [ms] | Wall B [ms] | CPU A [ms] | CPU B [ms] | Changed most |'));
  assert.ok(table.some((line) => line.startsWith('| sleep-task | ')));
});

test('several pipelines: stdin a pipe is refused, nothing run; --trace and --verify are for one', async () => {
  const marker = path.join(scratch, 'ran');
  const piped = await sh(`seq 3 | timer --pipeline 'cat > ${marker}' --pipeline 'cat -n'`);
  assert.equal(piped.exitCode, 125);
  assert.equal(
    piped.stderr,
    'timer: --pipeline given 2 times runs each on the same input, and its input comes from a pipe, which ' +
      'cannot be read twice: give it as a file (< FILE), or </dev/null if the pipeline reads none\n',
  );
  for (const option of ['--trace t.json', '--verify']) {
    const usage = await sh(`timer --pipeline true --pipeline false ${option}`);
    assert.equal(usage.exitCode, 2);
    assert.match(
      usage.stderr,
      new RegExp(`^timer: ${option.split(' ')[0]} is for one --pipeline \\(it was given 2\\)$`, 'm'),
    );
  }
  assert.equal((await sh(`timer --export-markdown ${marker} -- true`)).exitCode, 2);
});

test('a pipeline whose runs fail is said to, beside its ratio, and timer’s status is the failure’s', async () => {
  const result = await sh("timer --pipeline 'seq 3 | grep -q 9' --pipeline 'seq 3 | cat' --runs 2 </dev/null");
  assert.equal(result.exitCode, 1, 'the last run succeeded; the first that failed gives the status');
  assert.match(result.stderr, /^A: seq 3 \| grep -q 9 — wall \S+ \(\S+–\S+\); exit status 1 in 2 of its runs$/m);
  assert.match(result.stderr, /\(but A failed: not the same work\)$/m);
});
