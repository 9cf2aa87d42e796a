import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addFormula, addLoop, ADD_LOOP_MAX_N } from '../src/kernels/add.js';
import { InputError, quoteBytes } from '../src/base/input-error.js';
import { mul, MUL_MAX_N } from '../src/kernels/mul.js';
import { parseNatural } from '../src/kernels/natural.js';
import { systemErrorText } from '../src/base/messages.js';
import { isMarked, LineReader, markedLine, type Line } from '../src/stage/lines.js';
import { Readable } from 'node:stream';
import fc from 'fast-check';

/** n! by the definition, in BigInt: the reference the kernels are checked against. */
const factorial = (n: number): bigint => {
  let product = 1n;
  for (let i = 2n; i <= BigInt(n); i++) product *= i;
  return product;
};

test('mul: exact factorials on both sides of 2^53', () => {
  assert.equal(mul(0, 1), 1);
  assert.equal(mul(1, 1), 1);
  assert.equal(mul(11, 1), 39916800);
  assert.equal(mul(18, 1), 6402373705728000); // the last one below 2^53
  assert.equal(mul(19, 1), 121645100408832000n);
  assert.equal(mul(25, 1), 15511210043330985984000000n);
  for (let n = 0; n <= 200; n++) assert.equal(BigInt(mul(n, 1)), factorial(n), `n = ${n}`);
});

test('mul: the product tree agrees with the running product for large n', () => {
  for (const n of [63, 64, 65, 127, 128, 1000, 2500]) assert.equal(mul(n, 1), factorial(n), `n = ${n}`);
});

test('mul: 100000! has 456574 digits; 100001 is refused', () => {
  const text = String(mul(MUL_MAX_N, 1));
  assert.equal(text.length, 456574);
  assert.ok(text.startsWith('28242294079603478742934215780245355184774949260912'));
  assert.throws(
    () => mul(MUL_MAX_N + 1, 1),
    (e: unknown) => e instanceof InputError && e.message === '100001 exceeds the limit 100000',
  );
  assert.throws(() => mul(10n ** 20n, 1), InputError);
});

test('mul: the repeat count does not change the result', () => {
  assert.equal(mul(11, 1000), 39916800);
  assert.equal(mul(25, 3), 15511210043330985984000000n);
});

test('add: the loop and the formula agree, exactly', () => {
  for (const n of [0, 1, 2, 10, 11, 39916800]) {
    assert.equal(addLoop(n, 1), (n * (n + 1)) / 2);
    assert.equal(addFormula(n), (n * (n + 1)) / 2);
  }
  assert.equal(addLoop(39916800, 2), 796675481078400);
  assert.equal(addFormula(ADD_LOOP_MAX_N), 9007199187632128);
  assert.equal(addFormula(ADD_LOOP_MAX_N + 1), 9007199321849856n);
  assert.equal(addFormula(2n ** 64n), 2n ** 127n + 2n ** 63n);
  assert.equal(addFormula(10n ** 30n), (10n ** 30n * (10n ** 30n + 1n)) / 2n);
});

test('add: the loop refuses n past 134217727 with the message that names --formula', () => {
  assert.throws(
    () => addLoop(2n ** 64n),
    (e: unknown) =>
      e instanceof InputError && e.message === '18446744073709551616 exceeds the loop limit 134217727; use --formula',
  );
  assert.throws(() => addLoop(ADD_LOOP_MAX_N + 1), InputError);
});

test('parseNatural: the number grammar', () => {
  assert.equal(parseNatural('42'), 42);
  assert.equal(parseNatural('  42\t'), 42);
  assert.equal(parseNatural('42\r'), 42);
  assert.equal(parseNatural('\t 42 \r'), 42);
  assert.equal(parseNatural('007'), 7);
  assert.equal(parseNatural('0'), 0);
  assert.equal(parseNatural('000'), 0);
  assert.equal(parseNatural('999999999999999'), 999999999999999);
  assert.equal(parseNatural('9999999999999999'), 9999999999999999n);
  assert.equal(parseNatural('0000000000000000000012'), 12);
  assert.equal(parseNatural('18446744073709551616'), 18446744073709551616n);
  for (const blank of ['', ' ', '\t', '\r', ' \t \r']) assert.equal(parseNatural(blank), null, JSON.stringify(blank));
  for (const bad of [
    'abc',
    '-1',
    '+1',
    '1.5',
    '1e3',
    '0x10',
    '1 2',
    '1\r2',
    '\r1',
    '1\0',
    '١٢',
    '12a',
    '\v1',
    '1\r\r',
  ]) {
    assert.throws(() => parseNatural(bad), InputError, JSON.stringify(bad));
  }
  assert.throws(() => parseNatural(' abc '), { message: "invalid number 'abc'" });
  assert.throws(() => parseNatural('00x'), { message: "invalid number '00x'" });
});

test('quoteBytes: printable ASCII as is, every other byte as \\xHH, at most 40 bytes', () => {
  const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  assert.equal(quoteBytes('abc'), "'abc'");
  assert.equal(quoteBytes('a\0b\r\x7f'), "'a\\x00b\\x0D\\x7F'");
  assert.equal(quoteBytes('\xff\xfe'), "'\\xFF\\xFE'");
  assert.equal(quoteBytes(bytes('né')), "'n\\xC3\\xA9'");
  assert.equal(quoteBytes(bytes('1\u00a02')), "'1\\xC2\\xA02'"); // a no-break space never passes for a space
  assert.equal(quoteBytes('\xc3'), "'\\xC3'"); // a truncated sequence
  assert.equal(quoteBytes('\xc2\x85'), "'\\xC2\\x85'"); // C1 control NEL
  assert.equal(quoteBytes('\xed\xa0\x80'), "'\\xED\\xA0\\x80'"); // a UTF-16 surrogate
  assert.equal(quoteBytes('a\\b'), "'a\\\\b'");
  assert.equal(quoteBytes('x'.repeat(40)), `'${'x'.repeat(40)}'`);
  assert.equal(quoteBytes('x'.repeat(41)), `'${'x'.repeat(40)}'...`);
});

test('systemErrorText: the C library wording', () => {
  assert.equal(
    systemErrorText({ code: 'ENOSPC', message: 'ENOSPC: no space left on device, write' }),
    'No space left on device',
  );
  assert.equal(
    systemErrorText({ code: 'EXDEV', message: 'EXDEV: cross-device link not permitted, rename' }),
    'Cross-device link not permitted',
  );
});

// The engine's line reader (src/stage/lines.ts), fed chunks cut anywhere: every line as the input
// holds it, in order, a line past the limit reported as overlong (its bytes dropped), the last line's
// missing separator noted. Long lines (pieces of 4 KiB are what the reader hands split2) included.
test('LineReader: random chunk boundaries, long and overlong lines, either separator', async () => {
  const MAX = 6000;
  const reference = (bytes: Buffer, separator: number): Line[] => {
    const parts = bytes.toString('latin1').split(String.fromCharCode(separator));
    const last = parts.pop()!;
    const lines = parts.map((text) => ({ text, terminated: true }));
    if (last !== '') lines.push({ text: last, terminated: false });
    return lines.map(({ text, terminated }) =>
      text.length > MAX ? { text: '', terminated, overlong: true } : { text, terminated, overlong: false },
    );
  };
  const read = async (chunks: Buffer[], separator: number): Promise<Line[]> => {
    const lines: Line[] = [];
    await new Promise<void>((resolve) => {
      const reader: LineReader = new LineReader(
        Readable.from(chunks, { objectMode: false }),
        () => {
          for (let raw = reader.read(); raw !== null; raw = reader.read())
            lines.push(isMarked(raw) ? markedLine(raw) : { text: raw, terminated: true, overlong: false });
          if (reader.done) resolve();
        },
        separator,
        MAX,
      );
    });
    return lines;
  };
  const line = fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 1, arbitrary: fc.integer({ min: MAX - 2, max: MAX + 2 }).map((length) => 'x'.repeat(length)) },
    { weight: 1, arbitrary: fc.integer({ min: 4000, max: 20_000 }).map((length) => 'y'.repeat(length)) },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(line, { maxLength: 30 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
      async (texts, nul, finalSeparator, sizes) => {
        const separator = nul ? 0x00 : 0x0a;
        const sep = String.fromCharCode(separator);
        const bytes = Buffer.from(
          texts.map((text) => text.replaceAll(sep, '')).join(sep) + (finalSeparator && texts.length > 0 ? sep : ''),
          'latin1',
        );
        const chunks: Buffer[] = [];
        for (let start = 0, i = 0; start < bytes.length; start += sizes[i++ % sizes.length]!)
          chunks.push(bytes.subarray(start, start + sizes[i % sizes.length]!));
        assert.deepEqual(await read(chunks, separator), reference(bytes, separator));
      },
    ),
    { numRuns: 150, seed: 20261126 },
  );
});
