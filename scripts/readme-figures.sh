#!/usr/bin/env bash
# Regenerates the README's figures: profiles the README's example pipeline with timer --pipeline
# (docs/pipeline-profile.txt and .svg), runs the demo, keeps its output (docs/demo-output.txt) and
# draws its pipelined run as an SVG Gantt chart (docs/pipeline-gantt.svg).
source "$(dirname "$0")/lib/help.sh" "$@"
source "$(dirname "$0")/lib/common.sh"
mkdir -p "$REPO/docs"
example="seq 24 | mul --repeat 200000 | add --formula"
echo "\$ timer --pipeline '$example' --svg docs/pipeline-profile.svg" >"$REPO/docs/pipeline-profile.txt"
timer --pipeline "$example" --svg "$REPO/docs/pipeline-profile.svg" 2>>"$REPO/docs/pipeline-profile.txt" >/dev/null
cat "$REPO/docs/pipeline-profile.txt"
bash "$REPO/scripts/demo.sh" | tee "$REPO/docs/demo-output.txt"
traces=$(sed -n 's/^traces (.*): //p' "$REPO/docs/demo-output.txt")
timer report "$traces/pipelined.trace.json" --svg "$REPO/docs/pipeline-gantt.svg" >/dev/null
rm -rf "$traces"
echo "wrote docs/demo-output.txt and docs/pipeline-gantt.svg"
