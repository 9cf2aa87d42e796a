#!/usr/bin/env bash
# The classic mul/add experiment in all its versions, on N items of 11 with both stages calibrated to
# about the same cost per item:
#   1 sequential: one stage after the other (the baseline)
#   2 one process, event-loop concurrency: the same CPU work as spin steps, all items in flight in one
#     event loop — no gain, the analog of Python's asyncio
#   2b the same as Python-like threads under the GIL (--preempt 5ms) — no gain either, and each item's
#     own time stretches, as in the classic table (two threads: 6.19 s per item against 2.5 s alone)
#   3 worker threads: each stage computes on 2 threads of one process — gain (Node threads are truly
#     parallel)
#   4 a shell pipe of processes: mul | add — gain, up to 2N/(N+1)
# Prints the table and the commands; exits 1 when a measurement contradicts its expectation (no gain
# is at most 1.15x; a gain is at least 1.3x).
# Files (in --out DIR): what it printed (pipeline-output.txt).
# Environment: PIPELINE_ITEMS (default 8), PIPELINE_ITEM_MS (ms per item per stage, default 250).
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
N=${PIPELINE_ITEMS:-8}
TARGET_MS=${PIPELINE_ITEM_MS:-250}
keep_report "$OUT/pipeline-output.txt"
read -r mul_r add_r _ < <(calibrate_repeats "$TARGET_MS")
cd "$SCRATCH" || exit 1
for _ in $(seq "$N"); do echo 11; done >items
for i in $(seq "$N"); do echo "item$i spin:${TARGET_MS}ms spin:${TARGET_MS}ms"; done >spin-items
echo "$N items; mul --repeat $mul_r and add --repeat $add_r each cost ~${TARGET_MS} ms per item; $(nproc) cores"
echo

declare -a names commands walls
run() { # run NAME INPUT COMMAND
  local wall
  read -r wall _ < <(timed_run "$3" "$2")
  names+=("$1"); commands+=("$3"); walls+=("$wall")
}
run "1. sequential: one stage after the other" items "mul --repeat $mul_r >mid && add --repeat $add_r <mid"
cp last.out expected.out
run "2. one process, event-loop concurrency (CPU work)" spin-items "sleep-task --from-input --concurrency $N"
run "2b. one process, Python-like threads (--preempt)" spin-items "sleep-task --from-input --concurrency $N --preempt 5ms --time 2>preempt.time"
run "3. worker threads: 2 per stage" items "mul --repeat $mul_r --workers 2 >mid && add --repeat $add_r --workers 2 <mid"
cmp -s last.out expected.out || { echo "worker threads: results differ" >&2; exit 1; }
run "4. a shell pipe of processes" items "mul --repeat $mul_r | add --repeat $add_r"
cmp -s last.out expected.out || { echo "pipe: results differ" >&2; exit 1; }

printf '| %-50s | %-82s | %9s | %7s |\n' run command "wall (ms)" speedup
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..52})" "$(printf -- '-%.0s' {1..84})" "-----------" "---------"
for i in "${!names[@]}"; do
  printf '| %-50s | %-82s | %9s | %7s |\n' "${names[$i]}" "\`${commands[$i]//|/\\|}\`" "${walls[$i]}" "$(calc "${walls[0]} / ${walls[$i]}")"
done
echo
ideal=$(calc "2 * $N / ($N + 1)")
item_ms=$(line_ms_list <preempt.time | awk '{ s += $1 } END { printf "%.0f", s / NR }')
echo "2b: each item takes ${item_ms} ms on average for $((2 * TARGET_MS)) ms of its own CPU work: $(calc "$item_ms / (2 * $TARGET_MS)")x (the threads take turns)"
expect "event-loop concurrency speedup" "$(calc "${walls[0]} / ${walls[1]}")" "<=" 1.15
expect "Python-like threads speedup" "$(calc "${walls[0]} / ${walls[2]}")" "<=" 1.15
expect "Python-like threads: an item's time over its own work" "$(calc "$item_ms / (2 * $TARGET_MS)")" ">=" "$(calc "$N / 2")"
# A clear gain, with room for start-up (processes, worker threads) on a shared machine.
expect "worker threads speedup" "$(calc "${walls[0]} / ${walls[3]}")" ">=" 1.3
expect "shell pipe speedup (ideal $ideal)" "$(calc "${walls[0]} / ${walls[4]}")" ">=" 1.3
exit "$EXPECT_FAILED"
