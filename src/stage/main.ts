import { parseCommandLine } from '../args/program.js';
import { runStage } from './run-stage.js';
import { StageTracer } from '../trace/stage-tracer.js';
import { isStageWorker, serveLines, workerOptions, workerPool } from './workers.js';
import type { OptionTable, ProgramSpec } from '../args/spec.js';
import type { Stage } from './stage.js';
import { crash, guardAgainstCrashes } from '../base/crash.js';
import { STAGE_MAN_SECTIONS } from './manual.js';

/** Options every stage has, handled by the engine. */
const STAGE_OPTIONS: OptionTable = {
  null: {
    type: 'boolean',
    alias: 'z',
    describe: 'Lines end with NUL instead of newline, in and out (as sort -z, xargs -0, find -print0)',
  },
  time: { type: 'boolean', describe: "Report each line's compute time and a summary on stderr" },
  trace: {
    type: 'string',
    value: 'FILE',
    file: true,
    describe:
      "Append the stage's own trace to FILE (Chrome Trace Event Format, shared with timer --trace): " +
      'its states, and a span per line on the lane of the thread or slot that computed it. Default: ' +
      '$PIPESTAGE_TRACE',
  },
  workers: {
    type: 'integer',
    value: 'N',
    default: 1,
    min: 1,
    max: 256,
    describe:
      'Compute lines on up to N worker threads, truly in parallel, started as work needs them; ' +
      'output stays in input order',
  },
};

/** A stage's full command line: its own options, then the ones the engine handles for every stage. */
export function stageSpec(spec: ProgramSpec): ProgramSpec {
  return {
    ...spec,
    options: { ...spec.options, ...STAGE_OPTIONS },
    operands: { name: 'file', min: 0, max: Infinity, files: true },
    manSections: [
      ...(spec.manSections ?? []),
      ...STAGE_MAN_SECTIONS.map(([title, text]): [string, string] => [title, text.replaceAll('PROG', spec.name)]),
    ],
  };
}

/**
 * The whole life of a stage executable: parse the command line, build the stage from the options,
 * run it over stdin, and set the exit status. Any escaped bug ends in one line on stderr, never a trace.
 */
export function stageMain(spec: ProgramSpec, makeStage: (options: Record<string, unknown>) => Stage): void {
  if (isStageWorker()) {
    // This bundle was started as one of the stage's worker threads: compute what the main thread sends.
    serveLines(makeStage(workerOptions()));
    return;
  }
  guardAgainstCrashes(spec.name);
  void (async () => {
    const commandLine = await parseCommandLine(spec, process.argv.slice(2));
    if (commandLine.action === 'exit') {
      process.exitCode = commandLine.status;
      return;
    }
    const { options, operands } = commandLine;
    const workers = options['workers'] as number;
    // One worker is no thread at all: no start-up cost for the common case.
    const stage = workers > 1 ? workerPool(bundlePath(), options, workers) : makeStage(options);
    const trace = openTrace(
      spec.name,
      (options['trace'] as string | undefined) ?? (process.env['PIPESTAGE_TRACE'] || undefined),
      workers,
      stage.concurrency ?? 1,
    );
    process.exitCode = await runStage(spec.name, stage, {
      time: options['time'] === true,
      files: operands,
      nullTerminated: options['null'] === true,
      trace,
    });
  })().catch(crash(spec.name));
}

/**
 * The stage's tracer for `path`, or none: without a path, or when the file cannot be traced into
 * (an earlier run's, not a trace, not writable), which is said once on stderr while the stage computes
 * as usual.
 */
function openTrace(
  name: string,
  path: string | undefined,
  workers: number,
  concurrency: number,
): StageTracer | undefined {
  if (path === undefined) return undefined;
  const laneName = (lane: number): string =>
    workers > 1 ? `worker ${lane}` : concurrency > 1 ? `slot ${lane}` : 'items';
  const tracer = StageTracer.open(path, name, laneName);
  if (typeof tracer !== 'string') return tracer;
  process.stderr.write(`${tracer}\n`);
  return undefined;
}

/** The file this executable runs from: the CommonJS bundle in dist/, which worker threads start too. */
function bundlePath(): string {
  return typeof __filename === 'string' ? __filename : process.argv[1]!;
}
