// Reads an error-free top-level statement straight from its text into the syntax of syntax.ts.
//
// Why: reading a 5,000-element file node by node through web-tree-sitter costs one or more WASM calls
// per node (about a microsecond each here), several times the parse itself. tree-sitter still
// decides where each statement starts and ends and whether it has an error; a statement without
// errors is then read here, following grammar.js and src/scanner.c exactly, and statements with
// errors go through readSyntax.ts. A unit test checks that both readers agree on every statement of
// the fixtures and of the fuzz corpus.
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
  TopLevelFragment,
} from './syntax';
import { findUnterminatedQuote } from './configText';

/** Thrown when the text does not follow the grammar: the caller then reads the tree instead. */
export class FastReadError extends Error {}

const enum C {
  TAB = 9,
  LF = 10,
  VT = 11,
  FF = 12,
  CR = 13,
  SPACE = 32,
  HASH = 35,
  DOLLAR = 36,
  QUOTE = 34,
  APOS = 39,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  COMMA = 44,
  MINUS = 45,
  DOT = 46,
  SLASH = 47,
  COLON = 58,
  SEMI = 59,
  LT = 60,
  EQ = 61,
  GT = 62,
  AT = 64,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  UNDERSCORE = 95,
  LBRACE = 123,
  BAR = 124,
  RBRACE = 125,
  TILDE = 126,
}

function isSpace(c: number): boolean {
  return c === C.SPACE || (c >= C.TAB && c <= C.CR);
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === C.UNDERSCORE || c === C.AT;
}
function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isKeywordChar(c: number): boolean {
  return isUpper(c) || (c >= 48 && c <= 57) || c === C.UNDERSCORE;
}

const KEYWORDS = new Set(['elementclass', 'require', 'define', 'provide']);

/** Groups and compounds nested deeper than this are left to the tree reader (which stops there). */
export const MAX_NESTING = 50;

/** Reads one statement node's text (`[start, end)` of `text`), or throws FastReadError. */
export function fastReadTopLevel(text: string, start: number, end: number, type: string): TopLevelFragment {
  const reader = new FastReader(text, start, end);
  const statement = reader.topLevel(type);
  return {
    start,
    length: end - start,
    type,
    text: text.slice(start, end),
    statements: statement ? [statement] : [],
    problems: [],
    folds: reader.folds,
    hasError: false,
  };
}

class FastReader {
  private pos: number;
  private depth = 0;
  readonly folds: TopLevelFragment['folds'] = [];

  constructor(
    private readonly text: string,
    private readonly base: number,
    private readonly end: number,
  ) {
    this.pos = base;
  }

  private fail(what: string): never {
    throw new FastReadError(`${what} at offset ${this.pos}`);
  }

  private rel(offset: number): number {
    return offset - this.base;
  }

  private code(at = this.pos): number {
    return at < this.end ? this.text.charCodeAt(at) : -1;
  }

  /**
   * Skips whitespace, comments and line directives, as the grammar's extras. Inside a configuration
   * a `#` is a directive only at the start of a line (elsewhere the scanner takes it as text).
   * Block comments are remembered for folding unless `record` is false (comments inside a value
   * are not tree nodes).
   */
  private skip(inConfig = false, record = true): void {
    const t = this.text;
    for (;;) {
      const c = this.code();
      if (c < 0) return;
      if (isSpace(c)) {
        this.pos++;
      } else if (c === C.SLASH && this.code(this.pos + 1) === C.SLASH) {
        this.pos = lineEnd(t, this.pos, this.end);
      } else if (c === C.SLASH && this.code(this.pos + 1) === C.STAR) {
        const close = t.indexOf('*/', this.pos + 2);
        const stop = close < 0 || close + 2 > this.end ? this.end : close + 2;
        if (record) this.comment(this.pos, stop);
        this.pos = stop;
      } else if (c === C.HASH && (this.pos === 0 || t.charCodeAt(this.pos - 1) === C.LF || t.charCodeAt(this.pos - 1) === C.CR)) {
        this.pos = lineEnd(t, this.pos, this.end);
      } else if (c === C.HASH && !inConfig) {
        // A `#` elsewhere is a problem the tree reader phrases.
        this.fail('line directive not at the start of a line');
      } else return;
    }
  }

  private comment(start: number, end: number): void {
    this.folds.push({ start: this.rel(start), end: this.rel(end), kind: 'comment' });
  }

  /** The next token's kind without consuming it (after skipping extras). */
  private peek(): string {
    this.skip();
    return this.kindAt(this.pos);
  }

  private kindAt(at: number): string {
    const c = this.code(at);
    if (c < 0) return 'eof';
    if (isWordChar(c)) return 'word';
    switch (c) {
      case C.DOLLAR:
        return isWordChar(this.code(at + 1)) && this.code(at + 1) !== C.AT ? 'variable' : '?';
      case C.MINUS:
        return this.code(at + 1) === C.GT ? 'connector' : '-';
      case C.EQ:
        return this.code(at + 1) === C.GT ? 'connector' : '?';
      case C.TILDE:
        return 'connector';
      case C.COLON:
        return this.code(at + 1) === C.COLON ? '::' : '?';
      case C.BAR:
        return this.code(at + 1) === C.BAR ? '||' : '|';
      case C.DOT:
        return this.text.startsWith('...', at) ? '...' : '?';
      default:
        return String.fromCharCode(c);
    }
  }

  private expect(kind: string): Span {
    if (this.peek() !== kind) this.fail(`expected ${kind}`);
    const start = this.pos;
    this.pos += kind.length;
    return { start: this.rel(start), end: this.rel(this.pos) };
  }

  private word(): Token {
    this.skip();
    const start = this.pos;
    if (!isWordChar(this.code())) this.fail('expected a name');
    let p = start;
    for (;;) {
      while (isWordChar(this.code(p))) p++;
      // `/` continues a name only between word characters.
      if (this.code(p) === C.SLASH && isWordChar(this.code(p + 1))) p++;
      else break;
    }
    this.pos = p;
    return { start: this.rel(start), end: this.rel(p), text: this.text.slice(start, p) };
  }

  /** Whether a statement keyword starts at the cursor (cheap first-letter test first). */
  private atKeyword(): boolean {
    const c = this.code();
    if (c !== 101 /* e */ && c !== 114 /* r */ && c !== 100 /* d */ && c !== 112 /* p */) return false;
    return KEYWORDS.has(this.peekWord());
  }

  /** The word at the cursor, without consuming it. */
  private peekWord(): string {
    this.skip();
    const save = this.pos;
    const w = this.word().text;
    this.pos = save;
    return w;
  }

  private connector(): { kind: 'connector'; start: number; end: number; text: string } {
    this.skip();
    const start = this.pos;
    const c = this.code();
    if (c === C.TILDE) {
      let p = start + 1;
      while (isWordChar(this.code(p)) || this.code(p) === C.SLASH) p++;
      if (this.code(p) !== C.GT) this.fail('expected ~name>');
      this.pos = p + 1;
    } else this.pos = start + 2;
    return { kind: 'connector', start: this.rel(start), end: this.rel(this.pos), text: this.text.slice(start, this.pos) };
  }

  // ---- statements ---------------------------------------------------------------------------

  topLevel(type: string): SynStatement | undefined {
    let s: SynStatement | undefined;
    switch (type) {
      case 'connection':
      case 'element_statement':
        s = this.chain(false);
        break;
      case 'elementclass_definition':
      case 'require_statement':
      case 'define_statement':
      case 'provide_statement':
        s = this.keywordStatement();
        break;
      case ';':
        this.expect(';');
        return { kind: 'semicolon', start: 0, end: 1 };
      default:
        this.fail(`unexpected node ${type}`);
    }
    if (this.peek() !== 'eof') this.fail('text left after the statement');
    return s;
  }

  private keywordStatement(): SynStatement {
    const w = this.peekWord();
    if (w === 'elementclass') return this.elementClass();
    if (w === 'require' || w === 'define' || w === 'provide') {
      const start = this.rel(this.pos);
      this.word();
      const config = this.config();
      return { kind: w, start, end: config.end, config } satisfies SynDirective;
    }
    return this.fail('expected a statement keyword');
  }

  private elementClass(): SynElementClass {
    const start = this.rel(this.pos);
    this.word();
    const name = this.word();
    if (this.peek() === '{') {
      const compound = this.compound();
      return { kind: 'elementclass', start, end: compound.end, name, compound };
    }
    const synonym = this.word();
    return { kind: 'elementclass', start, end: synonym.end, name, synonym };
  }

  /** Statements of a group or compound body, up to `)`, `}` or `||`. */
  private body(): SynStatement[] {
    if (++this.depth > MAX_NESTING) this.fail('nested too deep');
    try {
      return this.bodyStatements();
    } finally {
      this.depth--;
    }
  }

  private bodyStatements(): SynStatement[] {
    const out: SynStatement[] = [];
    for (;;) {
      const k = this.peek();
      if (k === ')' || k === '}' || k === '||' || k === 'eof') return out;
      if (k === ';') {
        const s = this.expect(';');
        out.push({ kind: 'semicolon', ...s });
        continue;
      }
      if (k === 'word' && this.atKeyword()) {
        out.push(this.keywordStatement());
        continue;
      }
      out.push(this.chain(true));
    }
  }

  /**
   * A chain. Inside a body it may start with an arrow or a lone port (implicit `input`) and end with
   * one (implicit `output`), as grammar.js allows.
   */
  private chain(nested: boolean): SynChain {
    this.skip();
    const items: SynChainItem[] = [];
    let expectElements = true;
    for (;;) {
      const k = this.peek();
      if (k === 'connector') {
        if (!nested && expectElements) this.fail('arrow without an element');
        items.push(this.connector());
        expectElements = true;
        continue;
      }
      if (!expectElements) break;
      if (k === '[') {
        const save = this.pos;
        const port = this.port();
        const next = this.peek();
        if (next === 'word' || next === '(' || next === '{') {
          this.pos = save;
          items.push(this.set());
          expectElements = false;
          continue;
        }
        if (!nested) this.fail('lone port');
        items.push({ kind: 'port', start: port.start, end: port.end, port });
        // A lone port ends an implicit output, or starts an implicit input before an arrow.
        if (next !== 'connector') break;
        expectElements = false;
        continue;
      }
      if (k === 'word' || k === '(' || k === '{') {
        if (k === 'word' && this.atKeyword()) break;
        items.push(this.set());
        expectElements = false;
        continue;
      }
      break;
    }
    if (items.length === 0) this.fail('empty statement');
    return { kind: 'chain', start: items[0].start, end: items[items.length - 1].end, items };
  }

  private set(): SynSet {
    const elements = [this.element()];
    while (this.peek() === ',') {
      this.pos++;
      elements.push(this.element());
    }
    return { kind: 'set', start: elements[0].start, end: elements[elements.length - 1].end, elements };
  }

  private element(): SynElement {
    this.skip();
    const start = this.rel(this.pos);
    const inputPort = this.peek() === '[' ? this.port() : undefined;
    const body = this.elementBody();
    const outputPort = this.peek() === '[' ? this.port() : undefined;
    return { start, end: outputPort ? outputPort.end : body.span.end, inputPort, outputPort, body };
  }

  private elementBody(): SynElementBody {
    const k = this.peek();
    if (k === '(') {
      const start = this.rel(this.pos);
      // Folds are listed in the order the tree reader finds them: a group before its contents.
      const fold = { start, end: start, kind: 'group' as const };
      this.folds.push(fold);
      this.pos++;
      const statements = this.body();
      const close = this.expect(')');
      fold.end = close.end;
      return { kind: 'group', statements, span: { start, end: close.end }, closed: true };
    }
    if (k === '{') {
      const compound = this.compound(undefined);
      if (this.peek() === '(') {
        const config = this.config();
        return { kind: 'instance', compound, config, span: { start: compound.start, end: config.end } };
      }
      return { kind: 'compound', compound, span: { start: compound.start, end: compound.end } };
    }
    const name = this.word();
    const next = this.peek();
    if (next === '::') {
      this.pos += 2;
      let className: Token | undefined;
      let compound: SynCompound | undefined;
      if (this.peek() === '{') compound = this.compound();
      else className = this.word();
      const config = this.peek() === '(' ? this.config() : undefined;
      const end = config ? config.end : (compound ?? className)!.end;
      return { kind: 'declaration', name, className, compound, config, span: { start: name.start, end } };
    }
    if (next === '(') {
      const config = this.config();
      return { kind: 'instance', className: name, config, span: { start: name.start, end: config.end } };
    }
    return { kind: 'ref', name, span: { start: name.start, end: name.end } };
  }

  private compound(_owner?: string): SynCompound {
    const open = this.expect('{');
    const fold = { start: open.start, end: open.start, kind: 'compound' as const };
    this.folds.push(fold);
    const bodies: SynCompoundBody[] = [];
    let extension = false;
    let pending: Span | undefined = { start: open.end, end: open.end };
    for (;;) {
      const k = this.peek();
      if (k === '}') {
        if (pending) bodies.push({ ...pending, formals: [], statements: [] });
        const close = this.expect('}');
        fold.end = close.end;
        return { start: open.start, end: close.end, bodies, extension, closed: true };
      }
      if (k === '||') {
        if (pending) bodies.push({ ...pending, formals: [], statements: [] });
        const bar = this.expect('||');
        pending = { start: bar.end, end: bar.end };
        if (this.peek() === '...') {
          this.expect('...');
          extension = true;
          pending = undefined;
        }
        continue;
      }
      if (!pending) this.fail('body after `...`');
      bodies.push(this.compoundBody());
      pending = undefined;
    }
  }

  private compoundBody(): SynCompoundBody {
    this.skip();
    let formals: SynFormal[] = [];
    let start = -1;
    let end = -1;
    if (this.startsFormals()) {
      start = this.rel(this.pos);
      formals = this.formals();
      end = this.rel(this.pos);
    }
    const statements = this.body();
    if (statements.length) {
      if (start < 0) start = statements[0].start;
      end = statements[statements.length - 1].end;
    }
    if (start < 0) this.fail('empty compound body');
    return { start, end, formals, statements };
  }

  private startsFormals(): boolean {
    const k = this.peek();
    if (k === 'variable' || k === '|') return true;
    if (k !== 'word') return false;
    const save = this.pos;
    this.word();
    const next = this.peek();
    this.pos = save;
    return next === 'variable';
  }

  private formals(): SynFormal[] {
    const out: SynFormal[] = [];
    for (;;) {
      const k = this.peek();
      if (k === '|') {
        this.pos++;
        return out;
      }
      if (out.length) {
        if (k !== ',') this.fail('expected , or |');
        this.pos++;
        this.skip();
      }
      const start = this.rel(this.pos);
      const keyword = this.peek() === 'word' ? this.word() : undefined;
      const variable = this.variable();
      out.push({ start, end: variable.end, keyword, variable });
    }
  }

  private variable(): Token {
    if (this.peek() !== 'variable') this.fail('expected a variable');
    const start = this.pos;
    let p = start + 1;
    while (isWordChar(this.code(p)) && this.code(p) !== C.AT) p++;
    this.pos = p;
    return { start: this.rel(start), end: this.rel(p), text: this.text.slice(start, p) };
  }

  private port(): SynPort {
    const open = this.expect('[');
    const items: SynPort['items'] = [];
    if (this.peek() !== ']') {
      for (;;) {
        const from = this.word();
        let to: Token | undefined;
        if (this.peek() === '-') {
          this.pos++;
          to = this.word();
        }
        items.push({ from, to });
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    const close = this.expect(']');
    return { start: open.start, end: close.end, items };
  }

  // ---- configuration strings (mirrors src/scanner.c) ----------------------------------------

  private config(): SynConfig {
    const open = this.expect('(');
    const args: SynArg[] = [];
    let index = 0;
    for (;;) {
      this.skip(true);
      const c = this.code();
      if (c === C.RPAREN) {
        const close = this.pos;
        this.pos++;
        const end = this.rel(this.pos);
        const nl = this.text.indexOf('\n', open.start + this.base);
        if (nl >= 0 && nl < this.pos) this.folds.push({ start: open.start, end, kind: 'config' });
        return { start: open.start, end, open: open.start, close: this.rel(close), args };
      }
      if (c === C.COMMA) {
        this.pos++;
        index++;
        continue;
      }
      if (c < 0) this.fail('unclosed configuration');
      args.push(this.argument(index));
    }
  }

  private argument(index: number): SynArg {
    const start = this.pos;
    let keyword: Token | undefined;
    if (isUpper(this.code()) || this.code() === C.UNDERSCORE) {
      let p = this.pos;
      while (isKeywordChar(this.code(p))) p++;
      if (isSpace(this.code(p))) {
        // A keyword needs a value after the whitespace and any comments.
        let q = p;
        for (;;) {
          while (isSpace(this.code(q))) q++;
          if (this.code(q) === C.SLASH && this.code(q + 1) === C.STAR) {
            const close = this.text.indexOf('*/', q + 2);
            q = close < 0 || close + 2 > this.end ? this.end : close + 2;
          } else if (this.code(q) === C.SLASH && this.code(q + 1) === C.SLASH) {
            q = lineEnd(this.text, q, this.end);
          } else break;
        }
        const next = this.code(q);
        if (next >= 0 && next !== C.COMMA && next !== C.RPAREN) {
          keyword = { start: this.rel(start), end: this.rel(p), text: this.text.slice(start, p) };
          this.pos = p;
        }
      }
    }
    const value = this.value();
    // Problems inside values are phrased by the tree reader.
    if (findUnterminatedQuote(value.text) >= 0) this.fail('unterminated string');
    return { start: this.rel(start), end: value.end, index, keyword, value };
  }

  /** One value: chunks of text separated only by `#` directive lines, as the scanner emits them. */
  private value(): Token {
    this.skip(true);
    const start = this.pos;
    let last = this.chunk();
    if (last < 0) this.fail('empty value');
    for (;;) {
      const save = this.pos;
      this.skip(true, false);
      const c = this.code();
      if (c < 0 || c === C.COMMA || c === C.RPAREN) {
        this.pos = save;
        break;
      }
      const more = this.chunk();
      if (more < 0) {
        this.pos = save;
        break;
      }
      last = more;
    }
    this.pos = last;
    this.trailingComments();
    return { start: this.rel(start), end: this.rel(last), text: this.text.slice(start, last) };
  }

  /**
   * Scans one chunk from the cursor as the external scanner does and returns where it ends (the
   * last significant character), or -1 when there is no significant text. The cursor is left at
   * the point where scanning stopped.
   */
  private chunk(): number {
    const t = this.text;
    let parens = 0;
    let brackets = 0;
    let atLineStart = false;
    let mark = -1;
    let p = this.pos;
    for (;;) {
      if (p >= this.end) break;
      const c = t.charCodeAt(p);
      if (isSpace(c)) {
        p++;
        if (c === C.LF || c === C.CR) atLineStart = true;
        continue;
      }
      if (c === C.HASH && atLineStart) break;
      atLineStart = false;
      if (c === C.COMMA && parens === 0 && brackets === 0) break;
      if (c === C.RPAREN) {
        if (parens === 0) break;
        parens--;
        p++;
      } else if (c === C.LPAREN) {
        parens++;
        p++;
      } else if (c === C.LBRACKET) {
        brackets++;
        p++;
      } else if (c === C.RBRACKET) {
        if (brackets > 0) brackets--;
        p++;
      } else if (c === C.QUOTE || c === C.APOS) {
        p = skipQuoted(t, p + 1, c, this.end);
      } else if (c === C.BACKSLASH) {
        p++;
        if (t.charCodeAt(p) === C.LT && p < this.end) p = skipHex(t, p + 1, this.end);
        else if (p < this.end) p++;
      } else if (c === C.SLASH) {
        p++;
        if (p < this.end && t.charCodeAt(p) === C.STAR) {
          const close = t.indexOf('*/', p + 1);
          p = close < 0 || close + 2 > this.end ? this.end : close + 2;
          continue;
        }
        if (p < this.end && t.charCodeAt(p) === C.SLASH) {
          p = lineEnd(t, p, this.end);
          continue;
        }
      } else p++;
      mark = p;
    }
    this.pos = p;
    return mark;
  }

  /** Comments after a value's last character are extras (tree nodes), so they fold like any comment. */
  private trailingComments(): void {
    let p = this.pos;
    for (;;) {
      while (p < this.end && isSpace(this.text.charCodeAt(p))) p++;
      if (this.code(p) === C.SLASH && this.code(p + 1) === C.STAR) {
        const close = this.text.indexOf('*/', p + 2);
        const stop = close < 0 || close + 2 > this.end ? this.end : close + 2;
        this.comment(p, stop);
        p = stop;
      } else if (this.code(p) === C.SLASH && this.code(p + 1) === C.SLASH) {
        p = lineEnd(this.text, p, this.end);
      } else break;
      this.pos = p;
    }
  }
}

function lineEnd(text: string, from: number, end: number): number {
  for (let p = from; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c === C.LF || c === C.CR) return p;
  }
  return end;
}

function skipQuoted(text: string, from: number, quote: number, end: number): number {
  let p = from;
  while (p < end) {
    const c = text.charCodeAt(p);
    p++;
    if (c === quote) return p;
    if (c === C.BACKSLASH && quote === C.QUOTE && p < end) {
      if (text.charCodeAt(p) === C.LT) p = skipHex(text, p + 1, end);
      else p++;
    }
  }
  return end;
}

/** After `\<`: to just past `>`, skipping comments. */
function skipHex(text: string, from: number, end: number): number {
  let p = from;
  while (p < end) {
    const c = text.charCodeAt(p);
    if (c === C.GT) return p + 1;
    p++;
    if (c === C.SLASH && p < end && text.charCodeAt(p) === C.STAR) {
      const close = text.indexOf('*/', p + 1);
      p = close < 0 || close + 2 > end ? end : close + 2;
    } else if (c === C.SLASH && p < end && text.charCodeAt(p) === C.SLASH) {
      p = lineEnd(text, p, end);
    }
  }
  return end;
}
