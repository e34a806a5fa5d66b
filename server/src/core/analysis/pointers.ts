// Pointer chasing (paper §3.1): whether reaching an element's per-flow state follows pointers:
// pointer members in the per-flow record (or its bases and members), pointer-valued maps, linked
// containers, and containers nested in a record (their elements live behind a pointer).
import type { CppClass } from '../cpp/model';
import { parseTypeName } from '../cpp/extract';
import { isBuiltinType, stripType, typeNames, type ElementScope } from '../cpp/scope';
import type { ObjectFacts } from './dataflow';
import type { EvidenceContext } from './evidence';
import type { Evidence } from './features';

export interface PointerVerdict {
  found: boolean;
  evidence?: Evidence;
  /** A record type could not be found in the source roots. */
  unknown: boolean;
  /** Concluded from a container inside the record, not from a declared pointer. */
  heuristic: boolean;
}

interface Located {
  name: string;
  file: string;
  start: number;
  end: number;
}

const MAP_LIKE = new Set(['HashMap', 'HashTable', 'HashTableMP', 'HashMapMP', 'HashContainer', 'map', 'unordered_map', 'multimap', 'IPFlowTable']);
const LINKED = new Set(['list', 'forward_list', 'List', 'DList', 'deque', 'Deque']);
const SEQUENCE = new Set(['Vector', 'vector', 'StatVector', 'Bitvector', 'array', 'Ring', 'ring']);
const WRAPPERS = new Set(['per_thread', 'per_thread_oread', 'per_thread_omem', 'per_thread_arithmetic', 'atomic', 'shared', 'unique_ptr', 'shared_ptr']);
/** Library types known to hold no pointers. */
const FLAT_TYPES = new Set([
  'IPAddress',
  'IP6Address',
  'EtherAddress',
  'IPFlowID',
  'IPFlow5ID',
  'Timestamp',
  'TokenBucket',
  'TokenBucketX',
  'TokenRateX',
  'TokenCounterX',
  'atomic_uint32_t',
  'atomic_uint64_t',
  'click_jiffies_t',
  'String',
  'IPPort',
  'Spinlock',
  'SimpleSpinlock',
  'RWLock',
  'mutex',
  'rte_rwlock_t',
  'rte_spinlock_t',
]);

/** Pointer chasing in the entries of a member container (`declared` is its type). */
export function pointerVerdict(scope: ElementScope, obj: ObjectFacts, declared: string, file: string, v: Located, ctx: EvidenceContext): PointerVerdict {
  const stateNames = new Set(scope.stateTypes.map((s) => s.name));
  let records = [...obj.recordTypes].filter((t) => stateNames.has(t));
  if (!records.length) records = [...obj.recordTypes].filter((t) => !isContainer(t) && scope.index.findClass(t.replace(/<.*$/, ''), file) !== undefined);
  const out: PointerVerdict = { found: false, unknown: false, heuristic: false };
  // The container itself: pointer values or linked nodes.
  const top = containerPointers(declared);
  if (top) return { found: true, heuristic: false, unknown: false, evidence: ctx.at('pointerChasing', v, `\`${v.name}\` (\`${declared}\`) ${top}`) };
  // A holder of the table (`per_thread<MapState>` whose `map` maps keys to pointers).
  const held = heldContainerPointers(scope, declared, file, v, ctx);
  if (held) return held;
  const targets = records.length ? records : valueTypes(declared);
  for (const t of targets) {
    const p = recordPointers(scope, t, file, 0, new Set(), `\`${t}\`, the entries of \`${v.name}\``, ctx);
    if (p.found) return p;
    out.unknown ||= p.unknown;
  }
  return out;
}

/** The container members of the record a wrapper or plain member holds, when their shape means pointers. */
function heldContainerPointers(scope: ElementScope, declared: string, file: string, v: Located, ctx: EvidenceContext): PointerVerdict | undefined {
  const inner = valueTypes(declared).filter((t) => !isContainer(t));
  for (const t of inner) {
    const parsed = parseTypeName(t);
    if (!parsed || FLAT_TYPES.has(parsed.name) || isBuiltinType(parsed.name)) continue;
    const cls = scope.index.findClass(parsed.name, file);
    if (!cls) continue;
    for (const f of cls.fields) {
      if (f.isStatic) continue;
      const why = containerPointers(f.type);
      if (why)
        return {
          found: true,
          heuristic: false,
          unknown: false,
          evidence: ctx.span('pointerChasing', cls.file, f.start, f.end, `\`${f.name}\` (\`${f.type}\`), the table inside \`${v.name}\`, ${why}`),
        };
    }
  }
  return undefined;
}

function isContainer(t: string): boolean {
  const n = t.replace(/<.*$/, '');
  return MAP_LIKE.has(n) || SEQUENCE.has(n) || LINKED.has(n) || WRAPPERS.has(n) || n === 'rte_hash';
}

/** A reason when the container's own shape means pointer chasing (pointer values, linked nodes). */
function containerPointers(type: string): string | undefined {
  const parsed = parseTypeName(type.replace(/\b(const|volatile|mutable|typename)\b/g, ' ').trim());
  if (!parsed) return undefined;
  if (LINKED.has(parsed.name)) return `is a linked container: every access follows node pointers`;
  if (MAP_LIKE.has(parsed.name) && parsed.args[1]?.includes('*')) return `maps keys to pointers (\`${parsed.args[1]}\`)`;
  if ((SEQUENCE.has(parsed.name) || WRAPPERS.has(parsed.name)) && parsed.args[0]) {
    if (parsed.args[0].includes('*')) return `holds pointers (\`${parsed.args[0]}\`)`;
    return containerPointers(parsed.args[0]);
  }
  return undefined;
}

/** The record types a container member holds: map values, sequence elements, unwrapped per_thread. */
function valueTypes(type: string): string[] {
  const parsed = parseTypeName(stripType(type));
  if (!parsed) return [];
  if (MAP_LIKE.has(parsed.name)) return parsed.args[1] ? valueTypes(parsed.args[1]) : [];
  if (SEQUENCE.has(parsed.name) || WRAPPERS.has(parsed.name) || LINKED.has(parsed.name)) return parsed.args[0] ? valueTypes(parsed.args[0]) : [];
  return [stripType(type)];
}

/** Pointer chasing inside a record type (members, bases, nested records), up to 3 levels deep. */
export function recordPointers(scope: ElementScope, typeName: string, fromFile: string, depth: number, seen: Set<string>, label: string, ctx: EvidenceContext): PointerVerdict {
  const none = { found: false, unknown: false, heuristic: false };
  const bare = stripType(typeName);
  if (!bare || isBuiltinType(bare) || seen.has(bare) || depth > 3) return none;
  seen.add(bare);
  const parsed = parseTypeName(bare);
  if (!parsed) return none;
  if (FLAT_TYPES.has(parsed.name)) return none;
  if (LINKED.has(parsed.name)) return { found: true, unknown: false, heuristic: false };
  if (MAP_LIKE.has(parsed.name) || SEQUENCE.has(parsed.name) || WRAPPERS.has(parsed.name)) {
    // A container inside a per-flow record keeps its elements on the heap, behind a pointer.
    return depth > 0 ? { found: true, unknown: false, heuristic: true } : none;
  }
  const cls = scope.index.findClass(parsed.name, fromFile);
  if (!cls) return { found: false, unknown: true, heuristic: false };
  let opaque = false;
  for (const c of withBases(scope, cls)) {
    for (const f of c.fields) {
      if (f.isStatic) continue;
      // `void *` is an opaque handle (a C library's table): what lies behind it cannot be read.
      if (f.pointer && /^\s*(const\s+)?void\s*\*\s*$/.test(f.type)) {
        opaque = true;
        continue;
      }
      if (f.pointer) {
        return {
          found: true,
          unknown: false,
          heuristic: false,
          evidence: ctx.span(
            'pointerChasing',
            c.file,
            f.start,
            f.end,
            `\`${f.type}\` member \`${f.name}\` of ${label}${c !== cls ? ` (inherited from \`${c.name}\`)` : ''}: reaching it follows a pointer`,
          ),
        };
      }
      const inner = parseTypeName(stripType(f.type));
      if (inner && (MAP_LIKE.has(inner.name) || SEQUENCE.has(inner.name) || LINKED.has(inner.name))) {
        return {
          found: true,
          unknown: false,
          heuristic: !LINKED.has(inner.name),
          evidence: ctx.span('pointerChasing', c.file, f.start, f.end, `\`${f.type}\` member \`${f.name}\` of ${label}: its elements live on the heap, behind a pointer`),
        };
      }
      for (const n of typeNames(f.type).slice(0, 1)) {
        const p = recordPointers(scope, n, c.file, depth + 1, seen, `\`${n}\` (member \`${f.name}\` of ${label})`, ctx);
        if (p.found) return p;
      }
    }
  }
  return opaque ? { found: false, unknown: true, heuristic: false } : none;
}

function withBases(scope: ElementScope, cls: CppClass): CppClass[] {
  const out = [cls];
  for (let i = 0; i < out.length && out.length < 8; i++) {
    for (const b of out[i].bases) {
      const c = scope.index.findClass(b.name, out[i].file);
      if (c && !out.includes(c)) out.push(c);
    }
  }
  return out;
}
