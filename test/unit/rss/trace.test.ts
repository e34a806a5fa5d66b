import * as assert from 'node:assert';
import type { FlowField } from '../../../server/src/core/analysis/features';
import { BUILTIN_NIC_PROFILES } from '../../../server/src/core/rss/nicProfiles';
import { readCapture, TraceFormatError } from '../../../server/src/core/rss/pcap';
import { defaultReta } from '../../../server/src/core/rss/reta';
import { imbalanceOf, profileReta, simulate } from '../../../server/src/core/rss/simulate';
import { syntheticTrace } from '../../../server/src/core/rss/synthetic';
import { MICROSOFT_RSS_KEY, rssHash, symmetricKey } from '../../../server/src/core/rss/toeplitz';
import { aggregateFlows } from '../../../server/src/core/rss/trace';
import { allSubsets } from '../../../server/src/core/solver/candidates';
import { ethernetFrame, writePcap, writePcapng, type TestPacket } from '../../support/captureWriter';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const PACKETS: TestPacket[] = [
  { src: ip(10, 0, 0, 1), dst: ip(192, 168, 1, 9), sport: 40000, dport: 443, proto: 6 },
  { src: ip(192, 168, 1, 9), dst: ip(10, 0, 0, 1), sport: 443, dport: 40000, proto: 6, vlan: 12 },
  { src: ip(10, 0, 0, 2), dst: ip(8, 8, 8, 8), sport: 5353, dport: 53, proto: 17 },
  { src: ip(10, 0, 0, 3), dst: ip(8, 8, 4, 4), sport: 1, dport: 2, proto: 17, fragOffset: 185 },
  { src: 0, dst: 0, sport: 0, dport: 0, proto: 6, etherType: 0x0806 },
];
const rows = (t: ReturnType<typeof readCapture>['trace']) => Array.from({ length: t.length }, (_, i) => [t.srcIp[i], t.dstIp[i], t.srcPort[i], t.dstPort[i], t.protocol[i]]);
const EXPECTED = [
  [ip(10, 0, 0, 1), ip(192, 168, 1, 9), 40000, 443, 6],
  [ip(192, 168, 1, 9), ip(10, 0, 0, 1), 443, 40000, 6],
  [ip(10, 0, 0, 2), ip(8, 8, 8, 8), 5353, 53, 17],
  [ip(10, 0, 0, 3), ip(8, 8, 4, 4), 0, 0, 17],
];

describe('pcap and pcapng reader', () => {
  for (const little of [true, false]) {
    it(`pcap (${little ? 'little' : 'big'}-endian): Ethernet, VLAN, TCP, UDP, a later fragment without ports, ARP skipped`, () => {
      const r = readCapture(writePcap(PACKETS.map(ethernetFrame), little));
      assert.strictEqual(r.format, 'pcap');
      assert.strictEqual(r.packets, 5);
      assert.deepStrictEqual(rows(r.trace), EXPECTED);
      assert.deepStrictEqual(r.skipped, { 'not IP': 1 });
      assert.strictEqual(r.warning, undefined);
    });
    it(`pcapng (${little ? 'little' : 'big'}-endian): the same packets, unknown blocks skipped`, () => {
      const r = readCapture(writePcapng(PACKETS.map(ethernetFrame), little));
      assert.strictEqual(r.format, 'pcapng');
      assert.deepStrictEqual(rows(r.trace), EXPECTED);
      assert.deepStrictEqual(r.skipped, { 'not IP': 1 });
    });
  }
  it('a capture cut short keeps the packets before the cut and says so', () => {
    const full = writePcap(PACKETS.slice(0, 3).map(ethernetFrame));
    const r = readCapture(full.slice(0, full.length - 10));
    assert.strictEqual(r.trace.length, 2);
    assert.match(r.warning ?? '', /cut short/);
    const ng = writePcapng(PACKETS.slice(0, 3).map(ethernetFrame));
    const r2 = readCapture(ng.slice(0, ng.length - 10));
    assert.strictEqual(r2.trace.length, 2);
    assert.match(r2.warning ?? '', /pcapng/);
  });
  it('other files are refused with a clear error; other link types are counted', () => {
    assert.throws(
      () => readCapture(new TextEncoder().encode('hello world')),
      (e: unknown) => e instanceof TraceFormatError && /not a pcap or pcapng/.test((e as Error).message),
    );
    assert.throws(() => readCapture(new Uint8Array(2)), TraceFormatError);
    const sll = readCapture(writePcap([ethernetFrame(PACKETS[0])], true, 113));
    assert.deepStrictEqual(sll.skipped, { 'link type 113': 1 });
  });
  it('never throws anything but TraceFormatError on random bytes', () => {
    let x = 7;
    for (let k = 0; k < 300; k++) {
      const base = k % 2 ? writePcap(PACKETS.map(ethernetFrame)) : writePcapng(PACKETS.map(ethernetFrame));
      const b = base.slice();
      for (let j = 0; j < 6; j++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        b[x % b.length] = x >>> 24;
      }
      try {
        readCapture(b);
      } catch (e) {
        assert.ok(e instanceof TraceFormatError, String(e));
      }
    }
  });
});

describe('synthetic traces and flow aggregation', () => {
  const trace = syntheticTrace({ packets: 20_000, connections: 2_000, seed: 5 });
  it('is deterministic for a seed, Zipf-skewed, with heavy sources and both directions', () => {
    const again = syntheticTrace({ packets: 20_000, connections: 2_000, seed: 5 });
    assert.deepStrictEqual(again.srcIp, trace.srcIp);
    const flows = aggregateFlows(trace);
    const counts = [...flows.packets].sort((a, b) => b - a);
    assert.ok(counts[0] > 20 * (trace.length / flows.length), `the top flow (${counts[0]}) is far above the mean`);
    // Some connections appear in both directions.
    const keys = new Set<string>();
    for (let f = 0; f < flows.length; f++) keys.add(`${flows.srcIp[f]}:${flows.srcPort[f]}>${flows.dstIp[f]}:${flows.dstPort[f]}/${flows.protocol[f]}`);
    let reversed = 0;
    for (let f = 0; f < flows.length; f++) if (keys.has(`${flows.dstIp[f]}:${flows.dstPort[f]}>${flows.srcIp[f]}:${flows.srcPort[f]}/${flows.protocol[f]}`)) reversed++;
    assert.ok(reversed > flows.length / 10, `${reversed} of ${flows.length} flows have their reverse`);
    // A few sources open many connections.
    const perSource = new Map<number, number>();
    for (let f = 0; f < flows.length; f++) perSource.set(flows.srcIp[f], (perSource.get(flows.srcIp[f]) ?? 0) + 1);
    assert.ok(Math.max(...perSource.values()) > 100);
  });
  it('aggregation keeps every packet and merges equal 5-tuples only', () => {
    const flows = aggregateFlows(trace);
    assert.strictEqual(
      flows.packets.reduce((a, b) => a + b, 0),
      trace.length,
    );
    const naive = new Map<string, number>();
    for (let i = 0; i < trace.length; i++) {
      const k = [trace.srcIp[i], trace.dstIp[i], trace.srcPort[i], trace.dstPort[i], trace.protocol[i]].join(',');
      naive.set(k, (naive.get(k) ?? 0) + 1);
    }
    assert.strictEqual(flows.length, naive.size);
    for (let f = 0; f < flows.length; f++)
      assert.strictEqual(flows.packets[f], naive.get([flows.srcIp[f], flows.dstIp[f], flows.srcPort[f], flows.dstPort[f], flows.protocol[f]].join(',')));
  });
});

describe('RSS simulation', () => {
  const trace = syntheticTrace({ packets: 6_000, connections: 800, seed: 9 });
  const nbQueues = 8;

  it('per candidate, packets and flows per queue and the imbalance match a packet-by-packet computation', () => {
    const reta = defaultReta(128, nbQueues);
    const candidates = allSubsets();
    const loads = simulate(trace, candidates, { reta, nbQueues });
    assert.strictEqual(loads.length, 31);
    for (const [c, fields] of candidates.entries()) {
      // Independent: the bitwise Toeplitz of each packet's own input, RETA by hand.
      const packets = new Array(nbQueues).fill(0);
      const flowsSeen = new Array(nbQueues).fill(null).map(() => new Set<string>());
      for (let i = 0; i < trace.length; i++) {
        const t = { srcIp: trace.srcIp[i], dstIp: trace.dstIp[i], srcPort: trace.srcPort[i], dstPort: trace.dstPort[i], protocol: trace.protocol[i] };
        const q = (rssHash(MICROSOFT_RSS_KEY, t, fields) % 128) % nbQueues;
        packets[q]++;
        flowsSeen[q].add(`${t.srcIp},${t.dstIp},${t.srcPort},${t.dstPort},${t.protocol}`);
      }
      const mean = trace.length / nbQueues;
      const expected = Math.max(...packets) / mean;
      assert.deepStrictEqual(loads[c].packets, packets, fields.join(' '));
      assert.deepStrictEqual(
        loads[c].flows,
        flowsSeen.map((s) => s.size),
        fields.join(' '),
      );
      assert.ok(Math.abs(loads[c].imbalance - expected) < 1e-12, `${fields.join(' ')}: ${loads[c].imbalance} vs ${expected}`);
    }
  });

  for (const func of ['symmetric_toeplitz', 'symmetric_toeplitz_sort'] as const) {
    it(`with ${func}, per-queue packets match a packet-by-packet computation`, () => {
      const reta = defaultReta(64, nbQueues);
      const candidates: FlowField[][] = [['src_ip'], ['src_ip', 'dst_ip'], ['src_ip', 'dst_ip', 'src_port', 'dst_port'], ['dst_ip', 'dst_port', 'protocol']];
      const loads = simulate(trace, candidates, { reta, nbQueues, func });
      for (const [c, fields] of candidates.entries()) {
        const packets = new Array(nbQueues).fill(0);
        for (let i = 0; i < trace.length; i++) {
          const t = { srcIp: trace.srcIp[i], dstIp: trace.dstIp[i], srcPort: trace.srcPort[i], dstPort: trace.dstPort[i], protocol: trace.protocol[i] };
          packets[(rssHash(MICROSOFT_RSS_KEY, t, fields, func) % 64) % nbQueues]++;
        }
        assert.deepStrictEqual(loads[c].packets, packets, `${func} ${fields.join(' ')}`);
      }
    });
  }

  it('heavy sources unbalance an RSS on the source address alone more than on the 4-tuple', () => {
    const big = syntheticTrace({ packets: 50_000, connections: 5_000, heavySources: 2, heavyShare: 0.5, zipf: 0.6, seed: 3 });
    const [src, four] = simulate(big, [['src_ip'], ['src_ip', 'dst_ip', 'src_port', 'dst_port']], { reta: defaultReta(128, nbQueues), nbQueues });
    assert.ok(src.imbalance > four.imbalance, `src_ip ${src.imbalance.toFixed(2)} vs 4-tuple ${four.imbalance.toFixed(2)}`);
    assert.ok(four.imbalance < 1.5);
  });

  it('with a symmetric key both directions of each connection share a queue', () => {
    const flowsFor = (key: Uint8Array) => {
      const fields: FlowField[] = ['src_ip', 'dst_ip', 'src_port', 'dst_port'];
      const reta = defaultReta(128, nbQueues);
      const queueOf = new Map<string, number>();
      let split = 0;
      for (let i = 0; i < trace.length; i++) {
        const t = { srcIp: trace.srcIp[i], dstIp: trace.dstIp[i], srcPort: trace.srcPort[i], dstPort: trace.dstPort[i], protocol: 6 };
        const q = reta[rssHash(key, t, fields) & 127];
        const conn = [Math.min(t.srcIp, t.dstIp), Math.max(t.srcIp, t.dstIp), Math.min(t.srcPort, t.dstPort), Math.max(t.srcPort, t.dstPort)].join();
        const prev = queueOf.get(conn);
        if (prev === undefined) queueOf.set(conn, q);
        else if (prev !== q) split++;
      }
      return split;
    };
    assert.strictEqual(flowsFor(symmetricKey(40)), 0);
    assert.ok(flowsFor(MICROSOFT_RSS_KEY) > 0);
  });

  it('profile RETAs: 512 entries on E810, 128 on 82599, the queue count on mlx5 when a power of two', () => {
    assert.strictEqual(profileReta(BUILTIN_NIC_PROFILES.ice, 6).length, 512);
    assert.strictEqual(profileReta(BUILTIN_NIC_PROFILES.ixgbe, 6).length, 128);
    assert.strictEqual(profileReta(BUILTIN_NIC_PROFILES.mlx5, 8).length, 8);
    assert.strictEqual(profileReta(BUILTIN_NIC_PROFILES.mlx5, 6).length, 512);
  });

  it('imbalance is max over mean, 1 when even, 0 for nothing', () => {
    assert.strictEqual(imbalanceOf([5, 5, 5, 5]), 1);
    assert.strictEqual(imbalanceOf([8, 0, 0, 0]), 4);
    assert.strictEqual(imbalanceOf([0, 0]), 0);
  });
});
