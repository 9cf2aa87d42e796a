#!/usr/bin/env bash
# Runs the classic experiments one after the other — scripts/pipeline.sh, cpu-vs-io.sh, kitchen.sh,
# scaling.sh and pools.sh, each a check of its expectations — and writes experiments.md: what each one
# runs and shows, the table it printed in this run and its checks. Figures change from run to run, so
# they live only in that generated file; `--out docs/` refreshes docs/experiments.md and the pool
# experiment's six charts beside it (readme-figures.sh does). Takes several minutes; exits 1 when an
# experiment contradicted its expectations (experiments.md is written all the same, and says which).
# Files (in --out DIR): experiments.md and pools-{cpu,io}-{threads,workers,processes}.svg.
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
failed=()
# load_average: the machine's load over the last 1, 5 and 15 minutes (what else was running).
load_average() { cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown; }
md="$SCRATCH/experiments.md"

# experiment SCRIPT TITLE [ARG...]: runs scripts/SCRIPT into a directory of its own, shows its output
# as it goes, then appends to experiments.md its title, the prose on stdin, the table it printed and
# the rest of its output (its checks).
experiment() {
  local script=$1 title=$2 name=${1%.sh} status=0 load_before load_after
  shift 2
  echo "== $script"
  load_before=$(load_average)
  bash "$REPO/scripts/$script" --out "$SCRATCH/$name" "$@" || status=$?
  load_after=$(load_average)
  [ "$status" = 0 ] || failed+=("$script (exit $status)")
  {
    echo
    echo "## \`scripts/$script\`: $title"
    echo
    cat
    echo
    if [ "$status" != 0 ]; then
      echo "**In this run it contradicted an expectation (exit $status): see its output below.**"
      echo
    fi
    echo "Run as \`bash scripts/$script${*:+ $*}\` (load average $load_before at its start, $load_after at its end);"
    echo "the table it printed:"
    echo
    grep '^|' "$SCRATCH/$name/$name-output.txt" || echo "(no table: see its output)"
    echo
    echo "The rest of its output (its checks):"
    echo
    echo '```text'
    grep -v '^|' "$SCRATCH/$name/$name-output.txt" | cat -s
    echo '```'
  } >>"$md"
}

{
  echo "# Experiments"
  echo
  echo "Written by \`scripts/experiments.sh --out docs/\` (which \`scripts/readme-figures.sh --out docs/\` runs):"
  echo "never edited by hand. Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -sr),"
  echo "Node $(node --version)), load average $(load_average) at the start."
  echo "Each script runs alone, prints its table and the commands it ran, and exits 1 when a measurement"
  echo "contradicts its expectation, so it is a check, not only a printout. The machines are shared and noisy:"
  echo "ratios matter, not absolute times. \`bash scripts/NAME.sh --help\` says what each one takes."
} >"$SCRATCH/head.md"
: >"$md"

experiment pipeline.sh "the classic mul/add experiment in all its versions" <<'TEXT'
N items of 11 (8 by default), both stages calibrated on warm code to about the same cost per item
(250 ms). Runs: 1, one stage after the other (the baseline); 2, the same CPU work as `spin` steps, all
items in flight in one event loop (the analog of asyncio); 2b, the same as Python-like threads under
the GIL (`--preempt 5ms`); 3, worker threads, 2 per stage; 4, a shell pipe of processes, `mul | add`.
Expected: no gain from event-loop concurrency on CPU work, as asyncio tasks or as Python-like threads
(at most 1.15×), and each item's own time stretching under `--preempt` as in the classic table (two
threads: 6.19 s per item against 2.5 s alone); a clear gain (at least 1.3×) from worker threads (Node's
threads run JavaScript truly in parallel) and from a pipe of processes (ideal 2N/(N+1)).
TEXT

experiment cpu-vs-io.sh "CPU-bound vs IO-bound work" <<'TEXT'
24 tasks of 100 ms, spent spinning a core (CPU) or waiting on a timer (IO), with 1 then 2 workers as
concurrency inside one process, worker threads, or processes (GNU parallel), with the whole run's peak
memory from `timer` (it sums the process tree). Expected: IO-bound work gains everywhere (a waiting
task leaves the process free; `--workers 2` keeps 2 lines in flight per thread, hence more than 2×);
CPU-bound work gains only with real parallelism (at least 1.5×; no gain is at most 1.15×), and
threads cost less memory than processes.
TEXT

experiment kitchen.sh "the kitchen experiment" <<'TEXT'
The classic comparison: pasta (boil water 3, cook 1), meatballs (preheat 2, sear 1, finish 2), salad
(chop 3, assemble 1), in units of 0.2 s; searing, chopping and assembling need the cook (`block`
steps), the rest is waiting (`wait`). Each run is traced (`PIPESTAGE_TRACE`) and measured from its
first task begun to its last done — several processes by the longest of their own windows, provided
they all ran at the same time — so that no process start-up counts, however loaded the machine (the
test suite runs it beside the other suites). The reversed order costs 9 units as asyncio tasks and 8
as Python threads (`--preempt`): as a task, salad's two block steps run back to back, so meatballs and
pasta only start after them; as threads, they start their waits between salad's two steps. A run off
its expectation by more than the tolerance (0.5 units) fails the script.
TEXT

experiment scaling.sh "scaling one CPU-bound stage past one process" <<'TEXT'
16 heavy `mul` lines (about 500 ms each) computed by `--workers 1` and `2` (threads in one process) and
by GNU parallel `-j 1` and `-j 2` (processes), with wall times (hyperfine medians of 3 runs) and the
whole run's peak memory (from `timer`). Expected: `--workers 2` at least 1.8× faster than
`--workers 1`. `--workers` pays off on heavy lines; on cheap ones (`add --formula` over millions of
lines) passing each line to a thread costs more than computing it.
TEXT

experiment pools.sh "the pool experiment (ThreadPoolExecutor vs ProcessPoolExecutor)" <<'TEXT'
Eight tasks whose cost grows like Fibonacci's (each 1.618× the previous, the largest 1 s), once
CPU-bound (`spin` steps: CPU time, so a shared core makes them last longer) and once IO-bound (`wait`
steps, like HTTP fetches), each on three pools of 8 workers: Python-like threads (`sleep-task
--concurrency 8 --preempt 5ms`), worker threads (`--workers 8`) and processes (GNU parallel `-j 8 --pipe
-N 1`, one process per task). Every run traces itself; the script prints each task's start, end and
elapsed from `timer report --csv` (the classic CSV) and checks each run, from its first task begun to
its last done, against its expectation (35% tolerance): CPU-bound, Python-like threads take the sum of
the tasks (one runs at a time, the GIL handed round every 5 ms); worker threads and processes share the
cores, so the run ends about when a kernel sharing them fairly among the running tasks would end it
(the sum over the cores while more tasks than cores run, then the largest alone); IO-bound, every pool
takes about the longest task. Worker threads and processes exceed their expectation by their start:
threads start one at a time as lines wait, and the processes pool pays eight Node start-ups on the
same cores.
TEXT
{
  echo
  echo "The pool experiment's runs, one bar per task (a row per slot of the threads pool and per worker"
  echo "thread, a row per process for the processes pool):"
  echo
  echo "| | Python-like threads | worker threads | processes |"
  echo "|---|---|---|---|"
  echo "| CPU-bound | ![](pools-cpu-threads.svg) | ![](pools-cpu-workers.svg) | ![](pools-cpu-processes.svg) |"
  echo "| IO-bound | ![](pools-io-threads.svg) | ![](pools-io-workers.svg) | ![](pools-io-processes.svg) |"
} >>"$md"
for kind in cpu io; do
  for pool in threads workers processes; do
    if [ -f "$SCRATCH/pools/pools-$kind-$pool.svg" ]; then cp "$SCRATCH/pools/pools-$kind-$pool.svg" "$OUT/"; fi
  done
done
{
  cat "$SCRATCH/head.md"
  if [ ${#failed[@]} -gt 0 ]; then
    echo
    echo "In this run ${#failed[@]} of the 5 scripts contradicted an expectation: ${failed[*]}. A load average"
    echo "above the cores means other processes took CPU the experiments expected: regenerate on a quiet machine."
  else
    echo
    echo "In this run every script met its expectations."
  fi
  cat "$md"
} >"$OUT/experiments.md"
echo
echo "wrote experiments.md and the pool charts"
if [ ${#failed[@]} -gt 0 ]; then
  echo "experiments.sh: contradicted their expectations: ${failed[*]}" >&2
  exit 1
fi
