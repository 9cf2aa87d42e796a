import type { ObservedStage } from './observed.js';
import type { TypedStage } from './typed.js';

/**
 * A stage given a share of what the shell reaped after the last sample, though no stage of its group
 * was seen using CPU then (the shares went by what each had used), gives the share back (it keeps what
 * it was seen using, as sampled ≈, and what nobody reaped of it) where a stage no sample saw may have
 * been reaped with it — a stage of a later pipeline of the text (not of its own): that CPU is
 * more likely the unseen stage's (`seq 1000000 | (sleep 0.2; kill -9 $BASHPID) | cat; yes | head -c
 * 5000000 | gzip -1 | wc -c` gave the first pipeline's blocked stages the second's 30 ms). The rest is
 * the pipeline's, unattributed. `ordered`: a stage per typed row, pid 0 where none was seen.
 */
export function unshareBeforeUnseen(ordered: ObservedStage[], typed: TypedStage[]): void {
  ordered.forEach((stage, row) => {
    const given = stage.cpuGiven;
    const after = (other: ObservedStage, at: number): boolean =>
      other.pid === 0 && typed[at]!.pipeline > typed[row]!.pipeline;
    if (given === undefined || !ordered.some(after)) return;
    // (what was added to it since — its processes nobody reaped — stays)
    stage.userMs = (stage.userMs ?? 0) - given.userMs;
    stage.sysMs = (stage.sysMs ?? 0) - given.sysMs;
    Object.assign(stage, { cpuShared: false, cpuSampled: true });
  });
}
