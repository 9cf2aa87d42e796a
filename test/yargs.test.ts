// The command line on yargs 17: each setting that differs from yargs' defaults, shown through the real
// executables where a user sees it (on the configured yargs itself where only it can show it); getopt's
// abbreviations; completion through bash's own completion; stdout left blocking while a tool runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sh } from './helpers.js';
import { parseArgs, yargsFor } from '../src/args/program.js';
import type { OptionTable, ProgramSpec } from '../src/args/spec.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'pipestage-yargs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The two lines of a usage error. */
const usage = (tool: string, message: string): string =>
  `${tool}: ${message}\nTry '${tool} --help' for more information.\n`;

/** Runs each command and checks its stdout, stderr and status exactly. */
async function expectAll(cases: [command: string, stdout: string, stderr: string, status: number][]): Promise<void> {
  for (const [command, stdout, stderr, status] of cases) {
    const result = await sh(command);
    assert.deepEqual([result.stdout, result.stderr, result.exitCode], [stdout, stderr, status], command);
  }
}

/** yargs as configured for a table, with its failures thrown. */
const TABLE: OptionTable = {
  'from-input': { type: 'boolean', describe: '' },
  progress: { type: 'boolean', describe: '' },
  'no-progress': { type: 'boolean', describe: '' },
  trace: { type: 'string', describe: '' },
};
const yargsParse = (argv: string[]) =>
  yargsFor(TABLE, false)
    .fail((message) => {
      throw new Error(message);
    })
    .parseSync(argv);

test("boolean negation is off: timer's --no-progress is an option of its own, --no-time is unknown", async () => {
  await expectAll([
    // (were it progress negated, the command would run)
    ['timer --no-progress -- true', '', usage('timer', '--no-progress is for --pipeline'), 2],
    ['mul --no-time </dev/null', '', usage('mul', "unrecognized option '--no-time'"), 2],
  ]);
  const { $0, ...parsed } = yargsParse(['--no-progress']);
  assert.deepEqual(parsed, { _: [], 'no-progress': true });
});

test('a repeated option is not made an array: the last one wins, as with getopt', async () => {
  await expectAll([
    ['echo 5 | mul --repeat 3 --repeat 1', '120\n', '', 0],
    ['echo 5 | mul -r 7 --repeat=9 -r1', '120\n', '', 0],
    ["timer --label a --label b -- true 2>&1 | cut -d' ' -f1,2", 'timer: b:\n', '', 0],
  ]);
});

test('numbers are not parsed: values and operands stay as typed', async () => {
  await expectAll([
    ['timer -- printf %s 1e3 0x10 2>/dev/null', '1e30x10', '', 0],
    ["timer --label 1e3 -- true 2>&1 | cut -d' ' -f1,2", 'timer: 1e3:\n', '', 0],
    [
      'mul --repeat 1e3 </dev/null',
      '',
      usage('mul', "invalid value '1e3' for --repeat: expected an integer from 1 to 1000000000"),
      2,
    ],
    [
      'mul -r 0x10 </dev/null',
      '',
      usage('mul', "invalid value '0x10' for -r: expected an integer from 1 to 1000000000"),
      2,
    ],
    ['echo 3 | mul --repeat 007', '6\n', '', 0],
  ]);
});

test('camel-case and dot-notation expansion are off', async () => {
  const parsed = yargsParse(['--from-input', '--trace', 'x']);
  assert.deepEqual(Object.keys(parsed).sort(), ['$0', '_', 'from-input', 'trace']);
  assert.throws(() => yargsParse(['--fromInput']), /^Error: Unknown argument: fromInput$/);
  assert.throws(() => yargsParse(['--trace.x', '5']), /^Error: Unknown argument: trace\.x$/);
  await expectAll([
    ['mul --trace.x 5 </dev/null', '', usage('mul', "unrecognized option '--trace.x'"), 2],
    ['sleep-task --fromInput </dev/null', '', usage('sleep-task', "unrecognized option '--fromInput'"), 2],
  ]);
});

test("a value may begin with '-' where the option takes one; it is never read as an option", async () => {
  await expectAll([
    ["timer --label -v -- true 2>&1 | cut -d' ' -f1,2", 'timer: -v:\n', '', 0],
    ["timer --label --rep -- true 2>&1 | cut -d' ' -f1,2", 'timer: --rep:\n', '', 0],
    [
      'mul -r -1 </dev/null',
      '',
      usage('mul', "invalid value '-1' for -r: expected an integer from 1 to 1000000000"),
      2,
    ],
    ['mul -r-1 </dev/null', '', usage('mul', "invalid value '-1' for -r: expected an integer from 1 to 1000000000"), 2],
    ['mul -rx </dev/null', '', usage('mul', "invalid value 'x' for -r: expected an integer from 1 to 1000000000"), 2],
  ]);
});

test("a negative number where an option is expected is an invalid option (GNU), '-' is standard input", async () => {
  await expectAll([
    ['mul -1 </dev/null', '', usage('mul', "invalid option -- '1'"), 2],
    ['add -12 </dev/null', '', usage('add', "invalid option -- '1'"), 2],
    ['timer -1 true', '', usage('timer', "invalid option -- '1'"), 2],
    ['echo 4 | mul -r 1 -', '24\n', '', 0],
    ['echo 3 | mul --repeat=5 -- -', '6\n', '', 0],
  ]);
});

test('the fail handler tells -q from --q: invalid option vs unrecognized option', async () => {
  await expectAll([
    ['add -q </dev/null', '', usage('add', "invalid option -- 'q'"), 2],
    ['add --q </dev/null', '', usage('add', "unrecognized option '--q'"), 2],
    ['add -zq </dev/null', '', usage('add', "invalid option -- 'q'"), 2],
    ['add -z- </dev/null', '', usage('add', "invalid option -- '-'"), 2],
    ['add --bogus=1 </dev/null', '', usage('add', "unrecognized option '--bogus=1'"), 2],
    ['add --repeat </dev/null', '', usage('add', "option '--repeat' requires an argument"), 2],
    ['add -r </dev/null', '', usage('add', "option requires an argument -- 'r'"), 2],
    ['add --formula=yes </dev/null', '', usage('add', "option '--formula' doesn't allow an argument"), 2],
  ]);
});

test('unique prefixes of long options are accepted (getopt_long); an ambiguous one names its possibilities', async () => {
  await expectAll([
    ['echo 5 | mul --rep 1', '120\n', '', 0],
    ['echo 5 | mul --r=1', '120\n', '', 0],
    ['echo a | sleep-task --fo 1ms', 'a\n', '', 0],
    ['mul --vers', '0.1.0\n', '', 0],
    ['mul --t </dev/null', '', usage('mul', "option '--t' is ambiguous; possibilities: '--time' '--trace'"), 2],
    [
      'sleep-task --f=1s </dev/null',
      '',
      usage('sleep-task', "option '--f=1s' is ambiguous; possibilities: '--for' '--from-input'"),
      2,
    ],
    ['add --form=yes </dev/null', '', usage('add', "option '--formula' doesn't allow an argument"), 2],
    ['add --rep </dev/null', '', usage('add', "option '--repeat' requires an argument"), 2],
    // timer's COMMAND and its arguments are its own: nothing after it is expanded
    ['timer printf %s --rep 2>/dev/null', '--rep', '', 0],
    ["timer --lab x -- printf '%s ' --rep -r1 1e3 2>/dev/null", '--rep -r1 1e3 ', '', 0],
  ]);
  // A whole name is that option even when it begins another.
  const spec: ProgramSpec = {
    name: 'demo',
    summary: '',
    synopsis: '',
    description: '',
    options: { time: { type: 'boolean', describe: '' }, timeout: { type: 'integer', describe: '' } },
  };
  assert.deepEqual(parseArgs(spec, ['--time', '--timeo', '5']), {
    action: 'run',
    options: { time: true, timeout: 5 },
    operands: [],
  });
  assert.throws(() => parseArgs(spec, ['--tim']), {
    message: "option '--tim' is ambiguous; possibilities: '--time' '--timeout'",
  });
});

test('--help and --version met before a bad option win, as getopt stops there; after one, the error', async () => {
  const help = await sh('mul --help --bogus');
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /^Usage: mul \[options\] \[FILE\.\.\.\]\n/);
  await expectAll([['mul --bogus --help', '', usage('mul', "unrecognized option '--bogus'"), 2]]);
});

test('stdout stays blocking while each tool runs (yargs reads no terminal width)', async () => {
  // Node makes a pipe on fd 1 non-blocking once process.stdout is touched, until the process exits:
  // the flags are read from /proc while the tool runs, after its first output.
  // Both ends wait for a file the test makes once the flags are read: the tool runs until then.
  const flagsWhileRunning = async (command: string, pidOf = '$pid'): Promise<number> => {
    const dir = mkdtempSync(path.join(scratch, 'fd-'));
    const held = `until [ -e ${dir}/read ]; do sleep 0.02; done`;
    const { stdout, stderr } = await sh(
      `mkfifo ${dir}/out; { dd bs=1 count=1 of=${dir}/first 2>/dev/null; ${held}; cat >/dev/null; } <${dir}/out & ` +
        `{ echo 5; ${held}; } | ${command} >${dir}/out & pid=$!; ` +
        `until [ -s ${dir}/first ]; do sleep 0.02; done; sed -n 's/^flags:\\s*//p' /proc/${pidOf}/fdinfo/1; ` +
        `touch ${dir}/read; wait`,
    );
    assert.match(stdout, /^[0-7]+\n$/, `${command}: ${stderr}`);
    return Number.parseInt(stdout, 8);
  };
  const O_NONBLOCK = 0o4000;
  const commands = ['mul --repeat 1', 'add', 'sleep-task --for 0ms', 'add --workers 2'];
  const flags = await Promise.all(commands.map((command) => flagsWhileRunning(command)));
  for (const [index, command] of commands.entries()) assert.equal(flags[index]! & O_NONBLOCK, 0, command);
  // timer writes through a Node stream (its fd 1 is non-blocking by design, as before yargs); the stage it
  // wraps writes to timer's pipe and keeps it blocking.
  assert.equal((await flagsWhileRunning('timer --output /dev/null -- mul -r 1', '$(pgrep -P $pid)')) & O_NONBLOCK, 0);
});

/** Presses Tab after each line in an interactive bash that sourced the tools' completion scripts. */
async function pressTab(lines: string[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(scratch, 'tab-'));
  writeFileSync(path.join(dir, 'alpha.txt'), '');
  writeFileSync(path.join(dir, 'beta.txt'), '');
  const driver = path.join(scratch, 'tab.py');
  writeFileSync(
    driver,
    `import os, pty, re, select, sys
pid, fd = pty.fork()
if pid == 0:
    os.chdir(${JSON.stringify(dir)})
    env = {**os.environ, 'PS1': '$ ', 'INPUTRC': '/dev/null', 'TERM': 'dumb'}
    os.execvpe('bash', ['bash', '--norc', '--noprofile', '-i'], env)
def until(pattern):
    out = b''
    while not re.search(pattern, out):
        if not select.select([fd], [], [], 10)[0]: sys.exit('timed out waiting for %r in %r' % (pattern, out))
        out += os.read(fd, 65536)
    return out
os.write(fd, b'bind "set bell-style none"; bind "set show-all-if-ambiguous on"\\n')
# Ctrl-T prints the line as readline holds it: typed after a Tab, it shows what the Tab completed
# (readline handles keys in order), and the driver waits for it, not for a time.
os.write(fd, b'''bind -x '"\\\\C-t": printf "<line %s>\\\\n" "$READLINE_LINE"'\\n''')
for tool in ['mul', 'timer']: os.write(fd, f'source <({tool} completion)\\n'.encode())
os.write(fd, b'echo "RE""ADY"\\n')
until(rb'READY\\r\\n')
for line in sys.argv[1:]:
    os.write(fd, line.encode() + b'\\t\\x14')
    out = until(rb'<line [^\\n]*>\\r?\\n')
    sys.stdout.write(out.decode('utf8', 'replace').replace('\\r', '') + '<end>\\n')
    os.write(fd, b'\\x15')
os.write(fd, b'exit\\n')
`,
  );
  const quoted = lines.map((line) => `'${line}'`).join(' ');
  const { stdout, exitCode } = await sh(`python3 ${driver} ${quoted}`);
  assert.equal(exitCode, 0);
  return stdout.split('<end>\n').slice(0, lines.length);
}

test('Tab after an option that takes a number offers its default or nothing, never file names', async () => {
  const screens = await pressTab(['mul --repeat ', 'mul -r ', 'timer report --width ', 'mul --trace ']);
  const [repeat, short, width, trace] = screens;
  // (the line as readline holds it after the Tab)
  const line = (screen: string | undefined): string | undefined => /<line (.*)>\n/.exec(screen ?? '')?.[1];
  assert.equal(line(repeat), 'mul --repeat 4000000 ');
  assert.equal(line(short), 'mul -r 4000000 ');
  assert.equal(line(width), 'timer report --width ');
  // a file is expected there: the same bash offers the directory's files
  assert.match(trace!, /alpha\.txt\s+beta\.txt/);
});

test("sleep-task's synopsis shows --workers, which it takes as every stage does", async () => {
  const forms = [
    'sleep-task --for DURATION [--workers N] [options] [FILE...]',
    'sleep-task --from-input [--workers N] [options] [FILE...]',
  ];
  const help = await sh('sleep-task --help');
  assert.deepEqual(help.stdout.split('\n').slice(0, 2), [`Usage: ${forms[0]}`, `       ${forms[1]}`]);
  const man = await sh('MANWIDTH=100 man -l dist/man/sleep-task.1 | col -b');
  const synopsis = /^SYNOPSIS\n([\s\S]*?)\n\n/m.exec(man.stdout)?.[1];
  assert.deepEqual(
    synopsis?.split('\n').map((line) => line.trim()),
    forms,
  );
  await expectAll([['printf "1\\n2\\n" | sleep-task --for 1ms --workers 2', '1\n2\n', '', 0]]);
});
