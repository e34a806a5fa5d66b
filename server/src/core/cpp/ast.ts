// A small, plain-data syntax tree of C++ function bodies: just what the flow-state analysis needs
// (names, member accesses, calls, assignments, declarations, branches). Tree-sitter trees live in
// WASM memory and must be freed, so each file is converted once and its tree dropped.
// Offsets index the original file text.

export interface Span {
  start: number;
  end: number;
}

export type Expr =
  /** `name`, or `Scope::name` with `scope` set (`IPFlowID::hash`, `Derived::timeout`). */
  | (Span & { kind: 'id'; name: string; scope?: string })
  | (Span & { kind: 'this' })
  | (Span & { kind: 'member'; object: Expr; field: string; arrow: boolean })
  | (Span & { kind: 'call'; callee: Expr; args: Expr[] })
  | (Span & { kind: 'assign'; op: string; left: Expr; right: Expr })
  | (Span & { kind: 'update'; op: string; arg: Expr })
  | (Span & { kind: 'binary'; op: string; left: Expr; right: Expr })
  | (Span & { kind: 'unary'; op: string; arg: Expr })
  | (Span & { kind: 'index'; object: Expr; index: Expr[] })
  | (Span & { kind: 'cond'; test: Expr; then: Expr; otherwise: Expr })
  /** C casts and `static_cast<T>(x)` & co. */
  | (Span & { kind: 'cast'; type: string; value: Expr })
  | (Span & { kind: 'new'; type: string; args: Expr[] })
  | (Span & { kind: 'lambda'; params: Param[]; body: Stmt })
  | (Span & { kind: 'lit'; text: string })
  /** Anything else; children are kept so no read is lost. */
  | (Span & { kind: 'other'; parts: Expr[] });

export interface Param {
  name: string;
  /** Type with the declarator's `*`/`&` appended, e.g. `IPSDState *`. */
  type: string;
}

export interface VarDecl extends Span {
  name: string;
  type: string;
  init?: Expr;
}

export type Stmt =
  | (Span & { kind: 'block'; body: Stmt[] })
  | (Span & { kind: 'decl'; vars: VarDecl[] })
  | (Span & { kind: 'expr'; expr: Expr })
  | (Span & { kind: 'return'; value?: Expr })
  /**
   * Conditionally or repeatedly executed code (if, loops, switch, packet loops such as
   * `FOR_EACH_PACKET(batch, p) { ... }`): `head` runs first, then each of `bodies` may run.
   */
  | (Span & { kind: 'branch'; head: Stmt[]; bodies: Stmt[]; vars: VarDecl[]; loop: boolean });

export function isPointerLike(type: string): boolean {
  return /[*&]|\biterator\b|\bauto\b/.test(type);
}

/** Visits every expression of a statement tree (lambdas included), depth first. */
export function forEachExpr(stmt: Stmt, visit: (e: Expr) => void): void {
  const expr = (e: Expr | undefined): void => {
    if (!e) return;
    visit(e);
    switch (e.kind) {
      case 'member':
        return expr(e.object);
      case 'call':
        expr(e.callee);
        return e.args.forEach(expr);
      case 'assign':
      case 'binary':
        expr(e.left);
        return expr(e.right);
      case 'update':
      case 'unary':
        return expr(e.arg);
      case 'index':
        expr(e.object);
        return e.index.forEach(expr);
      case 'cond':
        expr(e.test);
        expr(e.then);
        return expr(e.otherwise);
      case 'cast':
        return expr(e.value);
      case 'new':
        return e.args.forEach(expr);
      case 'lambda':
        return forEachExpr(e.body, visit);
      case 'other':
        return e.parts.forEach(expr);
      default:
        return;
    }
  };
  const stmtVisit = (s: Stmt): void => {
    switch (s.kind) {
      case 'block':
        return s.body.forEach(stmtVisit);
      case 'decl':
        return s.vars.forEach((v) => expr(v.init));
      case 'expr':
        return expr(s.expr);
      case 'return':
        return expr(s.value);
      case 'branch':
        s.vars.forEach((v) => expr(v.init));
        s.head.forEach(stmtVisit);
        return s.bodies.forEach(stmtVisit);
    }
  };
  stmtVisit(stmt);
}
