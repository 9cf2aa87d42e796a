// timer's manual beyond its option tables: the reference that README.md used to hold.
// Markup: src/args/man.ts (blocks); the standard sections are put in order there.

/** timer's own man sections, [title, text]. */
export const TIMER_MAN_SECTIONS: [string, string][] = [
  [
    'Reports',
    `\`timer [options] [--] COMMAND [ARG...]\` runs COMMAND and reports what it cost, without changing the
data: its stdin and stdout pass through byte for byte as chunks arrive (binary safe, nothing added, no
buffering added); its stderr passes straight through. At the end, one line on stderr:

  timer: mul: 8 lines in, 8 out, wall 2.51s, user 2.47s, sys 30ms, peak RSS 45.2 MiB (sampled every 100ms), 3.19 lines/s

CPU times are the kernel's (the reaped children's times in /proc/self/stat). Peak RSS is the largest sum
over the command's process tree, sampled from /proc every 100 ms (and a few times early), or the largest
VmHWM one of them reported; a command that ended before any sample shows \`peak RSS unknown (no sample)\`.
Where /proc is missing these are said to be not available. A command killed by a signal adds \`killed
by SIGTERM\` to the line.

\`--each\` adds one line per item before it: \`timer: mul: line 3: latency 512ms, service 498ms\`. The k-th
output line is paired with the k-th input line (meaningful for line-to-line filters); latency is out
minus in, service is out minus the later of in and the previous out.

\`--json\` writes the report as one JSON document instead, whatever the outcome (a command not found
too, with \`exitCode\` 127 and \`error\`):

  {"pipestageTimer": 1,
   "summary": {label, command, exitCode, signal, error, linesIn,
               linesOut, bytesIn, bytesOut, wallMs, userMs, sysMs,
               peakRssBytes, rssSampleIntervalMs, linesPerSecond},
   "items": [{line, inMs, outMs, latencyMs, serviceMs}]}

\`items\` is there with \`--each\`; times are ms from the start; \`null\` where unknown (\`peakRssBytes\` of a
command that ended before a sample, the counts of a terminal side, \`error\` when all went well).

\`--output FILE\` appends the reports to FILE instead of stderr, each in one write, so the timers of one
pipeline can share a file. \`--progress\` draws a live line (items, rate, elapsed) while stderr is a
terminal, cleared at the end; the timers of one pipeline each keep a row of their own (as \`pv -c\`).
There is never an escape sequence when stderr is not a terminal or TERM is dumb. \`-z\` counts (and
\`--each\` pairs) NUL-terminated items.`,
  ],
  [
    'Terminals and pipes',
    `The command runs in timer's own process group, so it keeps the controlling terminal (password
prompts of ssh, sudo and git work), and Ctrl-C and Ctrl-Z reach it exactly as they would without timer:
Ctrl-Z stops timer and the command together, \`fg\` resumes both. When timer's stdin or stdout is a
terminal, the command gets that terminal itself, not a relay (\`timer -- vim\` works); that side is
reported as not counted.

The command's stdin and stdout are real pipes, as in a shell pipeline (FIFOs made in a private directory under TMPDIR
and removed at once), so a writer whose reader has gone gets SIGPIPE as usual. When timer's own reader goes away
(\`timer -- cat | head -n 1\`), timer closes the command's pipes, reports, and passes on the command's status. A
command that exits without reading its stdin is fine.`,
  ],
  [
    'Pipelines',
    `\`timer --pipeline 'PIPELINE'\`
profiles a whole shell pipeline, of pipestage's stages or any programs. PIPELINE runs with bash (\`bash -c\`; /bin/sh
where bash is not on PATH) exactly as the shell would run it: quoting, redirections, globs and variables are the
shell's. timer's stdin, stdout and stderr are the pipeline's and nothing is relayed. bash is chosen for its
PIPESTATUS: PIPELINE is the first lines of bash's script, and a last line, which nothing of the user's (set -x, traps,
functions) can see or change, writes each stage's status to a private file. Where bash -n finds a syntax error or a
here-document left open, PIPELINE ends in a backslash, or it has set -v, a DEBUG trap, BASH_XTRACEFD or enable (which
would show that line or change it), PIPELINE is run alone, exactly as typed: bash's own messages and status, and the
stages' statuses unknown. --json, --output, --trace, --svg, --interval, --no-progress, --runs, --warmup and --verify
apply; --each, -z, --label and --progress are for \`timer -- COMMAND\` only, and --pipeline takes no COMMAND (both
usage errors).

## Stages
The rows are the stages as typed: bash's grammar (tree-sitter-bash) reads PIPELINE, and each element of each pipeline,
and each command outside a pipeline that is a process of its own (not a builtin), is a row, in order, named by its
text exactly as typed (\`(grep -v 99 | gzip -7)\` with its \`|\`) and by the program of a simple command; two rows of
one program are named by their texts (\`gzip -1\`, \`gzip -9\`). Statements may be joined by newlines, \`;\`, \`&&\`
and \`||\`; a here-document, a here-string, \`2>&1\` and \`! \` are the stage's. The shell starts a pipeline's
elements one after another, each a child of its own: the children seen, in the order they started, are the elements,
placed by their pipes (a stage reading timer's stdin begins a pipeline, one reading a pipe no stage seen wrote does
not) and by the name a pipestage stage gives in its trace. An element no sample saw running keeps its row, its figures
unknown (one after \`&&\` or \`||\` may not have run). One command with its \`<( )\` and \`$( )\` is one row with
their CPU. A stage of several processes has a sub-row for each, with its own CPU: each program, and each process
substitution as typed (\`<(seq 3 | gzip)\`) with its processes under it; many alike are folded (\`40 × mul --repeat
1000\`). A \`&\` job is a row (a pipeline's elements, anything else one), never waited for: one still running when the
shell ends is left running, as the shell leaves it, its status \`running\` and its figures those so far. A function
called in a pipeline (\`f() { gzip -1; }; seq 9 | f\`) is a row named as typed (\`f\`), its body's processes under it.
Where the text's processes cannot be told from it (a function called outside a pipeline, if, while, for or { } outside
a pipeline, eval, exec, a \`$( )\` outside a pipeline beside other statements), every process the shell starts is a
row as before: in data-flow order by the pipes joining fd 1 of one stage to fd 0 of the next (/proc/PID/fd), then
by start; one that ended before any sample saw it put back where the pipes say, as \`(ended before the first
sample)\`; stages running the same program told apart as \`add#1\`, \`add#2\`.

## States
Each stage is sampled from /proc every --interval milliseconds (100 by default; also 2, 8, 20 and 35 ms
after the start), and each sample puts it in one state:

- working: on a CPU (the CPU time the kernel counts for its process tree);
- CPU wait: runnable with no core free (the run-queue delay in /proc/PID/schedstat);
- waiting for input, blocked on output: asleep reading or writing a pipe (/proc/PID/wchan);
- other waits: any other sleep (a timer, disk, network, a child);
- start-up: for pipestage stages, which trace themselves: timer sets PIPESTAGE_TRACE for the pipeline (to a private
file, or the --trace FILE), and mul, add and sleep-task then report their own states, item spans and worker lanes,
and at exit their status, lines, bytes and exact CPU (Node waits in epoll: /proc cannot tell one wait from another);
- stopped (Ctrl-Z): shown, and left out of the shares; unknown: where wchan cannot be read (hidepid, another user's
process), with the reason in the report.

## Figures
Status: a pipestage stage's own, else PIPESTATUS (the last pipeline's stages), else unknown. CPU: what the kernel
accounted for each stage when the shell reaped it; stages reaped within one interval share what the samples missed of
them in proportion to their last rates. A process nobody of the pipeline reaps — a process substitution under a
program that never waits for it, an orphan, an \`&\` job still running — is in no figure of the shell's: its CPU is
read apart (its main thread's run time, to the ns; every 5 ms while it runs) and marked \`≈\` where it was not seen
exited; timer waits for process substitutions still running after the shell (\`tee >(gzip > x.gz)\` is done when x.gz
is). The pipeline's CPU is every process's: the reaped children's and these; \`unattributed\` is what no stage took
(the shell's own CPU, processes no sample saw). Peak RSS: the largest sum over the stage's tree seen. Bytes read and
written: /proc/PID/io, or a pipestage stage's own counts. A program only /proc sees is known to the sampling
resolution. For the pipeline: wall, CPU, the parallelism achieved (CPU / wall) against the cores other processes left
free (/proc/stat), and timer's own CPU while the pipeline ran and for its report.

## Bottleneck
\`bottleneck: NAME\`: the stage busy (working, waiting for a CPU, or a wait of its own) the largest share of the
unstopped time, with evidence in shares of each stage's own wall (\`bottleneck: mul — working 82% of its wall; add
waiting for input from it 84%\`), named down to the process that used most of a stage's CPU (\`gzip -7 in (grep -v
99 | gzip -7) (83% of the stage's CPU) — the stage working ...\`; processes of one command as one: \`2 × mul in
xargs ...\`; a \`>( )\` that ran on after its stage, as typed). Two within 10 points, both busy over half the time,
running together, are balanced: \`bottleneck: none (balanced: mul 97%, add 96% busy, of the pipeline's wall)\`.

## Suggestion
For a pipestage stage, \`suggested: PIPELINE\` is the pipeline with the bottleneck's \`--workers\` (CPU) or
\`--concurrency\` (waits) doubled, to run as it is; \`predicted: WALL (now WALL)\`, its wall by a flow-shop model of the
per-line costs the stages traced, bounded by the CPU after the change over the cores free. Worker threads cost in it
per line passed to one (measured once a machine: $XDG_CACHE_HOME/pipestage/worker-cost.json) and per thread started.
Where the model gives less off than 10% (with --runs, the runs' spread), the cores are full, the stages balanced, the
bottleneck varies, it ran several pipestage processes (xargs -n 1) or failed (status 2 up, not 141): \`suggested: none
— WHY\`. Any other program gets a what-if: \`if NAME used half its CPU: about WALL\`. \`--verify\` runs the suggestion
then, as many times, on the same input, and compares run by run: \`verified: R (LEAST–GREATEST) times faster
(predicted P)\` where faster in every run and the median within 20% of the predicted, else \`not confirmed\` and why.

## Runs
\`--runs N\` runs PIPELINE N times, after \`--warmup N\` runs unprofiled, each on the same input: stdin a file,
read again from where it was when timer began; a terminal, the user's to type into; none. A pipe cannot be read twice:
with it, more than one run is refused before anything runs (status 125).
The report is the run whose wall is the median, each figure followed by its range over the runs (\`wall 949ms
(902ms–1.01s, 5 runs)\`), a table of each stage's wall and CPU ranges (ranges do not add up), and the bottleneck with
the count of runs that named it, or \`varies from run to run\` with each one's count. Ctrl-C ends the run it reaches
and starts no other; the report holds the runs that ended whole (the one cut short where none did). Each run's output,
the warm-ups' too, is written as it comes. The status is the last run's, or where it is 0, the first other run's that
was not; a run that failed is named in the report.

## Comparison
\`--pipeline A --pipeline B\` (any number) profiles each, the pipelines in turn run by run, on the same input (a pipe
refused), then compares: \`B: 1.33 (1.28–1.39) times faster than A\` (the median over the runs paired, and their
range), and stage by stage, matched by place and program: wall, CPU, lanes and the state that changed most (\`mul:
wall 1.19s → 640ms, CPU 1.18s → 1.30s, lanes 1 → 2; working 96% → 49%\`). --export-markdown FILE writes it as
tables (hyperfine's columns, then a row per stage); --svg draws a panel per pipeline on one time axis; --json writes
{"pipestageComparison": 1, "comparison", "profiles"}; --trace and --verify take one pipeline.

## Outputs
The report goes to stderr, or is appended to --output FILE in one write. --svg OUT also draws the chart as an
SVG picture. --trace FILE keeps the (reported) run's trace: the stages' own events, and a process per stage with
timer's state slices (\`"cat":"pipeline-state"\`). --json writes one indented JSON document instead of the report:

  {"pipestageProfile": 1, "pipeline", "shell", "exitCode", "signal",
   "wallMs", "cpuMs", "userMs", "sysMs", "timerStartupCpuMs",
   "timerCpuMs", "timerReportCpuMs", "cores", "coresBusyElsewhere",
   "parallelism", "unattributedCpuMs", "stoppedMs", "sampleIntervalMs",
   "stateUnknownReason", "bottleneck", "bottleneckLine",
   "prediction": {"wallMs", "change", "kind", "coresFull", "coresBound", "perLine",
     "suggestion", "reason", "lines", "whatIfMs", "workerCost"} or null,
   "verify": {"verified", "ratio", "ratioRange", "predictedRatio", "wallMs", "line"} or null,
   "stages": [{"command", "name", "pid", "stdin", "stdout", "status",
     "startMs", "wallMs", "userMs", "sysMs", "peakRssBytes", "bytesIn",
     "bytesOut", "lines", "workingMs", "waitingForCpuMs",
     "waitingForInputMs", "blockedOnOutputMs", "otherWaitMs",
     "startupMs", "stoppedMs", "unknownMs", "traced",
     "timeline": [{"startMs", "endMs", "state"}],
     "items": [{"lane", "line", "items", "startMs", "endMs"}] or null}],
   "runs": {"asked", "warmup", "count", "reported", "wallMs", "cpuMs",
     "stages", "bottleneck", "each": [documents]} or null}

Times are ms from the shell's start; \`null\` where unknown.

## Live view
While stderr is a terminal (TERM not dumb, and not with --json), one line per stage, its state, CPU %,
bytes per second in and out and totals, and the clock are redrawn 5 times a second in lines reserved at
the bottom of the screen, under a scroll region (as apt keeps its progress line under dpkg's output).
The stages keep the terminal itself on stdout and stderr (\`test -t 2\` answers as without timer): their
lines scroll above the view, untouched, into the scrollback. The view takes at most a third of the
screen (more stages are counted, not shown) and is cut to its width by display width; the screen is
given back whole on Ctrl-Z, on a resize, at the end (the report takes its place) and at exit. A
resize while the stages write can leave a row of the view among their lines: the terminal resets the
scroll region as it resizes, and what they write before timer redraws scrolls the whole screen.
--no-progress turns it off.`,
  ],
  [
    'Traces',
    `\`--trace FILE\` writes the Chrome Trace Event Format (open it in https://ui.perfetto.dev or
chrome://tracing, or draw it with \`timer report FILE\`): a JSON array of \`"ph":"X"\` events, \`ts\` and
\`dur\` in microseconds on the wall clock every process shares, \`pid\` the command's, with
\`process_name\` metadata giving the label and the writer's start time. One span per item (\`args.line\`:
the line it began with) on the command's lane \`timer\`; items completing less than 1 ms after a span
began join it (their count in \`args.items\`). The first item's excess over the median item, the
command's start-up, is a span of its own (\`"cat":"startup"\`), never counted as work.

Several timers of one pipeline, and the stages that trace themselves (--trace, PIPESTAGE_TRACE), share
the file: the first creates it and writes \`[\`, each appends whole events; the closing bracket stays
missing, which the format allows. One file collects one run: it is checked before the command starts,
and a path that cannot be written, a file that is not a trace, or one whose first writer started more
than 2 s earlier (\`timer: t.json: trace of an earlier run; remove it\`) is refused, left untouched,
with status 125.`,
  ],
  [
    'Shell completion',
    `\`timer completion\` prints a bash completion script: \`source <(timer completion)\`. It completes
options and their values from the same tables as this page; after \`timer --\` the wrapped command is
completed as \`sudo\` and \`timeout\` complete theirs.`,
  ],
  [
    'Exit status',
    `* the command's status
\`timer -- COMMAND\` exits with the command's status, even when timer passed a signal on to it.
\`timer --pipeline\` exits with the pipeline's status, as bash returns it.

* 128+N
The command (or the pipeline's shell) was killed by signal N: timer reports, then dies of N itself, so
the shell sees 128+N, as with timeout(1). After a second SIGINT or SIGTERM timer kills the command:
137.

* 1
A read error on timer's stdin (\`timer: read error: Is a directory\`) or a write error on its stdout;
for \`timer report\`: a file that cannot be read, is no trace (or no joblog), or an output that
cannot be written.

* 2
A usage error (\`Try 'timer --help' for more information.\`).

* 125
timer itself failed: --output cannot be opened, a report to --output that cannot be written (a lost
report on standard error changes no status: it has nowhere to be said), a refused --trace
file, no /proc for --pipeline, or an internal error (one line, never a stack trace).

* 126
COMMAND was found but cannot be executed.

* 127
COMMAND was not found (\`timer: failed to run command 'x': No such file or directory\`).`,
  ],
  [
    'Signals',
    `* SIGINT, SIGTERM, SIGHUP, SIGQUIT
Passed on to every process of the command (its descendants, found through /proc), or of the pipeline.
One the terminal sent to the whole foreground group (Ctrl-C) has reached them already and is not sent
a second time. A second SIGINT or SIGTERM while the command still runs kills its processes (SIGKILL).
Once the command has ended after a signal, whatever it left behind (a background job ignoring SIGINT)
is killed too; processes that left the tree (setsid, a double fork) are out of reach.

* SIGTSTP (Ctrl-Z), SIGCONT
The command and timer stop together; \`fg\` resumes both. With --pipeline timer takes a sample first,
and the time stopped is reported.

* SIGUSR1
Prints the report so far on stderr (\`timer: mul: ... (so far)\`; with --pipeline \`timer: pipeline:
591ms so far; ...\`), and the run goes on, as dd does. It never opens Node's inspector.

* SIGPIPE
Ignored by timer: when its reader goes away it closes the command's pipes, and the command gets
SIGPIPE (or its end of input) as in the bare pipeline.`,
  ],
  [
    'Environment',
    `* PATH
Where COMMAND is looked for, and bash for --pipeline.

* PIPESTAGE_TRACE
Set by \`timer --pipeline\` for the pipeline's processes (to --trace FILE, or a private file), so that
pipestage stages trace themselves; any value it had is replaced for them. \`timer -- COMMAND\` passes
it on unchanged and does not read it.

* TERM
\`dumb\`: no live view (--pipeline) and no progress line (--progress).

* TMPDIR
Where the private directory of the command's FIFOs (\`pipestage-timer-*\`), of a pipeline's status and
trace (\`pipestage-pipeline-*\`), and the file of the progress rows a pipeline's timers share
(\`pipestage-progress-*\`) are made; /tmp when unset.

COLUMNS and NO_COLOR are not read: widths are the terminal's own (80 columns when not a terminal).`,
  ],
  [
    'Files',
    `* /proc
CPU times (/proc/self/stat), the command's process tree and peak memory, and for --pipeline every
stage's state, pipes, CPU, memory and bytes (/proc/PID/stat, status, wchan, schedstat, fd, io,
cmdline), and the machine's CPU (/proc/stat).

* the trace file
Named by --trace: created or appended to (see TRACES).

* the report file
Named by --output: appended to.`,
  ],
];
