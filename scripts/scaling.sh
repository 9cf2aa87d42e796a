#!/usr/bin/env bash
# Scaling one CPU-bound stage past one process, on this machine: 16 heavy `mul` lines computed by
# --workers 1 vs 2 (threads in one process) and by GNU parallel -j 1 vs -j 2 (processes). Prints wall
# time, speedup and the peak memory of the whole (threads vs processes; from `timer`, which sums the
# process tree). Wall times are hyperfine medians of 3 runs (the machines are shared and noisy).
# Expectation: --workers 2 is at least 1.8x faster than --workers 1 (exit 1 if not).
# Files (in --out DIR): each run's timer report (workers1.json ...) and what it printed (scaling-output.txt).
# Environment: SCALING_ITEM_MS (ms per line, default 500).
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
need parallel parallel
need hyperfine hyperfine
LINES=16
TARGET_MS=${SCALING_ITEM_MS:-500}
keep_report "$OUT/scaling-output.txt"
read -r mul_r _ < <(calibrate_repeats "$TARGET_MS")
for _ in $(seq "$LINES"); do echo 11; done >"$SCRATCH/items"
echo "$LINES lines of 11, mul --repeat $mul_r (~${TARGET_MS} ms each), on $(nproc) cores"
echo

run() { # run NAME COMMAND -> "median_wall_ms peak_mb", and checks the output
  hyperfine -r 3 --export-json "$SCRATCH/$1.hf.json" "sh -c '$2' <$SCRATCH/items >/dev/null" >/dev/null
  rm -f "$OUT/$1.json" # --output appends
  timer --json --output "$OUT/$1.json" -- sh -c "$2" <"$SCRATCH/items" >"$SCRATCH/$1.out"
  cmp -s "$SCRATCH/$1.out" <(for _ in $(seq "$LINES"); do echo 39916800; done) || { echo "$1: wrong output" >&2; exit 1; }
  echo "$(median_ms "$SCRATCH/$1.hf.json")" \
    "$(node -e 'console.log((JSON.parse(require("fs").readFileSync(process.argv[1])).summary.peakRssBytes / 1048576).toFixed(1))' "$OUT/$1.json")"
}
read -r w1 m1 < <(run workers1 "mul --repeat $mul_r --workers 1")
read -r w2 m2 < <(run workers2 "mul --repeat $mul_r --workers 2")
read -r p1 n1 < <(run parallel1 "parallel --pipe -k -N 4 -j 1 mul --repeat $mul_r")
read -r p2 n2 < <(run parallel2 "parallel --pipe -k -N 4 -j 2 mul --repeat $mul_r")

printf '| %-52s | %9s | %7s | %13s |\n' run "wall (ms)" speedup "peak RSS (MB)"
printf '|%s|%s|%s|%s|\n' "------------------------------------------------------" "-----------" "---------" "---------------"
row() { printf '| %-52s | %9s | %7s | %13s |\n' "$1" "$2" "$(calc "$3 / $2")" "$4"; }
row "\`mul --workers 1\` (one thread)" "$w1" "$w1" "$m1"
row "\`mul --workers 2\` (two threads, one process)" "$w2" "$w1" "$m2"
row "\`parallel --pipe -k -N 4 -j 1 mul\` (one process at a time)" "$p1" "$p1" "$n1"
row "\`parallel --pipe -k -N 4 -j 2 mul\` (two processes)" "$p2" "$p1" "$n2"
echo
speedup=$(calc "$w1 / $w2")
if awk -v s="$speedup" 'BEGIN { exit !(s >= 1.8) }'; then
  echo "--workers 2 / --workers 1 = ${speedup}x (expected >= 1.8): ok"
else
  echo "--workers 2 / --workers 1 = ${speedup}x: below the expected 1.8x" >&2
  exit 1
fi
