// Turns tree-sitter's ERROR and MISSING nodes into sentences a Click user understands:
// "missing `)` to close the configuration of `psd`" rather than "ERROR node".
import type { Node } from 'web-tree-sitter';

export interface ErrorContext {
  where: 'statement' | 'chain' | 'element' | 'group' | 'compound' | 'config' | 'port' | 'formals';
  /** What an opening bracket belongs to: "the configuration of `psd`", "elementclass `Foo`". */
  owner?: string;
  /** Absolute offset of the opening bracket of the construct being read. */
  openerStart?: number;
  /** Absolute offset where the owner's text starts (`psd` in `psd :: C(`), to underline up to the opener. */
  ownerStart?: number;
  /** Where to report a missing token that is not a closing bracket (the arrow before a missing element). */
  anchorStart?: number;
  anchorEnd?: number;
  /** The arrow before a missing element, as written. */
  anchorText?: string;
}

export interface DescribedError {
  start: number;
  end: number;
  message: string;
}

const CLOSERS: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
const OPENERS: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
const NAME_TYPES = new Set(['identifier', 'class_name', 'element_name', 'element_ref']);
const LEAF_LIMIT = 2000;

export function missingMessage(type: string, ctx: ErrorContext): string {
  switch (type) {
    case ')':
      return `missing \`)\` to close ${ctx.owner ?? 'the parenthesis'}`;
    case '}':
      return `missing \`}\` to close ${ctx.owner ?? 'the compound element'}`;
    case ']':
      return 'missing `]` to close the port list';
    case 'element_ref':
    case 'identifier':
    case 'element_name':
      return ctx.anchorText ? `missing element after \`${ctx.anchorText}\`` : 'missing element name';
    case 'class_name':
      return 'missing element class after `::`';
    case 'port_number':
      return 'missing port number';
    case 'value':
      return 'missing value';
    default:
      return /^[a-z_]+$/.test(type) ? `missing ${type.replace(/_/g, ' ')}` : `missing \`${type}\``;
  }
}

interface Leaf {
  type: string;
  start: number;
  end: number;
}

/** The tokens of an ERROR node in order, depth-first with an explicit stack (errors can nest deep). */
function leaves(root: Node, out: Leaf[]): void {
  const stack: Array<{ children: (Node | null)[]; next: number }> = [{ children: root.children, next: 0 }];
  while (stack.length && out.length < LEAF_LIMIT) {
    const top = stack[stack.length - 1];
    if (top.next >= top.children.length) {
      stack.pop();
      continue;
    }
    const child = top.children[top.next++];
    if (!child) continue;
    const type = child.type;
    // Values and comments are single tokens for our purpose, whatever they contain.
    if (child.childCount === 0 || type === 'value' || type === 'comment') {
      if (type !== 'comment' && type !== 'line_directive') out.push({ type, start: child.startIndex, end: child.endIndex });
    } else stack.push({ children: child.children, next: 0 });
  }
}

/** One message for an ERROR node, placed on the token that explains it best. */
export function describeErrorNode(node: Node, text: string, ctx: ErrorContext): DescribedError | undefined {
  const all: Leaf[] = [];
  if (node.childCount === 0) {
    if (node.endIndex > node.startIndex) all.push({ type: text.slice(node.startIndex, node.endIndex), start: node.startIndex, end: node.endIndex });
  } else leaves(node, all);
  if (all.length === 0) return undefined;

  // An opening bracket that is never closed explains everything after it.
  const stack: number[] = [];
  let unmatchedCloser: Leaf | undefined;
  all.forEach((leaf, i) => {
    if (OPENERS[leaf.type]) stack.push(i);
    else if (CLOSERS[leaf.type]) {
      if (stack.length && all[stack[stack.length - 1]].type === CLOSERS[leaf.type]) stack.pop();
      else unmatchedCloser ??= leaf;
    }
  });
  if (stack.length) return unclosed(all, stack[0], text, ctx);
  if (unmatchedCloser) {
    return {
      start: unmatchedCloser.start,
      end: unmatchedCloser.end,
      message: `unmatched \`${unmatchedCloser.type}\`: there is no \`${CLOSERS[unmatchedCloser.type]}\` for it to close`,
    };
  }

  const first = all[0];
  const word = text.slice(first.start, first.end);
  if (first.type === 'connector') {
    return { start: first.start, end: first.end, message: `stray \`${word}\`: an arrow needs an element on each side` };
  }
  if (first.type === '::') return { start: first.start, end: first.end, message: '`::` must come between an element name and its class' };
  if (first.type === '||' || first.type === '...') {
    return { start: first.start, end: first.end, message: `\`${word}\` is only allowed inside an \`elementclass\` body` };
  }
  if (first.type === 'variable') {
    return { start: first.start, end: first.end, message: `unexpected \`${word}\`: variables belong in configuration strings or before \`|\` in an elementclass` };
  }
  if (first.type === 'port_number' || ctx.where === 'port') {
    return { start: first.start, end: first.end, message: `unexpected \`${word}\` in the port list: write ports as \`[0]\`, \`[0,1]\` or \`[0-2]\`` };
  }
  const shown = word.length > 24 ? `${word.slice(0, 24)}…` : word;
  if (first.type === '#') return { start: first.start, end: first.end, message: 'unexpected `#`: a line directive must start at the beginning of a line' };
  return { start: first.start, end: Math.min(first.end, lineEnd(text, first.start)), message: `unexpected \`${shown.replace(/\s+/g, ' ')}\`` };
}

function unclosed(all: Leaf[], index: number, text: string, ctx: ErrorContext): DescribedError {
  const opener = all[index];
  const before = all[index - 1];
  const beforeThat = all[index - 2];
  if (opener.type === '(') {
    if (before && (NAME_TYPES.has(before.type) || before.type === 'require' || before.type === 'define' || before.type === 'provide')) {
      const name = text.slice(before.start, before.end);
      // `psd :: C(`: name the element, not its class.
      let owner = NAME_TYPES.has(before.type) ? `the configuration of \`${name}\`` : `\`${name}(\``;
      let start = before.start;
      if (beforeThat?.type === '::' && all[index - 3] && NAME_TYPES.has(all[index - 3].type)) {
        owner = `the configuration of \`${text.slice(all[index - 3].start, all[index - 3].end)}\``;
        start = all[index - 3].start;
      }
      return { start, end: opener.end, message: `missing \`)\` to close ${owner}` };
    }
    return { start: opener.start, end: opener.end, message: 'missing `)` to close this group' };
  }
  if (opener.type === '{') {
    if (before && NAME_TYPES.has(before.type) && beforeThat?.type === 'elementclass') {
      return { start: beforeThat.start, end: opener.end, message: `missing \`}\` to close elementclass \`${text.slice(before.start, before.end)}\`` };
    }
    return { start: opener.start, end: opener.end, message: `missing \`}\` to close ${ctx.where === 'compound' && ctx.owner ? ctx.owner : 'this compound element'}` };
  }
  return { start: opener.start, end: opener.end, message: 'missing `]` to close the port list' };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}
