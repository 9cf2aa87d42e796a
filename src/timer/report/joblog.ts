import type { LaneTrack, StageTrack } from '../../trace/read-trace.js';

/** One job of a GNU parallel --joblog. */
interface Job {
  seq: number;
  host: string;
  /** start and end, in µs since the epoch (the trace's clock) */
  start: number;
  end: number;
  exitval: number;
  signal: number;
}

const HEADER = ['Seq', 'Host', 'Starttime', 'JobRuntime', 'Send', 'Receive', 'Exitval', 'Signal', 'Command'];

/**
 * The jobs of a GNU parallel `--joblog` file (tab-separated, a header line, then a job per line;
 * Host `:` is the local machine). Throws an Error saying why the text is not a joblog.
 */
export function parseJoblog(text: string): Job[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error('empty file, not a joblog');
  const header = lines[0]!.split('\t').map((field) => field.trim());
  if (HEADER.some((name, index) => header[index] !== name))
    throw new Error(`not a GNU parallel joblog (its first line is not ${HEADER.join(' ')})`);
  return lines.slice(1).map((line, index) => {
    const fields = line.split('\t');
    const [seq, host, start, runtime, , , exitval, signal] = fields.map((field) => field.trim());
    const numbers = [seq, start, runtime, exitval, signal].map(Number);
    if (fields.length < HEADER.length || numbers.some((value) => !Number.isFinite(value)))
      throw new Error(`not a GNU parallel joblog (line ${index + 2} is not a job)`);
    const startUs = numbers[1]! * 1e6;
    return {
      seq: numbers[0]!,
      host: host === ':' ? 'local' : host!,
      start: startUs,
      end: startUs + numbers[2]! * 1e6,
      exitval: numbers[3]!,
      signal: numbers[4]!,
    };
  });
}

/** A job that failed: a non-zero exit value or a signal. */
export const failed = (job: Job): boolean => job.exitval !== 0 || job.signal !== 0;

/**
 * The jobs as rows of a Gantt chart: one per host (in order of its first job), its jobs laid on as few
 * lanes as never overlap (each job on the first lane free when it starts), failed jobs marked.
 */
export function joblogTracks(jobs: Job[]): StageTrack[] {
  const hosts = new Map<string, Job[]>();
  for (const job of [...jobs].sort((a, b) => a.start - b.start || a.seq - b.seq))
    hosts.set(job.host, [...(hosts.get(job.host) ?? []), job]);
  return [...hosts].map(([host, hostJobs], index) => {
    const lanes: (LaneTrack & { free: number })[] = [];
    for (const job of hostJobs) {
      let lane = lanes.find((candidate) => candidate.free <= job.start);
      if (!lane) lanes.push((lane = { name: `slot ${lanes.length + 1}`, spans: [], failed: [], free: 0 }));
      lane.spans.push([job.start, job.end]);
      if (failed(job)) lane.failed!.push([job.start, job.end]);
      lane.free = job.end;
    }
    const spans = lanes.flatMap((lane) => lane.spans).sort((a, b) => a[0] - b[0]);
    return {
      pid: index,
      name: host,
      items: hostJobs.length,
      spans,
      lanes: lanes.map(({ name, spans: laneSpans, failed: laneFailed }) => ({
        name,
        spans: laneSpans,
        failed: laneFailed,
      })),
      states: [],
      itemSpans: [],
    };
  });
}
