// Turns one C++ file into a CppFileModel: classes (bases, fields, methods, class_name()),
// out-of-class definitions, string #defines, typedefs, EXPORT_ELEMENT names and element docs.
// Function bodies become the small AST of ast.ts. The tree-sitter tree is freed before returning.
import type { Node, Parser } from 'web-tree-sitter';
import type { Expr, Param, Stmt, VarDecl } from './ast';
import { extractDocs } from './docs';
import { blankClickMacros, stringLiteralValue } from './macros';
import type { CppBase, CppClass, CppFileModel, CppFunction, FlowMacro, TemplateParam } from './model';

/** Methods whose bodies never bear on packet processing: their bodies are not converted. */
const SKIPPED_BODIES = new Set([
  'configure',
  'add_handlers',
  'initialize',
  'cleanup',
  'static_initialize',
  'static_cleanup',
  'live_reconfigure',
  'can_live_reconfigure',
  'cast',
  'port_count',
  'processing',
  'flow_code',
  'flags',
  'class_name',
  'llrpc',
  'configure_phase',
  'take_state',
  'get_spawning_threads',
  'get_passing_threads',
]);

function skipBody(name: string, owner: string | undefined): boolean {
  return SKIPPED_BODIES.has(name) || /_handlers?$/.test(name) || name.startsWith('~') || (!!owner && name === owner);
}

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

export interface ExtractOptions {
  mtimeMs?: number;
  size?: number;
}

export function extractCppFile(parser: Parser, path: string, text: string, options: ExtractOptions = {}): CppFileModel {
  const blanked = blankClickMacros(text);
  const model: CppFileModel = {
    path,
    text,
    classes: [],
    functions: [],
    defines: extractStringDefines(text),
    typedefs: {},
    exports: extractExports(text),
    docs: extractDocs(text),
    syntaxErrors: 0,
    mtimeMs: options.mtimeMs ?? 0,
    size: options.size ?? text.length,
  };
  const tree = parser.parse(blanked.text);
  if (!tree) return model;
  try {
    new Extractor(model, blanked.text, blanked.flowMacros).topLevel(tree.rootNode, []);
  } finally {
    tree.delete();
  }
  return model;
}

export function extractExports(text: string): string[] {
  const out: string[] = [];
  const re = /\bEXPORT_ELEMENT\s*\(\s*(\w+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) if (!/^\s*#/.test(lineAt(text, m.index))) out.push(m[1]);
  return out;
}

export function extractStringDefines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text.includes('#')) return out;
  const re = /^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+("(?:[^"\\\n]|\\.)*"(?:[ \t]*"(?:[^"\\\n]|\\.)*")*)[ \t]*$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = stringLiteralValue(m[2]);
    if (v !== undefined) out[m[1]] = v;
  }
  return out;
}

function lineAt(text: string, offset: number): string {
  const s = text.lastIndexOf('\n', offset - 1) + 1;
  const e = text.indexOf('\n', offset);
  return text.slice(s, e < 0 ? text.length : e);
}

const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/\s*([<>,*&:])\s*/g, '$1').trim();

interface Unwrapped {
  name: string;
  suffix: string;
  fn?: Node;
  value?: Node;
}

class Extractor {
  constructor(
    private readonly model: CppFileModel,
    private readonly text: string,
    private readonly flowMacros: FlowMacro[],
  ) {}

  private slice(n: Node | null | undefined): string {
    return n ? this.text.slice(n.startIndex, n.endIndex) : '';
  }

  topLevel(node: Node, templateParams: TemplateParam[], templateStart?: number): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      switch (child.type) {
        case 'namespace_definition':
        case 'linkage_specification': {
          const body = child.childForFieldName('body');
          if (body) this.topLevel(body, []);
          break;
        }
        case 'declaration_list':
        case 'preproc_if':
        case 'preproc_ifdef':
        case 'preproc_else':
        case 'preproc_elif':
        case 'preproc_elifdef':
          this.topLevel(child, []);
          break;
        case 'ERROR':
          this.model.syntaxErrors++;
          this.topLevel(child, []);
          break;
        case 'template_declaration':
          this.topLevel(child, this.templateParams(child.childForFieldName('parameters')), child.startIndex);
          break;
        case 'class_specifier':
        case 'struct_specifier':
          this.classSpec(child, '', templateParams, templateStart);
          break;
        case 'declaration':
        case 'field_declaration': {
          const type = child.childForFieldName('type');
          if (type && (type.type === 'class_specifier' || type.type === 'struct_specifier')) this.classSpec(type, '', templateParams, templateStart ?? child.startIndex);
          break;
        }
        case 'type_definition':
        case 'alias_declaration':
          this.typedef(child, this.model.typedefs);
          break;
        case 'function_definition': {
          const fn = this.functionDef(child, undefined, templateStart);
          if (fn) this.model.functions.push(fn);
          break;
        }
        default:
          break;
      }
    }
  }

  private templateParams(list: Node | null): TemplateParam[] {
    const out: TemplateParam[] = [];
    for (const p of list?.namedChildren ?? []) {
      if (!p) continue;
      const name = p.childForFieldName('name') ?? p.childForFieldName('declarator') ?? p.namedChildren.find((c) => c?.type === 'type_identifier') ?? null;
      const def = p.childForFieldName('default_type') ?? p.childForFieldName('default_value');
      if (name) out.push({ name: this.slice(name).replace(/^[.\s]+/, ''), default: def ? norm(this.slice(def)) : undefined });
    }
    return out;
  }

  private typedef(node: Node, into: Record<string, string>): void {
    if (node.type === 'alias_declaration') {
      const name = node.childForFieldName('name');
      const type = node.childForFieldName('type');
      if (name && type) into[this.slice(name)] = norm(this.slice(type));
      return;
    }
    const type = node.childForFieldName('type');
    if (!type) return;
    if (type.type === 'class_specifier' || type.type === 'struct_specifier') this.classSpec(type, '', [], node.startIndex);
    for (const d of node.childrenForFieldName('declarator')) {
      if (!d) continue;
      const u = this.unwrap(d);
      if (u.name) into[u.name] = norm(this.slice(type) + u.suffix);
    }
  }

  private classSpec(node: Node, outer: string, templateParams: TemplateParam[], startOverride?: number): CppClass | undefined {
    const nameNode = node.childForFieldName('name');
    const body = node.childForFieldName('body');
    if (!nameNode || !body) return undefined;
    const name = this.slice(nameNode).replace(/<.*$/s, '').split('::').pop()!.trim();
    const qualifiedName = outer ? `${outer}::${name}` : name;
    const cls: CppClass = {
      name,
      qualifiedName,
      kind: node.type === 'struct_specifier' ? 'struct' : 'class',
      file: this.model.path,
      start: startOverride ?? node.startIndex,
      end: node.endIndex,
      nameStart: nameNode.startIndex,
      nameEnd: nameNode.endIndex,
      bodyStart: body.startIndex,
      bodyEnd: body.endIndex,
      templateParams,
      bases: this.bases(node),
      fields: [],
      methods: [],
      methodDecls: [],
      flowMacros: this.flowMacros.filter((m) => m.start > body.startIndex && m.end <= body.endIndex),
      typedefs: {},
      nested: [],
    };
    this.model.classes.push(cls);
    this.classBody(body, cls);
    return cls;
  }

  private bases(node: Node): CppBase[] {
    const clause = node.namedChildren.find((c) => c?.type === 'base_class_clause');
    if (!clause) return [];
    const out: CppBase[] = [];
    for (const b of clause.namedChildren) {
      if (!b || b.type === 'access_specifier' || b.type === 'virtual' || b.type === 'comment') continue;
      const text = norm(this.slice(b));
      const parsed = parseTypeName(text);
      if (parsed) out.push({ ...parsed, text, start: b.startIndex, end: b.endIndex });
    }
    return out;
  }

  private classBody(body: Node, cls: CppClass): void {
    for (const m of body.namedChildren) {
      if (!m) continue;
      switch (m.type) {
        case 'field_declaration':
          this.member(m, cls);
          break;
        case 'function_definition': {
          const fn = this.functionDef(m, cls.name);
          if (fn) this.addMethod(cls, fn);
          break;
        }
        case 'template_declaration': {
          const params = this.templateParams(m.childForFieldName('parameters'));
          for (const inner of m.namedChildren) {
            if (inner?.type === 'function_definition') {
              const fn = this.functionDef(inner, cls.name, m.startIndex);
              if (fn) this.addMethod(cls, fn);
            } else if (inner?.type === 'class_specifier' || inner?.type === 'struct_specifier') {
              const nested = this.classSpec(inner, cls.qualifiedName, params, m.startIndex);
              if (nested) cls.nested.push(nested.qualifiedName);
            } else if (inner?.type === 'declaration' || inner?.type === 'field_declaration') this.member(inner, cls);
          }
          break;
        }
        case 'declaration':
          this.member(m, cls);
          break;
        case 'type_definition':
        case 'alias_declaration':
          this.typedef(m, cls.typedefs);
          break;
        case 'preproc_if':
        case 'preproc_ifdef':
        case 'preproc_else':
        case 'preproc_elif':
        case 'preproc_elifdef':
          this.classBody(m, cls);
          break;
        case 'ERROR':
          this.model.syntaxErrors++;
          this.classBody(m, cls);
          break;
        default:
          break;
      }
    }
  }

  private addMethod(cls: CppClass, fn: CppFunction): void {
    cls.methods.push(fn);
    if (fn.name === 'class_name' && fn.bodyStart !== undefined) {
      const lit = /return\s+("(?:[^"\\\n]|\\.)*")\s*;/.exec(this.text.slice(fn.bodyStart, fn.bodyEnd));
      const value = lit ? stringLiteralValue(lit[1]) : undefined;
      if (value) cls.clickName = value;
    }
  }

  private member(m: Node, cls: CppClass): void {
    const type = m.childForFieldName('type');
    if (type && (type.type === 'class_specifier' || type.type === 'struct_specifier')) {
      const nested = this.classSpec(type, cls.qualifiedName, []);
      if (nested) cls.nested.push(nested.qualifiedName);
    }
    const isStatic = m.namedChildren.some((c) => c?.type === 'storage_class_specifier' && this.slice(c) === 'static');
    const typeText = type ? norm(this.slice(type)) : '';
    for (const d of m.childrenForFieldName('declarator')) {
      if (!d) continue;
      const u = this.unwrap(d);
      if (!u.name) continue;
      if (u.fn) {
        cls.methodDecls.push({
          name: u.name,
          params: this.params(u.fn.childForFieldName('parameters')),
          returnType: norm(typeText + u.suffix),
          start: m.startIndex,
          end: m.endIndex,
          file: this.model.path,
          owner: cls.name,
        });
      } else {
        const fieldType = norm(typeText + u.suffix);
        cls.fields.push({ name: u.name, type: fieldType, pointer: u.suffix.includes('*'), isStatic, start: m.startIndex, end: m.endIndex });
      }
    }
  }

  private unwrap(d: Node): Unwrapped {
    let suffix = '';
    let fn: Node | undefined;
    let value: Node | undefined;
    let cur: Node | null = d;
    for (let guard = 0; cur && guard < 20; guard++) {
      switch (cur.type) {
        case 'identifier':
        case 'field_identifier':
        case 'type_identifier':
        case 'destructor_name':
        case 'operator_name':
        case 'qualified_identifier':
        case 'template_function':
        case 'template_method':
          return { name: norm(this.slice(cur)), suffix, fn, value };
        case 'pointer_declarator':
          suffix += '*';
          cur = cur.childForFieldName('declarator');
          break;
        case 'reference_declarator':
          suffix += this.slice(cur).trimStart().startsWith('&&') ? '&&' : '&';
          cur = cur.namedChildren.find((c) => c && c.type !== 'type_qualifier') ?? null;
          break;
        case 'array_declarator':
          suffix += '[]';
          cur = cur.childForFieldName('declarator');
          break;
        case 'init_declarator':
          value = cur.childForFieldName('value') ?? undefined;
          cur = cur.childForFieldName('declarator');
          break;
        case 'function_declarator':
          fn ??= cur;
          cur = cur.childForFieldName('declarator');
          break;
        case 'parenthesized_declarator':
        case 'attributed_declarator':
          cur = cur.namedChildren.find((c) => c && c.type !== 'attribute_declaration') ?? null;
          break;
        default:
          return { name: '', suffix, fn, value };
      }
    }
    return { name: '', suffix, fn, value };
  }

  private params(list: Node | null): Param[] {
    const out: Param[] = [];
    for (const p of list?.namedChildren ?? []) {
      if (!p || !/parameter_declaration$/.test(p.type)) continue;
      const type = norm(this.slice(p.childForFieldName('type')));
      const d = p.childForFieldName('declarator');
      const u = d ? this.unwrap(d) : { name: '', suffix: '' };
      const suffix = u.name ? u.suffix : d ? this.slice(d).replace(/[^*&[\]]/g, '') : '';
      out.push({ name: u.name, type: norm(`${type}${suffix}`) });
    }
    return out;
  }

  private functionDef(node: Node, className: string | undefined, templateStart?: number): CppFunction | undefined {
    const declarator = node.childForFieldName('declarator');
    if (!declarator) return undefined;
    const u = this.unwrap(declarator);
    if (!u.name || !u.fn) return undefined;
    const parts = splitQualified(u.name);
    const name = parts[parts.length - 1];
    const owner = parts.length > 1 ? parts[parts.length - 2].replace(/<.*$/s, '') : className;
    const body = node.childForFieldName('body');
    const fn: CppFunction = {
      name,
      owner,
      params: this.params(u.fn.childForFieldName('parameters')),
      returnType: norm(this.slice(node.childForFieldName('type')) + u.suffix),
      start: templateStart ?? node.startIndex,
      end: node.endIndex,
      bodyStart: body?.startIndex,
      bodyEnd: body?.endIndex,
      file: this.model.path,
    };
    if (body && !skipBody(name, owner)) fn.body = this.stmt(body);
    return fn;
  }

  // ---- function bodies ----

  private stmt(n: Node): Stmt {
    const span = { start: n.startIndex, end: n.endIndex };
    switch (n.type) {
      case 'compound_statement':
      case 'translation_unit':
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_else':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'try_statement':
      case 'catch_clause':
        return { kind: 'block', body: this.stmts(n), ...span };
      case 'ERROR':
        this.model.syntaxErrors++;
        return { kind: 'block', body: this.stmts(n), ...span };
      case 'declaration':
        return { kind: 'decl', vars: this.vars(n), ...span };
      case 'expression_statement': {
        const e = n.namedChildren.find((c) => c && c.type !== 'comment');
        return e ? { kind: 'expr', expr: this.expr(e), ...span } : { kind: 'block', body: [], ...span };
      }
      case 'return_statement': {
        const e = n.namedChildren.find((c) => c && c.type !== 'comment');
        return { kind: 'return', value: e ? this.expr(e) : undefined, ...span };
      }
      case 'if_statement': {
        const head: Stmt[] = [];
        const vars: VarDecl[] = [];
        const cond = n.childForFieldName('condition');
        for (const c of cond?.namedChildren ?? []) {
          if (!c) continue;
          if (c.type === 'declaration' || c.type === 'init_statement') vars.push(...this.vars(c.type === 'declaration' ? c : c.namedChildren[0] ?? c));
          else if (c.type === 'comment') continue;
          else head.push(this.exprStmt(c));
        }
        const bodies: Stmt[] = [];
        const then = n.childForFieldName('consequence');
        const otherwise = n.childForFieldName('alternative');
        if (then) bodies.push(this.stmt(then));
        if (otherwise) bodies.push(this.stmt(otherwise.type === 'else_clause' ? (otherwise.namedChildren.find((c) => c && c.type !== 'comment') ?? otherwise) : otherwise));
        return { kind: 'branch', head, bodies, vars, loop: false, ...span };
      }
      case 'for_statement': {
        const head: Stmt[] = [];
        const vars: VarDecl[] = [];
        const init = n.childForFieldName('initializer');
        if (init?.type === 'declaration') vars.push(...this.vars(init));
        else if (init) head.push(this.exprStmt(init));
        for (const f of ['condition', 'update']) {
          const c = n.childForFieldName(f);
          if (c) head.push(this.exprStmt(c));
        }
        const body = n.childForFieldName('body');
        return { kind: 'branch', head, bodies: body ? [this.stmt(body)] : [], vars, loop: true, ...span };
      }
      case 'for_range_loop': {
        const d = n.childForFieldName('declarator');
        const right = n.childForFieldName('right');
        const u = d ? this.unwrap(d) : { name: '', suffix: '' };
        const type = norm(this.slice(n.childForFieldName('type')) + u.suffix);
        const vars: VarDecl[] = u.name ? [{ name: u.name, type, init: right ? this.expr(right) : undefined, start: d!.startIndex, end: d!.endIndex }] : [];
        const body = n.childForFieldName('body');
        return { kind: 'branch', head: [], bodies: body ? [this.stmt(body)] : [], vars, loop: true, ...span };
      }
      case 'while_statement':
      case 'do_statement':
      case 'switch_statement': {
        const cond = n.childForFieldName('condition');
        const head: Stmt[] = [];
        const vars: VarDecl[] = [];
        for (const c of cond ? (cond.type === 'condition_clause' ? cond.namedChildren : [cond]) : []) {
          if (!c || c.type === 'comment') continue;
          if (c.type === 'declaration') vars.push(...this.vars(c));
          else head.push(this.exprStmt(c));
        }
        const body = n.childForFieldName('body');
        return { kind: 'branch', head, bodies: body ? [this.stmt(body)] : [], vars, loop: n.type !== 'switch_statement', ...span };
      }
      case 'case_statement': {
        const value = n.childForFieldName('value');
        return { kind: 'block', body: n.namedChildren.filter((c): c is Node => !!c && c !== value && c.id !== value?.id).map((c) => this.stmtOrExpr(c)), ...span };
      }
      case 'labeled_statement': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'statement_identifier');
        return inner ? this.stmt(inner) : { kind: 'block', body: [], ...span };
      }
      case 'function_definition':
        return this.packetLoop(n);
      case 'throw_statement': {
        const e = n.namedChildren[0];
        return e ? { kind: 'expr', expr: this.expr(e), ...span } : { kind: 'block', body: [], ...span };
      }
      default:
        if (STATEMENT_TYPES.has(n.type)) return { kind: 'block', body: [], ...span };
        return this.exprStmt(n);
    }
  }

  private stmts(n: Node): Stmt[] {
    const out: Stmt[] = [];
    for (const c of n.namedChildren) if (c && c.type !== 'comment') out.push(this.stmtOrExpr(c));
    return out;
  }

  private stmtOrExpr(c: Node): Stmt {
    return STATEMENT_TYPES.has(c.type) || c.type === 'ERROR' ? this.stmt(c) : this.exprStmt(c);
  }

  private exprStmt(n: Node): Stmt {
    return { kind: 'expr', expr: this.expr(n), start: n.startIndex, end: n.endIndex };
  }

  /**
   * `FOR_EACH_PACKET(batch, p) { ... }` parses as a nested function definition. Its second
   * "parameter" names the packet variable of the loop.
   */
  private packetLoop(n: Node): Stmt {
    const span = { start: n.startIndex, end: n.endIndex };
    const decl = n.childForFieldName('declarator');
    const params = decl?.childForFieldName('parameters')?.namedChildren ?? [];
    const names = params.map((p) => (p ? this.slice(p).trim() : ''));
    const vars: VarDecl[] = names.length >= 2 && /^\w+$/.test(names[1]) ? [{ name: names[1], type: 'Packet*', start: params[1]!.startIndex, end: params[1]!.endIndex }] : [];
    const body = n.childForFieldName('body');
    return { kind: 'branch', head: [], bodies: body ? [this.stmt(body)] : [], vars, loop: true, ...span };
  }

  private vars(n: Node): VarDecl[] {
    const type = norm(this.slice(n.childForFieldName('type')));
    const out: VarDecl[] = [];
    for (const d of n.childrenForFieldName('declarator')) {
      if (!d) continue;
      const u = this.unwrap(d);
      if (!u.name) continue;
      let init: Expr | undefined;
      if (u.value) init = this.expr(u.value);
      else if (u.fn) {
        // `IPFlowID id(p);` may parse as a function declarator: its "parameters" are the arguments.
        const args = (u.fn.childForFieldName('parameters')?.namedChildren ?? []).filter((c): c is Node => !!c);
        init = { kind: 'other', parts: args.map((a) => this.paramAsExpr(a)), start: u.fn.startIndex, end: u.fn.endIndex };
      }
      out.push({ name: u.name, type: norm(type + u.suffix), init, start: d.startIndex, end: d.endIndex });
    }
    const value = n.childForFieldName('value');
    if (value && out.length) out[out.length - 1].init ??= this.expr(value);
    return out;
  }

  private paramAsExpr(p: Node): Expr {
    const text = this.slice(p).trim();
    if (/^\w+$/.test(text)) return { kind: 'id', name: text, start: p.startIndex, end: p.endIndex };
    return { kind: 'other', parts: p.namedChildren.filter((c): c is Node => !!c).map((c) => this.expr(c)), start: p.startIndex, end: p.endIndex };
  }

  private expr(n: Node): Expr {
    const start = n.startIndex;
    const end = n.endIndex;
    switch (n.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
      case 'namespace_identifier':
        return { kind: 'id', name: this.slice(n), start, end };
      case 'qualified_identifier': {
        const parts = splitQualified(norm(this.slice(n)));
        const name = parts.pop()!.replace(/<.*$/s, '');
        return { kind: 'id', name, scope: parts.join('::').replace(/<.*$/s, '') || undefined, start, end };
      }
      case 'template_function':
      case 'template_type': {
        const name = n.childForFieldName('name');
        return { kind: 'id', name: name ? this.slice(name).split('::').pop()! : this.slice(n), start, end };
      }
      case 'this':
        return { kind: 'this', start, end };
      case 'field_expression': {
        const obj = n.childForFieldName('argument');
        const field = n.childForFieldName('field');
        const op = n.childForFieldName('operator');
        const fieldName = field ? this.slice(field).replace(/<.*$/s, '').split('::').pop()!.trim() : '';
        return {
          kind: 'member',
          object: obj ? this.expr(obj) : { kind: 'other', parts: [], start, end: start },
          field: fieldName,
          arrow: op ? this.slice(op) === '->' : this.text.slice(obj?.endIndex ?? start, field?.startIndex ?? end).includes('->'),
          start,
          end,
        };
      }
      case 'call_expression': {
        const fn = n.childForFieldName('function');
        const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c));
        if (fn?.type === 'template_function') {
          const name = this.slice(fn.childForFieldName('name'));
          if (/^(static|reinterpret|const|dynamic)_cast$/.test(name) && args.length === 1) {
            return { kind: 'cast', type: norm(this.slice(fn.childForFieldName('arguments')).replace(/^<|>$/g, '')), value: args[0], start, end };
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
        const indices = n.childForFieldName('indices') ?? n.childForFieldName('index');
        const index = indices ? (indices.type === 'subscript_argument_list' ? indices.namedChildren.filter((c): c is Node => !!c).map((c) => this.expr(c)) : [this.expr(indices)]) : [];
        return { kind: 'index', object: obj, index, start, end };
      }
      case 'conditional_expression':
        return { kind: 'cond', test: this.field(n, 'condition'), then: this.field(n, 'consequence'), otherwise: this.field(n, 'alternative'), start, end };
      case 'cast_expression':
        return { kind: 'cast', type: norm(this.slice(n.childForFieldName('type'))), value: this.field(n, 'value'), start, end };
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expr(inner) : { kind: 'other', parts: [], start, end };
      }
      case 'new_expression': {
        const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c).map((c) => this.expr(c));
        return { kind: 'new', type: norm(this.slice(n.childForFieldName('type'))), args, start, end };
      }
      case 'lambda_expression': {
        const decl = n.childForFieldName('declarator');
        const body = n.childForFieldName('body');
        return {
          kind: 'lambda',
          params: this.params(decl?.childForFieldName('parameters') ?? null),
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
        return { kind: 'lit', text: n.type === 'string_literal' || n.type === 'number_literal' ? this.slice(n) : n.type, start, end };
      case 'ERROR':
        this.model.syntaxErrors++;
        return { kind: 'other', parts: this.exprChildren(n), start, end };
      default:
        return { kind: 'other', parts: this.exprChildren(n), start, end };
    }
  }

  private exprChildren(n: Node): Expr[] {
    const out: Expr[] = [];
    for (const c of n.namedChildren) {
      if (!c || c.type === 'comment') continue;
      if (c.type === 'compound_statement') out.push({ kind: 'lambda', params: [], body: this.stmt(c), start: c.startIndex, end: c.endIndex });
      else out.push(this.expr(c));
    }
    return out;
  }

  private field(n: Node, name: string): Expr {
    const c = n.childForFieldName(name);
    return c ? this.expr(c) : { kind: 'other', parts: [], start: n.startIndex, end: n.startIndex };
  }

  private opText(n: Node): string {
    const op = n.childForFieldName('operator');
    return op ? this.slice(op) : '';
  }
}

/** `A::B<T>::f` → ['A', 'B<T>', 'f'] (template arguments may contain `::`). */
export function splitQualified(name: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ':' && name[i + 1] === ':' && depth === 0) {
      out.push(name.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(name.slice(start));
  return out.map((s) => s.trim()).filter((s, i) => s || i > 0);
}

/** `click::FlowStateElement<FlowCounter, int>` → { name: 'FlowStateElement', args: ['FlowCounter', 'int'] }. */
export function parseTypeName(text: string): { name: string; args: string[] } | undefined {
  const t = text.replace(/^(?:public|protected|private|virtual)\s+/g, '').replace(/^(?:public|protected|private|virtual)\s+/g, '').trim();
  const lt = t.indexOf('<');
  const head = (lt < 0 ? t : t.slice(0, lt)).trim();
  const name = splitQualified(head).pop();
  if (!name || !/^[A-Za-z_]\w*$/.test(name)) return undefined;
  if (lt < 0) return { name, args: [] };
  const close = t.lastIndexOf('>');
  return { name, args: splitTemplateArgs(t.slice(lt + 1, close < 0 ? t.length : close)) };
}

export function splitTemplateArgs(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inner.trim()) out.push(inner.slice(start).trim());
  return out;
}
