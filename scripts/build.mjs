// Bundles each executable (src/cli/*.ts) into one CommonJS file, dist/<name>.cjs: a CommonJS entry
// skips the ESM loader, and one file skips module resolution — start-up cost is the point. Then
// writes each executable's man page, dist/man/<name>.1, from the same spec as its --help.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// (nothing left over from an earlier build ships)
rmSync('dist', { recursive: true, force: true });

const tools = readdirSync('src/cli')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3));

/**
 * yargs reads `process.stdout.columns` as it loads (for the width of a help text we never ask it for).
 * Touching process.stdout makes a pipe on fd 1 non-blocking for as long as the process runs, and the
 * engine's blocking writes then fail with EAGAIN under `| head` or a slow reader: in the bundle, yargs
 * sees no width instead. The build fails if yargs no longer reads it where expected.
 */
const yargsWithoutStdout = {
  name: 'yargs-without-stdout',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]index\.cjs$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const read = 'void 0!==process.stdout.columns?process.stdout.columns:null';
      if (!source.includes(read)) throw new Error(`${args.path}: no longer reads process.stdout.columns as expected`);
      return { contents: source.replace(read, 'null'), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [yargsWithoutStdout],
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
      outfile: `dist/${tool}.cjs`,
    }),
  ),
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
