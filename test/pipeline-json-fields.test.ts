// The `timer --pipeline --json` document has exactly the fields docs/formats.md lists, both ways (no
// undocumented field, none documented and missing), each of the type its description gives, on a real
// run: the run's fields, the prediction's, each stage's, a timeline segment's and an item span's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { profile, ROOT, sh } from './helpers.js';

/** JSON types as `typeOf` names them; `null` where the docs say a field may be unknown. */
type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
const typeOf = (value: unknown): Kind =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as Kind);

// The types, as formats.md describes each field ("null where unknown", "null, or {…}"). The keys must
// equal the documented fields (checked below), so a field added to the docs needs its type here.
const RUN: Record<string, Kind[]> = {
  pipestageProfile: ['number'],
  pipeline: ['string'],
  shell: ['string'],
  exitCode: ['number', 'null'],
  signal: ['string', 'null'],
  wallMs: ['number'],
  cpuMs: ['number', 'null'],
  userMs: ['number', 'null'],
  sysMs: ['number', 'null'],
  timerStartupCpuMs: ['number'],
  timerCpuMs: ['number'],
  timerReportCpuMs: ['number'],
  cores: ['number'],
  coresBusyElsewhere: ['number', 'null'],
  parallelism: ['number', 'null'],
  unattributedCpuMs: ['number', 'null'],
  stoppedMs: ['number'],
  sampleIntervalMs: ['number'],
  stateUnknownReason: ['string', 'null'],
  bottleneck: ['string', 'null'],
  bottleneckLine: ['string'],
  prediction: ['object', 'null'],
  suggestion: ['object', 'null'],
  whatIf: ['object', 'null'],
  verify: ['object', 'null'],
  stages: ['array'],
  runs: ['object', 'null'],
};
const VERIFY: Record<string, Kind[]> = {
  verified: ['boolean'],
  ratio: ['number', 'null'],
  ratioRange: ['array', 'null'],
  predictedRatio: ['number', 'null'],
  wallMs: ['number', 'null'],
  line: ['string'],
};
const RUNS: Record<string, Kind[]> = {
  asked: ['number'],
  warmup: ['number'],
  count: ['number'],
  reported: ['number'],
  wallMs: ['array'],
  cpuMs: ['array', 'null'],
  stages: ['array'],
  bottleneck: ['object'],
  each: ['array'],
};
const PREDICTION: Record<string, Kind[]> = {
  wallMs: ['number'],
  change: ['string'],
  kind: ['string'],
  coresFull: ['boolean'],
  coresBound: ['boolean'],
  perLine: ['object', 'null'],
  reason: ['string', 'null'],
  lines: ['array'],
  workerCost: ['object', 'null'],
};
const SUGGESTION: Record<string, Kind[]> = {
  pipeline: ['string', 'null'],
  words: ['string', 'null'],
  change: ['string'],
  predictedMs: ['number'],
  nowMs: ['number'],
};
const WHAT_IF: Record<string, Kind[]> = {
  stage: ['string'],
  cpuShare: ['array'],
  wallMs: ['array'],
  nowMs: ['number'],
};
const STATE_MS = ['working', 'waitingForCpu', 'waitingForInput', 'blockedOnOutput', 'otherWait', 'startup', 'stopped'];
const STAGE: Record<string, Kind[]> = {
  command: ['string'],
  name: ['string'],
  pid: ['number'],
  stdin: ['string', 'null'],
  stdout: ['string', 'null'],
  running: ['boolean'],
  status: ['number', 'null'],
  startMs: ['number'],
  wallMs: ['number', 'null'],
  userMs: ['number', 'null'],
  sysMs: ['number', 'null'],
  peakRssBytes: ['number', 'null'],
  bytesIn: ['number', 'null'],
  bytesOut: ['number', 'null'],
  lines: ['number', 'null'],
  ...Object.fromEntries([...STATE_MS, 'unknown'].map((state) => [`${state}Ms`, ['number'] as Kind[]])),
  traced: ['boolean'],
  cpuSampled: ['boolean'],
  cpuShared: ['boolean'],
  processes: ['array'],
  timeline: ['array'],
  items: ['array', 'null'],
};
const PROCESS: Record<string, Kind[]> = {
  pid: ['number'],
  parent: ['number'],
  argv: ['array'],
  startMs: ['number'],
  wallMs: ['number'],
  running: ['boolean'],
  userMs: ['number'],
  sysMs: ['number'],
  sampled: ['boolean'],
  lost: ['string', 'null'],
};
const SEGMENT: Record<string, Kind[]> = { startMs: ['number'], endMs: ['number'], state: ['string'] };
const SPAN: Record<string, Kind[]> = {
  lane: ['string'],
  line: ['number', 'null'],
  items: ['number'],
  startMs: ['number'],
  endMs: ['number'],
};

/** The section of docs/formats.md on `timer --pipeline --json`, cut into its two tables and its prose. */
function documented() {
  const text = readFileSync(path.join(ROOT, 'docs', 'formats.md'), 'utf8');
  const [section, several] = text
    .split('\n## timer --pipeline --json\n')[1]!
    .split('\n## ')[0]!
    .split('\n### Several pipelines\n');
  const [runPart, stagePart] = section!.split('\nEach stage:\n');
  const rows = (part: string): string[] => part.split('\n').filter((line) => /^\| `/.test(line));
  // A row's first cell names one field or several (`` `exitCode`, `signal` ``).
  const names = (part: string): string[] =>
    rows(part).flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
  /** The quoted names of the `{"a", "b"}` in the row documenting `field`. */
  const nested = (part: string, field: string): string[] => {
    const row = rows(part).find((line) => line.split('|')[1]!.includes(`\`${field}\``));
    const braces = /\{("[^}]*")\}/.exec(row?.split('|').slice(2).join('|') ?? '');
    return braces ? [...braces[1]!.matchAll(/"([^"]+)"/g)].map((match) => match[1]!) : [];
  };
  // The states paragraph: "The states: `working` (on a CPU), `waiting for a CPU` …".
  const statesParagraph = /\nThe states: ([\s\S]*?)\. How each/.exec(stagePart!)?.[1] ?? '';
  return {
    run: names(runPart!),
    prediction: nested(runPart!, 'prediction'),
    suggestion: nested(runPart!, 'suggestion'),
    whatIf: nested(runPart!, 'whatIf'),
    verify: nested(runPart!, 'verify'),
    runs: nested(runPart!, 'runs'),
    comparison: names(several ?? ''),
    comparisonStage: nested(several ?? '', 'stages'),
    stage: names(stagePart!),
    segment: nested(stagePart!, 'timeline'),
    process: nested(stagePart!, 'processes'),
    span: nested(stagePart!, 'items'),
    states: [...statesParagraph.matchAll(/`([a-zA-Z -]+)`/g)].map((match) => match[1]!), // not `/proc`
  };
}

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

/** Mismatches of one object against its documented fields and their types. */
function fieldProblems(where: string, object: object, fields: Record<string, Kind[]>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(object)) if (!(key in fields)) problems.push(`${where}: undocumented field ${key}`);
  for (const [key, kinds] of Object.entries(fields)) {
    if (!(key in object)) problems.push(`${where}: documented field ${key} missing`);
    else {
      const kind = typeOf((object as Record<string, unknown>)[key]);
      if (!kinds.includes(kind)) problems.push(`${where}: ${key} is ${kind}, documented as ${kinds.join(' or ')}`);
    }
  }
  return problems;
}

test("the type tables here are formats.md's field lists (a field documented needs a type)", () => {
  const docs = documented();
  assert.deepEqual(sorted(docs.run), sorted(Object.keys(RUN)));
  assert.deepEqual(sorted(docs.prediction), sorted(Object.keys(PREDICTION)));
  assert.deepEqual(sorted(docs.suggestion), sorted(Object.keys(SUGGESTION)));
  assert.deepEqual(sorted(docs.whatIf), sorted(Object.keys(WHAT_IF)));
  assert.deepEqual(sorted(docs.verify), sorted(Object.keys(VERIFY)));
  assert.deepEqual(sorted(docs.runs), sorted(Object.keys(RUNS)));
  assert.deepEqual(sorted(docs.stage), sorted(Object.keys(STAGE)));
  assert.deepEqual(sorted(docs.segment), sorted(Object.keys(SEGMENT)));
  assert.deepEqual(sorted(docs.process), sorted(Object.keys(PROCESS)));
  assert.deepEqual(sorted(docs.span), sorted(Object.keys(SPAN)));
  assert.equal(docs.states.length, 8, `the states paragraph: ${docs.states}`);
});

test('timer --pipeline --json on a real run: exactly the documented fields, each of its type', async () => {
  // A traced stage (sleep-task: items, start-up) busy enough for a bottleneck and a suggestion, and an
  // untraced one (cat: items null).
  // Two runs, and the suggestion verified: the runs' fields and verify's too.
  const { report, exitCode } = await profile('seq 8 | sleep-task --for 100ms | cat', '--runs 2 --verify </dev/null');
  assert.equal(exitCode, 0);
  const document = report as unknown as Record<string, unknown>;
  const stages = document['stages'] as Record<string, unknown>[];
  const problems = fieldProblems('run', document, RUN);
  assert.ok(document['prediction'], 'a prediction, to check its fields');
  problems.push(...fieldProblems('prediction', document['prediction'] as object, PREDICTION));
  // (8 waits of 100 ms, two at a time: half the wall, beyond any spread of two runs)
  assert.ok(document['suggestion'], `a suggestion, to check its fields: ${report.prediction?.lines.join(' / ')}`);
  problems.push(...fieldProblems('suggestion', document['suggestion'] as object, SUGGESTION));
  problems.push(...fieldProblems('verify', document['verify'] as object, VERIFY));
  const runs = document['runs'] as Record<string, unknown>;
  problems.push(...fieldProblems('runs', runs, RUNS));
  // each run's own document: the run's fields, its runs null
  for (const each of runs['each'] as Record<string, unknown>[]) {
    problems.push(...fieldProblems('a run of runs.each', each, RUN));
    if (each['runs'] !== null) problems.push('a run of runs.each: runs not null');
  }
  const states = new Set(documented().states);
  for (const stage of stages) {
    const where = `stage ${stage['name']}`;
    problems.push(...fieldProblems(where, stage, STAGE));
    for (const segment of stage['timeline'] as Record<string, unknown>[]) {
      problems.push(...fieldProblems(`${where} timeline`, segment, SEGMENT));
      if (!states.has(segment['state'] as string)) problems.push(`${where}: undocumented state ${segment['state']}`);
    }
    for (const process of stage['processes'] as object[])
      problems.push(...fieldProblems(`${where} processes`, process, PROCESS));
    for (const span of (stage['items'] as object[] | null) ?? [])
      problems.push(...fieldProblems(`${where} items`, span, SPAN));
  }
  assert.deepEqual(problems, []);
  // Each kind of object was seen at least once, so none of the checks above ran on nothing.
  const traced = stages.find((stage) => stage['name'] === 'sleep-task');
  const cat = stages.find((stage) => stage['name'] === 'cat');
  assert.ok(traced?.['traced'] === true && (traced['items'] as object[]).length > 0, 'traced, with item spans');
  assert.ok(cat?.['traced'] === false && cat['items'] === null, 'cat not traced: items null');
  assert.ok((traced['timeline'] as object[]).length > 0);
  assert.ok((cat['processes'] as object[]).length > 0, 'a process of cat');
});

test('a what-if (a busiest stage with no option): whatIf has exactly the documented fields, each of its type', async () => {
  const { report } = await profile('seq 1 300000 | gzip -9 | wc -c', '</dev/null');
  const document = report as unknown as Record<string, unknown>;
  assert.ok(document['whatIf'], `a what-if, to check its fields: ${report.prediction?.lines.join(' / ')}`);
  assert.deepEqual(fieldProblems('whatIf', document['whatIf'] as object, WHAT_IF), []);
  assert.equal(document['suggestion'], null);
});

test("others' use of the cores: unknown (null, not said) on a run too short to tell, a figure on a long one", async () => {
  // /proc/stat counts each core's busy time in 10 ms ticks: over a run of a few ms, a busy loop beside
  // it came out as 0 or a whole core ("other processes kept 1.0 busy" on an 8 ms run)
  const loop = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  try {
    for (let run = 0; run < 3; run++) {
      const { report } = await profile('true');
      assert.equal(report.coresBusyElsewhere, null, `run ${run}: wall ${report.wallMs} ms`);
      const text = await sh(`timer --pipeline true 2>&1`);
      assert.match(text.stdout, /^parallelism /m);
      assert.doesNotMatch(text.stdout, /other processes kept/);
    }
    const { report } = await profile('sleep 0.5');
    assert.equal(typeof report.coresBusyElsewhere, 'number', `wall ${report.wallMs} ms`);
  } finally {
    loop.kill('SIGKILL');
  }
});

test('several pipelines, --json: a comparison document with exactly the documented fields, a profile each', async () => {
  const docs = documented();
  const file = path.join(ROOT, `.compare-${process.pid}.json`);
  try {
    const result = await sh(
      `timer --pipeline 'seq 3 | cat' --pipeline 'seq 3 | cat -n' --json --output ${file} </dev/null`,
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(document), ['pipestageComparison', 'comparison', 'profiles']);
    const comparison = document['comparison'] as Record<string, unknown>;
    assert.deepEqual(sorted(Object.keys(comparison)), sorted(docs.comparison));
    const stages = comparison['stages'] as Record<string, unknown>[];
    assert.ok(stages.length > 0);
    for (const stage of stages) assert.deepEqual(sorted(Object.keys(stage)), sorted(docs.comparisonStage));
    const profiles = document['profiles'] as Record<string, unknown>[];
    assert.equal(profiles.length, 2);
    for (const profile of profiles) assert.deepEqual(fieldProblems('a profile', profile, RUN), []);
  } finally {
    rmSync(file, { force: true });
  }
});
