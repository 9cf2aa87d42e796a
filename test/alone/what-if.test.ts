// What-ifs checked against stand-ins (alone: figures that need quiet cores). For a bottleneck with no
// option to change, timer --pipeline gives the wall had it used 0.25, 0.5 and 0.75 of its CPU; a
// stand-in — the same pipeline with a lighter setting of that stage — is run, its stage's CPU over the
// original's is the fraction it used, and its measured wall must be within 25% of the what-if there
// (read off the three figures, linearly between them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Profile, profile } from '../helpers.js';

/** [pipeline, its stand-in]: the bottleneck, then the same stage lighter (about half its CPU). */
const PAIRS: [string, string][] = [
  ['seq 1 2000000 | gzip -9 | wc -c', 'seq 1 2000000 | gzip -5 | wc -c'],
  // (no pipestage stage here: one in a subshell is changed as it ran, an option, no what-if)
  [
    'seq 1 150000 | perl -ne \'my ($s, $n) = (0, $_); $s += $n * $_ for 1 .. 80; print "$s\\n"\' | wc -l',
    'seq 1 150000 | perl -ne \'my ($s, $n) = (0, $_); $s += $n * $_ for 1 .. 40; print "$s\\n"\' | wc -l',
  ],
  [
    "seq 1 300000 | awk '{ s = 0; for (i = 0; i < 40; i++) s += i * $1; print s }' | wc -l",
    "seq 1 300000 | awk '{ s = 0; for (i = 0; i < 20; i++) s += i * $1; print s }' | wc -l",
  ],
  ['seq 1 2000000 | gzip -6 | gzip -d | wc -c', 'seq 1 2000000 | gzip -2 | gzip -d | wc -c'],
  [
    "seq 1 20000 | python3 -c 'import sys\nfor l in sys.stdin: print(sum(range(int(l) % 3000)))' | wc -l",
    "seq 1 20000 | python3 -c 'import sys\nfor l in sys.stdin: print(sum(range(int(l) % 1500)))' | wc -l",
  ],
];

const cpu = (stage: Profile['stages'][number]): number => (stage.userMs ?? 0) + (stage.sysMs ?? 0);

/** The what-if at `fraction` of the stage's CPU: linear between the three figures (and beyond them). */
export function whatIfAt(figures: [number, number, number], fraction: number): number {
  const [quarter, half, threeQuarters] = figures;
  return fraction <= 0.5
    ? quarter + ((half - quarter) * (fraction - 0.25)) / 0.25
    : half + ((threeQuarters - half) * (fraction - 0.5)) / 0.25;
}

/** One try: what is wrong (undefined: the stand-in's wall within 25% of the what-if), and the figures. */
async function tryPair(pipeline: string, standIn: string): Promise<{ wrong?: string; said: string }> {
  const { report } = await profile(pipeline, '</dev/null');
  const prediction = report.prediction!;
  assert.ok(prediction, `${pipeline}: ${report.bottleneckLine}`);
  assert.equal(prediction.kind, 'what-if', `${pipeline}: ${prediction.lines.join(' / ')}`);
  assert.equal(report.suggestion, null);
  assert.equal(report.whatIf!.stage, report.stages.find((stage) => stage.name === report.bottleneck)?.command);
  const row = report.stages.findIndex((stage) => stage.name === report.bottleneck);
  assert.ok(row >= 0, report.bottleneckLine);
  const { report: lighter } = await profile(standIn, '</dev/null');
  const fraction = cpu(lighter.stages[row]!) / cpu(report.stages[row]!);
  const modelled = whatIfAt(report.whatIf!.wallMs, fraction);
  const measured = lighter.wallMs - lighter.stoppedMs;
  const said =
    `${standIn}: ${measured.toFixed(0)} ms at ${fraction.toFixed(2)} of the CPU; what-if ` +
    `${modelled.toFixed(0)} ms (${report.whatIf!.wallMs.map(Math.round)}); now ${report.wallMs.toFixed(0)} ms`;
  if (fraction < 0.2 || fraction > 0.8) return { wrong: `not a stand-in at about half: ${said}`, said };
  if (Math.abs(measured - modelled) > 0.25 * measured) return { wrong: `not within 25%: ${said}`, said };
  return { said };
}

test('what-ifs: a stand-in at about half the CPU lands within 25% of the what-if at its measured share, on five pipelines', async () => {
  for (const [pipeline, standIn] of PAIRS) {
    // (two tries at most: a shared machine is noisy)
    let last = await tryPair(pipeline, standIn);
    if (last.wrong) last = await tryPair(pipeline, standIn);
    assert.equal(last.wrong, undefined);
  }
});

test('whatIfAt: linear between the figures at 0.25, 0.5 and 0.75', () => {
  assert.equal(whatIfAt([100, 200, 400], 0.25), 100);
  assert.equal(whatIfAt([100, 200, 400], 0.375), 150);
  assert.equal(whatIfAt([100, 200, 400], 0.625), 300);
  assert.equal(whatIfAt([100, 200, 400], 0.75), 400);
});
