/** Exit statuses of every pipestage executable, defined once (coreutils defines 124–127 the same way). */
export const EXIT = {
  OK: 0,
  /** bad data, or an I/O error */
  FAILURE: 1,
  /** a usage error: unknown option, bad option value */
  USAGE: 2,
  /** timer itself failed */
  TIMER_FAILURE: 125,
  /** the command exists but cannot be executed */
  CANNOT_EXECUTE: 126,
  /** the command was not found */
  NOT_FOUND: 127,
  /** 128 + N: killed by signal N */
  SIGNAL_BASE: 128,
} as const;
