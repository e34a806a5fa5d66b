// Real NICs as data: which RSS field sets each can hash, its RETA and key sizes, and how it can make
// the hash symmetric. Facts come from DPDK (commit 38f72e5, July 2026); README "NIC profiles" cites
// the file and line of each. A profile's field sets are derived from its capabilities, never listed
// by hand, so a user profile needs only the same few facts.
import { FLOW_FIELDS, normalizeKey, type FlowField } from '../analysis/features';
import { HASH_FUNCTIONS, type HashFunction } from './toeplitz';

export interface NicCapabilities {
  /** rss types `l3-src-only` / `l3-dst-only`: hash one address alone. */
  l3SrcOnly: boolean;
  l3DstOnly: boolean;
  /** `l4-src-only` / `l4-dst-only`: hash one port (with the address part). */
  l4SrcOnly: boolean;
  l4DstOnly: boolean;
  /** Ports without any address ("L4 only"). */
  l4WithoutL3: boolean;
}

export interface NicProfileData {
  id: string;
  name: string;
  /** DPDK driver. */
  driver: string;
  capabilities: NicCapabilities;
  /** RETA entries a DPDK application gets by default (dev_info.reta_size). */
  retaSize: number;
  /** RSS key bytes (dev_info.hash_key_size). */
  keySize: number;
  /** The key can be replaced (rss_hash_update), so the repeated 0x6d5a key can make it symmetric. */
  keyConfigurable: boolean;
  /** Symmetric hash functions the driver accepts besides plain Toeplitz. */
  symmetricFunctions: HashFunction[];
  /** The symmetric function refuses `l3/l4-*-only` types (it needs both of each pair). */
  symmetricNeedsPairs: boolean;
  /** One line per fact, where it comes from. */
  sources: string[];
}

export const BUILTIN_NIC_IDS = ['ice', 'i40e', 'ixgbe', 'mlx5'] as const;
export type BuiltinNicId = (typeof BUILTIN_NIC_IDS)[number];

const ALL_ONLY: NicCapabilities = { l3SrcOnly: true, l3DstOnly: true, l4SrcOnly: true, l4DstOnly: true, l4WithoutL3: false };

export const BUILTIN_NIC_PROFILES: Record<BuiltinNicId, NicProfileData> = {
  ice: {
    id: 'ice',
    name: 'Intel E810 (ice)',
    driver: 'ice',
    capabilities: ALL_ONLY,
    retaSize: 512,
    keySize: 52,
    keyConfigurable: true,
    symmetricFunctions: ['symmetric_toeplitz'],
    symmetricNeedsPairs: true,
    sources: [
      'field sets: drivers/net/intel/ice/ice_hash.c VALID_RSS_ATTR (L3/L4 SRC/DST_ONLY)',
      'RETA 512: drivers/net/intel/ice/ice_ethdev.c hash_lut_size = min(rss_table_size, RTE_ETH_RSS_RETA_SIZE_512); dev_info->reta_size = pf->hash_lut_size',
      'key 52 bytes: ice_ethdev.c hash_key_size = (VSIQF_HKEY_MAX_INDEX + 1) * 4, VSIQF_HKEY_MAX_INDEX 12 (base/ice_hw_autogen.h)',
      'symmetric: ice_hash.c ice_any_invalid_rss_type accepts SYMMETRIC_TOEPLITZ without *_ONLY types',
    ],
  },
  i40e: {
    id: 'i40e',
    name: 'Intel XL710 (i40e)',
    driver: 'i40e',
    capabilities: ALL_ONLY,
    retaSize: 512,
    keySize: 52,
    keyConfigurable: true,
    symmetricFunctions: ['symmetric_toeplitz'],
    symmetricNeedsPairs: false,
    sources: [
      'field sets: drivers/net/intel/i40e/i40e_hash.c I40E_HASH_L23_RSS_MASK / I40E_HASH_L234_RSS_MASK (L3/L4 SRC/DST_ONLY); doc/guides/nics/i40e.rst "RSS Flow" (ipv4-tcp l3-src-only)',
      'RETA 512: i40e_ethdev.c pf->hash_lut_size = hw->func_caps.rss_table_size (128 or 512; 512 on the PF)',
      'key 52 bytes: i40e_ethdev.c hash_key_size = (I40E_PFQF_HKEY_MAX_INDEX + 1) * 4, I40E_PFQF_HKEY_MAX_INDEX 12',
      'symmetric: i40e_hash.c accepts SYMMETRIC_TOEPLITZ with a pattern (not with an empty one); i40e.rst "func symmetric_toeplitz"',
    ],
  },
  ixgbe: {
    id: 'ixgbe',
    name: 'Intel 82599 (ixgbe)',
    driver: 'ixgbe',
    capabilities: { l3SrcOnly: false, l3DstOnly: false, l4SrcOnly: false, l4DstOnly: false, l4WithoutL3: false },
    retaSize: 128,
    keySize: 40,
    keyConfigurable: true,
    symmetricFunctions: [],
    symmetricNeedsPairs: false,
    sources: [
      'field sets: drivers/net/intel/ixgbe never reads RTE_ETH_RSS_L3_*/L4_*_ONLY; it hashes ipv4 (address pair) or ipv4-tcp/udp (4-tuple)',
      'RETA 128: ixgbe_ethdev.c ixgbe_reta_size_get() default case RTE_ETH_RSS_RETA_SIZE_128 (82599)',
      'key 40 bytes: ixgbe_ethdev.c hash_key_size = IXGBE_HKEY_MAX_INDEX * 4, IXGBE_HKEY_MAX_INDEX 10 (ixgbe_ethdev.h)',
      'symmetric: no SYMMETRIC_TOEPLITZ in drivers/net/intel/ixgbe; the key is configurable (.rss_hash_update), so only the 0x6d5a key',
    ],
  },
  mlx5: {
    id: 'mlx5',
    name: 'NVIDIA ConnectX-5/6 (mlx5)',
    driver: 'mlx5',
    capabilities: { ...ALL_ONLY, l4WithoutL3: true },
    retaSize: 512,
    keySize: 40,
    keyConfigurable: true,
    symmetricFunctions: ['symmetric_toeplitz_sort'],
    symmetricNeedsPairs: false,
    sources: [
      'field sets: doc/guides/nics/mlx5.rst RSS: "L3 only, L4 only or both, and source only, destination only or both"',
      'RETA: mlx5_ethdev.c reta_idx_n = nb queues when a power of two, else ind_table_max_size; linux/mlx5_os.c caps it at RTE_ETH_RSS_RETA_SIZE_512',
      'key 40 bytes: drivers/common/mlx5/mlx5_prm.h MLX5_RSS_HASH_KEY_LEN 40',
      'symmetric: mlx5.rst "symmetric RSS function is supported by swapping source and destination addresses and ports"; mlx5_flow.c maps SYMMETRIC_TOEPLITZ to SORT',
    ],
  },
};

const ADDRESS_PARTS = (c: NicCapabilities): FlowField[][] => [
  ['src_ip', 'dst_ip'],
  ...(c.l3SrcOnly ? [['src_ip'] as FlowField[]] : []),
  ...(c.l3DstOnly ? [['dst_ip'] as FlowField[]] : []),
];
const PORT_PARTS = (c: NicCapabilities): FlowField[][] => [
  [],
  ['src_port', 'dst_port'],
  ...(c.l4SrcOnly ? [['src_port'] as FlowField[]] : []),
  ...(c.l4DstOnly ? [['dst_port'] as FlowField[]] : []),
];

/**
 * The RSS field sets a NIC can hash: an address part (both, or one with `l3-*-only`) with an
 * optional port part (both, or one with `l4-*-only`), or ports alone when it hashes L4 without L3;
 * each also with `protocol`, which per-protocol rules keep apart (the protocol is not hashed).
 */
export function nicFieldSets(c: NicCapabilities): FlowField[][] {
  const bases: FlowField[][] = [];
  for (const a of ADDRESS_PARTS(c)) for (const p of PORT_PARTS(c)) bases.push([...a, ...p]);
  if (c.l4WithoutL3) for (const p of PORT_PARTS(c)) if (p.length) bases.push([...p]);
  const out: FlowField[][] = [];
  const seen = new Set<string>();
  for (const b of bases) {
    for (const s of [b, [...b, 'protocol' as FlowField]]) {
      const n = normalizeKey(s);
      const k = n.join(',');
      if (!seen.has(k)) {
        seen.add(k);
        out.push(n);
      }
    }
  }
  // FLOW_FIELDS order of sets: by bitmask, as allSubsets() lists them.
  const mask = (s: FlowField[]) => s.reduce((m, f) => m | (1 << FLOW_FIELDS.indexOf(f)), 0);
  return out.sort((x, y) => mask(x) - mask(y));
}

/** Whether the NIC can hash `fields` so that both directions of a connection meet. */
export function symmetricOptions(p: NicProfileData, fields: readonly FlowField[]): { key: boolean; functions: HashFunction[] } {
  const pairOk = fields.includes('src_ip') === fields.includes('dst_ip') && fields.includes('src_port') === fields.includes('dst_port');
  const hasPairs = fields.includes('src_ip') || fields.includes('src_port');
  const symmetricSet = pairOk && hasPairs;
  return {
    key: symmetricSet && p.keyConfigurable,
    functions: symmetricSet ? p.symmetricFunctions : [],
  };
}

/**
 * A user profile from settings (`flowmage.solver.customNicProfile`): `{ id, name?, l3SrcOnly?,
 * l3DstOnly?, l4SrcOnly?, l4DstOnly?, l4WithoutL3?, retaSize?, keySize?, symmetricFunctions? }`.
 * Problems are reported and the profile skipped; nothing throws.
 */
export function parseUserNicProfile(raw: unknown, problems: string[]): NicProfileData | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('a user NIC profile must be an object with an "id"');
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' ? r.id.trim() : '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) {
    problems.push(`a user NIC profile needs an "id" of letters, digits, ".", "_" or "-" (got ${JSON.stringify(r.id)?.slice(0, 40)})`);
    return undefined;
  }
  const bool = (k: string) => {
    if (r[k] === undefined) return false;
    if (typeof r[k] !== 'boolean') problems.push(`NIC profile "${id}": "${k}" must be true or false; taken as false`);
    return r[k] === true;
  };
  const powerOfTwo = (k: string, dflt: number) => {
    const v = r[k];
    if (v === undefined) return dflt;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 65536 && (v & (v - 1)) === 0) return v;
    problems.push(`NIC profile "${id}": "${k}" must be a power of two up to 65536; using ${dflt}`);
    return dflt;
  };
  let keySize = 40;
  if (r.keySize !== undefined) {
    if (typeof r.keySize === 'number' && Number.isInteger(r.keySize) && r.keySize >= 16 && r.keySize <= 256) keySize = r.keySize;
    else problems.push(`NIC profile "${id}": "keySize" must be an integer from 16 to 256 bytes; using 40`);
  }
  const functions: HashFunction[] = [];
  if (r.symmetricFunctions !== undefined) {
    const list = Array.isArray(r.symmetricFunctions) ? r.symmetricFunctions : [];
    for (const f of list) {
      if ((HASH_FUNCTIONS as readonly unknown[]).includes(f) && f !== 'toeplitz') functions.push(f as HashFunction);
      else problems.push(`NIC profile "${id}": unknown symmetric function ${JSON.stringify(f)?.slice(0, 40)} (use symmetric_toeplitz or symmetric_toeplitz_sort)`);
    }
    if (!Array.isArray(r.symmetricFunctions)) problems.push(`NIC profile "${id}": "symmetricFunctions" must be a list`);
  }
  return {
    id,
    name: typeof r.name === 'string' && r.name.trim() ? r.name.trim().slice(0, 80) : id,
    driver: typeof r.driver === 'string' ? r.driver.slice(0, 40) : 'user',
    capabilities: { l3SrcOnly: bool('l3SrcOnly'), l3DstOnly: bool('l3DstOnly'), l4SrcOnly: bool('l4SrcOnly'), l4DstOnly: bool('l4DstOnly'), l4WithoutL3: bool('l4WithoutL3') },
    retaSize: powerOfTwo('retaSize', 128),
    keySize,
    keyConfigurable: r.keyConfigurable !== false,
    symmetricFunctions: functions,
    symmetricNeedsPairs: r.symmetricNeedsPairs === true,
    sources: ['user settings'],
  };
}
