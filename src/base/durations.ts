/** A duration for people: "41ms", "2.48s", "1m 5s"; under a millisecond "300µs" (never a rounded-up "1ms"). */
export type FormatDuration = (ms: number) => string;

/** Loads pretty-ms (only runs that report durations pay for it) and returns the formatter. */
export async function loadFormatDuration(): Promise<FormatDuration> {
  const { default: prettyMs } = await import('pretty-ms');
  return (ms) =>
    ms < 1 ? prettyMs(ms, { formatSubMilliseconds: true, unitCount: 1 }) : prettyMs(ms, { secondsDecimalDigits: 2 });
}
