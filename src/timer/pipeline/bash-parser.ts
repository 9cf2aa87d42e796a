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
    const tree = parser.parse(source);
    if (tree === null) return undefined;
    const stages = typedStages(tree.rootNode as SyntaxNode, source);
    tree.delete();
    parser.delete();
    return stages;
  } catch {
    return undefined;
  }
}
