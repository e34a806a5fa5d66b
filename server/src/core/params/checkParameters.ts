// Checks an element's configuration against the parameters its class reads, as FastClick would
// when it configures the element: unknown keywords (worded like FastClick's "FOO: unknown
// argument", with the nearest real keyword), missing mandatory arguments, keywords given twice,
// too many positional arguments, and values that cannot have the parameter's evident type. Only
// classes whose parameter list is complete are checked: for a partial list FastClick may accept
// more than the index knows.
import type { ClickElement, ConfigModel } from '../click/model';
import type { ElementParameter, ParameterList } from '../cpp/parameters';
import { LineIndex, type SourceRange } from '../text';
import { matchArguments, type ArgumentView } from './clickArguments';
import { closest } from './suggest';

export type ParameterProblemCode = 'unknown-argument' | 'missing-argument' | 'duplicate-argument' | 'too-many-arguments' | 'argument-type';

export interface ParameterProblem {
  code: ParameterProblemCode;
  severity: 'error' | 'warning';
  message: string;
  range: SourceRange;
  /** For a misspelled keyword: the keyword to write instead (the quick fix replaces `range`). */
  replacement?: string;
}

/** The parameter list of a class by Click name (undefined when the index lacks it). */
export type ParameterLookup = (className: string) => ParameterList | undefined;

/** Problems of every element of the model whose class has a complete parameter list. */
export function checkParameters(model: ConfigModel, lookup: ParameterLookup): ParameterProblem[] {
  const lines = new LineIndex(model.text);
  const compounds = new Set(model.elementClasses.map((c) => c.name));
  const out: ParameterProblem[] = [];
  for (const el of model.elements) {
    if (el.form === 'compound' || el.sharedWith || compounds.has(el.className)) continue;
    // An unclosed configuration runs to wherever the parser gave up: its arguments mean nothing.
    if (el.config && el.config.closeParenOffset === undefined) continue;
    const list = lookup(el.className);
    if (list?.completeness !== 'complete') continue;
    out.push(...checkElement(el, list, lines));
  }
  return out;
}

export function checkElement(el: ClickElement, list: ParameterList, lines: LineIndex): ParameterProblem[] {
  const out: ParameterProblem[] = [];
  const args = el.config?.args ?? [];
  const { views, match } = matchArguments(args, list);
  const names = list.parameters.map((p) => p.name);
  const seen = new Map<string, ArgumentView>();
  // An argument that starts with a variable may expand to a keyword argument, several arguments or
  // none: positions and mandatory arguments cannot be judged before the router substitutes it.
  const variableArgs = views.some((v) => !v.keyword && v.text.trimStart().startsWith('$'));
  // A positional parameter read on some paths only may take more arguments than the others.
  let tooMany = variableArgs || list.parameters.some((p) => p.positional && p.conditional);
  views.forEach((v, i) => {
    const p = match.assigned[i];
    if (!p) {
      if (v.keyword) {
        const suggestion = closest(v.keyword, names);
        out.push({
          code: 'unknown-argument',
          severity: 'error',
          message: `${v.keyword}: unknown argument${suggestion ? `; did you mean \`${suggestion}\`?` : ''} (${el.className} reads ${names.length ? names.join(', ') : 'no keywords'})`,
          range: keywordRange(v, lines),
          replacement: suggestion,
        });
      } else if (!tooMany) {
        tooMany = true;
        out.push({
          code: 'too-many-arguments',
          severity: 'error',
          message: `too many arguments: ${el.className} takes ${list.parameters.filter((x) => x.positional).length} positional argument(s)`,
          range: v.arg.range,
        });
      }
      return;
    }
    if (v.keyword === p.name) {
      const before = seen.get(p.name);
      if (before && !p.repeatable)
        out.push({ code: 'duplicate-argument', severity: 'warning', message: `${p.name} is given twice; FastClick uses the last one`, range: keywordRange(before, lines) });
      seen.set(p.name, v);
    }
    // Which path's parameter takes a positional argument depends on the run: do not judge its type.
    if (v.keyword !== p.name && p.conditional) return;
    const value = v.keyword === p.name ? v.value : v.text;
    const typeError = valueError(p, value);
    if (typeError) out.push({ code: 'argument-type', severity: 'error', message: `${p.name}: ${typeError}`, range: v.keyword === p.name ? v.arg.valueRange : v.arg.range });
  });
  // A mandatory parameter read on some paths only (one per socket type, say) is not always required.
  for (const p of variableArgs ? [] : match.missing.filter((x) => !x.conditional)) {
    const at = el.config ? el.config.range : el.classRange;
    out.push({
      code: 'missing-argument',
      severity: 'error',
      message: `${p.name}: required argument missing`,
      range: el.config && el.config.range.startOffset === el.config.range.endOffset ? el.classRange : at,
    });
  }
  return out;
}

function keywordRange(v: ArgumentView, lines: LineIndex): SourceRange {
  if (v.arg.keywordRange && v.arg.keyword === v.keyword) return v.arg.keywordRange;
  const start = v.arg.range.startOffset;
  return lines.range(start, start + (v.keyword?.length ?? 0));
}

const BOOL_VALUES = new Set(['0', '1', 'n', 'y', 'f', 't', 'false', 'true', 'no', 'yes']);

/** Why `value` cannot be read as the parameter's type (FastClick's BoolArg/IntArg), or undefined. */
export function valueError(p: ElementParameter, value: string): string | undefined {
  // Variables and defines are substituted when the router is built: their value is not known here.
  if (value.includes('$')) return undefined;
  const v = unquote(value.trim());
  // A bare upper-case name is likely a macro of a configuration run through cpp.
  if (/^[A-Z_][A-Z0-9_]*$/.test(v) && v.length > 1) return undefined;
  switch (p.type) {
    case 'bool':
      return BOOL_VALUES.has(v) ? undefined : `expected boolean (true/false, yes/no, 1/0), not \`${v}\``;
    case 'integer':
      return /^[-+]?(?:0[xX][0-9a-fA-F]+|\d+)$/.test(v) ? undefined : `expected integer, not \`${v}\``;
    case 'unsigned':
      return /^\+?(?:0[xX][0-9a-fA-F]+|\d+)$/.test(v) ? undefined : `expected unsigned integer, not \`${v}\``;
    default:
      return undefined;
  }
}

function unquote(v: string): string {
  return v.length >= 2 && v[0] === '"' && v.endsWith('"') ? v.slice(1, -1) : v;
}
