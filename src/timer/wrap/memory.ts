import { type ChildCpu, highWaterMark, MS_PER_TICK, PAGE_BYTES, readStat } from '../../base/proc.js';
import { sampleOnSchedule } from '../sampling.js';
import { processTree } from '../../base/process-tree.js';

/**
 * Samples the resident memory of a process and all its descendants (found through /proc), keeping
 * the largest sum seen, and the largest peak (VmHWM) any one of them reported.
 */
export class TreeMemorySampler {
  private peakSum = 0;
  private peakSingle = 0;
  /** CPU of the live processes of the tree at the last sample (what reaped children used is not in it) */
  lastCpu: ChildCpu = { userMs: 0, sysMs: 0 };
  private stopSampling: (() => void) | undefined;
  readonly available = readStat('self') !== undefined;

  /** `known` collects every process of the tree seen (pid → start ticks), for cleaning up after it. */
  constructor(
    private readonly root: number,
    private readonly intervalMs: number,
    private readonly known: Map<number, number>,
  ) {}

  start(): void {
    if (this.available) this.stopSampling = sampleOnSchedule(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    this.stopSampling?.();
  }

  /** The peak resident memory of the tree, in bytes (0 when nothing could be sampled). */
  get peakBytes(): number {
    return Math.max(this.peakSum, this.peakSingle);
  }

  sample(): void {
    const tree = processTree(this.root);
    if (tree.size === 0) return;
    let sum = 0;
    const treeCpu = { userMs: 0, sysMs: 0 };
    for (const [pid, stat] of tree) {
      sum += stat.rssPages * PAGE_BYTES;
      this.known.set(pid, stat.startTicks);
      treeCpu.userMs += stat.userTicks * MS_PER_TICK;
      treeCpu.sysMs += stat.sysTicks * MS_PER_TICK;
      this.peakSingle = Math.max(this.peakSingle, highWaterMark(pid));
    }
    this.peakSum = Math.max(this.peakSum, sum);
    this.lastCpu = treeCpu;
  }
}
