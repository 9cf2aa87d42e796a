import { TIMER_LANE } from '../trace/trace-file.js';
import type { PipelineProfile } from './profile.js';

/**
 * What `timer --pipeline --trace FILE` adds to the run's trace (where the pipestage stages wrote their
 * own spans): per stage its process name (for the stages that did not trace themselves) and its state
 * slices as timer measured them, on the lane `states` (tid 1000000). `originMs` is the epoch ms of
 * timer's clock 0.
 */
export function pipelineTraceEvents(profile: PipelineProfile, originMs: number): Record<string, unknown>[] {
  const us = (ms: number): number => Math.round((originMs + ms) * 1000);
  return profile.stages.flatMap((stage) => [
    ...(stage.traced
      ? []
      : [{ name: 'process_name', ph: 'M', pid: stage.pid, tid: TIMER_LANE, args: { name: stage.command } }]),
    { name: 'thread_name', ph: 'M', pid: stage.pid, tid: TIMER_LANE, args: { name: 'states' } },
    ...stage.timeline.map((segment) => ({
      name: segment.state,
      cat: 'pipeline-state',
      ph: 'X',
      ts: us(segment.startMs),
      dur: Math.max(0, us(segment.endMs) - us(segment.startMs)),
      pid: stage.pid,
      tid: TIMER_LANE,
    })),
  ]);
}
