// Which queue each packet of a trace lands on, per candidate RSS field set, with a NIC's key and
// RETA: per-queue packet and flow counts and the imbalance (max queue load / mean queue load).
// Each distinct 5-tuple is hashed once per candidate (a flow always lands on one queue), so the
// cost is one pass over the packets plus flows × candidates table-driven hashes.
import type { FlowField } from '../analysis/features';
import type { NicProfileData } from './nicProfiles';
import { defaultReta, type Reta } from './reta';
import { ipv4Hasher, MICROSOFT_RSS_KEY, type HashFunction } from './toeplitz';
import { aggregateFlows, type FlowTable, type Trace } from './trace';

export interface CandidateLoad {
  fields: FlowField[];
  /** Packets per queue. */
  packets: number[];
  /** Distinct 5-tuples (one direction of a connection) per queue. */
  flows: number[];
  /** max(packets per queue) / mean(packets per queue); 0 for an empty trace. */
  imbalance: number;
  /** The same over flows. */
  flowImbalance: number;
}

export interface SimulateOptions {
  key?: Uint8Array;
  reta: Reta;
  nbQueues: number;
  func?: HashFunction;
}

export function imbalanceOf(loads: readonly number[]): number {
  let total = 0;
  let max = 0;
  for (const l of loads) {
    total += l;
    if (l > max) max = l;
  }
  return total === 0 ? 0 : max / (total / loads.length);
}

/** The RETA a DPDK application gets on this NIC with nbQueues queues (mlx5 sizes it to the queues). */
export function profileReta(profile: NicProfileData, nbQueues: number): Reta {
  if (profile.driver === 'mlx5' && nbQueues > 0 && (nbQueues & (nbQueues - 1)) === 0 && nbQueues <= profile.retaSize) return defaultReta(nbQueues, nbQueues);
  return defaultReta(profile.retaSize, nbQueues);
}

export function simulateFlows(flows: FlowTable, candidates: readonly (readonly FlowField[])[], options: SimulateOptions): CandidateLoad[] {
  const key = options.key ?? MICROSOFT_RSS_KEY;
  const { reta, nbQueues } = options;
  const mask = reta.length - 1;
  for (const q of reta) if (q >= nbQueues) throw new RangeError(`the RETA names queue ${q} but there are ${nbQueues} queues`);
  const out: CandidateLoad[] = [];
  for (const fields of candidates) {
    const hash = ipv4Hasher(key, fields, options.func ?? 'toeplitz');
    const packets = new Array<number>(nbQueues).fill(0);
    const flowCounts = new Array<number>(nbQueues).fill(0);
    for (let f = 0; f < flows.length; f++) {
      const q = reta[hash(flows.srcIp[f], flows.dstIp[f], flows.srcPort[f], flows.dstPort[f]) & mask];
      packets[q] += flows.packets[f];
      flowCounts[q]++;
    }
    out.push({ fields: [...fields], packets, flows: flowCounts, imbalance: imbalanceOf(packets), flowImbalance: imbalanceOf(flowCounts) });
  }
  return out;
}

export function simulate(trace: Trace, candidates: readonly (readonly FlowField[])[], options: SimulateOptions): CandidateLoad[] {
  return simulateFlows(aggregateFlows(trace), candidates, options);
}
