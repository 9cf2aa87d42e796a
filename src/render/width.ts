import { eastAsianWidth } from 'get-east-asian-width';

// Text as a terminal shows it: columns, not UTF-16 code units (a CJK character takes two, a
// combining accent none), for lines cut and padded to fit the terminal.

/** Combining marks, format characters (zero-width joiner…) and controls take no column. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;

/** The columns one character (a code point) takes. */
function charWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return eastAsianWidth(char.codePointAt(0)!);
}

/** The columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** `text` cut to at most `columns` columns (never inside a character), then padded with spaces to `pad`. */
export function fitWidth(text: string, columns: number, pad = 0): string {
  let width = 0;
  let cut = '';
  for (const char of text) {
    const next = charWidth(char);
    if (width + next > columns) break;
    width += next;
    cut += char;
  }
  return width < pad ? cut + ' '.repeat(pad - width) : cut;
}

/**
 * `text` broken at spaces into lines of at most `columns` columns (a word longer than that keeps its
 * line), each after the first begun with `indent`.
 */
export function wrapText(text: string, columns: number, indent = '  '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && line.trim() !== '' && displayWidth(next) > columns) {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

/** C0 controls but the newline, and DEL: what a terminal would act on rather than show. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/g;

/** `text` with its control characters shown in caret notation, as `cat -v` does (ESC as ^[, DEL as ^?). */
export const visible = (text: string): string =>
  text.replace(CONTROL, (char) => (char === '\u007f' ? '^?' : `^${String.fromCharCode(char.charCodeAt(0) + 64)}`));

/**
 * A copy of `value` (plain objects and arrays) with every string in it `visible`: a report's texts. An
 * object met again (a run's profile among its runs) is the same copy.
 */
export function visibleStrings<T>(value: T, copies = new Map<object, unknown>()): T {
  if (typeof value === 'string') return visible(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (copies.has(value)) return copies.get(value) as T;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const item of value) copy.push(visibleStrings(item, copies));
    return copy as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const [key, field] of Object.entries(value)) copy[key] = visibleStrings(field, copies);
  return copy as T;
}
