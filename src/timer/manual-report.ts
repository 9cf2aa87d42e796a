// `timer report`'s manual beyond its option table. Markup: src/args/man.ts (blocks).

/** The man subsections of \`timer report\`, [title, text]. */
export const REPORT_MAN_SECTIONS: [string, string][] = [
  [
    'The chart',
    `\`timer report FILE\` draws one row per stage, time across (fitted to the terminal, or --width
columns), and under a stage that traced itself with several lanes a row per lane (\`worker 2\`, \`slot
5\`); columns where a traced stage had stdout full and did no work are drawn \`»\` (blocked on output),
start-up \`·\`, with a legend. Then each stage's items, busy and idle time, the pipeline's achieved
speedup (sum of busy time / wall time) and the bottleneck. --svg writes the same chart as a picture;
--csv writes one row per item span, \`stage,pid,lane,line,start,end,elapsed\`, in seconds from the
trace's start.

A trace cut short (a writer killed mid-write) is drawn as far as it is complete, with a warning; an
empty file or one that is no trace is named with what is wrong (\`timer: t.json: not a trace file (it
does not begin with [)\`), status 1.`,
  ],
  [
    'Joblogs',
    `\`timer report --joblog JOBLOG\` draws GNU parallel's --joblog (local and -S runs alike): a row per
host (\`local\` for \`:\`), its jobs laid on slots so that none overlap within a slot (each job on the
first slot free when it starts), failed jobs (Exitval or Signal not 0) drawn \`x\`; then per host its
jobs, slots, busy time and utilisation, and \`failed: N jobs\`. It takes no trace FILE, nor --csv.`,
  ],
];
