// StrykerJS for `npm run mutate` (scripts/mutate.sh): mutation testing of the pure modules, reported in
// docs/mutation.md. Stryker copies the tree to .stryker-tmp/, puts every mutant of the files in `mutate`
// into their source at once (mutant switching), bundles the tests once (buildCommand: esbuild takes the
// instrumented src/ into .test-build/), then its tap runner runs the unit test files with one mutant
// switched on at a time and reads node:test's TAP.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    // In-process tests of these modules only: the end-to-end files run the built bin/, not the mutants
    // (kernels.test.ts is left out too: its 100000! and line-reader property take seconds per mutant).
    testFiles: ['.test-build/pipeline-model.test.mjs', '.test-build/unit/*.test.mjs'],
  },
  buildCommand: 'node scripts/build-tests.mjs',
  mutate: [
    'src/kernels/*.ts',
    'src/timer/pipeline/model.ts',
    'src/timer/pipeline/rows.ts',
    'src/timer/pipeline/tree.ts',
    'src/timer/pipeline/lost.ts',
    'src/timer/pipeline/proc-record.ts',
    'src/render/sub-rows.ts',
    'src/timer/pipeline/predict.ts',
    'src/timer/pipeline/suggest.ts',
    'src/timer/pipeline/runs.ts',
    'src/timer/pipeline/compare.ts',
    'src/timer/pipeline/timeline.ts',
    'src/trace/spans.ts',
    'src/args/getopt.ts',
    'src/args/program.ts',
  ],
  ignorePatterns: ['/dist', '/.test-build', '/reports', '/docs', '/bin'],
  // Stryker rewrites tsconfig.json through the TypeScript compiler API, which TypeScript 7 (native) no
  // longer has; esbuild needs no rewriting (it has no `extends` or `references`): point it at no file.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  coverageAnalysis: 'perTest',
  concurrency: 2, // the development machine has 2 cores, shared
  timeoutMS: 5_000, // beyond the tests' own time ×1.5: a mutant that loops is cut off then (a kill)
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 80, low: 60, break: null },
  tempDirName: '.stryker-tmp',
};
