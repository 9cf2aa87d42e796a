import { InputError, quoteBytes } from '../base/input-error.js';

/** Digit counts up to this are below 2^53, so the value is accumulated exactly in a Number. */
const SAFE_DIGITS = 15;

const isBlank = (code: number): boolean => code === 0x20 || code === 0x09;

/**
 * The natural number on a line: ASCII digits with optional spaces and tabs around them and an
 * optional CR at the very end. A Number when it has at most 15 significant digits, else a BigInt;
 * null for a blank line; InputError for anything else.
 */
export function parseNatural(line: string): number | bigint | null {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 0x0d) end -= 1;
  while (end > 0 && isBlank(line.charCodeAt(end - 1))) end -= 1;
  let start = 0;
  while (start < end && isBlank(line.charCodeAt(start))) start += 1;
  if (start === end) return null;
  const text = start;
  while (start < end - 1 && line.charCodeAt(start) === 0x30) start += 1; // leading zeros
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = line.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) throw new InputError(`invalid number ${quoteBytes(line.slice(text, end))}`);
    value = value * 10 + digit;
  }
  return end - start <= SAFE_DIGITS ? value : BigInt(line.slice(start, end));
}
