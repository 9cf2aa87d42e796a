import { constants as osConstants } from 'node:os';
import { EXIT } from './exit-codes.js';

/** Dies of `signal` (the shell sees 128+N); SIGPIPE, which Node ignores, becomes status 141. */
export function raise(signal: string): number {
  const number = osConstants.signals[signal as keyof typeof osConstants.signals] ?? 0;
  if (signal !== 'SIGPIPE') process.kill(process.pid, signal);
  return EXIT.SIGNAL_BASE + number;
}
