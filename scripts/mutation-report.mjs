// Writes docs/mutation.md from Stryker's JSON report (reports/mutation/mutation.json): the mutation
// score per file and in all, every surviving (and uncovered) mutant as file:line, mutator, original →
// replacement, and how long the run took. Run by scripts/mutate.sh; never edit docs/mutation.md by hand.
// Usage: node scripts/mutation-report.mjs REPORT.json SECONDS CONCURRENCY > docs/mutation.md
import { readFileSync, statSync } from 'node:fs';

const [reportFile, seconds, concurrency] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** The text a mutant replaced: its location in the file's source, on one line (long ones cut). */
const original = (source, { start, end }) => {
  const lines = source.split('\n');
  const text =
    start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : [
          lines[start.line - 1].slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1].slice(0, end.column - 1),
        ].join('\n');
  return shorten(text);
};
const shorten = (text) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
};
const code = (text) => `\`${text.replaceAll('`', "'").replaceAll('|', '\\|')}\``;
const score = (detected, valid) => (valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(2)}%`);

const rows = [];
const left = [];
let totalDetected = 0;
let totalValid = 0;
let ignored = 0;
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const count = (statuses) => mutants.filter((mutant) => statuses.has(mutant.status)).length;
  const detected = count(DETECTED);
  const undetected = count(UNDETECTED);
  ignored += mutants.filter((mutant) => mutant.status === 'Ignored').length;
  totalDetected += detected;
  totalValid += detected + undetected;
  const of = (status) => mutants.filter((mutant) => mutant.status === status).length;
  rows.push(
    `| ${file} | ${score(detected, detected + undetected)} | ${of('Killed')} | ${of('Timeout')} | ${of('Survived')} | ${of('NoCoverage')} |`,
  );
  for (const mutant of mutants
    .filter((m) => UNDETECTED.has(m.status))
    .sort(
      (a, b) =>
        a.location.start.line - b.location.start.line ||
        a.location.start.column - b.location.start.column ||
        a.mutatorName.localeCompare(b.mutatorName) ||
        String(a.replacement).localeCompare(String(b.replacement)),
    ))
    left.push(
      `| ${file}:${mutant.location.start.line} | ${mutant.mutatorName}${mutant.status === 'NoCoverage' ? ' (no test runs it)' : ''} | ${code(original(source, mutant.location))} | ${code(shorten(mutant.replacement ?? ''))} |`,
    );
}

const minutes = Math.floor(Number(seconds) / 60);
const lines = [
  '# Mutation testing of the pure modules',
  '',
  "<!-- Written by scripts/mutate.sh (npm run mutate) from Stryker's report: do not edit by hand. -->",
  '',
  'StrykerJS changes the pure modules one small thing at a time (a `<` made `<=`, a `+` made `-`, a',
  'condition made `true`, a string emptied: a *mutant*) and runs their unit tests against each change; a',
  'mutant the tests catch is *killed* (a timeout counts: the change made them loop), one they pass with',
  'has *survived*. The score is killed / (killed + survived + not covered); Stryker calls 80% and above',
  'high, the target here.',
  '',
  '```sh',
  'npm run mutate        # bash scripts/mutate.sh: Stryker, then this file',
  '```',
  '',
  `Last run: ${statSync(reportFile).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${minutes} min ${Number(seconds) % 60} s of`,
  `wall time with ${concurrency} test runners on a ${report.system?.cpu?.logicalCores ?? 2}-core machine`,
  `(load average at the start: ${process.env.MUTATE_LOAD ?? 'unknown'}). CI (.ci/run) runs it after \`npm test\` and`,
  '`npm run faults`, and fails below 80%; run it also after changing a pure module or its tests.',
  'stryker.config.mjs says which modules and which tests (test/unit/,',
  'test/pipeline-model.test.ts) and why.',
  '',
  `**Mutation score: ${score(totalDetected, totalValid)}** (${totalDetected} of ${totalValid} mutants detected; ${ignored} ignored by`,
  '`// Stryker disable` comments, each with its reason in the source).',
  '',
  '| file | score | killed | timed out | survived | no coverage |',
  '|---|---|---|---|---|---|',
  ...rows,
  '',
  `## Mutants left (${left.length})`,
  '',
  ...(left.length === 0 ? ['None.'] : ['| where | mutator | original | replacement |', '|---|---|---|---|', ...left]),
  '',
];
process.stdout.write(lines.join('\n'));
