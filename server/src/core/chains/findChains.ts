// Finds the chains of a configuration: the elements reachable from each input device through
// connections, with compound elements expanded (their bodies instantiated per use, Click-style
// `instance/inner` names) and compound `input`/`output` ports wired through.
import type { ClickElement, ClickElementClass, ClickEndpoint, ConfigModel } from '../click/model';
import { resolveArgValue } from './args';

/** One element instance in the flattened configuration. */
export interface InstanceNode {
  /** Click's instance name: `psd`, or `fw/psd` inside compound instance `fw`. */
  id: string;
  className: string;
  /** The declaration that creates it: edits go there (for compound internals, the class body). */
  decl: ClickElement;
  /** Enclosing compound instances, outermost first, e.g. ['fw']. */
  compoundPath: string[];
  /** Formal parameter values of the enclosing compound instances (innermost wins). */
  bindings: Map<string, string>;
}

export interface Chain {
  /** The input device instance. */
  input: InstanceNode;
  /** Reachable instances in breadth-first order, the input first. */
  elements: InstanceNode[];
}

export interface FlatConfig {
  instances: InstanceNode[];
  chains: Chain[];
  /** Problems met while flattening (recursive compounds, unknown overloads). */
  notes: string[];
}

const INPUT_CLASS = /^From[A-Z]/;

export function flattenConfig(model: ConfigModel, isInputClass: (cls: string) => boolean = (c) => INPUT_CLASS.test(c)): FlatConfig {
  const classes = new Map<string, ClickElementClass[]>();
  for (const c of model.elementClasses) classes.set(`${c.scope ?? ''}::${c.name}`, [...(classes.get(`${c.scope ?? ''}::${c.name}`) ?? []), c]);
  const defines = new Map(model.defines.map((d) => [d.name, d.value]));
  const scopeKey = (scope: string | null, overload: number) => `${scope ?? ''}#${overload}`;
  const elementsIn = groupBy(model.elements, (e) => scopeKey(e.scope, e.overload));
  const connectionsIn = groupBy(model.connections, (c) => scopeKey(c.scope, c.overload));
  const instances: InstanceNode[] = [];
  const edges = new Map<string, Set<string>>();
  const notes: string[] = [];
  const addEdge = (a: string, b: string) => {
    let set = edges.get(a);
    if (!set) edges.set(a, (set = new Set()));
    set.add(b);
  };

  /** The compound class a class name refers to from `scope`, searching enclosing scopes outward. */
  const findClass = (name: string, scopeChain: (string | null)[]): ClickElementClass | undefined => {
    for (const s of scopeChain) {
      const found = classes.get(`${s ?? ''}::${name}`);
      if (found?.length) {
        const def = found[found.length - 1];
        return def.synonymOf ? (findClass(def.synonymOf, scopeChain) ?? def) : def;
      }
    }
    return undefined;
  };

  const expand = (scope: string | null, overload: number, prefix: string, path: string[], bindings: Map<string, string>, scopeChain: (string | null)[], depth: number) => {
    if (depth > 32) {
      notes.push(`compound nesting deeper than 32 levels at ${prefix || 'top level'} (recursive elementclass?); not expanded further`);
      return;
    }
    const local = new Map<string, ClickElement>();
    for (const el of elementsIn.get(scopeKey(scope, overload)) ?? []) {
      local.set(el.name, el);
      if (el.form === 'compound') {
        // An inline `{ ... }` compound: its body is the scope `{name}`.
        expand(`{${el.name}}`, 0, `${prefix}${el.name}/`, [...path, el.name], bindings, [`{${el.name}}`, ...scopeChain], depth + 1);
        continue;
      }
      const compound = findClass(el.className, scopeChain);
      if (compound && !compound.synonymOf) {
        const chosen = chooseOverload(compound, el);
        const inner = new Map(bindings);
        bindFormals(compound, chosen, el, inner, defines, bindings);
        expand(compound.name, chosen, `${prefix}${el.name}/`, [...path, el.name], inner, [compound.name, ...scopeChain], depth + 1);
      } else {
        instances.push({ id: prefix + el.name, className: compound?.synonymOf ?? el.className, decl: el, compoundPath: path, bindings });
      }
    }
    const isCompoundInstance = (name: string) => {
      const el = local.get(name);
      if (el?.form === 'compound') return true;
      const c = el && findClass(el.className, scopeChain);
      return !!c && !c.synonymOf;
    };
    // Compound instances and groups are wired through virtual boundary nodes: `inst/@input#p`
    // receives what enters port p, `inst/@output#p` emits what leaves it. Inside a body,
    // `input`/`output` name the same nodes of the enclosing instance (or group).
    const endpoint = (e: ClickEndpoint, side: 'from' | 'to'): string => {
      const boundary = side === 'from' ? 'output' : 'input';
      switch (e.kind) {
        case 'input':
        case 'output':
          return e.group ? `${prefix}${e.group}/@${e.kind}#${e.port}` : `${prefix}@${e.kind}#${e.port}`;
        case 'group':
          return `${prefix}${e.element}/@${boundary}#${e.port}`;
        default:
          return isCompoundInstance(e.element) ? `${prefix}${e.element}/@${boundary}#${e.port}` : prefix + e.element;
      }
    };
    for (const c of connectionsIn.get(scopeKey(scope, overload)) ?? []) {
      addEdge(endpoint(c.from, 'from'), endpoint(c.to, 'to'));
    }
  };

  expand(null, 0, '', [], new Map(), [null], 0);

  const byId = new Map(instances.map((i) => [i.id, i]));
  const chains: Chain[] = [];
  for (const input of instances.filter((i) => isInputClass(i.className))) {
    const seen = new Set([input.id]);
    const queue = [input.id];
    const order: InstanceNode[] = [input];
    while (queue.length) {
      const cur = queue.shift()!;
      for (const next of edges.get(cur) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
        const inst = byId.get(next);
        if (inst) order.push(inst);
      }
    }
    chains.push({ input, elements: order });
  }
  return { instances, chains, notes };
}

/** Click picks the overload whose formals accept the instance's arguments; we match on count. */
function chooseOverload(c: ClickElementClass, el: ClickElement): number {
  const n = el.config?.args.length ?? 0;
  const i = c.overloads.findIndex((o) => o.formals.length === n || o.formals.some((f) => f.rest));
  return i >= 0 ? i : 0;
}

function bindFormals(c: ClickElementClass, overload: number, el: ClickElement, into: Map<string, string>, defines: Map<string, string>, outer: Map<string, string>): void {
  const formals = c.overloads[overload]?.formals ?? [];
  const args = el.config?.args ?? [];
  const positional = args.filter((a) => !a.keyword);
  let p = 0;
  for (const f of formals) {
    if (f.rest) {
      into.set(f.name, args.slice(p).map((a) => (a.keyword ? `${a.keyword} ${a.value}` : a.value)).join(', '));
      continue;
    }
    const arg = f.keyword ? [...args].reverse().find((a) => a.keyword === f.keyword) : positional[p++];
    if (arg) into.set(f.name, resolveArgValue(arg.value, outer, defines));
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
