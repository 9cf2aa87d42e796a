import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { maskHeredocs } from './heredocs.js';
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
    // (here-documents as plain redirections for the grammar, which reads their bodies badly)
    const stages = parseApart((text) => parser.parse(text), maskHeredocs(source), source);
    parser.delete();
    return stages;
  } catch {
    return undefined;
  }
}

/** What parseApart needs of a parse: its root, and a way to free it. */
interface Parsed {
  rootNode: unknown;
  delete(): void;
}

/**
 * The stages of `text` (`shown`: as typed, the same offsets), parsed apart at a newline the grammar
 * reads as a blank: tree-sitter-bash takes `a | b | c⏎d > f` as `a | (b | c d) > f` — a command whose
 * words run over a newline, which bash never reads so (it ends the command). Each part's pipelines are
 * numbered on from the last part's, and placed in the whole text.
 */
function parseApart(parse: (text: string) => Parsed | null, text: string, shown: string): TypedStage[] | undefined {
  const tree = parse(text);
  if (tree === null) return undefined;
  const root = tree.rootNode as SyntaxNode;
  const split = newlineInCommand(root, text);
  const stages = split === undefined ? typedStages(root, text, shown) : undefined;
  tree.delete();
  if (split === undefined) return stages;
  const first = parseApart(parse, text.slice(0, split), shown.slice(0, split));
  const rest = parseApart(parse, text.slice(split + 1), shown.slice(split + 1));
  if (first === undefined || rest === undefined) return undefined;
  const next = first[first.length - 1]!.pipeline + 1;
  // (the rest's places in the whole text: after the first part and its newline)
  const at = (stage: TypedStage) => (stage.at === undefined ? {} : { at: stage.at + split + 1 });
  return [...first, ...rest.map((stage) => ({ ...stage, pipeline: stage.pipeline + next, ...at(stage) }))];
}

/** Where a command's words run over a newline (no backslash before it): its offset, else undefined. */
function newlineInCommand(node: SyntaxNode, text: string): number | undefined {
  const parts = node.namedChildren.filter((child): child is SyntaxNode => child !== null);
  if (node.type === 'command')
    for (let index = 1; index < parts.length; index++) {
      const gap = text.slice(parts[index - 1]!.endIndex, parts[index]!.startIndex);
      const at = gap.search(/(^|[^\\])\n/);
      if (at >= 0) return parts[index - 1]!.endIndex + gap.indexOf('\n', at);
    }
  for (const child of parts) {
    const at = newlineInCommand(child, text);
    if (at !== undefined) return at;
  }
  return undefined;
}
