// When timer samples /proc: soon after the start (short commands, a pipeline's short stages and their
// pipes), then every interval.

/** Samples taken soon after the start, ms: they catch what ends before the first interval. */
const EARLY_SAMPLES_MS = [2, 8, 20, 35];

/** Calls `sample` now, at EARLY_SAMPLES_MS, then every `intervalMs` (none keeps timer alive); returns stop. */
export function sampleOnSchedule(sample: () => void, intervalMs: number): () => void {
  sample();
  const early = EARLY_SAMPLES_MS.map((delay) => setTimeout(sample, delay).unref());
  const every = setInterval(sample, intervalMs).unref();
  return () => {
    for (const timeout of early) clearTimeout(timeout);
    clearInterval(every);
  };
}
