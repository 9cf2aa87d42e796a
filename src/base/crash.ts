import { EXIT } from './exit-codes.js';

// The last resort of every executable: an error no one expected is one line and an exit status.

/** Installs the last-resort handler: one line, then exit with `status`. */
export function guardAgainstCrashes(name: string, status: number = EXIT.FAILURE): void {
  process.on('uncaughtException', crash(name, status));
  process.on('unhandledRejection', crash(name, status));
}

/** A handler for an error no one expected: one line on stderr, never a stack trace. */
export function crash(name: string, status: number = EXIT.FAILURE): (error: unknown) => void {
  return (error) => {
    const message = error instanceof Error ? error.message : String(error);
    try {
      process.stderr.write(`${name}: internal error: ${message}\n`);
    } finally {
      process.exitCode = status;
      // A crashed program has no consistent state left to flush: end now.
      process.exit();
    }
  };
}
