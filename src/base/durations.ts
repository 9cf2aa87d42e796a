/** A duration for people, rounded to its last digit: "41ms", "2.48s", "1m 5s"; under a millisecond "300µs". */
export type FormatDuration = (ms: number) => string;

/** Loads pretty-ms (only runs that report durations pay for it) and returns the formatter. */
export async function loadFormatDuration(): Promise<FormatDuration> {
  const { default: prettyMs } = await import('pretty-ms');
  // (pretty-ms cuts its last digit off: 1319.8 ms would be 1.31s, 999.6 ms 999ms; rounded first, to
  // the digit shown: 1.32s, 1s)
  const rounded = (ms: number): number => (ms >= 999.5 ? Math.round(ms / 10) * 10 : Math.round(ms));
  return (ms) =>
    ms < 1
      ? prettyMs(ms, { formatSubMilliseconds: true, unitCount: 1 })
      : prettyMs(rounded(ms), { secondsDecimalDigits: 2 });
}
