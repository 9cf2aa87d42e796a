// The kernels of mul and add and the number grammar (src/kernels/) in process, fast enough to run once
// per mutant (`npm run mutate`): exact values from an independent witness (the definition in BigInt,
// a table worked by hand) and the exact messages of refusals. The sleep kernel: sleep.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADD_LOOP_MAX_N, addFormula, addLoop } from '../../src/kernels/add.js';
import { MUL_DEFAULT_REPEAT, MUL_MAX_N, mul } from '../../src/kernels/mul.js';
import { parseNatural } from '../../src/kernels/natural.js';

const factorial = (n: number): bigint => {
  let product = 1n;
  for (let i = 2n; i <= BigInt(n); i++) product *= i;
  return product;
};

test('mul: n! as a Number up to 18, a BigInt from 19; the product tree from 64 factors on', () => {
  assert.equal(MUL_MAX_N, 100_000);
  assert.equal(MUL_DEFAULT_REPEAT, 4_000_000);
  assert.equal(mul(0, 1), 1);
  assert.equal(mul(5, 1), 120);
  assert.equal(mul(18, 1), 6402373705728000);
  assert.equal(mul(19, 1), 121645100408832000n);
  for (const n of [20, 62, 63, 64, 65, 66, 127, 128, 129, 130, 200, 257])
    assert.equal(mul(n, 1), factorial(n), `n = ${n}`);
  assert.equal(mul(3, 0), 1); // no round computed: the empty product
  assert.equal(mul(20, 0), 1n);
  assert.equal(mul(12, 3), 479001600);
  assert.equal(mul(21, 2), factorial(21));
  assert.equal(typeof mul(MUL_MAX_N, 1), 'bigint'); // the limit itself is accepted
  assert.throws(() => mul(MUL_MAX_N + 1, 1), { message: '100001 exceeds the limit 100000' });
  assert.throws(() => mul(5n, 1), { message: '5 exceeds the limit 100000' });
});

test('add: the loop and the formula against n(n+1)/2 worked by hand, and where each stops', () => {
  const table: [number, number][] = [
    [0, 0],
    [1, 1],
    [2, 3],
    [3, 6],
    [4, 10],
    [7, 28],
    [100, 5050],
  ];
  for (const [n, sum] of table) {
    assert.equal(addLoop(n, 1), sum, `loop ${n}`);
    assert.equal(addFormula(n), sum, `formula ${n}`);
  }
  assert.equal(addLoop(4), 10); // repeat defaults to one round
  assert.equal(addLoop(4, 3), 10);
  assert.equal(addLoop(4, 0), 0);
  assert.equal(ADD_LOOP_MAX_N, 134_217_727);
  assert.equal(addFormula(ADD_LOOP_MAX_N), 9007199187632128);
  assert.equal(addFormula(ADD_LOOP_MAX_N - 1), 9007199053414401);
  assert.equal(addFormula(ADD_LOOP_MAX_N + 1), 9007199321849856n);
  assert.equal(addFormula(2n ** 64n), 2n ** 127n + 2n ** 63n);
  assert.equal(addFormula(5n), 15n);
  assert.throws(() => addLoop(ADD_LOOP_MAX_N + 1), {
    message: '134217728 exceeds the loop limit 134217727; use --formula',
  });
  assert.throws(() => addLoop(3n), { message: '3 exceeds the loop limit 134217727; use --formula' });
});

test('parseNatural: blanks around, a final CR, leading zeros, 15 digits as a Number, 16 as a BigInt', () => {
  assert.equal(parseNatural('0'), 0);
  assert.equal(parseNatural('9'), 9);
  assert.equal(parseNatural('10'), 10);
  assert.equal(parseNatural(' \t12\t \r'), 12);
  assert.equal(parseNatural('0012'), 12);
  assert.equal(parseNatural('00'), 0);
  assert.equal(parseNatural('123456789012345'), 123456789012345);
  assert.equal(parseNatural('1234567890123456'), 1234567890123456n);
  assert.equal(parseNatural('0001234567890123456'), 1234567890123456n);
  // digits are counted without the zeros and blanks before them
  assert.equal(parseNatural('0000000000000000012'), 12);
  assert.equal(parseNatural(`${' '.repeat(20)}12`), 12);
  for (const blank of ['', ' ', '\t\t', '\r', '  \r']) assert.equal(parseNatural(blank), null);
  assert.throws(() => parseNatural(' 1/2 '), { message: "invalid number '1/2'" });
  assert.throws(() => parseNatural('12:'), { message: "invalid number '12:'" });
  assert.throws(() => parseNatural('\r5'), { message: "invalid number '\\x0D5'" });
  assert.throws(() => parseNatural('5\r\r'), { message: "invalid number '5\\x0D'" });
  assert.throws(() => parseNatural('\v7'), { message: "invalid number '\\x0B7'" });
});
