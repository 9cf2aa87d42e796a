import { closeSync, openSync, writeSync } from 'node:fs';
import { EXIT } from '../base/exit-codes.js';
import { systemErrorText } from '../base/messages.js';

// Where timer's reports go (stderr or --output FILE), for timer -- COMMAND and --pipeline alike.

/** The report could not be written (--output /dev/full): said on stderr, status 125. */
function reportFailed(file: string): number {
  try {
    writeSync(2, `timer: write error on '${file}': the report is lost\n`);
  } catch {
    // nowhere left to say it
  }
  return EXIT.TIMER_FAILURE;
}

interface Report {
  /** true once a write failed: the report is (partly) lost */
  failed: boolean;
  write(text: string): void;
  /** Writes `text` last and closes the report: `status`, or 125 (said on stderr) when the report is lost. */
  end(text: string, status: number): number;
}

/**
 * Ends timer before (or instead of) its work: `timer: MESSAGE` on the report — inside the document
 * `asJson` makes of it, with --json — and status 125.
 */
export function refuse(report: Report, message: string, asJson?: (error: string) => string): number {
  const error = `timer: ${message}`;
  return report.end(asJson ? asJson(error) : `${error}\n`, EXIT.TIMER_FAILURE);
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
    end: (text, status) => {
      report.write(text);
      if (fd !== 2) closeSync(fd);
      return report.failed ? reportFailed(file!) : status;
    },
  };
  return report;
}

/** --each lines gathered before one write to the report. */
const REPORT_BATCH_BYTES = 65_536;

/** --each lines, written in batches of whole lines. */
export class ReportBatch {
  private pending = '';
  private scheduled = false;
  constructor(private readonly report: Report) {}

  add(line: string): void {
    this.pending += line;
    if (this.pending.length >= REPORT_BATCH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    this.report.write(this.pending);
    this.pending = '';
  }
}
