// Hardening with data: bad and edge data, huge lines, byte-exact pass-through, property tests and
// fuzzing, and a cross-check against the Python reference (the family's usage errors, faults,
// signals and memory: hardening.test.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { ROOT, sh, shBytes } from './helpers.js';

// The random and table tests below draw their samples first and run each command once over all of them, one
// file operand per sample (messages name FILE:N): a process per command, not one per sample.
const samples = mkdtempSync(path.join(tmpdir(), 'pipestage-samples-'));
after(() => rmSync(samples, { recursive: true, force: true }));
const seed = Date.now() % 1_000_000;
/** Writes each sample to its own file; returns the files, in order. */
const sampleFiles = (prefix: string, contents: Uint8Array[]): string[] =>
  contents.map((bytes, index) => {
    const file = path.join(samples, `${prefix}-${index}`);
    writeFileSync(file, bytes);
    return file;
  });

/** Bad lines for mul and add: each must be reported by number while the lines around it are answered. */
const BAD_NUMBERS: [what: string, line: string | Buffer, message: RegExp][] = [
  ['letters', 'abc', /invalid number 'abc'/],
  ['a sign', '-5', /invalid number '-5'/],
  ['a plus sign', '+5', /invalid number '\+5'/],
  ['a float', '1.5', /invalid number '1\.5'/],
  ['an exponent', '1e3', /invalid number '1e3'/],
  ['hex', '0x1F', /invalid number '0x1F'/],
  ['a NUL byte', '1\0', /invalid number '1\\x00'/],
  ['invalid UTF-8', Buffer.from([0x31, 0xff, 0xfe]), /invalid number '1\\xFF\\xFE'/],
  ['a lone CR inside', '1\r2', /invalid number '1\\x0D2'/],
  ['two numbers', '1 2', /invalid number '1 2'/],
  ['a control character', '\x1b[31m', /invalid number '\\x1B\[31m'/],
];

for (const name of ['mul', 'add']) {
  test(`${name}: bad data — every case reported as '${name}: FILE:2: …', exit 1, the valid lines still answered in order`, async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ...BAD_NUMBERS,
      name === 'mul'
        ? ['past the limit', '100001', /100001 exceeds the limit 100000/]
        : ['past the loop limit', '134217728', /134217728 exceeds the loop limit 134217727; use --formula/],
    ];
    // One run over every case, each a file of its own: `2`, the bad line, `3`.
    const files = sampleFiles(
      `bad-${name}`,
      cases.map(([, line]) => Buffer.concat([Buffer.from('2\n'), Buffer.from(line), Buffer.from('\n3\n')])),
    );
    const { stdout, stderr, exitCode } = await shBytes(`${name} --repeat 1 ${files.join(' ')}`);
    assert.equal(stdout.toString(), (name === 'mul' ? '2\n6\n' : '3\n6\n').repeat(cases.length));
    assert.equal(exitCode, 1);
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, cases.length, stderr);
    for (const [index, [what, , message]] of cases.entries()) {
      assert.ok(lines[index]!.startsWith(`${name}: ${files[index]}:2: `), `${what}: ${lines[index]}`);
      assert.match(lines[index]!, message, what);
    }
  });

  // (the engine's own test feeds a 100 MiB line and checks that memory stays flat)
  test(`${name}: an 8 MiB line with no newline: one message, exit 1, the lines before it answered`, async () => {
    const { stdout, stderr } = await sh(
      `{ printf '2\\n\\n3\\n'; head -c 8388608 /dev/zero | tr '\\0' 1; } | ${name} --repeat 1; echo "status=$?"`,
    );
    assert.equal(stdout, name === 'mul' ? '2\n6\nstatus=1\n' : '3\n6\nstatus=1\n');
    assert.equal(stderr, `${name}: line 4: line too long (more than 1048576 bytes)\n`);
  });

  test(`${name}: valid edge data — blank lines, empty input, no final newline, CRLF — exit 0`, async () => {
    const expect = (n: number): string => (name === 'mul' ? [1, 1, 2, 6, 24][n] : [0, 1, 3, 6, 10][n])!.toString();
    const cases = [
      ['empty input', '', ''],
      ['only blank lines', '\n\n \t\n\r\n', ''],
      ['blank lines between', '1\n\n2\n \n3\n', `${expect(1)}\n${expect(2)}\n${expect(3)}\n`],
      ['no final newline', '3\n4', `${expect(3)}\n${expect(4)}\n`],
      ['CRLF', '3\r\n4\r\n', `${expect(3)}\n${expect(4)}\n`],
      ['spaces and tabs', ' \t4\t ', `${expect(4)}\n`],
      ['leading zeros', '0003', `${expect(3)}\n`],
    ] as const;
    // Each case a file of its own, one run over all of them; then the last ones once more on stdin.
    const files = sampleFiles(
      `edge-${name}`,
      cases.map(([, input]) => Buffer.from(input)),
    );
    const all = await sh(`${name} --repeat 1 ${files.join(' ')}`);
    assert.equal(all.stdout, cases.map(([, , output]) => output).join(''));
    assert.equal(all.stderr, '');
    assert.equal(all.exitCode, 0);
    const piped = await sh(`${name} --repeat 1`, '\r\n \t4\t \n0003');
    assert.equal(piped.stdout, `${expect(4)}\n${expect(3)}\n`);
    assert.equal(piped.exitCode, 0);
  });
}

test('sleep-task --from-input: bad steps and durations, reported by line, the valid lines passed on', async () => {
  const bad: [string, RegExp][] = [
    ['x soon', /invalid duration 'soon'/],
    ['x -1s', /invalid duration '-1s' \(negative\)/],
    ['x 2d', /invalid duration '2d' \(more than 1 day\)/],
    ['x wait:', /invalid duration ''/],
    ['x nap:1s', /invalid step 'nap:1s'/],
    ['5', /invalid duration '5' \(a unit is required/],
    ['', /no step/],
    ['x 1ms 2', /invalid duration '2'/],
  ];
  const files = sampleFiles(
    'steps',
    bad.map(([line]) => Buffer.from(`a 1ms\n${line}\nb 1ms\n`)),
  );
  const { stdout, stderr, exitCode } = await sh(`sleep-task --from-input ${files.join(' ')}`);
  assert.equal(stdout, 'a 1ms\nb 1ms\n'.repeat(bad.length));
  assert.equal(exitCode, 1);
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, bad.length, stderr);
  for (const [index, [line, message]] of bad.entries()) {
    assert.match(lines[index]!, new RegExp(`^sleep-task: ${files[index]}:2: ${message.source}`), line);
  }
});

test('sleep-task --for and timer -- cat pass every byte through unchanged, whatever it is', async () => {
  const inputs = fc.sample(fc.uint8Array({ maxLength: 3000 }), { numRuns: 15, seed });
  const files = sampleFiles('bytes', inputs);
  const all = Buffer.concat(inputs);
  for (const command of ['sleep-task --for 0ms --concurrency 3', 'timer --output /dev/null -- cat']) {
    const { stdout, exitCode } = await shBytes(`${command} ${files.join(' ')}`);
    assert.equal(exitCode, 0, command);
    assert.ok(stdout.equals(all), `${command}: bytes differ (seed ${seed})`);
  }
});

/** A line the number grammar accepts, decorated, with its value. */
const validLine = (max: number) =>
  fc
    .record({
      n: fc.integer({ min: 0, max }),
      before: fc.constantFrom('', ' ', '\t', ' \t'),
      after: fc.constantFrom('', ' ', '\t'),
      cr: fc.boolean(),
      zeros: fc.constantFrom('', '0', '00'),
    })
    .map(({ n, before, after, cr, zeros }) => ({
      valid: true as const,
      n,
      text: `${before}${zeros}${n}${after}${cr ? '\r' : ''}`,
    }));

/** A line it refuses: a known bad form, or a random string that is neither blank nor digits. */
const invalidLine = fc
  .oneof(
    fc.constantFrom('abc', '-1', '+2', '1.5', '1e3', '0x10', '1 2', '1\r2', '\0', '١٢'),
    fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/^[ \t]*[0-9]*[ \t]*\r?$/.test(s) && !s.includes('\n')),
  )
  .map((text) => ({ valid: false as const, n: 0, text }));

const factorial = (n: number): bigint => {
  let p = 1n;
  for (let i = 2n; i <= BigInt(n); i++) p *= i;
  return p;
};

for (const [name, command, max, reference] of [
  ['mul', 'mul --repeat 1', 60, (n: number) => factorial(n)],
  ['add', 'add --repeat 2', 5000, (n: number) => (BigInt(n) * BigInt(n + 1)) / 2n],
  ['add --formula', 'add --formula', 2 ** 40, (n: number) => (BigInt(n) * BigInt(n + 1)) / 2n],
] as const) {
  test(`${name}: random mixes of valid and invalid lines give exactly the reference results, in order (property)`, async () => {
    const cases = fc.sample(
      fc.array(fc.oneof({ weight: 3, arbitrary: validLine(max) }, { weight: 1, arbitrary: invalidLine }), {
        maxLength: 40,
      }),
      { numRuns: 25, seed },
    );
    const files = sampleFiles(
      name.replace(/\W/g, '_'),
      cases.map((lines) =>
        Buffer.from(lines.map((line) => line.text).join('\n') + (lines.length > 0 ? '\n' : ''), 'utf8'),
      ),
    );
    const { stdout, stderr, exitCode } = await shBytes(`${command} ${files.join(' ')}`);
    const expected = cases
      .flatMap((lines) => lines.filter((line) => line.valid).map((line) => `${reference(line.n)}\n`))
      .join('');
    assert.equal(stdout.toString(), expected, `seed ${seed}`);
    const invalidAt = cases.flatMap((lines, file) =>
      lines.flatMap((line, index) => (line.valid ? [] : [`${files[file]}:${index + 1}`])),
    );
    assert.equal(exitCode, invalidAt.length > 0 ? 1 : 0);
    const reported =
      stderr === ''
        ? []
        : stderr
            .trimEnd()
            .split('\n')
            .map((line) => /^(?:add|mul): (.+:\d+): /.exec(line)?.[1]);
    assert.deepEqual(reported, invalidAt, `seed ${seed}`);
  });
}

test('random bytes never produce a stack trace or a hang (fuzzing every stage)', async () => {
  const commands = ['mul --repeat 1', 'add', 'add --formula', 'sleep-task --from-input', 'mul --repeat 1 --workers 2'];
  for (const [index, command] of commands.entries()) {
    const files = sampleFiles(
      `fuzz-${index}`,
      fc.sample(fc.uint8Array({ maxLength: 2000 }), { numRuns: 8, seed: seed + index }),
    );
    const { stderr, exitCode } = await shBytes(`${command} ${files.join(' ')}`);
    assert.ok(exitCode === 0 || exitCode === 1, `${command}: exit ${exitCode} (seed ${seed + index})`);
    assert.doesNotMatch(stderr, /\n\s+at |internal error|Error:/, command);
    const name = command.split(' ')[0]!;
    for (const line of stderr.split('\n').filter(Boolean))
      assert.match(line, new RegExp(`^${name}: ${samples}/fuzz-${index}-\\d+:\\d+: `), command);
  }
});

// A copy of the team's ../shared/reference/components.py, kept in the repository so that CI's clean
// clone runs the cross-check too; where the team's copy is at hand, the two must not have drifted.
const REFERENCE = `${ROOT}/test/reference/components.py`;
const SHARED_REFERENCE = `${ROOT}/../shared/reference/components.py`;
test('mul and add agree with the Python reference (components.py) on n = 0..30', async () => {
  if (existsSync(SHARED_REFERENCE))
    assert.equal(
      readFileSync(REFERENCE, 'utf8'),
      readFileSync(SHARED_REFERENCE, 'utf8'),
      'test/reference/components.py differs from ../shared',
    );
  const input = `${Array.from({ length: 31 }, (_, n) => n).join('\n')}\n`;
  for (const stage of ['mul', 'add']) {
    const ours = await sh(`${stage} --repeat 3`, input);
    const python = await sh(`env -u PYTHONUNBUFFERED python3 ${REFERENCE} ${stage} 3 2>/dev/null`, input);
    assert.equal(python.exitCode, 0, python.stderr);
    assert.equal(ours.stdout, python.stdout, stage);
    assert.equal(ours.stdout.split('\n').length, 32);
  }
});
