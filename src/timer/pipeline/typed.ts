// The stages of a pipeline as the user typed them, from bash's syntax tree (tree-sitter-bash): each
// element of the pipeline with its text exactly as typed (quotes, parentheses and `|` inside kept) and,
// for a simple command, the program it names. The rows of the report are named from these.

import { BUILTINS, OPAQUE, WRAPPERS, wrapped } from './commands.js';

/** What the typed stages need of a syntax tree's node (web-tree-sitter's Node has it). */
export interface SyntaxNode {
  type: string;
  text: string;
  startIndex: number;
  endIndex: number;
  namedChildren: (SyntaxNode | null)[];
  hasError: boolean;
}

/** One stage as typed: its text, the program it runs where it is a simple command, its pipeline's number. */
export interface TypedStage {
  text: string;
  program: string | undefined;
  /** 0 for the text's first pipeline (or command), 1 for the next… */
  pipeline: number;
  /** in a list of `&&` and `||`: it may not run */
  conditional: boolean;
  /** started as a `&` job: it may outlive the shell, which does not wait for it */
  background: boolean;
  /** its process substitutions as typed (`<(seq 3)`), in the order bash starts them (nested ones not) */
  procsubs: string[];
  /** where its text begins in the text as typed (undefined: not known) */
  at?: number;
  /** the program a wrapper runs (`nice -n 5 mul`: mul), where it can be told */
  runs?: string;
}

/** The process substitutions in a node, outermost only, in order. */
const procsubsOf = (node: SyntaxNode): string[] =>
  node.type === 'process_substitution' ? [node.text] : children(node).flatMap(procsubsOf);

/** A stage of `node`, its text `source` from `start` to `end` (blanks around it left out). */
const element = (
  node: SyntaxNode,
  source: string,
  start: number,
  end: number,
): Omit<TypedStage, 'pipeline' | 'conditional' | 'background'> => {
  const text = source.slice(start, end).trim();
  const program = programOf(node);
  const runs = WRAPPERS.has(program ?? '') ? wrapped(text.split(/\s+/).slice(1)) : undefined;
  return {
    text,
    program,
    procsubs: procsubsOf(node),
    at: start + source.slice(start, end).search(/\S|$/),
    ...(runs === undefined ? {} : { runs }),
  };
};

/**
 * The rows of the last pipeline, whose statuses bash's PIPESTATUS gives at the end, where it surely
 * ran last: no `&&` or `||` may have skipped it — unless `ran` says it ran (a process of it was seen),
 * or PIPESTATUS has as many statuses (`count`, 2 or more) as it has elements and no other pipeline
 * has as many (a command alone gives one: `false || seq 3 | sort -r`); undefined otherwise (and where
 * the last statement is an `&` job, which sets no PIPESTATUS).
 */
export function lastPipelineRows(
  stages: TypedStage[],
  ran: (row: number) => boolean = () => false,
  count = 0,
): number[] | undefined {
  if (stages[stages.length - 1]!.background) return undefined;
  const last = stages[stages.length - 1]!.pipeline;
  const rows = stages.flatMap((stage, index) => (stage.pipeline === last ? [index] : []));
  const sizes = new Map<number, number>();
  for (const stage of stages) sizes.set(stage.pipeline, (sizes.get(stage.pipeline) ?? 0) + 1);
  const told = count >= 2 && [...sizes].every(([pipeline, size]) => (pipeline === last) === (size === count));
  return stages.some((stage) => stage.conditional) && !rows.some(ran) && !told ? undefined : rows;
}

const children = (node: SyntaxNode): SyntaxNode[] =>
  node.namedChildren.filter((child): child is SyntaxNode => child !== null && child.type !== 'comment');

/** An element of a pipeline: its node, where its text ends, the redirections bash applies to it. */
interface Element {
  node: SyntaxNode;
  endIndex: number;
  redirects: SyntaxNode[];
}

/**
 * A pipeline's elements, each with where its text ends and the redirections tree-sitter gave to a
 * whole pipeline before it: it reads `a | b 2>&1 | c` as the pipeline `a | b` redirected, then `| c`,
 * and `a | b > out` as `a | b` redirected; bash applies each redirection to the element it follows.
 */
function redirectedElements(pipeline: SyntaxNode, statement: SyntaxNode): Element[] {
  const flat = (node: SyntaxNode): Element[] => {
    const inner = children(node)[0];
    if (node.type === 'redirected_statement' && inner?.type === 'pipeline') {
      const elements = flat(inner);
      const redirects = children(node).filter((child) => child !== inner);
      const last = elements[elements.length - 1]!;
      last.endIndex = Math.max(last.endIndex, node.endIndex);
      last.redirects = [...last.redirects, ...redirects];
      return elements;
    }
    if (node.type !== 'pipeline') return [{ node, endIndex: node.endIndex, redirects: [] }];
    return children(node).flatMap(flat);
  };
  const elements = flat(pipeline);
  if (statement !== pipeline) {
    // (a redirection after the last element is its: its process substitutions too)
    const last = elements[elements.length - 1]!;
    last.endIndex = statement.endIndex;
    last.redirects = [...last.redirects, ...children(statement).filter((child) => child !== pipeline)];
  }
  return elements;
}

/** The program a simple command runs: its command name's last path part, as typed. */
function programOf(node: SyntaxNode): string | undefined {
  let command = node;
  while (command.type === 'redirected_statement' && children(command)[0]) command = children(command)[0]!;
  if (command.type !== 'command') return undefined;
  const name = children(command).find((child) => child.type === 'command_name');
  if (name === undefined) return undefined;
  const word = name.text.replace(/^['"]|['"]$/g, '');
  return word.slice(word.lastIndexOf('/') + 1) || undefined;
}

const has = (node: SyntaxNode, type: string): boolean =>
  node.type === type || children(node).some((child) => has(child, type));

/**
 * The stages of `source` as typed: each element of each pipeline (`a | (b | c) | d > out`: three),
 * and each command outside a pipeline that is a process of its own (not a builtin, nor assignments
 * alone), in the order bash starts them, in statements joined by newlines, `;`, `&&` and `||`, each
 * with the number of its pipeline. A function's definition starts no process; a call of it in a pipeline
 * is an element (bash forks it: the body's processes are under that fork), its program none. Undefined
 * where the processes cannot be told from the text: a syntax error, a function called outside a
 * pipeline (its body runs in the shell), a compound command (if, while, { }) outside a pipeline, eval, exec,
 * or a `$( )` or `<( )` outside a pipeline beside other statements. A redirection after the last
 * element is that element's (tree-sitter puts it on the whole pipeline; bash applies it to the last).
 * A `&` job: a pipeline's elements, anything else (a builtin too) one stage, the shell's fork.
 * `shown`: the text as typed, the stages' texts cut from it, where `source` (parsed) has its
 * here-documents masked (maskHeredocs: the same offsets).
 */
export function typedStages(root: SyntaxNode, source: string, shown = source): TypedStage[] | undefined {
  if (root.hasError) return undefined;
  const top = children(root);
  // between statements and after the last: newlines, `;` and comments (a `&` is a background job)
  const gaps = top.map((statement, index) => source.slice(statement.endIndex, top[index + 1]?.startIndex));
  if (gaps.some((gap) => !/^(\s|;|&|#[^\n]*)*$/.test(gap))) return undefined;
  const background = (index: number): boolean => gaps[index]!.replace(/#[^\n]*/g, '').includes('&');
  const alone = top.flatMap((node) => statementsOf(node, false)).length === 1;
  const stages: TypedStage[] = [];
  const functions = new Set<string>();
  for (const [index, node] of top.entries()) {
    if (node.type === 'function_definition' && !background(index)) {
      const name = children(node).find((child) => child.type === 'word')?.text;
      if (name === undefined) return undefined;
      functions.add(name);
      continue;
    }
    // a `&` job: a pipeline's elements are the shell's children, anything else one fork of it
    const program = programOf(node) ?? '';
    const simple = node.type === 'command' && !BUILTINS.has(program) && !functions.has(program);
    const asJob = background(index) && node.type !== 'pipeline' && !simple;
    const statements: [SyntaxNode, boolean][] = asJob ? [[node, false]] : statementsOf(node, false);
    for (const [statement, conditional] of statements) {
      const found = asJob
        ? [element(statement, shown, statement.startIndex, statement.endIndex)]
        : statementStages(statement, shown, alone);
      if (found === undefined) return undefined;
      // a function's call: outside a pipeline its body runs in the shell; in one, a fork runs it
      if (found.some((stage) => functions.has(stage.program ?? ''))) {
        if (found.length === 1 && !asJob && !inPipeline(statement)) return undefined;
        for (const stage of found) if (functions.has(stage.program ?? '')) stage.program = undefined;
      }
      const pipeline = stages.length === 0 ? 0 : stages[stages.length - 1]!.pipeline + 1;
      const job = background(index);
      for (const stage of found) stages.push({ ...stage, pipeline, conditional, background: job });
    }
  }
  return stages.length > 0 ? stages : undefined;
}

/** Whether a statement is a pipeline (redirected, negated): its elements forked apart from the shell. */
function inPipeline(statement: SyntaxNode): boolean {
  let node = statement;
  while ((node.type === 'negated_command' || node.type === 'redirected_statement') && children(node)[0])
    node = children(node)[0]!;
  return node.type === 'pipeline' || pipelineAfterHeredoc(statement, '') !== null;
}

/** A statement, or each of a list's (`a && b || c`), with whether it is in such a list. */
const statementsOf = (node: SyntaxNode, inList: boolean): [SyntaxNode, boolean][] => {
  const list = asList(node);
  return list.type === 'list' ? children(list).flatMap((child) => statementsOf(child, true)) : [[list, inList]];
};

/**
 * tree-sitter-bash reads `a | b | c && d` as a pipeline whose last element is the list `b | c && d`;
 * bash, as the list of the pipeline `a | b | c` and `d`: the node as bash reads it.
 */
function asList(node: SyntaxNode): SyntaxNode {
  const elements = children(node);
  const list = elements[elements.length - 1];
  if (node.type !== 'pipeline' || list?.type !== 'list') return node;
  const [first, ...rest] = children(list);
  const head = asList(first!);
  const joined = head.type === 'list' ? children(head)[0]! : head;
  const pipeline: SyntaxNode = {
    type: 'pipeline',
    text: node.text.slice(0, joined.endIndex - node.startIndex),
    startIndex: node.startIndex,
    endIndex: joined.endIndex,
    namedChildren: [...elements.slice(0, -1), joined],
    hasError: false,
  };
  const more = head.type === 'list' ? children(head).slice(1) : [];
  return {
    type: 'list',
    text: node.text,
    startIndex: node.startIndex,
    endIndex: node.endIndex,
    namedChildren: [pipeline, ...more, ...rest],
    hasError: false,
  };
}

/** The stages of one statement ([] where it starts no process), or undefined (see typedStages). */
function statementStages(
  statement: SyntaxNode,
  source: string,
  alone: boolean,
): Omit<TypedStage, 'pipeline' | 'conditional' | 'background'>[] | undefined {
  const heredocPipeline = pipelineAfterHeredoc(statement, source);
  if (heredocPipeline !== null) return heredocPipeline;
  let node = statement;
  if (node.type === 'negated_command' && children(node)[0]) node = children(node)[0]!;
  if (node.type === 'redirected_statement' && children(node)[0]?.type === 'pipeline') node = children(node)[0]!;
  if (node.type === 'pipeline') {
    const elements = redirectedElements(node, statement);
    // `! a | b` negates the pipeline's status: the stages are a and b
    const first = elements[0]?.node;
    if (first?.type === 'negated_command' && children(first)[0]) elements[0]!.node = children(first)[0]!;
    return elements.map(({ node, endIndex, redirects }) => {
      const stage = element(node, source, node.startIndex, endIndex);
      return { ...stage, procsubs: [...stage.procsubs, ...redirects.flatMap(procsubsOf)] };
    });
  }
  const stage = element(node, source, statement.startIndex, statement.endIndex);
  if (node.type === 'subshell') return [stage];
  const substitutes = has(node, 'command_substitution') || has(node, 'process_substitution');
  if (substitutes && !alone) return undefined; // the shell's own children, beside the command's
  let command = node;
  while (command.type === 'redirected_statement' && children(command)[0]) command = children(command)[0]!;
  if (command.type === 'variable_assignment' || command.type === 'declaration_command') return alone ? undefined : [];
  if (command.type !== 'command') return undefined;
  if (stage.program === undefined) return alone ? undefined : []; // assignments alone
  if (OPAQUE.has(stage.program)) return undefined;
  return BUILTINS.has(stage.program) ? [] : [stage];
}

/**
 * `cat <<EOF | tr a-z A-Z` (the here-document's body on the lines after): tree-sitter puts the rest of
 * the pipeline inside the here-document's redirection. Its stages: the command with `<<EOF`, then the
 * rest; undefined where something else follows `<<EOF` (`&&`); null where there is no such thing.
 */
function pipelineAfterHeredoc(
  statement: SyntaxNode,
  source: string,
): Omit<TypedStage, 'pipeline' | 'conditional' | 'background'>[] | undefined | null {
  if (statement.type !== 'redirected_statement') return null;
  const heredoc = children(statement).find((child) => child.type === 'heredoc_redirect');
  const rest =
    heredoc &&
    children(heredoc).find((child) => !child.type.startsWith('heredoc_') && !child.type.endsWith('_redirect'));
  if (!heredoc || !rest) return null;
  const command = children(statement)[0]!;
  if (rest.type !== 'pipeline' || command.type !== 'command') return undefined;
  const start = children(heredoc).find((child) => child.type === 'heredoc_start')!;
  return [
    element(command, source, statement.startIndex, start.endIndex),
    ...redirectedElements(rest, rest).map(({ node, endIndex, redirects }) => ({
      ...element(node, source, node.startIndex, endIndex),
      procsubs: [...procsubsOf(node), ...redirects.flatMap(procsubsOf)],
    })),
  ];
}
