let reporter: (() => void) | undefined;

/**
 * Takes SIGUSR1 from Node, which would otherwise open its inspector (a debugging port) on it: like
 * dd, a pipestage executable answers SIGUSR1 with one progress line on stderr and goes on. Called
 * by each executable's first statement; until a reporter is set, the signal is ignored.
 */
export function takeProgressSignal(): void {
  // (in a worker thread, which runs the same bundle, the handler is never called: signals go to the main thread)
  process.on('SIGUSR1', () => reporter?.());
}

/** Sets what SIGUSR1 prints (the latest caller wins). */
export function onProgressSignal(report: () => void): void {
  reporter = report;
}
