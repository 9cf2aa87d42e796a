#!/usr/bin/env bash
# CPU-bound vs IO-bound: 24 tasks of 100 ms each, spent spinning a core (CPU) or waiting on a timer
# (IO), with 1 and 2 workers as (a) concurrency inside one process, (b) worker threads, (c) processes
# (GNU parallel -j). IO-bound work gains everywhere; CPU-bound work only with real parallelism. Peak
# memory of the whole (threads vs processes) comes from `timer`. Exits 1 when a measurement
# contradicts its expectation (a gain is at least 1.5x; no gain is at most 1.15x).
# Files (in --out DIR): what it printed (cpu-vs-io-output.txt).
# Environment: CPU_IO_TASK_MS (ms per task, default 100).
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
need parallel parallel
TASKS=24
TASK_MS=${CPU_IO_TASK_MS:-100}
keep_report "$OUT/cpu-vs-io-output.txt"
cd "$SCRATCH" || exit 1
seq "$TASKS" >tasks
for _ in $(seq "$TASKS"); do echo 11; done >mul-tasks
read -r mul_r _ < <(calibrate_repeats "$TASK_MS")
echo "$TASKS tasks of ${TASK_MS} ms (mul: --repeat $mul_r); $(nproc) cores"
echo
printf '| %-7s | %-22s | %-70s | %9s | %9s | %7s | %15s |\n' work "2 workers as" "command (N = 1, then 2)" "N=1 (ms)" "N=2 (ms)" speedup "peak RSS N=2 MB"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------  ------------------------ "$(printf -- '-%.0s' {1..72})" ----------- ----------- --------- -----------------
row() { # row WORK HOW INPUT COMMAND_WITH_N EXPECTATION(gain|none)
  local w1 w2 r2 speedup shown
  read -r w1 _ < <(timed_run "${4//@N@/1}" "$3")
  read -r w2 r2 < <(timed_run "${4//@N@/2}" "$3")
  speedup=$(calc "$w1 / $w2")
  shown="\`${4//@N@/N}\`"; shown="${shown//|/\\|}"
  printf '| %-7s | %-22s | %-70s | %9s | %9s | %7s | %15s |\n' "$1" "$2" "$shown" "$w1" "$w2" "$speedup" "$r2"
  if [ "$5" = gain ]; then EXPECTS+=("$1 / $2: speedup|$speedup|>=|1.5"); else EXPECTS+=("$1 / $2: speedup|$speedup|<=|1.15"); fi
}
EXPECTS=()
for mode in wait spin; do
  work=$([ "$mode" = wait ] && echo IO || echo CPU)
  row "$work" "concurrency (1 proc.)" tasks "sleep-task --for ${TASK_MS}ms --mode $mode --concurrency @N@" "$([ "$mode" = wait ] && echo gain || echo none)"
  row "$work" "worker threads" tasks "sleep-task --for ${TASK_MS}ms --mode $mode --workers @N@" gain
  row "$work" "processes" tasks "parallel --pipe -k -N $((TASKS / 2)) -j @N@ sleep-task --for ${TASK_MS}ms --mode $mode" gain
done
row CPU "worker threads (mul)" mul-tasks "mul --repeat $mul_r --workers @N@" gain
row CPU "processes (mul)" mul-tasks "parallel --pipe -k -N $((TASKS / 2)) -j @N@ mul --repeat $mul_r" gain
echo
for line in "${EXPECTS[@]}"; do
  IFS='|' read -r label value op limit <<<"$line"
  expect "$label" "$value" "$op" "$limit"
done
exit "$EXPECT_FAILED"
