// How FastClick code names the fields of the flow vocabulary, and what FastClick's flow-context
// rules (`FLOW_ELEMENT_DEFINE_SESSION_CONTEXT("12/0/ffffffff:HASH-3 ...", FLOW_TCP)`) select.
import { FLOW_FIELDS, FOUR_TUPLE, type FlowField, type OtherKeyField } from './features';
import { dict } from '../dict';

/** Header struct members (clicknet/ip.h, tcp.h, udp.h) → flow field. */
export const HEADER_FIELDS: Record<string, FlowField> = dict({
  ip_src: 'src_ip',
  ip_dst: 'dst_ip',
  ip_p: 'protocol',
  th_sport: 'src_port',
  th_dport: 'dst_port',
  uh_sport: 'src_port',
  uh_dport: 'dst_port',
});

/** Header struct members outside the 5-tuple that can key state. */
export const OTHER_HEADER_FIELDS: Record<string, OtherKeyField> = {
  ether_shost: 'src_mac',
  ether_dhost: 'dst_mac',
  ip_id: 'ip_id',
  ip_off: 'ip_frag',
  th_seq: 'tcp_seq',
  th_ack: 'tcp_seq',
  evl_tag: 'vlan',
};

/** Packet annotations by the name of their macro or offset stem (`AGGREGATE_ANNO(p)`, `AGGREGATE_ANNO_OFFSET`). */
const ANNOTATION_FIELDS: Record<string, OtherKeyField> = {
  AGGREGATE: 'aggregate_anno',
  PAINT: 'paint_anno',
  PAINT2: 'paint_anno',
  FLOW_ID: 'flow_id_anno',
  VLAN_TCI: 'vlan',
};

/** The key field an annotation macro or offset names, or undefined when the name is not an annotation. */
export function annotationField(name: string): OtherKeyField | undefined {
  const m = /^(?:SET_)?([A-Z0-9_]+?)_ANNO(?:_OFFSET)?$/.exec(name);
  if (!m || name.startsWith('SET_')) return undefined;
  return ANNOTATION_FIELDS[m[1]] ?? 'other';
}

/** Accessor methods of IPFlowID / IPFlow5ID → flow field. */
export const FLOWID_ACCESSORS: Record<string, FlowField> = dict({
  saddr: 'src_ip',
  daddr: 'dst_ip',
  sport: 'src_port',
  dport: 'dst_port',
  proto: 'protocol',
});

/** Flow identifiers built from a packet, and the fields they hold. IPFlowID has no protocol. */
export const FLOW_ID_TYPES: Record<string, FlowField[]> = dict({
  IPFlowID: [...FOUR_TUPLE],
  IPFlow5ID: [...FLOW_FIELDS],
});

/** Field byte ranges in an IPv4 header without options followed by TCP/UDP (FastClick's classifier offsets). */
const FIELD_BYTES: Array<[FlowField, number, number]> = [
  ['protocol', 9, 10],
  ['src_ip', 12, 16],
  ['dst_ip', 16, 20],
  ['src_port', 20, 22],
  ['dst_port', 22, 24],
];

/** FastClick's session rules from include/click/flow/flowelement.hh, for trees that do not include it. */
export const BUILTIN_SESSION_RULES: Record<string, string> = dict({
  DEFAULT_4TUPLE: '12/0/ffffffff:HASH-3 16/0/ffffffff:HASH-3 20/0/ffffffff:HASH-3',
  TCP_SESSION: '9/06! 12/0/ffffffff:HASH-3 16/0/ffffffff:HASH-3 20/0/ffffffff:HASH-3',
  UDP_SESSION: '9/11! 12/0/ffffffff:HASH-3 16/0/ffffffff:HASH-3 20/0/ffffffff:HASH-3',
});

/** Flow contexts that fix the protocol of every packet of a session. */
export const PROTOCOL_CONTEXTS: Record<string, string> = dict({ FLOW_TCP: 'TCP', FLOW_UDP: 'UDP', FLOW_ICMP: 'ICMP' });

export interface SessionRuleResult {
  /** Fields fully covered by a mask: the session key. */
  keyed: FlowField[];
  /** Fields matched against a constant value (`9/06!`): the same for every packet of the session. */
  fixed: FlowField[];
  /** Fields only partly masked (a prefix): not usable as an RSS key. */
  partial: FlowField[];
  /** Tokens that could not be read. */
  unreadable: string[];
}

/**
 * Reads a rule such as `9/06! 12/0/ffffffff:HASH-3 16/0/ffffffff:HASH-3 22/0/ffff 20/0/ffff:ARRAY`.
 * Each token is `offset/value[/mask][!][:table]`; offsets are in the IP header.
 */
export function parseSessionRule(rule: string): SessionRuleResult {
  const masked = new Map<FlowField, { full: number; bytes: number }>();
  const fixed = new Set<FlowField>();
  const unreadable: string[] = [];
  for (const token of rule.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(\d+)\/([0-9a-fA-F]*)(?:\/([0-9a-fA-F]+))?(!?)(?::[\w-]+)?$/.exec(token);
    if (!m) {
      unreadable.push(token);
      continue;
    }
    const offset = Number(m[1]);
    const mask = m[3];
    if (mask === undefined) {
      const len = Math.max(1, Math.ceil(m[2].length / 2));
      for (const [field, s, e] of FIELD_BYTES) if (offset < e && offset + len > s) fixed.add(field);
      continue;
    }
    for (let i = 0; i < mask.length / 2; i++) {
      const byte = parseInt(mask.slice(2 * i, 2 * i + 2), 16);
      const at = offset + i;
      const entry = FIELD_BYTES.find(([, s, e]) => at >= s && at < e);
      if (!entry || byte === 0) continue;
      const cur = masked.get(entry[0]) ?? { full: 0, bytes: entry[2] - entry[1] };
      if (byte === 0xff) cur.full++;
      else cur.full -= 1000; // a partial byte: the field is only a prefix
      masked.set(entry[0], cur);
    }
  }
  const keyed: FlowField[] = [];
  const partial: FlowField[] = [];
  for (const f of FLOW_FIELDS) {
    const m = masked.get(f);
    if (!m) continue;
    if (m.full === m.bytes) keyed.push(f);
    else partial.push(f);
  }
  return { keyed, fixed: FLOW_FIELDS.filter((f) => fixed.has(f) && !keyed.includes(f)), partial, unreadable };
}
