// What every stage's manual says beyond its own options: the engine's behaviour, the same for mul,
// add and sleep-task. Markup: src/args/man.ts (blocks).

/** The man sections every stage shares, [title, text]; PROG stands for the stage's name. */
export const STAGE_MAN_SECTIONS: [string, string][] = [
  [
    'Input and output',
    `Lines are read from the FILE operands in order, as cat and awk read them (\`-\` is standard input), or
from standard input when none is given. Each input line gives one output line, in input order; a
last line without a newline is processed too.

A bad line is reported on standard error and the run goes on: every valid line is still answered, in
order, and the exit status is 1 at the end. A message names the line, \`PROG: line 3: WHY\` (at most 40
characters of the line quoted, other bytes as \\xHH), or the file and its line when FILE operands are
given, as grep and awk do: \`PROG: data.txt:3: WHY\`, \`(standard input):3\` for \`-\`. A line
longer than 1 MiB is reported as \`line too long (more than 1048576 bytes)\` and reading goes on.

With \`-z\` (\`--null\`) lines end with NUL instead of newline, in and out, for \`find -print0\`, \`sort -z\`
and \`xargs -0\`.

Results are written as soon as they are computed when computing took real time, so the next stage
starts at once; cheap results are gathered into one write per 64 KiB or per turn of the event loop.
While standard output is full the stage stops reading: memory stays flat on any input. When the
reader goes away (\`| head -n 1\`) the stage stops at once, quietly.

\`--time\` reports each line's compute time (\`PROG: line 1: 41ms\`) and at the end a summary (\`PROG: 8
lines, busy 330ms\`) on standard error; with \`--workers\` the time is measured in the worker thread,
never counting the time a line waited in the queue.

\`--workers N\` computes lines on up to N worker threads of one process, started as work needs them
(3 lines start 3 threads, whatever N), truly in parallel; output stays in input order and a bounded
number of lines is in flight. Errors, \`--time\`, signals and exit statuses are as with one worker.
On cheap lines passing each line to a thread costs more than computing it: keep one worker there.`,
  ],
  [
    'Tracing',
    `With \`--trace FILE\`, or \`PIPESTAGE_TRACE=FILE\` in the environment when the option is absent, the
stage appends its own trace to FILE in the Chrome Trace Event Format (the format of \`timer --trace\`,
which the stages and timers of one run share; open it in https://ui.perfetto.dev, or draw it with
\`timer report FILE\`). It writes its process name (the tool and its start time); its states on tid 0:
start-up, waiting for input, blocked on output and working; one span per line computed (\`args.line\`,
and \`args.file\` with FILE operands) on a lane per worker thread (\`worker 2\`), per concurrency slot
(\`slot 5\`) or else tid 1 (\`items\`); and at its end an instant event \`"cat":"exit"\` with its status,
lines, CPU times and peak memory.

Consecutive items shorter than 5 ms are merged into one span counting them in \`args.items\`, and
states shorter than 5 ms into one span whose \`args\` give each state's time, so totals stay exact and
the file small. Events are appended at least once a second: a stage killed by a signal leaves its
spans but the last second's, and no exit event.

A file that cannot be traced into (an earlier run's, one that is not a trace, a path that cannot be
written) is said once on standard error (\`PROG: t.json: trace of an earlier run; remove it; not
tracing\`) and left untouched; the stage computes as usual, with its usual exit status.`,
  ],
  [
    'Shell completion',
    `\`PROG completion\` prints a bash completion script for PROG: \`source <(PROG completion)\`, or append it
to ~/.bashrc. It completes options and their values from the same table as this page, and never runs
anything. (A file operand named completion is therefore given as ./completion.)`,
  ],
  [
    'Exit status',
    `* 0
Every line was computed and written; also when the reader went away (\`| head -n 1\`): the stage then
stops at once, with nothing on standard error. A standard output closed by the shell (\`PROG >&-\`) is no
error either: the results go nowhere, as Node opens /dev/null in its place.

* 1
A line was bad (reported, and every other line still answered), a FILE could not be opened (\`PROG:
cannot open 'x': No such file or directory\`; the others are still read), reading or writing failed
(\`PROG: read error: Is a directory\`, \`PROG: write error: No space left on device\`), or an internal
error (one line, \`PROG: internal error: ...\`, never a stack trace).

* 2
A usage error: an unknown option, a missing or bad option value (\`PROG: unrecognized option '--x'\`,
then \`Try 'PROG --help' for more information.\`).

* 128+N
Killed by signal N: the shell reports 130 for SIGINT, 143 for SIGTERM.`,
  ],
  [
    'Signals',
    `* SIGUSR1
Prints one progress line on standard error, \`PROG: 1234 lines, busy 2.10s\` (lines answered so far
and the time spent computing), between two lines, and the run goes on, as dd does. It never opens
Node's inspector.

* SIGINT, SIGTERM, SIGHUP, SIGQUIT
End the stage at once, by that signal (its default action), even in the middle of a long computation
or a wait, its worker threads with it. What was written stays written.

* SIGPIPE
Ignored, as by every Node program: a write to a pipe whose reader has gone fails instead, and the
stage ends quietly with status 0.`,
  ],
  [
    'Environment',
    `* PIPESTAGE_TRACE
The trace file to append to when \`--trace\` is not given (empty: no trace). \`timer --pipeline\` sets
it for the stages of its pipeline, so that they trace themselves.

No other variable changes what a stage does: COLUMNS, NO_COLOR and TMPDIR are not read. As a Node
program a stage also obeys Node's own variables, such as NODE_OPTIONS.`,
  ],
  [
    'Files',
    `* FILE...
The input, read in order; \`-\` is standard input.

* the trace file
Named by \`--trace\` or PIPESTAGE_TRACE: appended to, never truncated (see TRACING).`,
  ],
];
