#!/usr/bin/env bash
# npm run demo: why a pipe of processes is parallel. Two CPU-bound stages, `mul | add`, over N items
# of 11, with the work per item calibrated on this machine so both stages cost about the same; run
# (a) one stage after the other and (b) as a pipe, then compare wall times with the ideal speedup.
source "$(dirname "$0")/lib/common.sh"
N=${DEMO_ITEMS:-8}
TARGET_MS=${DEMO_ITEM_MS:-250}

echo "pipestage demo: mul | add over $N items of 11, on $(nproc) cores"
read -r mul_r add_r < <(calibrate_repeats "$TARGET_MS")
echo "calibrated workloads (~${TARGET_MS} ms per item per stage): mul --repeat $mul_r, add --repeat $add_r"
for _ in $(seq "$N"); do echo 11; done >"$SCRATCH/items"

sequential="mul --repeat $mul_r <items >mid; add --repeat $add_r <mid >out.sequential"
pipelined="mul --repeat $mul_r <items | add --repeat $add_r >out.pipelined"
cd "$SCRATCH"
echo
echo "(a) sequential: $sequential"
t_seq=$(wall_ms "$sequential")
echo "(b) pipelined:  $pipelined"
t_pipe=$(wall_ms "$pipelined")

speedup=$(calc "$t_seq / $t_pipe")
ideal=$(calc "2 * $N / ($N + 1)")
echo
printf '%-12s %12s %9s %8s %11s\n' run "wall (ms)" speedup ideal efficiency
printf '%-12s %12.0f %9s %8s %11s\n' sequential "$t_seq" 1.00 - -
printf '%-12s %12.0f %9.2f %8.2f %11.2f\n' pipelined "$t_pipe" "$speedup" "$ideal" "$(calc "$speedup / $ideal")"
echo
if ! cmp -s out.sequential out.pipelined; then
  echo "FAILED: the two runs produced different results" >&2
  exit 1
fi
echo "both runs produced the same $(wc -l <out.pipelined) results (each $(head -n 1 out.pipelined))."
echo "In (b) add works on item k while mul computes item k+1: two processes, two cores busy."
