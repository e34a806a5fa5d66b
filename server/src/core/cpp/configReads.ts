// What one C++ function does with an element's configuration: the keywords its `Args` chains and
// legacy `cp_va_kparse` lists read, the calls that hand `conf` (or a conf-bound `Args`) to another
// function, whether it rejects what is left (`complete()`), and every use of `conf` it cannot read.
// Extracted from the tree-sitter tree while the file is parsed (only for functions that receive a
// configuration), stored as plain data, and resolved across functions by parameters.ts.
import type { Node } from 'web-tree-sitter';
import type { Param } from './ast';
import { childByField, norm, sliceOf, unwrapDeclarator } from './declarators';
import { stringLiteralValue } from './macros';

export interface KeywordRead {
  kind: 'read';
  keyword: string;
  /** `read_mp`, `read_or_set`, `cp_va_kparse`, ... */
  method: string;
  positional: boolean;
  mandatory: boolean;
  /** `read_all`: the keyword may be given several times. */
  repeatable: boolean;
  /** Read only on some paths (inside an `if`, `switch`, loop or `?:` branch). */
  conditional: boolean;
  /** The explicit parser (`BandwidthArg`, `IPAddressArg`) or legacy type (`cpUnsigned`), if any. */
  parser: string | null;
  /** The variable read into, `this->` and `&` removed (`_burst`, `mac`). */
  target: string | null;
  /** The target's declared type when it is a local variable or parameter of this function. */
  targetType: string | null;
  /** `read_or_set`'s default, or the literal the local target was initialized with. */
  defaultValue: string | null;
  start: number;
}

/** `parse(conf, errh)`, `QueueDevice::parse(conf, errh)`, `helper(&args)`, `_dev->configure(conf)`. */
export interface ConfigCall {
  kind: 'call';
  name: string;
  /** `QueueDevice` in `QueueDevice::parse(...)`. */
  scope?: string;
  /** The object of `obj->method(conf)` when it is not `this`: not resolvable. */
  object?: string;
  /** Made only on some paths (inside an `if`, `switch`, loop or `?:` branch). */
  conditional: boolean;
  start: number;
}

export type ConfigEvent =
  | KeywordRead
  | ConfigCall
  /** `complete()`/`execute()`/`cp_va_kparse`: keywords nobody read are rejected. */
  | { kind: 'complete'; start: number }
  | { kind: 'unknown'; reason: string; start: number };

export interface ConfigReads {
  /** In source order. */
  events: ConfigEvent[];
}

const READ_METHODS = /^read(?:_m|_p|_mp|_or_set|_or_set_p|_all|_with|_m_with|_p_with|_mp_with|_all_with)?$/;
/** Args methods that neither read a keyword nor end the parse. */
const NEUTRAL_METHODS = new Set(['bind', 'read_status', 'strict', 'errh', 'error', 'status', 'clear', 'empty', 'context']);
const CONF_TYPE = /\bVector<String>/;
const ARGS_TYPE = /^(?:click::)?Args\b/;
const LITERAL = /^(?:-?\s*(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)[uUlLfF]*|true|false|"(?:[^"\\]|\\.)*")$/;
/** Legacy `cp_va_kparse` value types that take two value pointers. */
const CP_TWO_VALUES = new Set(['cpIPAddressOrPrefix', 'cpIPPrefix', 'cpIP6Prefix', 'cpIP6AddressOrPrefix', 'cpSecondsAsMilli', 'cpFilename']);

/** Functions worth scanning: `configure`, and anything that takes a `Vector<String>` or an `Args`. */
export function receivesConfiguration(name: string, params: readonly Param[]): boolean {
  return params.some((p) => CONF_TYPE.test(p.type) || ARGS_TYPE.test(p.type)) || (name === 'configure' && params.length > 0);
}

/**
 * `text` with its preprocessor lines blanked, offsets kept: `#if`/`#endif` lines inside an
 * `Args(...).read(...)` chain break tree-sitter's parse of the chain, and reading both branches is
 * right (a keyword any build accepts is a keyword).
 */
export function blankDirectiveLines(text: string): string {
  return text.replace(/^[ \t]*#.*$/gm, (l) => ' '.repeat(l.length));
}

export function extractConfigReads(text: string, body: Node, params: readonly Param[]): ConfigReads {
  return new ConfigScanner(text, params).scan(body);
}

/** A literal initializer or assigned value (`32`, `false`, `"x"`), else null. */
export function literalText(text: string): string | null {
  const t = norm(text);
  return LITERAL.test(t) ? t : null;
}

interface ChainLink {
  method: string;
  args: Node[];
}

class ConfigScanner {
  private readonly confVars = new Set<string>();
  /** Args variables: true when bound to the configuration. */
  private readonly argsVars = new Map<string, boolean>();
  private readonly localTypes = new Map<string, string>();
  private readonly localDefaults = new Map<string, string>();
  private readonly events: ConfigEvent[] = [];
  /** Keywords seen in ERROR nodes, with their offset. */
  private readonly unparsed = new Map<string, number>();
  /** Depth of branches (if/switch/loop bodies, `?:` arms) around the node being visited. */
  private branchDepth = 0;
  /** Sorted offsets of everything the scan reacts to (conf and Args names, `Args`, `cp_va_*`, `.read`). */
  private interesting: number[] = [];

  /** Subtrees without any of these are skipped: most of a configure() body is not about conf. */
  private findInteresting(body: Node): void {
    const names = [...this.confVars, ...this.argsVars.keys()].filter((n) => /^\w+$/.test(n));
    const re = new RegExp(`\\b(?:${[...names, 'Args', 'cp_va\\w*'].join('|')})\\b|\\.\\s*read`, 'g');
    const text = this.text.slice(body.startIndex, body.endIndex);
    for (let m = re.exec(text); m; m = re.exec(text)) this.interesting.push(body.startIndex + m.index);
  }

  private touchesInteresting(n: Node): boolean {
    const a = this.interesting;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < n.startIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo < a.length && a[lo] < n.endIndex;
  }

  constructor(
    private readonly text: string,
    params: readonly Param[],
  ) {
    for (const p of params) {
      if (CONF_TYPE.test(p.type)) this.confVars.add(p.name);
      else if (ARGS_TYPE.test(p.type)) this.argsVars.set(p.name, true);
      this.localTypes.set(p.name, p.type);
    }
  }

  scan(body: Node): ConfigReads {
    this.collectLocals(body);
    this.findInteresting(body);
    this.visit(body);
    const read = new Set(this.events.map((e) => (e.kind === 'read' ? e.keyword : '')));
    for (const [keyword, start] of this.unparsed) if (!read.has(keyword)) this.events.push({ kind: 'unknown', reason: `the read of ${keyword} could not be parsed`, start });
    return { events: this.events };
  }

  private slice(n: Node | null | undefined): string {
    return sliceOf(this.text, n);
  }

  /** Local declarations (types, literal initializers, Args objects) and `args.bind(conf)` anywhere. */
  private collectLocals(body: Node): void {
    // `args.bind(conf)` is the only call this pass wants: skip calls when the body has none.
    const types = /\bbind\s*\(/.test(this.text.slice(body.startIndex, body.endIndex))
      ? ['declaration', 'assignment_expression', 'call_expression']
      : ['declaration', 'assignment_expression'];
    for (const d of body.descendantsOfType(types)) {
      if (!d) continue;
      if (d.type === 'declaration') {
        const type = norm(this.slice(childByField(d, 'type')));
        for (const decl of d.childrenForFieldName('declarator')) {
          if (!decl) continue;
          const u = unwrapDeclarator(this.text, decl);
          if (!u.name) continue;
          this.localTypes.set(u.name, norm(type + u.suffix));
          if (ARGS_TYPE.test(type) && !u.suffix) {
            // `Args args(conf, this, errh)` (an argument list, or a "function declarator"), or `= Args(conf, ...)`.
            const args =
              u.value?.type === 'argument_list'
                ? u.value.namedChildren
                : u.value?.type === 'call_expression'
                  ? (childByField(u.value, 'arguments')?.namedChildren ?? [])
                  : ((u.fn ? childByField(u.fn, 'parameters') : null)?.namedChildren ?? []);
            this.argsVars.set(u.name, this.isConf(args[0] ?? null));
          } else if (u.value) {
            const lit = literalText(this.slice(u.value.type === 'initializer_list' || u.value.type === 'argument_list' ? u.value.namedChildren[0] : u.value));
            if (lit !== null && !this.localDefaults.has(u.name)) this.localDefaults.set(u.name, lit);
          }
        }
      } else if (d.type === 'assignment_expression') {
        const left = this.targetName(childByField(d, 'left'));
        const lit = literalText(this.slice(childByField(d, 'right')));
        if (left && lit !== null && this.slice(childByField(d, 'operator')) === '=' && !this.localDefaults.has(left)) this.localDefaults.set(left, lit);
      } else {
        const fn = childByField(d, 'function');
        if (fn?.type === 'field_expression' && this.slice(childByField(fn, 'field')) === 'bind') {
          const obj = childByField(fn, 'argument');
          const arg = childByField(d, 'arguments')?.namedChildren[0] ?? null;
          if (obj?.type === 'identifier' && this.isConf(arg)) this.argsVars.set(this.slice(obj), true);
        }
      }
    }
  }

  /** `conf` itself (also as the "parameter" of `Args args(conf, this, errh)` parsed as a function declarator). */
  private isConf(n: Node | null): boolean {
    return !!n && (n.type === 'identifier' || n.type === 'parameter_declaration') && this.confVars.has(this.slice(n).trim());
  }

  /** An expression that names a conf-bound Args: `args`, `&args`, `*args`. */
  private isBoundArgs(n: Node | null): boolean {
    if (!n) return false;
    const t = this.slice(n)
      .replace(/^[&*]\s*/, '')
      .trim();
    return /^\w+$/.test(t) && this.argsVars.get(t) === true;
  }

  private visit(n: Node): void {
    if (!this.touchesInteresting(n)) return;
    const type = n.type;
    if (type === 'ERROR') this.errorNode(n);
    if (type === 'call_expression' && !this.isChainInner(n)) {
      if (this.argsChain(n)) return;
      this.call(n);
    } else if (type === 'identifier' && this.confVars.has(this.slice(n))) this.confUse(n);
    const branches = branchChildren(n, type);
    for (const c of n.namedChildren) {
      if (!c) continue;
      const branch = branches.has(c.id);
      if (branch) this.branchDepth++;
      this.visit(c);
      if (branch) this.branchDepth--;
    }
  }

  /** A call that is the object of a further `.method(...)`: the outermost call handles the chain. */
  private isChainInner(n: Node): boolean {
    const p = n.parent;
    if (p?.type !== 'field_expression' || childByField(p, 'argument')?.id !== n.id) return false;
    return p.parent?.type === 'call_expression';
  }

  /** Handles `Args(...).read(...)...` and `args.read(...)...`; false when `n` is not one. */
  private argsChain(n: Node): boolean {
    const links: ChainLink[] = [];
    let cur: Node | null = n;
    while (cur?.type === 'call_expression') {
      const fn: Node | null = childByField(cur, 'function');
      if (fn?.type !== 'field_expression') break;
      links.unshift({ method: this.slice(childByField(fn, 'field')), args: this.argNodes(cur) });
      cur = childByField(fn, 'argument');
      while (cur?.type === 'parenthesized_expression' || cur?.type === 'pointer_expression') cur = cur.namedChildren[0] ?? null;
    }
    if (!cur || !links.length) return false;
    let bound: boolean;
    if (cur.type === 'call_expression' && /^(?:click::)?Args$/.test(this.slice(childByField(cur, 'function')))) bound = this.isConf(this.argNodes(cur)[0] ?? null);
    else if (cur.type === 'identifier' && this.argsVars.has(this.slice(cur))) bound = this.argsVars.get(this.slice(cur)) === true;
    else return false;
    if (links.some((l) => l.method === 'bind' && this.isConf(l.args[0] ?? null))) bound = true;
    if (!bound) {
      // An Args over something else (a word list); it may still read conf entries by hand.
      for (const l of links) for (const a of l.args) this.visit(a);
      return true;
    }
    for (const l of links) {
      if (READ_METHODS.test(l.method)) this.read(l);
      else if (l.method === 'complete' || l.method === 'execute') this.events.push({ kind: 'complete', start: l.args[0]?.startIndex ?? n.startIndex });
      else if (l.method === 'consume' || NEUTRAL_METHODS.has(l.method)) continue;
      else this.events.push({ kind: 'unknown', reason: `Args::${l.method}() is not understood`, start: n.startIndex });
    }
    return true;
  }

  private argNodes(call: Node): Node[] {
    return (childByField(call, 'arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  }

  private read(l: ChainLink): void {
    const [kwNode, ...rest] = l.args;
    const start = kwNode?.startIndex ?? 0;
    const keyword = kwNode?.type === 'string_literal' ? stringLiteralValue(this.slice(kwNode)) : undefined;
    if (!keyword) {
      this.events.push({ kind: 'unknown', reason: `${l.method}() with a keyword that is not a string literal (${this.slice(kwNode) || 'none'})`, start });
      return;
    }
    let values = rest;
    let flags = '';
    if (values.length > 1 && /\b(?:mandatory|positional|deprecated)\b|^\d+$/.test(this.slice(values[0]))) {
      flags = this.slice(values[0]);
      values = values.slice(1);
    }
    let defaultValue: string | null = null;
    if (/^read_or_set/.test(l.method) && values.length >= 2) {
      defaultValue = literalText(this.slice(values[values.length - 1])) ?? norm(this.slice(values[values.length - 1]));
      values = values.slice(0, -1);
    }
    const parserNode = values.length >= 2 ? values[0] : undefined;
    const targetNode = values[values.length - 1];
    const target = this.targetName(targetNode ?? null);
    const suffix = l.method.replace(/^read(?:_or_set|_all)?/, '').replace(/_with$/, '');
    const positional = /p/.test(suffix) || /\bpositional\b/.test(flags);
    const mandatory = /m/.test(suffix) || /\bmandatory\b/.test(flags);
    this.events.push({
      kind: 'read',
      keyword,
      method: l.method,
      positional,
      mandatory,
      repeatable: l.method.startsWith('read_all'),
      conditional: this.branchDepth > 0,
      parser: parserNode ? parserName(this.slice(parserNode)) : null,
      target,
      targetType: target ? (this.localTypes.get(target) ?? null) : null,
      defaultValue: defaultValue ?? (target ? (this.localDefaults.get(target) ?? null) : null),
      start,
    });
  }

  private targetName(n: Node | null): string | null {
    if (!n) return null;
    const t = norm(this.slice(n))
      .replace(/^&/, '')
      .replace(/^this->/, '');
    return /^\w+$/.test(t) ? t : null;
  }

  /** Any other call: the legacy parser, or a helper handed the configuration. */
  private call(n: Node): void {
    const fn = childByField(n, 'function');
    const args = this.argNodes(n);
    const fnText = norm(this.slice(fn));
    if (/^(?:click::)?cp_va_k?parse(?:_remove_keywords|_keyword)?$/.test(fnText) && this.isConf(args[0] ?? null)) {
      this.cpVaParse(fnText, args);
      return;
    }
    if (!args.some((a) => this.isConf(a) || this.isBoundArgs(a))) return;
    const conditional = this.branchDepth > 0;
    if (fn?.type === 'identifier') this.events.push({ kind: 'call', name: fnText, conditional, start: n.startIndex });
    else if (fn?.type === 'qualified_identifier') {
      const parts = fnText.split('::');
      this.events.push({ kind: 'call', name: parts.pop()!, scope: parts.pop()!.replace(/<.*$/, ''), conditional, start: n.startIndex });
    } else if (fn?.type === 'field_expression') {
      const obj = childByField(fn, 'argument');
      const name = this.slice(childByField(fn, 'field'));
      if (obj?.type === 'this') this.events.push({ kind: 'call', name, conditional, start: n.startIndex });
      else this.events.push({ kind: 'call', name, object: norm(this.slice(obj)), conditional, start: n.startIndex });
    } else this.events.push({ kind: 'unknown', reason: `the configuration is passed to \`${fnText}\``, start: n.startIndex });
  }

  /** `cp_va_kparse(conf, this, errh, "KEYWORD", cpkP|cpkM, cpUnsigned, &var, ..., cpEnd)`. */
  private cpVaParse(fnName: string, args: Node[]): void {
    let i = 3;
    while (i < args.length && args[i].type !== 'string_literal') i++;
    while (i < args.length) {
      const kwNode = args[i];
      const keyword = kwNode.type === 'string_literal' ? stringLiteralValue(this.slice(kwNode)) : undefined;
      if (!keyword) {
        if (this.slice(kwNode) !== 'cpEnd')
          this.events.push({ kind: 'unknown', reason: `${fnName} argument \`${this.slice(kwNode)}\` is not understood`, start: kwNode.startIndex });
        break;
      }
      const flags = this.slice(args[i + 1]);
      // With cpkC a `bool *` (was the keyword given?) comes before the type.
      const confirm = /\bcpkC\b/.test(flags) ? 1 : 0;
      const type = this.slice(args[i + 2 + confirm]);
      let j = i + 3 + confirm;
      const target = this.targetName(args[j] ?? null);
      j += CP_TWO_VALUES.has(type) ? 2 : 1;
      this.events.push({
        kind: 'read',
        keyword,
        method: fnName,
        positional: /\bcpkP\b/.test(flags),
        mandatory: /\bcpkM\b/.test(flags),
        repeatable: false,
        conditional: this.branchDepth > 0,
        parser: type || null,
        target,
        targetType: target ? (this.localTypes.get(target) ?? null) : null,
        defaultValue: target ? (this.localDefaults.get(target) ?? null) : null,
        start: kwNode.startIndex,
      });
      while (j < args.length && args[j].type !== 'string_literal' && this.slice(args[j]) !== 'cpEnd') j++;
      i = j;
    }
    if (!/remove_keywords/.test(fnName)) this.events.push({ kind: 'complete', start: args[0].startIndex });
  }

  /** `conf` used other than by an Args, the legacy parser, or a call: `conf[i]`, `conf.erase(...)`. */
  private confUse(n: Node): void {
    const p = n.parent;
    if (!p) return;
    if (p.type === 'argument_list') return;
    if (p.type === 'field_expression' && /^(?:size|empty)$/.test(this.slice(childByField(p, 'field')))) return;
    const what =
      p.type === 'field_expression'
        ? `${this.slice(n)}.${this.slice(childByField(p, 'field'))}`
        : p.type === 'subscript_expression'
          ? `${this.slice(n)}[...]`
          : `${this.slice(n)} (${p.type.replace(/_/g, ' ')})`;
    this.events.push({ kind: 'unknown', reason: `reads the configuration by hand: ${what}`, start: n.startIndex });
  }

  /** A read tree-sitter could not parse (macros inside the chain): say so rather than lose it. */
  private errorNode(n: Node): void {
    const re = /\.\s*read\w*\s*\(\s*"([A-Za-z0-9_]+)"/g;
    const text = this.slice(n);
    for (let m = re.exec(text); m; m = re.exec(text)) if (!this.unparsed.has(m[1])) this.unparsed.set(m[1], n.startIndex + m.index);
  }
}

/** Ids of the children of `n` that run only on some paths: if/else arms, loop and switch bodies, `?:` arms. */
function branchChildren(n: Node, type: string): Set<number> {
  const out = new Set<number>();
  const add = (field: string) => {
    const c = childByField(n, field);
    if (c) out.add(c.id);
  };
  switch (type) {
    case 'if_statement':
      add('consequence');
      add('alternative');
      break;
    case 'conditional_expression':
      add('consequence');
      add('alternative');
      break;
    case 'for_statement':
    case 'for_range_loop':
    case 'while_statement':
    case 'do_statement':
    case 'switch_statement':
      add('body');
      break;
  }
  return out;
}

/** `BandwidthArg()` → BandwidthArg, `NumArg<int>(16)` → NumArg, `ElementCastArg("X")` → ElementCastArg. */
function parserName(text: string): string | null {
  const m = /^(?:click::)?(\w+)/.exec(text.trim());
  return m ? m[1] : null;
}
