#!/usr/bin/env bash
# Regenerates the figures the README shows and docs/ holds; `bash scripts/readme-figures.sh --out docs/`
# refreshes them there (the benchmarks: `npm run bench -- --out docs/`). Files (in --out DIR):
#   pipeline-profile.txt, pipeline-profile.svg  timer --pipeline's profile of the README's example
#                                               pipeline over 3 runs, its suggestion verified
#                                               (--verify, 3 runs too), run in DIR as the first line
#                                               shows;
#   demo-output.txt                             what the demo printed (scripts/demo.sh);
#   pipeline-gantt.svg                          the demo's pipelined run as a Gantt chart (timer report);
#   experiments.md, pools-*.svg                 the classic experiments (scripts/experiments.sh).
# Takes several minutes: the experiments run one after the other. Exits 1 when one of them does.
# shellcheck source=lib/help.sh
source "$(dirname "$0")/lib/help.sh" "$@"
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
example="seq 24 | mul --repeat 200000 | add --formula"
(
  cd "$OUT" || exit 1
  options=(--runs 3 --verify --svg pipeline-profile.svg)
  echo "\$ timer --pipeline '$example' ${options[*]} </dev/null" >pipeline-profile.txt
  timer --pipeline "$example" "${options[@]}" 2>>pipeline-profile.txt >/dev/null </dev/null
)
cat "$OUT/pipeline-profile.txt"
bash "$REPO/scripts/demo.sh" --out "$SCRATCH/demo"
cp "$SCRATCH/demo/demo-output.txt" "$OUT/demo-output.txt"
timer report "$SCRATCH/demo/pipelined.trace.json" --svg "$OUT/pipeline-gantt.svg" >/dev/null
echo "wrote pipeline-profile.txt, pipeline-profile.svg, demo-output.txt and pipeline-gantt.svg"
bash "$REPO/scripts/experiments.sh" --out "$OUT"
# The README's figure blocks (<!-- figure FILE --> … <!-- end figure -->) are copies of files under docs/:
# when those were just rewritten, the copies follow (test/readme.test.ts checks that they are equal).
if [ "$OUT" -ef "$REPO/docs" ]; then
  (
    cd "$REPO" || exit 1
    awk 'match($0, /^<!-- figure (.+) -->$/) {
           f = substr($0, 13, length($0) - 16); print; print "```"
           while ((getline l < f) > 0) print l
           close(f); skip = 1; next
         }
         skip && /^<!-- end figure -->$/ { print "```"; skip = 0 }
         !skip' README.md >README.md.new && mv README.md.new README.md
  )
  echo "README.md: its figure blocks copied again from docs/"
fi
