// The man pages are the reference (the README is only the door): each one, as `man -l` renders it,
// has every section a user looks for, every option of its table, every exit status and signal the
// code gives meaning to, and every environment variable the code reads.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, sh } from './helpers.js';
import { EXIT } from '../src/base/exit-codes.js';
import { program as mulProgram } from '../src/cli/mul.js';
import { program as addProgram } from '../src/cli/add.js';
import { program as sleepProgram } from '../src/cli/sleep-task.js';
import { program as timerProgram } from '../src/cli/timer.js';
import type { ProgramSpec } from '../src/args/spec.js';

const STAGES: Record<string, ProgramSpec> = { mul: mulProgram, add: addProgram, 'sleep-task': sleepProgram };
const PROGRAMS: Record<string, ProgramSpec> = { ...STAGES, timer: timerProgram };

/** The sections every page has, in this order (man-pages(7)). */
const REQUIRED = [
  'NAME',
  'SYNOPSIS',
  'DESCRIPTION',
  'OPTIONS',
  'EXIT STATUS',
  'SIGNALS',
  'ENVIRONMENT',
  'FILES',
  'EXAMPLES',
  'SEE ALSO',
];

/** A page as a reader sees it at 80 columns: its sections' titles, in order, and their text. */
async function render(name: string): Promise<{ titles: string[]; sections: Map<string, string> }> {
  const { stdout, stderr, exitCode } = await sh(`MANWIDTH=80 man -l dist/man/${name}.1 | col -b`);
  assert.equal(exitCode, 0);
  assert.equal(stderr, '', name);
  const titles: string[] = [];
  const sections = new Map<string, string>();
  // (the first line is the page's header, the last one its footer)
  for (const line of stdout.trimEnd().split('\n').slice(1, -1)) {
    if (/^[A-Z][A-Z -]*$/.test(line)) {
      titles.push(line);
      sections.set(line, '');
    } else if (titles.length > 0) sections.set(titles.at(-1)!, `${sections.get(titles.at(-1)!)}${line}\n`);
  }
  return { titles, sections };
}

/** Option tags as the page sets them: `-r, --repeat N`, `--time`. */
function optionTags(spec: ProgramSpec): string[] {
  return [
    ...Object.entries(spec.options).map(([name, def]) => {
      const value = def.type === 'boolean' ? '' : ` ${def.value ?? (def.type === 'integer' ? 'N' : 'VALUE')}`;
      return `${def.alias ? `-${def.alias}, ` : ''}--${name}${value}`;
    }),
    '-h, --help',
    '--version',
  ];
}

/** True when `text` has a line starting (after the indent) with `tag`, as a .TP tag is set. */
function hasTag(text: string, tag: string): boolean {
  return text.split('\n').some((line) => line.trimStart() === tag || line.trimStart().startsWith(`${tag} `));
}

/** Every variable the code under `dir` reads through process.env. */
function variablesRead(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(path.join(ROOT, dir, file), 'utf8');
    for (const match of source.matchAll(/process\.env\[['"]([A-Z_]+)['"]\]/g)) names.add(match[1]!);
  }
  return names;
}

test('the man pages: four, one per executable', () => {
  assert.deepEqual(readdirSync(path.join(ROOT, 'dist', 'man')).sort(), ['add.1', 'mul.1', 'sleep-task.1', 'timer.1']);
});

for (const name of Object.keys(PROGRAMS)) {
  test(`man ${name}: every required section in order, every option of its table under OPTIONS`, async () => {
    const { titles, sections } = await render(name);
    assert.deepEqual(
      titles.filter((title) => REQUIRED.includes(title)),
      REQUIRED,
    );
    for (const tag of optionTags(PROGRAMS[name]!)) assert.ok(hasTag(sections.get('OPTIONS')!, tag), `${name}: ${tag}`);
    assert.equal(sections.get('NAME')!.replace(/\s+/g, ' ').trim(), `${name} - ${PROGRAMS[name]!.summary}`);
    const others = Object.keys(PROGRAMS)
      .filter((other) => other !== name)
      .sort();
    assert.equal(sections.get('SEE ALSO')!.trim(), others.map((other) => `${other}(1)`).join(', '));
  });
}

for (const name of Object.keys(STAGES)) {
  test(`man ${name}: its exit statuses, signals, environment and files`, async () => {
    const { sections } = await render(name);
    const exit = sections.get('EXIT STATUS')!;
    for (const status of [EXIT.OK, EXIT.FAILURE, EXIT.USAGE]) assert.ok(hasTag(exit, String(status)), `${status}`);
    assert.ok(hasTag(exit, `${EXIT.SIGNAL_BASE}+N`));
    const signals = sections.get('SIGNALS')!;
    for (const tag of ['SIGUSR1', 'SIGINT, SIGTERM, SIGHUP, SIGQUIT', 'SIGPIPE']) assert.ok(hasTag(signals, tag), tag);
    for (const variable of variablesRead('src/stage')) assert.ok(hasTag(sections.get('ENVIRONMENT')!, variable));
    assert.deepEqual([...variablesRead('src/stage')], ['PIPESTAGE_TRACE']);
    assert.ok(hasTag(sections.get('FILES')!, 'FILE...'));
    // The engine's behaviour, written once for every stage, names this stage (no PROG left over).
    for (const title of ['INPUT AND OUTPUT', 'TRACING', 'SHELL COMPLETION'])
      assert.match(sections.get(title) ?? '', new RegExp(`\\b${name}\\b`), title);
    assert.doesNotMatch([...sections.values()].join(''), /PROG/);
  });
}

test('man timer: --pipeline and timer report are covered; its exit statuses, signals, environment and files', async () => {
  const { titles, sections } = await render('timer');
  const synopsis = sections.get('SYNOPSIS')!;
  assert.match(synopsis, /^\s+timer --pipeline 'PIPELINE' \[options\]$/m);
  assert.match(synopsis, /^\s+timer report \[--width N\] \[--svg OUT\] \[--csv OUT\] FILE$/m);
  assert.match(synopsis, /^\s+timer report --joblog JOBLOG \[--width N\] \[--svg OUT\]$/m);
  // --pipeline: a section of its own, with a subsection for each part of the profile.
  const pipelines = sections.get('PIPELINES')!;
  const subsections = pipelines.split('\n').filter((line) => /^ {3}\S/.test(line));
  assert.deepEqual(
    subsections.map((line) => line.trim()),
    ['Stages', 'States', 'Figures', 'Bottleneck', 'Suggestion', 'Runs', 'Comparison', 'Outputs', 'Live view'],
  );
  for (const field of ['"pipestageProfile"', '"bottleneckLine"', '"waitingForInputMs"', '"prediction"'])
    assert.ok(pipelines.includes(field), field);
  // timer report: its own section after the --pipeline one, with its options and subsections.
  assert.ok(titles.indexOf('TIMER REPORT') > titles.indexOf('PIPELINES'));
  const report = sections.get('TIMER REPORT')!;
  for (const tag of optionTags(timerProgram.subcommands![0]!)) assert.ok(hasTag(report, tag), `report: ${tag}`);
  assert.deepEqual(
    report
      .split('\n')
      .filter((line) => /^ {3}\S/.test(line))
      .map((line) => line.trim()),
    ['Options', 'The chart', 'Joblogs'],
  );
  const exit = sections.get('EXIT STATUS')!;
  for (const status of [EXIT.FAILURE, EXIT.USAGE, EXIT.TIMER_FAILURE, EXIT.CANNOT_EXECUTE, EXIT.NOT_FOUND])
    assert.ok(hasTag(exit, String(status)), `${status}`);
  assert.ok(hasTag(exit, `${EXIT.SIGNAL_BASE}+N`));
  assert.ok(hasTag(exit, "the command's status"));
  const signals = sections.get('SIGNALS')!;
  for (const tag of ['SIGINT, SIGTERM, SIGHUP, SIGQUIT', 'SIGTSTP (Ctrl-Z), SIGCONT', 'SIGUSR1', 'SIGPIPE'])
    assert.ok(hasTag(signals, tag), tag);
  // Every variable timer reads, the one it sets for a pipeline's stages, and TMPDIR (os.tmpdir()).
  const environment = sections.get('ENVIRONMENT')!;
  for (const variable of [...variablesRead('src/timer'), 'PIPESTAGE_TRACE', 'TMPDIR'])
    assert.ok(hasTag(environment, variable), variable);
  assert.deepEqual([...variablesRead('src/timer')].sort(), ['PATH', 'TERM']);
  for (const tag of ['/proc', 'the trace file', 'the report file']) assert.ok(hasTag(sections.get('FILES')!, tag), tag);
});
