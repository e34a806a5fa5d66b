// Toeplitz hashing as RSS NICs compute it (no I/O). The algorithm and the input layout (source
// address, destination address, source port, destination port, all big-endian) follow Microsoft's
// "RSS Hashing Functions" page; the verification vectors in the tests come from Microsoft's
// "Verifying the RSS Hash Calculation" page (also the Intel 82599 datasheet §7.1.2.8.3, as DPDK's
// app/test/test_thash.c uses them):
//   https://learn.microsoft.com/en-us/windows-hardware/drivers/network/rss-hashing-functions
//   https://learn.microsoft.com/en-us/windows-hardware/drivers/network/verifying-the-rss-hash-calculation
// Symmetric hash functions follow DPDK's `enum rte_eth_hash_function` (lib/ethdev/rte_ethdev.h):
//   symmetric_toeplitz:      "src, dst will be replaced by xor(src, dst). For the case with src/dst
//                            only, src or dst address will xor with zero pair."
//   symmetric_toeplitz_sort: "L3 and L4 fields are sorted prior to the hash function. If src_ip >
//                            dst_ip, swap src_ip and dst_ip. If src_port > dst_port, swap ..."
import { FOUR_TUPLE, type FlowField } from '../analysis/features';

/** The 40-byte key of Microsoft's verification suite, also DPDK drivers' usual default key. */
export const MICROSOFT_RSS_KEY: Uint8Array = parseKeyHex('6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa');

export const HASH_FUNCTIONS = ['toeplitz', 'symmetric_toeplitz', 'symmetric_toeplitz_sort'] as const;
export type HashFunction = (typeof HASH_FUNCTIONS)[number];

/** The fields a Toeplitz input can hold, in the order NICs lay them out. The protocol is never
 * hashed: it selects the hash type (ipv4-tcp, ipv4-udp...), not bits of the input. */
export const HASHED_FIELDS = FOUR_TUPLE;

/** A packet's flow identity. IPv4 addresses are unsigned 32-bit numbers, IPv6 addresses 16 bytes. */
export interface FiveTuple {
  srcIp: number | Uint8Array;
  dstIp: number | Uint8Array;
  srcPort: number;
  dstPort: number;
  protocol: number;
}

export function parseKeyHex(hex: string): Uint8Array {
  const clean = hex.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) {
    throw new RangeError(`an RSS key is an even number of hex digits, not "${hex.slice(0, 40)}"`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The repeated 0x6d5a key (Woo and Park, "Scalable TCP Session Monitoring with Symmetric RSS"):
 * its period of 16 bits makes the hash of (a, b) equal the hash of (b, a) for IPv4 and IPv6
 * address pairs and for port pairs, with plain Toeplitz.
 */
export function symmetricKey(length = 40): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = i % 2 === 0 ? 0x6d : 0x5a;
  return out;
}

/**
 * Toeplitz hash of `input` under `key`: for every set bit of the input (most significant bit of
 * byte 0 first), XOR in the 32 key bits that start at the same bit position. Works for any key
 * length of at least input length + 4 bytes (40 bytes covers IPv6 with ports, 36 bytes).
 */
export function toeplitzHash(key: Uint8Array, input: Uint8Array): number {
  if (key.length < input.length + 4) {
    throw new RangeError(`a ${key.length}-byte RSS key cannot hash ${input.length} input bytes (it needs ${input.length + 4})`);
  }
  let result = 0;
  // window = key bits [bit, bit + 32); the next key byte feeds it one bit at a time.
  let window = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  for (let i = 0; i < input.length; i++) {
    const next = key[i + 4];
    for (let b = 7; b >= 0; b--) {
      if (input[i] & (1 << b)) result ^= window;
      window = ((window << 1) | ((next >> b) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}

function addressBytes(a: number | Uint8Array): Uint8Array {
  if (typeof a !== 'number') return a;
  return new Uint8Array([(a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff]);
}

function portBytes(p: number): Uint8Array {
  return new Uint8Array([(p >>> 8) & 0xff, p & 0xff]);
}

function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError('source and destination addresses differ in family');
  return a.map((x, i) => x ^ b[i]);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * The bytes a NIC feeds to Toeplitz for `fields` of `t`: the selected fields packed in
 * HASHED_FIELDS order (an `l3-src-only` hash is the source address alone). With a symmetric hash
 * function the pairs are first combined as DPDK documents (see the header).
 */
export function rssInput(t: FiveTuple, fields: readonly FlowField[], func: HashFunction = 'toeplitz'): Uint8Array {
  let src = addressBytes(t.srcIp);
  let dst = addressBytes(t.dstIp);
  let sp = t.srcPort;
  let dp = t.dstPort;
  if (func === 'symmetric_toeplitz') {
    // xor(src, dst) for a pair; a lone src or dst "xors with zero", i.e. stays as it is.
    if (fields.includes('src_ip') && fields.includes('dst_ip')) src = dst = xorBytes(src, dst);
    if (fields.includes('src_port') && fields.includes('dst_port')) sp = dp = sp ^ dp;
  } else if (func === 'symmetric_toeplitz_sort') {
    if (compareBytes(src, dst) > 0) [src, dst] = [dst, src];
    if (sp > dp) [sp, dp] = [dp, sp];
  }
  const parts: Uint8Array[] = [];
  if (fields.includes('src_ip')) parts.push(src);
  if (fields.includes('dst_ip')) parts.push(dst);
  if (fields.includes('src_port')) parts.push(portBytes(sp));
  if (fields.includes('dst_port')) parts.push(portBytes(dp));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The RSS hash of a packet's tuple over `fields` (an empty input hashes to 0). */
export function rssHash(key: Uint8Array, t: FiveTuple, fields: readonly FlowField[], func: HashFunction = 'toeplitz'): number {
  return toeplitzHash(key, rssInput(t, fields, func));
}

/**
 * Byte tables for hashing many IPv4 tuples fast: Toeplitz is linear over XOR, so the hash is the
 * XOR of the contributions of each input byte, table[position * 256 + value].
 */
export class ToeplitzTable {
  readonly table: Uint32Array;
  constructor(
    key: Uint8Array,
    readonly inputLength: number,
  ) {
    this.table = new Uint32Array(inputLength * 256);
    const one = new Uint8Array(inputLength);
    for (let p = 0; p < inputLength; p++) {
      // Contributions of single bits, then every byte value as XOR of its bits.
      const bits: number[] = [];
      for (let b = 0; b < 8; b++) {
        one.fill(0);
        one[p] = 1 << b;
        bits.push(toeplitzHash(key, one));
      }
      for (let v = 1; v < 256; v++) {
        let h = 0;
        for (let b = 0; b < 8; b++) if (v & (1 << b)) h ^= bits[b];
        this.table[p * 256 + v] = h >>> 0;
      }
    }
  }
  /** Contribution of a 32-bit big-endian value placed at byte `offset`. */
  word32(offset: number, v: number): number {
    const t = this.table;
    const o = offset * 256;
    return (t[o + ((v >>> 24) & 0xff)] ^ t[o + 256 + ((v >>> 16) & 0xff)] ^ t[o + 512 + ((v >>> 8) & 0xff)] ^ t[o + 768 + (v & 0xff)]) >>> 0;
  }
  /** Contribution of a 16-bit big-endian value placed at byte `offset`. */
  word16(offset: number, v: number): number {
    const t = this.table;
    const o = offset * 256;
    return (t[o + ((v >>> 8) & 0xff)] ^ t[o + 256 + (v & 0xff)]) >>> 0;
  }
}

/**
 * A compiled hasher for IPv4 tuples over one field set, equal to rssHash (a test checks it on
 * random tuples) but a few table look-ups per packet.
 */
export function ipv4Hasher(
  key: Uint8Array,
  fields: readonly FlowField[],
  func: HashFunction = 'toeplitz',
): (srcIp: number, dstIp: number, srcPort: number, dstPort: number) => number {
  const hasSrc = fields.includes('src_ip');
  const hasDst = fields.includes('dst_ip');
  const hasSp = fields.includes('src_port');
  const hasDp = fields.includes('dst_port');
  const len = (hasSrc ? 4 : 0) + (hasDst ? 4 : 0) + (hasSp ? 2 : 0) + (hasDp ? 2 : 0);
  if (len === 0) return () => 0;
  const tab = new ToeplitzTable(key, len);
  const oSrc = 0;
  const oDst = hasSrc ? 4 : 0;
  const oSp = oDst + (hasDst ? 4 : 0);
  const oDp = oSp + (hasSp ? 2 : 0);
  const xorIps = func === 'symmetric_toeplitz' && hasSrc && hasDst;
  const xorPorts = func === 'symmetric_toeplitz' && hasSp && hasDp;
  const sort = func === 'symmetric_toeplitz_sort';
  return (s, d, sp, dp) => {
    if (xorIps) s = d = (s ^ d) >>> 0;
    if (xorPorts) sp = dp = sp ^ dp;
    if (sort) {
      if (s >>> 0 > d >>> 0) [s, d] = [d, s];
      if (sp > dp) [sp, dp] = [dp, sp];
    }
    let h = 0;
    if (hasSrc) h ^= tab.word32(oSrc, s);
    if (hasDst) h ^= tab.word32(oDst, d);
    if (hasSp) h ^= tab.word16(oSp, sp);
    if (hasDp) h ^= tab.word16(oDp, dp);
    return h >>> 0;
  };
}

/** Dotted IPv4 text to an unsigned 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** IPv6 text (with `::` compression, no embedded IPv4) to 16 bytes, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const s = text.trim();
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}
