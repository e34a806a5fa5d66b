// Click's macros confuse tree-sitter-cpp (docs/ARCHITECTURE.md §3). They are replaced by the same number of
// spaces (newlines kept) before parsing, so every offset and line stays right. Flow-context macros
// carry the flow key, so they are recorded before being blanked.
import type { FlowMacro } from './model';

const BARE_MACROS = [
  'CLICK_DECLS',
  'CLICK_ENDDECLS',
  'CLICK_USING_DECLS',
  'CLICK_COLD',
  'CLICK_CACHE_ALIGN',
  'CLICK_WARN_UNUSED_RESULT',
  'CLICK_DEPRECATED',
  'CLICK_SIZE_PACKED_ATTRIBUTE',
];

const CALL_MACROS = ['EXPORT_ELEMENT', 'ELEMENT_REQUIRES', 'ELEMENT_MT_SAFE', 'ELEMENT_PROVIDES', 'ELEMENT_LIBS', 'CLICK_ALIGNED'];

/** `FLOW_ELEMENT_DEFINE_SESSION_CONTEXT`, `FLOW_ELEMENT_DEFINE_CONTEXT`, ... */
export const FLOW_MACRO_PREFIX = 'FLOW_ELEMENT_DEFINE_';

const MACRO_RE = new RegExp(`\\b(?:(${BARE_MACROS.join('|')})\\b|(${CALL_MACROS.join('|')}|${FLOW_MACRO_PREFIX}\\w+)\\s*\\()`, 'g');

export interface BlankedSource {
  text: string;
  flowMacros: FlowMacro[];
}

export function blankClickMacros(text: string): BlankedSource {
  const flowMacros: FlowMacro[] = [];
  const spans: Array<[number, number]> = [];
  MACRO_RE.lastIndex = 0;
  for (let m = MACRO_RE.exec(text); m; m = MACRO_RE.exec(text)) {
    if (onDirectiveLine(text, m.index)) continue; // `#define FLOW_ELEMENT_DEFINE_...(rule)` itself
    if (m[1]) {
      spans.push([m.index, m.index + m[1].length]);
      continue;
    }
    const open = m.index + m[0].length - 1;
    const close = matchParen(text, open);
    if (close < 0) continue;
    spans.push([m.index, close + 1]);
    if (m[2].startsWith(FLOW_MACRO_PREFIX)) {
      flowMacros.push({ macro: m[2], args: splitArgs(text.slice(open + 1, close)), start: m.index, end: close + 1 });
    }
    MACRO_RE.lastIndex = close + 1;
  }
  if (spans.length === 0) return { text, flowMacros };
  let out = '';
  let at = 0;
  for (const [s, e] of spans) {
    out += text.slice(at, s) + text.slice(s, e).replace(/[^\n]/g, ' ');
    at = e;
  }
  return { text: out + text.slice(at), flowMacros };
}

function onDirectiveLine(text: string, offset: number): boolean {
  let i = text.lastIndexOf('\n', offset - 1) + 1;
  while (i < offset && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === '#';
}

/** Index of the `)` matching the `(` at `open`, skipping string and character literals; -1 if none. */
export function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = skipLiteral(text, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function skipLiteral(text: string, i: number): number {
  const quote = text[i];
  for (i++; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote || text[i] === '\n') return i;
  }
  return i;
}

/** Splits macro arguments at top-level commas. */
export function splitArgs(inner: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '"' || c === "'") i = skipLiteral(inner, i);
    else if (c === '(' || c === '<' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === '>' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = inner.slice(start).trim();
  if (last || args.length) args.push(last);
  return args;
}

/** The value of one or more adjacent C string literals (`"a" "b"` → `ab`), or undefined if `text` is not one. */
export function stringLiteralValue(text: string): string | undefined {
  const parts = text.trim().match(/^(?:"(?:[^"\\\n]|\\.)*"\s*)+$/);
  if (!parts) return undefined;
  let out = '';
  for (const lit of text.match(/"(?:[^"\\\n]|\\.)*"/g) ?? []) out += lit.slice(1, -1).replace(/\\(.)/g, '$1');
  return out;
}
