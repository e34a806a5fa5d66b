// Reading declarators and parameter lists of tree-sitter-cpp: names, and the `*`/`&`/`[]` a
// declarator adds to the declared type.
import type { Language, Node } from 'web-tree-sitter';
import type { Param } from './ast';

/**
 * Whitespace-normalized type or expression text: `per_thread<Stats> ` → `per_thread<Stats>`.
 * Most texts have no whitespace at all, and for them the replacements would change nothing.
 */
export const norm = (s: string) =>
  /\s/.test(s)
    ? s
        .replace(/\s+/g, ' ')
        .replace(/\s*([<>,*&:])\s*/g, '$1')
        .trim()
    : s;

/** `Scope<T>::name<U>` → `name`: template arguments dropped, then the last `::` part, trimmed. */
export function unqualifiedName(s: string): string {
  // The `includes` tests only skip work that would change nothing (most names are plain).
  if (s.includes('<')) s = s.replace(/<.*$/s, '');
  if (s.includes('::')) s = s.split('::').pop()!;
  return s.trim();
}

// Node.childForFieldName looks the field's name up in the grammar's list of field names on every
// call; the extractor makes hundreds of thousands of such calls, so the ids are kept here.
let fieldIdsLanguage: Language | undefined;
let fieldIds = new Map<string, number>();

/** `n.childForFieldName(name)`, with the field's id looked up once per grammar. */
export function childByField(n: Node, name: string): Node | null {
  const language = n.tree.language;
  if (language !== fieldIdsLanguage) {
    fieldIdsLanguage = language;
    fieldIds = new Map();
  }
  let id = fieldIds.get(name);
  if (id === undefined) {
    id = language.fields.indexOf(name);
    fieldIds.set(name, id);
  }
  return id === -1 ? null : n.childForFieldId(id);
}

export function sliceOf(text: string, n: Node | null | undefined): string {
  return n ? text.slice(n.startIndex, n.endIndex) : '';
}

export interface Unwrapped {
  name: string;
  suffix: string;
  fn?: Node;
  value?: Node;
}

/** The declared name under pointer/reference/array/init/function declarators. */
export function unwrapDeclarator(text: string, d: Node): Unwrapped {
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
        return { name: norm(sliceOf(text, cur)), suffix, fn, value };
      case 'pointer_declarator':
        suffix += '*';
        cur = childByField(cur, 'declarator');
        break;
      case 'reference_declarator':
        suffix += sliceOf(text, cur).trimStart().startsWith('&&') ? '&&' : '&';
        cur = cur.namedChildren.find((c) => c && c.type !== 'type_qualifier') ?? null;
        break;
      case 'array_declarator':
        suffix += '[]';
        cur = childByField(cur, 'declarator');
        break;
      case 'init_declarator':
        value = childByField(cur, 'value') ?? undefined;
        cur = childByField(cur, 'declarator');
        break;
      case 'function_declarator':
        fn ??= cur;
        cur = childByField(cur, 'declarator');
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

export function parameters(text: string, list: Node | null): Param[] {
  const out: Param[] = [];
  for (const p of list?.namedChildren ?? []) {
    if (!p || !/parameter_declaration$/.test(p.type)) continue;
    const type = norm(sliceOf(text, childByField(p, 'type')));
    const d = childByField(p, 'declarator');
    const u = d ? unwrapDeclarator(text, d) : { name: '', suffix: '' };
    const suffix = u.name ? u.suffix : d ? sliceOf(text, d).replace(/[^*&[\]]/g, '') : '';
    out.push({ name: u.name, type: norm(`${type}${suffix}`) });
  }
  return out;
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
