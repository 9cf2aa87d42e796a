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
 * A line of input (a latin1 "byte string": one code unit per byte) quoted for a message: printable
 * ASCII as it is (a backslash doubled), every other byte as \xHH, so that nothing that looks like a
 * space or a letter hides a different byte (a no-break space shows as \xC2\xA0); at most 40 bytes.
 */
export function quoteBytes(bytes: string): string {
  let quoted = "'";
  const shown = Math.min(bytes.length, QUOTE_MAX_CHARS);
  for (let i = 0; i < shown; i++) {
    const byte = bytes.charCodeAt(i);
    if (byte === 0x5c) quoted += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) quoted += bytes[i];
    else quoted += `\\x${(byte & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return shown < bytes.length ? `${quoted}'...` : `${quoted}'`;
}
