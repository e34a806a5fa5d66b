// The threading model of an element, read from its code (never from its name):
// - per-thread: the state written on the packet path lives in `per_thread<>`-style containers or
//   arrays indexed by the current thread, one copy per core. Correct only when RSS keeps every
//   flow on one core.
// - shared-safe: the state is protected (locks, atomics, thread-safe `...MP` containers, DPDK
//   hash tables created multi-writer) or the class is declared `ELEMENT_MT_SAFE`, or nothing is
//   written on the packet path at all.
// - unsafe: plain members written on the packet path with none of the above.
// Every verdict carries the lines that decided it.
import type { CppFunction } from '../cpp/model';
import type { ElementScope, ScopeField } from '../cpp/scope';
import { isIdentifierChar } from '../text';

export type ThreadingModel = 'shared-safe' | 'per-thread' | 'unsafe';

export interface ThreadingEvidence {
  file: string;
  /** 0-based. */
  line: number;
  reason: string;
}

export interface ThreadingVerdict {
  model: ThreadingModel;
  evidence: ThreadingEvidence[];
}

const PER_THREAD_TYPE = /\bper_thread\w*\s*</;
const SYNC_TYPE = /\b(?:\w*Spinlock\w*|\w*[Ll]ock\b|RWLock|ReadWriteLock|\w*[Mm]utex\w*|rte_spinlock_t|rte_rwlock_t|pthread_\w*lock_t|atomic_u?int\w*|std::atomic|atomic)\b/;
/** Thread-safe containers by the `MP` (multi-processor) naming convention: `HashTableMP`, `Vector_MP`. */
const MP_CONTAINER = /\wMP\s*</;
/** DPDK hash tables created for concurrent writers. */
const MULTI_WRITER_FLAGS = /\bRTE_HASH_EXTRA_FLAGS_(?:MULTI_WRITER_ADD|RW_CONCURRENCY\w*|TRANS_MEM_SUPPORT)\b/;
/** Expressions that name the running thread, used as an array index. */
const THREAD_INDEX = /click_current_cpu_id\s*\(\s*\)|click_current_thread_id|current_thread\w*|home_thread_id\s*\(\s*\)|\bthread_id\b|\btid\b/;
const LOCK_CALL = /\b(?:acquire|lock|write_begin|read_begin|rte_spinlock_lock|rte_rwlock_write_lock)\s*\(/;

/**
 * `stateNames`: the members that hold per-flow state (the analyzer's state objects). When some are
 * members of the scope, only they decide between per-thread, protected and plain; statistics kept
 * per thread beside a locked table do not make the element per-thread.
 */
export function threadingModel(scope: ElementScope, stateNames: readonly string[] = []): ThreadingVerdict {
  // The index keeps one line table per file, shared with the analysis's evidence.
  const at = (file: string, offset: number, reason: string): ThreadingEvidence => ({ file, line: scope.index.lineIndex(file).position(offset).line, reason });

  // Member writes on the packet (and flow) path: `m = ...`, `m += ...`, `m++`, `m[i] = ...`, `m.insert(...)`.
  const written = new Map<string, { file: string; offset: number; text: string }>();
  const threadIndexed = new Map<string, { file: string; offset: number; text: string }>();
  let lockCall: { file: string; offset: number; text: string } | undefined;
  const bodies = scope.reachable.flatMap(({ fn }) => {
    const b = bodyFacts(fn, scope.index.text(fn.file));
    return b ? [{ fn, body: b.body, words: b.words, threadIndex: b.threadIndex, lockAt: b.lockAt }] : [];
  });
  // Only the members that can decide are scanned: the state considered below, and static locks or
  // MP containers (kept only when written).
  const focus = stateNames.filter((n) => scope.fields.has(n));
  const scanned = focus.length
    ? new Set([...focus, ...[...scope.fields].filter(([, f]) => f.field.isStatic && (SYNC_TYPE.test(f.type) || MP_CONTAINER.test(f.type))).map(([n]) => n)])
    : scope.fields.keys();
  for (const name of scanned) {
    const users = bodies.filter((b) => b.words.has(name));
    if (!users.length) continue;
    let indexed: RegExp | undefined;
    for (const { fn, body, threadIndex } of users) {
      if (!written.has(name)) {
        const w = firstWriteCached(body, name);
        if (w >= 0) written.set(name, { file: fn.file, offset: fn.bodyStart! + w, text: `${name} written in ${fn.name}()` });
      }
      if (!threadIndex || threadIndexed.has(name)) continue;
      indexed ??= new RegExp(`\\b${escapeRe(name)}\\s*\\[\\s*(?:${THREAD_INDEX.source})`);
      const ti = body.search(indexed);
      if (ti >= 0) threadIndexed.set(name, { file: fn.file, offset: fn.bodyStart! + ti, text: `${name} indexed by the current thread in ${fn.name}()` });
    }
  }
  for (const { fn, lockAt } of bodies) {
    if (lockAt >= 0) {
      lockCall = { file: fn.file, offset: fn.bodyStart! + lockAt, text: `takes a lock in ${fn.name}()` };
      break;
    }
  }

  const perThread: ThreadingEvidence[] = [];
  const safe: ThreadingEvidence[] = [];
  const plain: ThreadingEvidence[] = [];
  const fieldAt = (f: ScopeField, why: string) => at(f.owner.cls.file, f.field.start, `\`${f.type} ${f.field.name}\`: ${why}`);
  const considered = focus.length ? focus.map((n) => [n, scope.fields.get(n)!] as const) : [...scope.fields];
  // Locks and atomics protect whatever they sit beside: any member counts.
  for (const [name, f] of scope.fields) {
    if (f.field.isStatic && !written.has(name)) continue;
    if (PER_THREAD_TYPE.test(f.type)) continue;
    if (SYNC_TYPE.test(f.type)) safe.push(fieldAt(f, 'a lock or an atomic'));
    else if (MP_CONTAINER.test(f.type)) safe.push(fieldAt(f, 'a thread-safe (MP) container'));
  }
  for (const [name, f] of considered) {
    if (f.field.isStatic && !written.has(name)) continue;
    if (PER_THREAD_TYPE.test(f.type)) perThread.push(fieldAt(f, 'one copy per thread'));
    else if (threadIndexed.has(name)) {
      const t = threadIndexed.get(name)!;
      perThread.push(at(t.file, t.offset, t.text));
    } else if (SYNC_TYPE.test(f.type) || MP_CONTAINER.test(f.type)) continue;
    else if (written.has(name)) {
      const w = written.get(name)!;
      plain.push(at(w.file, w.offset, `${w.text}, not per thread and not atomic`));
    }
  }
  for (const file of scope.files) {
    const text = scope.index.text(file);
    if (!text) continue;
    const marks = fileMarks(file, text);
    if (marks.multiWriter >= 0) safe.push(at(file, marks.multiWriter, 'DPDK hash table created for concurrent writers'));
    const mt = marks.mtSafe.get(scope.element.className);
    if (mt !== undefined) safe.push(at(file, mt, `declared ELEMENT_MT_SAFE`));
  }
  if (lockCall && safe.length) safe.push(at(lockCall.file, lockCall.offset, lockCall.text));

  // Per-thread state decides: even a class declared MT-safe keeps per-core copies then, and every
  // copy is right only if one flow's packets stay on one core.
  if (perThread.length) return { model: 'per-thread', evidence: [...perThread, ...plain.map((e) => ({ ...e, reason: `${e.reason} (also written)` }))] };
  if (safe.length) return { model: 'shared-safe', evidence: safe };
  if (plain.length) return { model: 'unsafe', evidence: plain };
  return { model: 'shared-safe', evidence: [at(scope.element.headerFile, scope.element.cls.nameStart, 'no member is written on the packet path')] };
}

/** firstWrite per body and member name: bodies of shared bases are scanned for the same members by many elements. */
const writeCache = new Map<string, Map<string, number>>();

function firstWriteCached(body: string, name: string): number {
  let byName = writeCache.get(body);
  if (!byName) {
    if (writeCache.size > 5000) writeCache.clear();
    writeCache.set(body, (byName = new Map()));
  }
  let w = byName.get(name);
  if (w === undefined) byName.set(name, (w = firstWrite(body, name)));
  return w;
}

interface BodyFacts {
  /** The file text the facts were read from: they are recomputed when it changes. */
  text: string;
  body: string;
  words: Set<string>;
  threadIndex: boolean;
  lockAt: number;
}

/** Per-function facts, computed once per body: base-class bodies are reached from many elements. */
const bodyCache = new WeakMap<CppFunction, BodyFacts>();

function bodyFacts(fn: CppFunction, text: string | undefined): BodyFacts | undefined {
  if (!text || fn.bodyStart === undefined || fn.bodyEnd === undefined) return undefined;
  const hit = bodyCache.get(fn);
  if (hit && hit.text === text) return hit;
  const body = stripComments(text.slice(fn.bodyStart, fn.bodyEnd));
  const facts = { text, body, words: new Set(body.match(/\w+/g)), threadIndex: THREAD_INDEX.test(body), lockAt: body.search(LOCK_CALL) };
  bodyCache.set(fn, facts);
  return facts;
}

interface FileMarks {
  text: string;
  multiWriter: number;
  /** Class → offset of its `ELEMENT_MT_SAFE(Class)`. */
  mtSafe: Map<string, number>;
}

/** File-level marks, cached per file while its text is the same string (files are shared by many scopes). */
const marksCache = new Map<string, FileMarks>();

function fileMarks(file: string, text: string): FileMarks {
  const hit = marksCache.get(file);
  if (hit && hit.text === text) return hit;
  const mtSafe = new Map<string, number>();
  if (text.includes('ELEMENT_MT_SAFE')) {
    for (const m of text.matchAll(/\bELEMENT_MT_SAFE\s*\(\s*(\w+)\s*\)/g)) if (!mtSafe.has(m[1])) mtSafe.set(m[1], m.index!);
  }
  const marks: FileMarks = { text, multiWriter: text.includes('RTE_HASH_EXTRA_FLAGS') ? text.search(MULTI_WRITER_FLAGS) : -1, mtSafe };
  if (marksCache.size > 20000) marksCache.clear();
  marksCache.set(file, marks);
  return marks;
}

const ASSIGN_AFTER = /(?:[+\-*/|&^]?=(?!=)|\+\+|--)/y;
const MUTATOR_AFTER = /(?:\.|->)\s*(?:insert|set|find_insert|erase|remove|push_back|push_front|pop_back|pop_front|clear|resize|emplace\w*|put)\s*\(/y;

/**
 * Offset of the first write to member `name` in `body` (`m = ...`, `m += ...`, `m[i] = ...`, `++m`,
 * `m.insert(...)`, through `this->` too), or -1. A scan around each occurrence, not one regular
 * expression over the whole body: bodies are large and members many.
 */
function firstWrite(body: string, name: string): number {
  for (let i = body.indexOf(name); i >= 0; i = body.indexOf(name, i + 1)) {
    const end = i + name.length;
    if (isIdentifierChar(body.charCodeAt(end))) continue;
    const prev = body[i - 1];
    if (prev !== undefined && (isIdentifierChar(body.charCodeAt(i - 1)) || prev === '.' || prev === ':' || prev === '>')) {
      if (prev !== '>' || !afterThisArrow(body, i)) continue;
    }
    let j = end;
    for (;;) {
      while (j < body.length && /\s/.test(body[j])) j++;
      if (body[j] !== '[') break;
      const close = body.indexOf(']', j);
      if (close < 0) break;
      j = close + 1;
    }
    ASSIGN_AFTER.lastIndex = j;
    MUTATOR_AFTER.lastIndex = j;
    if (ASSIGN_AFTER.test(body) || MUTATOR_AFTER.test(body)) return i;
    const pre = body.slice(Math.max(0, i - 24), i);
    if (!pre.includes('++') && !pre.includes('--')) continue;
    const before = pre.replace(/this\s*->\s*$/, '').trimEnd();
    if (before.endsWith('++') || before.endsWith('--')) return i;
  }
  return -1;
}

/** Whether `this->` (spaces allowed) ends right before offset `i`. */
function afterThisArrow(body: string, i: number): boolean {
  let j = i - 1;
  if (body[j] !== '>' || body[j - 1] !== '-') return false;
  j -= 2;
  while (j >= 0 && (body[j] === ' ' || body[j] === '\t' || body[j] === '\n' || body[j] === '\r')) j--;
  return j >= 3 && body.startsWith('this', j - 3) && !isIdentifierChar(body.charCodeAt(j - 4));
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
