// Turns one C++ file into a CppFileModel: classes (bases, fields, methods, class_name()),
// out-of-class definitions, string #defines, typedefs, EXPORT_ELEMENT names and element docs.
// Function bodies become the small AST of ast.ts (most on first read: deferredBodies.ts). The
// tree-sitter tree is freed before returning.
import type { Node, Range, Tree } from 'web-tree-sitter';
import { BodyConverter } from './bodies';
import { BlankedBodies, BlankingMismatch, deferrableBodies, type ParseInput } from './blankedBodies';
import { canDefer, convertDeferred, deferBody, setDeferredBody, type BodyFailure } from './deferredBodies';
import { deferConfigReads } from './deferredConfigReads';
import { isEntryMethod } from './entryMethods';
import { blankDirectiveLines, extractConfigReads, literalText, receivesConfiguration } from './configReads';
import { childByField, norm, parameters, sliceOf, splitQualified, unqualifiedName, unwrapDeclarator } from './declarators';
import { extractDocs } from './docs';
import { blankClickMacros, stringLiteralValue, type BlankedSource } from './macros';
import type { CppBase, CppClass, CppFileModel, CppFunction, FlowMacro, TemplateParam } from './model';
import { dict } from '../dict';

export { splitQualified };

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

export interface ExtractOptions {
  mtimeMs?: number;
  size?: number;
  /** Record configuration reads and constructor initializers for the parameter index (default true). */
  parameters?: boolean;
  /**
   * Convert function bodies on first read, parsing them again with this same parser then
   * (deferredBodies.ts); the parser must outlive the model. Default: converted now.
   */
  deferBodies?: boolean;
  /** Why a deferred body read as none. */
  onBodyFailure?: BodyFailure;
  /** With deferBodies: blank the bodies to defer for the first parse (blankedBodies.ts; default true). */
  blankBodies?: boolean;
  /** The bodies blanked for the first parse did not fit its tree: the file was parsed again whole. */
  onBlankingMismatch?(path: string, reason: string): void;
}

/** What extractCppFile needs of a parser (a RecoveringParser, or a bare web-tree-sitter Parser in tests). */
export interface CppParser {
  parse(input: string | ParseInput, oldTree?: null, options?: { includedRanges?: Range[] }): Tree | null;
}

export function extractCppFile(parser: CppParser, path: string, text: string, options: ExtractOptions = {}): CppFileModel {
  const blanked = blankClickMacros(text);
  // Bodies that would be deferred are blanked for the first parse (blankedBodies.ts), unless the guess fails.
  const bodies = options.deferBodies && options.blankBodies !== false ? deferrableBodies(blanked.text) : [];
  if (bodies.length) {
    try {
      return extractParsed(parser, path, text, blanked, options, new BlankedBodies(bodies));
    } catch (err) {
      if (!(err instanceof BlankingMismatch)) throw err;
      options.onBlankingMismatch?.(path, err.message);
    }
  }
  return extractParsed(parser, path, text, blanked, options);
}

function extractParsed(parser: CppParser, path: string, text: string, blanked: BlankedSource, options: ExtractOptions, blankedBodies?: BlankedBodies): CppFileModel {
  const model: CppFileModel = {
    path,
    text,
    classes: [],
    functions: [],
    defines: extractStringDefines(text),
    typedefs: dict(),
    exports: extractExports(text),
    docs: extractDocs(text),
    syntaxErrors: 0,
    mtimeMs: options.mtimeMs ?? 0,
    size: options.size ?? text.length,
  };
  const tree = blankedBodies ? parser.parse(blankedBodies.input(blanked.text), null, { includedRanges: blankedBodies.includedRanges(blanked.text) }) : parser.parse(blanked.text);
  if (!tree) return model;
  try {
    new Extractor(model, blanked.text, blanked.flowMacros, parser, options, blankedBodies).topLevel(tree.rootNode, []);
    blankedBodies?.verifyRest(tree.rootNode);
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

/** `EXPORT_ELEMENT(Class-Name)` exports the C++ class under a second Click name: [class, name] pairs. */
export function extractExportAliases(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /\bEXPORT_ELEMENT\s*\(\s*(\w+)-(\w+)\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) if (!/^\s*#/.test(lineAt(text, m.index))) out.push([m[1], m[2]]);
  return out;
}

export function extractStringDefines(text: string): Record<string, string> {
  const out: Record<string, string> = dict();
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

class Extractor {
  private readonly bodies: BodyConverter;

  constructor(
    private readonly model: CppFileModel,
    /** The text parsed, Click's macros blanked (and, as the parser read it, `blankedBodies`). */
    private readonly text: string,
    private readonly flowMacros: FlowMacro[],
    /** The file's parser: configuration reads parse bodies with conditionals again, and deferred bodies are parsed again alone. */
    private readonly parser: CppParser,
    private readonly options: ExtractOptions,
    private readonly blankedBodies?: BlankedBodies,
  ) {
    this.bodies = new BodyConverter(text, () => model.syntaxErrors++);
  }

  private slice(n: Node | null | undefined): string {
    return sliceOf(this.text, n);
  }

  topLevel(node: Node, templateParams: TemplateParam[], templateStart?: number): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      switch (child.type) {
        case 'namespace_definition':
        case 'linkage_specification': {
          const body = childByField(child, 'body');
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
          this.topLevel(child, this.templateParams(childByField(child, 'parameters')), child.startIndex);
          break;
        case 'class_specifier':
        case 'struct_specifier':
          this.classSpec(child, '', templateParams, templateStart);
          break;
        case 'declaration':
        case 'field_declaration': {
          const type = childByField(child, 'type');
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
      const name = childByField(p, 'name') ?? childByField(p, 'declarator') ?? p.namedChildren.find((c) => c?.type === 'type_identifier') ?? null;
      const def = childByField(p, 'default_type') ?? childByField(p, 'default_value');
      if (name) out.push({ name: this.slice(name).replace(/^[.\s]+/, ''), default: def ? norm(this.slice(def)) : undefined });
    }
    return out;
  }

  private typedef(node: Node, into: Record<string, string>): void {
    if (node.type === 'alias_declaration') {
      const name = childByField(node, 'name');
      const type = childByField(node, 'type');
      if (name && type) into[this.slice(name)] = norm(this.slice(type));
      return;
    }
    const type = childByField(node, 'type');
    if (!type) return;
    if (type.type === 'class_specifier' || type.type === 'struct_specifier') this.classSpec(type, '', [], node.startIndex);
    for (const d of node.childrenForFieldName('declarator')) {
      if (!d) continue;
      const u = unwrapDeclarator(this.text, d);
      if (u.name) into[u.name] = norm(this.slice(type) + u.suffix);
    }
  }

  private classSpec(node: Node, outer: string, templateParams: TemplateParam[], startOverride?: number): CppClass | undefined {
    const nameNode = childByField(node, 'name');
    const body = childByField(node, 'body');
    if (!nameNode || !body) return undefined;
    const name = unqualifiedName(this.slice(nameNode));
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
      typedefs: dict(),
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
          const params = this.templateParams(childByField(m, 'parameters'));
          for (const inner of m.namedChildren) {
            if (!inner) continue;
            const innerType = inner.type;
            if (innerType === 'function_definition') {
              const fn = this.functionDef(inner, cls.name, m.startIndex);
              if (fn) this.addMethod(cls, fn);
            } else if (innerType === 'class_specifier' || innerType === 'struct_specifier') {
              const nested = this.classSpec(inner, cls.qualifiedName, params, m.startIndex);
              if (nested) cls.nested.push(nested.qualifiedName);
            } else if (innerType === 'declaration' || innerType === 'field_declaration') this.member(inner, cls);
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
    const type = childByField(m, 'type');
    if (type && (type.type === 'class_specifier' || type.type === 'struct_specifier')) {
      const nested = this.classSpec(type, cls.qualifiedName, []);
      if (nested) cls.nested.push(nested.qualifiedName);
    }
    // Listing the children is costly (a Node each): only a declaration with `static` in its text can be static.
    const staticAt = this.text.indexOf('static', m.startIndex);
    const isStatic = staticAt >= 0 && staticAt < m.endIndex && m.namedChildren.some((c) => c?.type === 'storage_class_specifier' && this.slice(c) === 'static');
    const typeText = type ? norm(this.slice(type)) : '';
    for (const d of m.childrenForFieldName('declarator')) {
      if (!d) continue;
      const u = unwrapDeclarator(this.text, d);
      if (!u.name) continue;
      if (u.fn) {
        cls.methodDecls.push({
          name: u.name,
          params: parameters(this.text, childByField(u.fn, 'parameters')),
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

  private functionDef(node: Node, className: string | undefined, templateStart?: number): CppFunction | undefined {
    const declarator = childByField(node, 'declarator');
    if (!declarator) return undefined;
    const u = unwrapDeclarator(this.text, declarator);
    if (!u.name || !u.fn) return undefined;
    const parts = splitQualified(u.name);
    const name = parts[parts.length - 1];
    const owner = parts.length > 1 ? parts[parts.length - 2].replace(/<.*$/s, '') : className;
    const body = childByField(node, 'body');
    const fn: CppFunction = {
      name,
      owner,
      params: parameters(this.text, childByField(u.fn, 'parameters')),
      returnType: norm(this.slice(childByField(node, 'type')) + u.suffix),
      start: templateStart ?? node.startIndex,
      end: node.endIndex,
      bodyStart: body?.startIndex,
      bodyEnd: body?.endIndex,
      file: this.model.path,
    };
    const skipped = skipBody(name, owner);
    // Whether the body can wait for its first read (a scan of its text, so asked once).
    const deferrable = !!body && !skipped && !!this.options.deferBodies && canDefer(body, this.text);
    // A blanked body must be one the extractor does not read now (below).
    if (body && this.blankedBodies?.isBlanked(body.startIndex, body.endIndex)) {
      const converted = !skipped && (isEntryMethod(name) || !deferrable);
      if (converted || name === 'class_name' || (owner && name === owner))
        throw new BlankingMismatch(`the body of ${owner ? owner + '::' : ''}${name} is read as the file is extracted`);
    }
    if (body && !skipped) {
      if (!deferrable) fn.body = this.bodies.stmt(body);
      else if (isEntryMethod(name)) setDeferredBody(fn, this.bodies.stmt(body));
      else {
        const { model, parser, options } = this;
        deferBody(fn, () => convertDeferred(parser, model.text, fn, options.onBodyFailure));
      }
    }
    if (body && (this.options.parameters ?? true)) {
      if (receivesConfiguration(name, fn.params)) {
        // Deferred with the bodies: most keyword lists are never resolved (deferredConfigReads.ts).
        if (this.options.deferBodies) deferConfigReads(fn, this.model.text, this.parser);
        else {
          try {
            fn.config = this.configReads(body, fn);
          } catch (err) {
            // The parameter index must never cost the file its model.
            fn.config = {
              events: [{ kind: 'unknown', reason: `the configuration reads could not be extracted (${err instanceof Error ? err.message : String(err)})`, start: body.startIndex }],
            };
          }
        }
      } else if (owner && name === owner) fn.initializers = this.initializers(node, body);
    }
    return fn;
  }

  /** A body's configuration reads; one with preprocessor lines is parsed again with them blanked (blankDirectiveLines). */
  private configReads(body: Node, fn: CppFunction): ReturnType<typeof extractConfigReads> {
    const bodyText = this.text.slice(body.startIndex, body.endIndex);
    if (!/^[ \t]*#/m.test(bodyText)) return extractConfigReads(this.text, body, fn.params);
    const head = 'void f()';
    const pad = body.startIndex - head.length;
    if (pad < 0) return extractConfigReads(this.text, body, fn.params);
    const text = ' '.repeat(pad) + head + blankDirectiveLines(bodyText);
    const tree = this.parser.parse(text);
    try {
      const fnNode = tree?.rootNode.namedChildren.find((c: Node | null) => c?.type === 'function_definition');
      const reparsed = fnNode ? childByField(fnNode, 'body') : null;
      return reparsed ? extractConfigReads(text, reparsed, fn.params) : extractConfigReads(this.text, body, fn.params);
    } finally {
      tree?.delete();
    }
  }

  /** `_burst(32)` in a constructor's initializer list and `_burst = 32;` in its body. */
  private initializers(node: Node, body: Node): Record<string, string> {
    const out: Record<string, string> = {};
    const list = node.namedChildren.find((c) => c?.type === 'field_initializer_list');
    for (const init of list?.namedChildren ?? []) {
      if (init?.type !== 'field_initializer') continue;
      const field = init.namedChildren[0];
      const args = init.namedChildren[1]?.namedChildren ?? [];
      const lit = args.length === 1 ? literalText(this.slice(args[0])) : null;
      if (field && lit !== null) out[this.slice(field)] = lit;
    }
    for (const stmt of body.namedChildren) {
      const e = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
      if (e?.type !== 'assignment_expression' || this.slice(childByField(e, 'operator')) !== '=') continue;
      const left = this.slice(childByField(e, 'left'))
        .replace(/^this->/, '')
        .trim();
      const lit = literalText(this.slice(childByField(e, 'right')));
      if (/^\w+$/.test(left) && lit !== null) out[left] ??= lit;
    }
    return out;
  }
}

/** `click::FlowStateElement<MyCounter, int>` → { name: 'FlowStateElement', args: ['MyCounter', 'int'] }. */
export function parseTypeName(text: string): { name: string; args: string[] } | undefined {
  const t = text
    .replace(/^(?:public|protected|private|virtual)\s+/g, '')
    .replace(/^(?:public|protected|private|virtual)\s+/g, '')
    .trim();
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
