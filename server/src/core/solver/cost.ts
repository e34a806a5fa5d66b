// The cost model: what it costs a chain when a stateful element has to share its state across
// cores. The paper ranks features by their performance impact; we make that ranking explicit
// numbers the user can change (flowmage.solver.weights.*).
import type { Intensity } from '../analysis/features';
import type { SolverElement } from './types';

export interface CostWeights {
  /** Penalty of sharing state that is written on (nearly) every packet: a lock and a cache-line
   *  transfer between cores per packet. */
  perPacket: number;
  /** Penalty of sharing state that is written only when a flow starts or ends and read otherwise:
   *  readers share cache lines cheaply, writes are rare. */
  perFlow: number;
  /** Multiplier when the state is reached through pointers: every shared access becomes several
   *  dependent, irregular loads that miss in another core's cache. */
  pointerChasingFactor: number;
}

/** The penalty this element adds when it must share state (0 for stateless or unknown elements). */
export function sharingPenalty(element: SolverElement, weights: CostWeights): number {
  const f = element.features;
  if (!f || !f.stateful) return 0;
  // A stateful element whose intensity nobody could decide is costed as per-packet: pessimistic,
  // so the solver never undervalues protecting it.
  const intensity: Intensity = f.intensity ?? 'per-packet';
  const base = intensity === 'per-packet' ? weights.perPacket : weights.perFlow;
  return base * (f.pointerChasing ? weights.pointerChasingFactor : 1);
}

export function describePenalty(element: SolverElement, weights: CostWeights): string {
  const f = element.features;
  if (!f || !f.stateful) return 'no penalty (stateless)';
  const intensity = f.intensity ?? 'per-packet';
  const base = intensity === 'per-packet' ? weights.perPacket : weights.perFlow;
  const parts = [`${base} (${intensity}${f.intensity ? '' : ', assumed'} writes)`];
  if (f.pointerChasing) parts.push(`× ${weights.pointerChasingFactor} (pointer chasing)`);
  return `${parts.join(' ')} = ${sharingPenalty(element, weights)}`;
}
