// Which queue each packet of a trace lands on, per candidate RSS field set, with a NIC's key and
// RETA: per-queue packet and flow counts and the imbalance (max queue load / mean queue load).
// Each distinct 5-tuple is hashed once per candidate (a flow always lands on one queue), so the
// cost is one pass over the packets plus flows × candidates table-driven hashes. With plain
// Toeplitz the hash is linear, so each field's contribution at each byte offset it can take in a
// packed input is computed once per flow and a candidate XORs at most four of them.
import type { FlowField } from '../analysis/features';
import type { NicProfileData } from './nicProfiles';
import { defaultReta, type Reta } from './reta';
import { ipv4Hasher, MICROSOFT_RSS_KEY, ToeplitzTable, type HashFunction } from './toeplitz';
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
  const func = options.func ?? 'toeplitz';
  const contribution = func === 'toeplitz' ? contributions(flows, key) : undefined;
  const zero = new Uint32Array(flows.length);
  for (const fields of candidates) {
    const packets = new Array<number>(nbQueues).fill(0);
    const flowCounts = new Array<number>(nbQueues).fill(0);
    if (contribution) {
      const [a, b, c, d] = packedParts(fields).map(([field, offset]) => contribution(field, offset));
      const [pa, pb, pc, pd] = [a ?? zero, b ?? zero, c ?? zero, d ?? zero];
      for (let f = 0; f < flows.length; f++) {
        const q = reta[(pa[f] ^ pb[f] ^ pc[f] ^ pd[f]) & mask];
        packets[q] += flows.packets[f];
        flowCounts[q]++;
      }
    } else {
      const hash = ipv4Hasher(key, fields, func);
      for (let f = 0; f < flows.length; f++) {
        const q = reta[hash(flows.srcIp[f], flows.dstIp[f], flows.srcPort[f], flows.dstPort[f]) & mask];
        packets[q] += flows.packets[f];
        flowCounts[q]++;
      }
    }
    out.push({ fields: [...fields], packets, flows: flowCounts, imbalance: imbalanceOf(packets), flowImbalance: imbalanceOf(flowCounts) });
  }
  return out;
}

type HashedField = 'src_ip' | 'dst_ip' | 'src_port' | 'dst_port';

/** The hashed fields of a set with their byte offsets in the packed input (as rssInput lays it out). */
function packedParts(fields: readonly FlowField[]): [HashedField, number][] {
  const out: [HashedField, number][] = [];
  let o = 0;
  for (const [f, size] of [
    ['src_ip', 4],
    ['dst_ip', 4],
    ['src_port', 2],
    ['dst_port', 2],
  ] as const) {
    if (fields.includes(f)) {
      out.push([f, o]);
      o += size;
    }
  }
  return out;
}

/** Per flow, the hash contribution of one field at one offset, computed on first use. */
function contributions(flows: FlowTable, key: Uint8Array): (field: HashedField, offset: number) => Uint32Array {
  const tab = new ToeplitzTable(key, 12);
  const memo = new Map<string, Uint32Array>();
  return (field, offset) => {
    const k = `${field}@${offset}`;
    let out = memo.get(k);
    if (out) return out;
    out = new Uint32Array(flows.length);
    const col = field === 'src_ip' ? flows.srcIp : field === 'dst_ip' ? flows.dstIp : field === 'src_port' ? flows.srcPort : flows.dstPort;
    const wide = field === 'src_ip' || field === 'dst_ip';
    for (let f = 0; f < flows.length; f++) out[f] = wide ? tab.word32(offset, col[f]) : tab.word16(offset, col[f]);
    memo.set(k, out);
    return out;
  };
}

export function simulate(trace: Trace, candidates: readonly (readonly FlowField[])[], options: SimulateOptions): CandidateLoad[] {
  return simulateFlows(aggregateFlows(trace), candidates, options);
}
