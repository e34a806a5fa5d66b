// The code slice of an element: what the LLM will read instead of whole files. It holds the parts
// of the element's class, its bases and its state types that bear on state and packet processing
// (fields, flow macros, class_name, and every function reachable from the packet and flow entry
// points), with comments and unrelated members (handlers, configure, ...) removed. Every slice line
// maps back to its file and line; the hash of the text identifies the slice across runs.
import { createHash } from 'node:crypto';
import type { LineIndex } from '../text';
import type { CppClass, CppFunction } from './model';
import { FRAMEWORK_CLASSES, KEY_CONTRACT_METHODS, PER_FLOW_METHODS, PER_PACKET_METHODS, type ElementScope } from './scope';

export interface SliceSegment {
  file: string;
  /** 0-based line of the slice where this segment starts. */
  sliceLine: number;
  /** 0-based source line of each slice line of the segment (blank and comment-only lines are dropped). */
  lines: number[];
}

export interface CodeSlice {
  text: string;
  /** `sha256:<hex>` of the text. */
  hash: string;
  chars: number;
  segments: SliceSegment[];
}

interface FilePart {
  file: string;
  lines: Set<number>;
}

export function buildSlice(scope: ElementScope): CodeSlice {
  const parts: FilePart[] = [];
  const reachable = new Set(scope.reachable.map((r) => r.fn));
  const keptMethod = (fn: CppFunction) => reachable.has(fn) || fn.name === 'class_name';
  const declared = (name: string) =>
    reachable.size === 0 || [...reachable].some((f) => f.name === name) || PER_PACKET_METHODS.has(name) || PER_FLOW_METHODS.has(name) || KEY_CONTRACT_METHODS.has(name);
  const lineIndex = (file: string) => lines(scope, file);
  const add = (file: string, start: number, end: number, into?: FilePart) => {
    const li = lineIndex(file);
    const part = into ?? { file, lines: new Set<number>() };
    const s = li.position(start).line;
    const e = li.position(Math.max(start, end - 1)).line;
    for (let l = s; l <= e; l++) part.lines.add(l);
    return part;
  };
  const emitted = new Set<CppClass>();
  const classPart = (cls: CppClass, whole: boolean) => {
    if (emitted.has(cls)) return;
    emitted.add(cls);
    if (whole) {
      parts.push(add(cls.file, cls.start, cls.end + 1));
      return;
    }
    const part = add(cls.file, cls.start, cls.bodyStart + 1);
    for (const f of cls.fields) add(cls.file, f.start, f.end, part);
    for (const m of cls.methods) if (keptMethod(m)) add(cls.file, m.start, m.end, part);
    for (const d of cls.methodDecls) if (declared(d.name)) add(cls.file, d.start, d.end, part);
    for (const m of cls.flowMacros) add(cls.file, m.start, m.end, part);
    for (const n of cls.nested) {
      const nested = scope.index.model(cls.file)?.classes.find((c) => c.qualifiedName === n);
      if (nested) add(cls.file, nested.start, nested.end + 1, part);
    }
    add(cls.file, cls.bodyEnd - 1, cls.bodyEnd, part);
    parts.push(part);
  };
  const outOfClass = (cls: CppClass) => {
    for (const list of scope.methods.values()) {
      for (const sf of list) {
        if (sf.owner?.cls !== cls || !reachable.has(sf.fn)) continue;
        if (sf.fn.file === cls.file && sf.fn.start >= cls.start && sf.fn.end <= cls.end) continue;
        parts.push(add(sf.fn.file, sf.fn.start, sf.fn.end));
      }
    }
  };

  const chain = scope.chain.filter((c) => !FRAMEWORK_CLASSES.has(c.cls.name));
  for (const sc of chain) {
    classPart(sc.cls, false);
    outOfClass(sc.cls);
  }
  for (const r of scope.reachable) if (!r.owner) parts.push(add(r.fn.file, r.fn.start, r.fn.end));
  for (const rec of scope.recordClasses) classPart(rec, true);
  for (const m of scope.flowMacros) {
    for (const arg of m.args) {
      if (!/^\w+$/.test(arg.trim())) continue;
      const def = scope.index.define(arg.trim(), [...scope.files]);
      if (!def) continue;
      const text = scope.index.text(def.file) ?? '';
      const at = text.search(new RegExp(`#\\s*define\\s+${arg.trim()}\\b`));
      if (at >= 0) parts.push(add(def.file, at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)));
    }
  }
  return render(scope, mergeParts(parts));
}

/** Parts of the same file that touch are merged, keeping first-seen order. */
function mergeParts(parts: FilePart[]): FilePart[] {
  const out: FilePart[] = [];
  for (const p of parts) {
    const same = out.find((o) => o.file === p.file && [...p.lines].some((l) => o.lines.has(l) || o.lines.has(l - 1) || o.lines.has(l + 1)));
    if (same) for (const l of p.lines) same.lines.add(l);
    else out.push({ file: p.file, lines: new Set(p.lines) });
  }
  return out;
}

function render(scope: ElementScope, parts: FilePart[]): CodeSlice {
  const out: string[] = [];
  const segments: SliceSegment[] = [];
  for (const part of parts) {
    const src = strippedLines(scope, part.file);
    const seg: SliceSegment = { file: part.file, sliceLine: out.length + (out.length ? 1 : 0), lines: [] };
    const body: string[] = [];
    for (const l of [...part.lines].sort((a, b) => a - b)) {
      const text = (src[l] ?? '').trimEnd();
      if (!text) continue;
      body.push(text);
      seg.lines.push(l);
    }
    if (!body.length) continue;
    if (out.length) out.push('');
    seg.sliceLine = out.length;
    out.push(...body);
    segments.push(seg);
  }
  const text = out.join('\n') + (out.length ? '\n' : '');
  return { text, hash: 'sha256:' + createHash('sha256').update(text).digest('hex'), chars: text.length, segments };
}

/** The source file and line of a slice line, or undefined for separator lines. */
export function sliceLineSource(slice: CodeSlice, line: number): { file: string; line: number } | undefined {
  for (const s of slice.segments) {
    if (line >= s.sliceLine && line < s.sliceLine + s.lines.length) return { file: s.file, line: s.lines[line - s.sliceLine] };
  }
  return undefined;
}

/** Line starts come from the index, once per file text: with one LineIndex per element, a header of n classes cost n² time. */
function lines(scope: ElementScope, file: string): LineIndex {
  return scope.index.lineIndex(file);
}

const strippedCache = new Map<string, { text: string; lines: string[] }>();
function strippedLines(scope: ElementScope, file: string): string[] {
  const text = scope.index.text(file) ?? '';
  const cached = strippedCache.get(file);
  if (cached && cached.text === text) return cached.lines;
  const result = stripComments(text)
    .replace(/\bCLICK_COLD\b/g, '')
    .split('\n');
  strippedCache.set(file, { text, lines: result });
  if (strippedCache.size > 256) strippedCache.delete(strippedCache.keys().next().value!);
  return result;
}

const COMMENT_OR_LITERAL = /["'/]/g;

/** Removes comments (a block comment's newlines kept), leaving string and character literals alone. */
export function stripComments(text: string): string {
  const parts: string[] = [];
  let last = 0;
  const re = COMMENT_OR_LITERAL;
  re.lastIndex = 0;
  // Jumps from one quote or slash to the next: most of the text is neither. test(), not exec():
  // a match is one character, at lastIndex - 1, and exec() would allocate an array for each.
  while (re.test(text)) {
    const i = re.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c !== 47 /* / */) {
      let j = i + 1;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) j++;
        else if (d === c || d === 10) break;
      }
      re.lastIndex = j + 1;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (next === 47) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      parts.push(text.slice(last, i));
      last = re.lastIndex = stop;
    } else if (next === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      parts.push(text.slice(last, i), '\n'.repeat(newlinesIn(text, i, stop)));
      last = re.lastIndex = stop;
    }
  }
  parts.push(text.slice(last));
  return parts.join('');
}

function newlinesIn(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', start); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
