#!/usr/bin/env bash
# npm test: builds the executables, type-checks, lints (biome; shellcheck over scripts/ and .ci/run: a
# warning fails the run), bundles the tests, then runs them — the suites in parallel (node --test), then
# test/alone/ by itself (figures that need quiet cores).
#
# The tools under test never open a TLS connection, so NODE_EXTRA_CA_CERTS (a machine may set it for
# npm's registry) is taken out of the tests' environment: Node parses that certificate bundle at every
# start, before any of our code runs — 40 ms of CPU per process on the development machine (node -e ''
# 103 ms with it, 67 ms without), and the suites start hundreds of processes. The tests that run npm
# itself put it back (PIPESTAGE_NPM_CA_CERTS, test/helpers.ts npmEnv).
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
if ! command -v shellcheck >/dev/null; then
  echo "test.sh: shellcheck is missing: apt-get update && apt-get install -y shellcheck (Debian; .ci/run installs it)" >&2
  exit 1
fi
node scripts/build.mjs
# (shellcheck takes a core for 2 s: beside the type-check and lint, which leave one free)
shellcheck scripts/*.sh scripts/lib/*.sh .ci/run & # settings: scripts/.shellcheckrc
lint=$!
node_modules/.bin/tsc -p .
node_modules/.bin/biome check --error-on-warnings .
node scripts/build-tests.mjs
wait "$lint"
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  export PIPESTAGE_NPM_CA_CERTS=$NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
# What timer --pipeline measures once per machine (a worker thread's cost per line) is cached in a
# directory of the run's own, not the user's: measured once per run, by the first test that needs it.
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
# The longest files first (six run at a time), each as long as it waits or computes (measured alone on
# the idle machine, longest first): started last, a long one would end last, with a core idle beside it.
first=()
for name in readme timer-pipeline timer-unix engine hardening timer-pipeline-terminal sleep-task workers \
  stage-trace experiments/experiments experiments/writes-only-out timer package memory; do
  first+=(".test-build/$name.test.mjs")
done
rest=()
for file in .test-build/*.test.mjs .test-build/experiments/*.test.mjs .test-build/unit/*.test.mjs; do
  [[ " ${first[*]} " == *" $file "* ]] || rest+=("$file")
done
node --test --test-concurrency=6 "${first[@]}" "${rest[@]}"
node --test .test-build/alone/*.test.mjs
