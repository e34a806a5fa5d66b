// Reads one top-level node of a tree-sitter-click tree into the plain syntax of syntax.ts, and
// phrases its syntax errors for humans. Only this file and clickDocument.ts touch tree-sitter nodes.
import type { Node } from 'web-tree-sitter';
import type {
  Span,
  Token,
  SynStatement,
  SynChain,
  SynChainItem,
  SynSet,
  SynElement,
  SynElementBody,
  SynPort,
  SynCompound,
  SynCompoundBody,
  SynFormal,
  SynConfig,
  SynArg,
  SynElementClass,
  SynDirective,
  SynProblem,
  TopLevelFragment,
} from './syntax';
import { describeErrorNode, missingMessage, type ErrorContext } from './syntaxErrors';
import { findUnterminatedQuote } from './configText';
import { MAX_NESTING } from './fastReader';

const STATEMENT_TYPES = new Set(['connection', 'element_statement', 'elementclass_definition', 'require_statement', 'define_statement', 'provide_statement']);

/** Reads one child of the root node (or the root itself when it is an ERROR) into a fragment. */
export function readTopLevel(node: Node, text: string): TopLevelFragment {
  const start = node.startIndex;
  const end = node.endIndex;
  const type = node.type;
  const reader = new StatementReader(text, start, type === 'ERROR' || node.hasError);
  const statements: SynStatement[] = [];
  if (type === 'ERROR') reader.error(node, { where: 'statement' }, statements);
  else if (type === 'comment') reader.comment(node);
  else if (type === 'line_directive') reader.lineDirective(node);
  else if (type === ';') statements.push({ kind: 'semicolon', ...reader.span(node) });
  else if (type !== 'line_directive') {
    const s = reader.statement(node);
    if (s) statements.push(s);
  }
  return {
    start,
    length: end - start,
    type,
    text: text.slice(start, end),
    statements,
    problems: reader.problems,
    folds: reader.folds,
    // A fragment with problems is never reused by text: some depend on what precedes it.
    hasError: reader.hasError || reader.problems.length > 0,
  };
}

class StatementReader {
  readonly problems: SynProblem[] = [];
  readonly folds: TopLevelFragment['folds'] = [];
  /** Groups and compounds being read, to stop at Click's nesting limit (and keep the stack small). */
  private depth = 0;

  /** True (and says so once) when a body nests deeper than Click allows; it is then not read. */
  private tooDeep(node: Node, what: string): boolean {
    if (this.depth < MAX_NESTING) return false;
    this.problem(
      node.startIndex,
      node.startIndex + 1,
      `this ${what} is nested more than ${MAX_NESTING} levels deep, more than Click allows; its contents are not read`,
      'too-deep',
    );
    return true;
  }

  constructor(
    private readonly text: string,
    private readonly base: number,
    /** Whether this statement has an error somewhere: only then are MISSING nodes looked for. */
    readonly hasError: boolean,
  ) {}

  span(node: Node): Span {
    return { start: node.startIndex - this.base, end: node.endIndex - this.base };
  }

  token(node: Node): Token {
    const start = node.startIndex;
    const end = node.endIndex;
    return { start: start - this.base, end: end - this.base, text: this.text.slice(start, end) };
  }

  problem(start: number, end: number, message: string, code = 'syntax'): void {
    this.problems.push({ start: start - this.base, end: end - this.base, message, code });
  }

  /** Handles the children every rule may contain: comments, directives, errors and missing tokens. */
  private extra(child: Node, type: string, ctx: ErrorContext, recovered?: SynStatement[]): boolean {
    if (type === 'comment') {
      this.comment(child);
      return true;
    }
    if (type === 'line_directive') {
      this.lineDirective(child);
      return true;
    }
    if (type === 'ERROR') {
      this.error(child, ctx, recovered);
      return true;
    }
    if (this.hasError && child.isMissing) {
      const message = missingMessage(type, ctx);
      const at = child.startIndex;
      const anchor = ctx.openerStart !== undefined && (type === ')' || type === '}' || type === ']');
      if (anchor) this.problem(ctx.ownerStart ?? ctx.openerStart!, ctx.openerStart! + 1, message);
      else this.problem(ctx.anchorStart ?? at, ctx.anchorEnd ?? at, message);
      return true;
    }
    return false;
  }

  comment(node: Node): void {
    const start = node.startIndex;
    const end = node.endIndex;
    if (this.text.startsWith('/*', start)) {
      if (end - start < 4 || !this.text.startsWith('*/', end - 2)) {
        this.problem(start, start + 2, 'unterminated comment: this `/*` is never closed by `*/`', 'unterminated-comment');
      }
      this.folds.push({ start: start - this.base, end: end - this.base, kind: 'comment' });
    }
  }

  /** Click reads `#` as a directive only at the very start of a line. */
  lineDirective(node: Node): void {
    const start = node.startIndex;
    if (start > 0 && this.text.charCodeAt(start - 1) !== 10 && this.text.charCodeAt(start - 1) !== 13) {
      this.problem(start, start + 1, 'unexpected `#`: a `# line "file"` directive must start at the beginning of a line', 'syntax');
    }
  }

  /** An ERROR node: one plain message, then whatever statements can still be read inside it. */
  error(node: Node, ctx: ErrorContext, recovered?: SynStatement[]): void {
    const described = describeErrorNode(node, this.text, ctx);
    if (described) this.problem(described.start, described.end, described.message);
    if (this.depth >= MAX_NESTING) return;
    this.depth++;
    try {
      this.errorChildren(node, ctx, recovered);
    } finally {
      this.depth--;
    }
  }

  private errorChildren(node: Node, ctx: ErrorContext, recovered?: SynStatement[]): void {
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'comment') this.comment(child);
      else if (type === 'line_directive') this.lineDirective(child);
      else if (recovered && STATEMENT_TYPES.has(type)) {
        const s = this.statement(child);
        if (s) recovered.push(s);
      } else if (recovered && type === 'element') {
        const element = this.element(child);
        recovered.push({ kind: 'chain', ...this.span(child), items: [{ kind: 'set', ...this.span(child), elements: [element] }] });
      } else if (type === 'ERROR') this.error(child, ctx, recovered);
      else if (this.hasError && child.isMissing) this.extra(child, type, ctx);
    }
  }

  statement(node: Node): SynStatement | undefined {
    switch (node.type) {
      case 'connection':
      case 'element_statement':
        return this.chain(node);
      case 'elementclass_definition':
        return this.elementClass(node);
      case 'require_statement':
        return this.directive(node, 'require');
      case 'define_statement':
        return this.directive(node, 'define');
      case 'provide_statement':
        return this.directive(node, 'provide');
      default:
        return undefined;
    }
  }

  statements(children: (Node | null)[], from: number, to: number, ctx: ErrorContext): SynStatement[] {
    const out: SynStatement[] = [];
    for (let i = from; i < to; i++) {
      const child = children[i];
      if (!child) continue;
      const type = child.type;
      if (type === ';') out.push({ kind: 'semicolon', ...this.span(child) });
      else if (STATEMENT_TYPES.has(type)) {
        const s = this.statement(child);
        if (s) out.push(s);
      } else this.extra(child, type, ctx, out);
    }
    return out;
  }

  chain(node: Node): SynChain {
    const items: SynChainItem[] = [];
    let set: SynSet | undefined;
    let lastConnector: Token | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'element') {
        const element = this.element(child, lastConnector);
        if (!set) {
          set = { kind: 'set', start: element.start, end: element.end, elements: [] };
          items.push(set);
        }
        set.elements.push(element);
        set.end = element.end;
      } else if (type === 'connector') {
        const t = this.token(child);
        items.push({ kind: 'connector', start: t.start, end: t.end, text: t.text });
        lastConnector = t;
        set = undefined;
      } else if (type === 'port') {
        const port = this.port(child);
        items.push({ kind: 'port', start: port.start, end: port.end, port });
        set = undefined;
      } else if (type === ',') {
        continue;
      } else {
        const ctx: ErrorContext = { where: 'chain' };
        if (lastConnector) {
          ctx.anchorStart = lastConnector.start + this.base;
          ctx.anchorEnd = lastConnector.end + this.base;
          ctx.anchorText = lastConnector.text;
        }
        this.extra(child, type, ctx);
      }
    }
    return { kind: 'chain', ...this.span(node), items };
  }

  /** `after` is the arrow before this element, which is where a missing element is reported. */
  element(node: Node, after?: Token): SynElement {
    let inputPort: SynPort | undefined;
    let outputPort: SynPort | undefined;
    let body: SynElementBody | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      switch (type) {
        case 'port':
          if (body) outputPort = this.port(child);
          else inputPort = this.port(child);
          break;
        case 'declaration':
          body = this.declaration(child);
          break;
        case 'instance':
          body = this.instance(child);
          break;
        case 'element_ref':
          if (this.hasError && child.isMissing) {
            const anchor = after
              ? { anchorStart: after.start + this.base, anchorEnd: after.end + this.base, anchorText: after.text }
              : { anchorStart: node.startIndex, anchorEnd: node.startIndex };
            this.extra(child, type, { where: 'element', ...anchor });
            body = { kind: 'ref', name: { ...this.span(child), text: '' }, span: this.span(child) };
          } else body = { kind: 'ref', name: this.token(child), span: this.span(child) };
          break;
        case 'group':
          body = this.group(child);
          break;
        case 'compound': {
          const compound = this.compound(child, undefined);
          body = { kind: 'compound', compound, span: this.span(child) };
          break;
        }
        default:
          this.extra(child, type, { where: 'element' });
      }
    }
    const span = this.span(node);
    return { ...span, inputPort, outputPort, body: body ?? { kind: 'ref', name: { start: span.start, end: span.start, text: '' }, span } };
  }

  declaration(node: Node): SynElementBody {
    let name: Token | undefined;
    let className: Token | undefined;
    let compound: SynCompound | undefined;
    let config: SynConfig | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'element_name') name = this.token(child);
      else if (type === 'class_name') className = this.token(child);
      else if (type === 'compound') compound = this.compound(child, name ? `\`${name.text}\`` : undefined);
      else if (type === 'config') {
        config = this.config(child, {
          where: 'config',
          owner: `the configuration of \`${name?.text ?? className?.text ?? 'this element'}\``,
          ownerStart: node.startIndex,
        });
      } else if (type !== '::') this.extra(child, type, { where: 'element' });
    }
    return { kind: 'declaration', name: name ?? { start: 0, end: 0, text: '' }, className, compound, config, span: this.span(node) };
  }

  instance(node: Node): SynElementBody {
    let className: Token | undefined;
    let compound: SynCompound | undefined;
    let config: SynConfig | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'class_name') className = this.token(child);
      else if (type === 'compound') compound = this.compound(child, undefined);
      else if (type === 'config') {
        config = this.config(child, {
          where: 'config',
          owner: `the configuration of \`${className?.text ?? 'this compound element'}\``,
          ownerStart: node.startIndex,
        });
      } else this.extra(child, type, { where: 'element' });
    }
    const span = this.span(node);
    return { kind: 'instance', className, compound, config: config ?? { ...span, open: span.end, args: [] }, span };
  }

  group(node: Node): SynElementBody {
    const span = this.span(node);
    if (this.tooDeep(node, 'group')) return { kind: 'group', statements: [], span, closed: true };
    this.depth++;
    try {
      return this.groupBody(node, span);
    } finally {
      this.depth--;
    }
  }

  private groupBody(node: Node, span: Span): SynElementBody {
    const children = node.children;
    this.folds.push({ ...span, kind: 'group' });
    const ctx: ErrorContext = { where: 'group', owner: 'this group', openerStart: node.startIndex };
    let closed = true;
    const statements: SynStatement[] = [];
    for (const child of children) {
      if (!child) continue;
      const type = child.type;
      if (type === '(') continue;
      if (type === ')') {
        if (this.hasError && child.isMissing) {
          closed = false;
          this.extra(child, type, ctx);
        }
        continue;
      }
      if (type === ';') statements.push({ kind: 'semicolon', ...this.span(child) });
      else if (STATEMENT_TYPES.has(type)) {
        const s = this.statement(child);
        if (s) statements.push(s);
      } else this.extra(child, type, ctx, statements);
    }
    return { kind: 'group', statements, span, closed };
  }

  /** `owner` names the construct for messages: an elementclass or declared element. */
  compound(node: Node, owner: string | undefined): SynCompound {
    const span = this.span(node);
    if (this.tooDeep(node, 'compound')) return { ...span, bodies: [], extension: false, closed: true };
    this.depth++;
    try {
      return this.compoundBodies(node, span, owner);
    } finally {
      this.depth--;
    }
  }

  private compoundBodies(node: Node, span: Span, owner: string | undefined): SynCompound {
    this.folds.push({ ...span, kind: 'compound' });
    const ctx: ErrorContext = { where: 'compound', owner: owner ?? 'this compound element', openerStart: node.startIndex };
    const bodies: SynCompoundBody[] = [];
    let extension = false;
    let closed = true;
    let pendingBar: Span | undefined = { start: span.start + 1, end: span.start + 1 };
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'compound_body') {
        bodies.push(this.compoundBody(child, ctx));
        pendingBar = undefined;
      } else if (type === '||' || type === '}') {
        // An empty overload (`{ || ... }`, `{}`) still counts as a body.
        if (pendingBar) bodies.push({ ...pendingBar, formals: [], statements: [] });
        if (type === '}' && this.hasError && child.isMissing) {
          closed = false;
          this.extra(child, type, ctx);
        }
        const at = child.endIndex - this.base;
        pendingBar = type === '||' ? { start: at, end: at } : undefined;
      } else if (type === 'ellipsis') {
        extension = true;
        pendingBar = undefined;
      } else if (type !== '{') this.extra(child, type, ctx);
    }
    return { ...span, bodies, extension, closed };
  }

  compoundBody(node: Node, ctx: ErrorContext): SynCompoundBody {
    const children = node.children;
    let formals: SynFormal[] = [];
    let from = 0;
    if (children[0]?.type === 'formals') {
      formals = this.formals(children[0]);
      from = 1;
    }
    return { ...this.span(node), formals, statements: this.statements(children, from, children.length, ctx) };
  }

  formals(node: Node): SynFormal[] {
    const out: SynFormal[] = [];
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'formal') {
        let keyword: Token | undefined;
        let variable: Token | undefined;
        for (const part of child.children) {
          if (!part) continue;
          const partType = part.type;
          if (partType === 'formal_keyword') keyword = this.token(part);
          else if (partType === 'variable') variable = this.token(part);
          else this.extra(part, partType, { where: 'formals' });
        }
        if (variable) out.push({ ...this.span(child), keyword, variable });
      } else if (type !== ',' && type !== '|') this.extra(child, type, { where: 'formals' });
    }
    return out;
  }

  port(node: Node): SynPort {
    const items: SynPort['items'] = [];
    const ctx: ErrorContext = { where: 'port', owner: 'the port list', openerStart: node.startIndex };
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'port_number') items.push({ from: this.token(child) });
      else if (type === 'port_range') {
        let from: Token | undefined;
        let to: Token | undefined;
        for (const part of child.children) {
          if (part?.type === 'port_number') {
            if (!from) from = this.token(part);
            else to = this.token(part);
          } else if (part && part.type !== '-') this.extra(part, part.type, ctx);
        }
        if (from) items.push({ from, to });
      } else if (type !== '[' && type !== ']' && type !== ',') this.extra(child, type, ctx);
      else if (type === ']' && this.hasError && child.isMissing) this.extra(child, type, ctx);
    }
    return { ...this.span(node), items };
  }

  config(node: Node, ctx: ErrorContext): SynConfig {
    const span = this.span(node);
    const args: SynArg[] = [];
    let index = 0;
    let close: number | undefined;
    let unterminated = false;
    let missingClose: Node | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === '(') continue;
      if (type === ',') {
        index++;
        continue;
      }
      if (type === ')') {
        if (this.hasError && child.isMissing) missingClose = child;
        else close = child.startIndex - this.base;
        continue;
      }
      if (type === 'argument') {
        const arg = this.argument(child, index);
        const quote = findUnterminatedQuote(arg.value.text);
        if (quote >= 0) {
          unterminated = true;
          const at = arg.value.start + this.base + quote;
          this.problem(at, at + 1, `unterminated string: this \`${arg.value.text[quote]}\` is never closed`, 'unterminated-string');
        }
        args.push(arg);
      } else {
        if (type === 'comment' && this.text.startsWith('/*', child.startIndex) && !this.text.startsWith('*/', child.endIndex - 2)) unterminated = true;
        this.extra(child, type, ctx);
      }
    }
    // A missing `)` right after an unterminated string or comment is a consequence, not news.
    if (missingClose && !unterminated) this.extra(missingClose, ')', { ...ctx, openerStart: node.startIndex });
    if (close !== undefined && this.text.indexOf('\n', node.startIndex) < node.endIndex && this.text.indexOf('\n', node.startIndex) >= 0) {
      this.folds.push({ ...span, kind: 'config' });
    }
    return { ...span, open: span.start, close, args };
  }

  argument(node: Node, index: number): SynArg {
    let keyword: Token | undefined;
    let value: Token | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'config_keyword') keyword = this.token(child);
      else if (type === 'value') value = this.token(child);
      else this.extra(child, type, { where: 'config' });
    }
    const span = this.span(node);
    return { ...span, index, keyword, value: value ?? { start: span.end, end: span.end, text: '' } };
  }

  elementClass(node: Node): SynElementClass {
    let name: Token | undefined;
    let compound: SynCompound | undefined;
    let synonym: Token | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'class_name') {
        if (!name) name = this.token(child);
        else synonym = this.token(child);
      } else if (type === 'compound') {
        compound = this.compound(child, `elementclass \`${name?.text ?? ''}\``);
        // Anchor a missing `}` at `elementclass Name {` rather than at the brace alone.
        for (const p of this.problems) if (p.message.startsWith('missing `}`') && p.start === compound.start) p.start = this.span(node).start;
      } else if (type !== 'elementclass') this.extra(child, type, { where: 'statement' });
    }
    return { kind: 'elementclass', ...this.span(node), name, compound, synonym };
  }

  directive(node: Node, kind: SynDirective['kind']): SynDirective {
    let config: SynConfig | undefined;
    for (const child of node.children) {
      if (!child) continue;
      const type = child.type;
      if (type === 'config') config = this.config(child, { where: 'config', owner: `\`${kind}(\``, ownerStart: node.startIndex });
      else if (type !== kind) this.extra(child, type, { where: 'statement' });
    }
    return { kind, ...this.span(node), config };
  }
}
