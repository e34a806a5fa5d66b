// The scope of one element: its class, the chain of base classes (templated bases instantiated with
// their arguments), the state types those bases are instantiated with, every method and field the
// element can reach, and the functions reachable from its packet and flow entry points. The static
// analyzer and the code slice both work on this, so the slice holds exactly what the analysis read.
import { dirname } from 'node:path';
import { forEachExpr, type Expr } from './ast';
import { hasBody } from './deferredBodies';
import { KEY_CONTRACT_METHODS, PER_FLOW_METHODS, PER_PACKET_METHODS } from './entryMethods';
import type { ElementIndex, ElementInfo } from './elementIndex';
import { parseTypeName } from './extract';
import type { CppClass, CppField, CppFunction, FlowMacro } from './model';
import { dict } from '../dict';

/** Framework roots: in the chain by name, but their code is neither analyzed nor sliced. */
export const FRAMEWORK_CLASSES = new Set([
  'Element',
  'BatchElement',
  'SimpleElement',
  'SimpleBatchElement',
  'ClassifyElement',
  'FlowElement',
  'VirtualFlowSpaceElement',
  'VirtualFlowManager',
  'PushToPushBatchVElement',
]);

/** Templated bases whose argument is the per-flow state type, and who keys that state. */
export const STATE_BASES: Record<string, { arg: number; keyedBy: 'flow-manager' | 'calculate_hash' }> = dict({
  FlowStateElement: { arg: 1, keyedBy: 'flow-manager' },
  FlowSpaceElement: { arg: 0, keyedBy: 'flow-manager' },
  IFlowManager: { arg: 0, keyedBy: 'calculate_hash' },
});

export { KEY_CONTRACT_METHODS, PER_FLOW_METHODS, PER_PACKET_METHODS } from './entryMethods';

export interface ScopeClass {
  cls: CppClass;
  /** Template parameter → argument for this instantiation. */
  subst: Record<string, string>;
  role: 'element' | 'base' | 'state';
  /** As written in the derived class's base clause (`IFlowManager<IPSDState>`). */
  written?: string;
}

export interface ScopeFunction {
  fn: CppFunction;
  /** The chain class it belongs to; undefined for free helper functions. */
  owner?: ScopeClass;
}

export interface ScopeField {
  field: CppField;
  owner: ScopeClass;
  /** Declared type with template parameters substituted. */
  type: string;
}

export interface StateTypeRef {
  /** The type as instantiated (`IPSDState`, `int`). */
  name: string;
  cls?: CppClass;
  /** The base it instantiates (`IFlowManager`). */
  base: string;
  keyedBy?: 'flow-manager' | 'calculate_hash';
  /** Where the base (and thus the state type) is named in the derived class. */
  file: string;
  start: number;
  end: number;
}

export interface ScopeFlowMacro extends FlowMacro {
  file: string;
}

export interface ElementScope {
  element: ElementInfo;
  /** The element first, then its bases depth first in declaration order (framework roots included). */
  chain: ScopeClass[];
  /** Every base name in the chain as written, with unresolved ones, e.g. `IFlowManager<IPSDState>`, `BatchElement`, `Element`. */
  baseNames: string[];
  unresolvedBases: string[];
  stateTypes: StateTypeRef[];
  /** Classes the slice shows in full or as skeletons: state types, their bases, records held by fields. */
  recordClasses: CppClass[];
  methods: Map<string, ScopeFunction[]>;
  fields: Map<string, ScopeField>;
  flowMacros: ScopeFlowMacro[];
  /** Functions reachable from the entry points, in discovery order. */
  reachable: ScopeFunction[];
  /** Files this scope read: a change in any of them re-analyzes the element. */
  files: Set<string>;
  index: ElementIndex;
}

export function collectScope(index: ElementIndex, element: ElementInfo): ElementScope {
  const scope: ElementScope = {
    element,
    chain: [],
    baseNames: [],
    unresolvedBases: [],
    stateTypes: [],
    recordClasses: [],
    methods: new Map(),
    fields: new Map(),
    flowMacros: [],
    reachable: [],
    files: new Set([element.headerFile, ...element.sourceFiles]),
    index,
  };
  walkChain(scope, { cls: element.cls, subst: dict(), role: 'element' }, new Set());
  for (const sc of scope.chain) {
    if (FRAMEWORK_CLASSES.has(sc.cls.name)) continue;
    scope.files.add(sc.cls.file);
    for (const f of sc.cls.fields) if (!scope.fields.has(f.name)) scope.fields.set(f.name, { field: f, owner: sc, type: substitute(f.type, sc.subst) });
    for (const m of sc.cls.flowMacros) scope.flowMacros.push({ ...m, file: sc.cls.file });
    const defs = [...sc.cls.methods, ...outOfClassDefinitions(index, sc.cls)];
    for (const fn of defs) {
      const list = scope.methods.get(fn.name) ?? [];
      list.push({ fn, owner: sc });
      scope.methods.set(fn.name, list);
      scope.files.add(fn.file);
    }
  }
  collectRecords(scope);
  collectReachable(scope);
  return scope;
}

function walkChain(scope: ElementScope, sc: ScopeClass, seen: Set<string>): void {
  const key = `${sc.cls.file}#${sc.cls.start}<${Object.values(sc.subst).join(',')}>`;
  if (seen.has(key) || seen.size > 40) return;
  seen.add(key);
  scope.chain.push(sc);
  for (const b of sc.cls.bases) {
    const args = b.args.map((a) => substitute(a, sc.subst));
    const written = args.length ? `${b.name}<${args.join(', ')}>` : b.name;
    scope.baseNames.push(written);
    const spec = STATE_BASES[b.name];
    if (spec && args[spec.arg] !== undefined) addStateType(scope, args[spec.arg], b.name, spec.keyedBy, sc.cls.file, b.start, b.end);
    const target = scope.index.findClass(b.name, sc.cls.file, (c) => args.length > 0 === c.templateParams.length > 0) ?? scope.index.findClass(b.name, sc.cls.file);
    if (!target) {
      scope.unresolvedBases.push(written);
      continue;
    }
    const subst: Record<string, string> = dict();
    target.templateParams.forEach((p, i) => {
      const value = args[i] ?? (p.default !== undefined ? substitute(p.default, subst) : undefined);
      if (value !== undefined) subst[p.name] = value;
    });
    if (!spec && target.templateParams.length) inferStateTypes(scope, target, subst, b.name, sc.cls.file, b.start, b.end);
    walkChain(scope, { cls: target, subst, role: 'base', written }, seen);
  }
}

function addStateType(scope: ElementScope, name: string, base: string, keyedBy: StateTypeRef['keyedBy'], file: string, start: number, end: number): void {
  const clean = stripType(name);
  if (scope.stateTypes.some((s) => s.name === clean && s.base === base)) return;
  const cls = isBuiltinType(clean) ? undefined : scope.index.findClass(clean, file);
  scope.stateTypes.push({ name: clean, cls, base, keyedBy, file, start, end });
}

/**
 * For a templated base not in STATE_BASES: a template argument is a state type when the base keeps
 * it in a field or passes a pointer to it to a per-packet method.
 */
function inferStateTypes(scope: ElementScope, base: CppClass, subst: Record<string, string>, baseName: string, file: string, start: number, end: number): void {
  for (const p of base.templateParams) {
    const arg = subst[p.name];
    if (!arg || isBuiltinType(stripType(arg)) || stripType(arg) === scope.element.className) continue;
    const word = new RegExp(`\\b${escapeRe(p.name)}\\b`);
    const inField = base.fields.some((f) => word.test(f.type));
    const inEntry = [...base.methods, ...base.methodDecls].some((m) => (PER_PACKET_METHODS.has(m.name) || PER_FLOW_METHODS.has(m.name)) && m.params.some((x) => word.test(x.type)));
    if (inField || inEntry) addStateType(scope, arg, baseName, undefined, file, start, end);
  }
}

function outOfClassDefinitions(index: ElementIndex, cls: CppClass): CppFunction[] {
  const defs = index.definitions(cls.name);
  if (defs.length === 0) return defs;
  // Only until a second class of that name is found.
  const unique = index.findClass(cls.name, cls.file, (c) => c.file !== cls.file || c.start !== cls.start) === undefined;
  return unique ? defs : defs.filter((d) => d.file === cls.file || dirname(d.file) === dirname(cls.file));
}

/** State types, their bases, and records held by chain fields defined next to the chain's classes. */
function collectRecords(scope: ElementScope): void {
  const chainFiles = new Set(scope.chain.map((c) => c.cls.file));
  const seen = new Set<CppClass>(scope.chain.map((c) => c.cls));
  const add = (cls: CppClass | undefined, depth: number) => {
    if (!cls || seen.has(cls) || depth > 4 || FRAMEWORK_CLASSES.has(cls.name)) return;
    seen.add(cls);
    scope.recordClasses.push(cls);
    scope.files.add(cls.file);
    for (const b of cls.bases) add(scope.index.findClass(b.name, cls.file), depth + 1);
    for (const f of cls.fields) for (const n of typeNames(f.type)) add(nearClass(scope, n, cls.file, chainFiles), depth + 1);
  };
  for (const st of scope.stateTypes) add(st.cls, 0);
  for (const { type, owner } of scope.fields.values()) for (const n of typeNames(type)) add(nearClass(scope, n, owner.cls.file, chainFiles), 1);
}

/** A class named `name` defined in one of `files` (or nested in a chain class); library types are left out. */
function nearClass(scope: ElementScope, name: string, from: string, files: Set<string>): CppClass | undefined {
  if (isBuiltinType(name)) return undefined;
  return scope.index.findClasses(name, from, (file) => files.has(file) || scope.files.has(file))[0];
}

function collectReachable(scope: ElementScope): void {
  const visited = new Set<CppFunction>();
  const queue: ScopeFunction[] = [];
  const visit = (sf: ScopeFunction | undefined) => {
    if (!sf || visited.has(sf.fn) || !hasBody(sf.fn)) return;
    visited.add(sf.fn);
    scope.reachable.push(sf);
    queue.push(sf);
  };
  for (const names of [PER_PACKET_METHODS, PER_FLOW_METHODS, KEY_CONTRACT_METHODS]) {
    for (const n of names) for (const sf of scope.methods.get(n) ?? []) visit(sf);
  }
  while (queue.length) {
    const sf = queue.shift()!;
    const body = sf.fn.body;
    if (!body) continue;
    forEachExpr(body, (e) => {
      if (e.kind !== 'call') return;
      const targets = resolveCall(scope, e, sf);
      for (const target of targets) visit(target);
      if (!targets.length) for (const target of callbackTargets(scope, e, sf)) visit(target);
    });
  }
}

/**
 * The scope functions a call may run: `f(...)`, `this->f(...)`, `static_cast<Derived*>(this)->f(...)`
 * dispatch virtually (most-derived first); `Base::f(...)` picks that class; other unqualified names
 * may be free helpers in the scope's files. Calls on other objects are not followed.
 */
export function resolveCall(scope: ElementScope, call: Extract<Expr, { kind: 'call' }>, from?: ScopeFunction): ScopeFunction[] {
  const callee = call.callee;
  let name: string | undefined;
  let qualifier: string | undefined;
  if (callee.kind === 'id') {
    name = callee.name;
    qualifier = callee.scope;
  } else if (callee.kind === 'member' && isThis(callee.object)) name = callee.field;
  if (!name) return [];
  const candidates = scope.methods.get(name);
  if (candidates?.length) {
    if (qualifier) {
      const q = qualifier.split('::').pop()!;
      const explicit = candidates.filter((c) => c.owner?.cls.name === q);
      if (explicit.length) return [pickOverload(explicit, call.args.length)];
      if (!scope.chain.some((c) => c.cls.name === q) && q !== 'Derived') return [];
    }
    const arity = candidates.filter((c) => fitsArity(c.fn, call.args.length));
    return [(arity.length ? arity : candidates)[0]];
  }
  if (qualifier) return [];
  const files = new Set([scope.element.headerFile, ...scope.element.sourceFiles, ...(from ? [from.fn.file] : [])]);
  const free = scope.index.freeFunctions(name, files).filter(hasBody);
  return free.length ? [{ fn: free[0] }] : [];
}

/**
 * Methods of the element passed by name to a call that is not one of them (`EXECUTE_FOR_EACH_PACKET(process, batch)`,
 * a macro or a helper that calls them back): the call runs them.
 */
export function callbackTargets(scope: ElementScope, call: Extract<Expr, { kind: 'call' }>, from?: ScopeFunction): ScopeFunction[] {
  const out: ScopeFunction[] = [];
  for (const a of call.args) {
    if (a.kind !== 'id' || a.scope) continue;
    const candidates = scope.methods.get(a.name);
    if (!candidates?.length || candidates[0].fn === from?.fn) continue;
    out.push(candidates.find((c) => hasBody(c.fn)) ?? candidates[0]);
  }
  return out;
}

function pickOverload(list: ScopeFunction[], arity: number): ScopeFunction {
  return list.find((c) => fitsArity(c.fn, arity)) ?? list[0];
}

function fitsArity(fn: CppFunction, n: number): boolean {
  const params = fn.params.filter((p) => p.type !== 'void');
  return params.length === n || (params.length > n && n > 0) || (params.length === 0 && n === 0);
}

export function isThis(e: Expr): boolean {
  if (e.kind === 'this') return true;
  if (e.kind === 'cast') return isThis(e.value);
  if (e.kind === 'unary' && e.op === '*') return isThis(e.arg);
  return false;
}

/** Replaces template parameters by their arguments in a type or expression text. */
export function substitute(text: string, subst: Record<string, string>): string {
  const keys = Object.keys(subst);
  if (!keys.length) return text;
  return text.replace(/\b[A-Za-z_]\w*\b/g, (w) => (Object.prototype.hasOwnProperty.call(subst, w) ? subst[w] : w));
}

/** `const IPSDState *` → `IPSDState`; `click::Foo<int>` → `Foo<int>`. */
const strippedTypes = new Map<string, string>();

export function stripType(t: string): string {
  let out = strippedTypes.get(t);
  if (out === undefined) {
    if (strippedTypes.size > 50000) strippedTypes.clear();
    strippedTypes.set(t, (out = stripTypeUncached(t)));
  }
  return out;
}

function stripTypeUncached(t: string): string {
  return t
    .replace(/\b(const|volatile|struct|class|typename|mutable|static|inline|unsigned|signed)\b/g, ' ')
    .replace(/[*&]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:\w+::)+/, '');
}

/** Every class-like name in a type (`HashMap<IPFlowID, Entry*>` → HashMap, IPFlowID, Entry). */
export function typeNames(type: string): string[] {
  const parsed = parseTypeName(stripType(type));
  if (!parsed) return [];
  return [parsed.name, ...parsed.args.flatMap((a) => typeNames(a))];
}

const BUILTIN = /^(void|bool|char|short|int|long|float|double|size_t|ssize_t|u?int(8|16|32|64)_t|uintptr_t|intptr_t|unsigned|signed|auto|click_jiffies_t|hashcode_t)$/;
export function isBuiltinType(t: string): boolean {
  return BUILTIN.test(t.replace(/\s*(long|int)\s*/g, (m) => m.trim()).trim()) || /^(unsigned|signed|long|short)(\s+\w+)*$/.test(t);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
