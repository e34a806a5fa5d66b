// RSS field sets as DPDK flow rules (testpmd syntax, what FastClick's FLOW_RULES_FILE holds) and as
// the `ethtool -N` steps for a NIC that FastClick cannot configure. DPDK's rss types hash the IPv4
// addresses (`ipv4`) and, for TCP/UDP, the ports too (`ipv4-tcp`, `ipv4-udp`); `l3-src-only`,
// `l3-dst-only`, `l4-src-only` and `l4-dst-only` narrow one layer to one side. The protocol number
// cannot be hashed, but one rule per protocol makes the queue a function of it; a set without an
// address cannot be expressed (DPDK always hashes some L3 field), so it is refused.
// A NIC profile narrows this: a set that needs an `*-only` type the driver lacks is refused, with
// the nearest set the NIC can hash. Symmetric hashing is written into the rss action as
// `func symmetric_toeplitz` (testpmd's rss action tokens, DPDK testpmd_funcs.rst "Action rss"), or
// as the repeated 0x6d5a `key` for a NIC whose only symmetric option is its key.
import { FLOW_FIELDS, formatKey, normalizeKey, type FlowField } from '../analysis/features';
import type { NicProfileData } from '../rss/nicProfiles';
import { symmetricKey } from '../rss/toeplitz';
import type { SymmetricHash } from '../solver/types';

export interface RulesOptions {
  /** The NIC the rules are for; without it every DPDK rss type is assumed to work. */
  nic?: Pick<NicProfileData, 'name' | 'capabilities' | 'keySize'>;
  /** Hash both directions of a connection to one queue. */
  symmetric?: SymmetricHash;
}

export type RulesVerdict = { ok: true; rules: string[]; notes: string[] } | { ok: false; reason: string };

/** The hash the driver applies when nothing is configured (IP|TCP|UDP: addresses and ports). */
export function isDriverDefault(fields: readonly FlowField[]): boolean {
  return fields.includes('src_ip') && fields.includes('dst_ip') && fields.includes('src_port') && fields.includes('dst_port');
}

/** Whether DPDK's rss types can hash exactly (or, for the protocol, by rule) this field set. */
export function expressibleAsFlowRules(fields: readonly FlowField[]): boolean {
  return fields.includes('src_ip') || fields.includes('dst_ip');
}

function sideModifier(layer: 'l3' | 'l4', src: boolean, dst: boolean): string | null {
  if (src && dst) return '';
  if (src) return `${layer}-src-only`;
  if (dst) return `${layer}-dst-only`;
  return null;
}

/**
 * One flow rule per line hashing `fields` over `queues`. TCP and UDP get their own rule (priority 0)
 * when ports are in the set; the IPv4 rule (priority 1 then) catches every other IPv4 packet,
 * which has no ports and is hashed on the addresses alone, a subset of the set.
 */
export function flowRulesFor(fields: readonly FlowField[], queues: readonly number[], options: RulesOptions = {}): RulesVerdict {
  if (queues.length === 0) return { ok: false, reason: 'no receive queue is known' };
  if (!expressibleAsFlowRules(fields)) {
    return { ok: false, reason: `DPDK rss types cannot hash ${formatKey([...fields])} without an IP address` };
  }
  const l3 = sideModifier('l3', fields.includes('src_ip'), fields.includes('dst_ip'))!;
  const l4 = sideModifier('l4', fields.includes('src_port'), fields.includes('dst_port'));
  const refused = options.nic ? unsupportedModifiers(options.nic.capabilities, [l3, l4]) : [];
  if (refused.length) {
    const nearest = normalizeKey([
      ...fields,
      ...(refused.some((m) => m.startsWith('l3')) ? (['src_ip', 'dst_ip'] as FlowField[]) : []),
      ...(refused.some((m) => m.startsWith('l4')) ? (['src_port', 'dst_port'] as FlowField[]) : []),
    ]);
    return {
      ok: false,
      reason: `${options.nic!.name} cannot hash ${formatKey([...fields])}: its driver has no ${refused.join(' or ')}; the nearest set it can hash is ${formatKey(nearest)}, which holds more fields (safe only for elements whose key holds them all)`,
    };
  }
  const q = `queues ${queues.join(' ')} end`;
  const sym = options.symmetric;
  // One token for both symmetric functions: mlx5 applies `symmetric_toeplitz` as its sort variant
  // (mlx5_flow.c), and testpmd parsers before the sort token exist reject `symmetric_toeplitz_sort`.
  const prefix = !sym
    ? []
    : sym.how === 'function'
      ? ['func', 'symmetric_toeplitz']
      : ['key', hex(symmetricKey(options.nic?.keySize ?? 40)), 'key_len', String(options.nic?.keySize ?? 40)];
  const types = (t: string, ...mods: Array<string | null>) => [...prefix, 'types', t, ...mods.filter((m): m is string => !!m)].join(' ');
  const rule = (priority: number | null, pattern: string, rssTypes: string) =>
    `ingress${priority === null ? '' : ` priority ${priority}`} pattern eth / ${pattern} / end actions rss ${rssTypes} end ${q} / end`;
  const notes: string[] = [];
  if (sym) {
    notes.push(
      sym.how === 'function'
        ? `hashed with func symmetric_toeplitz${sym.func !== 'symmetric_toeplitz' ? ` (which the driver applies as ${sym.func})` : ''}: both directions of a connection reach the same queue`
        : 'hashed with the repeated 0x6d5a key: both directions of a connection reach the same queue',
    );
  }
  if (fields.includes('protocol')) notes.push("the protocol is not hashed: one rule per protocol (TCP, UDP, other IPv4) keeps each protocol's flows apart");
  if (l4 === null) return { ok: true, rules: [rule(null, 'ipv4', types('ipv4', l3))], notes };
  return {
    ok: true,
    rules: [rule(0, 'ipv4 / tcp', types('ipv4-tcp', l3, l4)), rule(0, 'ipv4 / udp', types('ipv4-udp', l3, l4)), rule(1, 'ipv4', types('ipv4', l3))],
    notes: [...notes, 'IPv4 packets other than TCP and UDP have no ports and are hashed on the address(es) alone'],
  };
}

const MODIFIER_SUPPORT: Record<string, keyof NicProfileData['capabilities']> = {
  'l3-src-only': 'l3SrcOnly',
  'l3-dst-only': 'l3DstOnly',
  'l4-src-only': 'l4SrcOnly',
  'l4-dst-only': 'l4DstOnly',
};

function unsupportedModifiers(caps: NicProfileData['capabilities'], mods: Array<string | null>): string[] {
  return mods.filter((m): m is string => !!m && m in MODIFIER_SUPPORT && !caps[MODIFIER_SUPPORT[m]]);
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Whether a rules file's text asks for symmetric hashing (a symmetric func, or the 0x6d5a key). */
export function rulesAreSymmetric(text: string): boolean {
  return /\bfunc\s+symmetric_toeplitz(_sort)?\b/.test(text) || /\bkey\s+(6d5a){8,}/i.test(text);
}

/** The rules file's text: the rules, one per line, and a final newline. */
export function flowRulesText(rules: readonly string[]): string {
  return rules.join('\n') + '\n';
}

const ETHTOOL_LETTER: Record<FlowField, string> = { src_ip: 's', dst_ip: 'd', src_port: 'f', dst_port: 'n', protocol: '' };

/** `ethtool -N <if> rx-flow-hash ...` lines that make a kernel-driven NIC hash `fields`. */
export function ethtoolSteps(fields: readonly FlowField[], iface = '<if>'): string[] {
  const ip = FLOW_FIELDS.filter((f) => fields.includes(f) && f.endsWith('_ip'))
    .map((f) => ETHTOOL_LETTER[f])
    .join('');
  const l4 = FLOW_FIELDS.filter((f) => fields.includes(f) && f.endsWith('_port'))
    .map((f) => ETHTOOL_LETTER[f])
    .join('');
  if (!ip && !l4) return [];
  return ['tcp4', 'udp4'].map((t) => `ethtool -N ${iface} rx-flow-hash ${t} ${ip}${l4}`);
}
