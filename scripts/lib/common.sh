# shellcheck shell=bash
# Shared by the scripts in scripts/: PATH with this repository's executables first, a build if needed,
# the output directory, a scratch directory, wall-clock timing and small helpers. Source it after
# lib/help.sh (which parses --out); do not run it.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$REPO/bin:$PATH"
[ -f "$REPO/dist/mul.cjs" ] || (cd "$REPO" && node scripts/build.mjs)
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/pipestage.XXXXXX")"
# OUT: where the script's files go: --out DIR, else a new temporary directory, kept and named at the end.
if [ -z "${OUT:-}" ]; then
  OUT="$(mktemp -d "${TMPDIR:-/tmp}/pipestage-${SCRIPT_NAME%.sh}.XXXXXX")"
else
  mkdir -p "$OUT"
  OUT="$(cd "$OUT" && pwd)"
fi
REPORT_TEE=
finish() {
  if [ -n "$REPORT_TEE" ]; then # the copy of the output is complete before the script ends
    exec 1>&3 3>&-
    wait "$REPORT_TEE" || true
  fi
  rm -rf "$SCRATCH"
  echo "$SCRIPT_NAME: its files are in $OUT"
}
trap finish EXIT

# keep_report FILE: from here on, everything the script prints on stdout is also written to FILE.
keep_report() {
  exec 3>&1 > >(tee "$1")
  REPORT_TEE=$!
}

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

# alternating_ms RUNS CMD_A CMD_B: runs A and B in turns (A, B, A, B, … after one warm-up each), then
# prints the median wall time of each, in ms, one per line. On a shared machine whose speed drifts,
# turns keep the drift out of the ratio (hyperfine runs all of A, then all of B).
alternating_ms() {
  local runs=$1 a=() b=()
  wall_ms "$2" >/dev/null
  wall_ms "$3" >/dev/null
  for _ in $(seq "$runs"); do
    a+=("$(wall_ms "$2")")
    b+=("$(wall_ms "$3")")
  done
  printf '%s\n' "${a[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
  printf '%s\n' "${b[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
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

# busy_ms CMD: runs CMD (a stage with --time) and prints the compute time its --time summary reports
# ("busy 2.28s" / "busy 285ms"), in ms: start-up excluded.
busy_ms() {
  bash -c "$1" 2>&1 >/dev/null | awk '/ busy / {
    v = $NF; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-zµ]+$/, "", v)
    printf "%.3f\n", unit == "s" ? v * 1000 : unit == "ms" ? v : unit == "µs" ? v / 1000 : v / 1000000 }'
}

# best_busy_ms CMD: the least busy time of 3 runs.
best_busy_ms() { for _ in 1 2 3; do busy_ms "$1"; done | sort -n | head -n 1; }

# line_ms_list: reads a stage's --time reports on stdin, prints each line's time in ms, in order.
line_ms_list() {
  awk '/: line [0-9]+: [0-9.]+[a-zµ]+$/ { v = $NF; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-zµ]+$/, "", v)
    printf "%.3f\n", unit == "s" ? v * 1000 : unit == "ms" ? v : unit == "µs" ? v / 1000 : v / 1000000 }'
}

# warm_line_ms STAGE INPUT: the cost of one line of STAGE (a command taking --time) on INPUT once its
# code is warm: fed 4 such lines, the median of lines 2 to 4 (line 1 runs cold code).
warm_line_ms() {
  printf '%s\n%s\n%s\n%s\n' "$2" "$2" "$2" "$2" | $1 --time 2>&1 >/dev/null | line_ms_list | tail -n 3 | sort -n | sed -n 2p
}

# fit_repeat REPEAT MS GOAL_MS: the repeat that makes a cost of MS at REPEAT cost GOAL_MS (at least 1).
fit_repeat() { awk -v r="$1" -v ms="$2" -v goal="$3" 'BEGIN { r = int(r * goal / ms + 0.5); print r < 1 ? 1 : r }'; }

# within FRACTION A B: whether A is within FRACTION of B.
within() { awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(a <= b * (1 + f) && a >= b * (1 - f)) }'; }

# calibrate_repeats TARGET_MS: prints "MUL_REPEAT ADD_REPEAT MUL_MS ADD_MS": repeats that make `mul` on
# 11 and `add` on its result (39916800) each cost about TARGET_MS per item on this machine, on warm code,
# as the stages' own --time reports (start-up excluded), then the per-item costs last measured with
# them. add's repeat is a small integer (its cost moves in steps), so mul is fitted to add's measured
# cost: the stages stay balanced. Each round measures both with the repeats found; up to 3 rounds refit
# until both are within 15% of the target and mul within 10% of add. A machine whose load changes
# afterwards still moves the costs: callers say what the stages reported in their own runs.
calibrate_repeats() {
  local target=$1 a ar m mr round
  a=$(warm_line_ms "add --repeat 3" 39916800)
  ar=$(fit_repeat 3 "$a" "$target")
  m=$(warm_line_ms "mul --repeat 10000000" 11)
  mr=$(fit_repeat 10000000 "$m" "$target")
  for round in 1 2 3; do
    a=$(warm_line_ms "add --repeat $ar" 39916800)
    m=$(warm_line_ms "mul --repeat $mr" 11)
    if within 0.15 "$a" "$target" && within 0.15 "$m" "$target" && within 0.1 "$m" "$a"; then break; fi
    [ "$round" = 3 ] && break
    if within 0.15 "$a" "$target"; then
      mr=$(fit_repeat "$mr" "$m" "$a")
    else
      ar=$(fit_repeat "$ar" "$a" "$target")
      mr=$(fit_repeat "$mr" "$m" "$target")
    fi
  done
  echo "$mr $ar $m $a"
}

# flow_shop_ms A B: the least wall time of a two-stage pipe (each stage a server, items in order)
# whose per-item costs are the numbers in files A (first stage) and B (second), one per line.
flow_shop_ms() {
  paste "$1" "$2" | awk '{ first += $1; second = (second > first ? second : first) + $2 } END { printf "%.3f", second }'
}

# items_window_ms TRACE: the time from the first item begun to the last item done in a trace written
# by `timer --trace` (its "cat":"item" spans: each command's start-up is a span of its own, left out), in ms.
items_window_ms() {
  node -e 'const text = require("fs").readFileSync(process.argv[1], "utf8").trim().replace(/,?\s*\]?$/, "");
    const items = JSON.parse(text + "]").filter((event) => event.cat === "item");
    const start = Math.min(...items.map((event) => event.ts));
    const end = Math.max(...items.map((event) => event.ts + event.dur));
    console.log(((end - start) / 1000).toFixed(3))' "$1"
}

# process_windows_ms TRACE: for a trace of several processes, each running its own items: the longest
# of their windows (each from its first item begun to its last done, so that one process's start-up
# never counts against another's), in ms, then 1 when every two windows overlap (the processes ran at
# the same time), else 0.
process_windows_ms() {
  node -e 'const text = require("fs").readFileSync(process.argv[1], "utf8").trim().replace(/,?\s*\]?$/, "");
    const windows = new Map();
    for (const e of JSON.parse(text + "]")) {
      if (e.cat !== "item") continue;
      const w = windows.get(e.pid) ?? [Infinity, -Infinity];
      windows.set(e.pid, [Math.min(w[0], e.ts), Math.max(w[1], e.ts + e.dur)]);
    }
    const all = [...windows.values()];
    const longest = Math.max(...all.map(([from, to]) => to - from));
    const overlap = all.every(([a1, b1]) => all.every(([a2, b2]) => a1 < b2 && a2 < b1));
    console.log(((longest) / 1000).toFixed(3), overlap ? 1 : 0)' "$1"
}

# sum_ms FILE: the sum of the numbers in FILE.
sum_ms() { awk '{ s += $1 } END { printf "%.3f", s }' "$1"; }

# timed_run CMD INPUT: runs CMD (through sh) on INPUT under `timer --json`, output to $SCRATCH/last.out;
# prints "WALL_MS PEAK_RSS_MB" (the whole process tree's peak, as timer samples it).
timed_run() {
  rm -f "$SCRATCH/last.json" # --output appends
  timer --json --output "$SCRATCH/last.json" -- sh -c "$1" <"$2" >"$SCRATCH/last.out"
  node -e 'const { summary: s } = JSON.parse(require("fs").readFileSync(process.argv[1]));
    console.log(s.wallMs.toFixed(0), (s.peakRssBytes / 1048576).toFixed(1))' "$SCRATCH/last.json"
}

# expect LABEL VALUE OP LIMIT: prints whether VALUE OP LIMIT holds; sets EXPECT_FAILED=1 when not.
EXPECT_FAILED=0
expect() {
  if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
    echo "  ok: $1 = $2 (expected $3 $4)"
  else
    echo "  CONTRADICTED: $1 = $2 (expected $3 $4)"
    # shellcheck disable=SC2034 # the script that sources this file reads it
    EXPECT_FAILED=1
  fi
}
