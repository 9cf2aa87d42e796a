#!/usr/bin/env bash
# The classic "kitchen" experiment with sleep-task: three dishes, each a series of steps in time units;
# boiling, preheating and finishing only need waiting (`wait`), while searing, chopping and assembling
# need the cook's attention (`block`). Runs each arrangement, prints expected vs measured units beside
# the classic Python run's figure, and exits 1 when a measurement is off by more than the tolerance.
#
# Semantics (as asyncio): lines start in input order; a `wait` step yields to the other lines; the
# `block` steps of one line that follow each other run back to back, and nothing else runs meanwhile.
# With --preempt (as Python threads under the GIL): between two steps the other ready lines run first.
#
# Files (in --out DIR): the inputs the printed commands read (kitchen.txt, kitchen-reversed.txt,
# kitchen-waits.txt), each run's trace (run1.trace.json ...) and what it printed (kitchen-output.txt).
#
# Usage: scripts/kitchen.sh [--unit SECONDS] [--tolerance UNITS] [--out DIR]   (defaults: 0.2 s, 0.5 units)
NUMBER_OPTIONS=(--unit --tolerance)
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
UNIT=${OPTION[--unit]:-0.2}
TOLERANCE=${OPTION[--tolerance]:-0.5}
keep_report "$OUT/kitchen-output.txt"
u() { awk -v n="$1" -v unit="$UNIT" 'BEGIN { printf "%dms", n * unit * 1000 }'; }

pasta="pasta $(u 3) $(u 1)"                             # boil water 3, cook 1
meatballs="meatballs $(u 2) block:$(u 1) $(u 2)"        # preheat oven 2, sear 1, finish 2
salad="salad block:$(u 3) block:$(u 1)"                 # chop 3, assemble 1
cd "$OUT" || exit 1 # the commands printed below read their inputs here
printf '%s\n' "$pasta" "$meatballs" "$salad" >kitchen.txt
printf '%s\n' "$salad" "$meatballs" "$pasta" >kitchen-reversed.txt
sed 's/block://g' kitchen.txt >kitchen-waits.txt

echo "kitchen experiment, 1 unit = ${UNIT}s; the tasks (kitchen.txt):"
sed 's/^/  /' kitchen.txt
echo "(each run from its first task begun to its last done, in its trace; several processes by the longest of"
echo " their own, provided they ran at the same time: process start-ups left out; in units)"
echo

failed=0
printf '| %-66s | %-78s | %8s | %8s | %-14s |\n' run command expected measured "classic run"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..68})" "$(printf -- '-%.0s' {1..80})" "----------" "----------" "----------------"
runs=0
measure() { # measure DESCRIPTION EXPECTED_UNITS CLASSIC COMMAND
  local trace ms together=1 units verdict
  # The stages trace themselves (PIPESTAGE_TRACE): a run of one process is measured from its first
  # task begun to its last done; a run of several, by the longest of their own windows, provided they
  # all ran at the same time: no process start-up counts, whatever the machine's load.
  trace="$OUT/run$((runs += 1)).trace.json"
  rm -f "$trace"
  PIPESTAGE_TRACE=$trace bash -c "$4" >/dev/null
  if [ "$(grep -c '"name":"process_name"' "$trace")" -gt 1 ]; then read -r ms together < <(process_windows_ms "$trace")
  else ms=$(items_window_ms "$trace")
  fi
  units=$(awk -v ms="$ms" -v unit="$UNIT" 'BEGIN { printf "%.2f", ms / (unit * 1000) }')
  if [ "$together" = 1 ] && awk -v m="$units" -v e="$2" -v t="$TOLERANCE" 'BEGIN { d = m - e; exit !(d <= t && -d <= t) }'; then verdict=""
  else verdict=$([ "$together" = 1 ] && echo " OFF" || echo " OFF (not at the same time)"); failed=1
  fi
  printf '| %-66s | %-78s | %8s | %8s | %-14s |\n' "$1" "\`${4//|/\\|}\`" "$2" "$units$verdict" "$3"
}
measure "synchronous: one process, one step after another" 13 "13" \
  "sleep-task --from-input <kitchen.txt"
measure "concurrent in one process, every step a wait" 5 "5 (threads)" \
  "sleep-task --from-input --concurrency 3 <kitchen-waits.txt"
measure "concurrent with the block steps, order pasta, meatballs, salad" 7 "7 (asyncio)" \
  "sleep-task --from-input --concurrency 3 <kitchen.txt"
measure "the same, order salad, meatballs, pasta" 9 "8 (threads)" \
  "sleep-task --from-input --concurrency 3 <kitchen-reversed.txt"
measure "Python-like threads (--preempt 5ms), order pasta, meatballs, salad" 7 "-" \
  "sleep-task --from-input --concurrency 3 --preempt 5ms <kitchen.txt"
measure "Python-like threads (--preempt 5ms), order salad, meatballs, pasta" 8 "8 (threads)" \
  "sleep-task --from-input --concurrency 3 --preempt 5ms <kitchen-reversed.txt"
measure "one process per task, in parallel (& and wait), every step a wait" 5 "5 (processes)" \
  "while read -r task; do echo \"\$task\" | sleep-task --from-input & done <kitchen-waits.txt; wait"
echo
echo "The reversed order costs 9 as asyncio tasks, 8 as threads (--preempt): as a task, salad's two block"
echo "steps run back to back, so meatballs and pasta only start after them; as threads, meatballs and pasta"
echo "start their waits between salad's two steps (the GIL is handed round between steps)."
if [ "$failed" = 1 ]; then
  echo "kitchen.sh: a measurement is off its expectation by more than $TOLERANCE units" >&2
  exit 1
fi
echo "every run within $TOLERANCE units of its expectation."
