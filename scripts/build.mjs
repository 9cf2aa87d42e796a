// Bundles each executable (src/cli/*.ts) into one CommonJS file, dist/<name>.cjs: a CommonJS entry
// skips the ESM loader, and one file skips module resolution — start-up cost is the point. yargs
// (help, completion, usage errors), large and rarely needed, stays outside and loads on demand.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const entryPoints = readdirSync('src/cli')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `src/cli/${file}`);

await build({
  entryPoints,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['yargs'],
  logLevel: 'warning',
});
