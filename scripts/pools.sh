#!/usr/bin/env bash
# The pool experiment (ThreadPoolExecutor vs ProcessPoolExecutor): eight tasks whose cost grows like
# Fibonacci's (each 1.618x the previous, the largest SCALE seconds), once CPU-bound (spin steps) and
# once IO-bound (wait steps, like the HTTP fetches), each run on three pools of 8 workers:
#   threads    Python-like threads    sleep-task --concurrency 8 --preempt 5ms
#   workers    worker threads         sleep-task --workers 8
#   processes  processes              GNU parallel -j 8, one traced sleep-task process per task
# Every run is traced (the stages trace themselves); prints each task's start, end and elapsed (the
# classic CSV, from `timer report --csv`), then a summary with the expectations checked: CPU-bound,
# Python-like threads take about the sum of the tasks; worker threads and processes about the sum over
# the cores, as a kernel sharing the cores fairly among the running tasks gets it (the largest tasks end
# alone); IO-bound, every pool takes about the longest task. A run is measured from its first task
# begun to its last task done (each process's own start-up left out, not the CPU it takes from the
# others: the processes pool pays 8 Node start-ups on the same cores). Exits 1 when a measurement is
# off its expectation by more than the tolerance.
# Files (in --out DIR): the six Gantt charts pools-{cpu,io}-{threads,workers,processes}.svg, each
# run's trace and CSV ({cpu,io}-POOL.trace.json, .csv) and what it printed (pools-output.txt).
#
# Usage: bash scripts/pools.sh [--scale SECONDS] [--tolerance FRACTION] [--out DIR]
#        (defaults: 1 s, 0.35, a new temporary directory)
NUMBER_OPTIONS=(--scale --tolerance)
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
SCALE=${OPTION[--scale]:-1}
TOLERANCE=${OPTION[--tolerance]:-0.35}
need parallel parallel
keep_report "$OUT/pools-output.txt"
cores=$(nproc)
# The eight costs in ms, smallest first: the largest is SCALE s, each the previous times 1.618.
mapfile -t costs < <(awk -v s="$SCALE" 'BEGIN { for (k = 7; k >= 0; k--) printf "%d\n", s * 1000 / (1.618 ^ k) }')
sum=$(printf '%s\n' "${costs[@]}" | awk '{ s += $1 } END { print s }')
longest=${costs[7]}
listed=$(IFS=,; echo "${costs[*]}")
echo "pool experiment: 8 tasks of ${listed//,/, } ms (sum $sum ms), pools of 8, on $cores cores"
cd "$SCRATCH" || exit 1

# shared_makespan CORES COST...: when the last of the tasks (all started at once) ends on CORES cores
# shared fairly among the runnable ones, as the kernel shares them: the sum over the cores while more
# tasks than cores run, then the largest ones alone (the sum over the cores is the bound for a
# scheduler that knew the costs in advance).
shared_makespan() {
  local cores=$1
  shift
  printf '%s\n' "$@" | sort -n | awk -v c="$cores" '{ cost[NR] = $1 } END {
    n = NR; t = 0; done = 0
    for (i = 1; i <= n; i++) { rate = (n - i + 1 > c) ? c / (n - i + 1) : 1; t += (cost[i] - done) / rate; done = cost[i] }
    printf "%d", t }'
}

# run_pool KIND POOL: runs the tasks of KIND (cpu, io) on POOL, traced; prints its measured ms.
run_pool() {
  local trace="$OUT/$1-$2.trace.json"
  rm -f "$trace"
  case "$2" in
    threads) PIPESTAGE_TRACE=$trace sleep-task --from-input --concurrency 8 --preempt 5ms <"tasks.$1" >/dev/null ;;
    workers) PIPESTAGE_TRACE=$trace sleep-task --from-input --workers 8 <"tasks.$1" >/dev/null ;;
    processes) PIPESTAGE_TRACE=$trace parallel -j 8 --pipe -N 1 sleep-task --from-input <"tasks.$1" >/dev/null ;;
  esac
  timer report "$trace" --csv "$OUT/$1-$2.csv" --svg "$OUT/pools-$1-$2.svg" >/dev/null
  items_window_ms "$trace"
}

failed=0
summary=()
for kind in cpu io; do
  mode=$([ "$kind" = cpu ] && echo spin || echo wait)
  for i in "${!costs[@]}"; do echo "task$((i + 1)) $mode:${costs[$i]}ms"; done >"tasks.$kind"
  for pool in threads workers processes; do
    if [ "$kind" = io ]; then expected=$longest
    elif [ "$pool" = threads ]; then expected=$sum
    else expected=$(shared_makespan "$cores" "${costs[@]}")
    fi
    measured=$(run_pool "$kind" "$pool")
    echo
    echo "$kind-bound tasks ($mode steps) on $pool: $(printf '%.0f' "$measured") ms, expected about $expected ms"
    printf '  %-10s %-8s %5s %9s %9s %9s\n' pid lane task start end elapsed
    # The CSV's rows in order of start (times in seconds from the trace's start).
    tail -n +2 "$OUT/$kind-$pool.csv" | sort -t, -k5,5n | awk -F, '{ printf "  %-10s %-8s %5s %9.3f %9.3f %9.3f\n", $2, $3, $4, $5, $6, $7 }'
    ratio=$(calc "$measured / $expected")
    verdict=ok
    awk -v r="$ratio" -v t="$TOLERANCE" 'BEGIN { exit !(r <= 1 + t && r >= 1 - t) }' || { verdict=OFF; failed=1; }
    summary+=("$(printf '| %-4s | %-9s | %8.0f | %8d | %5.2f | %-3s |' "$kind" "$pool" "$measured" "$expected" "$ratio" "$verdict")")
  done
done
echo
echo "summary (ms from the first task begun to the last done; expected: CPU threads = the sum, CPU workers"
echo "and processes = the $cores cores shared fairly among the running tasks, IO = the longest task):"
echo "| kind | pool      | measured | expected | ratio | ok  |"
echo "|------|-----------|----------|----------|-------|-----|"
printf '%s\n' "${summary[@]}"
echo "charts: pools-{cpu,io}-{threads,workers,processes}.svg, in the directory below"
if [ "$failed" = 1 ]; then
  echo "pools.sh: a measurement is off its expectation by more than $(calc "$TOLERANCE * 100")%" >&2
  exit 1
fi
echo "every run within $(calc "$TOLERANCE * 100")% of its expectation."
