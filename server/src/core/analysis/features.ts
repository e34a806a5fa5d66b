// The feature vocabulary of FlowMage (paper §3.1, docs/ARCHITECTURE.md §2), shared by the static analyzer,
// the LLM extractor, the feature store, the solver and every view. Do not widen it casually.

export const FLOW_FIELDS = ['src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol'] as const;
export type FlowField = (typeof FLOW_FIELDS)[number];
/** The 5-tuple without the protocol: what a Toeplitz input holds and what most NICs hash at most. */
export const FOUR_TUPLE = ['src_ip', 'dst_ip', 'src_port', 'dst_port'] as const satisfies readonly FlowField[];

/**
 * Key fields outside the 5-tuple: no RSS field set can keep state keyed only by them on one core,
 * though RSS fields in the same key can (state keyed by src_ip and ip_id stays together under RSS
 * on src_ip). `other` is packet data the analysis recognises as a key but has no name for.
 */
export const OTHER_KEY_FIELDS = ['src_mac', 'dst_mac', 'vlan', 'ip_id', 'ip_frag', 'tcp_seq', 'aggregate_anno', 'paint_anno', 'flow_id_anno', 'tunnel_id', 'other'] as const;
export type OtherKeyField = (typeof OTHER_KEY_FIELDS)[number];

export function isOtherKeyField(tag: string): tag is OtherKeyField {
  return (OTHER_KEY_FIELDS as readonly string[]).includes(tag);
}

export type Intensity = 'per-packet' | 'per-flow';
export type Confidence = 'high' | 'medium' | 'low';

/** Where a conclusion comes from in the C++ sources. Lines and columns are 0-based. */
export interface Evidence {
  /** Which feature this supports. */
  feature: FeatureName | 'stateObject' | 'direction' | 'fragments';
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** One line a person can read: "`ip_dst` read in `calculate_hash`, the key of `_table`". */
  reason: string;
}

export interface StateObject {
  name: string;
  type: string;
  /** Where it is declared. */
  file: string;
  line: number;
  /** The key fields it is indexed by; empty when global (not per flow). */
  keyFields: FlowField[];
  /** Key fields outside the 5-tuple. */
  otherKeyFields?: OtherKeyField[];
  /** How it is written: on every packet, only when a flow starts/ends, or never seen written. */
  writes: Intensity | 'none';
  /** Holds pointers (linked nodes, pointer members, pointer-valued maps). */
  pointers: boolean;
}

/**
 * The paper's four features, the shape every source gives them in (the static analysis, the LLM's
 * answer, the feature store, the merge the solver reads). Stateless: flowKey [] and intensity null.
 */
export interface CoreFeatures {
  stateful: boolean;
  flowKey: FlowField[];
  intensity: Intensity | null;
  pointerChasing: boolean;
}

export const FEATURE_NAMES = ['stateful', 'flowKey', 'intensity', 'pointerChasing'] as const satisfies ReadonlyArray<keyof CoreFeatures>;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** The four features plus what supports them. */
export interface ElementFeatures extends CoreFeatures {
  /** Key fields outside the 5-tuple (MAC addresses, annotations, IP id, ...); absent or [] when none. */
  otherKeyFields?: OtherKeyField[];
  /**
   * State created by packets of one direction is also looked up with the fields swapped (NATs,
   * stateful firewalls, TCP trackers): shared-nothing then needs hashing symmetric over the key.
   */
  bidirectional?: boolean;
  /**
   * Input port → the direction its packets carry, where the code tells it (`if (port == 0)`, a flag
   * set from `port == 0`): `reverse` ports look the state up with swapped fields.
   */
  directionPorts?: Record<string, 'forward' | 'reverse'>;
  /** Keyed by fragment identity (IP id, fragment offset): non-first fragments carry no ports. */
  fragments?: boolean;
  stateObjects: StateObject[];
  evidence: Evidence[];
  confidence: Confidence;
  /** Features the code does not decide, e.g. ['flowKey'] when a key is hashed from an opaque helper. */
  unknown: FeatureName[];
}

/** Where a set of features came from: 'static' or 'llm:<model>'. */
export type Provenance = 'static' | `llm:${string}`;

export function normalizeKey(fields: Iterable<string>): FlowField[] {
  const set = new Set(fields);
  return FLOW_FIELDS.filter((f) => set.has(f));
}

export function normalizeOtherKey(fields: Iterable<string>): OtherKeyField[] {
  const set = new Set(fields);
  return OTHER_KEY_FIELDS.filter((f) => set.has(f));
}

export function formatKey(fields: readonly FlowField[]): string {
  if (fields.length === FLOW_FIELDS.length) return '5-tuple';
  return fields.length ? fields.join(' ') : '(none)';
}

/** Why RSS can or cannot keep state keyed (partly) outside the 5-tuple on one core, in one sentence. */
export function outsideKeyNote(flowKey: readonly FlowField[], other: readonly OtherKeyField[]): string {
  if (!flowKey.length) {
    return `Its state is keyed only by ${other.join(' ')}, outside the 5-tuple that RSS hashes: no RSS field set keeps the packets of one entry on one core, so the state must be shared across cores.`;
  }
  return `Its state is also keyed by ${other.join(' ')}, outside the 5-tuple; RSS on fields inside ${formatKey(flowKey)} still keeps every entry on one core.`;
}
