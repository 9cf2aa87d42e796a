// What bash's command words mean for the stages: builtins (no process of their own), commands whose
// processes cannot be told from the text, and wrappers that run the command after their own words.

/** bash's builtins: a command of one of these, outside a pipeline, runs in the shell (no process). */
export const BUILTINS = new Set(
  (
    ': [ alias bg bind break caller cd compgen complete compopt continue declare dirs disown echo enable ' +
    'exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf ' +
    'pushd pwd read readarray readonly return set shift shopt suspend test times trap true type typeset ' +
    'ulimit umask unalias unset wait'
  ).split(' '),
);
/** Commands whose processes cannot be told from the text (they run other text, or replace the shell). */
export const OPAQUE = new Set(['eval', 'exec', 'source', '.', 'command', 'builtin', 'coproc']);

/** Programs that run the command after their own words in their own process (`nice mul`: it becomes mul). */
export const WRAPPERS = new Set([
  ...['nice', 'env', 'timeout', 'nohup', 'stdbuf', 'time', 'ionice', 'taskset', 'chrt'],
  ...['command', 'exec'], // (bash's own: `command mul`, `exec mul` run mul in the element's process)
]);

/** Options of the wrappers that take the next word (`nice -n 5`, `timeout -s KILL`, `ionice -c 2`). */
const OPTION_ARGUMENTS = new Set(['-n', '-s', '-k', '-c', '-u', '-C', '-p', '-a', '-S', '-i', '-o', '-e']);

/**
 * The program a wrapper's words run: the first that is no option, no option's argument, no assignment
 * (env's), no number, duration or CPU mask (timeout's, taskset's); undefined where none is.
 */
export function wrapped(words: string[]): string | undefined {
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (OPTION_ARGUMENTS.has(word)) index += 1;
    else if (!/^-|=|^(0x[\da-f]+|[\d.,-]+[smhd]?)$/i.test(word) && /^[\w./-]+$/.test(word))
      return word.slice(word.lastIndexOf('/') + 1);
  }
  return undefined;
}
