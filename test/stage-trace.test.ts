// Stages trace themselves (--trace FILE, $PIPESTAGE_TRACE): traces written by the real executables,
// parsed and checked — lanes, no overlap within a lane, item counts, line numbers, start-up apart.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sh } from './helpers.js';
import { converse } from './states.js';
import { openTraceFile, parseTraceEvents, TIMER_LANE, type TraceEvent } from '../src/trace/trace-file.js';
import { Readable, Writable } from 'node:stream';
import { runStage } from '../src/stage/run-stage.js';
import { numberStage } from '../src/stage/number-stage.js';
import { StageTracer } from '../src/trace/stage-tracer.js';
import { readStageTraces } from '../src/trace/read-stage-traces.js';
import { readTrace } from '../src/trace/read-trace.js';
import { SpanMerger, type ItemSpan } from '../src/trace/spans.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-stage-trace-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let traces = 0;
const traceFile = (): string => path.join(scratch, `t${++traces}.json`);

interface Process {
  name: string;
  startTicks: number;
  lanes: Map<number, string>;
  states: TraceEvent[];
  items: TraceEvent[];
}

/** The processes of a trace file, by pid: names, lanes, state spans and item spans. */
function read(file: string): Map<number, Process> {
  const { events, cut } = parseTraceEvents(readFileSync(file, 'utf8'));
  assert.equal(cut, false);
  const processes = new Map<number, Process>();
  const of = (pid: number): Process => {
    let found = processes.get(pid);
    if (!found) processes.set(pid, (found = { name: '', startTicks: 0, lanes: new Map(), states: [], items: [] }));
    return found;
  };
  for (const event of events) {
    const p = of(event.pid!);
    if (event.name === 'process_name') {
      p.name = event.args!.name!;
      p.startTicks = event.args!.startTicks!;
    } else if (event.name === 'thread_name') p.lanes.set(event.tid!, event.args!.name!);
    else if (event.cat === 'state') p.states.push(event);
    else if (event.cat === 'item') p.items.push(event);
  }
  return processes;
}

const byName = (processes: Map<number, Process>, name: string): Process => {
  const found = [...processes.values()].find((p) => p.name === name);
  assert.ok(found, `no process named ${name}`);
  return found;
};

/** Checks what every self-traced stage must satisfy; returns its item count. */
function checkStage(p: Process): number {
  assert.equal(p.lanes.get(0), 'main');
  assert.ok(p.startTicks > 0);
  for (const state of p.states) {
    assert.equal(state.tid, 0);
    assert.ok(['start-up', 'waiting for input', 'blocked on output', 'working'].includes(state.name!), state.name);
  }
  // States follow each other without overlap, from start-up on.
  const states = [...p.states].sort((a, b) => a.ts! - b.ts!);
  assert.equal(states[0]!.name, 'start-up');
  for (let i = 1; i < states.length; i++)
    assert.ok(states[i]!.ts! >= states[i - 1]!.ts! + states[i - 1]!.dur!, 'states overlap');
  const startupEnd = states[0]!.ts! + states[0]!.dur!;
  // Items on lanes 1..N (each named), never overlapping within a lane, never before start-up ended.
  const lanes = new Map<number, TraceEvent[]>();
  for (const item of p.items) {
    assert.ok(item.tid! >= 1 && item.tid !== TIMER_LANE, `item on lane ${item.tid}`);
    assert.ok(p.lanes.has(item.tid!), `lane ${item.tid} has no name`);
    assert.ok(item.ts! >= startupEnd, 'an item span holds start-up');
    lanes.set(item.tid!, [...(lanes.get(item.tid!) ?? []), item]);
  }
  for (const [lane, spans] of lanes) {
    spans.sort((a, b) => a.ts! - b.ts!);
    for (let i = 1; i < spans.length; i++)
      assert.ok(spans[i]!.ts! >= spans[i - 1]!.ts! + spans[i - 1]!.dur!, `lane ${lane}: spans overlap`);
  }
  return p.items.reduce((sum, item) => sum + ((item.args?.items as number | undefined) ?? 1), 0);
}

/** Every event of the file is on a line of its own, as JSON.stringify writes it (the stages write the frequent ones as text). */
function assertCanonical(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n').slice(1, -1);
  assert.ok(lines.length > 0);
  for (const line of lines) assert.equal(line, `${JSON.stringify(JSON.parse(line.slice(0, -1)))},`);
}

test('PIPESTAGE_TRACE traces a whole pipeline: each stage its states and one item per line, in order, on lane 1', async () => {
  const file = traceFile();
  const { stdout, stderr } = await sh(
    `export PIPESTAGE_TRACE=${file}; seq 30 | mul -r 20000 | add --formula | tail -n 1`,
  );
  assert.equal(stderr, '');
  let f = 1n;
  for (let i = 2n; i <= 30n; i++) f *= i;
  assert.equal(stdout, `${(f * (f + 1n)) / 2n}\n`);
  const processes = read(file);
  assertCanonical(file);
  assert.deepEqual([...processes.values()].map((p) => p.name).sort(), ['add', 'mul']);
  for (const name of ['mul', 'add']) {
    const p = byName(processes, name);
    assert.equal(checkStage(p), 30, name);
    assert.deepEqual(
      [...p.lanes],
      [
        [0, 'main'],
        [1, 'items'],
      ],
    );
    // Lines in order, each once (a merged span counts its items from its first line).
    let next = 1;
    for (const item of [...p.items].sort((a, b) => a.ts! - b.ts!)) {
      assert.equal(item.args!['line'], next, name);
      next += (item.args!['items'] as number | undefined) ?? 1;
    }
  }
});

test('sleep-task --concurrency: one lane per slot, each line on the slot it held, its own line number (also --unordered)', async () => {
  const file = traceFile();
  const input = 'a 400ms\nb 20ms\nc 20ms\nd 150ms\n';
  const { stdout } = await sh(`sleep-task --from-input --concurrency 2 --unordered --trace ${file}`, input);
  assert.equal(stdout, 'b 20ms\nc 20ms\nd 150ms\na 400ms\n');
  const p = byName(read(file), 'sleep-task');
  assert.equal(checkStage(p), 4);
  assert.deepEqual([...p.lanes.values()].sort(), ['main', 'slot 1', 'slot 2']);
  const ms = new Map(p.items.map((item) => [item.args!['line'], item.dur! / 1000]));
  for (const [line, wanted] of [
    [1, 400],
    [2, 20],
    [3, 20],
    [4, 150],
  ] as const) {
    assert.ok(ms.get(line)! >= wanted - 2 && ms.get(line)! < wanted + 150, `line ${line}: ${ms.get(line)} ms`);
  }
  // Line 1 holds its slot the whole time; the other three take turns on the other one.
  const lanes = new Map(p.items.map((item) => [item.args!['line'], item.tid]));
  assert.equal(new Set([lanes.get(2), lanes.get(3), lanes.get(4)]).size, 1);
  assert.notEqual(lanes.get(1), lanes.get(2));
});

test('sleep-task --concurrency 3: two lines starting together take two free lanes, never one lane twice', async () => {
  // Lines come as the test writes them: b ends (its result is read), then c and d come together, and
  // start together beside a: each must hold a lane of its own (a freed lane handed out twice would
  // put c and d on one lane, overlapping).
  const file = traceFile();
  const stage = converse(`sleep-task --from-input --concurrency 3 --unordered --trace ${file}`);
  try {
    stage.write('a 600ms\nb 10ms\n');
    await stage.output('b 10ms\n');
    stage.write('c 200ms\nd 200ms\n');
    stage.end();
    const { stdout, exitCode } = await stage.ended;
    assert.equal(exitCode, 0);
    assert.deepEqual(stdout.split('\n').sort(), ['', 'a 600ms', 'b 10ms', 'c 200ms', 'd 200ms']);
  } finally {
    stage.kill();
  }
  const p = byName(read(file), 'sleep-task');
  assert.equal(checkStage(p), 4);
  const lane = new Map(p.items.map((item) => [item.args!['line'], item.tid]));
  assert.notEqual(lane.get(3), lane.get(4), 'c and d, in flight together, on one lane');
  assert.equal(new Set([lane.get(1), lane.get(3), lane.get(4)]).size, 3, 'a lane shared by lines in flight together');
  assert.deepEqual([...p.lanes.values()].sort(), ['main', 'slot 1', 'slot 2', 'slot 3']);
});

test('--workers: each line on the lane of the thread that computed it, with the time measured there', async () => {
  const file = traceFile();
  const { stdout } = await sh(`yes 11 | head -n 6 | mul -r 3000000 --workers 2 --trace ${file} | uniq -c`);
  assert.equal(stdout.trim(), '6 39916800');
  const p = byName(read(file), 'mul');
  assert.equal(checkStage(p), 6);
  const names = [...p.lanes].filter(([lane]) => lane > 0).map(([, name]) => name);
  assert.ok(names.length >= 1 && names.length <= 2 && names.every((name) => /^worker [12]$/.test(name)), names.join());
  assert.deepEqual(p.items.map((item) => item.args!['line']).sort(), [1, 2, 3, 4, 5, 6]);
  assert.ok(
    p.items.every((item) => item.dur! > 1000),
    'a 3M-repeat line took under 1 ms',
  );
});

test('cheap lines are merged: add --formula over 200,000 lines gives a small trace that still counts every line', async () => {
  const file = traceFile();
  await sh(`seq 200000 | add --formula --trace ${file} >/dev/null`);
  const p = byName(read(file), 'add');
  assert.equal(checkStage(p), 200_000);
  assert.ok(p.items.length < 5000, `${p.items.length} spans`);
  assert.ok(statSync(file).size < 500_000, `${statSync(file).size} bytes`);
});

test("file operands: item spans name their file; a timer around a traced stage writes on its own lane, and timer report uses the stage's spans", async () => {
  // (a name JSON must escape: quotes, a backslash, a tab, a no-break space)
  const a = path.join(scratch, 'a "b" \\\t\u00a0.txt');
  writeFileSync(a, '3\n4\n');
  const file = traceFile();
  const { stdout, stderr } = await sh(`timer --trace ${file} --label m -- mul -r 1 --trace ${file} '${a}' -`, '5\n');
  assert.equal(stdout, '6\n24\n120\n');
  assert.match(stderr, /^timer: m: 1 line in, 3 out,/);
  assertCanonical(file);
  const p = [...read(file).values()][0]!;
  assert.equal(p.lanes.get(TIMER_LANE), 'timer');
  // (lines of one file may share a merged span; lines of two files never do)
  const own = p.items.filter((item) => item.tid !== TIMER_LANE).sort((x, y) => x.ts! - y.ts!);
  const lines = own.flatMap((item) =>
    Array.from(
      { length: (item.args!['items'] as number | undefined) ?? 1 },
      (_, k) => `${item.args!['file']}:${(item.args!['line'] as number) + k}`,
    ),
  );
  assert.deepEqual(lines, [`${a}:1`, `${a}:2`, '-:1']);
  const report = await sh(`timer report ${file} --width 60`);
  assert.match(report.stdout, /^m +3 /m);
});

test('a trace file of an earlier run: the stage says so once, does not trace, leaves it untouched, and computes as usual', async () => {
  const file = traceFile();
  const old = '[\n{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"mul","startTicks":1}},\n';
  writeFileSync(file, old);
  const { stdout, stderr, exitCode } = await sh(`seq 3 | PIPESTAGE_TRACE=${file} mul -r 1`);
  assert.equal(stdout, '1\n2\n6\n');
  assert.equal(stderr, `mul: ${file}: trace of an earlier run; remove it; not tracing\n`);
  assert.equal(exitCode, 0);
  assert.equal(readFileSync(file, 'utf8'), old);
  const missing = await sh(`echo 3 | mul -r 1 --trace ${scratch}/no/such/dir/t.json`);
  assert.equal(missing.stdout, '6\n');
  assert.equal(missing.stderr, `mul: ${scratch}/no/such/dir/t.json: No such file or directory; not tracing\n`);
});

test('a traced stage writes how it ended: its exit status, the lines it answered, its CPU time and peak memory', async () => {
  const file = traceFile();
  const { stdout, exitCode } = await sh(`printf '3\\nx\\n4\\n' | mul -r 1 --trace ${file}`);
  assert.equal(stdout, '6\n24\n');
  assert.equal(exitCode, 1);
  const { events } = parseTraceEvents(readFileSync(file, 'utf8'));
  const exits = events.filter((event) => event.cat === 'exit');
  assert.equal(exits.length, 1);
  const { args, ph, tid } = exits[0]!;
  assert.equal(ph, 'i');
  assert.equal(tid, 0);
  assert.equal(args!['status'], 1);
  assert.equal(args!['lines'], 2);
  assert.ok((args!['userMs'] as number) + (args!['sysMs'] as number) > 0);
  assert.ok((args!['peakRssBytes'] as number) > 10 * 1048576);
  assert.equal(args!['bytesIn'], 6);
  assert.equal(args!['bytesOut'], 5);
});

test('a traced stage counts the bytes it read from every input: files, stdin between them, a last line without newline', async () => {
  const a = path.join(scratch, 'bytes-a.txt');
  const b = path.join(scratch, 'bytes-b.txt');
  writeFileSync(a, '1\n2\n');
  writeFileSync(b, '30\n40');
  const file = traceFile();
  const { stdout } = await sh(`add --trace ${file} ${a} - ${b}`, '500\n');
  assert.equal(stdout, '1\n3\n125250\n465\n820\n');
  const exit = parseTraceEvents(readFileSync(file, 'utf8')).events.find((event) => event.cat === 'exit')!;
  assert.equal(exit.args!['bytesIn'], 4 + 4 + 5);
  assert.equal(exit.args!['lines'], 5);
});

test('a running stage appends its spans at least once a second: a stage killed by a signal leaves a trace of what it did', async () => {
  const file = traceFile();
  // (64 KB of events would take minutes here: only the once-a-second append can put items in the file)
  const { stdout } = await sh(
    `yes 11 | mul -r 3000001 --trace ${file} >/dev/null & p=$!; ` +
      `until grep -qs '"cat":"item"' ${file}; do sleep 0.05; done; kill -TERM $p; wait $p; echo "status=$?"`,
  );
  assert.equal(stdout, 'status=143\n');
  const { events, cut } = parseTraceEvents(readFileSync(file, 'utf8'));
  assert.equal(cut, false);
  assert.ok(events.some((event) => event.cat === 'item'));
  assert.ok(!events.some((event) => event.cat === 'exit'), 'a killed stage cannot say how it ended');
});

test('turning input into lines is the stage working, not waiting for input: all input at hand, almost no wait is traced', async () => {
  // The engine itself (runStage), fed 1M lines (7 MB, in chunks of 64 KiB as reads give them) that
  // are all in memory from the start: nothing is ever waited for. Each chunk is decoded and split
  // into lines by the streams between turns of the read loop; that time was traced as `waiting for
  // input`, and is the stage's work.
  const file = traceFile();
  const tracer = new StageTracer(openTraceFile(file), 'add', () => 'items');
  let text = '';
  for (let n = 1; n <= 1_000_000; n++) text += `${n}\n`;
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = []; // as reads of a file or pipe give them
  for (let start = 0; start < bytes.length; start += 65_536) chunks.push(bytes.subarray(start, start + 65_536));
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const status = await runStage(
    'add',
    numberStage((n) => n),
    { time: false, trace: tracer },
    { stdin: Readable.from(chunks), stdout: discard, stderr: discard },
  );
  assert.equal(status, 0);
  const states = readStageTraces(readFileSync(file, 'utf8'), performance.timeOrigin).get(process.pid)!.states;
  const total = (state: string): number =>
    states.filter((span) => span.state === state).reduce((sum, span) => sum + span.endMs - span.startMs, 0);
  assert.ok(
    total('waiting for input') < 0.1 * total('working'),
    `waiting for input ${total('waiting for input').toFixed(1)} ms, working ${total('working').toFixed(1)} ms`,
  );
});

test('the span merger: per lane, items ending within the threshold of the open span join it; a new file or lane opens its own', () => {
  const written: [number, ItemSpan][] = [];
  const named: number[] = [];
  const merger = new SpanMerger(
    5,
    (lane, span) => written.push([lane, { ...span }]),
    (lane) => named.push(lane),
  );
  merger.add(1, 1, undefined, 0, 2); // opens lane 1
  merger.add(1, 2, undefined, 2, 4.9); // ends 4.9 after the span's start: joins
  merger.add(2, 9, undefined, 1, 3); // lane 2, its own span
  merger.add(1, 3, undefined, 4.9, 5); // ends 5 after: a span of its own
  merger.add(1, 4, 'b.txt', 5, 6); // another file: a span of its own
  merger.flush();
  merger.add(2, 10, undefined, 7, 8); // after a flush: the lane is not new
  merger.flush();
  assert.deepEqual(named, [1, 2]);
  assert.deepEqual(written, [
    [1, { startMs: 0, endMs: 4.9, line: 1, count: 2, file: undefined }],
    [1, { startMs: 4.9, endMs: 5, line: 3, count: 1, file: undefined }],
    [1, { startMs: 5, endMs: 6, line: 4, count: 1, file: 'b.txt' }],
    [2, { startMs: 1, endMs: 3, line: 9, count: 1, file: undefined }],
    [2, { startMs: 7, endMs: 8, line: 10, count: 1, file: undefined }],
  ]);
});

test("a trace of 0.1.0 before lanes is read as today's layout: tid 1 a lane of its own, no args.item, no lane no event", () => {
  const old =
    '[\n{"name":"process_name","ph":"M","pid":7,"tid":1,"args":{"name":"produce"}},\n' +
    '{"name":"produce","cat":"item","ph":"X","ts":10,"dur":5,"pid":7,"tid":1,"args":{"item":1}},\n' +
    '{"name":"produce","ph":"X","ts":15,"dur":5,"pid":7,"args":{"item":2}},\n';
  const [stage] = readTrace(old).stages;
  assert.equal(stage!.name, 'produce');
  assert.deepEqual(stage!.itemSpans, [{ lane: 'lane 1', line: undefined, items: 1, start: 10, end: 15 }]);
});

test('a trace file is born holding its `[`: writers starting at once all land in one readable trace (5 rounds of 8)', async () => {
  for (let round = 0; round < 5; round++) {
    const file = traceFile();
    const { exitCode } = await sh(
      `for i in 1 2 3 4 5 6 7 8; do echo $i | add --formula --trace ${file} >/dev/null & done; wait`,
    );
    assert.equal(exitCode, 0);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith('[\n'), `round ${round}: ${JSON.stringify(text.slice(0, 40))}`);
    const pids = new Set(parseTraceEvents(text).events.map((event) => event.pid));
    assert.equal(pids.size, 8, `round ${round}: ${pids.size} writers in the trace`);
  }
  // An empty file (the user's `touch`) is a new trace: the first writer puts its `[` first.
  const empty = traceFile();
  writeFileSync(empty, '');
  closeSync(openTraceFile(empty));
  assert.equal(readFileSync(empty, 'utf8'), '[\n');
  assert.deepEqual(
    readdirSync(scratch).filter((name) => name.endsWith('.new')),
    [],
  );
});
