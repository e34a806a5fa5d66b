// An abstract interpreter over the bodies in an element's scope. It tracks two things per value:
// which header fields it was computed from ("taint": ip_src → src_ip, IPFlowID(p) → 4 fields) and
// which state objects it may point into ("alias": a member container, or `@flow`, the per-flow
// storage a flow-manager base hands out). From this it records, per state object, the lookups with
// the fields of their key and the writes with the phase (per packet / per flow) they happen in.
// Calls into the element and its bases are followed with the arguments' values (context
// sensitive, memoized); member state is global and iterated to a fixpoint.
import { isPointerLike, type Expr, type Stmt, type VarDecl } from '../cpp/ast';
import type { CppFunction } from '../cpp/model';
import {
  STATE_BASES,
  isThis,
  KEY_CONTRACT_METHODS,
  PER_FLOW_METHODS,
  PER_PACKET_METHODS,
  resolveCall,
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
}

export interface Lookup {
  kind: 'lookup' | 'insert' | 'remove' | 'index';
  key: Taint;
  site: Site;
}

export interface Write {
  kind: 'assign' | 'update' | 'mutator' | 'insert' | 'remove';
  phase: Phase;
  site: Site;
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
const FLOW_DATA_CALLS = new Set(['fcb_data', 'fcb_data_for', 'my_fcb_data']);
const PASS_THROUGH_CALLS = new Set(['likely', 'unlikely', 'ntohl', 'ntohs', 'htonl', 'htons', 'move', 'forward']);
const COMPARISON_OPS = new Set(['==', '!=', '<', '>', '<=', '>=', '&&', '||', 'and', 'or']);

const empty = (): Value => ({ taint: new Map(), alias: new Set(), pkt: false });

function union(a: Value, b: Value): Value {
  if (!b.taint.size && !b.alias.size && !b.pkt && !b.selector) return a;
  if (!a.taint.size && !a.alias.size && !a.pkt && !a.selector) return b;
  const taint = new Map(a.taint);
  for (const [k, o] of b.taint) {
    const cur = taint.get(k);
    if (!cur) taint.set(k, o);
    else if (o.partial && !cur.partial) taint.set(k, { ...cur, partial: true });
  }
  const selector = a.selector || b.selector ? new Map([...(a.selector ?? []), ...(b.selector ?? [])]) : undefined;
  return { taint, alias: new Set([...a.alias, ...b.alias]), pkt: a.pkt || b.pkt, ...(selector ? { selector } : {}) };
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
  return `${[...v.taint.entries()].map(([k, o]) => `${k}${o.partial ? '~' : ''}`).sort().join(',')}|${[...v.alias].sort().join(',')}|${v.pkt ? 1 : 0}|${[...(v.selector?.keys() ?? [])].sort().join(',')}`;
}

interface Frame {
  sf: ScopeFunction;
  phase: Phase;
  locals: Map<string, Value>;
  types: Map<string, string>;
  ret: Value;
  branch: number;
  subst: Record<string, string>;
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
      const sf = this.scope.methods.get(name)?.find((m) => m.fn.body);
      if (sf) roots.push([sf, 'packet']);
    }
    for (const name of PER_FLOW_METHODS) {
      const sf = this.scope.methods.get(name)?.find((m) => m.fn.body);
      if (sf) roots.push([sf, 'flow']);
    }
    let keyContract: Facts['keyContract'];
    for (let round = 0; round < 4; round++) {
      this.changed = false;
      this.memo = new Map();
      for (const [sf, phase] of roots) this.invoke(sf, [], phase);
      if (!this.changed) break;
    }
    for (const name of KEY_CONTRACT_METHODS) {
      const sf = this.scope.methods.get(name)?.find((m) => m.fn.body);
      if (sf) keyContract = { fn: sf.fn, taint: this.invoke(sf, [], 'packet').taint };
    }
    return { objects: this.objects, keyContract, visited: this.visited };
  }

  // ---- functions ----

  private invoke(sf: ScopeFunction, args: Value[], phase: Phase): Value {
    const fn = sf.fn;
    if (!fn.body || this.stack.includes(fn) || this.stack.length > 16) return empty();
    const key = `${fn.file}#${fn.start}|${phase}|${args.map(signature).join(';')}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    this.memo.set(key, empty());
    this.visited.add(fn);
    const subst = sf.owner?.subst ?? dict<string>();
    const frame: Frame = { sf, phase, locals: new Map(), types: new Map(), ret: empty(), branch: 0, subst };
    const contract = this.options.flowStorage && (PER_PACKET_METHODS.has(fn.name) || PER_FLOW_METHODS.has(fn.name));
    fn.params.forEach((p, i) => {
      if (!p.name) return;
      const type = substitute(p.type, subst);
      let v = args[i] ?? empty();
      if (!isPointerLike(type)) v = { ...v, alias: new Set() };
      if (/\b(Packet|WritablePacket|PacketBatch)\b/.test(type)) v = { ...v, pkt: true };
      if (contract && isPointerLike(type) && this.options.stateTypes.has(stripType(type))) v = { ...v, alias: new Set([...v.alias, FLOW_STORAGE]) };
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
        f.branch++;
        for (let pass = 0; pass < (s.loop ? 2 : 1); pass++) {
          s.bodies.forEach((b, i) => {
            if (i !== once) return this.exec(b, f);
            f.phase = 'flow';
            try {
              this.exec(b, f);
            } finally {
              f.phase = 'packet';
            }
          });
        }
        f.branch--;
        return;
      }
    }
  }

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
    if (!bare || bare === 'auto' || bare === 'void' || isBuiltinType(bare) && !this.options.stateTypes.has(bare)) return;
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
        const keepsAlias = this.producesReference(e.right, f) || (e.left.kind === 'id' && isPointerLike(f.types.get(e.left.name) ?? '') && !/&/.test(f.types.get(e.left.name) ?? ''));
        this.assignTo(e.left, keepsAlias ? v : { ...v, alias: new Set() }, f, e.op === '=');
        this.recordWrite(e.left, f, 'assign', e);
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
          if (e.op === '==' || e.op === '!=') {
            this.recordSearch(e.left, l, r, e, f);
            this.recordSearch(e.right, r, l, e, f);
          }
          return empty();
        }
        if ((e.op === '&' || e.op === '>>') && (isMaskLiteral(e.right) || isMaskLiteral(e.left))) {
          const v = union(l, r);
          return { taint: withTaint(v.taint, (o) => (o.hashed ? o : { ...o, partial: true })), alias: new Set(), pkt: false };
        }
        return { ...union(l, r), alias: new Set() };
      }
      case 'unary': {
        const v = this.eval(e.arg, f);
        if (e.op === '!') return empty();
        if (e.op === '*' && v.pkt) return { taint: new Map([['opaque', this.origin(e, f, 'packet bytes')]]), alias: new Set(), pkt: false };
        return v;
      }
      case 'index': {
        const obj = this.eval(e.object, f);
        let key = empty();
        for (const i of e.index) key = union(key, this.eval(i, f));
        if (obj.pkt) return { taint: new Map([['opaque', this.origin(e, f, 'packet bytes')]]), alias: new Set(), pkt: false };
        if (this.isContainer(e.object, f)) for (const id of obj.alias) this.recordLookup(id, 'index', withSelector(key.taint, obj), e, f);
        else if (key.taint.size && !key.alias.size) for (const id of obj.alias) this.recordSearchTo(id, key.taint, e, f);
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
      this.eval(e.object, f);
      return { taint: new Map([[headerField, this.origin(e, f, e.field)]]), alias: new Set(), pkt: false };
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
      for (const t of targets) v = union(v, this.invoke(t, args, PER_FLOW_METHODS.has(t.fn.name) ? 'flow' : f.phase));
      return v;
    }
    if (callee.kind === 'member' && !isThis(callee.object)) return this.methodCall(callee, e, f);
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
      if (PACKET_ACCESSORS.has(m)) return { ...empty(), pkt: true };
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
    for (const [k, x] of store) {
      if (k === path || k.startsWith(path + '.') || path.startsWith(k + '.')) v = union(v, x);
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

  private recordWrite(left: Expr, f: Frame, kind: Write['kind'], at: Expr): void {
    if (!this.recording) return;
    for (const id of this.targetObjects(left, f)) this.recordWriteTo(id, kind, f, at);
  }

  private recordWriteTo(id: string, kind: Write['kind'], f: Frame, at: Expr): void {
    if (!this.recording) return;
    // A state base's own bookkeeping (seen flags, lookup scratch, locks) is not the element's
    // state; only its creation and removal of entries are.
    if (f.sf.owner && STATE_BASES[f.sf.owner.cls.name] && kind !== 'insert' && kind !== 'remove') return;
    const key = `w|${id}|${at.start}|${f.sf.fn.file}|${kind}|${f.phase}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.object(id).writes.push({ kind, phase: f.phase, site: this.site(at, f) });
  }

  private recordLookup(id: string, kind: Lookup['kind'], key: Taint, at: Expr, f: Frame): void {
    if (!this.recording) return;
    const sig = [...key.keys()].sort().join(',');
    const k = `l|${id}|${at.start}|${f.sf.fn.file}|${kind}|${sig}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.object(id).lookups.push({ kind, key, site: this.site(at, f) });
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
    if (side.kind !== 'member' || isThis(side.object) || !sideValue.alias.size) return;
    if (!other.taint.size || other.alias.size) return;
    for (const id of sideValue.alias) this.recordSearchTo(id, other.taint, at, f);
  }

  private recordSearchTo(id: string, key: Taint, at: Expr, f: Frame): void {
    if (!this.recording || id === FLOW_STORAGE) return;
    const k = `s|${id}|${at.start}|${f.sf.fn.file}|${[...key.keys()].sort().join(',')}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.object(id).searches.push({ kind: 'lookup', key, site: this.site(at, f) });
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
function tableCallKind(name: string): 'lookup' | 'insert' | 'remove' | undefined {
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

/** `x & 0xffffff00`, `x >> 8`: a raw field masked or shifted keeps only part of it. */
function isMaskLiteral(e: Expr): boolean {
  return e.kind === 'lit' && /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(e.text);
}
