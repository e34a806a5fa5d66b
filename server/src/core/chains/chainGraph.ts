// The chain view's data: per chain, its elements coloured by the plan, the connections between them
// with their ports, the pairs of elements whose keys no RSS setting can serve together, and, with a
// trace, how the packets spread over the queues under the current and the planned RSS fields.
// Plain data in and out (a capture arrives as its flows): the LSP handler and any other client adapt it.
import type { FlowField } from '../analysis/features';
import { BUILTIN_NIC_PROFILES, type BuiltinNicId } from '../rss/nicProfiles';
import { defaultReta } from '../rss/reta';
import { profileReta, simulateFlows, type CandidateLoad } from '../rss/simulate';
import type { TraceFlows } from '../rss/traceBalance';
import type { SourceRange } from '../text';
import type { ChainAnalysis, ChainTrace, ConfigAnalysis, ElementStatus } from './analyzeConfig';

/** How an element runs: the input device, or what the plan (or the configuration) does with its state. */
export type ChainNodeStatus = 'input' | 'shared-nothing' | 'shared' | 'stateless' | 'unknown';

export interface ChainGraphNode {
  /** Click's instance name (`fw/psd` inside compound instance `fw`), unique in the chain. */
  id: string;
  className: string;
  /** Where the element is declared (for a compound's internals, in the class body). */
  range: SourceRange;
  /** Under the plan. */
  status: ChainNodeStatus;
  /** As the configuration is written. */
  currentStatus: ChainNodeStatus;
  /** Flow key (empty when stateless or unknown). */
  flowKey: FlowField[];
  /** The solver's reason for the plan's decision. */
  reason?: string;
}

export interface ChainGraphEdge {
  from: string;
  fromPort: number;
  to: string;
  toPort: number;
}

/** Two stateful elements with disjoint keys: at most one of them can run shared-nothing. */
export interface ChainConflict {
  a: string;
  b: string;
  /** The ones the plan keeps sharing state. */
  shared: string[];
  message: string;
}

export interface QueueLoad {
  rss: FlowField[];
  /** Packets per queue. */
  packets: number[];
  /** Max queue / mean queue over packets. */
  imbalance: number;
}

export interface ChainLoads {
  queues: number;
  packets: number;
  flows: number;
  current: QueueLoad;
  planned: QueueLoad;
  warning?: string;
}

export interface ChainGraph {
  /** The input device's instance id. */
  input: string;
  threads: number | null;
  currentRss: FlowField[];
  plannedRss: FlowField[];
  /** The solver's cost as configured and under the plan. */
  currentCost: number;
  plannedCost: number;
  nodes: ChainGraphNode[];
  edges: ChainGraphEdge[];
  conflicts: ChainConflict[];
  loads?: ChainLoads;
}

/** The graph of every chain of an analyzed configuration. */
export function chainGraphs(analysis: ConfigAnalysis): ChainGraph[] {
  return analysis.chains.map((c) => chainGraph(c, analysis));
}

function chainGraph(c: ChainAnalysis, analysis: ConfigAnalysis): ChainGraph {
  const input = c.chain.input;
  const nodes: ChainGraphNode[] = [
    { id: input.id, className: input.className, range: input.decl.declarationRange, status: 'input', currentStatus: 'input', flowKey: [] },
    ...c.elements.map((s) => ({
      id: s.instance.id,
      className: s.instance.className,
      range: s.instance.decl.declarationRange,
      status: planStatus(s),
      currentStatus: currentStatus(s),
      flowKey: [...s.flowKey],
      reason: s.reason || undefined,
    })),
  ];
  const inChain = new Set(nodes.map((n) => n.id));
  const edges: ChainGraphEdge[] = [];
  const seen = new Set<string>();
  for (const inst of c.chain.elements) {
    for (const l of analysis.linksFrom(inst)) {
      if (!inChain.has(l.to.id)) continue;
      const k = `${l.from.id}\u0000${l.fromPort}\u0000${l.to.id}\u0000${l.toPort}`;
      if (seen.has(k)) continue;
      seen.add(k);
      edges.push({ from: l.from.id, fromPort: l.fromPort, to: l.to.id, toPort: l.toPort });
    }
  }
  return {
    input: input.id,
    threads: c.threads,
    currentRss: [...c.current.rss],
    plannedRss: [...c.plan.rss],
    currentCost: c.currentCost,
    plannedCost: c.plan.cost,
    nodes,
    edges,
    conflicts: conflictsOf(c.elements),
    ...(c.trace ? { loads: solverLoads(c.trace) } : {}),
  };
}

/** The loads the solver weighed on its own trace (symmetric hashing included), so the bars show what the plan used. */
function solverLoads(t: ChainTrace): ChainLoads {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { queues: t.queues, packets: sum(t.current.packets), flows: sum(t.current.flows), current: queueLoad(t.current), planned: queueLoad(t.chosen) };
}

function planStatus(s: ElementStatus): ChainNodeStatus {
  if (!s.info?.features) return 'unknown';
  if (!s.stateful) return 'stateless';
  return s.planShared === true ? 'shared' : s.planShared === false ? 'shared-nothing' : 'unknown';
}

function currentStatus(s: ElementStatus): ChainNodeStatus {
  if (!s.info?.features) return 'unknown';
  if (!s.stateful) return 'stateless';
  return s.currentShared === true ? 'shared' : s.currentShared === false ? 'shared-nothing' : 'unknown';
}

/** Every pair of stateful elements whose non-empty keys share no field (no RSS set lies inside both). */
function conflictsOf(elements: ElementStatus[]): ChainConflict[] {
  const stateful = elements.filter((s) => s.stateful && s.flowKey.length);
  const out: ChainConflict[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < stateful.length; i++) {
    for (let j = i + 1; j < stateful.length; j++) {
      const [a, b] = [stateful[i], stateful[j]];
      if (a.instance.id === b.instance.id || a.flowKey.some((f) => b.flowKey.includes(f))) continue;
      const k = `${a.instance.id}\u0000${b.instance.id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({
        a: a.instance.id,
        b: b.instance.id,
        shared: [a, b].filter((s) => s.planShared === true).map((s) => s.instance.id),
        message: `${a.instance.id} keeps state per ${a.flowKey.join(' ')} and ${b.instance.id} per ${b.flowKey.join(' ')}: no RSS setting keeps both shared-nothing`,
      });
    }
  }
  return out;
}

/** Queues simulated for a chain whose thread count is unknown (as `flowmage optimize --trace`). */
export const DEFAULT_TRACE_QUEUES = 16;

/**
 * Adds per-queue loads under the current and the planned RSS fields of each chain, with the NIC
 * profile's key and RETA (abstract profiles get the 512-entry RETA, the largest DPDK programs), over
 * the chain's receive queues (DEFAULT_TRACE_QUEUES when unknown).
 */
export function addTraceLoads(graphs: ChainGraph[], trace: TraceFlows, nicProfile: string): ChainGraph[] {
  const profile = Object.prototype.hasOwnProperty.call(BUILTIN_NIC_PROFILES, nicProfile) ? BUILTIN_NIC_PROFILES[nicProfile as BuiltinNicId] : undefined;
  return graphs.map((g) => {
    const queues = g.threads && g.threads > 0 ? g.threads : DEFAULT_TRACE_QUEUES;
    const reta = profile ? profileReta(profile, queues) : defaultReta(512, queues);
    const [current, planned] = simulateFlows(trace.flows, [g.currentRss, g.plannedRss], { reta, nbQueues: queues });
    const loads: ChainLoads = {
      queues,
      packets: trace.kept,
      flows: trace.flows.length,
      current: queueLoad(current),
      planned: queueLoad(planned),
      ...(trace.warning ? { warning: trace.warning } : {}),
    };
    return { ...g, loads };
  });
}

function queueLoad(l: CandidateLoad): QueueLoad {
  return { rss: [...l.fields], packets: l.packets, imbalance: l.imbalance };
}
