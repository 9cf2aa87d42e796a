// The layers of src/ (CONTRIBUTING.md): each folder imports only from folders below it, and no
// import closes a cycle. Read from the source text itself, so a new file is checked without a list.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

/** Each top folder of src/ and its rank: a folder may import only from folders of a lower rank. */
export const LAYERS: Record<string, number> = {
  base: 0,
  trace: 1,
  kernels: 1,
  args: 1,
  stage: 2,
  render: 2,
  timer: 3,
  cli: 4,
};

const SRC = path.join(ROOT, 'src');

/** Every relative import of a source file, resolved to a path under src/ (`x.js` names `x.ts`). */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*'(\.{1,2}\/[^']+)'|\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    const spec = (match[1] ?? match[2])!;
    found.push(path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return found;
}

/** The layer violations and cycles among `files` (paths relative to src/ mapped to their text). */
export function layerProblems(files: Map<string, string>): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const from = file.split('/')[0]!;
    const imports = importsOf(path.join(SRC, file), text).filter((target) => !target.startsWith('..'));
    graph.set(file, imports);
    if (!(from in LAYERS)) problems.push(`${file}: src/${from} is not a known layer`);
    for (const target of imports) {
      const to = target.split('/')[0]!;
      if (to === 'package.json') continue;
      if (!(to in LAYERS)) problems.push(`${file} imports ${target}: not a known layer`);
      else if (to !== from && LAYERS[to]! >= LAYERS[from]!)
        problems.push(`${file} imports ${target}: ${from} may not import ${to}`);
    }
  }
  // Cycles, by depth-first search over the file graph.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      problems.push(`cycle: ${[...trail.slice(trail.indexOf(file)), file].join(' -> ')}`);
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return problems;
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(SRC, { recursive: true }) as string[]) {
    if (file.endsWith('.ts')) files.set(file, readFileSync(path.join(SRC, file), 'utf8'));
  }
  return files;
}

test('layers: every import in src/ runs downward, and none closes a cycle', () => {
  const files = sourceFiles();
  assert.ok(files.size > 30, `read ${files.size} source files`);
  assert.deepEqual(layerProblems(files), []);
});

test('layers: the check fails on an upward import and on a cycle', () => {
  const upward = new Map([
    ['base/x.ts', "import { y } from '../stage/y.js';\n"],
    ['stage/y.ts', 'export const y = 1;\n'],
  ]);
  assert.deepEqual(layerProblems(upward), ['base/x.ts imports stage/y.ts: base may not import stage']);
  const sideways = new Map([
    ['trace/a.ts', "import type { K } from '../kernels/k.js';\n"],
    ['kernels/k.ts', 'export type K = 1;\n'],
  ]);
  assert.deepEqual(layerProblems(sideways), ['trace/a.ts imports kernels/k.ts: trace may not import kernels']);
  const cycle = new Map([
    ['stage/a.ts', "import { b } from './b.js';\nexport const a = 1;\n"],
    ['stage/b.ts', "import {\n  a,\n} from './a.js';\nexport const b = 2;\n"],
  ]);
  assert.deepEqual(layerProblems(cycle), ['cycle: stage/a.ts -> stage/b.ts -> stage/a.ts']);
  const dynamic = new Map([
    ['render/r.ts', "const t = await import('../timer/t.js');\n"],
    ['timer/t.ts', ''],
  ]);
  assert.deepEqual(layerProblems(dynamic), ['render/r.ts imports timer/t.ts: render may not import timer']);
});

test('house rules: every file under src/ is under 300 lines, each at most 120 characters', () => {
  const problems: string[] = [];
  for (const [file, text] of sourceFiles()) {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length >= 300) problems.push(`${file}: ${lines.length} lines`);
    lines.forEach((line, index) => {
      if ([...line].length > 120) problems.push(`${file}:${index + 1}: ${[...line].length} characters`);
    });
  }
  assert.deepEqual(problems, []);
});
