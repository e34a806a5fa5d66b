// Copies of model objects with every offset moved by `delta`, for the statements after an edit
// (see shiftedSegment in assemble.ts). Written out per type rather than walked generically: this
// runs over everything after the edit on every keystroke, and a generic deep copy was ten times
// slower. A copy has exactly the keys of its original (the linker always sets every key).
import type { SourceRange } from '../text';
import type {
  ClickArg,
  ClickConfig,
  ClickConnection,
  ClickDefine,
  ClickElement,
  ClickElementClass,
  ClickEndpoint,
  ClickFoldingRange,
  ClickGroup,
  ClickProblem,
  ClickReference,
  ClickRequire,
  ClickScope,
} from './model';

export interface ModelShifter {
  element(e: ClickElement): ClickElement;
  connection(c: ClickConnection): ClickConnection;
  elementClass(c: ClickElementClass): ClickElementClass;
  define(d: ClickDefine): ClickDefine;
  require(r: ClickRequire): ClickRequire;
  reference(r: ClickReference): ClickReference;
  problem(p: ClickProblem): ClickProblem;
  scope(s: ClickScope): ClickScope;
  group(g: ClickGroup): ClickGroup;
  fold(f: ClickFoldingRange): ClickFoldingRange;
}

/** Every list in a model is copied with `map`; an empty one is shared (nothing in it to move). */
export function mapShifted<T>(list: T[], f: (x: T) => T): T[] {
  return list.length ? list.map(f) : list;
}

export function modelShifter(delta: number): ModelShifter {
  // Ranges shared by neighbouring objects (an argument and its value, the endpoints of the hookups
  // of one arrow) stay shared: the last few originals and their copies are remembered.
  const seen: Array<SourceRange | undefined> = [undefined, undefined, undefined, undefined];
  const copies: SourceRange[] = new Array(4);
  let next = 0;
  const range = (r: SourceRange): SourceRange => {
    for (let i = 0; i < 4; i++) if (seen[i] === r) return copies[i];
    const copy = { startOffset: r.startOffset + delta, endOffset: r.endOffset + delta };
    seen[next] = r;
    copies[next] = copy;
    next = (next + 1) & 3;
    return copy;
  };
  const optional = (r: SourceRange | undefined): SourceRange | undefined => (r ? range(r) : r);

  // The hot types (one per element, argument, hookup) are written out field by field in the order
  // the linker creates them: same keys, same hidden class, no generic copy.
  const arg = (a: ClickArg): ClickArg => ({
    index: a.index,
    keyword: a.keyword,
    keywordRange: optional(a.keywordRange),
    value: a.value,
    valueRange: range(a.valueRange),
    range: range(a.range),
    variables: a.variables.length ? a.variables.map((v) => ({ name: v.name, defaultValue: v.defaultValue, range: range(v.range) })) : a.variables,
    expandedValue: a.expandedValue,
  });

  const config = (c: ClickConfig): ClickConfig => ({
    text: c.text,
    range: range(c.range),
    openParenOffset: c.openParenOffset + delta,
    closeParenOffset: c.closeParenOffset === undefined ? undefined : c.closeParenOffset + delta,
    args: mapShifted(c.args, arg),
  });

  const endpoint = (e: ClickEndpoint): ClickEndpoint => ({
    element: e.element,
    ports: e.ports,
    range: range(e.range),
    portRange: optional(e.portRange),
    port: e.port,
    kind: e.kind,
    group: e.group,
    implicit: e.implicit,
  });

  return {
    element: (e) => ({
      name: e.name,
      className: e.className,
      anonymous: e.anonymous,
      scope: e.scope,
      overload: e.overload,
      declarationRange: range(e.declarationRange),
      nameRange: optional(e.nameRange),
      classRange: range(e.classRange),
      config: e.config ? config(e.config) : e.config,
      scopeId: e.scopeId,
      form: e.form,
      sharedWith: e.sharedWith,
    }),
    connection: (c) => ({
      from: endpoint(c.from),
      to: endpoint(c.to),
      operator: c.operator,
      contextName: c.contextName,
      scope: c.scope,
      overload: c.overload,
      range: range(c.range),
      scopeId: c.scopeId,
      operatorRange: range(c.operatorRange),
    }),
    reference: (r) => ({ name: r.name, scope: r.scope, range: range(r.range), isDeclaration: r.isDeclaration, kind: r.kind, scopeId: r.scopeId, target: r.target }),
    // The rarer ones keep their other fields by spreading.
    elementClass: (c) => ({
      ...c,
      nameRange: range(c.nameRange),
      range: range(c.range),
      overloads: c.overloads.map((o) => ({ ...o, range: range(o.range), formals: o.formals.map((f) => ({ ...f, range: range(f.range) })) })),
    }),
    define: (d) => ({ ...d, range: range(d.range), nameRange: range(d.nameRange), valueRange: range(d.valueRange) }),
    require: (r) => ({ ...r, range: range(r.range), args: mapShifted(r.args, arg) }),
    problem(p) {
      const out: ClickProblem = { ...p, range: range(p.range) };
      if (p.related) out.related = p.related.map((r) => ({ ...r, range: range(r.range) }));
      return out;
    },
    scope: (s) => ({ ...s, range: range(s.range) }),
    group: (g) => ({ ...g, range: range(g.range) }),
    fold: (f) => ({ ...f, range: range(f.range) }),
  };
}
