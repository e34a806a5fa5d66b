// Per-candidate RSS balance of a capture for a NIC profile: what `flowmage optimize --trace`
// prints. Core: takes the capture's bytes, does no I/O.
import type { FlowField } from '../analysis/features';
import { BUILTIN_NIC_PROFILES, type BuiltinNicId } from './nicProfiles';
import { readCapture } from './pcap';
import { defaultReta } from './reta';
import { profileReta, simulateFlows, type CandidateLoad } from './simulate';
import { aggregateFlows, type FlowTable } from './trace';

export interface TraceBalance {
  packets: number;
  kept: number;
  flows: number;
  skipped: Record<string, number>;
  warning?: string;
  queues: number;
  retaSize: number;
  loads: CandidateLoad[];
}

/** Throws TraceFormatError for a file that is no capture. */
export function traceBalance(capture: Uint8Array, nic: string, candidates: readonly (readonly FlowField[])[], queues: number): TraceBalance {
  const read = readCapture(capture);
  const flows = aggregateFlows(read.trace);
  const profile = Object.prototype.hasOwnProperty.call(BUILTIN_NIC_PROFILES, nic) ? BUILTIN_NIC_PROFILES[nic as BuiltinNicId] : undefined;
  // Abstract profiles get a 512-entry RETA, the largest DPDK programs.
  const reta = profile ? profileReta(profile, queues) : defaultReta(512, queues);
  return {
    packets: read.packets,
    kept: read.trace.length,
    flows: flows.length,
    skipped: read.skipped,
    warning: read.warning,
    queues,
    retaSize: reta.length,
    loads: simulateFlows(flows, candidates, { reta, nbQueues: queues }),
  };
}

export function traceBalanceLines(name: string, b: TraceBalance, chosen: ReadonlySet<string>): string[] {
  const skipped = Object.entries(b.skipped)
    .map(([why, n]) => `${n} ${why}`)
    .join(', ');
  const lines = [`trace ${name}: ${b.packets} packets, ${b.kept} IPv4 kept in ${b.flows} flows${skipped ? ` (skipped: ${skipped})` : ''}; ${b.queues} queues, RETA ${b.retaSize}`];
  if (b.warning) lines.push(`  warning: ${b.warning}`);
  lines.push('  imbalance (max / mean queue load) per candidate, packets and flows:');
  const sorted = [...b.loads].sort((x, y) => x.imbalance - y.imbalance);
  for (const l of sorted) {
    const key = l.fields.join(' ');
    lines.push(`  ${chosen.has(key) ? '*' : ' '} ${key}: ${l.imbalance.toFixed(2)} (flows ${l.flowImbalance.toFixed(2)})`);
  }
  return lines;
}

/** The largest capture the editor and the CLI read whole into memory. */
export const MAX_TRACE_BYTES = 512 * 1024 * 1024;

export interface TraceFlows {
  flows: FlowTable;
  packets: number;
  kept: number;
  skipped: Record<string, number>;
  warning?: string;
}

/** A capture's flows, what the solver simulates. Throws TraceFormatError for a file that is no capture. */
export function captureFlows(capture: Uint8Array): TraceFlows {
  const read = readCapture(capture);
  return { flows: aggregateFlows(read.trace), packets: read.packets, kept: read.trace.length, skipped: read.skipped, warning: read.warning };
}
