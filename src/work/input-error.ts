/** Bad data in one input item: the stage reports it with the line number and goes on. */
export class InputError extends Error {
  override name = 'InputError';
}

const SHOWN_DIGITS = 40;

/** A number as shown in a message: huge values are cut to their first digits. */
export function showNumber(n: number | bigint): string {
  const text = String(n);
  return text.length <= SHOWN_DIGITS ? text : `${text.slice(0, SHOWN_DIGITS)}... (${text.length} digits)`;
}

/** Shown characters of a quoted input line before it is cut. */
const QUOTE_MAX_CHARS = 40;

/**
 * A line of input (a latin1 "byte string": one code unit per byte) quoted for a message: printable ASCII
 * and valid UTF-8 of printable characters as they are, every other byte as \xHH, at most 40 characters.
 * The result is itself a byte string, so a UTF-8 label reaches the terminal as the bytes it was read as.
 */
export function quoteBytes(bytes: string): string {
  let quoted = "'";
  let shown = 0;
  let i = 0;
  while (i < bytes.length && shown < QUOTE_MAX_CHARS) {
    const byte = bytes.charCodeAt(i);
    if (byte >= 0x20 && byte < 0x7f) {
      quoted += byte === 0x5c ? '\\\\' : bytes[i];
      i += 1;
    } else {
      const length = byte >= 0x80 ? printableUtf8Length(bytes, i) : 0;
      if (length > 0) {
        quoted += bytes.slice(i, i + length);
        i += length;
      } else {
        quoted += `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        i += 1;
      }
    }
    shown += 1;
  }
  return i < bytes.length ? `${quoted}'...` : `${quoted}'`;
}

/** Length of the well-formed UTF-8 sequence of a printable character at `at`, or 0. */
function printableUtf8Length(bytes: string, at: number): number {
  const lead = bytes.charCodeAt(at);
  let length: number;
  let min = 0x80;
  let max = 0xbf; // allowed range of the second byte (excludes overlongs and surrogates)
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    if (lead === 0xc2) min = 0xa0; // U+0080–U+009F are C1 control characters
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) min = 0xa0;
    if (lead === 0xed) max = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) min = 0x90;
    if (lead === 0xf4) max = 0x8f;
  } else {
    return 0;
  }
  if (at + length > bytes.length) return 0;
  const second = bytes.charCodeAt(at + 1);
  if (second < min || second > max) return 0;
  for (let k = 2; k < length; k++) {
    const next = bytes.charCodeAt(at + k);
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}
