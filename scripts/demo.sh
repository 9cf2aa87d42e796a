#!/usr/bin/env bash
# npm run demo: why a pipe of processes is parallel. Two CPU-bound stages, `mul | add`, over N items
# of 11, with the work per item calibrated on this machine so that both stages cost about the same;
# (a) one stage after the other, then (b) as a pipe, each stage under `timer --trace`. Prints the
# table (wall, speedup, ideal 2N/(N+1), efficiency), each stage's timer line, the Gantt chart of the
# pipelined run, and where the traces are; exits 1 if the two runs' results differ.
source "$(dirname "$0")/lib/common.sh"
N=${DEMO_ITEMS:-8}
TARGET_MS=${DEMO_ITEM_MS:-250}
TRACES=${DEMO_TRACES:-${TMPDIR:-/tmp}/pipestage-demo}
mkdir -p "$TRACES"
rm -f "$TRACES/sequential.trace.json" "$TRACES/pipelined.trace.json" # a trace file collects one run

echo "pipestage demo: mul | add over $N items of 11, on $(nproc) cores"
read -r mul_r add_r < <(calibrate_repeats "$TARGET_MS")
echo "workloads calibrated to ~${TARGET_MS} ms per item per stage: mul --repeat $mul_r, add --repeat $add_r"
for _ in $(seq "$N"); do echo 11; done >"$SCRATCH/items"
cd "$SCRATCH"

seq_trace="$TRACES/sequential.trace.json"
pipe_trace="$TRACES/pipelined.trace.json"
sequential="timer --trace $seq_trace -- mul --repeat $mul_r <items >mid && timer --trace $seq_trace -- add --repeat $add_r <mid >out.sequential"
pipelined="timer --trace $pipe_trace -- mul --repeat $mul_r <items | timer --trace $pipe_trace -- add --repeat $add_r >out.pipelined"
echo
echo "(a) sequential: mul <items >mid; add <mid        (one stage after the other)"
t_seq=$(wall_ms "{ $sequential; } 2>timer.sequential")
echo "(b) pipelined:  mul <items | add                 (both stages at once)"
t_pipe=$(wall_ms "{ $pipelined; } 2>timer.pipelined")

speedup=$(calc "$t_seq / $t_pipe")
ideal=$(calc "2 * $N / ($N + 1)")
echo
printf '%-12s %10s %9s %8s %11s\n' run "wall" speedup ideal efficiency
printf '%-12s %8.0fms %9s %8s %11s\n' sequential "$t_seq" 1.00 - -
printf '%-12s %8.0fms %9.2f %8.2f %11.2f\n' pipelined "$t_pipe" "$speedup" "$ideal" "$(calc "$speedup / $ideal")"
echo
echo "what each stage cost (timer):"
sed 's/^/  (a) /' timer.sequential
sed 's/^/  (b) /' timer.pipelined
echo
echo "the pipelined run, stage by stage (timer report $pipe_trace):"
timer report "$pipe_trace" --width "$(( $(tput cols 2>/dev/null || echo 100) > 100 ? 100 : $(tput cols 2>/dev/null || echo 100) ))" | sed 's/^/  /'
echo
echo "traces (open them in https://ui.perfetto.dev or chrome://tracing): $pipe_trace, $seq_trace"
if ! cmp -s out.sequential out.pipelined; then
  echo "FAILED: the two runs produced different results" >&2
  exit 1
fi
echo "both runs produced the same $(wc -l <out.pipelined) results ($(head -n 1 out.pipelined) each):"
echo "in (b) add works on item k while mul computes item k+1 — two processes, two cores busy."
