// Promises of the command lines, each through the built executables: a closed stdout is not an error,
// `--` ends the options (README: "parses its options as GNU tools do (`--repeat=5`, `-r5`, `--`)";
// man timer: `timer [options] [--] COMMAND [ARG...]`), and the options that are for `timer -- COMMAND`
// only are usage errors with --pipeline (man timer, PIPELINES: "--each, -z, --label and --progress are
// for timer -- COMMAND only ... (both usage errors)").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type Case, mismatch, sh } from './helpers.js';

async function check(cases: Case[]): Promise<void> {
  const failures: string[] = [];
  await Promise.all(
    cases.map(async (c) => {
      const why = mismatch(c, await sh(c.command, c.stdin));
      if (why) failures.push(`${c.name}: ${why}`);
    }),
  );
  assert.deepEqual(failures, []);
}

// Node reopens a closed fd 1 as /dev/null before any code runs (docs of an earlier README: "stdout
// closed (`>&-`): the output is discarded, exit 0"); coreutils would say EBADF and exit 1. The stages
// promise the former: nothing on stderr, status 0, and the next command of the script still runs.
test('a stage with stdout closed (>&-) exits 0, quietly', async () => {
  await check(
    [
      ['add', 'seq 3 | add >&-'],
      ['add --formula', 'seq 3 | add --formula >&-'],
      ['mul', 'seq 3 | mul --repeat 1 >&-'],
      ['mul --workers 2', 'seq 3 | mul --repeat 1 --workers 2 >&-'],
      ['sleep-task', 'seq 3 | sleep-task --for 1ms >&-'],
      ['sleep-task --concurrency', 'seq 3 | sleep-task --for 1ms --concurrency 3 >&-'],
      ['timer -- cat', 'seq 3 | timer --output /dev/null -- cat >&-'],
    ].map(([name, command]) => ({
      name: name!,
      command: `${command}; echo "status $?"`,
      stdout: 'status 0\n',
      stderr: '',
      exitCode: 0,
    })),
  );
});

test('`--` ends the options: what follows is the command (timer) or a FILE operand (stages)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipestage-dashdash-'));
  try {
    // A file named like an option: after `--` it is read, before it the option is parsed.
    writeFileSync(path.join(dir, '--repeat'), '4\n');
    writeFileSync(path.join(dir, '-5'), '5\n');
    await check([
      // timer's own options end at `--`: --repeat, --help and --formula reach the command.
      {
        name: 'timer -- mul --repeat 0',
        command: 'echo 3 | timer --output /dev/null -- mul --repeat 0',
        stderr: /^mul: invalid value '0' for --repeat: expected an integer from 1 to 1000000000\n/,
        exitCode: 2,
      },
      {
        name: 'timer -- mul --repeat 2',
        command: 'echo 3 | timer --output /dev/null -- mul --repeat 2',
        stdout: '6\n',
        exitCode: 0,
      },
      {
        name: 'timer -- mul --help',
        command: 'timer --output /dev/null -- mul --help',
        stdout: /^Usage: mul \[options\] \[FILE\.\.\.\]\n/,
        exitCode: 0,
      },
      {
        name: 'timer -- add --formula',
        command: 'echo 100000000 | timer --output /dev/null -- add --formula',
        stdout: '5000000050000000\n',
        exitCode: 0,
      },
      // After `--` a word that looks like timer's option is the command's name.
      {
        name: 'timer -- --json',
        command: 'timer -- --json',
        stdout: '',
        stderr: /^timer: failed to run command '--json': No such file or directory\n/,
        exitCode: 127,
      },
      // Stages: after `--`, `-5` and `--repeat` are files; before it, options.
      {
        name: 'mul -5',
        command: `cd ${dir} && mul -5`,
        stdout: '',
        stderr: "mul: invalid option -- '5'\nTry 'mul --help' for more information.\n",
        exitCode: 2,
      },
      { name: 'mul -r1 -- -5', command: `cd ${dir} && mul -r1 -- -5`, stdout: '120\n', exitCode: 0 },
      { name: 'mul -r1 -- --repeat', command: `cd ${dir} && mul -r1 -- --repeat`, stdout: '24\n', exitCode: 0 },
      { name: 'add -- --repeat -5', command: `cd ${dir} && add -- --repeat -5`, stdout: '10\n15\n', exitCode: 0 },
      {
        name: 'sleep-task --for 1ms -- -5',
        command: `cd ${dir} && sleep-task --for 1ms -- -5`,
        stdout: '5\n',
        exitCode: 0,
      },
      {
        name: 'mul -- missing',
        command: `cd ${dir} && mul -r1 -- --nothing`,
        stdout: '',
        stderr: "mul: cannot open '--nothing': No such file or directory\n",
        exitCode: 1,
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--each, -z, --label and --progress with --pipeline: exit 2 with a usage message, nothing run', async () => {
  const usage = (option: string): string =>
    `timer: ${option} is not for --pipeline\nTry 'timer --help' for more information.\n`;
  await check(
    [
      ['--each', '--each', '--each'],
      ['-z', '-z', '--null'],
      ['--null', '--null', '--null'],
      ['--label', '--label x', '--label'],
      ['--label=', '--label=x', '--label'],
      ['--progress', '--progress', '--progress'],
      // before --pipeline as well as after it
      ['--each first', '--each --pipeline', '--each'],
    ].map(([name, option, shown]) => ({
      name: name!,
      command: option!.endsWith('--pipeline') ? `timer ${option} 'echo ran'` : `timer --pipeline 'echo ran' ${option}`,
      stdout: '',
      stderr: usage(shown!),
      exitCode: 2,
    })),
  );
});

test('--pipeline with an empty or blank value: exit 2 with a usage message, nothing run', async () => {
  const usage = "timer: --pipeline needs a pipeline (its value is empty)\nTry 'timer --help' for more information.\n";
  await check(
    [
      "timer --pipeline ''",
      "timer --pipeline '  ' --json",
      'timer --pipeline= --svg x.svg',
      "timer --pipeline '\n'",
    ].map((command) => ({ name: command, command, stdout: '', stderr: usage, exitCode: 2 })),
  );
});
