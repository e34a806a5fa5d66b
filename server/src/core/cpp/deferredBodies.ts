// Function bodies converted when first read. The analysis reads about a third of the bodies the
// extractor meets (those reachable from packet processing), and converting all of them, then
// encoding them into the persistent index, took nearly a fifth of the cold index's main thread. A
// deferred body is parsed again on its own (the function's body text behind a dummy head) the
// first time it is read; the pack keeps no converted deferred body, only the mark `deferredBody`.
//
// Bodies with parse errors, or nested deep enough to be refused, are still converted with their
// file: what is counted or refused then stays what it was. (A body blanked for the file's first
// parse, blankedBodies.ts, shows no parse error there: it is deferred, errors and all.) So are the
// bodies of the analysis's entry methods (entryMethods.ts), nearly all of which are read:
// converted at once, but kept out of the pack like any deferred body.
import type { Node } from 'web-tree-sitter';
import type { Span, Stmt } from './ast';
import { BodyConverter, MAX_NESTING } from './bodies';
import { childByField } from './declarators';
import { blankClickMacros } from './macros';
import type { CppFileModel, CppFunction } from './model';

/** What parses a body again (a RecoveringParser, or a web-tree-sitter Parser in tests). */
export interface BodyParser {
  parse(text: string): { rootNode: Node; delete(): void } | null;
}

/** Why a deferred body read as none (a failure is never thrown at the reader). */
export type BodyFailure = (fn: CppFunction, err: unknown) => void;

const HEAD = 'void f()';

/**
 * Whether a body may be deferred: no parse error in it, and no bracket nesting near the depth the
 * converter refuses (such a file is refused when it is extracted, as before).
 */
export function canDefer(body: Node, text: string): boolean {
  if (body.hasError) return false;
  let depth = 0;
  let max = 0;
  const end = body.endIndex;
  for (let i = body.startIndex; i < end; i++) {
    const c = text.charCodeAt(i);
    // ( [ {  and  ) ] }
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 41 || c === 93 || c === 125) depth--;
  }
  return max < MAX_NESTING / 4;
}

/** Marks `fn`'s body deferred: converted by `convert` on first read. */
export function deferBody(fn: CppFunction, convert: () => Stmt | undefined): void {
  fn.deferredBody = true;
  // Not enumerable: copying or encoding the function never converts it.
  Object.defineProperty(fn, 'body', {
    configurable: true,
    enumerable: false,
    get(): Stmt | undefined {
      const body = convert();
      setDeferredBody(fn, body);
      return body;
    },
  });
}

/** Marks `fn`'s body deferred with its conversion already done (the pack still keeps only the mark). */
export function setDeferredBody(fn: CppFunction, body: Stmt | undefined): void {
  fn.deferredBody = true;
  Object.defineProperty(fn, 'body', { value: body, writable: true, configurable: true, enumerable: false });
}

/** Gives every deferred body of a model (decoded from JSON, where only the mark is) its conversion. */
export function deferBodies(model: CppFileModel, parser: BodyParser, onFailure?: BodyFailure): void {
  const defer = (fn: CppFunction) => {
    if (fn.deferredBody && !Object.prototype.hasOwnProperty.call(fn, 'body')) deferBody(fn, () => convertDeferred(parser, model.text, fn, onFailure));
  };
  model.functions.forEach(defer);
  for (const c of model.classes) c.methods.forEach(defer);
}

/** Whether `fn` has a body to analyze, without converting a deferred one. */
export function hasBody(fn: CppFunction): boolean {
  return !!fn.deferredBody || fn.body !== undefined;
}

/** `fn`'s body converted from the file's text, or undefined (said to onFailure) when it cannot be. */
export function convertDeferred(parser: BodyParser, text: string, fn: CppFunction, onFailure?: BodyFailure): Stmt | undefined {
  try {
    return convertBodyAlone(parser, text, fn.bodyStart!, fn.bodyEnd!);
  } catch (err) {
    onFailure?.(fn, err);
    return undefined;
  }
}

/** The body at [start, end) of `text` parsed alone and converted, its offsets those of `text`. */
export function convertBodyAlone(parser: BodyParser, text: string, start: number, end: number): Stmt {
  return readBodyAlone(parser, blankClickMacros(text.slice(start, end)).text, start, (body, alone, delta) =>
    shiftSpans(new BodyConverter(alone, () => undefined).stmt(body), delta),
  );
}

/**
 * Parses `bodyText` (a body found at offset `start` of its file) alone, behind a dummy head, and
 * hands `read` its node, the text the node indexes, and what to add to those offsets to get the
 * file's. Throws when the parser gives no tree or the text does not parse as a body.
 */
export function readBodyAlone<T>(parser: BodyParser, bodyText: string, start: number, read: (body: Node, alone: string, delta: number) => T): T {
  const alone = HEAD + bodyText;
  const tree = parser.parse(alone);
  if (!tree) throw new Error('the parser gave no tree');
  try {
    const fnNode = tree.rootNode.firstNamedChild;
    const body = fnNode?.type === 'function_definition' ? childByField(fnNode, 'body') : null;
    if (!body) throw new Error('the body did not parse as one');
    return read(body, alone, start - HEAD.length);
  } finally {
    tree.delete();
  }
}

/** Adds `delta` to every span of a converted body (its nodes are fresh: changed in place). */
function shiftSpans<T>(node: T, delta: number): T {
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Partial<Span> & Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number') {
      o.start += delta;
      o.end += delta;
    }
    for (const k in o) if (k !== 'start' && k !== 'end') visit(o[k]);
  };
  visit(node);
  return node;
}
