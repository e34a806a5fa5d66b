// Questions the editor asks about a ConfigModel, answered with plain data: what name is at an
// offset, where it is declared, where it is used, the outline, and the tokens to colour.
import type { SourceRange } from '../text';
import { inlineScopeName, type ClickElement, type ClickReference, type ConfigModel } from './model';

/** The reference (a use or a declaration of an element or class name) that covers `offset`. */
export function referenceAt(model: ConfigModel, offset: number): ClickReference | undefined {
  let best: ClickReference | undefined;
  for (const r of model.references) {
    if (r.range.startOffset <= offset && offset <= r.range.endOffset) {
      // Prefer the innermost (shortest) one; names do not nest, but be safe with touching ranges.
      if (!best || r.range.endOffset - r.range.startOffset < best.range.endOffset - best.range.startOffset) best = r;
    }
  }
  return best;
}

/** Where the name of a reference is declared, if it resolves. */
export function definitionOf(model: ConfigModel, ref: ClickReference): SourceRange | undefined {
  if (ref.target === undefined) return undefined;
  if (ref.kind === 'class') return model.elementClasses[ref.target]?.nameRange;
  const element = model.elements[ref.target];
  return element ? (element.nameRange ?? element.declarationRange) : undefined;
}

/** Every use of the same element or class as `ref` (its declaration first when asked for). */
export function referencesOf(model: ConfigModel, ref: ClickReference, includeDeclaration: boolean): ClickReference[] {
  const same = (r: ClickReference) =>
    r.kind === ref.kind && (ref.target !== undefined ? r.target === ref.target : r.target === undefined && r.name === ref.name && r.scopeId === ref.scopeId);
  const out = model.references.filter((r) => same(r) && (includeDeclaration || !r.isDeclaration));
  return out.sort((a, b) => Number(b.isDeclaration) - Number(a.isDeclaration) || a.range.startOffset - b.range.startOffset);
}

export type ClickSymbolKind = 'element' | 'class' | 'define' | 'require';

export interface ClickSymbol {
  name: string;
  detail: string;
  kind: ClickSymbolKind;
  /** The whole construct. */
  range: SourceRange;
  /** The part to select: the name. */
  selectionRange: SourceRange;
  children: ClickSymbol[];
}

/** The outline: elements, element classes (with what they contain) and defines, in file order. */
export function documentSymbols(model: ConfigModel): ClickSymbol[] {
  // Elements by scope, and for inline compounds the scopes that belong to each element.
  const byScope = new Map<number, ClickElement[]>();
  for (const e of model.elements) {
    const list = byScope.get(e.scopeId);
    if (list) list.push(e);
    else byScope.set(e.scopeId, [e]);
  }
  const childScopes = new Map<number, number[]>();
  for (const s of model.scopes) {
    if (s.parentId === null) continue;
    const list = childScopes.get(s.parentId);
    if (list) list.push(s.id);
    else childScopes.set(s.parentId, [s.id]);
  }
  const classesByScope = new Map<number, number[]>();
  model.elementClasses.forEach((c, i) => {
    const list = classesByScope.get(c.scopeId);
    if (list) list.push(i);
    else classesByScope.set(c.scopeId, [i]);
  });
  const overloadScopes = new Set<number>();
  for (const c of model.elementClasses) for (const o of c.overloads) overloadScopes.add(o.scopeId);

  const symbolsOfScope = (scopeId: number): ClickSymbol[] => {
    const out: ClickSymbol[] = [];
    for (const e of byScope.get(scopeId) ?? []) {
      // An inline compound's body belongs under the element that defines it.
      const inline = (childScopes.get(scopeId) ?? []).filter((id) => !overloadScopes.has(id) && model.scopes[id]?.name === inlineScopeName(e.scope, e.name));
      out.push({
        name: e.name,
        detail: e.className || '{ ... }',
        kind: 'element',
        range: e.declarationRange,
        selectionRange: e.nameRange ?? e.classRange,
        children: inline.flatMap(symbolsOfScope),
      });
    }
    for (const i of classesByScope.get(scopeId) ?? []) {
      const c = model.elementClasses[i];
      out.push({
        name: c.name,
        detail: c.synonymOf ? `= ${c.synonymOf}` : c.overloads.length > 1 ? `elementclass, ${c.overloads.length} overloads` : 'elementclass',
        kind: 'class',
        range: c.range,
        selectionRange: c.nameRange,
        children: c.overloads.flatMap((o) => symbolsOfScope(o.scopeId)),
      });
    }
    for (const d of model.defines) {
      if (d.scopeId !== scopeId) continue;
      out.push({ name: `$${d.name}`, detail: d.value, kind: 'define', range: d.range, selectionRange: d.nameRange, children: [] });
    }
    return out.sort((a, b) => a.range.startOffset - b.range.startOffset);
  };
  return symbolsOfScope(0);
}

export type SemanticTokenType = 'class' | 'variable' | 'parameter';
export type SemanticTokenModifier = 'declaration' | 'readonly';

export interface ClickSemanticToken {
  /** Where the token starts in the text; a token never spans a line break. */
  offset: number;
  length: number;
  type: SemanticTokenType;
  modifiers: SemanticTokenModifier[];
}

/**
 * Tokens whose colour needs the model, in the same colour families as the TextMate grammar:
 * element names (variable), classes (class), configuration keywords and formals (parameter), and
 * `$variables` (readonly variable). A bare `Discard` and a bare `psd` look alike to a regex; here
 * one is a class and the other an element.
 */
export function semanticTokens(model: ConfigModel): ClickSemanticToken[] {
  const out: ClickSemanticToken[] = [];
  const text = model.text;
  /** LSP tokens stay on one line. */
  const oneLine = (start: number, end: number) => {
    const nl = text.indexOf('\n', start);
    return nl < 0 || nl >= end;
  };
  const add = (r: SourceRange, type: SemanticTokenType, modifiers: SemanticTokenModifier[]) => {
    if (r.endOffset <= r.startOffset || !oneLine(r.startOffset, r.endOffset)) return;
    out.push({ offset: r.startOffset, length: r.endOffset - r.startOffset, type, modifiers });
  };
  for (const r of model.references) add(r.range, r.kind === 'class' ? 'class' : 'variable', r.isDeclaration ? ['declaration'] : []);
  const classRefs = new Set(model.references.filter((r) => r.kind === 'class').map((r) => r.range.startOffset));
  for (const e of model.elements) {
    // Classes that are not elementclasses of this file (built-in elements) are coloured too.
    if (e.form !== 'compound' && e.className && !classRefs.has(e.classRange.startOffset) && e.classRange.endOffset - e.classRange.startOffset === e.className.length) {
      add(e.classRange, 'class', []);
    }
    for (const a of e.config?.args ?? []) {
      if (a.keywordRange) add(a.keywordRange, 'parameter', []);
      for (const v of a.variables) add(v.range, 'variable', ['readonly']);
    }
  }
  for (const c of model.elementClasses) {
    for (const o of c.overloads) {
      for (const f of o.formals) {
        const written = text.slice(f.range.startOffset, f.range.endOffset);
        const dollar = written.lastIndexOf('$');
        if (f.keyword) add({ startOffset: f.range.startOffset, endOffset: f.range.startOffset + f.keyword.length }, 'parameter', []);
        if (dollar >= 0 && oneLine(f.range.startOffset, f.range.endOffset)) {
          out.push({ offset: f.range.startOffset + dollar, length: written.length - dollar, type: 'parameter', modifiers: ['declaration'] });
        }
      }
    }
  }
  for (const d of model.defines) add(d.nameRange, 'variable', ['declaration', 'readonly']);
  for (const r of model.requires) for (const a of r.args) for (const v of a.variables) add(v.range, 'variable', ['readonly']);
  out.sort((a, b) => a.offset - b.offset);
  // LSP wants tokens that do not overlap.
  const unique: ClickSemanticToken[] = [];
  for (const t of out) {
    const prev = unique[unique.length - 1];
    if (prev && t.offset < prev.offset + prev.length) continue;
    unique.push(t);
  }
  return unique;
}
