#!/usr/bin/env bash
# npm run mutate: mutation testing of the pure modules with StrykerJS (stryker.config.mjs): the
# kernels, timer --pipeline's model, timeline and prediction, trace span merging, option parsing.
# Stryker copies the tree to .stryker-tmp/, bundles the unit tests over every mutant at once, runs
# them once per mutant with 2 test runners, and writes reports/mutation/ (JSON, kept out of git).
# This script then writes docs/mutation.md from the JSON: the score per file and in all, each mutant
# left alive, and how long the run took. It takes 3-4 minutes on 2 cores (docs/mutation.md); CI runs it.
# Exits 1 when the score is below 80% (Stryker's "high" mark).
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
# The tests start hundreds of Node processes: keep Node from parsing a certificate bundle at each.
unset NODE_EXTRA_CA_CERTS
load=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
concurrency=2
started=$(date +%s)
node_modules/.bin/stryker run --concurrency "$concurrency"
seconds=$(($(date +%s) - started))
MUTATE_LOAD=$load node scripts/mutation-report.mjs reports/mutation/mutation.json "$seconds" "$concurrency" >docs/mutation.md
score=$(sed -n 's/^\*\*Mutation score: \([0-9.]*\)%.*/\1/p' docs/mutation.md)
echo "mutate.sh: mutation score ${score}% in ${seconds} s; docs/mutation.md written"
awk -v s="$score" 'BEGIN { exit !(s >= 80) }' || {
  echo "mutate.sh: below the 80% aimed at" >&2
  exit 1
}
