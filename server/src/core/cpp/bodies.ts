// Converts tree-sitter-cpp function bodies to the plain syntax tree of ast.ts. Anything it does not
// know (ERROR nodes included) keeps its children, so no read or write is lost.
import type { Node } from 'web-tree-sitter';
import type { Expr, Stmt, VarDecl } from './ast';
import { childByField, norm, parameters, sliceOf, splitQualified, unqualifiedName, unwrapDeclarator } from './declarators';

const STATEMENT_TYPES = new Set([
  'compound_statement',
  'declaration',
  'expression_statement',
  'return_statement',
  'if_statement',
  'for_statement',
  'for_range_loop',
  'while_statement',
  'do_statement',
  'switch_statement',
  'case_statement',
  'labeled_statement',
  'break_statement',
  'continue_statement',
  'goto_statement',
  'try_statement',
  'throw_statement',
  'function_definition',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'type_definition',
  'alias_declaration',
  'using_declaration',
  'static_assert_declaration',
  'preproc_call',
  'preproc_def',
  'preproc_function_def',
  'preproc_include',
  'comment',
]);

/**
 * Deepest statement/expression nesting converted. Real code stays far below; deeper input (thousands
 * of nested parentheses) would overflow the stack here and in every recursive walk of the AST, so the
 * file is refused with a NestingTooDeepError instead.
 */
export const MAX_NESTING = 400;

export class NestingTooDeepError extends Error {
  constructor(offset: number) {
    super(`code nested more than ${MAX_NESTING} levels deep at offset ${offset}`);
  }
}

export class BodyConverter {
  private depth = 0;

  constructor(
    private readonly text: string,
    /** Called for every ERROR node met. */
    private readonly onError: () => void,
  ) {}

  // Every `type` and `endIndex` of a web-tree-sitter Node is a call into WASM: callers that have
  // already read a node's type pass it on (the `type` parameters) rather than ask again.

  stmt(n: Node, type = n.type): Stmt {
    this.enter(n);
    try {
      return this.stmtOf(n, type);
    } finally {
      this.depth--;
    }
  }

  /** One level deeper into `n`; refuses nesting deeper than MAX_NESTING. The caller leaves with `this.depth--`. */
  private enter(n: Node): void {
    if (this.depth >= MAX_NESTING) throw new NestingTooDeepError(n.startIndex);
    this.depth++;
  }

  private stmtOf(n: Node, type: string): Stmt {
    const start = n.startIndex;
    const end = n.endIndex;
    switch (type) {
      case 'compound_statement':
      case 'translation_unit':
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_else':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'try_statement':
      case 'catch_clause':
        return { kind: 'block', body: this.stmts(n), start, end };
      case 'ERROR':
        this.onError();
        return { kind: 'block', body: this.stmts(n), start, end };
      case 'declaration':
        return { kind: 'decl', vars: this.vars(n), start, end };
      case 'expression_statement': {
        const e = this.firstExpr(n);
        return e ? { kind: 'expr', expr: e, start, end } : { kind: 'block', body: [], start, end };
      }
      case 'return_statement':
        return { kind: 'return', value: this.firstExpr(n), start, end };
      case 'if_statement': {
        const head: Stmt[] = [];
        const vars: VarDecl[] = [];
        const cond = childByField(n, 'condition');
        for (const c of cond?.namedChildren ?? []) {
          if (!c) continue;
          if (c.type === 'declaration' || c.type === 'init_statement') vars.push(...this.vars(c.type === 'declaration' ? c : (c.namedChildren[0] ?? c)));
          else if (c.type === 'comment') continue;
          else head.push(this.exprStmt(c));
        }
        const bodies: Stmt[] = [];
        const then = childByField(n, 'consequence');
        const otherwise = childByField(n, 'alternative');
        if (then) bodies.push(this.stmt(then));
        if (otherwise) bodies.push(this.stmt(otherwise.type === 'else_clause' ? (otherwise.namedChildren.find((c) => c && c.type !== 'comment') ?? otherwise) : otherwise));
        return { kind: 'branch', head, bodies, vars, loop: false, start, end };
      }
      case 'for_statement': {
        const head: Stmt[] = [];
        const vars: VarDecl[] = [];
        const init = childByField(n, 'initializer');
        if (init?.type === 'declaration') vars.push(...this.vars(init));
        else if (init) head.push(this.exprStmt(init));
        for (const f of ['condition', 'update']) {
          const c = childByField(n, f);
          if (c) head.push(this.exprStmt(c));
        }
        const body = childByField(n, 'body');
        return { kind: 'branch', head, bodies: body ? [this.stmt(body)] : [], vars, loop: true, start, end };
      }
      case 'for_range_loop': {
        const d = childByField(n, 'declarator');
        const right = childByField(n, 'right');
        const u = d ? unwrapDeclarator(this.text, d) : { name: '', suffix: '' };
        const varType = norm(sliceOf(this.text, childByField(n, 'type')) + u.suffix);
        const vars: VarDecl[] = u.name ? [{ name: u.name, type: varType, init: right ? this.expr(right) : undefined, start: d!.startIndex, end: d!.endIndex }] : [];
        const body = childByField(n, 'body');
        return { kind: 'branch', head: [], bodies: body ? [this.stmt(body)] : [], vars, loop: true, start, end };
      }
      case 'while_statement':
      case 'do_statement':
      case 'switch_statement': {
        const cond = childByField(n, 'condition');
        const head: Stmt[] = [];
        const vars: VarDecl[] = [];
        for (const c of cond ? (cond.type === 'condition_clause' ? cond.namedChildren : [cond]) : []) {
          if (!c || c.type === 'comment') continue;
          if (c.type === 'declaration') vars.push(...this.vars(c));
          else head.push(this.exprStmt(c));
        }
        const body = childByField(n, 'body');
        return { kind: 'branch', head, bodies: body ? [this.stmt(body)] : [], vars, loop: type !== 'switch_statement', start, end };
      }
      case 'case_statement': {
        const value = childByField(n, 'value');
        return { kind: 'block', body: n.namedChildren.filter((c): c is Node => !!c && c !== value && c.id !== value?.id).map((c) => this.stmtOrExpr(c)), start, end };
      }
      case 'labeled_statement': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'statement_identifier');
        return inner ? this.stmt(inner) : { kind: 'block', body: [], start, end };
      }
      case 'function_definition':
        return this.packetLoop(n);
      case 'throw_statement': {
        const e = n.namedChildren[0];
        return e ? { kind: 'expr', expr: this.expr(e), start, end } : { kind: 'block', body: [], start, end };
      }
      default:
        if (STATEMENT_TYPES.has(type)) return { kind: 'block', body: [], start, end };
        return this.exprStmt(n, type);
    }
  }

  private stmts(n: Node): Stmt[] {
    const out: Stmt[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      const type = c.type;
      if (type !== 'comment') out.push(this.stmtOrExpr(c, type));
    }
    return out;
  }

  private stmtOrExpr(c: Node, type = c.type): Stmt {
    return STATEMENT_TYPES.has(type) || type === 'ERROR' ? this.stmt(c, type) : this.exprStmt(c, type);
  }

  private exprStmt(n: Node, type = n.type): Stmt {
    return { kind: 'expr', expr: this.expr(n, type), start: n.startIndex, end: n.endIndex };
  }

  /**
   * `FOR_EACH_PACKET(batch, p) { ... }` parses as a nested function definition. Its second
   * "parameter" names the packet variable of the loop.
   */
  private packetLoop(n: Node): Stmt {
    const span = { start: n.startIndex, end: n.endIndex };
    const decl = childByField(n, 'declarator');
    const params = (decl ? childByField(decl, 'parameters') : null)?.namedChildren ?? [];
    const names = params.map((p) => (p ? sliceOf(this.text, p).trim() : ''));
    const vars: VarDecl[] = names.length >= 2 && /^\w+$/.test(names[1]) ? [{ name: names[1], type: 'Packet*', start: params[1]!.startIndex, end: params[1]!.endIndex }] : [];
    const body = childByField(n, 'body');
    return { kind: 'branch', head: [], bodies: body ? [this.stmt(body)] : [], vars, loop: true, ...span };
  }

  private vars(n: Node): VarDecl[] {
    const type = norm(sliceOf(this.text, childByField(n, 'type')));
    const out: VarDecl[] = [];
    for (const d of n.childrenForFieldName('declarator')) {
      if (!d) continue;
      const u = unwrapDeclarator(this.text, d);
      if (!u.name) continue;
      let init: Expr | undefined;
      if (u.value) init = this.expr(u.value);
      else if (u.fn) {
        // `IPFlowID id(p);` may parse as a function declarator: its "parameters" are the arguments.
        const args = (childByField(u.fn, 'parameters')?.namedChildren ?? []).filter((c): c is Node => !!c);
        init = { kind: 'other', parts: args.map((a) => this.paramAsExpr(a)), start: u.fn.startIndex, end: u.fn.endIndex };
      }
      out.push({ name: u.name, type: norm(type + u.suffix), init, start: d.startIndex, end: d.endIndex });
    }
    const value = childByField(n, 'value');
    if (value && out.length) out[out.length - 1].init ??= this.expr(value);
    return out;
  }

  private paramAsExpr(p: Node): Expr {
    const text = sliceOf(this.text, p).trim();
    if (/^\w+$/.test(text)) return { kind: 'id', name: text, start: p.startIndex, end: p.endIndex };
    return { kind: 'other', parts: p.namedChildren.filter((c): c is Node => !!c).map((c) => this.expr(c)), start: p.startIndex, end: p.endIndex };
  }

  private expr(n: Node, type = n.type): Expr {
    this.enter(n);
    try {
      return this.exprOf(n, type);
    } finally {
      this.depth--;
    }
  }

  private exprOf(n: Node, type: string): Expr {
    const start = n.startIndex;
    const end = n.endIndex;
    switch (type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
      case 'namespace_identifier':
        return { kind: 'id', name: this.text.slice(start, end), start, end };
      case 'qualified_identifier': {
        const parts = splitQualified(norm(this.text.slice(start, end)));
        const name = parts.pop()!.replace(/<.*$/s, '');
        return { kind: 'id', name, scope: parts.join('::').replace(/<.*$/s, '') || undefined, start, end };
      }
      case 'template_function':
      case 'template_type': {
        const name = childByField(n, 'name');
        return { kind: 'id', name: name ? sliceOf(this.text, name).split('::').pop()! : this.text.slice(start, end), start, end };
      }
      case 'this':
        return { kind: 'this', start, end };
      case 'field_expression': {
        const obj = childByField(n, 'argument');
        const field = childByField(n, 'field');
        const op = childByField(n, 'operator');
        const fieldName = field ? unqualifiedName(sliceOf(this.text, field)) : '';
        return {
          kind: 'member',
          object: obj ? this.expr(obj) : { kind: 'other', parts: [], start, end: start },
          field: fieldName,
          arrow: op ? sliceOf(this.text, op) === '->' : this.text.slice(obj?.endIndex ?? start, field?.startIndex ?? end).includes('->'),
          start,
          end,
        };
      }
      case 'call_expression': {
        const fn = childByField(n, 'function');
        const args = this.exprsBesidesComments(childByField(n, 'arguments')?.namedChildren ?? []);
        if (fn?.type === 'template_function') {
          const name = sliceOf(this.text, childByField(fn, 'name'));
          if (/^(static|reinterpret|const|dynamic)_cast$/.test(name) && args.length === 1) {
            return { kind: 'cast', type: norm(sliceOf(this.text, childByField(fn, 'arguments')).replace(/^<|>$/g, '')), value: args[0], start, end };
          }
        }
        return { kind: 'call', callee: fn ? this.expr(fn) : { kind: 'other', parts: [], start, end: start }, args, start, end };
      }
      case 'assignment_expression':
        return { kind: 'assign', op: this.opText(n), left: this.field(n, 'left'), right: this.field(n, 'right'), start, end };
      case 'update_expression':
        return { kind: 'update', op: this.opText(n), arg: this.field(n, 'argument'), start, end };
      case 'binary_expression':
        return { kind: 'binary', op: this.opText(n), left: this.field(n, 'left'), right: this.field(n, 'right'), start, end };
      case 'unary_expression':
      case 'pointer_expression':
        return { kind: 'unary', op: this.opText(n), arg: this.field(n, 'argument'), start, end };
      case 'subscript_expression': {
        const obj = this.field(n, 'argument');
        const indices = childByField(n, 'indices') ?? childByField(n, 'index');
        const index = indices
          ? indices.type === 'subscript_argument_list'
            ? indices.namedChildren.filter((c): c is Node => !!c).map((c) => this.expr(c))
            : [this.expr(indices)]
          : [];
        return { kind: 'index', object: obj, index, start, end };
      }
      case 'conditional_expression':
        return { kind: 'cond', test: this.field(n, 'condition'), then: this.field(n, 'consequence'), otherwise: this.field(n, 'alternative'), start, end };
      case 'cast_expression':
        return { kind: 'cast', type: norm(sliceOf(this.text, childByField(n, 'type'))), value: this.field(n, 'value'), start, end };
      case 'parenthesized_expression':
        return this.firstExpr(n) ?? { kind: 'other', parts: [], start, end };
      case 'new_expression': {
        const args = (childByField(n, 'arguments')?.namedChildren ?? []).filter((c): c is Node => !!c).map((c) => this.expr(c));
        return { kind: 'new', type: norm(sliceOf(this.text, childByField(n, 'type'))), args, start, end };
      }
      case 'lambda_expression': {
        const decl = childByField(n, 'declarator');
        const body = childByField(n, 'body');
        return {
          kind: 'lambda',
          params: parameters(this.text, (decl ? childByField(decl, 'parameters') : null) ?? null),
          body: body ? this.stmt(body) : { kind: 'block', body: [], start, end },
          start,
          end,
        };
      }
      case 'number_literal':
      case 'string_literal':
      case 'concatenated_string':
      case 'raw_string_literal':
      case 'char_literal':
      case 'true':
      case 'false':
      case 'null':
      case 'nullptr':
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'user_defined_literal':
        return { kind: 'lit', text: type === 'string_literal' || type === 'number_literal' ? this.text.slice(start, end) : type, start, end };
      case 'ERROR':
        this.onError();
        return { kind: 'other', parts: this.exprChildren(n), start, end };
      default:
        return { kind: 'other', parts: this.exprChildren(n), start, end };
    }
  }

  private exprChildren(n: Node): Expr[] {
    const out: Expr[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      const type = c.type;
      if (type === 'comment') continue;
      if (type === 'compound_statement') out.push({ kind: 'lambda', params: [], body: this.stmt(c, type), start: c.startIndex, end: c.endIndex });
      else out.push(this.expr(c, type));
    }
    return out;
  }

  /** The first named child of `n` that is not a comment, converted; undefined if none. */
  private firstExpr(n: Node): Expr | undefined {
    for (const c of n.namedChildren) {
      if (!c) continue;
      const type = c.type;
      if (type !== 'comment') return this.expr(c, type);
    }
    return undefined;
  }

  private exprsBesidesComments(nodes: readonly (Node | null)[]): Expr[] {
    const out: Expr[] = [];
    for (const c of nodes) {
      if (!c) continue;
      const type = c.type;
      if (type !== 'comment') out.push(this.expr(c, type));
    }
    return out;
  }

  private field(n: Node, name: string): Expr {
    const c = childByField(n, name);
    return c ? this.expr(c) : { kind: 'other', parts: [], start: n.startIndex, end: n.startIndex };
  }

  private opText(n: Node): string {
    const op = childByField(n, 'operator');
    return op ? sliceOf(this.text, op) : '';
  }
}
