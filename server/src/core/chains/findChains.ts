// Finds the chains of a configuration: the elements reachable from each input device through
// connections, with compound elements expanded (their bodies instantiated per use, Click-style
// `instance/inner` names) and compound `input`/`output` ports wired through.
import { inlineScopeName, type ClickElement, type ClickElementClass, type ClickEndpoint, type ConfigModel } from '../click/model';
import type { SourceRange } from '../text';
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

/** Something flattening refused to expand, said on the element that asked for it. */
export interface FlattenProblem {
  code: 'recursive-elementclass' | 'expansion-budget';
  message: string;
  range: SourceRange;
}

/** A connection between two element instances, through any compound ports on the way. */
export interface InstanceLink {
  from: InstanceNode;
  /** Output port of `from`. */
  fromPort: number;
  to: InstanceNode;
  /** Input port of `to`. */
  toPort: number;
}

export interface FlatConfig {
  instances: InstanceNode[];
  chains: Chain[];
  /** The connections leaving one instance (compound ports followed), computed on demand. */
  linksFrom(instance: InstanceNode): InstanceLink[];
  /** Problems met while flattening (unknown overloads, nesting too deep). */
  notes: string[];
  /** Uses that were not expanded: a class that contains itself, or the budget ran out. */
  problems: FlattenProblem[];
  /** The budget ran out: instances are incomplete and no chain is reported. */
  truncated: boolean;
}

/**
 * Most element instances (compound ones included) one configuration may expand to. Real
 * configurations have thousands; classes that each use the previous one twice reach millions from a
 * few lines, and would otherwise take all memory.
 */
export const MAX_INSTANCES = 100_000;
/** Most connections copied out of compound bodies (a body with many connections used many times). */
export const MAX_CONNECTIONS = 4 * MAX_INSTANCES;
/** Deeper than any sensible nesting; recursion is caught before this. */
const MAX_DEPTH = 64;

const INPUT_CLASS = /^From[A-Z]/;

export function flattenConfig(model: ConfigModel, isInputClass: (cls: string) => boolean = (c) => INPUT_CLASS.test(c)): FlatConfig {
  // Scopes are found by id, never by name: two inline compounds may share a name in different
  // scopes, and an elementclass name may be defined again elsewhere.
  const parentOf = new Map(model.scopes.map((s) => [s.id, s.parentId]));
  const classesIn = new Map<number, Map<string, ClickElementClass[]>>();
  for (const c of model.elementClasses) {
    let byName = classesIn.get(c.scopeId);
    if (!byName) classesIn.set(c.scopeId, (byName = new Map()));
    byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  }
  /** The body scope of each inline compound element, by the element's scope and the body's name. */
  const inlineBodies = new Map<string, number>();
  for (const s of model.scopes) {
    const key = `${s.parentId}\u0000${s.name}`;
    if (s.kind === 'compound' && s.parentId !== null && !inlineBodies.has(key)) inlineBodies.set(key, s.id);
  }
  const defines = new Map(model.defines.map((d) => [d.name, d.value]));
  const elementsIn = groupBy(model.elements, (e) => e.scopeId);
  const connectionsIn = groupBy(model.connections, (c) => c.scopeId);
  const instances: InstanceNode[] = [];
  // The flattened graph: nodes are numbers (string keys built from long instance paths made
  // flattening slow); a node is an instance or a port of a compound instance or group.
  const edges: number[][] = [];
  // Beside each edge, the ports its connection names: [output port of the source, input port of the target].
  const edgePorts: Array<Array<[number, number]>> = [];
  const instanceAt: Array<InstanceNode | undefined> = [];
  const newNode = (instance?: InstanceNode): number => {
    edges.push([]);
    edgePorts.push([]);
    instanceAt.push(instance);
    return edges.length - 1;
  };
  /** The ports of one compound instance or group, `input#0` → node, made on first use. */
  type Ports = Map<string, number>;
  const portNode = (ports: Ports, key: string): number => {
    let node = ports.get(key);
    if (node === undefined) ports.set(key, (node = newNode()));
    return node;
  };
  const notes: string[] = [];
  const problems: FlattenProblem[] = [];
  const reported = { 'recursive-elementclass': new Set<ClickElement>(), 'expansion-budget': new Set<ClickElement>() };
  let instanceCount = 0;
  let connectionCount = 0;
  let truncated = false;
  /** The top-level element being expanded: the budget diagnostic goes there. */
  let topLevelUse: ClickElement | undefined;

  /** The compound class `name` means in scope `scopeId`, searching enclosing scopes outward (synonyms followed). */
  const findClass = (name: string, scopeId: number, seen = new Set<string>()): ClickElementClass | undefined => {
    for (let s: number | null | undefined = scopeId; s !== null && s !== undefined; s = parentOf.get(s)) {
      const found = classesIn.get(s)?.get(name);
      if (found?.length) {
        const def = found[found.length - 1];
        if (!def.synonymOf || seen.has(name)) return def;
        seen.add(name);
        return findClass(def.synonymOf, s, seen) ?? def;
      }
    }
    return undefined;
  };
  const inlineBodyOf = (el: ClickElement): number | undefined => inlineBodies.get(`${el.scopeId}\u0000${inlineScopeName(el.scope, el.name)}`);

  const report = (code: FlattenProblem['code'], el: ClickElement, message: string) => {
    if (reported[code].has(el)) return;
    reported[code].add(el);
    problems.push({ code, message, range: el.classRange });
  };

  const outOfBudget = (): boolean => {
    if (instanceCount < MAX_INSTANCES && connectionCount < MAX_CONNECTIONS) return false;
    if (!truncated && topLevelUse) {
      report(
        'expansion-budget',
        topLevelUse,
        `expanding \`${topLevelUse.anonymous ? topLevelUse.className || '{ ... }' : topLevelUse.name}\` would create more than ${MAX_INSTANCES} element instances or ${MAX_CONNECTIONS} connections ` +
          `(compound classes that use each other many times); FlowMage stops there and analyzes no chain of this configuration`,
      );
    }
    truncated = true;
    return true;
  };

  /**
   * Expands one scope. `own` holds the ports of the instance being expanded (its `input`/`output`);
   * `active` the classes being expanded, outermost first: one of them met again is recursion.
   */
  const expand = (scopeId: number, prefix: string, path: string[], bindings: Map<string, string>, active: ClickElementClass[], own: Ports) => {
    if (path.length > MAX_DEPTH) {
      notes.push(`compound nesting deeper than ${MAX_DEPTH} levels at ${prefix}; not expanded further`);
      return;
    }
    const leaves = new Map<string, number>();
    const compounds = new Map<string, Ports>();
    let groups: Map<string, Ports> | undefined;
    for (const el of elementsIn.get(scopeId) ?? []) {
      if (outOfBudget()) return;
      if (path.length === 0) topLevelUse = el;
      instanceCount++;
      // An inline `{ ... }` compound, anonymous or declared (`x :: { ... }`).
      const inlineBody = el.form === 'compound' || el.className === '' ? inlineBodyOf(el) : undefined;
      if (el.form === 'compound' || inlineBody !== undefined) {
        const ports: Ports = new Map();
        compounds.set(el.name, ports);
        if (inlineBody !== undefined) expand(inlineBody, `${prefix}${el.name}/`, [...path, el.name], bindings, active, ports);
        continue;
      }
      const compound = findClass(el.className, scopeId);
      if (compound && !compound.synonymOf) {
        const ports: Ports = new Map();
        compounds.set(el.name, ports);
        const cycle = active.findIndex((c) => c.name === compound.name && c.scopeId === compound.scopeId);
        if (cycle >= 0) {
          const through = [...active.slice(cycle), compound].map((c) => c.name).join(' → ');
          report(
            'recursive-elementclass',
            el,
            `elementclass \`${compound.name}\` contains itself (${through}); Click rejects a recursive elementclass, so this use is not expanded`,
          );
          continue;
        }
        const chosen = chooseOverload(compound, el);
        const formals = compound.overloads[chosen]?.formals.length ?? 0;
        const inner = formals ? new Map(bindings) : bindings;
        if (formals) bindFormals(compound, chosen, el, inner, defines, bindings);
        const body = compound.overloads[chosen]?.scopeId;
        if (body !== undefined) expand(body, `${prefix}${el.name}/`, [...path, el.name], inner, [...active, compound], ports);
      } else {
        const instance: InstanceNode = { id: prefix + el.name, className: compound?.synonymOf ?? el.className, decl: el, compoundPath: path, bindings };
        instances.push(instance);
        leaves.set(el.name, newNode(instance));
      }
    }
    const groupPorts = (name: string): Ports => {
      groups ??= new Map();
      let ports = groups.get(name);
      if (!ports) groups.set(name, (ports = new Map()));
      return ports;
    };
    // Compound instances and groups are wired through their port nodes: `input#p` receives what
    // enters port p, `output#p` emits what leaves it. Inside a body, `input`/`output` name the
    // ports of the enclosing instance (or group).
    const endpoint = (e: ClickEndpoint, side: 'from' | 'to'): number => {
      const boundary = side === 'from' ? 'output' : 'input';
      switch (e.kind) {
        case 'input':
        case 'output':
          return portNode(e.group ? groupPorts(e.group) : own, `${e.kind}#${e.port}`);
        case 'group':
          return portNode(groupPorts(e.element), `${boundary}#${e.port}`);
        default: {
          const ports = compounds.get(e.element);
          if (ports) return portNode(ports, `${boundary}#${e.port}`);
          let leaf = leaves.get(e.element);
          if (leaf === undefined) leaves.set(e.element, (leaf = newNode()));
          return leaf;
        }
      }
    };
    const connections = connectionsIn.get(scopeId) ?? [];
    connectionCount += connections.length;
    if (outOfBudget()) return;
    for (const c of connections) {
      const from = endpoint(c.from, 'from');
      edges[from].push(endpoint(c.to, 'to'));
      edgePorts[from].push([c.from.port, c.to.port]);
    }
  };

  expand(0, '', [], new Map(), [], new Map());
  const nodeOf = new Map<InstanceNode, number>();
  instanceAt.forEach((inst, node) => inst && nodeOf.set(inst, node));
  const linksFrom = instanceLinks(edges, edgePorts, instanceAt, nodeOf);
  if (truncated) return { instances, chains: [], linksFrom, notes, problems, truncated };

  const chains: Chain[] = [];
  for (const input of instances.filter((i) => isInputClass(i.className))) {
    const start = nodeOf.get(input)!;
    const seen = new Set([start]);
    const queue = [start];
    const order: InstanceNode[] = [input];
    for (let head = 0; head < queue.length; head++) {
      for (const next of edges[queue[head]]) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
        const inst = instanceAt[next];
        if (inst) order.push(inst);
      }
    }
    chains.push({ input, elements: order });
  }
  return { instances, chains, linksFrom, notes, problems, truncated };
}

/**
 * Links from an instance to the instances it feeds, walking through compound and group port nodes:
 * the output port is the one written on the instance's own connection, the input port the one on
 * the connection that reaches the target. What a port node reaches is computed once.
 */
function instanceLinks(
  edges: number[][],
  edgePorts: Array<Array<[number, number]>>,
  instanceAt: Array<InstanceNode | undefined>,
  nodeOf: Map<InstanceNode, number>,
): (instance: InstanceNode) => InstanceLink[] {
  const reach = new Map<number, Array<[InstanceNode, number]>>();
  /** The instances (and their input ports) a port node leads to. */
  const throughPort = (start: number): Array<[InstanceNode, number]> => {
    const known = reach.get(start);
    if (known) return known;
    const out: Array<[InstanceNode, number]> = [];
    const seen = new Set<string>();
    const visited = new Set([start]);
    const stack = [start];
    while (stack.length) {
      const node = stack.pop()!;
      edges[node].forEach((next, i) => {
        const target = instanceAt[next];
        if (target) {
          const k = `${next}:${edgePorts[node][i][1]}`;
          if (!seen.has(k)) {
            seen.add(k);
            out.push([target, edgePorts[node][i][1]]);
          }
        } else if (!visited.has(next)) {
          visited.add(next);
          stack.push(next);
        }
      });
    }
    reach.set(start, out);
    return out;
  };
  return (instance) => {
    const node = nodeOf.get(instance);
    if (node === undefined) return [];
    const links: InstanceLink[] = [];
    edges[node].forEach((next, i) => {
      const [fromPort, toPort] = edgePorts[node][i];
      const target = instanceAt[next];
      if (target) links.push({ from: instance, fromPort, to: target, toPort });
      else for (const [to, port] of throughPort(next)) links.push({ from: instance, fromPort, to, toPort: port });
    });
    return links;
  };
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
      into.set(
        f.name,
        args
          .slice(p)
          .map((a) => (a.keyword ? `${a.keyword} ${a.value}` : a.value))
          .join(', '),
      );
      continue;
    }
    const arg = f.keyword ? [...args].reverse().find((a) => a.keyword === f.keyword) : positional[p++];
    if (arg) into.set(f.name, resolveArgValue(arg.value, outer, defines));
  }
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
