// The chain solver: minimize Σ cost(I_i, F_i, P_i, r) over the candidate RSS field sets r
// (paper §3.2), where element i runs shared-nothing iff r ⊆ F_i. Deterministic: the same
// elements, candidates, weights and ranking always give the same plan.
import { FLOW_FIELDS, formatKey, outsideKeyNote, type FlowField } from '../analysis/features';
import { isSubset } from './candidates';
import { sharingPenalty, type CostWeights } from './cost';
import type { Alternative, Candidate, Conflict, ElementDecision, Plan, SolverElement, SymmetricHash, TieBreak } from './types';

export interface ComplexityRanking {
  method: Exclude<TieBreak['method'], 'none'>;
  /** Element names, heaviest per-packet work first. */
  order: string[];
  detail: string;
}

export interface SolveOptions {
  candidates: FlowField[][];
  weights: CostWeights;
  /** Orders elements by per-packet work for ties; defaults to the static estimate. */
  ranking?: ComplexityRanking;
  notes?: string[];
  /**
   * How the NIC and the deploy target can hash a field set symmetrically, if they can. Symmetric
   * candidates are weighed only when an element sees both directions of a connection.
   */
  symmetric?: (rss: readonly FlowField[]) => SymmetricHash | undefined;
  /** With a trace: how evenly each candidate spreads it over the queues. */
  balance?: BalanceOptions;
}

export interface BalanceOptions {
  /** max / mean queue load of the trace under this candidate. */
  imbalance: (c: Candidate) => number;
  /** Cost added per unit of imbalance above 1 (flowmage.solver.imbalanceWeight). */
  weight: number;
  /** Candidates whose imbalance exceeds this are rejected (flowmage.solver.maxImbalance); 0 rejects none. */
  max: number;
  /** The trace's name, for explanations. */
  traceName: string;
}

interface Evaluated {
  rss: FlowField[];
  symmetric?: SymmetricHash;
  mask: number;
  cost: number;
  imbalance?: number;
  sharedNothing: Set<string>;
  /** Elements whose per-thread state this field set would break (the candidate is rejected). */
  violates: string[];
}

const maskOf = (fields: readonly FlowField[]) => fields.reduce((m, f) => m | (1 << FLOW_FIELDS.indexOf(f)), 0);
const isStateful = (e: SolverElement) => !!e.features?.stateful;

/** Both addresses, and both ports or none: swapping a connection's sides leaves the set as it is. */
export function isSymmetricSet(rss: readonly FlowField[]): boolean {
  const pairs = rss.includes('src_ip') === rss.includes('dst_ip') && rss.includes('src_port') === rss.includes('dst_port');
  return pairs && (rss.includes('src_ip') || rss.includes('src_port'));
}

/** Hashed fields (the protocol only separates rules) are one address alone: a few heavy hosts can load one core. */
export function isSingleAddress(rss: readonly FlowField[]): boolean {
  const hashed = rss.filter((f) => f !== 'protocol');
  return hashed.length === 1 && (hashed[0] === 'src_ip' || hashed[0] === 'dst_ip');
}

/**
 * Whether every packet of one flow of `e` reaches one core under candidate `c`: r ⊆ F, and for an
 * element that sees both directions of a connection, symmetric hashing over a symmetric r.
 */
export function keepsFlowsTogether(e: SolverElement, c: Candidate): boolean {
  const f = e.features;
  if (!f || !isSubset(c.rss, f.flowKey)) return false;
  return !f.bidirectional || (!!c.symmetric && isSymmetricSet(c.rss));
}

const asCandidate = (c: readonly FlowField[] | Candidate): Candidate => (Array.isArray(c) ? { rss: [...(c as FlowField[])] } : (c as Candidate));

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function evaluate(
  elements: readonly SolverElement[],
  candidates: readonly (readonly FlowField[] | Candidate)[],
  weights: CostWeights,
  balance?: BalanceOptions,
): Evaluated[] {
  return candidates.map((given) => {
    const c = asCandidate(given);
    const sharedNothing = new Set<string>();
    const violates: string[] = [];
    let cost = 0;
    for (const e of elements) {
      if (!isStateful(e)) continue;
      const inside = keepsFlowsTogether(e, c);
      if (inside && e.canShareNothing !== false) sharedNothing.add(e.name);
      else cost += sharingPenalty(e, weights);
      if (!inside && e.canShare === false) violates.push(e.name);
    }
    const imbalance = balance ? balance.imbalance(c) : undefined;
    if (imbalance !== undefined && imbalance > 1) cost = round3(cost + balance!.weight * (imbalance - 1));
    return {
      rss: [...c.rss],
      ...(c.symmetric ? { symmetric: c.symmetric } : {}),
      mask: maskOf(c.rss),
      cost,
      ...(imbalance !== undefined ? { imbalance } : {}),
      sharedNothing,
      violates,
    };
  });
}

/** A candidate as explanations name it. */
export function candidateLabel(c: { rss: readonly FlowField[]; symmetric?: SymmetricHash }): string {
  return `${formatKey([...c.rss])}${c.symmetric ? ` (symmetric: ${symmetricLabel(c.symmetric)})` : ''}`;
}

export function symmetricLabel(s: SymmetricHash): string {
  return s.how === 'function' ? `func ${s.func}` : 'the repeated 0x6d5a key';
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** Elements whose sharing differs between candidates that tie on the minimum cost. */
export function tiedElements(evaluated: readonly Evaluated[]): string[] {
  if (evaluated.length === 0) return [];
  const best = Math.min(...evaluated.map((e) => e.cost));
  const top = evaluated.filter((e) => e.cost === best);
  const tied = new Set<string>();
  for (const a of top)
    for (const b of top) {
      if (sameSet(a.sharedNothing, b.sharedNothing)) continue;
      for (const x of a.sharedNothing) if (!b.sharedNothing.has(x)) tied.add(x);
    }
  return [...tied].sort();
}

/** Static-estimate ranking: more estimated per-packet work first, then name for determinism. */
export function staticRanking(elements: readonly SolverElement[], names: readonly string[]): ComplexityRanking {
  const work = new Map(elements.map((e) => [e.name, e.workEstimate ?? 0]));
  const order = [...names].sort((a, b) => (work.get(b) ?? 0) - (work.get(a) ?? 0) || a.localeCompare(b));
  const known = order.filter((n) => (work.get(n) ?? 0) > 0);
  return {
    method: known.length ? 'static-estimate' : 'name-order',
    order,
    detail: known.length
      ? `static estimate of per-packet work from the code slices (an estimate, not a measurement): ${order.map((n) => `${n} ${work.get(n)}`).join(', ')}`
      : 'no complexity information; tied elements ordered by name',
  };
}

function compare(a: Evaluated, b: Evaluated, rank: Map<string, number>): number {
  if (a.cost !== b.cost) return a.cost - b.cost;
  if (!sameSet(a.sharedNothing, b.sharedNothing)) {
    // Favour the field set that keeps the heaviest differing element shared-nothing (paper §3.2).
    const diff = [...a.sharedNothing, ...b.sharedNothing].filter((x) => a.sharedNothing.has(x) !== b.sharedNothing.has(x));
    diff.sort((x, y) => (rank.get(x) ?? Infinity) - (rank.get(y) ?? Infinity) || x.localeCompare(y));
    const heaviest = diff[0];
    return a.sharedNothing.has(heaviest) ? -1 : 1;
  }
  // Same elements shared-nothing: more fields spread load over cores more evenly.
  if (a.rss.length !== b.rss.length) return b.rss.length - a.rss.length;
  if (a.mask !== b.mask) return a.mask - b.mask;
  // Symmetric hashing only when it buys something: it changes the NIC's setup.
  return (a.symmetric ? 1 : 0) - (b.symmetric ? 1 : 0);
}

export function solve(elements: readonly SolverElement[], options: SolveOptions): Plan {
  const notes = [...(options.notes ?? [])];
  const names = new Set<string>();
  for (const e of elements) {
    if (names.has(e.name)) throw new Error(`solver: element name ${e.name} appears twice in one chain`);
    names.add(e.name);
  }
  const fieldSets = withoutPortsForFragments(elements, options.candidates, notes);
  const twoWay = elements.filter((e) => isStateful(e) && e.features!.bidirectional).map((e) => e.name);
  const specs: Candidate[] = [];
  for (const rss of fieldSets) {
    specs.push({ rss: [...rss] });
    const sym = twoWay.length && isSymmetricSet(rss) ? options.symmetric?.(rss) : undefined;
    if (sym) specs.push({ rss: [...rss], symmetric: sym });
  }
  if (twoWay.length && !specs.some((c) => c.symmetric)) {
    notes.push(
      `${twoWay.join(', ')} see(s) both directions of a connection, but neither the NIC profile nor the deploy target offers symmetric hashing over a symmetric field set: the two directions may reach different cores, so it shares state`,
    );
  }
  const all = evaluate(elements, specs, options.weights, options.balance);
  if (all.length === 0) throw new Error('solver: no candidate RSS field sets');
  // Per-thread state that cannot be shared makes r ⊆ F a hard constraint: such candidates are out.
  let evaluated = all.filter((e) => e.violates.length === 0);
  if (evaluated.length === 0) {
    const pinned = [...new Set(all.flatMap((e) => e.violates))].sort();
    notes.push(`no candidate RSS field set lies inside the keys of every per-thread element (${pinned.join(', ')}): their flows will reach several cores and see different state`);
    evaluated = all;
  }
  const rejected = rejectImbalanced(evaluated, options.balance, notes);
  if (rejected.length) evaluated = evaluated.filter((e) => !rejected.includes(e));
  const tied = tiedElements(evaluated);
  const ranking = options.ranking ?? staticRanking(elements, tied);
  const rank = new Map(ranking.order.map((n, i) => [n, i]));
  const ordered = [...evaluated].sort((a, b) => compare(a, b, rank));
  const best = ordered[0];

  const tieBreak: TieBreak =
    tied.length > 0
      ? { method: ranking.method, ranking: ranking.order.filter((n) => tied.includes(n)), detail: ranking.detail }
      : { method: 'none', ranking: [], detail: 'no tie between different sets of shared-nothing elements' };

  const decisions = elements.map((e) => decide(e, best, options.weights));
  const conflicts = decisions
    .filter((d) => d.shared === true)
    .map((d): Conflict => {
      const disjointWith = elements
        .filter((o) => o.name !== d.name && isStateful(o) && best.sharedNothing.has(o.name))
        .filter((o) => !o.features!.flowKey.some((f) => d.flowKey.includes(f)))
        .map((o) => o.name);
      return { element: d.name, disjointWith, reason: conflictReason(d, disjointWith, best.rss, elements) };
    });

  const balanceWarning =
    !options.balance && isSingleAddress(best.rss) && best.sharedNothing.size > 0
      ? `RSS on a single address field (${formatKey(best.rss)}) sends all traffic of one host to one core: a few heavy hosts can overload a core while others idle. Set flowmage.solver.trace (or --trace) to a capture to check the balance`
      : undefined;
  if (balanceWarning) notes.push(balanceWarning);
  return {
    rss: best.rss,
    ...(best.symmetric ? { symmetric: best.symmetric } : {}),
    cost: best.cost,
    ...(best.imbalance !== undefined ? { imbalance: best.imbalance } : {}),
    ...(balanceWarning ? { balanceWarning } : {}),
    elements: decisions,
    alternatives: [
      ...ordered.slice(1).map((alt) => ({ ...summarize(alt), verdict: verdict(alt, best, rank, ranking) })),
      ...rejected.map((alt) => {
        const why = `imbalance ${alt.imbalance!.toFixed(2)} on the trace ${options.balance!.traceName} exceeds flowmage.solver.maxImbalance ${options.balance!.max}`;
        return { ...summarize(alt), rejected: why, verdict: `rejected: ${why}` };
      }),
    ],
    conflicts,
    tieBreak,
    unknownElements: elements.filter((e) => !e.features).map((e) => e.name),
    notes,
  };
}

/**
 * Non-first IP fragments carry no ports, so NICs hash them on addresses only: with ports in the RSS
 * set, the fragments of one packet reach different cores. A chain holding an element whose state
 * is keyed by fragment identity keeps ports out of its RSS candidates.
 */
function withoutPortsForFragments(elements: readonly SolverElement[], candidates: FlowField[][], notes: string[]): FlowField[][] {
  const holders = elements.filter((e) => e.features?.stateful && e.features.fragments).map((e) => e.name);
  if (!holders.length) return candidates;
  const kept = candidates.filter((c) => !c.includes('src_port') && !c.includes('dst_port'));
  if (!kept.length) {
    notes.push(`${holders.join(', ')} handle IP fragments, but every RSS candidate hashes ports; keeping them (non-first fragments may reach other cores)`);
    return candidates;
  }
  notes.push(`${holders.join(', ')} handle IP fragments, which carry no ports after the first: RSS sets with src_port or dst_port are not considered`);
  return kept;
}

/**
 * Candidates over the imbalance threshold are out, with the reason in the plan's notes. If every
 * candidate is over it, none is rejected (a plan is still needed) and the notes say so.
 */
function rejectImbalanced(evaluated: Evaluated[], balance: BalanceOptions | undefined, notes: string[]): Evaluated[] {
  if (!balance || !(balance.max > 0)) return [];
  const over = evaluated.filter((e) => (e.imbalance ?? 0) > balance.max);
  if (!over.length) return [];
  if (over.length === evaluated.length) {
    notes.push(
      `every candidate's imbalance on the trace ${balance.traceName} exceeds flowmage.solver.maxImbalance ${balance.max} (best ${Math.min(...over.map((e) => e.imbalance!)).toFixed(2)}); none is rejected`,
    );
    return [];
  }
  notes.push(
    `rejected on the trace ${balance.traceName} (max / mean queue load above flowmage.solver.maxImbalance ${balance.max}): ` +
      over.map((e) => `${candidateLabel(e)} ${e.imbalance!.toFixed(2)}`).join(', '),
  );
  return over;
}

function summarize(e: Evaluated): Omit<Alternative, 'verdict'> {
  return {
    rss: e.rss,
    ...(e.symmetric ? { symmetric: e.symmetric } : {}),
    cost: e.cost,
    ...(e.imbalance !== undefined ? { imbalance: e.imbalance } : {}),
    sharedNothing: [...e.sharedNothing].sort(),
  };
}

function decide(e: SolverElement, best: Evaluated, weights: CostWeights): ElementDecision {
  const base = { name: e.name, className: e.className, stateful: isStateful(e), flowKey: e.features?.flowKey ?? [] };
  if (!e.features) {
    return { ...base, shared: null, penalty: 0, reason: `class ${e.className} is not in the element index, so its state is unknown; FlowMage leaves it as configured` };
  }
  if (!e.features.stateful) return { ...base, shared: null, penalty: 0, reason: 'stateless: keeps no per-flow state, so RSS does not matter to it' };
  if (e.canShareNothing === false && isSubset(best.rss, e.features.flowKey)) {
    return {
      ...base,
      shared: true,
      penalty: sharingPenalty(e, weights),
      reason: `RSS on ${formatKey(best.rss)} ⊆ its flow key ${formatKey(e.features.flowKey)}, but its implementation shares state across cores and nothing can give it per-core state`,
    };
  }
  const r = formatKey(best.rss);
  const key = formatKey(e.features.flowKey);
  if (best.sharedNothing.has(e.name)) {
    return {
      ...base,
      shared: false,
      penalty: 0,
      reason: e.features.bidirectional
        ? `RSS on ${r} ⊆ its flow key ${key}, hashed symmetrically (${symmetricLabel(best.symmetric!)}): both directions of a connection reach the same core, so each core keeps private state (shared-nothing)`
        : `RSS on ${r} ⊆ its flow key ${key}: every packet of one flow reaches the same core, so each core keeps private state (shared-nothing)`,
    };
  }
  if (e.features.bidirectional && isSubset(best.rss, e.features.flowKey)) {
    return {
      ...base,
      shared: true,
      penalty: sharingPenalty(e, weights),
      reason: isSymmetricSet(best.rss)
        ? `RSS on ${r} ⊆ its flow key ${key}, but it sees both directions of a connection (its state is looked up with sources and destinations swapped) and the hash is not symmetric: a reply can reach another core than its request, so its state must be shared`
        : `RSS on ${r} ⊆ its flow key ${key}, but it sees both directions of a connection and ${r} is not symmetric (it needs both addresses, and both ports or none): a reply reaches another core than its request, so its state must be shared`,
    };
  }
  return {
    ...base,
    shared: true,
    penalty: sharingPenalty(e, weights),
    reason: e.features.flowKey.length
      ? `RSS on ${r} ⊄ its flow key ${key}: packets of one ${key} flow reach several cores, so its state must be shared across cores`
      : e.features.otherKeyFields?.length
        ? outsideKeyNote([], e.features.otherKeyFields)
        : 'its flow key is unknown, so no RSS choice can keep its flows on one core; it must share state',
  };
}

function conflictReason(d: ElementDecision, disjointWith: string[], rss: FlowField[], all: readonly SolverElement[]): string {
  if (d.flowKey.length === 0) {
    const other = all.find((e) => e.name === d.name)?.features?.otherKeyFields;
    return other?.length ? `${d.name}: ${outsideKeyNote([], other)}` : `${d.name} has no known flow key; it cannot be shared-nothing under any RSS setting`;
  }
  if (disjointWith.length) {
    const others = disjointWith.map((n) => `${n} (${formatKey(all.find((e) => e.name === n)!.features!.flowKey)})`).join(', ');
    return `${d.name}'s key ${formatKey(d.flowKey)} is disjoint from ${others}: no RSS field set lies inside both, and RSS on ${formatKey(rss)} favours ${disjointWith.join(', ')}`;
  }
  return `no candidate RSS field set inside ${d.name}'s key ${formatKey(d.flowKey)} keeps more of the chain shared-nothing at lower cost than ${formatKey(rss)}`;
}

function verdict(alt: Evaluated, best: Evaluated, rank: Map<string, number>, ranking: ComplexityRanking): string {
  const lost = [...best.sharedNothing].filter((x) => !alt.sharedNothing.has(x));
  if (alt.cost > best.cost) {
    const balance = alt.imbalance !== undefined && best.imbalance !== undefined ? ` (imbalance ${alt.imbalance.toFixed(2)} vs ${best.imbalance.toFixed(2)})` : '';
    return `costs ${round3(alt.cost - best.cost)} more${lost.length ? `: ${lost.join(', ')} would share state` : ''}${balance}`;
  }
  if (!sameSet(alt.sharedNothing, best.sharedNothing)) {
    const gained = [...alt.sharedNothing].filter((x) => !best.sharedNothing.has(x));
    const heavier = [...lost].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity))[0];
    const by =
      ranking.method === 'llm' ? 'the LLM complexity comparison' : ranking.method === 'static-estimate' ? 'the static work estimate' : 'name order (no complexity information)';
    return `same cost, but keeps ${gained.join(', ') || 'nothing more'} shared-nothing instead of ${lost.join(', ')}; ${by} ranks ${heavier} heavier`;
  }
  if (alt.mask === best.mask) return alt.symmetric ? 'the same fields hashed symmetrically, which no element needs' : 'the same fields hashed plainly; equal in every respect';
  return alt.rss.length < best.rss.length
    ? 'same elements shared-nothing with fewer hashed fields (spreads load less evenly)'
    : 'same elements shared-nothing; equal in every respect, ordered canonically';
}

/** Orders elements heaviest first with an async pairwise comparator (binary insertion: O(n log n)
 *  comparisons, not all pairs). The comparator returns the heavier name, or null when it cannot say. */
export async function rankByComparison(
  names: readonly string[],
  compareHeavier: (a: string, b: string) => Promise<string | null>,
  fallback: ComplexityRanking,
): Promise<{ order: string[]; asked: number; unanswered: number }> {
  const fallbackRank = new Map(fallback.order.map((n, i) => [n, i]));
  const sorted: string[] = [];
  let asked = 0;
  let unanswered = 0;
  for (const name of [...names].sort((a, b) => (fallbackRank.get(a) ?? 0) - (fallbackRank.get(b) ?? 0) || a.localeCompare(b))) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      asked++;
      let heavier = await compareHeavier(name, sorted[mid]);
      if (heavier !== name && heavier !== sorted[mid]) {
        unanswered++;
        heavier = (fallbackRank.get(name) ?? 0) <= (fallbackRank.get(sorted[mid]) ?? 0) ? name : sorted[mid];
      }
      if (heavier === name) hi = mid;
      else lo = mid + 1;
    }
    sorted.splice(lo, 0, name);
  }
  return { order: sorted, asked, unanswered };
}
