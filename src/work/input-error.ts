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
