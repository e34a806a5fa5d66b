// A trace simulated on one chain's queues, for the solver: each candidate's per-queue loads with the
// NIC profile's key and RETA (a 512-entry RETA, the largest DPDK programs, for abstract profiles).
// Loads are kept per flow table across analyses (the editor re-analyzes on every edit; the trace
// changes only when its file does), so a keystroke costs no re-simulation.
import type { FlowField } from '../analysis/features';
import type { NicProfileData } from '../rss/nicProfiles';
import { defaultReta } from '../rss/reta';
import { profileReta, simulateFlows, type CandidateLoad } from '../rss/simulate';
import { symmetricKey } from '../rss/toeplitz';
import type { FlowTable } from '../rss/trace';
import type { Candidate, Plan } from '../solver/types';

/** A capture reduced to its flows, as the solver simulates it. */
export interface TraceInput {
  /** How explanations name it (the path as given). */
  name: string;
  flows: FlowTable;
  /** Queues to simulate; default: the chain's receive queues, else 16. */
  queues?: number;
}

/** Per-candidate queue loads of the trace for one chain (plain hashing; the chosen one as planned). */
export interface ChainTrace {
  name: string;
  queues: number;
  retaSize: number;
  /** Every candidate the chain weighed, plain Toeplitz with the NIC's RETA. */
  loads: CandidateLoad[];
  /** The chosen hashing (symmetric when the plan is). */
  chosen: CandidateLoad;
  /** The hashing in place today (for per-queue load bars: current vs planned). */
  current: CandidateLoad;
}

const loadsByTrace = new WeakMap<FlowTable, Map<string, CandidateLoad>>();

/** Plain candidates are simulated in one pass (each field's contribution once), symmetric ones on demand. */
export function traceSimulator(trace: TraceInput, nic: NicProfileData | undefined, threads: number | null, plain: readonly FlowField[][]) {
  const queues = trace.queues ?? threads ?? 16;
  const reta = nic ? profileReta(nic, queues) : defaultReta(512, queues);
  const keySize = nic?.keySize ?? 40;
  let memo = loadsByTrace.get(trace.flows);
  if (!memo) loadsByTrace.set(trace.flows, (memo = new Map()));
  const cache = memo;
  // The queue a flow lands on depends on the RETA (size and queues) and, for the key form, the key size.
  const setup = `${reta.length}/${queues}/${keySize}`;
  const keyOf = (c: Candidate) => `${setup}|${c.rss.join(' ')}|${c.symmetric ? (c.symmetric.how === 'function' ? c.symmetric.func : 'key') : ''}`;
  const missing = plain.filter((c) => !cache.has(keyOf({ rss: c })));
  if (missing.length) simulateFlows(trace.flows, missing, { reta, nbQueues: queues }).forEach((l, i) => cache.set(keyOf({ rss: missing[i] }), l));
  const load = (c: Candidate): CandidateLoad => {
    const k = keyOf(c);
    let l = cache.get(k);
    if (!l) {
      const sym = c.symmetric;
      [l] = simulateFlows(trace.flows, [c.rss], {
        reta,
        nbQueues: queues,
        ...(sym?.how === 'function' ? { func: sym.func } : sym?.how === 'key' ? { key: symmetricKey(keySize) } : {}),
      });
      cache.set(k, l);
    }
    return l;
  };
  return {
    imbalance: (c: Candidate) => load(c).imbalance,
    report(candidates: readonly FlowField[][], plan: Plan, current: Candidate): ChainTrace {
      return {
        name: trace.name,
        queues,
        retaSize: reta.length,
        loads: candidates.map((c) => load({ rss: c })),
        chosen: load({ rss: plan.rss, symmetric: plan.symmetric }),
        current: load(current),
      };
    },
  };
}
