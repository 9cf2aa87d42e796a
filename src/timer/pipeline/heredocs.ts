// Here-documents made plain for bash's grammar: tree-sitter-bash reads the lines after `<<EOF` badly
// (`a | cat <<EOF | b` puts `| b` inside the redirection; `a | b\ncat <<EOF` joins `cat` to b's
// words). The text it parses has each `<<WORD` as the redirection `< WORD` and each body, its
// delimiter line too, as blanks: every offset the same, so that the stages are cut from the text as typed.

/** Where a word starts: the end of a here-document's delimiter (quotes kept), and the word unquoted. */
function delimiterAt(text: string, at: number): { end: number; word: string } {
  let end = at;
  let word = '';
  while (end < text.length && !/[\s;|&<>()]/.test(text[end]!)) {
    const quote = text[end]!;
    if (quote === "'" || quote === '"') {
      const close = text.indexOf(quote, end + 1);
      const stop = close < 0 ? text.length : close;
      word += text.slice(end + 1, stop);
      end = stop + 1;
    } else {
      if (quote !== '\\') word += quote;
      end += 1;
    }
  }
  return { end: Math.min(end, text.length), word };
}

/**
 * `source` with its here-documents as plain redirections and blank lines (the same length, the same
 * offsets); the same text where it has none. Quotes, comments, `$(( ))` and `(( ))` (where `<<` is
 * a shift) and here-strings (`<<<`) are left as they are; a body left open runs to the end of the text,
 * as bash reads it.
 */
export function maskHeredocs(source: string): string {
  if (!source.includes('<<')) return source;
  const out = source.split('');
  const pending: { word: string; strip: boolean }[] = [];
  const blank = (from: number, to: number): void => {
    for (let index = from; index < to; index++) if (out[index] !== '\n') out[index] = ' ';
  };
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (char === '\\') at += 2;
    else if (char === "'") at = source.indexOf("'", at + 1) < 0 ? source.length : source.indexOf("'", at + 1) + 1;
    else if (char === '"') {
      at += 1;
      while (at < source.length && source[at] !== '"') at += source[at] === '\\' ? 2 : 1;
      at += 1;
    } else if (char === '#' && (at === 0 || /[\s;|&(]/.test(source[at - 1]!))) {
      while (at < source.length && source[at] !== '\n') at += 1;
    } else if (source.startsWith('((', at)) {
      // arithmetic: its `<<` shifts
      let depth = 0;
      do {
        if (source[at] === '(') depth += 1;
        else if (source[at] === ')') depth -= 1;
        at += 1;
      } while (at < source.length && depth > 0);
    } else if (source.startsWith('<<<', at)) at += 3;
    else if (source.startsWith('<<', at)) {
      const strip = source[at + 2] === '-';
      let start = at + (strip ? 3 : 2);
      while (source[start] === ' ' || source[start] === '\t') start += 1;
      const { end, word } = delimiterAt(source, start);
      // `<<EOF` as `< EOF`, `<<-EOF` as `<  EOF`: a redirection from a file of that name
      out[at + 1] = ' ';
      if (strip) out[at + 2] = ' ';
      pending.push({ word, strip });
      at = end;
    } else if (char === '\n' && pending.length > 0) {
      // the bodies, one after the other, each to its delimiter's line (or the end of the text)
      let line = at + 1;
      for (const { word, strip } of pending.splice(0)) {
        while (line < source.length) {
          const next = source.indexOf('\n', line);
          const stop = next < 0 ? source.length : next;
          const text = source.slice(line, stop);
          blank(line, stop);
          line = stop + 1;
          if ((strip ? text.replace(/^\t+/, '') : text) === word) break;
        }
      }
      at = line;
    } else at += 1;
  }
  return out.join('');
}
