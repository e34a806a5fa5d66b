import * as assert from 'node:assert';
import fc from 'fast-check';
import type { FlowField } from '../../../server/src/core/analysis/features';
import { defaultReta, queueOf } from '../../../server/src/core/rss/reta';
import {
  MICROSOFT_RSS_KEY,
  ipv4Hasher,
  parseIpv4,
  parseIpv6,
  parseKeyHex,
  rssHash,
  rssInput,
  symmetricKey,
  toeplitzHash,
  type FiveTuple,
  type HashFunction,
} from '../../../server/src/core/rss/toeplitz';

// Microsoft, "Verifying the RSS Hash Calculation"
// (https://learn.microsoft.com/en-us/windows-hardware/drivers/network/verifying-the-rss-hash-calculation),
// the same table as the Intel 82599 datasheet §7.1.2.8.3 and DPDK app/test/test_thash.c.
// [destination, destination port, source, source port, IPv4 only, IPv4 with TCP]
const IPV4_VECTORS: [string, number, string, number, number, number][] = [
  ['161.142.100.80', 1766, '66.9.149.187', 2794, 0x323e8fc2, 0x51ccc178],
  ['65.69.140.83', 4739, '199.92.111.2', 14230, 0xd718262a, 0xc626b0ea],
  ['12.22.207.184', 38024, '24.19.198.95', 12898, 0xd2d0a5de, 0x5c2b394a],
  ['209.142.163.6', 2217, '38.27.205.30', 48228, 0x82989176, 0xafc7327f],
  ['202.188.127.2', 1303, '153.39.163.191', 44251, 0x5d1809c5, 0x10e828a2],
];
const IPV6_VECTORS: [string, number, string, number, number, number][] = [
  ['3ffe:2501:200:3::1', 1766, '3ffe:2501:200:1fff::7', 2794, 0x2cc18cd5, 0x40207d3d],
  ['ff02::1', 4739, '3ffe:501:8::260:97ff:fe40:efab', 14230, 0x0f0c461c, 0xdde51bbf],
  ['fe80::200:f8ff:fe21:67cf', 38024, '3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 0x4b61e985, 0x02d1feef],
];
const L3: FlowField[] = ['src_ip', 'dst_ip'];
const L3L4: FlowField[] = ['src_ip', 'dst_ip', 'src_port', 'dst_port'];

const ipv4 = (s: string) => {
  const v = parseIpv4(s);
  assert.ok(v !== undefined, s);
  return v;
};
const ipv6 = (s: string) => {
  const v = parseIpv6(s);
  assert.ok(v !== undefined, s);
  return v;
};
const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');

describe('Toeplitz hash: Microsoft RSS verification suite', () => {
  it('the standard key parses to 40 bytes', () => {
    assert.strictEqual(MICROSOFT_RSS_KEY.length, 40);
    assert.strictEqual(MICROSOFT_RSS_KEY[0], 0x6d);
    assert.strictEqual(MICROSOFT_RSS_KEY[39], 0xfa);
  });
  for (const [dst, dport, src, sport, l3, l3l4] of IPV4_VECTORS) {
    it(`IPv4 ${src}:${sport} -> ${dst}:${dport}`, () => {
      const t: FiveTuple = { srcIp: ipv4(src), dstIp: ipv4(dst), srcPort: sport, dstPort: dport, protocol: 6 };
      assert.strictEqual(hex(rssHash(MICROSOFT_RSS_KEY, t, L3)), hex(l3));
      assert.strictEqual(hex(rssHash(MICROSOFT_RSS_KEY, t, L3L4)), hex(l3l4));
      // The table-driven hasher the simulator uses gives the same.
      assert.strictEqual(hex(ipv4Hasher(MICROSOFT_RSS_KEY, L3)(t.srcIp as number, t.dstIp as number, sport, dport)), hex(l3));
      assert.strictEqual(hex(ipv4Hasher(MICROSOFT_RSS_KEY, L3L4)(t.srcIp as number, t.dstIp as number, sport, dport)), hex(l3l4));
    });
  }
  for (const [dst, dport, src, sport, l3, l3l4] of IPV6_VECTORS) {
    it(`IPv6 ${src}:${sport} -> ${dst}:${dport}`, () => {
      const t: FiveTuple = { srcIp: ipv6(src), dstIp: ipv6(dst), srcPort: sport, dstPort: dport, protocol: 6 };
      assert.strictEqual(hex(rssHash(MICROSOFT_RSS_KEY, t, L3)), hex(l3));
      assert.strictEqual(hex(rssHash(MICROSOFT_RSS_KEY, t, L3L4)), hex(l3l4));
    });
  }
  it('works with longer keys (52 bytes, as E810 uses) and rejects keys too short for the input', () => {
    const long = new Uint8Array(52);
    long.set(MICROSOFT_RSS_KEY);
    const t: FiveTuple = { srcIp: ipv4('66.9.149.187'), dstIp: ipv4('161.142.100.80'), srcPort: 2794, dstPort: 1766, protocol: 6 };
    // The hash of a 12-byte input only reads the first 16 key bytes.
    assert.strictEqual(rssHash(long, t, L3L4), 0x51ccc178);
    assert.throws(() => toeplitzHash(new Uint8Array(8), new Uint8Array(12)), /cannot hash 12 input bytes/);
    assert.throws(() => parseKeyHex('6d5'), /even number of hex digits/);
  });
  it('an input is the selected fields packed in order (l3-src-only hashes the source address alone)', () => {
    const t: FiveTuple = { srcIp: 0x01020304, dstIp: 0x05060708, srcPort: 0x0a0b, dstPort: 0x0c0d, protocol: 17 };
    assert.deepStrictEqual([...rssInput(t, ['src_ip'])], [1, 2, 3, 4]);
    assert.deepStrictEqual([...rssInput(t, ['dst_ip', 'dst_port'])], [5, 6, 7, 8, 0x0c, 0x0d]);
    assert.deepStrictEqual([...rssInput(t, ['protocol'])], []);
  });
});

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const SUBSETS: FlowField[][] = [];
for (let m = 1; m < 16; m++) SUBSETS.push((['src_ip', 'dst_ip', 'src_port', 'dst_port'] as FlowField[]).filter((_, i) => m & (1 << i)));

describe('Toeplitz hash: properties', () => {
  it('the table-driven IPv4 hasher equals the bitwise definition for every field set and function', () => {
    fc.assert(
      fc.property(
        u32,
        u32,
        u16,
        u16,
        fc.constantFrom(...SUBSETS),
        fc.constantFrom<HashFunction>('toeplitz', 'symmetric_toeplitz', 'symmetric_toeplitz_sort'),
        (s, d, sp, dp, fields, func) => {
          const t: FiveTuple = { srcIp: s, dstIp: d, srcPort: sp, dstPort: dp, protocol: 6 };
          assert.strictEqual(ipv4Hasher(MICROSOFT_RSS_KEY, fields, func)(s, d, sp, dp), rssHash(MICROSOFT_RSS_KEY, t, fields, func));
        },
      ),
      { numRuns: 300 },
    );
  });

  const reta = defaultReta(128, 16);
  const swapped = (t: FiveTuple): FiveTuple => ({ srcIp: t.dstIp, dstIp: t.srcIp, srcPort: t.dstPort, dstPort: t.srcPort, protocol: t.protocol });
  const tuple4 = fc.record({ srcIp: u32, dstIp: u32, srcPort: u16, dstPort: u16, protocol: fc.constant(6) });
  const tuple6 = fc.record({
    srcIp: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    dstIp: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    srcPort: u16,
    dstPort: u16,
    protocol: fc.constant(6),
  });

  for (const [what, fields] of [
    ['address pair', L3],
    ['4-tuple', L3L4],
  ] as const) {
    it(`swapped ${what} lands on the same queue with the 0x6d5a key (IPv4 and IPv6)`, () => {
      const key = symmetricKey(40);
      fc.assert(
        fc.property(fc.oneof(tuple4, tuple6), (t) => {
          assert.strictEqual(queueOf(reta, rssHash(key, t, fields)), queueOf(reta, rssHash(key, swapped(t), fields)));
          assert.strictEqual(rssHash(key, t, fields), rssHash(key, swapped(t), fields));
        }),
      );
    });
    for (const func of ['symmetric_toeplitz', 'symmetric_toeplitz_sort'] as const) {
      it(`swapped ${what} gives the same hash with ${func} and the default key`, () => {
        fc.assert(
          fc.property(fc.oneof(tuple4, tuple6), (t) => {
            assert.strictEqual(rssHash(MICROSOFT_RSS_KEY, t, fields, func), rssHash(MICROSOFT_RSS_KEY, swapped(t), fields, func));
          }),
        );
      });
    }
    it(`swapped ${what} does not in general land on the same queue with the default key and function`, () => {
      // fast-check must find a counterexample to "symmetric": the property fails.
      const result = fc.check(
        fc.property(tuple4, (t) => queueOf(reta, rssHash(MICROSOFT_RSS_KEY, t, fields)) === queueOf(reta, rssHash(MICROSOFT_RSS_KEY, swapped(t), fields))),
        { seed: 11 },
      );
      assert.ok(result.failed, 'expected a tuple whose reverse direction lands on another queue');
      const [t] = result.counterexample!;
      assert.notStrictEqual(queueOf(reta, rssHash(MICROSOFT_RSS_KEY, t, fields)), queueOf(reta, rssHash(MICROSOFT_RSS_KEY, swapped(t), fields)));
    });
  }
  it('a lone address is not symmetric even with symmetric_toeplitz (it xors with a zero pair)', () => {
    const t: FiveTuple = { srcIp: ipv4('10.0.0.1'), dstIp: ipv4('10.0.0.2'), srcPort: 1, dstPort: 2, protocol: 6 };
    assert.notStrictEqual(rssHash(MICROSOFT_RSS_KEY, t, ['src_ip'], 'symmetric_toeplitz'), rssHash(MICROSOFT_RSS_KEY, swapped(t), ['src_ip'], 'symmetric_toeplitz'));
  });
});

describe('RETA', () => {
  for (const size of [64, 128, 512]) {
    it(`${size} entries: DPDK's default fill and queue = reta[hash & ${size - 1}]`, () => {
      const reta = defaultReta(size, 6);
      assert.strictEqual(reta.length, size);
      for (let i = 0; i < size; i++) assert.strictEqual(reta[i], i % 6);
      assert.strictEqual(queueOf(reta, size + 5), 5);
      assert.strictEqual(queueOf(reta, 0xffffffff), (size - 1) % 6);
    });
  }
  it('spreads random hashes over the queues within a few percent (entries per queue differ by one at most)', () => {
    const nbQueues = 6;
    for (const size of [64, 128, 512]) {
      const reta = defaultReta(size, nbQueues);
      const entries = new Array(nbQueues).fill(0);
      for (const q of reta) entries[q]++;
      assert.ok(Math.max(...entries) - Math.min(...entries) <= 1);
      const counts = new Array(nbQueues).fill(0);
      const hash = ipv4Hasher(MICROSOFT_RSS_KEY, L3L4);
      const n = 60_000;
      let x = 12345;
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        counts[queueOf(reta, hash(x, ~x >>> 0, x & 0xffff, (x >>> 16) & 0xffff))]++;
      }
      for (let q = 0; q < nbQueues; q++) {
        const expected = (n * entries[q]) / size;
        assert.ok(Math.abs(counts[q] - expected) / expected < 0.05, `queue ${q}: ${counts[q]} packets, expected ~${expected.toFixed(0)} (RETA ${size})`);
      }
    }
  });
  it('rejects sizes that are not powers of two and bad queue counts', () => {
    assert.throws(() => defaultReta(100, 4), /power of two/);
    assert.throws(() => defaultReta(128, 0), /positive integer/);
  });
});
