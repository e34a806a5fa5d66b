// An abstract interpreter over the bodies in an element's scope. It tracks two things per value:
// which header fields it was computed from ("taint": ip_src → src_ip, IPFlowID(p) → 4 fields) and
// which state objects it may point into ("alias": a member container, or `@flow`, the per-flow
// storage a flow-manager base hands out). From this it records, per state object, the lookups with
// the fields of their key and the writes with the phase (per packet / per flow) they happen in.
// Calls into the element and its bases are followed with the arguments' values (context
// sensitive, memoized); member state is global and iterated to a fixpoint.
import { isPointerLike, type Expr, type Stmt, type VarDecl } from '../cpp/ast';
import { hasBody } from '../cpp/deferredBodies';
import type { CppFunction } from '../cpp/model';
import {
  STATE_BASES,
  isThis,
  KEY_CONTRACT_METHODS,
  PER_FLOW_METHODS,
  PER_PACKET_METHODS,
  resolveCall,
  callbackTargets,
  stripType,
  substitute,
  isBuiltinType,
  type ElementScope,
  type ScopeFunction,
} from '../cpp/scope';
import { annotationField, FLOW_ID_TYPES, FLOWID_ACCESSORS, HEADER_FIELDS, OTHER_HEADER_FIELDS } from './headerFields';
import { dict } from '../dict';

export const FLOW_STORAGE = '@flow';

export type Phase = 'packet' | 'flow';

export interface Site {
  file: string;
  start: number;
  end: number;
  /** The function the site is in. */
  fn: string;
}

/** Where a field entered a value: the header read, or the flow-ID construction. */
export interface Origin extends Site {
  /** As written: `ip_src`, `IPFlowID`, `saddr()`. */
  source: string;
  /** The field was masked or shifted before use (a prefix, not the whole field). */
  partial?: boolean;
  /** The value went through a hash or other opaque function (masking it afterwards is fine). */
  hashed?: boolean;
  /** The flow identity was reversed (`flowid.reverse()`, or built with sources and destinations swapped). */
  reversed?: Site;
}

/** Tag → first origin. Tags are flow fields or 'opaque' (packet bytes the analysis cannot name). */
export type Taint = Map<string, Origin>;

export interface Value {
  taint: Taint;
  alias: Set<string>;
  /** Points into the packet (the packet itself or a header pointer). */
  pkt: boolean;
  /**
   * Packet fields that chose which container this value points to (`ip_p == TCP ? _tcp_map :
   * _udp_map`): they are part of the key of every lookup made through it.
   */
  selector?: Taint;
  /** Points at the transport header: `tcp_header()`, or the IP header plus its length (`iph + (iph->ip_hl << 2)`). */
  transport?: boolean;
  /** A header field read from a packet held in these state objects (a queued fragment): comparing it with the current packet's field searches them. */
  entry?: Set<string>;
  /** The number of entries of these containers (`_servers.size()`). */
  sizeOf?: Set<string>;
  /**
   * Every packet field in the taint was reduced to a position in these containers (`hash % _servers.size()`):
   * the value picks one of their configured items (a backend), not a flow.
   */
  pickOf?: Set<string>;
  /** Holds the number of the input port the packet arrived on (`push(int port, ...)`). */
  inPort?: boolean;
  /** True exactly when the input port is (eq) or is not (!eq) `n`: `port == 0`. */
  portIs?: { n: number; eq: boolean };
}

export interface Lookup {
  kind: 'lookup' | 'insert' | 'remove' | 'index';
  key: Taint;
  site: Site;
  /** The input port whose packets make this lookup, when the code tells (`if (port == 0)`). */
  port?: number;
  /** For searches: the record compared is then written through the same pointer (a sub-entry with state of its own). */
  entryWritten?: boolean;
}

export interface Write {
  kind: 'assign' | 'update' | 'mutator' | 'insert' | 'remove';
  phase: Phase;
  site: Site;
  /** Stores a pointer already in the object back into it (`prev->next = g->next`): reorders entries, adds no state. */
  relink?: boolean;
}

export interface ObjectFacts {
  id: string;
  lookups: Lookup[];
  writes: Write[];
  /** Types of pointers/references through which the object was reached (the per-flow record). */
  recordTypes: Set<string>;
  /**
   * Searches by packet fields inside the object's structure rather than through a container API:
   * `node->addr == ip_src` while walking a list or tree, `level->child[byte]` in a trie. They key
   * the state only when the object has no keyed lookup of its own (otherwise they compare fields
   * of an entry already found).
   */
  searches: Lookup[];
}

export interface Facts {
  objects: Map<string, ObjectFacts>;
  /** Return taint of the key-contract method (`calculate_hash`), analyzed on its own. */
  keyContract?: { fn: CppFunction; taint: Taint };
  /** Functions the interpreter ran. */
  visited: Set<CppFunction>;
}

const LOOKUP_METHODS = new Set([
  'find',
  'findp',
  'find_insert',
  'find_or_insert',
  'get',
  'get_pointer',
  'lookup',
  'insert',
  'emplace',
  'try_emplace',
  'insert_or_assign',
  'set',
  'replace',
  'erase',
  'remove',
  'count',
  'contains',
  'at',
  'operator[]',
]);
const INSERT_METHODS = new Set(['insert', 'find_insert', 'find_or_insert', 'emplace', 'try_emplace']);

/** Container lookups by name: the usual ones, and the find/lookup/search family (`find_create`, `hash_lookup`). */
function isLookupMethod(m: string): boolean {
  return LOOKUP_METHODS.has(m) || m === 'unchecked_at' || /^(find|lookup|search)(_|$)/.test(m) || /_(find|lookup)$/.test(m);
}

/** Lookups that create the entry when it is missing (`find_insert`, `find_create`, `find_or_create`). */
function isInsertMethod(m: string): boolean {
  return INSERT_METHODS.has(m) || (isLookupMethod(m) && /(insert|create|emplace)/.test(m));
}
const REMOVE_METHODS = new Set(['erase', 'remove']);
const ASSIGN_METHODS = new Set(['set', 'insert_or_assign', 'replace']);
const MUTATOR_RE =
  /^(set|add|inc|dec|change|modify|refresh|renew|bump|push|pop|insert|remove|erase|clear|reset|update|refill|fill|resize|reserve|append|emplace|assign|swap|release|acquire|fetch_|store|exchange|compare_exchange|mark|touch|put|enqueue|dequeue|record|count_|increment|decrement|consume|take|write|shrink|grow|init|alloc|free|unlink|link|splice|sort|operator[+\-*/|&^]?=)/;
const PACKET_ACCESSORS = new Set([
  'ip_header',
  'ip6_header',
  'tcp_header',
  'udp_header',
  'icmp_header',
  'network_header',
  'transport_header',
  'mac_header',
  'ether_header',
  'data',
  'buffer',
  'first',
  'uniqueify',
  'clone',
  'push',
  'put',
]);
const TRANSPORT_ACCESSORS = new Set(['tcp_header', 'udp_header', 'transport_header']);
const FLOW_DATA_CALLS = new Set(['fcb_data', 'fcb_data_for', 'my_fcb_data']);
const PASS_THROUGH_CALLS = new Set(['likely', 'unlikely', 'ntohl', 'ntohs', 'htonl', 'htons', 'move', 'forward']);
const COMPARISON_OPS = new Set(['==', '!=', '<', '>', '<=', '>=', '&&', '||', 'and', 'or']);

const empty = (): Value => ({ taint: new Map(), alias: new Set(), pkt: false });

const isBlank = (v: Value): boolean => !v.taint.size && !v.alias.size && !v.pkt && !v.selector && !v.sizeOf && !v.transport && !v.entry && !v.inPort && !v.portIs;

function union(a: Value, b: Value): Value {
  if (isBlank(b)) return a;
  if (isBlank(a)) return b;
  const taint = new Map(a.taint);
  for (const [k, o] of b.taint) {
    const cur = taint.get(k);
    if (!cur) taint.set(k, o);
    else if (o.partial && !cur.partial) taint.set(k, { ...cur, partial: true });
  }
  const selector = a.selector || b.selector ? new Map([...(a.selector ?? []), ...(b.selector ?? [])]) : undefined;
  const pickOf = unionPick(a, b);
  const out: Value = { taint, alias: a.alias.size ? (b.alias.size ? new Set([...a.alias, ...b.alias]) : a.alias) : b.alias, pkt: a.pkt || b.pkt };
  if (selector) out.selector = selector;
  if (pickOf) out.pickOf = pickOf;
  if (a.sizeOf || b.sizeOf) out.sizeOf = a.sizeOf && b.sizeOf ? new Set([...a.sizeOf, ...b.sizeOf]) : (a.sizeOf ?? b.sizeOf);
  if (a.transport || b.transport) out.transport = true;
  return out;
}

/** `pickOf` of a union: kept only when every side carrying packet fields was reduced to a configured position. */
function unionPick(a: Value, b: Value): Set<string> | undefined {
  if (!a.pickOf && !b.pickOf) return undefined;
  if ((a.taint.size && !a.pickOf) || (b.taint.size && !b.pickOf)) return undefined;
  if (!a.taint.size) return b.taint.size ? b.pickOf : undefined;
  if (!b.taint.size) return a.pickOf;
  return new Set([...a.pickOf!, ...b.pickOf!]);
}

/** A lookup's key: its argument's fields plus the fields that selected the container. */
function withSelector(key: Taint, container: Value): Taint {
  if (!container.selector?.size) return key;
  const out = new Map(key);
  for (const [k, o] of container.selector) if (!out.has(k)) out.set(k, o);
  return out;
}

function withTaint(taint: Taint, mark: (o: Origin) => Origin): Taint {
  const out: Taint = new Map();
  for (const [k, o] of taint) out.set(k, mark(o));
  return out;
}

function signature(v: Value): string {
  return `${[...v.taint.entries()]
    .map(([k, o]) => `${k}${o.partial ? '~' : ''}`)
    .sort()
    .join(',')}|${[...v.alias].sort().join(',')}|${v.pkt ? 1 : 0}|${[...(v.selector?.keys() ?? [])].sort().join(',')}${markers(v)}`;
}

/** The rarer markers of a value, for its signature (empty for most values). */
function markers(v: Value): string {
  if (!v.transport && !v.entry && !v.sizeOf && !v.pickOf && !v.inPort && !v.portIs) return '';
  return `|${v.transport ? 't' : ''}|${[...(v.entry ?? [])].join(',')}|${[...(v.sizeOf ?? [])].join(',')}|${[...(v.pickOf ?? [])].join(',')}|${v.inPort ? 'P' : ''}${v.portIs ? `${v.portIs.eq ? '=' : '!'}${v.portIs.n}` : ''}`;
}

interface Frame {
  sf: ScopeFunction;
  phase: Phase;
  locals: Map<string, Value>;
  types: Map<string, string>;
  ret: Value;
  branch: number;
  subst: Record<string, string>;
  /** The input port every packet on this path came from, when a branch on the port decided it. */
  port?: number;
  /** Locals compared with packet fields while walking state: the searches that compared them. */
  searched?: Map<string, Lookup[]>;
}

export interface InterpreterOptions {
  /** Whether the element gets per-flow storage from a flow-manager base (`@flow` exists). */
  flowStorage: boolean;
  /** Names of the state types the bases are instantiated with. */
  stateTypes: Set<string>;
}

export class FlowStateInterpreter {
  private readonly members = new Map<string, Value>();
  private readonly objects = new Map<string, ObjectFacts>();
  private readonly seen = new Set<string>();
  private memo = new Map<string, Value>();
  private readonly stack: CppFunction[] = [];
  private readonly visited = new Set<CppFunction>();
  private changed = false;

  constructor(
    private readonly scope: ElementScope,
    private readonly options: InterpreterOptions,
  ) {}

  run(): Facts {
    const roots: Array<[ScopeFunction, Phase]> = [];
    for (const name of PER_PACKET_METHODS) {
      const sf = this.scope.methods.get(name)?.find((m) => hasBody(m.fn));
      if (sf) roots.push([sf, 'packet']);
    }
    for (const name of PER_FLOW_METHODS) {
      const sf = this.scope.methods.get(name)?.find((m) => hasBody(m.fn));
      if (sf) roots.push([sf, 'flow']);
    }
    const rootArgs = new Map(roots.map(([sf]) => [sf, inputPortArgs(sf)]));
    this.portsSeen = [...rootArgs.values()].some((a) => a.some((v) => v.inPort));
    let keyContract: Facts['keyContract'];
    for (let round = 0; round < 4; round++) {
      this.changed = false;
      this.memo = new Map();
      for (const [sf, phase] of roots) this.invoke(sf, rootArgs.get(sf)!, phase);
      if (!this.changed) break;
    }
    for (const name of KEY_CONTRACT_METHODS) {
      const sf = this.scope.methods.get(name)?.find((m) => hasBody(m.fn));
      if (sf) keyContract = { fn: sf.fn, taint: this.invoke(sf, [], 'packet').taint };
    }
    return { objects: this.objects, keyContract, visited: this.visited };
  }

  // ---- functions ----

  private invoke(sf: ScopeFunction, args: Value[], phase: Phase, port?: number): Value {
    const fn = sf.fn;
    if (!fn.body || this.stack.includes(fn) || this.stack.length > 16) return empty();
    const key = `${fn.file}#${fn.start}|${phase}|${port ?? ''}|${args.map(signature).join(';')}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    this.memo.set(key, empty());
    this.visited.add(fn);
    const subst = sf.owner?.subst ?? dict<string>();
    const frame: Frame = { sf, phase, locals: new Map(), types: new Map(), ret: empty(), branch: 0, subst, port };
    const contract = this.options.flowStorage && (PER_PACKET_METHODS.has(fn.name) || PER_FLOW_METHODS.has(fn.name));
    fn.params.forEach((p, i) => {
      if (!p.name) return;
      const type = substitute(p.type, subst);
      let v = args[i] ?? empty();
      if (!isPointerLike(type)) v = { ...v, alias: new Set() };
      if (/\b(Packet|WritablePacket|PacketBatch)\b/.test(type)) v = { ...v, pkt: true };
      if (contract && isPointerLike(type) && this.options.stateTypes.has(stripType(type))) v = { ...v, alias: new Set([...v.alias, FLOW_STORAGE]) };
      if (crossesDirection(p.name, v.taint)) {
        // `find_conn(src = ip_dst, sport = th_dport, ...)`: the packet's destination given where the callee expects a source.
        const at: Site = { file: fn.file, start: fn.start, end: fn.end, fn: fn.name };
        v = { ...v, taint: withTaint(v.taint, (o) => ({ ...o, reversed: o.reversed ?? at })) };
      }
      this.noteRecordType(v, type);
      frame.locals.set(p.name, v);
      frame.types.set(p.name, type);
    });
    this.stack.push(fn);
    try {
      this.exec(fn.body, frame);
    } finally {
      this.stack.pop();
    }
    let result = frame.ret;
    if (!isPointerLike(substitute(fn.returnType, subst))) result = { ...result, alias: new Set() };
    this.memo.set(key, result);
    return result;
  }

  // ---- statements ----

  private exec(s: Stmt, f: Frame): void {
    switch (s.kind) {
      case 'block':
        for (const x of s.body) this.exec(x, f);
        return;
      case 'decl':
        for (const v of s.vars) this.declare(v, f);
        return;
      case 'expr':
        this.eval(s.expr, f);
        return;
      case 'return':
        if (s.value) f.ret = union(f.ret, this.eval(s.value, f));
        return;
      case 'branch': {
        for (const v of s.vars) this.declare(v, f);
        for (const h of s.head) this.exec(h, f);
        // A body that runs once per flow even on the packet path: the entry is still empty, or
        // the packet opens or closes the connection. Its writes are per-flow, not per-packet.
        const once = s.loop || f.phase !== 'packet' ? undefined : this.oncePerFlowBody(s.head, f);
        const ports = s.loop ? undefined : this.portsOfBodies(s.head, f);
        const outer = f.port;
        f.branch++;
        for (let pass = 0; pass < (s.loop ? 2 : 1); pass++) {
          s.bodies.forEach((b, i) => {
            f.port = ports?.[i] ?? outer;
            try {
              if (i !== once) return this.exec(b, f);
              f.phase = 'flow';
              try {
                this.exec(b, f);
              } finally {
                f.phase = 'packet';
              }
            } finally {
              f.port = outer;
            }
          });
        }
        f.branch--;
        return;
      }
    }
  }

  /** The input port of the then and else bodies of `if (port == 0)`, `if (forward)` (a flag set from `port == 0`), `if (!port)`. */
  private portsOfBodies(head: Stmt[], f: Frame): [number | undefined, number | undefined] | undefined {
    if (!this.portsSeen) return undefined;
    const last = head[head.length - 1];
    if (!last || last.kind !== 'expr') return undefined;
    const c = last.expr;
    if (!(c.kind === 'id' || (c.kind === 'unary' && c.op === '!') || (c.kind === 'binary' && (c.op === '==' || c.op === '!=')))) return undefined;
    const v = this.evalQuiet(c, f);
    const test = v.portIs ?? (v.inPort ? { n: 0, eq: false } : undefined);
    if (!test) return undefined;
    const other = test.n === 0 || test.n === 1 ? 1 - test.n : undefined;
    return test.eq ? [test.n, other] : [other, test.n];
  }

  private portsSeen = false;

  /**
   * Which body of an `if` runs once per flow: 0 (then) when the condition tests that a state entry
   * or one of its fields is still empty (`!entry`, `fd->srv == 0`) or reads the TCP flags that
   * open or close a connection; 1 (else) when it tests that the entry is set.
   */
  private oncePerFlowBody(head: Stmt[], f: Frame): number | undefined {
    const last = head[head.length - 1];
    if (!last || last.kind !== 'expr') return undefined;
    const cond = last.expr;
    if (readsConnectionFlags(cond)) return 0;
    const conjuncts = splitAnd(cond);
    if (conjuncts.some((c) => this.testsEmptyState(c, f, true))) return 0;
    if (conjuncts.length === 1 && this.testsEmptyState(cond, f, false)) return 1;
    return undefined;
  }

  /** `!x`, `x == 0|NULL|nullptr|false` (empty: true) or `x`, `x != 0` (empty: false), x in state. */
  private testsEmptyState(e: Expr, f: Frame, empty: boolean): boolean {
    let subject: Expr | undefined;
    if (empty) {
      if (e.kind === 'unary' && e.op === '!') subject = e.arg;
      else if (e.kind === 'binary' && e.op === '==') subject = isNullLiteral(e.right) ? e.left : isNullLiteral(e.left) ? e.right : undefined;
    } else {
      if (e.kind === 'binary' && e.op === '!=') subject = isNullLiteral(e.right) ? e.left : isNullLiteral(e.left) ? e.right : undefined;
      else if (e.kind === 'id' || e.kind === 'member') subject = e;
    }
    if (!subject) return false;
    // A member of the element itself (`_first == 0`) is global state set once per element, not an entry.
    if (subject.kind === 'member' && isThis(subject.object)) return false;
    if (subject.kind === 'id' && !f.types.has(subject.name)) return false;
    if (subject.kind !== 'member' && subject.kind !== 'id' && !(subject.kind === 'unary' && subject.op === '*')) return false;
    const v = this.evalQuiet(subject.kind === 'member' ? subject.object : subject, f);
    return v.alias.size > 0;
  }

  private declare(v: VarDecl, f: Frame): void {
    const type = substitute(v.type, f.subst);
    const bare = stripType(type);
    let val = empty();
    const idFields = FLOW_ID_TYPES[bare];
    if (idFields && v.init && v.init.kind === 'other') val = this.flowIdValue(bare, v.init.parts, v.init, f);
    else if (v.init) val = this.eval(v.init, f);
    if (!isPointerLike(type)) val = { ...val, alias: new Set(), pkt: /\b(Packet|WritablePacket)\b/.test(type) ? val.pkt : false };
    if (/\b(Packet|WritablePacket|PacketBatch|click_ip|click_tcp|click_udp|click_ether)\b/.test(type)) val = { ...val, pkt: true };
    this.noteRecordType(val, type);
    f.types.set(v.name, type);
    this.store(f.locals, v.name, val, true);
  }

  private noteRecordType(v: Value, type: string): void {
    if (!v.alias.size || !isPointerLike(type)) return;
    const bare = stripType(type).replace(/<.*$/, '');
    if (!bare || bare === 'auto' || bare === 'void' || (isBuiltinType(bare) && !this.options.stateTypes.has(bare))) return;
    for (const id of v.alias) this.object(id).recordTypes.add(stripType(type));
  }

  // ---- expressions ----

  private eval(e: Expr, f: Frame): Value {
    switch (e.kind) {
      case 'id':
        return this.readName(e.name, e.scope, f);
      case 'this':
        return empty();
      case 'lit':
        return empty();
      case 'member':
        return this.member(e, f);
      case 'call':
        return this.call(e, f);
      case 'assign': {
        let v = this.eval(e.right, f);
        if (e.op !== '=') v = union(v, this.eval(e.left, f));
        // A pointer local takes whatever its value points into (`n = n->next` walks the same structure).
        const keepsAlias =
          this.producesReference(e.right, f) || (e.left.kind === 'id' && isPointerLike(f.types.get(e.left.name) ?? '') && !/&/.test(f.types.get(e.left.name) ?? ''));
        this.assignTo(e.left, keepsAlias ? v : { ...v, alias: new Set() }, f, e.op === '=');
        this.recordWrite(e.left, f, 'assign', e, e.op === '=' && v.alias.size && this.isPointerExpr(e.right, f) ? v : undefined);
        return v;
      }
      case 'update': {
        const v = this.eval(e.arg, f);
        this.recordWrite(e.arg, f, 'update', e);
        return v;
      }
      case 'binary': {
        const l = this.eval(e.left, f);
        const r = this.eval(e.right, f);
        if (COMPARISON_OPS.has(e.op)) {
          if ((e.op === '==' || e.op === '!=') && (l.inPort || r.inPort)) {
            const lit = l.inPort ? e.right : e.left;
            if (lit.kind === 'lit' && /^\d+$/.test(lit.text)) return { ...empty(), portIs: { n: Number(lit.text), eq: e.op === '==' } };
          }
          if (e.op === '==' || e.op === '!=') {
            this.recordSearch(e.left, l, r, e, f);
            this.recordSearch(e.right, r, l, e, f);
          }
          return empty();
        }
        // `hash % _servers.size()`: a position in another container, which picks one of its items.
        const size = r.sizeOf ?? l.sizeOf;
        if (size && (e.op === '%' || e.op === '&') && (l.taint.size || r.taint.size)) return { ...union(l, r), alias: new Set(), pkt: false, pickOf: size };
        if (size && (e.op === '-' || e.op === '+') && !l.taint.size && !r.taint.size) return { ...empty(), sizeOf: size };
        // `(const uint8_t *) iph + (iph->ip_hl << 2)`: past the IP header and its options, the transport header.
        if (e.op === '+' && (l.pkt || r.pkt) && (readsMember(e.right, 'ip_hl') || readsMember(e.left, 'ip_hl'))) return { ...empty(), pkt: true, transport: true };
        if ((e.op === '&' || e.op === '>>') && (isMaskLiteral(e.right) || isMaskLiteral(e.left))) {
          const v = union(l, r);
          // `(addr >> shift) & 255` with a variable shift walks every byte of the field (a trie): all of it keys the walk.
          if (e.op === '&' && shiftsByVariable(isMaskLiteral(e.right) ? e.left : e.right)) return { ...v, alias: new Set(), pkt: false };
          return { taint: withTaint(v.taint, (o) => (o.hashed ? o : { ...o, partial: true })), alias: new Set(), pkt: false };
        }
        if (e.op === '|' || e.op === '^' || e.op === '+') {
          // `((x >> 16) & 0xffff) | (x << 16)` puts the pieces back together: a field whole on one side is whole in the result.
          const v = { ...union(l, r), alias: new Set<string>() };
          for (const [k, o] of v.taint) {
            if (!o.partial) continue;
            const whole = [l.taint.get(k), r.taint.get(k)].find((x) => x && !x.partial);
            if (whole) v.taint.set(k, whole);
          }
          return v;
        }
        return { ...union(l, r), alias: new Set() };
      }
      case 'unary': {
        const v = this.eval(e.arg, f);
        if (e.op === '!') return v.inPort ? { ...empty(), portIs: { n: 0, eq: true } } : v.portIs ? { ...empty(), portIs: { n: v.portIs.n, eq: !v.portIs.eq } } : empty();
        // `*pprev` of a `Packet **` into state: the packet held there, still in that state.
        if (e.op === '*' && v.pkt && !v.alias.size) {
          const ports = v.transport ? portsAtTransportStart(e.arg) : undefined;
          if (ports) return { taint: new Map(ports.map((p) => [p, this.origin(e, f, 'transport header')])), alias: new Set(), pkt: false };
          return { taint: new Map([['opaque', this.origin(e, f, 'packet bytes')]]), alias: new Set(), pkt: false };
        }
        return v;
      }
      case 'index': {
        const obj = this.eval(e.object, f);
        let key = empty();
        for (const i of e.index) key = union(key, this.eval(i, f));
        if (obj.pkt) return { taint: new Map([['opaque', this.origin(e, f, 'packet bytes')]]), alias: new Set(), pkt: false };
        if (this.isContainer(e.object, f)) {
          for (const id of obj.alias) {
            // An index that picks a configured item of another container (a backend) keys per item, not per flow.
            const picked = key.pickOf && ![...key.pickOf].some((c) => c === id);
            this.recordLookup(id, 'index', withSelector(picked ? new Map() : key.taint, obj), e, f);
          }
        } else if (key.taint.size && !key.alias.size) for (const id of obj.alias) this.recordSearchTo(id, key.taint, e, f);
        return { taint: obj.taint, alias: obj.alias, pkt: false };
      }
      case 'cond': {
        this.eval(e.test, f);
        const v = union(this.eval(e.then, f), this.eval(e.otherwise, f));
        if (!v.alias.size) return v;
        const chosenBy = this.conditionFields(e.test, f);
        return chosenBy.size ? { ...v, selector: new Map([...(v.selector ?? []), ...chosenBy]) } : v;
      }
      case 'cast':
        return this.eval(e.value, f);
      case 'new':
        for (const a of e.args) this.eval(a, f);
        return empty();
      case 'lambda': {
        const sub: Frame = { ...f, ret: empty() };
        for (const p of e.params) {
          if (!p.name) continue;
          sub.types.set(p.name, p.type);
          this.store(sub.locals, p.name, { ...empty(), pkt: /\b(Packet|WritablePacket|PacketBatch)\b/.test(p.type) }, true);
        }
        this.exec(e.body, sub);
        return empty();
      }
      case 'other': {
        let v = empty();
        for (const p of e.parts) v = union(v, this.eval(p, f));
        return v;
      }
    }
  }

  private readName(name: string, scopeName: string | undefined, f: Frame): Value {
    if (!scopeName && f.types.has(name)) return this.load(f.locals, name);
    if (this.scope.fields.has(name) && (!scopeName || this.scope.chain.some((c) => c.cls.name === scopeName))) {
      const v = this.load(this.members, name);
      return { ...v, alias: new Set([...v.alias, name]) };
    }
    if (name === 'fcb_stack' && this.options.flowStorage) return { ...empty(), alias: new Set([FLOW_STORAGE]) };
    return empty();
  }

  private member(e: Extract<Expr, { kind: 'member' }>, f: Frame): Value {
    if (isThis(e.object)) return this.readName(e.field, undefined, f);
    const headerField = own(HEADER_FIELDS, e.field) ?? own(OTHER_HEADER_FIELDS, e.field);
    if (headerField) {
      const held = this.eval(e.object, f).alias;
      return { taint: new Map([[headerField, this.origin(e, f, e.field)]]), alias: new Set(), pkt: false, ...(held.size ? { entry: held } : {}) };
    }
    const obj = this.eval(e.object, f);
    if (obj.pkt) return { taint: new Map([['opaque', this.origin(e, f, e.field)]]), alias: new Set(), pkt: false };
    const path = this.pathOf(e, f);
    if (path) {
      const stored = this.load(path.local ? f.locals : this.members, path.path);
      return { taint: stored.taint.size ? stored.taint : obj.taint, alias: new Set([...obj.alias, ...stored.alias]), pkt: false };
    }
    return { ...obj, pkt: false };
  }

  private call(e: Extract<Expr, { kind: 'call' }>, f: Frame): Value {
    const callee = e.callee;
    const name = callee.kind === 'id' ? callee.name : callee.kind === 'member' ? callee.field : undefined;
    if (name && FLOW_ID_TYPES[name] && callee.kind === 'id') return this.flowIdValue(name, e.args, e, f);
    if (name && PASS_THROUGH_CALLS.has(name) && e.args.length >= 1) {
      let v = empty();
      for (const a of e.args) v = union(v, this.eval(a, f));
      return v;
    }
    if (name && FLOW_DATA_CALLS.has(name) && this.options.flowStorage) {
      for (const a of e.args) this.eval(a, f);
      return { ...empty(), alias: new Set([FLOW_STORAGE]) };
    }
    const tableKind = name && callee.kind === 'id' && e.args.length >= 2 ? tableCallKind(name) : undefined;
    if (tableKind) {
      // A C-style table API (`rte_hash_lookup_data(table, key, ...)`, `xx_find(table, &key)`): the
      // first argument is the table, the second its key.
      const table = this.eval(e.args[0], f);
      const key = this.eval(e.args[1], f);
      for (const a of e.args.slice(2)) this.eval(a, f);
      const kind = tableKind;
      for (const id of table.alias) {
        this.recordLookup(id, kind, key.taint, e, f);
        if (kind !== 'lookup') this.recordWriteTo(id, kind, f, e);
      }
      // The returned position identifies the key's slot: it carries the key's fields.
      return { taint: key.taint, alias: new Set(), pkt: false };
    }
    const anno = name && callee.kind === 'id' ? annotationField(name) : undefined;
    if (anno) {
      // `AGGREGATE_ANNO(p)`: an annotation of the packet, a key outside the 5-tuple.
      const args = e.args.map((a) => this.eval(a, f));
      if (args.some((a) => a.pkt)) return { taint: new Map([[anno, this.origin(e, f, `${name}(...)`)]]), alias: new Set(), pkt: false };
    }
    const targets = resolveCall(this.scope, e, f.sf);
    if (targets.length) {
      const args = e.args.map((a) => this.eval(a, f));
      let v = empty();
      for (const t of targets) v = union(v, this.invoke(t, args, PER_FLOW_METHODS.has(t.fn.name) ? 'flow' : f.phase, f.port));
      return v;
    }
    if (callee.kind === 'member' && !isThis(callee.object)) return this.methodCall(callee, e, f);
    // A method of the element handed to a macro or helper (`FOR_EACH_PACKET(process, batch)`) is called back with the packets.
    for (const cb of callbackTargets(this.scope, e, f.sf)) if (!f.types.has(cb.fn.name)) this.invoke(cb, [], f.phase, f.port);
    // An unresolved function: a hash or conversion. Its result depends on its arguments.
    let v = empty();
    let pkt = false;
    for (const a of e.args) {
      const av = this.eval(a, f);
      v = union(v, av);
      pkt ||= av.pkt;
    }
    const taint = withTaint(v.taint, (o) => ({ ...o, hashed: true }));
    if (pkt && name !== 'IPAddress') taint.set('opaque', this.origin(e, f, `${name ?? 'call'}(...)`));
    return { taint, alias: new Set(), pkt: false };
  }

  private methodCall(callee: Extract<Expr, { kind: 'member' }>, e: Extract<Expr, { kind: 'call' }>, f: Frame): Value {
    const m = callee.field;
    const recv = this.eval(callee.object, f);
    const args = e.args.map((a) => this.eval(a, f));
    if (/^(reverse|reversed|rev|swap|swapped|flip|flipped)$/i.test(m) && args.length === 0 && recv.taint.size && !recv.alias.size) {
      const at = this.site(e, f);
      return { taint: withTaint(recv.taint, (o) => ({ ...o, reversed: at })), alias: new Set(), pkt: false };
    }
    if (FLOWID_ACCESSORS[m] && args.length === 0 && !recv.pkt) {
      return { taint: new Map([[FLOWID_ACCESSORS[m], this.origin(e, f, `${m}()`)]]), alias: new Set(), pkt: false };
    }
    if (recv.pkt) {
      // A packet held in state (`q->ip_header()` of a queued fragment) still points into that state.
      if (PACKET_ACCESSORS.has(m)) return { ...empty(), pkt: true, alias: recv.alias, ...(TRANSPORT_ACCESSORS.has(m) ? { transport: true } : {}) };
      // The packets of a chain held in state link to each other (`q->next()`): the next one is in the same state.
      if (recv.alias.size && /^(next|prev)$/.test(m) && !args.length) return { ...empty(), pkt: true, alias: recv.alias };
      const offset = /^anno_/.test(m) && e.args[0]?.kind === 'id' ? annotationField(e.args[0].name) : undefined;
      if (offset) return { taint: new Map([[offset, this.origin(e, f, `${m}(${(e.args[0] as { name: string }).name})`)]]), alias: new Set(), pkt: false };
      if (/_anno$/.test(m) && /ip/.test(m)) return { taint: new Map([['opaque', this.origin(e, f, `${m}()`)]]), alias: new Set(), pkt: false };
      return empty();
    }
    if (recv.alias.size) {
      if (isLookupMethod(m) && args.length >= 1 && this.isContainer(callee.object, f)) {
        const kind = isInsertMethod(m) ? 'insert' : REMOVE_METHODS.has(m) ? 'remove' : 'lookup';
        for (const id of recv.alias) {
          this.recordLookup(id, kind, withSelector(args[0].taint, recv), e, f);
          if (kind !== 'lookup') this.recordWriteTo(id, kind, f, e);
          else if (ASSIGN_METHODS.has(m)) this.recordWriteTo(id, 'assign', f, e);
        }
        return { taint: new Map(), alias: recv.alias, pkt: false };
      }
      if (/^(size|length|count)$/.test(m) && !args.length) return { ...empty(), sizeOf: new Set(recv.alias) };
      if (MUTATOR_RE.test(m)) for (const id of recv.alias) this.recordWriteTo(id, 'mutator', f, e);
      // What a state object's method returns is its content, not the fields it was filled from.
      return { taint: new Map(), alias: recv.alias, pkt: false };
    }
    let v: Value = { taint: recv.taint, alias: new Set(), pkt: false };
    let pkt = false;
    for (const a of args) {
      v = union(v, a);
      pkt ||= a.pkt;
    }
    const taint = withTaint(v.taint, (o) => ({ ...o, hashed: true }));
    if (pkt) taint.set('opaque', this.origin(e, f, `${m}(...)`));
    return { taint, alias: new Set(), pkt: false };
  }

  /** `IPFlowID(p)` holds the 4 fields; `IPFlowID(saddr, sport, daddr, dport)` holds what its arguments hold. */
  private flowIdValue(type: string, args: Expr[], at: Expr, f: Frame): Value {
    const at0 = at;
    const vals = args.map((a) => this.eval(a, f));
    if (args.length >= 4) {
      let v = empty();
      for (const x of vals) v = union(v, x);
      // IPFlowID(saddr, sport, daddr, dport) given the destination first: the reverse direction.
      if (vals[0].taint.has('dst_ip') && !vals[0].taint.has('src_ip') && vals[2].taint.has('src_ip') && !vals[2].taint.has('dst_ip')) {
        const at = this.site(at0, f);
        return { taint: withTaint(v.taint, (o) => ({ ...o, reversed: at })), alias: new Set(), pkt: false };
      }
      return { ...v, alias: new Set(), pkt: false };
    }
    if (vals.length === 0 || !vals[0].pkt) {
      // Copy of another flow ID (or default-constructed): keep what the argument carries.
      let v = empty();
      for (const x of vals) v = union(v, x);
      return { ...v, alias: new Set(), pkt: false };
    }
    const taint: Taint = new Map();
    for (const field of FLOW_ID_TYPES[type]) taint.set(field, this.origin(at, f, `${type}(...)`));
    return { taint, alias: new Set(), pkt: false };
  }

  /**
   * Whether `e` names a container of the element rather than a part of one entry: a whole object
   * (`_map`, `*p`), or a path rooted at a member of the element (`_state->map`, `_tables[cpu]`,
   * per-thread or per-core wrappers around the table). A path rooted at a local (`entry->ports`) is
   * a part of a record already found, and indexing it is not a lookup of the state by a key.
   */
  private isContainer(e: Expr, f: Frame): boolean {
    if (isWhole(e)) return true;
    const path = this.pathOf(e, f);
    return !!path && !path.local;
  }

  /** Whether `e` is a pointer by its declaration: a pointer local or member, a pointer field of a record, an element of a container of pointers. */
  private isPointerExpr(e: Expr, f: Frame): boolean {
    switch (e.kind) {
      case 'cast':
        return e.type.includes('*');
      case 'id':
        return f.types.has(e.name) ? isPointerLike(f.types.get(e.name)!) && !/&/.test(f.types.get(e.name)!) : !!this.scope.fields.get(e.name)?.field.pointer;
      case 'member': {
        if (isThis(e.object)) return !!this.scope.fields.get(e.field)?.field.pointer;
        const holder = e.object.kind === 'id' ? f.types.get(e.object.name) : undefined;
        if (!holder) return false;
        const cls = this.scope.index.findClass(stripType(holder).replace(/<.*$/, ''), f.sf.fn.file);
        return !!cls?.fields.find((x) => x.name === e.field)?.pointer;
      }
      case 'index': {
        const field =
          e.object.kind === 'id' ? this.scope.fields.get(e.object.name) : e.object.kind === 'member' && isThis(e.object.object) ? this.scope.fields.get(e.object.field) : undefined;
        return !!field && /\*/.test(field.type.replace(/\*\s*$/, '').replace(/\[\s*\w*\s*\]$/, ''));
      }
      default:
        return false;
    }
  }

  // ---- stores ----

  private pathOf(e: Expr, f: Frame): { local: boolean; path: string } | undefined {
    switch (e.kind) {
      case 'id':
        if (!e.scope && f.types.has(e.name)) return { local: true, path: e.name };
        if (this.scope.fields.has(e.name)) return { local: false, path: e.name };
        return undefined;
      case 'member': {
        if (isThis(e.object)) return this.scope.fields.has(e.field) ? { local: false, path: e.field } : undefined;
        const base = this.pathOf(e.object, f);
        return base ? { local: base.local, path: `${base.path}.${e.field}` } : undefined;
      }
      case 'index':
        return this.pathOf(e.object, f);
      case 'unary':
        return e.op === '*' || e.op === '&' ? this.pathOf(e.arg, f) : undefined;
      case 'cast':
        return this.pathOf(e.value, f);
      default:
        return undefined;
    }
  }

  private load(store: Map<string, Value>, path: string): Value {
    let v = empty();
    const n = path.length;
    for (const [k, x] of store) {
      // k is path, a part of it (`path.field`), or a whole it is part of (`k.field`); no string is built per entry.
      const related = k.length === n ? k === path : k.length > n ? k.charCodeAt(n) === 46 && k.startsWith(path) : path.charCodeAt(k.length) === 46 && path.startsWith(k);
      if (related) v = union(v, x);
    }
    return v;
  }

  private store(store: Map<string, Value>, path: string, v: Value, strong: boolean): void {
    if (strong) {
      for (const k of [...store.keys()]) if (k === path || k.startsWith(path + '.')) store.delete(k);
      store.set(path, v);
      return;
    }
    const cur = store.get(path);
    const next = cur ? union(cur, v) : v;
    if (store === this.members && (!cur || signature(cur) !== signature(next))) this.changed = true;
    store.set(path, next);
  }

  /**
   * Whether assigning `e` stores a pointer or reference into state (so the target aliases it)
   * rather than a copy of a value: `&x`, a lookup or accessor call, a pointer variable or field.
   */
  private producesReference(e: Expr, f: Frame): boolean {
    switch (e.kind) {
      case 'unary':
        return e.op === '&' || (e.op === '*' ? false : this.producesReference(e.arg, f));
      case 'cast':
        return e.type.includes('*') || this.producesReference(e.value, f);
      case 'call':
      case 'new':
        return true;
      case 'id':
        if (f.types.has(e.name)) return isPointerLike(f.types.get(e.name)!);
        return !!this.scope.fields.get(e.name)?.field.pointer;
      case 'member':
        return isThis(e.object) && !!this.scope.fields.get(e.field)?.field.pointer;
      case 'cond':
        return this.producesReference(e.then, f) || this.producesReference(e.otherwise, f);
      default:
        return false;
    }
  }

  private assignTo(left: Expr, v: Value, f: Frame, plain: boolean): void {
    const path = this.pathOf(left, f);
    if (!path) return;
    if (path.local) {
      const type = f.types.get(path.path.split('.')[0]) ?? '';
      const copy = isPointerLike(type) || path.path.includes('.') ? v : { ...v, alias: new Set<string>() };
      const strong = plain && f.branch === 0 && left.kind !== 'index' && !path.path.includes('.');
      this.store(f.locals, path.path, copy, strong);
    } else if (v.taint.size) this.store(this.members, path.path, { ...v, alias: new Set() }, false);
  }

  // ---- facts ----

  private object(id: string): ObjectFacts {
    let o = this.objects.get(id);
    if (!o) {
      o = { id, lookups: [], writes: [], recordTypes: new Set(), searches: [] };
      this.objects.set(id, o);
    }
    return o;
  }

  /** The state objects an assignment target writes into: `state->count` → state's objects. */
  private targetObjects(left: Expr, f: Frame): Set<string> {
    switch (left.kind) {
      case 'id': {
        if (f.types.has(left.name)) {
          const type = f.types.get(left.name)!;
          return /&/.test(type) ? this.load(f.locals, left.name).alias : new Set();
        }
        return this.scope.fields.has(left.name) ? new Set([left.name]) : new Set();
      }
      case 'member':
        if (isThis(left.object)) return this.scope.fields.has(left.field) ? new Set([left.field]) : new Set();
        return this.evalQuiet(left.object, f).alias;
      case 'index':
        return this.evalQuiet(left.object, f).alias;
      case 'unary':
        return left.op === '*' ? this.evalQuiet(left.arg, f).alias : new Set();
      case 'cast':
        return this.targetObjects(left.value, f);
      case 'call':
        // `_t.find_insert(k, 0).value()++`: a method that returns a reference into the object.
        return this.evalQuiet(left, f).alias;
      default:
        return new Set();
    }
  }

  /** Evaluates without recording lookups (the target of a write is evaluated twice otherwise). */
  private evalQuiet(e: Expr, f: Frame): Value {
    const saved = this.recording;
    this.recording = false;
    try {
      return this.eval(e, f);
    } finally {
      this.recording = saved;
    }
  }

  private recording = true;

  private recordWrite(left: Expr, f: Frame, kind: Write['kind'], at: Expr, stored?: Value): void {
    if (!this.recording) return;
    // Writing a record found by comparing it with packet fields: the record holds state of its own.
    let root = left;
    while (root.kind === 'member' || root.kind === 'index' || root.kind === 'cast') root = root.kind === 'member' || root.kind === 'index' ? root.object : root.value;
    if (root !== left && root.kind === 'id') for (const s of f.searched?.get(root.name) ?? []) s.entryWritten = true;
    for (const id of this.targetObjects(left, f)) this.recordWriteTo(id, kind, f, at, !!stored?.alias.has(id) && kind === 'assign');
  }

  private recordWriteTo(id: string, kind: Write['kind'], f: Frame, at: Expr, relink = false): void {
    if (!this.recording) return;
    // A state base's own bookkeeping (seen flags, lookup scratch, locks) is not the element's
    // state; only its creation and removal of entries are.
    if (f.sf.owner && STATE_BASES[f.sf.owner.cls.name] && kind !== 'insert' && kind !== 'remove') return;
    const key = `w|${id}|${at.start}|${f.sf.fn.file}|${kind}|${f.phase}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.object(id).writes.push({ kind, phase: f.phase, site: this.site(at, f), ...(relink ? { relink } : {}) });
  }

  private recordLookup(id: string, kind: Lookup['kind'], key: Taint, at: Expr, f: Frame): void {
    if (!this.recording) return;
    const sig = [...key.keys()].sort().join(',');
    const k = `l|${id}|${at.start}|${f.sf.fn.file}|${kind}|${sig}|${f.port ?? ''}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.object(id).lookups.push({ kind, key, site: this.site(at, f), ...(f.port !== undefined ? { port: f.port } : {}) });
  }

  /** The named packet fields a condition reads (`iph->ip_p == IP_PROTO_TCP` → protocol). */
  private conditionFields(test: Expr, f: Frame): Taint {
    const parts = test.kind === 'binary' && COMPARISON_OPS.has(test.op) ? [test.left, test.right] : [test];
    const out: Taint = new Map();
    for (const p of parts) for (const [k, o] of this.evalQuiet(p, f).taint) if (k !== 'opaque' && !out.has(k)) out.set(k, o);
    return out;
  }

  /** `record->field == key`: a record of a state object compared with packet fields. */
  private recordSearch(side: Expr, sideValue: Value, other: Value, at: Expr, f: Frame): void {
    while (side.kind === 'cast') side = side.value;
    if (side.kind !== 'member' || isThis(side.object)) return;
    // A field of a record in state, or a header field of a packet held in state (`qiph->ip_id == iph->ip_id`).
    const held = sideValue.alias.size ? sideValue.alias : sideValue.entry;
    if (!held?.size) return;
    if (!other.taint.size || other.alias.size || other.entry) return;
    const record = side.object.kind === 'id' && f.types.has(side.object.name) ? side.object.name : undefined;
    for (const id of held) {
      const s = this.recordSearchTo(id, other.taint, at, f);
      if (s && record) (f.searched ??= new Map()).set(record, [...(f.searched.get(record) ?? []), s]);
    }
  }

  private readonly searchRecords = new Map<string, Lookup>();

  private recordSearchTo(id: string, key: Taint, at: Expr, f: Frame): Lookup | undefined {
    if (!this.recording || id === FLOW_STORAGE) return undefined;
    const k = `s|${id}|${at.start}|${f.sf.fn.file}|${[...key.keys()].sort().join(',')}|${f.port ?? ''}`;
    const known = this.searchRecords.get(k);
    if (known) return known;
    const s: Lookup = { kind: 'lookup', key, site: this.site(at, f), ...(f.port !== undefined ? { port: f.port } : {}) };
    this.searchRecords.set(k, s);
    this.object(id).searches.push(s);
    return s;
  }

  private site(e: Expr, f: Frame): Site {
    return { file: f.sf.fn.file, start: e.start, end: e.end, fn: f.sf.fn.name };
  }

  private origin(e: Expr, f: Frame, source: string): Origin {
    return { ...this.site(e, f), source };
  }
}

/**
 * Whether an expression names a whole object (a member, a local, `*p`, `this->m`) rather than a
 * part of a record (`state->ports`): indexing or searching a part of one entry is not a lookup
 * of the state by a key.
 */
function isWhole(e: Expr): boolean {
  switch (e.kind) {
    case 'id':
      return true;
    case 'member':
      return isThis(e.object);
    case 'unary':
      return (e.op === '*' || e.op === '&') && isWhole(e.arg);
    case 'cast':
      return isWhole(e.value);
    default:
      return false;
  }
}

/**
 * Whether a free function is a C-style table operation, by its verb: `rte_hash_add_key_data` is
 * an insert, `rte_hash_bloom_lookup_data` a lookup. Only names that also say what they operate on
 * (hash, table, map, cuckoo, ...) qualify, so `memcpy(dst, src)` is never taken for a lookup.
 */
const tableCallKinds = new Map<string, 'lookup' | 'insert' | 'remove' | undefined>();

function tableCallKind(name: string): 'lookup' | 'insert' | 'remove' | undefined {
  if (tableCallKinds.has(name)) return tableCallKinds.get(name);
  if (tableCallKinds.size > 20000) tableCallKinds.clear();
  const kind = tableCallKindUncached(name);
  tableCallKinds.set(name, kind);
  return kind;
}

function tableCallKindUncached(name: string): 'lookup' | 'insert' | 'remove' | undefined {
  const n = name.toLowerCase();
  if (!/(hash|table|map|cuckoo|lpm|dict|tree)/.test(n)) return undefined;
  if (/(del|remove|erase|delete)/.test(n)) return 'remove';
  if (/(add|insert|put|set)/.test(n)) return 'insert';
  if (/(lookup|find|get|search|contains)/.test(n)) return 'lookup';
  return undefined;
}

function isNullLiteral(e: Expr): boolean {
  return (e.kind === 'lit' && /^(0|NULL|nullptr|false|0[uUlL]*)$/.test(e.text)) || (e.kind === 'id' && /^(NULL|nullptr)$/.test(e.name));
}

function splitAnd(e: Expr): Expr[] {
  if (e.kind === 'binary' && (e.op === '&&' || e.op === 'and')) return [...splitAnd(e.left), ...splitAnd(e.right)];
  return [e];
}

/** Whether a condition reads the TCP flags that open or close a connection (SYN, FIN, RST). */
function readsConnectionFlags(e: Expr): boolean {
  let found = false;
  const visit = (x: Expr): void => {
    if (found) return;
    switch (x.kind) {
      case 'member':
        if (x.field === 'th_flags') found = true;
        else visit(x.object);
        return;
      case 'id':
        if (/^TH_(SYN|FIN|RST)$/.test(x.name) || /^is_?(syn|fin|rst)$/i.test(x.name)) found = true;
        return;
      case 'call':
        visit(x.callee);
        x.args.forEach(visit);
        return;
      case 'binary':
        visit(x.left);
        visit(x.right);
        return;
      case 'unary':
        visit(x.arg);
        return;
      case 'cast':
        visit(x.value);
        return;
      case 'other':
        x.parts.forEach(visit);
        return;
      default:
        return;
    }
  };
  visit(e);
  return found;
}

/** A table's own entry for `key`, never one inherited from Object.prototype. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/**
 * Whether a parameter named for one side of the flow (`src`, `saddr`, `sport`, `dst`, ...) receives
 * only fields of the other side: the callee sees the flow from the opposite direction.
 */
function crossesDirection(param: string, taint: Taint): boolean {
  if (!taint.size) return false;
  const side = /^(src|saddr|sport|source|s_?addr|s_?port)/i.test(param) ? 'src' : /^(dst|daddr|dport|dest|d_?addr|d_?port)/i.test(param) ? 'dst' : undefined;
  if (!side || !taint.size) return false;
  const fields = [...taint.keys()];
  const other = side === 'src' ? 'dst_' : 'src_';
  return fields.every((t) => t.startsWith(other));
}

/** The arguments of an entry point: its `int port` parameter holds the input port (`push(int port, Packet *p)`). */
function inputPortArgs(sf: ScopeFunction): Value[] {
  return sf.fn.params.map((p) => (p.name && /\bport\b/i.test(p.name) && /\b(int|unsigned)\b/.test(p.type) ? { ...empty(), inPort: true } : empty()));
}

/** Whether `e` reads member `field` of something (`iph->ip_hl`). */
function readsMember(e: Expr, field: string): boolean {
  switch (e.kind) {
    case 'member':
      return e.field === field || readsMember(e.object, field);
    case 'binary':
      return readsMember(e.left, field) || readsMember(e.right, field);
    case 'unary':
      return readsMember(e.arg, field);
    case 'cast':
      return readsMember(e.value, field);
    case 'other':
      return e.parts.some((p) => readsMember(p, field));
    default:
      return false;
  }
}

/** `x >> shift` by a variable amount (a loop stepping through the bytes of x). */
function shiftsByVariable(e: Expr): boolean {
  while (e.kind === 'cast') e = e.value;
  return e.kind === 'binary' && e.op === '>>' && !isMaskLiteral(e.right);
}

/**
 * The ports a read at the very start of the transport header yields, by the width the pointer is
 * cast to: 32 bits hold both ports (TCP and UDP alike), 16 bits the source port.
 */
function portsAtTransportStart(e: Expr): Array<'src_port' | 'dst_port'> | undefined {
  if (e.kind !== 'cast') return undefined;
  const t = e.type.replace(/\s+/g, '');
  if (/^(const)?(u?int32_t|uint32|unsigned(int)?|u_int32_t)\*$/.test(t.replace(/^const/, ''))) return ['src_port', 'dst_port'];
  if (/^(const)?(u?int16_t|uint16|unsignedshort|u_int16_t)\*$/.test(t.replace(/^const/, ''))) return ['src_port'];
  return undefined;
}

/** `x & 0xffffff00`, `x >> 8`: a raw field masked or shifted keeps only part of it. */
function isMaskLiteral(e: Expr): boolean {
  return e.kind === 'lit' && /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(e.text);
}
