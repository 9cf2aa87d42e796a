// What a Unix user expects of every executable beyond its data: completion that never runs anything,
// man pages from the same tables as --help, help that fits the terminal, GNU-style usage messages.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT, sh, shBytes } from './helpers.js';
import { helpText } from '../src/args/help.js';
import { program as mulProgram } from '../src/cli/mul.js';
import { program as addProgram } from '../src/cli/add.js';
import { program as sleepProgram } from '../src/cli/sleep-task.js';
import { program as timerProgram } from '../src/cli/timer.js';
import type { ProgramSpec } from '../src/args/spec.js';

const PROGRAMS: Record<string, ProgramSpec> = {
  mul: mulProgram,
  add: addProgram,
  'sleep-task': sleepProgram,
  timer: timerProgram,
};

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-citizen-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';

/** Each tool's completion script, as `TOOL completion` prints it (once for every test). */
const scripts = sh(
  `for tool in mul add sleep-task timer; do $tool completion >${scratch}/$tool.completion || exit 1; done`,
).then(({ exitCode, stderr }) => {
  assert.equal(exitCode, 0, stderr);
  assert.equal(stderr, '');
});

/**
 * Completes the last word of each of `cases` as bash would: each tool's completion script is sourced
 * (once, in one bash, from what `TOOL completion` printed), then for each case the function `complete -p TOOL` names is called with
 * COMP_WORDS/COMP_CWORD set. With `withLibrary`, bash-completion is loaded first (where it is
 * installed), as in an interactive Debian shell.
 */
async function completeAll(cases: string[][], withLibrary = false): Promise<string[][]> {
  await scripts;
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  const script = [
    withLibrary ? `. ${BASH_COMPLETION}` : ':',
    ...['mul', 'add', 'sleep-task', 'timer'].map((tool) => `source ${path.join(scratch, `${tool}.completion`)}`),
    ...cases.flatMap((words) => [
      `fn=$(complete -p ${words[0]} | sed 's/.* -F \\([^ ]*\\) .*/\\1/')`,
      `COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}; COMPREPLY=()`,
      `"$fn" ${words[0]} "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"`,
      `printf '%s\\n' "\${COMPREPLY[@]}"; echo '<end>'`,
    ]),
  ].join('\n');
  const file = path.join(scratch, `complete-${withLibrary}.bash`);
  writeFileSync(file, script);
  const { stdout, exitCode } = await sh(`cd ${scratch} && bash ${file} 2>/dev/null`);
  assert.equal(exitCode, 0);
  return stdout
    .split('<end>\n')
    .slice(0, cases.length)
    .map((block) => block.split('\n').filter((line) => line !== ''));
}

const hasLibrary = existsSync(BASH_COMPLETION);
/** Each completion test runs twice: bare bash, and bash-completion loaded (skipped, and said, without it). */
const libraries = [
  { withLibrary: false, name: 'bare bash', skip: false as const },
  { withLibrary: true, name: 'bash-completion loaded', skip: !hasLibrary && 'bash-completion is not installed' },
];

for (const { withLibrary, name, skip } of libraries) {
  test(`completion (${name}) lists each tool's options and values, timer report's too, and prints no error`, {
    skip,
  }, async () => {
    const [repeat, options, modes, modeEquals, progress, report, reportWord, command, pipeline] = await completeAll(
      [
        ['mul', '--re'],
        ['add', '--'],
        ['sleep-task', '--mode', ''],
        ['sleep-task', '--mode', '=', 'b'],
        ['timer', '--pro'],
        ['timer', 'report', '--'],
        ['timer', 'rep'],
        ['timer', '--label', 'x', 'sleep-t'],
        ['timer', '--pi'],
      ],
      withLibrary,
    );
    assert.deepEqual(repeat, ['--repeat']);
    assert.deepEqual(options, [
      '--repeat',
      '--formula',
      '--null',
      '--time',
      '--trace',
      '--workers',
      '--help',
      '--version',
    ]);
    assert.deepEqual(modes, ['wait', 'block', 'spin']);
    assert.deepEqual(modeEquals, ['block']);
    assert.deepEqual(progress, ['--progress']);
    assert.deepEqual(report, ['--width', '--svg', '--csv', '--joblog', '--help', '--version']);
    assert.ok(reportWord!.includes('report'));
    // after timer's options, the command: names from PATH
    assert.ok(command!.includes('sleep-task'));
    assert.deepEqual(pipeline, ['--pipeline']);
  });

  test(`pressing Tab after timer -- COMMAND (${name}) completes the command and its arguments, never runs it`, {
    skip,
  }, async () => {
    const made = path.join(scratch, `made-${withLibrary}`);
    const cases = [
      ['timer', '--', 'touch', made, ''],
      ['timer', 'touch', made, ''],
      ['timer', '--trace', made, '--', 'touch', made, '--'],
      ['timer', '--', 'sh', '-c', `touch ${made}`, ''],
      ['timer', '--', 'tou'],
      ['timer', '--', 'touch', 'mul.compl'],
    ];
    const [afterTouch, bareTouch, , , commandName, fileName] = await completeAll(cases, withLibrary);
    assert.equal(existsSync(made), false, 'Tab ran the command');
    // touch's arguments are files (the completion scripts written here, in the current folder); after
    // `sh -c SCRIPT` bash-completion offers nothing, bare bash files.
    for (const words of [afterTouch, bareTouch]) assert.ok(words!.includes('mul.completion'), String(words));
    assert.ok(commandName!.includes('touch'), String(commandName));
    assert.deepEqual(fileName, ['mul.completion']);
  });
}

test('man pages: every executable has one, made from its option table; man -l renders it with nothing on stderr', async () => {
  const pages = readdirSync(path.join(ROOT, 'dist', 'man')).sort();
  assert.deepEqual(pages, ['add.1', 'mul.1', 'sleep-task.1', 'timer.1']);
  const rendered: Record<string, string> = {};
  for (const page of pages) {
    const name = page.slice(0, -2);
    const { stdout, stderr, exitCode } = await sh(`MANWIDTH=80 man -l dist/man/${page} | col -b`);
    assert.equal(exitCode, 0);
    assert.equal(stderr, '', page);
    assert.match(stdout, new RegExp(`^NAME\\n\\s+${name}\\s+-\\s`, 'm'));
    // Every option --help lists (the same table's help, made here) is in the man page.
    for (const option of helpText(PROGRAMS[name]!, 80).match(/--[a-z-]+/g) ?? [])
      assert.ok(stdout.includes(option), `${page} lacks ${option}`);
    rendered[name] = stdout;
  }
  assert.match(rendered['timer']!, /timer report \[--width N\] \[--svg OUT\] \[--csv OUT\] FILE/);
  assert.match(rendered['timer']!, /--joblog JOBLOG/);
});

test("--help is wrapped once: 80 columns into a pipe, the terminal's width under a terminal, examples whole", async () => {
  for (const tool of ['mul', 'add', 'sleep-task', 'timer']) {
    const { stdout } = await sh(`${tool} --help`);
    for (const line of stdout.split('\n')) assert.ok(line.length <= 80, `${tool}: ${line}`);
  }
  const wide = await sh(`script -qec 'stty cols 132; sleep-task --help' /dev/null`);
  const lines = wide.stdout.split(/\r?\n/);
  assert.ok(
    lines.some((line) => line.length > 80),
    'not filled to the terminal',
  );
  assert.ok(lines.every((line) => line.length <= 132));
  assert.ok(wide.stdout.includes("  echo 'meatballs 2s block:1s 2s' | sleep-task --from-input\r\n"));
});

test('usage errors in GNU words; quoted input shows every byte that is not printable ASCII', async () => {
  const cases: [string, string][] = [
    ['mul --x </dev/null', "mul: unrecognized option '--x'"],
    ['add -q </dev/null', "add: invalid option -- 'q'"],
    ['add --repeat=1e3 </dev/null', "add: invalid value '1e3' for --repeat: expected an integer from 1 to 1000000000"],
    ["timer --label '' -- true", 'timer: --label: the label is empty'],
    ["timer --label 'a\nb' -- true", "timer: --label: invalid label 'a\\x0Ab' (control characters or line breaks)"],
  ];
  for (const [command, message] of cases) {
    const { stderr, exitCode } = await sh(command);
    assert.equal(exitCode, 2, command);
    assert.equal(stderr, `${message}\nTry '${command.split(' ')[0]} --help' for more information.\n`, command);
  }
  const nbsp = await sh("printf '1\\n\\302\\2402\\n' | add");
  assert.equal(nbsp.stdout, '1\n');
  assert.equal(nbsp.stderr, "add: line 2: invalid number '\\xC2\\xA02'\n");
  const one = await sh('echo 3 | mul --repeat 1 --time');
  assert.match(one.stderr, /^mul: line 1: .+\nmul: 1 line, busy .+\n$/);
});

test('SIGUSR1 never opens the inspector: a stage prints one progress line and goes on; timer its summary so far', async () => {
  // mul computes for a long time per line: each report must come between two lines, not after the run.
  const lines = (file: string, count: number): string =>
    `until [ "$(wc -l <${file})" -ge ${count} ]; do sleep 0.05; done`;
  // Node's own start-up (before the tool's first statement) cannot be guarded on Node 20: the signal is
  // sent once mul has written a result, so its code is certainly running.
  const stage = await sh(
    "yes 11 | mul -r 10000003 >/tmp/pipestage-usr1o-$$ 2>/tmp/pipestage-usr1-$$ & until p=$(pgrep -n -f 'bin/mul -r 1000000[3]$'); do sleep 0.05; done; " +
      `${lines('/tmp/pipestage-usr1o-$$', 1)}; kill -USR1 $p; ${lines('/tmp/pipestage-usr1-$$', 1)}; kill -USR1 $p; ${lines('/tmp/pipestage-usr1-$$', 2)}; kill $p; wait; cat /tmp/pipestage-usr1-$$; rm -f /tmp/pipestage-usr1-$$ /tmp/pipestage-usr1o-$$`,
  );
  const reports = stage.stdout.trim().split('\n');
  assert.equal(reports.length, 2, stage.stdout);
  for (const report of reports) assert.match(report, /^mul: \d+ lines?, busy [\d.]+m?s$/);
  const [first, second] = reports.map((report) => Number(/(\d+) line/.exec(report)![1]));
  assert.ok(second! > first!, 'the run did not go on');
  assert.doesNotMatch(stage.stdout, /Debugger|inspector|9229/);

  const timer = await sh(
    "yes 11 | timer -- mul -r 200000001 >/dev/null 2>/tmp/pipestage-usr1t-$$ & until pgrep -f 'bin/mul -r 20000000[1]' >/dev/null; do sleep 0.05; done; kill -USR1 $(pgrep -n -f 'bin/timer -- mul -r 20000000[1]'); " +
      lines('/tmp/pipestage-usr1t-$$', 1) +
      '; ' +
      "pkill -f '^node .*timer -- mul -r 200000001'; wait; cat /tmp/pipestage-usr1t-$$; rm -f /tmp/pipestage-usr1t-$$",
  );
  assert.match(timer.stdout, /^timer: mul: \d+ lines in, \d+ out, wall .+, user .+, sys .+ \(so far\)$/m);
  assert.doesNotMatch(timer.stdout, /Debugger|inspector|9229/);
});

test('every script answers --help with its usage and exits 0 without running anything', async () => {
  for (const script of ['bench', 'cpu-vs-io', 'demo', 'kitchen', 'pipeline', 'pools', 'readme-figures', 'scaling']) {
    const { stdout, stderr, exitCode } = await sh(`PATH=/nonexistent:/usr/bin:/bin bash scripts/${script}.sh --help`);
    assert.equal(exitCode, 0, script);
    assert.equal(stderr, '', script);
    assert.match(stdout, new RegExp(`^Usage: bash scripts/${script}\\.sh`), script);
    assert.ok(stdout.split('\n').length > 3, script);
  }
});

test('file operands on every stage, like cat and awk: in order, - for stdin, unopenable files reported, FILE:N in messages', async () => {
  const a = path.join(scratch, 'a.txt');
  const b = path.join(scratch, 'b.txt');
  await sh(`printf '1\\n2\\nx\\n' >${a}; printf '3\\n4' >${b}`);
  const add = await sh(`add ${a} ${scratch}/missing - ${b}`, '10\n');
  assert.equal(add.exitCode, 1);
  assert.equal(add.stdout, '1\n3\n55\n6\n10\n');
  assert.equal(
    add.stderr,
    `add: ${a}:3: invalid number 'x'\nadd: cannot open '${scratch}/missing': No such file or directory\n`,
  );
  const mul = await sh(`mul -r 1 ${b} ${scratch}`, '');
  assert.equal(mul.exitCode, 1);
  assert.equal(mul.stdout, '6\n24\n');
  assert.equal(mul.stderr, `mul: ${scratch}: read error: Is a directory\n`);
  const stdinNamed = await sh('add -', 'y\n');
  assert.equal(stdinNamed.stderr, "add: (standard input):1: invalid number 'y'\n");
  const stdinAlone = await sh('add', 'y\n');
  assert.equal(stdinAlone.stderr, "add: line 1: invalid number 'y'\n");
  const sleep = await sh(`sleep-task --for 1ms ${b} ${a}`);
  assert.equal(sleep.stdout, '3\n41\n2\nx\n'); // each line as read: b's last line has no newline
  assert.equal(sleep.exitCode, 0);
});

test('-z, --null on every stage and on timer: NUL-terminated items in and out', async () => {
  const { stdout } = await shBytes("printf '5\\0006\\0' | mul -z -r 1 | add --null --formula | od -An -c | tr -s ' '");
  assert.equal(stdout.toString().trim(), '7 2 6 0 \\0 2 5 9 5 6 0 \\0');
  const passed = await shBytes("printf 'a b\\nc\\0d' | sleep-task -z --for 1ms | od -An -c | tr -s ' '");
  assert.equal(passed.stdout.toString().trim(), 'a b \\n c \\0 d');
  const timed = await sh("printf 'a\\0b\\0c\\0' | timer -z -- cat >/dev/null");
  assert.match(timed.stderr, /^timer: cat: 3 lines in, 3 out,/);
});
