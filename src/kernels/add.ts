import { InputError, showNumber } from '../base/input-error.js';

/** Largest n whose loop sum 1+…+n stays exact in Number arithmetic (the sum is below 2^53). */
export const ADD_LOOP_MAX_N = 134_217_727;

/** 1+2+…+n computed by a loop, `repeat` times: the loop is the work. */
export function addLoop(n: number | bigint, repeat = 1): number {
  if (typeof n === 'bigint' || n > ADD_LOOP_MAX_N) {
    throw new InputError(`${showNumber(n)} exceeds the loop limit ${ADD_LOOP_MAX_N}; use --formula`);
  }
  let sum = 0;
  for (let round = 0; round < repeat; round++) {
    sum = 0;
    for (let i = 1; i <= n; i++) sum += i;
  }
  return sum;
}

/** n(n+1)/2 exactly, in O(1): Number while the result is below 2^53, BigInt beyond. */
export function addFormula(n: number | bigint): number | bigint {
  if (typeof n === 'number' && n <= ADD_LOOP_MAX_N) {
    // Halve the even factor first so that no intermediate value leaves the exact range.
    return n % 2 === 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
  }
  const big = BigInt(n);
  return (big * (big + 1n)) / 2n;
}
