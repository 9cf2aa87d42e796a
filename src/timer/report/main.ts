import { readFileSync, writeFileSync } from 'node:fs';
import { writeText } from '../../args/program.js';
import { loadFormatDuration } from '../../base/durations.js';
import { EXIT } from '../../base/exit-codes.js';
import { systemErrorText } from '../../base/messages.js';
import { ganttSvg, ganttText } from '../../render/gantt.js';
import { joblogSvg, joblogText } from '../../render/joblog-chart.js';
import { plural } from '../../render/units.js';
import { readTrace, type StageTrack } from '../../trace/read-trace.js';
import { failed, joblogTracks, parseJoblog } from './joblog.js';

/**
 * `timer report FILE`: the Gantt chart on stdout (and as SVG with --svg, item spans as CSV with
 * --csv); `timer report --joblog JOBLOG`: the same for GNU parallel's joblog.
 */
export async function timerReport(file: string | undefined, options: Record<string, unknown>): Promise<number> {
  const joblog = options['joblog'] as string | undefined;
  const source = joblog ?? file!;
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    await writeText(
      process.stderr,
      `timer: cannot read ${joblog ? 'joblog' : 'trace'} '${source}': ${systemErrorText(error)}\n`,
    );
    return EXIT.FAILURE;
  }
  const shown = source === '-' ? '(standard input)' : source;
  const refuse = async (why: string): Promise<number> => {
    await writeText(process.stderr, `timer: ${shown}: ${why}\n`);
    return EXIT.FAILURE;
  };
  const format = await loadFormatDuration();
  const width = (options['width'] as number | undefined) ?? process.stdout.columns ?? 80;
  if (joblog !== undefined) {
    let jobs;
    try {
      jobs = parseJoblog(text);
    } catch (error) {
      return refuse((error as Error).message);
    }
    if (jobs.length === 0) return refuse('the joblog has no jobs');
    const hosts = joblogTracks(jobs);
    const failures = jobs
      .filter(failed)
      .sort((a, b) => a.seq - b.seq)
      .map((job) => `seq ${job.seq}: ${job.signal !== 0 ? `signal ${job.signal}` : `exit ${job.exitval}`}`);
    const title = `joblog: ${jobs.length} jobs on ${plural(hosts.length, 'host')}, ${failures.length} failed`;
    const files: [string, string][] =
      options['svg'] === undefined ? [] : [[options['svg'] as string, joblogSvg(hosts, format, title)]];
    return writeReport(joblogText(hosts, failures, width, format), files);
  }
  let trace;
  try {
    trace = readTrace(text);
  } catch (error) {
    return refuse((error as Error).message);
  }
  const { stages, cut } = trace;
  if (cut)
    await writeText(
      process.stderr,
      `timer: ${shown}: the trace is cut short (a writer was stopped); drawing what is complete\n`,
    );
  if (stages.length === 0) return refuse('the trace has no spans');
  const files: [string, string][] = [];
  if (options['svg'] !== undefined) files.push([options['svg'] as string, ganttSvg(stages, format)]);
  if (options['csv'] !== undefined) files.push([options['csv'] as string, itemsCsv(stages)]);
  return writeReport(ganttText(stages, width, format), files);
}

/** Writes the files a report asked for (each a failure of its own), then the chart on stdout. */
async function writeReport(chart: string, files: [string, string][]): Promise<number> {
  for (const [path, content] of files) {
    try {
      writeFileSync(path, content);
    } catch (error) {
      await writeText(process.stderr, `timer: cannot write '${path}': ${systemErrorText(error)}\n`);
      return EXIT.FAILURE;
    }
  }
  const failure = await writeText(process.stdout, chart);
  if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') {
    await writeText(process.stderr, `timer: write error: ${systemErrorText(failure)}\n`);
    return EXIT.FAILURE;
  }
  return EXIT.OK;
}

/** One CSV row per item span: stage, pid, lane, line, start, end, elapsed, in seconds from the trace's start. */
function itemsCsv(stages: StageTrack[]): string {
  const startUs = Math.min(...stages.map((stage) => Math.min(stage.startup?.[0] ?? Infinity, stage.spans[0]![0])));
  const field = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const seconds = (us: number): string => ((us - startUs) / 1e6).toFixed(6);
  const rows = stages.flatMap((stage) =>
    [...stage.itemSpans]
      .sort((a, b) => a.start - b.start)
      .map((span) =>
        [
          field(stage.name),
          String(stage.pid),
          field(span.lane),
          span.line === undefined ? '' : String(span.line),
          seconds(span.start),
          seconds(span.end),
          ((span.end - span.start) / 1e6).toFixed(6),
        ].join(','),
      ),
  );
  return `${['stage,pid,lane,line,start,end,elapsed', ...rows].join('\n')}\n`;
}
