import type { StageProfile } from '../../render/profile.js';
import { type SubRow, subRows } from '../../render/sub-rows.js';

// A process substitution that outlived its stage (`tee >(mul > file)`: tee ends, timer waits for the
// `>( )`): its time is in no stage's states, so the stages' shares cannot show what held the pipeline.

/** The process substitution, ended after its stage, that used the most CPU: with its stage, or undefined. */
function outlivingSubstitution(
  stages: StageProfile[],
): { stage: StageProfile; row: SubRow; cpuMs: number } | undefined {
  let best: { stage: StageProfile; row: SubRow; cpuMs: number } | undefined;
  for (const stage of stages)
    for (const row of subRows(stage)) {
      const cpuMs = row.userMs + row.sysMs;
      const outlived = row.depth === 1 && /^[<>]\(/.test(row.name) && row.endMs > stage.endMs;
      if (outlived && cpuMs > (best?.cpuMs ?? 0)) best = { stage, row, cpuMs };
    }
  return best;
}

/**
 * The bottleneck line for a process substitution that ran on after its stage and used more CPU than
 * `overMs` (the busiest stage's busy time, and no less than an idle share of the wall), or undefined.
 */
export function outlivingBottleneck(
  stages: StageProfile[],
  activeMs: number,
  overMs: number,
  percent: (part: number, whole: number) => string,
): string | undefined {
  const sub = outlivingSubstitution(stages);
  if (!sub || sub.cpuMs <= overMs) return undefined;
  const { row, stage } = sub;
  const ranOn = percent(row.endMs - stage.endMs, activeMs);
  const what = `a process substitution that ran on after ${stage.name} ended`;
  const cpu = percent(sub.cpuMs, activeMs);
  return `bottleneck: ${row.name} in ${stage.name} — ${what}: ${ranOn} of the pipeline's wall, its CPU ${cpu}`;
}
