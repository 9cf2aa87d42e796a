import { closeSync, openSync, writeSync } from 'node:fs';
import { EXIT } from '../base/exit-codes.js';
import { systemErrorText } from '../base/messages.js';

// Where timer's reports go (stderr or --output FILE), for timer -- COMMAND and --pipeline alike.

/** The report could not be written (--output /dev/full): said on stderr, status 125. */
export function reportFailed(file: string): number {
  try {
    writeSync(2, `timer: write error on '${file}': the report is lost\n`);
  } catch {
    // nowhere left to say it
  }
  return EXIT.TIMER_FAILURE;
}

export interface Report {
  /** true once a write failed: the report is (partly) lost */
  failed: boolean;
  write(text: string): void;
  close(): void;
}

/**
 * Where reports go: stderr, or --output FILE, opened for appending: each write is whole lines in
 * one call, so timers of one pipeline sharing a file never lose or cut each other's reports.
 * Undefined after a failure to open.
 */
export function openReport(file: string | undefined): Report | undefined {
  let fd = 2;
  if (file !== undefined) {
    try {
      fd = openSync(file, 'a');
    } catch (error) {
      writeSync(2, `timer: cannot open '${file}': ${systemErrorText(error)}\n`);
      return undefined;
    }
  }
  const report: Report = {
    failed: false,
    write: (text) => {
      if (text === '') return;
      try {
        const bytes = Buffer.from(text);
        if (writeSync(fd, bytes) !== bytes.length) report.failed = true;
      } catch {
        report.failed = file !== undefined; // a lost stderr has nowhere else to go
      }
    },
    close: () => {
      if (fd !== 2) closeSync(fd);
    },
  };
  return report;
}
