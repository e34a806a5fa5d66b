// Ports as Click reads them (click(5)): `[n]`, lists `[0,1]`, ranges `[0-2]` and the expandable `[]`,
// and how one connection between two element sets becomes hookups: lists and expandable ports step
// through their ports, `=>` treats a lone portless element as expandable, and many-to-many needs `=>`.
import type { SynPort, Token } from './syntax';

export interface PortSpec {
  /** Ports written, ranges expanded. `[]` is port 0, expandable. */
  ports: number[];
  /** `[]`: further ports are taken as needed. */
  expandable: boolean;
}

export const NO_PORTS: PortSpec = { ports: [], expandable: false };

export interface PortNumberProblem {
  token: Token;
  message: string;
}

/** Reads a written port list; tokens that are not numbers are reported and skipped. */
export function readPortSpec(port: SynPort, problems: PortNumberProblem[]): PortSpec {
  if (port.items.length === 0) return { ports: [0], expandable: true };
  const ports: number[] = [];
  for (const item of port.items) {
    const from = portNumber(item.from, problems);
    if (!item.to) {
      if (from !== undefined) ports.push(from);
      continue;
    }
    const to = portNumber(item.to, problems);
    if (from === undefined || to === undefined) continue;
    if (to < from) {
      problems.push({
        token: { ...item.from, end: item.to.end, text: `${item.from.text}-${item.to.text}` },
        message: `the port range \`${from}-${to}\` is empty: write the smaller port first`,
      });
      continue;
    }
    for (let p = from; p <= to; p++) ports.push(p);
  }
  return { ports, expandable: false };
}

function portNumber(token: Token, problems: PortNumberProblem[]): number | undefined {
  if (/^\d+$/.test(token.text)) return Number(token.text);
  problems.push({ token, message: `port \`${token.text}\` is not a number: ports are written \`[0]\`, \`[0,1]\` or \`[0-2]\`` });
  return undefined;
}

export interface Hookup {
  /** Index into the output side's elements, and the port used. */
  from: number;
  fromPort: number;
  to: number;
  toPort: number;
}

export interface HookupResult {
  hookups: Hookup[];
  problems: string[];
}

/**
 * Pairs the output ports of the elements on the left of an arrow with the input ports of the
 * elements on its right. `outputs[i]` / `inputs[j]` are the port lists written on those sides.
 */
const NO_PROBLEMS: string[] = [];

export function connectSets(outputs: PortSpec[], inputs: PortSpec[], manyToMany: boolean): HookupResult {
  // The common case, `a [p] -> [q] b`, without the general machinery.
  if (outputs.length === 1 && inputs.length === 1 && !outputs[0].expandable && !inputs[0].expandable && outputs[0].ports.length <= 1 && inputs[0].ports.length <= 1) {
    return { hookups: [{ from: 0, fromPort: outputs[0].ports[0] ?? 0, to: 0, toPort: inputs[0].ports[0] ?? 0 }], problems: NO_PROBLEMS };
  }
  const problems: string[] = [];
  const sides = [inputs, outputs];
  const minPorts = [0, 0];
  const expandable = [0, 0];
  for (let k = 0; k < 2; k++) {
    for (const spec of sides[k]) {
      const written = spec.ports.length + (spec.expandable ? 1 : 0);
      if (written <= 1) minPorts[k] += 1;
      else if (spec.expandable) {
        minPorts[k] += written - 1;
        expandable[k]++;
      } else minPorts[k] += written;
    }
  }
  if (expandable[0] + expandable[1] > 1) {
    problems.push('only one side of a connection may use the expandable port `[]`');
    expandable[minPorts[0] < minPorts[1] ? 1 : 0] = 0;
  }
  // With `=>`, a single element written without ports takes as many ports as the other side needs.
  const impliedExpandable = [false, false];
  if (manyToMany) {
    for (let k = 0; k < 2; k++) {
      if (minPorts[k] === 1 && minPorts[1 - k] > 1 && sides[k][0].ports.length === 0 && !sides[k][0].expandable) {
        expandable[k] = 1;
        impliedExpandable[k] = true;
      }
    }
  }
  const step = [minPorts[0] > 1 || expandable[0] > 0, minPorts[1] > 1 || expandable[1] > 0];
  const extra = [expandable[0] ? minPorts[1] - minPorts[0] : 0, expandable[1] ? minPorts[0] - minPorts[1] : 0];
  if (step[0] && step[1]) {
    if (!manyToMany) problems.push('connecting several outputs to several inputs needs `=>`, not `->`');
    if (!expandable[0] && !expandable[1] && minPorts[0] !== minPorts[1]) {
      problems.push(`connection mismatch: ${minPorts[1]} outputs connected to ${minPorts[0]} inputs`);
    } else if (!expandable[0] && minPorts[0] < minPorts[1]) {
      problems.push(`connection mismatch: ${minPorts[1]} or more outputs connected to ${minPorts[0]} inputs`);
    } else if (!expandable[1] && minPorts[1] < minPorts[0]) {
      problems.push(`connection mismatch: ${minPorts[1]} outputs connected to ${minPorts[0]} or more inputs`);
    }
  } else if (!step[0] && !step[1]) step[0] = true;

  const hookups: Hookup[] = [];
  const index = [0, 0];
  const position = [0, 0];
  const port = [-1, -1];
  const limit = 4 * (minPorts[0] + minPorts[1]) + 16;
  while (index[0] < inputs.length && index[1] < outputs.length && hookups.length < limit) {
    for (let k = 0; k < 2; k++) {
      if (port[k] < 0) {
        const spec = sides[k][index[k]];
        port[k] = spec.ports.length ? spec.ports[0] : 0;
      }
    }
    hookups.push({ from: index[1], fromPort: port[1], to: index[0], toPort: port[0] });
    for (let k = 0; k < 2; k++) {
      if (!step[k]) continue;
      const spec = sides[k][index[k]];
      position[k]++;
      if (position[k] < spec.ports.length) port[k] = spec.ports[position[k]];
      else if (spec.expandable && spec.ports.length && extra[k] > 0) {
        port[k] = spec.ports[spec.ports.length - 1] + position[k] - (spec.ports.length - 1);
        extra[k]--;
      } else if (impliedExpandable[k] && extra[k] > 0) {
        port[k] = position[k];
        extra[k]--;
      } else {
        port[k] = -1;
        position[k] = 0;
        index[k]++;
      }
    }
  }
  return { hookups, problems };
}
