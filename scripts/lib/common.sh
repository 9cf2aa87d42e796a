# Shared by the scripts in scripts/: PATH with this repository's executables first, a build if needed,
# a scratch directory, wall-clock timing and small helpers. Source it; do not run it.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$REPO/bin:$PATH"
[ -f "$REPO/dist/mul.cjs" ] || (cd "$REPO" && node scripts/build.mjs)
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/pipestage.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

# now_ns: monotonic-enough wall clock in nanoseconds.
now_ns() { date +%s%N; }

# wall_ms CMD...: runs CMD through bash, prints its wall time in milliseconds (3 decimals).
wall_ms() {
  local start end
  start=$(now_ns)
  bash -c "$1" >/dev/null
  end=$(now_ns)
  awk -v d=$((end - start)) 'BEGIN { printf "%.3f", d / 1e6 }'
}

# calc EXPR: floating-point arithmetic.
calc() { awk "BEGIN { printf \"%.4g\", $1 }"; }

# need TOOL PACKAGE: fails with how to install a missing Debian tool.
need() {
  command -v "$1" >/dev/null || { echo "$1 is missing: apt-get update && apt-get install -y $2" >&2; exit 1; }
}

# median_ms JSON: the median of each hyperfine result, in ms, one per line.
median_ms() {
  node -e 'for (const r of JSON.parse(require("fs").readFileSync(process.argv[1])).results) console.log((r.median * 1000).toFixed(1))' "$1"
}

# peak_rss_mb CMD: peak resident memory of CMD (run through bash), in MB.
peak_rss_mb() {
  need /usr/bin/time time
  /usr/bin/time -f '%M' -o "$SCRATCH/rss" bash -c "$1" >/dev/null
  awk '{ printf "%.1f", $1 / 1024 }' "$SCRATCH/rss"
}

# best_ms CMD: the best wall time of 3 runs, in ms.
best_ms() { for _ in 1 2 3; do wall_ms "$1"; echo; done | sort -n | head -n 1; }

# calibrate_repeats TARGET_MS: prints "MUL_REPEAT ADD_REPEAT" so that `mul` on 11 and `add` on its
# result (39916800) each cost about TARGET_MS per item on this machine. The cost of one repeat is
# the time difference between R and 2R repeats, so start-up cancels out.
calibrate_repeats() {
  local target=$1 m1 m2 a1 a2
  m1=$(best_ms "echo 11 | mul --repeat 8000000")
  m2=$(best_ms "echo 11 | mul --repeat 16000000")
  a1=$(best_ms "echo 39916800 | add --repeat 3")
  a2=$(best_ms "echo 39916800 | add --repeat 6")
  awk -v t="$target" -v m1="$m1" -v m2="$m2" -v a1="$a1" -v a2="$a2" 'BEGIN {
    mu = (m2 - m1) / 8000000; au = (a2 - a1) / 3
    if (mu <= 0) mu = (m2 - 100) / 16000000   # noise: fall back to a rough estimate
    if (au <= 0) au = (a2 - 100) / 6
    mr = int(t / mu); ar = int(t / au + 0.5)
    printf "%d %d\n", mr < 1 ? 1 : mr, ar < 1 ? 1 : ar
  }'
}
