// How often timer --pipeline looks at what, between its samples (each look wakes timer: its CPU).

/**
 * Once the shell has reaped a stage, the next one often ends soon after (a pipeline ends from its
 * first stage on, each stage as its input ends): for this long after each reap, the shell's children
 * are checked every REAP_WATCH_MS between samples, so that each stage is most often reaped alone in
 * an interval and gets exactly the CPU the shell accounted for it. (Each check wakes timer: a second
 * of checks every 5 ms cost about 10 ms more CPU than this on a 1-second pipeline.)
 */
export const REAP_WATCH_FOR_MS = 250;
export const REAP_WATCH_MS = 10;
/**
 * How often the own CPU of the stages' processes is read again between samples (two reads each): a
 * process reaped by a subshell or a program (not by the shell) is known only as last read, so that read
 * is at most this old (each read wakes timer: about 0.3 ms of CPU; only while there are such processes).
 */
export const REFRESH_MS = 20;
export const PROCSUB_POLL_MS = 10; // (how often process substitutions still running after the shell are looked at)
/** How often processes nobody of the pipeline reaps are read while they run: their figures are as old
 * as the last read (witness corpus: off by at most 9 ms at 5 ms, 13-22 ms at 10 ms; timer's CPU on a
 * 1.5 s pipeline with a `>(gzip)`: 105-107 ms at 5 ms, 66-72 ms at 10 ms). */
export const LOST_WATCH_MS = 5;
