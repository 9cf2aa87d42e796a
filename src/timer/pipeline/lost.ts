import type { ProcessStat } from '../../base/proc.js';
import type { Lost, ProcessRecord, StageRecord } from '../../render/profile.js';
import { newRecord, type TreeProbe, update } from './proc-record.js';

// The processes of a stage that nobody of the pipeline reaps (process substitutions under a program,
// orphans): their CPU is in no figure of the shell's, so it is read apart, often, and counted apart.

/** Process substitutions of the stage still running: the pipeline's work is not done before they are. */
export const procsubsRunning = (stage: StageRecord): boolean =>
  [...stage.procs.values()].some(
    (record) => record.lost === 'process substitution' && record.goneMs === undefined && !record.exited,
  );

/** Processes of the stage nobody of the pipeline reaps, and theirs, alive at the last look. */
export const lostAlive = (stage: StageRecord): ProcessRecord[] =>
  [...stage.procs.values()].filter((record) => record.underLost && record.goneMs === undefined && !record.exited);

/**
 * Reads again the figures of the stage's lost processes (one read each): whoever adopts one may reap it
 * at once when it ends, so its figures are only as recent as the last read — read often while they run.
 */
export function refreshLost(stage: StageRecord, probe: TreeProbe, nowMs: number): void {
  for (const record of lostAlive(stage)) {
    const stat = probe.stat(record.pid);
    if (stat === undefined || stat.startTicks !== record.startTicks) record.goneMs = nowMs;
    else update(record, stat, probe, nowMs);
  }
}

/**
 * A process's whole CPU as last seen: its own, and its children's — what it reaped of them (cutime),
 * or what they were seen using where more (it may have reaped them after it was last read), and
 * those it has not reaped. Once it was seen exited, its children are all reaped. (Orphans are wholes
 * of their own.)
 */
export function whole(stage: StageRecord, record: ProcessRecord, field: 'userMs' | 'sysMs', depth = 0): number {
  const reaped = field === 'userMs' ? record.childUserMs : record.childSysMs;
  if (depth > 64) return record[field] + reaped;
  let gone = 0;
  let alive = 0;
  for (const child of stage.procs.values()) {
    if (child.parent !== record.pid || child.lost === 'orphan' || child.startTicks < record.startTicks) continue;
    if (child.goneMs === undefined) alive += whole(stage, child, field, depth + 1);
    else gone += whole(stage, child, field, depth + 1);
  }
  // (exited, it reaped them all: their CPU in its ticks, each field rounded down, or as seen where more)
  return record[field] + (record.exited ? Math.max(reaped, gone + alive) : Math.max(reaped, gone) + alive);
}

/** The stage's lost CPU: each lost process's whole, as last seen (they are counted apart). */
export function countLost(stage: StageRecord): void {
  const lostAbove = (pid: number): boolean => stage.procs.get(pid)?.underLost === true;
  let lostUser = 0;
  let lostSys = 0;
  for (const record of stage.procs.values()) {
    // a lost process under another one is in that one's whole (an orphan is in none but its own)
    if (record.lost === 'orphan' || (record.lost !== undefined && !lostAbove(record.parent))) {
      lostUser += whole(stage, record, 'userMs');
      lostSys += whole(stage, record, 'sysMs');
    }
  }
  stage.lostUserMs = Math.max(stage.lostUserMs, lostUser);
  stage.lostSysMs = Math.max(stage.lostSysMs, lostSys);
}

/**
 * Processes of the pipeline that outlived the shell where it started no `&` job (process substitutions
 * of stages that ended between two samples, orphaned; `&` jobs still running): each one no sample saw
 * joins `unplaced`, and each is taken as `kind` (a process substitution is waited for), and counted.
 */
export function adoptUnseen(
  stages: StageRecord[],
  found: Map<number, ProcessStat>,
  probe: TreeProbe,
  nowMs: number,
  unplaced: StageRecord,
  kind: Lost = 'process substitution',
): void {
  const known = new Set(stages.flatMap((stage) => [...stage.procs.keys()]));
  // (one seen before its stage ran its program, and orphaned since, is one of them too)
  for (const stage of stages) for (const record of lostAlive(stage)) if (record.lost === 'orphan') record.lost = kind;
  for (const [pid, stat] of found) {
    if (known.has(pid)) continue;
    // (its stage is most often one no sample saw either: placed later, by the text, where it can be)
    const stage = unplaced;
    const record = newRecord(pid, stat, probe, nowMs);
    record.lost = kind;
    record.underLost = true;
    stage.procs.set(pid, record);
    stage.tree.set(pid, stat.startTicks);
    const argv = probe.argv?.(pid);
    if (argv) stage.argvs.set(pid, argv);
    update(record, stat, probe, nowMs);
  }
}
