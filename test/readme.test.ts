// The README works as written, for a new user on a fresh clone: every command of its ```sh blocks runs,
// in order, in one bash, in a copy of the tree (so that its build does not rewrite dist/ under the tests
// running beside it), with a clean environment whose PATH is the system's only — the tools are on PATH
// only once the README's own `export PATH=…` has put them there. Its blocks of program output are
// figures that equal the generated files they come from, and the links of every doc resolve.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { npmEnv, ROOT } from './helpers.js';

const readme = readFileSync(`${ROOT}/README.md`, 'utf8');

/** README commands not run here, each with why: a small, explicit list. */
const NOT_RUN = new Map([['npm test', 'the test suite itself, which runs this test']]);

/** The system's PATH: what a new user's shell has before the README adds bin/ to it. */
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

interface Block {
  info: string;
  body: string;
  /** the lines just before the opening fence and just after the closing one */
  before: string;
  after: string;
}

/** The fenced code blocks of a markdown text. */
function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^\s*```(.*)$/.exec(lines[index]!);
    if (!open) continue;
    const close = lines.findIndex((line, at) => at > index && /^\s*```\s*$/.test(line));
    assert.ok(close > index, `README line ${index + 1}: a code block that is never closed`);
    blocks.push({
      info: open[1]!.trim(),
      body: lines.slice(index + 1, close).join('\n'),
      before: lines[index - 1] ?? '',
      after: lines[close + 1] ?? '',
    });
    index = close;
  }
  return blocks;
}

/** The commands of a ```sh block: one per line (a line ending in `\` goes on), blank lines left out. */
function commandsOf(body: string): string[] {
  return body
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

const shellCommands = fencedBlocks(readme)
  .filter((block) => block.info === 'sh')
  .flatMap((block) => commandsOf(block.body));

test('the README is a landing page: under 200 lines', () => {
  const lines = readme.split('\n').length;
  assert.ok(lines < 200, `README.md has ${lines} lines`);
});

test('the Quick start is npm install && npm run demo, the PATH line, npm test', () => {
  const quickStart = /^## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/m.exec(readme);
  assert.ok(quickStart, 'no ```sh block in a Quick start section');
  assert.deepEqual(quickStart[1]!.trim().split('\n'), [
    'npm install && npm run demo',
    'export PATH="$PWD/bin:$PATH"',
    'npm test',
  ]);
});

test('every block of the README is commands to run, or a figure equal to the file it comes from', () => {
  const figures = fencedBlocks(readme).filter((block) => block.info !== 'sh');
  assert.ok(figures.length > 0, 'the README shows no figure (its lead example is one)');
  for (const block of figures) {
    const marker = /^<!-- figure (\S+) -->$/.exec(block.before);
    assert.ok(marker, `a block of output that is no figure (no <!-- figure FILE --> before it):\n${block.body}`);
    assert.equal(block.after, '<!-- end figure -->', `${marker[1]}: no <!-- end figure --> after the block`);
    const file = marker[1]!;
    assert.equal(
      `${block.body}\n`,
      readFileSync(path.join(ROOT, file), 'utf8'),
      `the README's copy of ${file} differs from the file (scripts/readme-figures.sh regenerates it): copy it in`,
    );
  }
});

/** The markdown files whose links must resolve. */
function docFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs].filter((file) => existsSync(path.join(ROOT, file)));
}

/** A heading's anchor as GitHub makes it. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1]!)));
}

test('the relative links of the README, CONTRIBUTING.md and docs/*.md name files (and headings) that exist', () => {
  const files = docFiles();
  assert.ok(files.includes('CONTRIBUTING.md') && files.includes('docs/design.md') && files.includes('docs/formats.md'));
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/^\s*```[\s\S]*?^\s*```/gm, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [where, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = where === '' ? file : path.normalize(path.join(path.dirname(file), where));
      if (!existsSync(path.join(ROOT, resolved))) broken.push(`${file}: ${target} (no file ${resolved})`);
      else if (anchor !== undefined && resolved.endsWith('.md')) {
        if (!anchorsOf(readFileSync(path.join(ROOT, resolved), 'utf8')).has(anchor))
          broken.push(`${file}: ${target} (no such heading in ${resolved})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

/** Every file of a tree but the installed and built ones, with a hash of its content. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const name = path.join(dir, entry.name);
      if (['node_modules', 'dist', '.test-build'].includes(name)) continue;
      if (entry.isDirectory()) walk(name);
      else
        files.set(
          name,
          createHash('sha1')
            .update(readFileSync(path.join(root, name)))
            .digest('hex'),
        );
    }
  };
  walk('');
  return files;
}

/**
 * The installed packages, for the copy: hard links where the file system allows (a copy of 200 MB
 * costs seconds of CPU), else a copy. npm rewrites node_modules/.package-lock.json in place, so that
 * one file is the copy's own.
 */
function linkPackages(from: string, to: string): void {
  const linked = spawnSync('cp', ['-al', from, to]);
  if (linked.status !== 0) {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    return;
  }
  const lock = path.join(to, '.package-lock.json');
  if (existsSync(lock)) {
    const text = readFileSync(lock);
    rmSync(lock);
    writeFileSync(lock, text);
  }
}

/**
 * `npm run demo`'s output: the files it wrote are in the directory it names (a new temporary one, since
 * the README names none), and its table adds up: speedup = bound × efficiency.
 */
function checkDemo(stdout: string): void {
  const match = /^demo\.sh: its files are in (\/.+)$/m.exec(stdout);
  assert.ok(match, `no 'demo.sh: its files are in DIR' line in:\n${stdout}`);
  const dir = match[1]!;
  try {
    assert.ok(dir.startsWith(`${tmpdir()}/pipestage-demo.`), dir);
    assert.deepEqual(readdirSync(dir).sort(), [
      'demo-output.txt',
      'pipelined.svg',
      'pipelined.trace.json',
      'sequential-add.trace.json',
      'sequential-mul.trace.json',
    ]);
    // What it printed (after npm's own lines), but the line naming the directory, is demo-output.txt.
    const kept = `${readFileSync(path.join(dir, 'demo-output.txt'), 'utf8')}demo.sh: its files are in ${dir}\n`;
    assert.ok(stdout.endsWith(kept), `demo-output.txt is not what the demo printed:\n${kept}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const row = /^pipelined +\d+ms +\d+ms +([\d.]+) +([\d.]+) +([\d.]+)$/m.exec(stdout);
  assert.ok(row, stdout);
  const [speedup, bound, efficiency] = row.slice(1).map(Number) as [number, number, number];
  // Each printed to 2 decimals: the product is off by rounding only.
  assert.ok(Math.abs(speedup - bound * efficiency) <= 0.005 + 0.005 * (bound + efficiency), row[0]);
  assert.match(stdout, /^efficiency: speedup \/ bound, that is \d+ \/ \d+ ms/m);
  assert.match(stdout, /^calibration: (both stages within 15%|aimed at ~40 ms per item, got (mul|add) \d+ ms)/m);
}

const copy = mkdtempSync(path.join(tmpdir(), 'pipestage-readme-'));
const outputs = mkdtempSync(path.join(tmpdir(), 'pipestage-readme-out-'));
after(() => {
  rmSync(copy, { recursive: true, force: true });
  rmSync(outputs, { recursive: true, force: true });
});

test('every command of the README runs in order, as a new user runs it (clean environment, copy of the tree)', {
  timeout: 180_000,
}, async () => {
  // The files git would clone (tracked, and new ones not ignored), and the installed packages.
  const { stdout: files } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
  });
  for (const file of files.split('\0').filter((name) => name !== '')) {
    try {
      cpSync(path.join(ROOT, file), path.join(copy, file), { recursive: true });
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  linkPackages(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const before = snapshot(copy);

  const commands = shellCommands.filter((command) => !NOT_RUN.has(command.trim()));
  assert.deepEqual(
    shellCommands.filter((command) => NOT_RUN.has(command.trim())),
    [...NOT_RUN.keys()],
    'a command of the not-run list is no longer in the README',
  );
  // One bash, as a terminal: what a command sets (PATH, a variable) holds for the ones after it. Each
  // command's output and status go to files of their own ({ } keeps it in this shell).
  const script = commands
    .map(
      (command, index) =>
        `{ ${command}\n} >${outputs}/${index}.out 2>${outputs}/${index}.err </dev/null\necho $? >${outputs}/${index}.status`,
    )
    .join('\n');
  writeFileSync(path.join(outputs, 'readme.sh'), `${script}\n`);
  const certificates = process.env['NODE_EXTRA_CA_CERTS'];
  // The demo's items are made lighter (its environment knobs): the same commands, a shorter run.
  const env = npmEnv({
    PATH: SYSTEM_PATH,
    HOME: process.env['HOME'] ?? copy,
    DEMO_ITEM_MS: '40',
    DEMO_ITEMS: '4',
    ...(certificates ? { NODE_EXTRA_CA_CERTS: certificates } : {}),
  });
  await execa('bash', [path.join(outputs, 'readme.sh')], { cwd: copy, env, extendEnv: false, timeout: 150_000 });

  for (const [index, command] of commands.entries()) {
    const read = (what: string): string => readFileSync(path.join(outputs, `${index}.${what}`), 'utf8');
    const stdout = read('out');
    const stderr = read('err');
    assert.equal(read('status'), '0\n', `${command}\nexited ${read('status')}${stdout}\n${stderr}`);
    const prints = /#\s*prints (.+)$/.exec(command);
    if (prints) assert.deepEqual({ command, stdout, stderr }, { command, stdout: `${prints[1]}\n`, stderr: '' });
    if (command.includes('npm run demo')) {
      checkDemo(stdout);
      assert.match(stdout, /both runs produced the same 4 results \(796675481078400 each\)/);
      // (b) as timer --pipeline profiled it: the bottleneck (or balanced stages) and the prediction
      assert.match(stdout, /^ {2}bottleneck: (mul|add|none \(balanced)/m);
      // (or none, and why, where the model itself says the change would not help: the run's load moves the figures)
      assert.match(
        stdout,
        /^ {2}suggested: (.*\| (mul|add) [^|]*--workers 2.*\n {2}predicted: \S+ \(now |none — (the cores are|the model gives (mul|add) |no single stage))/m,
      );
    }
    if (/^timer --pipeline /.test(command)) assert.match(stderr, /^bottleneck: /m, command);
    if (/^timer report /.test(command)) assert.match(stdout, /^pipeline: 2 stages, wall /, command);
  }
  // The README's commands leave the tree as they found it (they write into directories they name).
  assert.deepEqual(snapshot(copy), before);
});
