#!/usr/bin/env bash
# npm run demo: why a pipe of processes is parallel. Two CPU-bound stages, `mul | add`, over N items
# of 11, with the work per item calibrated on warm code so that both stages cost about the same;
# (a) one stage after the other, each under `timer --trace`, then (b) as a pipe, profiled by
# `timer --pipeline` (its report, chart, bottleneck and prediction are printed). Both runs are
# compared on their items, from the first begun to the last done in the traces (each command's
# start-up, a span of its own there, left out); the stages report each item's cost (--time), which
# gives the two-stage flow-shop bound: the shortest time any pipe could take for those items.
# Prints the table (speedup = bound x efficiency, each defined under it), each stage's timer line,
# timer --pipeline's profile of the pipelined run, and what the stages cost per item against the
# calibration's target; exits 1 if the two runs' results differ.
# Files (in --out DIR): demo-output.txt (what it printed), the runs' traces (*.trace.json, for
# https://ui.perfetto.dev) and timer --pipeline's chart of (b) (pipelined.svg).
# Environment: DEMO_ITEMS (items, default 8), DEMO_ITEM_MS (ms per item per stage, default 250).
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
N=${DEMO_ITEMS:-8}
TARGET_MS=${DEMO_ITEM_MS:-250}
started=$(now_ns)
keep_report "$OUT/demo-output.txt"

echo "pipestage demo: mul | add over $N items of 11, on $(nproc) cores"
read -r mul_r add_r mul_cal add_cal < <(calibrate_repeats "$TARGET_MS")
calibrated=$(now_ns)
echo "workloads calibrated on warm code to ~${TARGET_MS} ms per item per stage: mul --repeat $mul_r, add --repeat $add_r"
echo "(while calibrating they cost mul $(printf '%.0f' "$mul_cal") ms and add $(printf '%.0f' "$add_cal") ms per item)"
for _ in $(seq "$N"); do echo 11; done >"$SCRATCH/items"
cd "$SCRATCH" || exit 1

# The sequential run's stages start seconds apart: one trace file each (a file collects one run).
seq_traces=("$OUT/sequential-mul.trace.json" "$OUT/sequential-add.trace.json")
pipe_trace="$OUT/pipelined.trace.json"
rm -f "${seq_traces[@]}" "$pipe_trace" # a trace file refuses an earlier run's events
echo
echo "(a) sequential: mul <items >mid; add <mid        (one stage after the other)"
t_seq=$(wall_ms "timer --trace ${seq_traces[0]} --output timer.sequential -- mul --time --repeat $mul_r <items >mid 2>mul.seq.time \
  && timer --trace ${seq_traces[1]} --output timer.sequential -- add --time --repeat $add_r <mid >out.sequential 2>add.seq.time")
echo "(b) pipelined:  mul <items | add                 (both stages at once, under timer --pipeline)"
t_pipe=$(wall_ms "timer --pipeline 'mul --time --repeat $mul_r <items 2>mul.time | add --time --repeat $add_r >out.pipelined 2>add.time' --trace $pipe_trace --svg $OUT/pipelined.svg --no-progress --output profile.pipelined")

# Each run's items, from the first begun to the last done (the traces leave the start-ups out): in (a)
# each stage's in turn, in (b) both stages' together.
items_seq=$(awk -v a="$(items_window_ms "${seq_traces[0]}")" -v b="$(items_window_ms "${seq_traces[1]}")" \
  'BEGIN { printf "%.3f", a + b }')
items_pipe=$(items_window_ms "$pipe_trace")
# Each item's cost as the stages reported it, in each run.
for run in seq pipe; do
  for stage in mul add; do
    file=$stage.time
    [ "$run" = seq ] && file=$stage.seq.time
    grep -v '^timer: ' "$file" | line_ms_list >"$stage.$run.items"
  done
done
# The flow-shop bound on (a)'s item costs: the shortest time a pipe could take for the items of (a).
bound_ms=$(flow_shop_ms mul.seq.items add.seq.items)
# The same on (b)'s own item costs: how close the engine came, whatever running together cost.
own_bound_ms=$(flow_shop_ms mul.pipe.items add.pipe.items)
speedup=$(calc "$items_seq / $items_pipe")
bound=$(calc "$items_seq / $bound_ms")
efficiency=$(calc "$bound_ms / $items_pipe")
average() { awk '{ s += $1 } END { printf "%.0f", s / NR }' "$1"; }
echo
printf '%-12s %10s %10s %9s %8s %11s\n' run "wall" items speedup bound efficiency
printf '%-12s %8.0fms %8.0fms %9s %8s %11s\n' sequential "$t_seq" "$items_seq" 1.00 - -
printf '%-12s %8.0fms %8.0fms %9.2f %8.2f %11.2f\n' pipelined "$t_pipe" "$items_pipe" "$speedup" "$bound" "$efficiency"
echo "wall: the whole run, start-ups included. items: from the first item begun to the last done, in the"
echo "traces (each command's start-up left out); the other columns compare items."
printf 'speedup: (a)'\''s items over (b)'\''s: %.0f / %.0f ms.\n' "$items_seq" "$items_pipe"
printf 'bound: the best speedup any pipe could reach: (a)'\''s items over %.0f ms, the two-stage flow-shop bound\n' "$bound_ms"
echo "(the shortest time a pipe could take for items costing what they cost in (a))."
printf 'efficiency: speedup / bound, that is %.0f / %.0f ms: how close (b) came to the bound.\n' "$bound_ms" "$items_pipe"
echo "per item, as the stages' own --time reported: (a) mul $(average mul.seq.items) ms, add $(average add.seq.items) ms;" \
  "(b) mul $(average mul.pipe.items) ms, add $(average add.pipe.items) ms."
printf 'efficiency %.2f = %.2f (how close (b) came to the bound on its own item costs, %.0f ms) x %.2f (the bound\n' \
  "$efficiency" "$(calc "$own_bound_ms / $items_pipe")" "$own_bound_ms" "$(calc "$bound_ms / $own_bound_ms")"
echo "on (a)'s costs over that on (b)'s: below 1 when running both stages at once made each item cost more)."
if awk -v e="$efficiency" 'BEGIN { exit !(e > 1.03) }'; then
  echo "note: efficiency above 1: the items cost less in (b) than in (a) (the machine's load changed between the runs)."
fi
off=()
for stage in mul add; do
  cost=$(average "$stage.seq.items")
  within 0.15 "$cost" "$TARGET_MS" || off+=("$stage $cost ms")
done
if [ ${#off[@]} = 0 ]; then
  echo "calibration: both stages within 15% of the ~${TARGET_MS} ms per item aimed at, in (a)."
else
  echo "calibration: aimed at ~${TARGET_MS} ms per item, got ${off[0]}${off[1]:+ and ${off[1]}} in (a): more than 15% off"
  echo "(a shared machine's load moves); the figures above are what the stages measured, whatever it was."
fi
echo
echo "what each stage cost in (a) (timer):"
sed 's/^/  /' timer.sequential
echo
echo "(b) as timer --pipeline profiled it (its chart: pipelined.svg in the directory named at the end):"
sed 's/^/  /' profile.pipelined
if grep -q '^predicted: ' profile.pipelined; then
  echo "(timer's 'suggested' line is (b) with the change, to run as it is; 'predicted' its wall by timer's model.)"
else
  echo "(timer suggests no change where its own model, the change's own cost in it, says it would not make (b)"
  echo "10% faster: the line says why.)"
fi
echo
if ! cmp -s out.sequential out.pipelined; then
  echo "FAILED: the two runs produced different results" >&2
  exit 1
fi
echo "both runs produced the same $(wc -l <out.pipelined) results ($(head -n 1 out.pipelined) each):"
echo "in (b) add works on item k while mul computes item k+1: two processes, on two cores when the machine has them free."
awk -v now="$(now_ns)" -v started="$started" -v calibrated="$calibrated" \
  'BEGIN { printf "the demo took %.0f s in all, %.0f s of it calibrating.\n", (now - started) / 1e9, (calibrated - started) / 1e9 }'
echo "traces: *.trace.json (open them in https://ui.perfetto.dev or chrome://tracing), in the directory below."
