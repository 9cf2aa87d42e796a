// Bundles each executable (src/cli/*.ts) into one CommonJS file, dist/<name>.cjs: a CommonJS entry
// skips the ESM loader, and one file skips module resolution — start-up cost is the point. Then
// writes each executable's man page, dist/man/<name>.1, from the same spec as its --help.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

// (nothing left over from an earlier build ships)
rmSync('dist', { recursive: true, force: true });

const tools = readdirSync('src/cli')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3));

/**
 * yargs as the executables need it: a parser. Three things change in the bundle, none in what it parses.
 * - yargs reads `process.stdout.columns` as it loads (for the width of a help text we never ask it for).
 *   Touching process.stdout makes a pipe on fd 1 non-blocking for as long as the process runs, and the
 *   engine's blocking writes then fail with EAGAIN under `| head` or a slow reader: yargs sees no width.
 * - It loads Node's `assert` for two comparisons: about 7 ms of start-up, replaced by those two.
 * - Its help renderer (cliui, string-width) and its commandDir helpers are never called (help, version
 *   and completion come from the option tables): stand-ins that throw if they ever are. Nor does it look
 *   for a package.json (escalade) to guess a version of its own: 1.5 ms.
 * The build fails if yargs no longer loads these as expected.
 */
const yargsAsParser = {
  name: 'yargs-as-parser',
  setup(build) {
    const yargsBuild = /[\\/]node_modules[\\/]yargs[\\/]build[\\/]index\.cjs$/;
    build.onLoad({ filter: yargsBuild }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const expected = [
        'void 0!==process.stdout.columns?process.stdout.columns:null',
        'require("assert")',
        'require("cliui")',
        'require("string-width")',
        'require("require-directory")',
        'require("get-caller-file")',
        'require("escalade/sync")',
      ];
      const missing = expected.filter((text) => !source.includes(text));
      if (missing.length) throw new Error(`${args.path}: no longer has ${missing.join(', ')}`);
      return { contents: source.replace(expected[0], 'null'), loader: 'js' };
    });
    build.onResolve(
      { filter: /^(assert|cliui|string-width|require-directory|get-caller-file|escalade\/sync)$/ },
      (args) => (yargsBuild.test(args.importer) ? { path: args.path, namespace: 'yargs-stand-in' } : undefined),
    );
    build.onLoad({ filter: /.*/, namespace: 'yargs-stand-in' }, (args) => ({
      contents:
        args.path === 'assert'
          ? `const fail = (message) => { throw new Error(message ?? 'yargs: assertion failed'); };
             module.exports = {
               notStrictEqual: (actual, expected, message) => actual === expected && fail(message),
               strictEqual: (actual, expected, message) => actual !== expected && fail(message),
             };`
          : args.path === 'escalade/sync'
            ? 'module.exports = () => undefined;' // no package.json looked for: yargs' version is not used
            : `module.exports = () => { throw new Error('yargs: ${args.path} is not bundled'); };`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [yargsAsParser],
};

await Promise.all(
  tools.map((tool) =>
    build({
      ...common,
      // The first statement takes SIGUSR1 from Node's inspector before anything else runs.
      stdin: {
        contents: `require('./src/base/progress-signal.ts').takeProgressSignal();\nrequire('./src/cli/${tool}.ts').main();\n`,
        resolveDir: '.',
        sourcefile: `${tool}-entry.js`,
        loader: 'js',
      },
      outfile: `dist/${tool}.body.cjs`,
    }),
  ),
);

/**
 * dist/<tool>.cjs, what bin/<tool> and worker threads start: it compiles the bundle with V8's code
 * cache (dist/<tool>.cache, written below), so that yargs and the engine are not compiled again at
 * every start. A cache that does not fit (another Node, other V8 flags) is rejected by V8 and the
 * bundle is compiled as usual. SIGUSR1 is held from the first statement until the bundle takes it.
 */
const loader = (tool) => `'use strict';
const hold = () => {};
process.on('SIGUSR1', hold);
const { readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');
const bundle = \`\${__dirname}/${tool}.body.cjs\`;
const cache = \`\${__dirname}/${tool}.cache\`;
let cachedData;
try {
  // (PIPESTAGE_CODE_CACHE=0: compiled as without it, for bench section 1)
  if (process.env.PIPESTAGE_CODE_CACHE !== '0') cachedData = readFileSync(cache);
} catch {}
// (Module.wrap's text: loading node:module for it costs 1.7 ms)
const source = \`(function (exports, require, module, __filename, __dirname) { \${readFileSync(bundle, 'utf8')}\n});\`;
const script = new Script(source, { filename: bundle, cachedData });
if (process.env.PIPESTAGE_WRITE_CODE_CACHE === '1')
  process.once('exit', () => writeFileSync(cache, script.createCachedData()));
script.runInThisContext()(exports, require, module, __filename, __dirname);
process.off('SIGUSR1', hold);
`;
for (const tool of tools) writeFileSync(`dist/${tool}.cjs`, loader(tool));
// The cache holds what a run compiled: a command line parsed (yargs), and a stage run over empty input.
const warmUp = { 'sleep-task': ['--for', '0ms'], timer: ['--version'] };
for (const tool of tools) {
  execFileSync(process.execPath, [`dist/${tool}.cjs`, ...(warmUp[tool] ?? [])], {
    env: { ...process.env, PIPESTAGE_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

// bash's grammar (tree-sitter-bash, a development dependency: its native addon is not wanted), which
// timer --pipeline loads from dist/ into web-tree-sitter
copyFileSync(
  createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm'),
  'dist/tree-sitter-bash.wasm',
);

// Man pages: a throwaway bundle of the specs and the renderer, loaded here.
const generator = 'dist/man-pages.cjs';
await build({
  ...common,
  stdin: {
    contents:
      `const { manPage } = require('./src/args/man.ts');\n` +
      `module.exports = { manPage, programs: [${tools.map((tool) => `require('./src/cli/${tool}.ts').program`).join(', ')}] };\n`,
    resolveDir: '.',
    sourcefile: 'man-pages-entry.js',
    loader: 'js',
  },
  outfile: generator,
});
const { manPage, programs } = createRequire(import.meta.url)(`./../${generator}`);
rmSync(generator);
mkdirSync('dist/man', { recursive: true });
for (const program of programs) {
  const others = programs.map((other) => other.name).filter((name) => name !== program.name);
  writeFileSync(`dist/man/${program.name}.1`, manPage(program, others));
}
