import { readFileSync, writeFileSync } from 'node:fs';
import { parseCommandLine, writeText, type ProgramSpec } from '../stage/cli.js';
import { loadFormatDuration } from '../stage/durations.js';
import { EXIT } from '../stage/exit-codes.js';
import { crash, guardAgainstCrashes } from '../stage/main.js';
import { systemErrorText } from '../stage/messages.js';
import { quoteBytes } from '../work/input-error.js';
import { ganttSvg, ganttText, readTrace } from './gantt.js';
import { runTimer } from './run.js';

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
      process.exitCode = commandLine.action === 'exit' ? commandLine.status : await drawReport(commandLine.operands[0]!, commandLine.options);
      return;
    }
    const commandLine = await parseCommandLine(wrap, argv);
    if (commandLine.action === 'exit') {
      process.exitCode = commandLine.status;
      return;
    }
    const { options, operands } = commandLine;
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
  if (/[\x00-\x1f\x7f]/.test(bytes)) throw new Error(`invalid label ${quoteBytes(bytes)} (control characters or line breaks)`);
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** `timer report FILE`: the Gantt chart on stdout (and as SVG with --svg). */
async function drawReport(file: string, options: Record<string, unknown>): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    await writeText(process.stderr, `timer: cannot read trace '${file}': ${systemErrorText(error)}\n`);
    return EXIT.FAILURE;
  }
  const shown = file === '-' ? '(standard input)' : file;
  let trace;
  try {
    trace = readTrace(text);
  } catch (error) {
    await writeText(process.stderr, `timer: ${shown}: ${(error as Error).message}\n`);
    return EXIT.FAILURE;
  }
  const { stages, cut } = trace;
  if (cut) await writeText(process.stderr, `timer: ${shown}: the trace is cut short (a writer was stopped); drawing what is complete\n`);
  if (stages.length === 0) {
    await writeText(process.stderr, `timer: ${shown}: the trace has no spans\n`);
    return EXIT.FAILURE;
  }
  const format = await loadFormatDuration();
  const width = (options['width'] as number | undefined) ?? process.stdout.columns ?? 80;
  if (options['svg'] !== undefined) {
    try {
      writeFileSync(options['svg'] as string, ganttSvg(stages, format));
    } catch (error) {
      await writeText(process.stderr, `timer: cannot write '${options['svg']}': ${systemErrorText(error)}\n`);
      return EXIT.FAILURE;
    }
  }
  const failure = await writeText(process.stdout, ganttText(stages, width, format));
  if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') {
    await writeText(process.stderr, `timer: write error: ${systemErrorText(failure)}\n`);
    return EXIT.FAILURE;
  }
  return EXIT.OK;
}
