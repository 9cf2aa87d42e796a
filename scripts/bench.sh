#!/usr/bin/env bash
# npm run bench: the foundation's benchmarks, each a ratio measured side by side in one run (the
# machines are shared and noisy: absolute times mean little, ratios and medians do).
#   1 start-up    mul --repeat 1 </dev/null vs node -e ''           target <= 1.5x
#                 (yargs parses it; also shown: mul without its code cache, add)
#   2 throughput  add --formula on seq 1 1000000 vs mawk, python3    target <= 1.0x mawk
#   3 pipeline    8 heavy items, mul | add vs one after the other    target efficiency >= 0.95
#                 and mul --workers 2 vs --workers 1 on them          target >= 1.9x,
#                 and >= 0.95 of two processes side by side (the machine's limit) in the same turns
#   4 memory      peak RSS of add --formula on 1M and 10M lines,     target <= 60 MB, flat
#                 read from a file and from a pipe
#   5 kernel      mul 11, R = 4,000,000 vs the Python reference; run time linear in R
#   6 timer       timer -- add --formula on 10M lines vs add alone  target <= 1.1x, --trace <= 1.3x
#                 and timer's fixed cost (timer -- true vs true)
#   7 tracing     add --formula --trace on 3M lines vs untraced      target <= 1.05x, trace < 1 MB
#                 (the stage tracing itself), and the trace's size
#   8 profiler    timer --pipeline 'add --formula | add --formula' on 3M lines vs the bare sh -c
#                 pipeline                                         target <= 1.05x + 0.15 s;
#                 timer's CPU after its start-up, while the pipeline ran   target <= 2% of the pipeline's;
#                 per-stage CPU vs the kernel's (bash times), stages ending apart: within 5% or 20 ms
#   9 comparison  timer --pipeline A --pipeline B --runs 10 vs hyperfine -S bash on the same two:
#                 the ratios agree within the larger of the two spreads
# Needs hyperfine and mawk (Debian packages). BENCH_QUICK=1 runs fewer repetitions.
# Files (in --out DIR): benchmarks.md, what it printed with the machine and the day: `npm run bench --
# --out docs/` refreshes docs/benchmarks.md, which is never edited by hand.
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
need hyperfine hyperfine
need mawk mawk
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')
load_at_start=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
keep_report "$SCRATCH/bench-output.txt"
exec 4>&2 2>&1 # the details some sections print on stderr belong to the record too
PY_REF="$REPO/test/reference/components.py" # a copy of ../shared/reference/components.py
RUNS=$([ "${BENCH_QUICK:-0}" = 1 ] && echo 5 || echo 20)
failed=0
verdict() { # verdict LABEL VALUE OP TARGET
  if awk "BEGIN { exit !($2 $3 $4) }"; then echo "  $1 = $2 (target $3 $4): ok"; else echo "  $1 = $2 (target $3 $4): MISSED"; failed=1; fi
}

echo "== 1. start-up: mul --repeat 1 </dev/null vs node -e '' (hyperfine -N, side by side, $((RUNS * 2)) runs each, medians)"
# In rounds of 5 runs of each command, so that a machine whose speed drifts weighs on all of them alike.
# Twice: as node starts in this environment, and without NODE_EXTRA_CA_CERTS (where set, every node start
# parses a certificate bundle first: about 40 ms, which makes every ratio to node -e '' smaller).
startup_medians() { # startup_medians TAG ENV-PREFIX...: the medians of node -e '', mul, mul uncached, add
  local tag=$1
  shift
  for round in $(seq $((RUNS * 2 / 5))); do
    "$@" hyperfine -N -w 1 -r 5 --export-json "$SCRATCH/startup-$tag-$round.json" "node -e ''" \
      "mul --repeat 1" "env PIPESTAGE_CODE_CACHE=0 mul --repeat 1" "add" </dev/null >/dev/null 2>&1
  done
  node -e '
    const rounds = process.argv.slice(1).map((file) => JSON.parse(require("fs").readFileSync(file)).results);
    for (let i = 0; i < rounds[0].length; i++) {
      const times = rounds.flatMap((results) => results[i].times).sort((a, b) => a - b);
      console.log((((times[(times.length - 1) >> 1] + times[times.length >> 1]) / 2) * 1000).toFixed(1));
    }' "$SCRATCH"/startup-"$tag"-*.json
}
mapfile -t m < <(startup_medians env env)
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  echo "  as node starts here (NODE_EXTRA_CA_CERTS set): node -e '' ${m[0]} ms, mul --repeat 1 ${m[1]} ms," \
    "+$(calc "${m[1]} - ${m[0]}") ms"
  verdict "start-up ratio (NODE_EXTRA_CA_CERTS set)" "$(calc "${m[1]} / ${m[0]}")" "<=" 1.5
  mapfile -t m < <(startup_medians bare env -u NODE_EXTRA_CA_CERTS)
fi
echo "  without NODE_EXTRA_CA_CERTS: node -e '' ${m[0]} ms, mul --repeat 1 ${m[1]} ms, +$(calc "${m[1]} - ${m[0]}") ms;" \
  "without its code cache ${m[2]} ms; add ${m[3]} ms"
verdict "start-up ratio (no certificate bundle)" "$(calc "${m[1]} / ${m[0]}")" "<=" 1.5
echo "  without the code cache: $(calc "${m[2]} / ${m[0]}") (env adds one exec)   add: $(calc "${m[3]} / ${m[0]}")"
echo "  note: yargs 17 parses every command line (about +9 ms as bundled). To stay inside: each bundle is compiled"
echo "  with V8's code cache written at build (dist/<tool>.cache); yargs is bundled without Node's assert (7 ms"
echo "  to load for two comparisons), its help renderer and commandDir helpers (never called), and without its"
echo "  read of process.stdout.columns (which would also make a piped stdout non-blocking)."

echo "== 2. throughput: seq 1 1000000 | sum formula (input from a file, output to /dev/null)"
seq 1 1000000 >"$SCRATCH/seq1m"
cat >"$SCRATCH/sum.py" <<'PY'
import sys
for line in sys.stdin:
    n = int(line)
    print(n * (n + 1) // 2)
PY
hyperfine -w 1 -r "$RUNS" --export-json "$SCRATCH/throughput.json" \
  "add --formula <$SCRATCH/seq1m" \
  "mawk -v OFMT=%.0f '{ print \$1 * (\$1 + 1) / 2 }' <$SCRATCH/seq1m" \
  "env -u PYTHONUNBUFFERED python3 $SCRATCH/sum.py <$SCRATCH/seq1m" \
  "add --formula </dev/null" \
  "mawk -v OFMT=%.0f '{ print \$1 * (\$1 + 1) / 2 }' </dev/null" >/dev/null
mapfile -t m < <(median_ms "$SCRATCH/throughput.json")
echo "  add --formula: ${m[0]} ms   mawk: ${m[1]} ms   python3: ${m[2]} ms"
verdict "add / mawk" "$(calc "${m[0]} / ${m[1]}")" "<=" 1.0
echo "  add / python3 = $(calc "${m[0]} / ${m[2]}")"
# Node's start-up is most of the difference on a loaded machine: the lines alone, each less its empty run.
echo "  lines only (less each one's run on empty input: add ${m[3]} ms, mawk ${m[4]} ms):" \
  "add / mawk = $(calc "(${m[0]} - ${m[3]}) / (${m[1]} - ${m[4]})")"
if cmp -s <(add --formula <"$SCRATCH/seq1m") <(mawk -v OFMT=%.0f '{ print $1 * ($1 + 1) / 2 }' <"$SCRATCH/seq1m"); then
  echo "  outputs identical"
else
  echo "  OUTPUTS DIFFER"; failed=1
fi

echo "== 3. pipeline: 8 items of 11, each stage ~0.5 s per item"
read -r mul_r add_r _ < <(calibrate_repeats 500)
echo "  calibrated: mul --repeat $mul_r, add --repeat $add_r"
printf '11\n%.0s' 1 2 3 4 5 6 7 8 >"$SCRATCH/in8"
seq_cmd="mul --repeat $mul_r <$SCRATCH/in8 >$SCRATCH/mid && add --repeat $add_r <$SCRATCH/mid >$SCRATCH/out.seq"
pipe_cmd="mul --repeat $mul_r <$SCRATCH/in8 | add --repeat $add_r >$SCRATCH/out.pipe"
hyperfine -r 3 --export-json "$SCRATCH/pipeline.json" "$seq_cmd" "$pipe_cmd" >/dev/null
mapfile -t m < <(median_ms "$SCRATCH/pipeline.json")
speedup=$(calc "${m[0]} / ${m[1]}")
ideal=$(calc "2 * 8 / 9")
echo "  sequential: ${m[0]} ms   pipelined: ${m[1]} ms   speedup: $speedup   ideal 2N/(N+1): $ideal"
verdict "efficiency" "$(calc "$speedup / $ideal")" ">=" 0.95
if cmp -s "$SCRATCH/out.seq" "$SCRATCH/out.pipe"; then echo "  outputs identical"; else echo "  OUTPUTS DIFFER"; failed=1; fi
# The same 8 lines on 2 worker threads against 1 (the threads start together: lines read together use
# them together), in turns, so that a machine whose speed drifts weighs on both alike.
mapfile -t m < <(alternating_ms 10 "mul --repeat $mul_r --workers 1 <$SCRATCH/in8" "mul --repeat $mul_r --workers 2 <$SCRATCH/in8")
echo "  mul --workers 1: ${m[0]} ms   --workers 2: ${m[1]} ms (medians of 10 runs each, in turns)"
workers_speedup=$(calc "${m[0]} / ${m[1]}")
# The machine's own limit, no threads involved: two processes of 4 lines side by side against one.
head -n 4 "$SCRATCH/in8" >"$SCRATCH/in4"
mapfile -t w < <(alternating_ms 10 "mul --repeat $mul_r <$SCRATCH/in4" \
  "mul --repeat $mul_r <$SCRATCH/in4 & mul --repeat $mul_r <$SCRATCH/in4; wait")
echo "  two processes of 4 lines side by side: ${w[1]} ms against one alone ${w[0]} ms:" \
  "the most 2 cores give here is $(calc "2 * ${w[0]} / ${w[1]}")x"
verdict "--workers 2 speedup" "$workers_speedup" ">=" 1.9
# What the threads cost beyond the machine's own limit: their speedup over two processes' (the threads'
# start-up, after the process's, is the difference: about 35 ms each here, measured apart).
verdict "--workers 2 speedup / two processes'" "$(calc "$workers_speedup * ${w[1]} / (2 * ${w[0]})")" ">=" 0.95

echo "== 4. memory: peak RSS of add --formula"
seq 1 10000000 >"$SCRATCH/seq10m"
rss1=$(peak_rss_mb "add --formula <$SCRATCH/seq1m")
rss10=$(peak_rss_mb "add --formula <$SCRATCH/seq10m")
pipe1=$(peak_rss_mb "cat $SCRATCH/seq1m | add --formula")
pipe10=$(peak_rss_mb "cat $SCRATCH/seq10m | add --formula")
echo "  from a file: 1M lines $rss1 MB, 10M lines $rss10 MB;  piped: 1M lines $pipe1 MB, 10M lines $pipe10 MB   (bare node: $(peak_rss_mb "node -e ''") MB)"
verdict "peak RSS, 10M lines from a file (MB)" "$rss10" "<=" 60
verdict "peak RSS, 10M lines piped (MB)" "$pipe10" "<=" 60
rm -f "$SCRATCH/seq10m"

echo "== 5. kernel: mul on 11, R = 4,000,000"
hyperfine -r 3 --export-json "$SCRATCH/kernel.json" \
  "echo 11 | mul --repeat 4000000" \
  "echo 11 | env -u PYTHONUNBUFFERED python3 $PY_REF mul 4000000" >/dev/null
mapfile -t m < <(median_ms "$SCRATCH/kernel.json")
echo "  whole runs: mul ${m[0]} ms, python3 components.py ${m[1]} ms: python / mul = $(calc "${m[1]} / ${m[0]}")x"
echo "  compute only, as each reports it: $(echo 11 | mul --time 2>&1 >/dev/null | tail -n 1);" \
  "python3 $(echo 11 | env -u PYTHONUNBUFFERED python3 "$PY_REF" mul 4000000 2>&1 >/dev/null)"
echo "  compute time grows linearly with R (the work happens every time; mul's own --time, least of 3):"
for r in 5000000 10000000 20000000 40000000; do
  busy=$(best_busy_ms "echo 11 | mul --time --repeat $r")
  echo "    R = $r: $busy ms ($(calc "$busy / ($r / 1000000)") ms per million repeats)"
done

echo "== 6. timer overhead: add --formula on seq 1 10000000 (from a file, to /dev/null)"
seq 1 10000000 >"$SCRATCH/seq10m"
hyperfine -w 1 -r "$(( RUNS / 4 + 2 ))" --export-json "$SCRATCH/timer.json" \
  "add --formula <$SCRATCH/seq10m >/dev/null" \
  "timer -- add --formula <$SCRATCH/seq10m >/dev/null 2>/dev/null" \
  "rm -f $SCRATCH/t.json; timer --trace $SCRATCH/t.json -- add --formula <$SCRATCH/seq10m >/dev/null 2>/dev/null" >/dev/null
mapfile -t m < <(median_ms "$SCRATCH/timer.json")
echo "  add: ${m[0]} ms   timer -- add: ${m[1]} ms   timer --trace -- add: ${m[2]} ms"
verdict "timer / alone" "$(calc "${m[1]} / ${m[0]}")" "<=" 1.1
verdict "timer --trace / alone" "$(calc "${m[2]} / ${m[0]}")" "<=" 1.3
rm -f "$SCRATCH/seq10m"
hyperfine -N -w 3 -r "$RUNS" --export-json "$SCRATCH/timer-fixed.json" "true" "timer -- true" >/dev/null
mapfile -t m < <(median_ms "$SCRATCH/timer-fixed.json")
echo "  fixed cost: timer -- true ${m[1]} ms vs true ${m[0]} ms: $(calc "${m[1]} - ${m[0]}") ms (node's own start-up included)"

echo "== 7. stage tracing: add --formula on seq 1 3000000 (from a file, to /dev/null), --trace on and off"
seq 1 3000000 >"$SCRATCH/seq3m"
# in turns, not hyperfine's blocks: a difference of a few percent is smaller than this machine's
# drift between blocks (measured: the same build gave 0.91 and 1.30 in blocks)
mapfile -t m < <(alternating_ms "$(( RUNS / 2 + 3 ))" \
  "add --formula <$SCRATCH/seq3m >/dev/null" \
  "rm -f $SCRATCH/stage.trace.json; add --formula --trace $SCRATCH/stage.trace.json <$SCRATCH/seq3m >/dev/null")
size=$(wc -c <"$SCRATCH/stage.trace.json")
spans=$(grep -c '"cat":"item"' "$SCRATCH/stage.trace.json")
echo "  add: ${m[0]} ms   add --trace: ${m[1]} ms (medians of $(( RUNS / 2 + 3 )) runs each, in turns)   trace: $size bytes, $spans item spans for 3000000 lines"
verdict "traced / untraced" "$(calc "${m[1]} / ${m[0]}")" "<=" 1.05
verdict "trace size (MB)" "$(calc "$size / 1048576")" "<" 1

echo "== 8. timer --pipeline: add --formula | add --formula on seq 1 3000000 (from a file) vs the bare pipeline"
bare="add --formula <$SCRATCH/seq3m | add --formula >/dev/null"
# in turns, not hyperfine's blocks: this machine's speed drifts by more than the 5% to be seen
mapfile -t m < <(alternating_ms "$(( RUNS / 2 + 3 ))" "sh -c '$bare'" "timer --pipeline '$bare' --no-progress --output /dev/null")
echo "  sh -c: ${m[0]} ms   timer --pipeline: ${m[1]} ms (stage tracing included; medians of $(( RUNS / 2 + 3 )) runs each, in turns)"
verdict "profiled / (1.05 x bare + 150 ms)" "$(calc "${m[1]} / (${m[0]} * 1.05 + 150)")" "<=" 1
runs=()
wholes=()
for _ in 1 2 3 4 5; do
  rm -f "$SCRATCH/profile.json" # --output appends
  # timerCpuMs: timer's own CPU while the pipeline ran (starting it, sampling it: getrusage, all its
  # threads), what it takes from the pipeline's cores. Then, from outside: bash's times in a subshell
  # give the CPU of its children (timer and the pipeline it ran); less the pipeline's (cpuMs) and
  # timer's start-up, that is all of timer's own after its start-up, the report and its exit included.
  ( timer --pipeline "$bare" --json --output "$SCRATCH/profile.json"; times >"$SCRATCH/times-timer" )
  # shellcheck disable=SC2016 # JavaScript, not shell: its ${} are template literals
  read -r run whole < <(node -e '
    const fs = require("fs");
    const d = JSON.parse(fs.readFileSync(process.argv[1]));
    const [, children] = fs.readFileSync(process.argv[2], "utf8").trim().split("\n");
    const total = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, m, s]) => sum + (Number(m) * 60 + Number(s)) * 1000, 0);
    const share = (ms) => ((100 * ms) / d.cpuMs).toFixed(2);
    console.log(share(d.timerCpuMs), share(total - d.cpuMs - d.timerStartupCpuMs));
    console.error(`    pipeline CPU ${d.cpuMs} ms; timer: start-up ${d.timerStartupCpuMs} ms, while it ran ${d.timerCpuMs} ms, then ${d.timerReportCpuMs} ms for the traces and the model; all after start-up ${(total - d.cpuMs - d.timerStartupCpuMs).toFixed(0)} ms`)' "$SCRATCH/profile.json" "$SCRATCH/times-timer")
  runs+=("$run")
  wholes+=("$whole")
done
echo "  timer's own CPU while the pipeline ran (starting and sampling it), % of the pipeline's CPU (5 runs): ${runs[*]}"
verdict "timer CPU while it ran, % (median)" "$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)" "<=" 2
echo "  and all of timer's CPU after its start-up (then reading the traces, the model, the report, its exit: once per run), %: ${wholes[*]}"
# per_stage_error PIPELINE: each gzip stage's CPU as timer gave it against bash's times in it; prints
# the worst error over its tolerance (5% or 20 ms).
per_stage_error() {
  rm -f "$SCRATCH/accuracy.json" # --output appends
  timer --pipeline "$1" --json --output "$SCRATCH/accuracy.json"
  # shellcheck disable=SC2016 # JavaScript, not shell: its ${} are template literals
  node -e '
    const fs = require("fs");
    const d = JSON.parse(fs.readFileSync(process.argv[1]));
    const kernel = (file) => [...fs.readFileSync(file, "utf8").matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, m, s]) => sum + (Number(m) * 60 + Number(s)) * 1000, 0);
    let worst = 0;
    const find = (start) => d.stages.find((s) => s.command.startsWith(start));
    for (const [stage, file] of [[find("(gzip -1"), process.argv[2]], [find("(gzip -d"), process.argv[3]]]) {
      const measured = stage.userMs + stage.sysMs, expected = kernel(file);
      console.error(`    ${stage.command}: timer ${measured.toFixed(1)} ms, kernel (bash times) ${expected.toFixed(1)} ms`);
      worst = Math.max(worst, Math.abs(measured - expected) / Math.max(20, 0.05 * expected));
    }
    const stages = d.stages.reduce((sum, s) => sum + (s.userMs ?? 0) + (s.sysMs ?? 0), 0);
    console.error(`    stages total ${stages.toFixed(1)} ms, reaped children ${d.cpuMs} ms`);
    console.log(worst.toFixed(2));' "$SCRATCH/accuracy.json" "$SCRATCH/times-a" "$SCRATCH/times-b"
}
echo "  per-stage CPU, stages ending apart:"
worst=$(per_stage_error "(seq 1 3000000; exec >&-; sleep 0.3) | (gzip -1; times >$SCRATCH/times-a) | (gzip -d >/dev/null; times >$SCRATCH/times-b; sleep 0.2)")
verdict "per-stage CPU error / tolerance (worst)" "$worst" "<=" 1
echo "  per-stage CPU, stages ending within one sampling interval (what the samples missed is shared by rate):"
echo "  worst error / tolerance: $(per_stage_error "seq 1 3000000 | (gzip -1; times >$SCRATCH/times-a) | (gzip -d >/dev/null; times >$SCRATCH/times-b)")"
rm -f "$SCRATCH/seq3m"

echo "== 9. comparison: timer --pipeline A --pipeline B against hyperfine -S bash on the same two, no input"
cmp_a='seq 8 | sleep-task --for 100ms | cat'
cmp_b='seq 8 | sleep-task --for 100ms --concurrency 2 | cat'
hyperfine -S bash -w 1 -r 10 --export-json "$SCRATCH/compare-hf.json" "$cmp_a" "$cmp_b" </dev/null >/dev/null
timer --pipeline "$cmp_a" --pipeline "$cmp_b" --runs 10 --json --output "$SCRATCH/compare-timer.json" \
  </dev/null >/dev/null
read -r ours lo hi theirs sigma < <(node -e '
  const fs = require("fs");
  const [hf, ours] = process.argv.slice(1).map((file) => JSON.parse(fs.readFileSync(file)));
  const [a, b] = hf.results;
  const ratio = a.mean / b.mean; // (A is the slower: B takes two lines at once)
  const sigma = ratio * Math.hypot(a.stddev / a.mean, b.stddev / b.mean);
  const r = ours.comparison.ratios[0];
  console.log(r.ratio.toFixed(3), r.range[0].toFixed(3), r.range[1].toFixed(3), ratio.toFixed(3), sigma.toFixed(3));
' "$SCRATCH/compare-hf.json" "$SCRATCH/compare-timer.json")
echo "  B faster than A: timer $ours ($lo–$hi over the runs paired), hyperfine $theirs ± $sigma"
spread=$(calc "(($hi - $lo) / 2 > $sigma ? ($hi - $lo) / 2 : $sigma)")
verdict "|timer - hyperfine| / the larger spread (timer's half range, hyperfine's sigma)" \
  "$(calc "(($ours > $theirs) ? $ours - $theirs : $theirs - $ours) / $spread")" "<=" 1

# benchmarks.md: the record of this run, for docs/ (`npm run bench -- --out docs/`).
exec 1>&3 3>&- 2>&4 4>&-
wait "$REPORT_TEE" || true
REPORT_TEE=
missed=$(grep -c ': MISSED$' "$SCRATCH/bench-output.txt" || true)
{
  echo "# Benchmarks"
  echo
  echo "Written by \`npm run bench -- --out docs/\` (scripts/bench.sh): never edited by hand; run it again to"
  echo "refresh it. Measured $started_at on $(nproc) cores ($(uname -sr), Node $(node --version)), load average"
  echo "$load_at_start at the start;" \
    "$([ "${BENCH_QUICK:-0}" = 1 ] && echo "BENCH_QUICK=1: fewer repetitions than a full run (a quick look, not the record)." \
      || echo "a full run.")"
  echo "The machines are shared and noisy: the ratios, measured side by side in one run, mean more than the"
  echo "absolute times."
  echo
  echo "What each section measures, and its target:"
  echo
  echo '```text'
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" | sed -n '/^ *1 /,/^Needs /p' | sed '$d'
  echo '```'
  echo
  echo "## This run"
  echo
  if [ "$missed" = 0 ]; then echo "Every target met."; else echo "Targets missed: $missed (the lines marked MISSED)."; fi
  echo
  echo '```text'
  cat "$SCRATCH/bench-output.txt"
  echo '```'
} >"$OUT/benchmarks.md"
echo "wrote benchmarks.md"
exit $failed
