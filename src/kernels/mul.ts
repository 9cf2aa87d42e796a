import { InputError, showNumber } from '../base/input-error.js';

/** Largest n that `mul` accepts: n! already has about 456,000 digits. */
export const MUL_MAX_N = 100_000;
/** The classic experiment's workload: n! computed four million times per item. */
export const MUL_DEFAULT_REPEAT = 4_000_000;
/** 18! < 2^53 <= 19!: up to here the product is exact in Number arithmetic. */
const MUL_MAX_SAFE_N = 18;
/** Below this many factors a plain running product beats a product tree. */
const PRODUCT_TREE_MIN_N = 64;

/** n! (1·2·…·n), computed `repeat` times: a Number while exact, a BigInt beyond 18!. */
export function mul(n: number | bigint, repeat: number = MUL_DEFAULT_REPEAT): number | bigint {
  if (typeof n === 'bigint' || n > MUL_MAX_N) {
    throw new InputError(`${showNumber(n)} exceeds the limit ${MUL_MAX_N}`);
  }
  if (n <= MUL_MAX_SAFE_N) {
    let product = 1;
    for (let round = 0; round < repeat; round++) {
      product = 1;
      for (let i = 1; i <= n; i++) product *= i;
    }
    return product;
  }
  let product = 1n;
  for (let round = 0; round < repeat; round++) product = factorialBig(n);
  return product;
}

/** n! in BigInt; large n multiply balanced halves so V8's fast multiplication does the work. */
function factorialBig(n: number): bigint {
  return n < PRODUCT_TREE_MIN_N ? rangeProduct(1, n) : productTree(1, n);
}

/** lo·(lo+1)·…·hi by a running product. */
function rangeProduct(lo: number, hi: number): bigint {
  let product = 1n;
  for (let i = lo; i <= hi; i++) product *= BigInt(i);
  return product;
}

/** lo·…·hi by binary splitting: operands stay balanced, which is what makes 100000! take milliseconds. */
function productTree(lo: number, hi: number): bigint {
  if (hi - lo < PRODUCT_TREE_MIN_N) return rangeProduct(lo, hi);
  const mid = (lo + hi) >>> 1;
  return productTree(lo, mid) * productTree(mid + 1, hi);
}
