// Bundles each test file (test/**/*.test.ts) into .test-build/, keeping the same folders: `npm test`
// then runs plain JavaScript, and each test process skips loading a TypeScript loader (about half a
// second of CPU per file on a 2-core machine). Type errors are tsc's job (`npm test` runs it first).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const entries = readdirSync('test', { recursive: true })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => path.join('test', file));

rmSync('.test-build', { recursive: true, force: true });
await build({
  entryPoints: entries,
  outbase: 'test',
  outdir: '.test-build',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
