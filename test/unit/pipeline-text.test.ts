// The text report's notes (src/render/pipeline-text.ts): what it cannot know, it says, and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PipelineProfile } from '../../src/render/profile.js';
import { pipelineReport } from '../../src/render/pipeline-text.js';
import { pipelineProfile as pipeline, profiled } from './fixtures.js';

const format = (ms: number): string => `${Math.round(ms)}ms`;
const lines = (profile: PipelineProfile): string[] => pipelineReport(profile, 80, format).split('\n');
/** the report's prose as one line (it wraps to the width) */
const prose = (profile: PipelineProfile): string => lines(profile).join(' ').replace(/\s+/g, ' ');

test('a stage no sample saw: its figures unknown, said once, by its text', () => {
  const seen = profiled('mul --repeat 2', { working: 900 }, true, { pid: 7 });
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

test('a stage with no interval between two samples: its shares unknown (?), not 0%; one with states: shares of its wall', () => {
  const noStates = profiled('seq 9', {}, true, { pid: 6, userMs: 30, wallMs: 200 });
  const working = profiled('gzip -1', { working: 150, 'waiting for input': 50 }, false, { pid: 7, wallMs: 200 });
  const report = lines(pipeline([noStates, working]));
  const row = (name: string): string[] =>
    report
      .find((line) => line.startsWith(`${name} `))!
      .trim()
      .split(/\s+/);
  const shares = report.findIndex((line) => line.startsWith('share of its wall'));
  const after = report.slice(shares);
  const sharesOf = (name: string): string[] =>
    after
      .find((line) => line.startsWith(`${name} `))!
      .trim()
      .split(/\s+/);
  assert.deepEqual(sharesOf('seq').slice(-6), ['?', '?', '?', '?', '?', '?']);
  assert.deepEqual(sharesOf('gzip').slice(-6), ['75%', '0%', '0%', '25%', '0%', '0%']);
  assert.ok(row('seq').includes('30ms'), report.join('\n'));
  assert.match(
    prose(pipeline([noStates, working])),
    /\?: seq 9 seen by one sample only, or ended before a second: its shares are unknown\./,
  );
  assert.ok(!prose(pipeline([working])).includes('shares are unknown'));
});

test('CPU shared by rate among stages reaped together is marked ~ and said to be an estimate; exact CPU unmarked', () => {
  const shared = profiled('seq 9', {}, true, { pid: 6, userMs: 12, sysMs: 3, cpuShared: true });
  const exact = profiled('wc -c', {}, false, { pid: 7, userMs: 40, sysMs: 5 });
  const report = lines(pipeline([shared, exact]));
  const fields = (name: string): string[] =>
    report
      .find((line) => line.startsWith(`${name} `))!
      .trim()
      .split(/\s{2,}/);
  assert.deepEqual(fields('seq 9').slice(3, 5), ['~12ms', '~3ms'], report.join('\n'));
  assert.deepEqual(fields('wc -c').slice(3, 5), ['40ms', '5ms']);
  assert.match(
    prose(pipeline([shared, exact])),
    /~: reaped with other stages between two samples: in part its share by rate, an estimate\./,
  );
  assert.ok(!prose(pipeline([exact])).includes('~:'));
});

test('a stage typed over several lines: the bottleneck and prediction lines keep it on one line (⏎)', () => {
  const stage = profiled('cat <<EOF\nabc\nEOF', { working: 900 }, false, { pid: 6 });
  const report = lines(
    pipeline([stage], {
      bottleneckLine: 'bottleneck: cat <<EOF\nabc\nEOF — working 90% of its wall',
      prediction: {
        wallMs: 500,
        change: 'cat <<EOF\nabc\nEOF',
        kind: 'what-if',
        coresFull: false,
        coresBound: false,
        suggestion: null,
        runnable: false,
        nowMs: 1000,
        reason: 'cat <<EOF\nabc\nEOF has no option known to make it faster',
        lines: ['if cat <<EOF\nabc\nEOF used half its CPU: about 500ms'],
        whatIfMs: null,
        workerCost: null,
      },
    }),
  );
  assert.ok(report.includes('bottleneck: cat <<EOF⏎abc⏎EOF — working 90% of its wall'), report.join('\n'));
  assert.ok(report.includes('if cat <<EOF⏎abc⏎EOF used half its CPU: about 500ms'));
  assert.ok(!report.includes('abc'));
});

test('a suggested pipeline is printed as it is, to copy and run: its line breaks kept, never wrapped', () => {
  const stage = profiled('mul -r 2', { working: 900 }, false, { pid: 6 });
  const long = `cat <<EOF | mul -r 2 --workers 2 | awk '{ s += $1 } END { print s }' ${'x'.repeat(60)}\nabc\nEOF`;
  const text = pipelineReport(
    pipeline([stage], {
      prediction: {
        wallMs: 500,
        change: 'mul -r 2 --workers 2',
        kind: 'option',
        coresFull: false,
        coresBound: false,
        suggestion: long,
        runnable: true,
        nowMs: 1000,
        reason: null,
        lines: [`suggested: ${long}`, 'predicted: 500ms (now 1000ms)'],
        whatIfMs: null,
        workerCost: null,
      },
    }),
    80,
    format,
  );
  assert.ok(text.includes(`\nsuggested: ${long}\npredicted: 500ms (now 1000ms)\n`), text);
});
