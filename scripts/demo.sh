#!/usr/bin/env bash
# npm run demo: why a pipe of processes is parallel. Two CPU-bound stages, `mul | add`, over N items
# of 11, with the work per item calibrated on warm code so that both stages cost about the same;
# (a) one stage after the other, each under `timer --trace`, then (b) as a pipe, profiled by
# `timer --pipeline` (its report, chart, bottleneck and prediction are printed). The speedup is
# judged against the two-stage flow-shop bound computed from the per-item costs the stages report in
# the pipelined run; both runs are compared on their items, from the first begun to the last done in
# the traces (each command's start-up, a span of its own there, left out). Prints the
# table, each stage's timer line, timer --pipeline's profile of the pipelined run, and where the traces are
# (a private directory); exits 1 if the two runs' results differ.
# Environment: DEMO_ITEMS (items, default 8), DEMO_ITEM_MS (ms per item per stage, default 250).
source "$(dirname "$0")/lib/help.sh" "$@"
source "$(dirname "$0")/lib/common.sh"
N=${DEMO_ITEMS:-8}
TARGET_MS=${DEMO_ITEM_MS:-250}
TRACES=$(mktemp -d "${TMPDIR:-/tmp}/pipestage-demo.XXXXXX") # kept for the user: where the traces are

echo "pipestage demo: mul | add over $N items of 11, on $(nproc) cores"
read -r mul_r add_r < <(calibrate_repeats "$TARGET_MS")
echo "workloads calibrated on warm code to ~${TARGET_MS} ms per item per stage: mul --repeat $mul_r, add --repeat $add_r"
for _ in $(seq "$N"); do echo 11; done >"$SCRATCH/items"
cd "$SCRATCH"

# The sequential run's stages start seconds apart: one trace file each (a file collects one run).
seq_traces=("$TRACES/sequential-mul.trace.json" "$TRACES/sequential-add.trace.json")
pipe_trace="$TRACES/pipelined.trace.json"
echo
echo "(a) sequential: mul <items >mid; add <mid        (one stage after the other)"
t_seq=$(wall_ms "{ timer --trace ${seq_traces[0]} -- mul --repeat $mul_r <items >mid && timer --trace ${seq_traces[1]} -- add --repeat $add_r <mid >out.sequential; } 2>timer.sequential")
echo "(b) pipelined:  mul <items | add                 (both stages at once, under timer --pipeline)"
t_pipe=$(wall_ms "timer --pipeline 'mul --time --repeat $mul_r <items 2>mul.time | add --time --repeat $add_r >out.pipelined 2>add.time' --trace $pipe_trace --svg $TRACES/pipelined.svg --no-progress --output profile.pipelined")

# Each run's items, from the first begun to the last done (the traces leave the start-ups out): in (a)
# each stage's in turn, in (b) both stages' together.
items_seq=$(calc "$(items_window_ms "${seq_traces[0]}") + $(items_window_ms "${seq_traces[1]}")")
items_pipe=$(items_window_ms "$pipe_trace")
# The stages' own per-item costs in the pipelined run give the bound no pipe can beat.
grep -v '^timer: ' mul.time | line_ms_list >mul.items
grep -v '^timer: ' add.time | line_ms_list >add.items
bound_ms=$(flow_shop_ms mul.items add.items)
work_ms=$(calc "$(sum_ms mul.items) + $(sum_ms add.items)")
speedup=$(calc "$items_seq / $items_pipe")
bound=$(calc "$work_ms / $bound_ms")
efficiency=$(calc "$bound_ms / $items_pipe")
echo
printf '%-12s %10s %10s %9s %8s %11s\n' run "wall" items speedup bound efficiency
printf '%-12s %8.0fms %8.0fms %9s %8s %11s\n' sequential "$t_seq" "$items_seq" 1.00 - -
printf '%-12s %8.0fms %8.0fms %9.2f %8.2f %11.2f\n' pipelined "$t_pipe" "$items_pipe" "$speedup" "$bound" "$efficiency"
mul_avg=$(awk '{ s += $1 } END { printf "%.0f", s / NR }' mul.items)
add_avg=$(awk '{ s += $1 } END { printf "%.0f", s / NR }' add.items)
echo "items: from the first item begun to the last item done, in the traces (each command's start-up left out)."
echo "speedup: (a) over (b), on items."
echo "bound: the best speedup any pipe could reach with the per-item costs the stages reported in (b)"
echo "(mul ${mul_avg} ms, add ${add_avg} ms per item on average): the two-stage flow-shop bound, $(printf '%.0f' "$bound_ms") ms."
echo "efficiency: that bound over (b)'s items."
if awk -v e="$efficiency" 'BEGIN { exit !(e > 1.03) }'; then
  echo "note: above the bound is a measurement error (the stages' --time and the traces disagree on a busy machine); run it again"
fi
echo
echo "what each stage cost in (a) (timer):"
sed 's/^/  /' timer.sequential
echo
echo "(b) as timer --pipeline profiled it (the chart is also in $TRACES/pipelined.svg):"
sed 's/^/  /' profile.pipelined
echo
echo "traces (open them in https://ui.perfetto.dev or chrome://tracing): $TRACES"
if ! cmp -s out.sequential out.pipelined; then
  echo "FAILED: the two runs produced different results" >&2
  exit 1
fi
echo "both runs produced the same $(wc -l <out.pipelined) results ($(head -n 1 out.pipelined) each):"
echo "in (b) add works on item k while mul computes item k+1 — two processes, two cores busy."
