// The parameter index: for an element class, the keyword arguments its configure() accepts,
// followed through helpers (`parse(conf, errh)`), base classes' configure() and Args objects handed
// around, from the configuration reads configReads.ts recorded at parse time. A list is `complete`
// only when every path was understood and the configuration ends with complete()/execute(), so a
// keyword missing from it is one FastClick rejects; otherwise it is `partial`, with the reasons.
import type { ConfigEvent, KeywordRead } from './configReads';
import type { DocItem } from './docs';
import type { CppClass, CppFunction } from './model';

export type ParameterType = 'bool' | 'integer' | 'unsigned' | 'double' | 'ip' | 'ether' | 'string' | 'element' | 'other';

export interface ElementParameter {
  name: string;
  positional: boolean;
  mandatory: boolean;
  type: ParameterType | null;
  default: string | null;
  doc: string | null;
  /** Where the keyword is read (line 0-based). */
  file: string;
  line: number;
  /** Read with read_all: may be given several times. */
  repeatable?: boolean;
  /** Read only on some paths of configure() (a branch, or a helper called in one): mandatory only there. */
  conditional?: boolean;
}

export interface ParameterList {
  completeness: 'complete' | 'partial';
  /** Positional parameters in the order they are matched, keywords in the order they are read. */
  parameters: ElementParameter[];
  reasons: string[];
}

/** Whether the class reads a keyword: true / false (complete list without it) / 'unknown' (partial list without it). */
export function readsKeyword(list: ParameterList | undefined, keyword: string): boolean | 'unknown' {
  if (!list) return 'unknown';
  if (list.parameters.some((p) => p.name === keyword)) return true;
  return list.completeness === 'complete' ? false : 'unknown';
}

/** What the resolver needs from the element index. */
export interface ClassLookup {
  findClass(name: string, fromFile?: string): CppClass | undefined;
  definitions(owner: string, name?: string): CppFunction[];
  text(path: string): string | undefined;
}

/** Bump when resolveParameters gives other lists for the same models (lists stored in the persistent index are then resolved again). */
export const PARAMETERS_VERSION = 1;

const MAX_DEPTH = 12;

/** C++ types of read targets, and explicit parsers, to the keyword's value type. */
export function parameterType(parser: string | null, targetType: string | null): ParameterType | null {
  if (parser) {
    const p = parser.replace(/^cp/, '');
    if (/^Bool(?:Arg)?$/.test(p)) return 'bool';
    if (/^(?:Int|Integer|Short|Integer64|Int64)(?:Arg)?$/.test(p)) {
      // IntArg parses into any integer type; an unsigned target rejects negative values.
      return parameterType(null, targetType) === 'unsigned' ? 'unsigned' : 'integer';
    }
    if (/^(?:Unsigned|Unsigned64|UnsignedShort|UnsignedByte|Byte)(?:Arg)?$/.test(p)) return 'unsigned';
    if (/^(?:Double|Real\w*)(?:Arg)?$/.test(p)) return 'double';
    if (/^IPAddress(?:Arg)?$/.test(p)) return 'ip';
    if (/^(?:Ether|Ethernet)Address(?:Arg)?$/.test(p)) return 'ether';
    if (/^(?:String|Word|Argument|Anything|Any|Filename)(?:Arg)?$/.test(p)) return 'string';
    if (/^Element(?:Cast)?(?:Arg)?$/.test(p)) return 'element';
    return 'other';
  }
  if (!targetType) return null;
  const t = targetType
    .replace(/^(?:const|volatile|static|mutable)\s+/g, '')
    .replace(/&$/, '')
    .trim();
  if (t === 'bool') return 'bool';
  if (/^(?:int|long|short|long long|signed|signed int|int(?:8|16|32|64)_t|ssize_t|intptr_t|int_fast\d+_t|click_int_large_t)$/.test(t)) return 'integer';
  if (/^(?:unsigned(?: int| long| short| char| long long)?|uint(?:8|16|32|64)_t|size_t|uintptr_t|unsigned_t|click_uint_large_t|uint_fast\d+_t)$/.test(t)) return 'unsigned';
  if (/^(?:double|float|long double)$/.test(t)) return 'double';
  if (/^(?:click::)?IPAddress$/.test(t)) return 'ip';
  if (/^(?:click::)?EtherAddress$/.test(t)) return 'ether';
  if (/^(?:click::)?String$/.test(t)) return 'string';
  if (/^(?:click::)?\w*Element\*$/.test(t)) return 'element';
  return 'other';
}

interface Collected {
  read: KeywordRead;
  /** The read, or a call leading to it, is inside a branch. */
  conditional: boolean;
  file: string;
  /** The class whose method read it (fields and constructors are looked up from there). */
  owner: CppClass | undefined;
}

/** Resolves one element class's parameters. `docs` are the element's `=item` entries. */
export function resolveParameters(index: ClassLookup, cls: CppClass, docs: readonly DocItem[] = []): ParameterList {
  return new ParameterResolver(index, cls).resolve(docs);
}

class ParameterResolver {
  private readonly reads: Collected[] = [];
  private readonly reasons: string[] = [];
  private sawComplete = false;
  private readonly visiting = new Set<CppFunction>();

  constructor(
    private readonly index: ClassLookup,
    private readonly cls: CppClass,
  ) {}

  resolve(docs: readonly DocItem[]): ParameterList {
    const found = this.findMethod(this.cls, 'configure');
    if (!found) {
      this.reasons.push(this.missingReason ?? `no configure() found for ${this.cls.name} or its bases`);
    } else {
      this.expand(found.fns, found.owner, 0, false);
    }
    if (found && !this.sawComplete && !this.reasons.length)
      this.reasons.push('the configuration is never checked with complete()/execute(): FastClick ignores keywords it does not read');
    const params: ElementParameter[] = [];
    const byName = new Map<string, ElementParameter>();
    for (const c of this.reads) {
      const existing = byName.get(c.read.keyword);
      if (existing) {
        existing.mandatory ||= c.read.mandatory;
        if (existing.conditional && !c.conditional) delete existing.conditional;
        existing.type ??= parameterType(c.read.parser, this.targetType(c));
        existing.default ??= this.defaultOf(c);
        continue;
      }
      const p: ElementParameter = {
        name: c.read.keyword,
        positional: c.read.positional,
        mandatory: c.read.mandatory,
        type: parameterType(c.read.parser, this.targetType(c)),
        default: this.defaultOf(c),
        doc: docFor(docs, c.read.keyword),
        file: c.file,
        line: lineOf(this.index.text(c.file), c.read.start),
      };
      if (c.read.repeatable) p.repeatable = true;
      if (c.conditional) p.conditional = true;
      byName.set(p.name, p);
      params.push(p);
    }
    const reasons = [...new Set(this.reasons)];
    return { completeness: reasons.length ? 'partial' : 'complete', parameters: params, reasons };
  }

  private missingReason: string | undefined;

  /** Methods named `name` with a body, in `cls` or its nearest base that has one. */
  private findMethod(cls: CppClass, name: string, seen = new Set<CppClass>()): { fns: CppFunction[]; owner: CppClass } | undefined {
    if (seen.has(cls) || seen.size > MAX_DEPTH) return undefined;
    seen.add(cls);
    const fns = this.methodsOf(cls, name);
    if (fns.length) return { fns, owner: cls };
    // Declared here but its definition was not found (not indexed, or unparsable): the base's
    // version is not the one that runs.
    if (cls.methodDecls.some((d) => d.name === name)) {
      this.missingReason ??= `${cls.name}::${name}() is declared but its definition could not be read`;
      return undefined;
    }
    for (const b of cls.bases) {
      const base = this.index.findClass(b.name, cls.file);
      if (!base) {
        this.missingReason ??= `${name}() may be inherited from ${b.name}, which is not indexed`;
        continue;
      }
      const r = this.findMethod(base, name, seen);
      if (r) return r;
    }
    return undefined;
  }

  private methodsOf(cls: CppClass, name: string): CppFunction[] {
    const inline = cls.methods.filter((m) => m.name === name && m.bodyStart !== undefined);
    // An out-of-class definition needs a declaration in the class: without one, look no further.
    const declaredInside = cls.methodDecls.some((d) => d.name === name);
    const outside = declaredInside ? this.index.definitions(cls.name, name).filter((m) => m.bodyStart !== undefined) : [];
    const all = [...inline, ...outside];
    return all;
  }

  private expand(fns: CppFunction[], owner: CppClass | undefined, depth: number, conditional: boolean): void {
    const withConfig = fns.filter((f) => f.config);
    if (!withConfig.length) {
      this.reasons.push(`${fns[0]?.owner ? fns[0].owner + '::' : ''}${fns[0]?.name ?? '?'}() takes no configuration it can be followed into`);
      return;
    }
    for (const fn of withConfig) {
      if (this.visiting.has(fn)) continue;
      if (depth > MAX_DEPTH) {
        this.reasons.push(`calls nest deeper than ${MAX_DEPTH} levels`);
        return;
      }
      this.visiting.add(fn);
      for (const e of fn.config!.events) this.event(e, fn, owner, depth, conditional);
      this.visiting.delete(fn);
    }
  }

  private event(e: ConfigEvent, fn: CppFunction, owner: CppClass | undefined, depth: number, conditional: boolean): void {
    switch (e.kind) {
      case 'read':
        this.reads.push({ read: e, conditional: conditional || e.conditional, file: fn.file, owner });
        return;
      case 'complete':
        this.sawComplete = true;
        return;
      case 'unknown':
        this.reasons.push(`${describe(fn)}: ${e.reason}`);
        return;
      case 'call': {
        if (e.object) {
          this.reasons.push(`${describe(fn)} passes the configuration to ${e.object}.${e.name}()`);
          return;
        }
        this.missingReason = undefined;
        const target = e.scope ? this.scoped(e.scope, e.name, fn.file) : this.findMethod(this.cls, e.name);
        if (!target) {
          this.reasons.push(
            `${describe(fn)} passes the configuration to ${e.scope ? e.scope + '::' : ''}${e.name}(), which is not indexed${this.missingReason ? ` (${this.missingReason})` : ''}`,
          );
          return;
        }
        this.expand(target.fns, target.owner, depth + 1, conditional || e.conditional);
      }
    }
  }

  private scoped(scope: string, name: string, fromFile: string): { fns: CppFunction[]; owner?: CppClass } | undefined {
    const cls = this.index.findClass(scope, fromFile);
    if (cls) return this.findMethod(cls, name);
    const fns = this.index.definitions(scope, name).filter((f) => f.bodyStart !== undefined);
    return fns.length ? { fns } : undefined;
  }

  /** The target's type: a local of the reading function, else a field of its class or of the element's. */
  private targetType(c: Collected): string | null {
    if (c.read.targetType) return c.read.targetType;
    if (!c.read.target) return null;
    for (const start of [c.owner, this.cls]) {
      const f = start ? this.field(start, c.read.target) : undefined;
      if (f) return f;
    }
    return null;
  }

  private field(cls: CppClass, name: string, depth = 0): string | undefined {
    const f = cls.fields.find((x) => x.name === name);
    if (f) return f.type;
    if (depth > MAX_DEPTH) return undefined;
    for (const b of cls.bases) {
      const base = this.index.findClass(b.name, cls.file);
      const t = base ? this.field(base, name, depth + 1) : undefined;
      if (t) return t;
    }
    return undefined;
  }

  private defaultOf(c: Collected): string | null {
    if (c.read.defaultValue !== null) return c.read.defaultValue;
    if (!c.read.target) return null;
    for (const start of [this.cls, c.owner]) {
      const v = start ? this.constructorValue(start, c.read.target) : undefined;
      if (v !== undefined) return v;
    }
    return null;
  }

  private constructorValue(cls: CppClass, name: string, depth = 0): string | undefined {
    for (const ctor of this.methodsOfQuiet(cls, cls.name)) {
      const v = ctor.initializers?.[name];
      if (v !== undefined) return v;
    }
    if (depth > MAX_DEPTH) return undefined;
    for (const b of cls.bases) {
      const base = this.index.findClass(b.name, cls.file);
      const v = base ? this.constructorValue(base, name, depth + 1) : undefined;
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private methodsOfQuiet(cls: CppClass, name: string): CppFunction[] {
    return [...cls.methods.filter((m) => m.name === name), ...this.index.definitions(cls.name, name)];
  }
}

function describe(fn: CppFunction): string {
  return `${fn.owner ? fn.owner + '::' : ''}${fn.name}()`;
}

/** The `=item` text for a keyword; items may name several (`=item SRC, DST`) or carry markup. */
function docFor(docs: readonly DocItem[], keyword: string): string | null {
  for (const d of docs) {
    const names = d.keyword.replace(/[A-Z]<([^<>]*)>/g, '$1').split(/[\s,/]+/);
    if (names.includes(keyword)) return d.text;
  }
  return null;
}

function lineOf(text: string | undefined, offset: number): number {
  if (!text) return 0;
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
