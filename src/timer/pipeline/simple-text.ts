import { WRAPPERS, wrapped } from './commands.js';
import type { TypedStage } from './typed.js';

// The stages of the commonest texts, read without loading bash's grammar (about 30 ms of wall and of
// CPU, every run): a pipeline of plain commands, `seq 8 | mul --repeat 2 | add > out`.

/** A word: plain characters, or a quoted string with nothing bash would expand in it. */
const WORD = String.raw`(?:[A-Za-z0-9_./:,+%@^-]|'[^']*'|"[^"$\x60\\!]*")+`;
/** A redirection: `<file`, `> file`, `>>file`, `2>&1`, `2>/dev/null`. */
const REDIRECTION = String.raw`(?:[0-9]?(?:<|>>?)(?:&[0-9]|[ \t]*${WORD}))`;
/** An element of the pipeline: tokens apart by blanks (a newline ends a command: not one of these). */
const ELEMENT = new RegExp(String.raw`^[ \t]*(?:(?:${REDIRECTION}|${WORD})(?:[ \t]+|$))+$`);
const REDIRECTION_ONLY = new RegExp(String.raw`^${REDIRECTION}$`);
const TOKEN = new RegExp(String.raw`${REDIRECTION}|${WORD}`, 'g');

/** Words bash reads as its own where a command starts (`time a | b`, `! a`, `if`, `[[`, `{`). */
const RESERVED = new Set(
  '! [[ ]] { } case coproc do done elif else esac fi for function if in select then time until while'.split(' '),
);
/** A command of one of these, alone, runs in the shell, or runs text of its own: left to the grammar. */
const NOT_ALONE = new Set(
  (
    ': [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs ' +
    'disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local ' +
    'logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend ' +
    'test times trap true type typeset ulimit umask unalias unset wait .'
  ).split(' '),
);

/**
 * The stages of `source` when it is one pipeline of plain commands (words, quoted strings with nothing
 * to expand, redirections to files or fds), as bash's grammar would give them (typedStages); undefined
 * for anything else (the grammar then reads it).
 */
export function simplePipeline(source: string): TypedStage[] | undefined {
  const texts = splitOnPipes(source);
  if (texts === undefined) return undefined;
  const stages: TypedStage[] = [];
  let offset = 0; // (where each text begins: after the ones before and their `|`)
  for (const text of texts) {
    const at = offset + text.search(/\S|$/);
    offset += text.length + 1;
    if (!ELEMENT.test(text)) return undefined;
    const words = (text.match(TOKEN) ?? []).filter((token) => !REDIRECTION_ONLY.test(token));
    const first = words[0];
    if (first === undefined || RESERVED.has(first) || /[=~]/.test(first)) return undefined;
    const word = first.replace(/^['"]|['"]$/g, '');
    const program = word.slice(word.lastIndexOf('/') + 1) || undefined;
    const runs = WRAPPERS.has(program ?? '') ? wrapped(text.trim().split(/\s+/).slice(1)) : undefined;
    const stage = { text: text.trim(), program, pipeline: 0, conditional: false, background: false, procsubs: [], at };
    stages.push(runs === undefined ? stage : { ...stage, runs });
  }
  // a command alone: a builtin runs in the shell (no process), and some run text of their own
  if (stages.length === 1 && NOT_ALONE.has(stages[0]!.program ?? '')) return undefined;
  return stages;
}

/** The texts between the `|`s outside quotes, or undefined where a quote is left open. */
function splitOnPipes(source: string): string[] | undefined {
  const texts: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let at = 0; at < source.length; at++) {
    const char = source[at]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '|') {
      texts.push(source.slice(start, at));
      start = at + 1;
    }
  }
  if (quote !== undefined) return undefined;
  texts.push(source.slice(start));
  return texts;
}
