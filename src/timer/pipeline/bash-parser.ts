import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { simplePipeline } from './simple-text.js';
import { type SyntaxNode, type TypedStage, typedStages } from './typed.js';

// bash's grammar for tree-sitter, compiled to WebAssembly (tree-sitter-bash, whose .wasm the build
// copies into dist/), run by web-tree-sitter: the pipeline's text as a syntax tree.

/**
 * The stages of `source` as typed (see typedStages), parsed with the .wasm files in `dir`; undefined
 * where they cannot be named from the text, or the parser cannot be loaded.
 */
export async function parseTypedStages(source: string, dir: string): Promise<TypedStage[] | undefined> {
  const simple = simplePipeline(source);
  if (simple !== undefined) return simple;
  return parseWithGrammar(source, dir);
}

/** The stages of `source` as bash's grammar reads it (see parseTypedStages). */
export async function parseWithGrammar(source: string, dir: string): Promise<TypedStage[] | undefined> {
  try {
    // Liftoff only: V8's optimizing compiler would spend about 0.45 s of CPU on the grammar's 1.3 MB of
    // code, in the background, for a parse that takes 10 ms (measured: 0.10 s of CPU in all without it).
    setFlagsFromString('--liftoff-only');
    // web-tree-sitter is not bundled: its CommonJS build is required from where dist/ is installed, and
    // the .wasm files are read here (it would import() them, which the bundle, compiled from V8's code
    // cache as a vm.Script, cannot)
    const load = createRequire(path.join(dir, 'timer.cjs'));
    const { Parser, Language } = load('web-tree-sitter') as typeof import('web-tree-sitter');
    await Parser.init({ wasmBinary: readFileSync(load.resolve('web-tree-sitter/tree-sitter.wasm')) });
    const parser = new Parser();
    parser.setLanguage(await Language.load(readFileSync(path.join(dir, 'tree-sitter-bash.wasm'))));
    const parse = (text: string): TypedStage[] | undefined => {
      const tree = parser.parse(text);
      if (tree === null) return undefined;
      const stages = typedStages(tree.rootNode as SyntaxNode, text);
      tree.delete();
      return stages;
    };
    const stages = parse(source) ?? parse(closeHeredoc(source) ?? '');
    parser.delete();
    // (a here-document closed for the grammar: the stage's text as typed)
    const last = stages?.[stages.length - 1];
    if (last && !source.includes(last.text)) last.text = last.text.slice(0, last.text.lastIndexOf('\n')).trimEnd();
    return stages;
  } catch {
    return undefined;
  }
}

/**
 * A text whose last here-document is left open (`cat <<EOF⏎abc`), closed: bash reads its body to the
 * end of the text (and warns), the grammar finds an error; undefined where there is no such thing.
 */
function closeHeredoc(source: string): string | undefined {
  // (not a here-string, <<<)
  const delimiters = [...source.matchAll(/(?<!<)<<-?(?!<)\s*(['"]?)([\w-]+)\1/g)].map((match) => match[2]!);
  const last = delimiters[delimiters.length - 1];
  if (last === undefined || new RegExp(`\\n\\s*${last}\\s*(\\n|$)`).test(source)) return undefined;
  return `${source.replace(/\n?$/, '\n')}${last}\n`;
}
