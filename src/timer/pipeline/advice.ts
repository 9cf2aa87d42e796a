import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PipelineProfile, StageProfile } from '../../render/profile.js';
import { predict, whatIf } from './predict.js';
import { advise, type Margin, SINGLE_RUN } from './suggest.js';
import { workerCost } from './worker-cost.js';

// The prediction for a run's bottleneck and what the report says of it: the model of the change
// (with what worker threads cost per line, where the change adds them), the suggestion or why none,
// and for a stage with no option to change, what-ifs.

/** `add` beside the running timer (bin/ or dist/): the stage the worker cost is measured with. */
function addBeside(): string | undefined {
  const dir = path.dirname(process.argv[1] ?? '');
  return ['add', 'add.cjs'].map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

export function adviceFor(
  stages: StageProfile[],
  bottleneck: { stage: StageProfile | undefined; busiest: StageProfile | undefined },
  run: { pipeline: string; activeMs: number; cpuMs: number; cores: number },
  format: (ms: number) => string,
  coresCpu: string,
  margin: Margin = SINGLE_RUN,
): PipelineProfile['prediction'] {
  const target = bottleneck.busiest;
  if (!target) return null;
  const { activeMs, cpuMs, cores } = run;
  const first = predict(stages, target, activeMs, cpuMs, cores);
  // (what a worker costs is measured, once a machine, only where the change would add worker threads)
  const adds = first.perLine !== undefined && bottleneck.stage !== undefined;
  const addPath = adds ? addBeside() : undefined;
  const cost = addPath ? workerCost(addPath) : undefined;
  const prediction = cost ? predict(stages, target, activeMs, cpuMs, cores, cost) : first;
  const now = {
    wallMs: activeMs,
    pipeline: run.pipeline,
    command: target.command,
    at: target.at,
    program: target.traced?.name,
    ...(target.tracedNames ? { tracedNames: target.tracedNames } : {}),
    status: target.status,
    balanced: bottleneck.stage === undefined,
  };
  const whatIfMs =
    prediction.kind === 'what-if'
      ? ([0.25, 0.5, 0.75].map((fraction) => whatIf(stages, target, activeMs, cpuMs, cores, fraction).wallMs) as [
          number,
          number,
          number,
        ])
      : null;
  return {
    ...prediction,
    ...advise(prediction, now, format, coresCpu, margin),
    whatIfMs,
    nowMs: activeMs,
    workerCost: cost ?? null,
  };
}
