// Function bodies blanked for the file's first parse. About half of a FastClick element file is
// function bodies, and most bodies are deferred (deferredBodies.ts): parsed again alone when the
// analysis first reads them, which it does for about a third. Parsing them with their file as well
// was about a quarter of the parse of a cold index. So a light scan finds the bodies the extractor would
// defer, and the parser reads each as `{;}`: the rest of the body is left out of the parse through
// tree-sitter's included ranges, so offsets stay and the lexer does not even walk it (the `;`
// keeps an empty `{}` after a head from parsing as a brace initializer). The text is not copied:
// the parser reads it through a callback, which serves the `;` (and spaces for the left-out rest).
//
// The scan is a guess at C++ structure without a parser, so it is checked against the tree: if a
// blanked range is not exactly the body of a function definition, or the extractor finds it is
// the body of a function it reads at once, the file is parsed again unblanked.
import type { Node, Range } from 'web-tree-sitter';
import { isEntryMethod } from './entryMethods';
import { isIdentifierChar } from '../text';

export interface BlankedBody {
  /** Offsets of the body's `{` and of its `}`. */
  open: number;
  close: number;
}

/** What a parser reads at a UTF-16 offset (web-tree-sitter's input callback). */
export type ParseInput = (index: number) => string;

/** Bodies shorter than this are left as they are: blanking them saves nothing worth a guess. */
const MIN_BODY_CHARS = 48;

const NOT_FUNCTION_NAMES = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'return',
  'sizeof',
  'decltype',
  'alignas',
  'alignof',
  'noexcept',
  'throw',
  'static_assert',
  '__attribute__',
  'operator',
]);
/** Between a function's `)` and its body: qualifiers only (a comment or anything else: not blanked). */
const QUALIFIERS_ONLY = /^(?:\s|\b(?:const|override|final|volatile|noexcept)\b|&)*$/;
const NAME_BEFORE = /(~?[A-Za-z_]\w*)\s*$/;
const OWNER_BEFORE = /(\w+)\s*(?:<[^;{}()]*>)?\s*$/;
// `class A : public B<C> {`, `struct Outer::Inner {`: the class's own name. No parenthesis after
// it: a function's head is no class's, even after a comment that says `class X: ...`.
const CLASS_HEAD = /\b(?:class|struct|union)\s+(?:alignas\s*\([^()]*\)\s*)?(?:\w+\s*::\s*)*(\w+)\s*(?:final\s*)?(?::(?!:)[^;{}()]*)?$/;
const NAMESPACE_HEAD = /(?:\bnamespace\b[\w\s:]*|\bextern\s*"C(?:\+\+)?"\s*)$/;

/**
 * The bodies of `text` the extractor would defer, in order. Bodies it reads at once are left: the
 * analysis's entry methods, `class_name` and constructors (initializers). Those of functions that
 * receive the configuration are deferred too: their reads are extracted on first read
 * (deferredConfigReads.ts).
 */
export function deferrableBodies(text: string): BlankedBody[] {
  const marks = structuralMarks(text);
  if (!marks) return [];
  const { at, directives } = marks;
  const bodies: BlankedBody[] = [];
  // Class names of the enclosing declaration scopes ('' for a namespace or `extern "C"`).
  const scopes: string[] = [];
  for (let k = 0; k < at.length; k++) {
    const c = text.charCodeAt(at[k]);
    if (c === 125 /* } */) {
      scopes.pop();
      continue;
    }
    if (c !== 123 /* { */) continue;
    const head = text.slice(k > 0 ? headStart(text, at, k) : 0, at[k]);
    const cls = CLASS_HEAD.exec(head);
    if (cls) {
      scopes.push(cls[1]);
      continue;
    }
    if (NAMESPACE_HEAD.test(head)) {
      scopes.push('');
      continue;
    }
    const closeK = matchingBrace(text, at, k);
    if (closeK < 0) break;
    const open = at[k];
    const close = at[closeK];
    if (close - open > MIN_BODY_CHARS && !hasDirective(directives, open, close)) {
      const fn = functionBefore(text, at, k);
      if (fn && !keepsBody(fn, scopes[scopes.length - 1] ?? '')) bodies.push({ open, close });
    }
    k = closeK;
  }
  return bodies;
}

const SPACES = ' '.repeat(8192);

/** `text` as the parser reads it with `bodies` (in order) blanked. */
export function blankedInput(text: string, bodies: readonly BlankedBody[]): ParseInput {
  let next = 0; // the parser reads forward: the body at or after the last read, found from there
  return (index) => {
    if (next > 0 && bodies[next - 1].close > index) next = 0;
    while (next < bodies.length && bodies[next].close <= index) next++;
    const b = bodies[next];
    if (!b || index <= b.open) return text.slice(index, b ? b.open + 1 : text.length);
    if (index === b.open + 1) return ';' + SPACES.slice(0, Math.min(b.close - index - 1, SPACES.length - 1));
    return SPACES.slice(0, Math.min(b.close - index, SPACES.length));
  };
}

/** Ranges of `text` around `bodies` (in order): each body's `{` and first character are kept, its `}` starts the next range. */
export function includedRanges(text: string, bodies: readonly BlankedBody[]): Range[] {
  // Points as web-tree-sitter gives them (columns in UTF-16 code units); the parse only needs the offsets right.
  let row = 0;
  let lineStart = 0;
  let scanned = 0;
  const pointAt = (index: number) => {
    for (let nl = text.indexOf('\n', scanned); nl >= 0 && nl < index; nl = text.indexOf('\n', nl + 1)) {
      row++;
      lineStart = nl + 1;
    }
    scanned = Math.max(scanned, index);
    return { row, column: index - lineStart };
  };
  const ranges: Range[] = [];
  let from = 0;
  let fromPoint = pointAt(0);
  for (const b of bodies) {
    const end = b.open + 2;
    ranges.push({ startIndex: from, endIndex: end, startPosition: fromPoint, endPosition: pointAt(end) });
    from = b.close;
    fromPoint = pointAt(from);
  }
  ranges.push({ startIndex: from, endIndex: text.length, startPosition: fromPoint, endPosition: pointAt(text.length) });
  return ranges;
}

interface FunctionHead {
  name: string;
  owner: string | undefined;
  params: string;
  /** Followed by a constructor's initializer list (`: a(1), b(2) {`). */
  initializers: boolean;
}

function keepsBody(fn: FunctionHead, className: string): boolean {
  return fn.initializers || fn.name === 'class_name' || isEntryMethod(fn.name) || fn.name === (fn.owner ?? className);
}

/** Where the head of the declaration ending at mark k starts: after the previous `;`, `{` or `}`. */
function headStart(text: string, at: readonly number[], k: number): number {
  for (let j = k - 1; j >= 0; j--) {
    const c = text.charCodeAt(at[j]);
    if (c === 59 || c === 123 || c === 125) return at[j] + 1;
  }
  return 0;
}

/** The function whose body opens at mark k, when what precedes it reads as a function head. */
function functionBefore(text: string, at: readonly number[], k: number): FunctionHead | undefined {
  const closeParen = k - 1;
  if (closeParen < 0 || text.charCodeAt(at[closeParen]) !== 41 /* ) */) return undefined;
  if (!QUALIFIERS_ONLY.test(text.slice(at[closeParen] + 1, at[k]))) return undefined;
  let depth = 0;
  let j = closeParen;
  for (; j >= 0; j--) {
    const c = text.charCodeAt(at[j]);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) break;
    else if (c !== 40) return undefined; // a `;`, `{` or `}` inside the parentheses
  }
  if (j < 0) return undefined;
  const paren = at[j];
  const before = text.slice(Math.max(0, paren - 200, j > 0 ? at[j - 1] + 1 : 0), paren);
  const m = NAME_BEFORE.exec(before);
  if (!m || NOT_FUNCTION_NAMES.has(m[1])) return undefined;
  const rest = before.slice(0, m.index).trimEnd();
  let owner: string | undefined;
  if (rest.endsWith('::')) {
    const q = OWNER_BEFORE.exec(rest.slice(0, -2));
    if (!q) return undefined;
    owner = q[1];
  }
  const initializers = (rest.endsWith(':') && !rest.endsWith('::')) || rest.endsWith(',');
  return { name: m[1], owner, params: text.slice(paren + 1, at[closeParen]), initializers };
}

/** The mark of the `}` closing the `{` at mark k, or -1. */
function matchingBrace(text: string, at: readonly number[], k: number): number {
  let depth = 0;
  for (let j = k; j < at.length; j++) {
    const c = text.charCodeAt(at[j]);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return j;
  }
  return -1;
}

/** Whether a preprocessor line starts in (open, close) (`directives` in order). */
function hasDirective(directives: readonly number[], open: number, close: number): boolean {
  let lo = 0;
  let hi = directives.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (directives[mid] <= open) lo = mid + 1;
    else hi = mid;
  }
  return lo < directives.length && directives[lo] < close;
}

interface StructuralMarks {
  /** Offsets of `{`, `}`, `(`, `)` and `;` outside comments, literals and preprocessor lines. */
  at: number[];
  /** Offsets where preprocessor lines start. */
  directives: number[];
}

const INTERESTING = /[{}();#/"']/g;

/** undefined when the text holds what this scan does not follow (a raw string literal). */
function structuralMarks(text: string): StructuralMarks | undefined {
  const at: number[] = [];
  const directives: number[] = [];
  const n = text.length;
  const re = INTERESTING;
  re.lastIndex = 0;
  // test(), not exec(): every match is one character, found at lastIndex - 1, and exec() would
  // allocate a match array for each (tens of megabytes over a tree, for the collector to sweep).
  while (re.test(text)) {
    const i = re.lastIndex - 1;
    const c = text.charCodeAt(i);
    switch (c) {
      case 35 /* # */: {
        if (!startsLine(text, i)) break;
        // A directive runs to the end of its line, backslash continuations included.
        let e = i;
        for (;;) {
          e = text.indexOf('\n', e);
          if (e < 0) e = n;
          if (e === n || text.charCodeAt(e - 1) !== 92 /* \ */) break;
          e++;
        }
        directives.push(i);
        re.lastIndex = e;
        break;
      }
      case 47 /* / */: {
        const d = text.charCodeAt(i + 1);
        if (d === 47) {
          const e = text.indexOf('\n', i);
          re.lastIndex = e < 0 ? n : e;
        } else if (d === 42 /* * */) {
          const e = text.indexOf('*/', i + 2);
          re.lastIndex = e < 0 ? n : e + 2;
        }
        break;
      }
      case 34 /* " */:
      case 39 /* ' */: {
        if (c === 34 && text.charCodeAt(i - 1) === 82 /* R */) return undefined;
        // A digit separator (1'000) is no literal.
        if (c === 39 && isIdentifierChar(text.charCodeAt(i - 1)) && isIdentifierChar(text.charCodeAt(i + 1))) break;
        let e = i + 1;
        while (e < n) {
          const d = text.charCodeAt(e);
          if (d === 92) e += 2;
          else if (d === c || d === 10) break;
          else e++;
        }
        re.lastIndex = e + 1;
        break;
      }
      default:
        at.push(i);
    }
  }
  return { at, directives };
}

/** Whether only blanks precede offset i on its line. */
function startsLine(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text.charCodeAt(j);
    if (c === 10) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** The blanked bodies did not fit the tree: the file is parsed again whole. */
export class BlankingMismatch extends Error {}

/** The bodies blanked in a parsed text, checked against its tree. */
export class BlankedBodies {
  /** The close of each blanked body not yet found to be a function's body, by its open. */
  private readonly unchecked = new Map<number, number>();

  constructor(private readonly bodies: readonly BlankedBody[]) {
    for (const b of bodies) this.unchecked.set(b.open, b.close);
  }

  /** `text` as the parser reads it, these bodies blanked. */
  input(text: string): ParseInput {
    return blankedInput(text, this.bodies);
  }

  /** The parts of `text` the parser reads: all but each body after its `{;`. */
  includedRanges(text: string): Range[] {
    return includedRanges(text, this.bodies);
  }

  /**
   * Whether the body of a function definition the extractor meets, at [start, end), was blanked;
   * a blanked range that starts there and ends elsewhere is a BlankingMismatch.
   */
  isBlanked(start: number, end: number): boolean {
    const close = this.unchecked.get(start);
    if (close === undefined) return false;
    if (close !== end - 1) throw new BlankingMismatch(`the blanked text at offset ${start} is not the function body there`);
    this.unchecked.delete(start);
    return true;
  }

  /**
   * Once the extractor is done: throws a BlankingMismatch unless each blanked range it did not
   * meet is still exactly the body of a function definition (one it skips, such as in a `friend`).
   */
  verifyRest(root: Node): void {
    for (const [open, close] of this.unchecked) {
      const brace = root.descendantForIndex(open, open + 1);
      const body = brace?.parent;
      if (brace?.type !== '{' || body?.type !== 'compound_statement' || body.endIndex !== close + 1 || body.parent?.type !== 'function_definition')
        throw new BlankingMismatch(`the blanked text at offset ${open} is no function body`);
    }
  }
}
