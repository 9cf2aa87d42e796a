import { parseCommandLine } from '../args/program.js';
import { EXIT } from '../base/exit-codes.js';
import { quoteBytes } from '../base/input-error.js';
import { runPipeline } from './pipeline/run.js';
import { runTimer } from './wrap/run.js';
import type { ProgramSpec } from '../args/spec.js';
import { crash, guardAgainstCrashes } from '../base/crash.js';
import { timerReport } from './report/main.js';

/**
 * timer's life: `timer report FILE …` draws a recorded trace; anything else wraps a command.
 * Every failure of timer's own ends in one line and status 125 (the command's status is its own).
 */
export function timerMain(wrap: ProgramSpec, report: ProgramSpec): void {
  guardAgainstCrashes('timer', EXIT.TIMER_FAILURE);
  void (async () => {
    const argv = process.argv.slice(2);
    if (argv[0] === 'report') {
      const commandLine = await parseCommandLine(report, argv.slice(1));
      process.exitCode =
        commandLine.action === 'exit'
          ? commandLine.status
          : await timerReport(commandLine.operands[0], commandLine.options);
      return;
    }
    const commandLine = await parseCommandLine(wrap, argv);
    if (commandLine.action === 'exit') {
      process.exitCode = commandLine.status;
      return;
    }
    const { options, operands } = commandLine;
    if (options['pipeline'] !== undefined) {
      process.exitCode = await runPipeline(options['pipeline'] as string[], {
        json: options['json'] === true,
        output: options['output'] as string | undefined,
        trace: options['trace'] as string | undefined,
        svg: options['svg'] as string | undefined,
        live: options['no-progress'] !== true,
        intervalMs: options['interval'] as number,
        verify: options['verify'] === true,
        runs: options['runs'] as number,
        warmup: options['warmup'] as number,
        markdown: options['export-markdown'] as string | undefined,
      });
      // Everything is written (synchronously: the report, the trace, the SVG) and nothing is left
      // running: end without tearing down the heap the profile grew, about 10-20 ms.
      process.exit();
    }
    process.exitCode = await runTimer(operands, {
      label: options['label'] as string | undefined,
      each: options['each'] === true,
      json: options['json'] === true,
      output: options['output'] as string | undefined,
      progress: options['progress'] === true,
      trace: options['trace'] as string | undefined,
      nullTerminated: options['null'] === true,
    });
  })().catch(crash('timer', EXIT.TIMER_FAILURE));
}

/** A --label: one line of printable text (it starts report lines and names trace rows). */
export function parseLabel(bytes: string): string {
  if (bytes === '') throw new Error('the label is empty');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(bytes))
    throw new Error(`invalid label ${quoteBytes(bytes)} (control characters or line breaks)`);
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
