// The corpus of timer --pipeline's tests: pipelines of ordinary programs and pipestage stages that no
// other test was designed around — process substitution in and out, tee >( ), subshells, brace groups,
// xargs -P, GNU parallel, a function, a here-doc, a here-string, 2>&1, ;, && and ||, a failing stage,
// one killed by a signal, python3, awk, 1 ms stages first and last. test/timer-pipeline-corpus.test.ts holds timer to
// their rows and statuses; test/alone/pipeline-kernel.test.ts to the kernel's accounting of their CPU.

/** text, its rows as typed, and whether bash's PIPESTATUS is the last rows' statuses (the last pipeline surely ran last) */
export type Entry = [text: string, rows: string[], statusesOfLast: boolean];

/**
 * The corpus: pipelines no test was designed around, each with its rows as typed. `scratch` is a
 * folder for the files they write; python3 and GNU parallel's entries where they are installed.
 */
export function corpus(scratch: string, has: { python: boolean; parallel: boolean }): Entry[] {
  return [
    ['seq 24 | mul --repeat 2000 | add --formula', ['seq 24', 'mul --repeat 2000', 'add --formula'], true],
    ['seq 8 | (grep -v 9 | gzip -7) | wc -c', ['seq 8', '(grep -v 9 | gzip -7)', 'wc -c'], true],
    [
      `seq 100 | tee >(gzip -9 > ${scratch}/x.gz) | wc -l`,
      ['seq 100', `tee >(gzip -9 > ${scratch}/x.gz)`, 'wc -l'],
      true,
    ],
    [`paste -d ' ' <(seq 3) <(seq 3 | gzip -6 | gunzip)`, [`paste -d ' ' <(seq 3) <(seq 3 | gzip -6 | gunzip)`], true],
    ['seq 5 | xargs -P 2 -n 1 echo | sort', ['seq 5', 'xargs -P 2 -n 1 echo', 'sort'], true],
    ['cat <<EOF | tr a-z A-Z\nhello\nEOF', ['cat <<EOF', 'tr a-z A-Z'], true],
    // (here-documents in the middle, and after a pipeline of three: tree-sitter-bash misreads both)
    ['seq 30 | cat <<EOF | wc -l\nx\nEOF\nseq 5 | rev', ['seq 30', 'cat <<EOF', 'wc -l', 'seq 5', 'rev'], true],
    ['seq 1 200000 | gzip -6 | wc -c\ncat <<EOF\nhi\nEOF', ['seq 1 200000', 'gzip -6', 'wc -c', 'cat <<EOF'], true],
    ['tr a-z A-Z <<< "a here-string" | cat', ['tr a-z A-Z <<< "a here-string"', 'cat'], true],
    ['seq 3 2>&1 | cat', ['seq 3 2>&1', 'cat'], true],
    ['seq 10 | { head -2; cat; } | wc -l', ['seq 10', '{ head -2; cat; }', 'wc -l'], true],
    ['seq 3 | cat; seq 2 | cat', ['seq 3', 'cat', 'seq 2', 'cat'], true],
    ['seq 3 >/dev/null && cat /dev/null || (exit 3)', ['seq 3 >/dev/null', 'cat /dev/null', '(exit 3)'], false],
    // (PIPESTATUS's two statuses can only be the last pipeline's: seen or not, its rows get them)
    ['grep -q x /dev/null || seq 3 | sort -r', ['grep -q x /dev/null', 'seq 3', 'sort -r'], true],
    ['X=1; echo hi >/dev/null; seq 3 | mul >/dev/null', ['seq 3', 'mul >/dev/null'], true],
    // (mul's worker threads do its work: about 0.8 s of CPU off its main thread, in a subshell's
    // sub-row: 5% of it is above the 20 ms its reaper's counters, in ticks, may be off)
    [
      'seq 18 | (mul --repeat 7000000 --workers 2 | add) | cat',
      ['seq 18', '(mul --repeat 7000000 --workers 2 | add)', 'cat'],
      true,
    ],
    ['seq 100000 | gzip -1 | gzip -d | wc -l', ['seq 100000', 'gzip -1', 'gzip -d', 'wc -l'], true],
    ['head -c 100000 /dev/urandom | sha256sum', ['head -c 100000 /dev/urandom', 'sha256sum'], true],
    ['true | (exit 3) | cat', ['true', '(exit 3)', 'cat'], true],
    ['seq 3 | (sleep 0.1; kill -TERM $BASHPID) | cat', ['seq 3', '(sleep 0.1; kill -TERM $BASHPID)', 'cat'], true],
    [
      'echo x | awk \'{print "awk:" $0}\' | sleep-task --for 1ms',
      ['echo x', `awk '{print "awk:" $0}'`, 'sleep-task --for 1ms'],
      true,
    ],
    ['true | sleep 0.2 | true', ['true', 'sleep 0.2', 'true'], true],
    // (wrappers, bash's `command` among them: the element's process becomes the program they run)
    ['seq 30 | nice -n 5 sort -r | command cat -n', ['seq 30', 'nice -n 5 sort -r', 'command cat -n'], true],
    // (a function called in a pipeline: a fork of the shell runs its body, under the element as typed)
    ['z() { gzip -1 | gzip -d; }; seq 50000 | z | wc -l', ['seq 50000', 'z', 'wc -l'], true],
    ...(has.python
      ? [
          [
            'seq 1000 | python3 -c "import sys; sys.stdout.write(sys.stdin.read())" | tail -1',
            ['seq 1000', 'python3 -c "import sys; sys.stdout.write(sys.stdin.read())"', 'tail -1'],
            true,
          ] as Entry,
        ]
      : []),
    ...(has.parallel
      ? [
          [
            'seq 20 | parallel -j 2 echo | sort -n | tail -1',
            ['seq 20', 'parallel -j 2 echo', 'sort -n', 'tail -1'],
            true,
          ] as Entry,
        ]
      : []),
  ];
}
