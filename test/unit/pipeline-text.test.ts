// The text report's notes (src/render/pipeline-text.ts): what it cannot know, it says, and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineProfile, StageProfile } from '../../src/render/profile.js';
import { pipelineReport } from '../../src/render/pipeline-text.js';
import { profiled } from './fixtures.js';

const format = (ms: number): string => `${Math.round(ms)}ms`;
const pipeline = (stages: StageProfile[], fields: Partial<PipelineProfile> = {}): PipelineProfile => ({
  pipeline: stages.map((stage) => stage.command).join(' | '),
  shell: 'bash -c',
  exitCode: 0,
  signal: null,
  wallMs: 1000,
  userMs: 100,
  sysMs: 0,
  cpuMs: 100,
  timerStartupCpuMs: 60,
  timerCpuMs: 5,
  timerReportCpuMs: 5,
  cores: 2,
  coresBusyElsewhere: 0,
  parallelism: 0.1,
  unattributedCpuMs: 0,
  stoppedMs: 0,
  sampleIntervalMs: 100,
  stateUnknownReason: null,
  stages,
  bottleneck: null,
  bottleneckLine: 'bottleneck: none',
  prediction: null,
  ...fields,
});
const lines = (profile: PipelineProfile): string[] => pipelineReport(profile, 80, format).split('\n');
/** the report's prose as one line (it wraps to the width) */
const prose = (profile: PipelineProfile): string => lines(profile).join(' ').replace(/\s+/g, ' ');

test('a stage no sample saw: its figures unknown, said once, by its text', () => {
  const seen = profiled('mul --repeat 2', {}, true, { pid: 7 });
  const unseen = (command: string) => profiled(command, {}, true, { pid: 0, userMs: null, sysMs: null });
  assert.ok(
    lines(pipeline([unseen('seq 24'), seen])).includes(
      '?: seq 24 started and ended between two samples: none of its figures is known.',
    ),
  );
  assert.ok(
    prose(pipeline([unseen('seq 24'), seen, unseen('true')])).includes(
      '?: seq 24, true started and ended between two samples: none of their figures is known.',
    ),
  );
  assert.ok(!lines(pipeline([seen])).some((line) => line.startsWith('?:')));
});

test('a shell killed by a signal gave no statuses: said so, not guessed', () => {
  const stages = [
    profiled('seq 9', {}, true, { pid: 6, status: null }),
    profiled('gzip', {}, false, { pid: 7, status: null }),
  ];
  const report = lines(pipeline(stages, { signal: 'SIGINT', exitCode: null }));
  assert.ok(
    report.includes('status unknown: the shell was killed by SIGINT before it could give them.'),
    report.join('\n'),
  );
  assert.ok(!lines(pipeline(stages)).some((line) => line.startsWith('status unknown')));
});
