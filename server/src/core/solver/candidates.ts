// Candidate RSS field sets: which header fields the NIC can be told to hash (the paper's R).
import { FLOW_FIELDS, FOUR_TUPLE, normalizeKey, type FlowField } from '../analysis/features';
import { BUILTIN_NIC_PROFILES, nicFieldSets, parseUserNicProfile, symmetricOptions, type BuiltinNicId, type NicProfileData } from '../rss/nicProfiles';
import type { SymmetricHash } from './types';

export const NIC_PROFILES = ['all-subsets', 'dpdk-common', 'custom', 'ice', 'i40e', 'ixgbe', 'mlx5'] as const;
export type NicProfile = (typeof NIC_PROFILES)[number];

const isBuiltinNic = (p: NicProfile): p is BuiltinNicId => Object.prototype.hasOwnProperty.call(BUILTIN_NIC_PROFILES, p);

export const NIC_PROFILE_DESCRIPTIONS: Record<NicProfile, string> = {
  'all-subsets': "every non-empty subset of the 5-tuple (the paper's R; 31 candidates)",
  'dpdk-common': 'what common DPDK NICs hash: source IP only, destination IP only, the IP pair, the 4-tuple (IPs and ports) and the 5-tuple',
  custom: 'the field sets listed in `flowmage.solver.customFieldSets`, or those of the NIC described in `flowmage.solver.customNicProfile`',
  ice: 'Intel E810 (ice): address pair or one address, with both ports, one port or none (l3/l4-src/dst-only)',
  i40e: 'Intel XL710 (i40e): address pair or one address, with both ports, one port or none (l3/l4-src/dst-only)',
  ixgbe: 'Intel 82599 (ixgbe): the address pair or the 4-tuple only',
  mlx5: 'NVIDIA ConnectX-5/6 (mlx5): any addresses and ports, ports alone included (L3 only, L4 only or both; src/dst only)',
};

const DPDK_COMMON: FlowField[][] = [['src_ip'], ['dst_ip'], ['src_ip', 'dst_ip'], [...FOUR_TUPLE], [...FLOW_FIELDS]];

/** The driver's hashing when the configuration sets no RSS field: IP|TCP|UDP, i.e. the 5-tuple. */
export const DEFAULT_RSS: FlowField[] = [...FLOW_FIELDS];

export function allSubsets(): FlowField[][] {
  const out: FlowField[][] = [];
  for (let mask = 1; mask < 1 << FLOW_FIELDS.length; mask++) {
    out.push(FLOW_FIELDS.filter((_, i) => mask & (1 << i)));
  }
  return out;
}

/**
 * The candidate field sets for a profile, canonical (fields in FLOW_FIELDS order) and without
 * duplicates. Unknown field names in a custom list are reported in `problems` and skipped.
 */
export function candidateFieldSets(profile: NicProfile, custom: readonly (readonly string[])[] = [], problems: string[] = [], customNic?: Record<string, unknown>): FlowField[][] {
  let sets: FlowField[][];
  const userNic = profile === 'custom' && custom.length === 0 && customNic && Object.keys(customNic).length > 0 ? parseUserNicProfile(customNic, problems) : undefined;
  if (profile === 'all-subsets') sets = allSubsets();
  else if (profile === 'dpdk-common') sets = DPDK_COMMON.map((s) => [...s]);
  else if (isBuiltinNic(profile)) sets = nicFieldSets(BUILTIN_NIC_PROFILES[profile].capabilities);
  else if (userNic) sets = nicFieldSets(userNic.capabilities);
  else {
    sets = [];
    for (const raw of custom) {
      const bad = raw.filter((f) => !(FLOW_FIELDS as readonly string[]).includes(f));
      if (bad.length) problems.push(`custom RSS field set [${raw.join(', ')}] has unknown field(s) ${bad.join(', ')}; it is ignored`);
      else if (raw.length === 0) problems.push('an empty custom RSS field set is ignored (RSS must hash at least one field)');
      else sets.push(normalizeKey(raw));
    }
    if (sets.length === 0) {
      problems.push('no usable custom RSS field sets; falling back to the 5-tuple only');
      sets = [[...FLOW_FIELDS]];
    }
  }
  const seen = new Set<string>();
  return sets.filter((s) => {
    const k = s.join(',');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Parses a field list as written in a configuration (`"src_ip dst_ip"`, `src_ip,dst_ip`, `5-tuple`). */
export function parseFieldList(text: string): { fields: FlowField[]; unknown: string[] } {
  const words = text
    .replace(/^["']|["']$/g, '')
    .split(/[\s,|+]+/)
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const fields = new Set<FlowField>();
  const unknown: string[] = [];
  for (const w of words) {
    if (w === '5-tuple' || w === '5tuple' || w === 'all') FLOW_FIELDS.forEach((f) => fields.add(f));
    else if (w === '4-tuple' || w === '4tuple') FOUR_TUPLE.forEach((f) => fields.add(f));
    else if ((FLOW_FIELDS as readonly string[]).includes(w)) fields.add(w as FlowField);
    else unknown.push(w);
  }
  return { fields: normalizeKey(fields), unknown };
}

export function isSubset(r: readonly FlowField[], key: readonly FlowField[]): boolean {
  return r.length > 0 && r.every((f) => key.includes(f));
}

/**
 * The NIC behind a profile: a built-in one, the user's (custom profile with
 * flowmage.solver.customNicProfile), or undefined for the abstract profiles, which name field sets,
 * not a NIC.
 */
export function profileNic(profile: NicProfile, custom: readonly (readonly string[])[] = [], customNic?: Record<string, unknown>): NicProfileData | undefined {
  if (isBuiltinNic(profile)) return BUILTIN_NIC_PROFILES[profile];
  if (profile === 'custom' && custom.length === 0 && customNic && Object.keys(customNic).length > 0) return parseUserNicProfile(customNic, []);
  return undefined;
}

/**
 * How a NIC can hash `rss` symmetrically: its symmetric function if it has one, else the repeated
 * 0x6d5a key if the key can be set. An abstract profile is theoretical: it is assumed to offer
 * DPDK's `symmetric_toeplitz`.
 */
export function symmetricHashFor(nic: NicProfileData | undefined, rss: readonly FlowField[]): SymmetricHash | undefined {
  if (!nic) {
    const opts = symmetricOptions({ keyConfigurable: true, symmetricFunctions: ['symmetric_toeplitz'] } as NicProfileData, rss);
    return opts.functions.length ? { how: 'function', func: 'symmetric_toeplitz' } : undefined;
  }
  const opts = symmetricOptions(nic, rss);
  const func = opts.functions.find((f): f is Exclude<typeof f, 'toeplitz'> => f !== 'toeplitz');
  if (func) return { how: 'function', func };
  return opts.key ? { how: 'key' } : undefined;
}
