// Synthetic traces for tests and benches: connections whose popularity follows a Zipf law, a few
// heavy sources that open many of them, and both directions of most connections. Deterministic
// for a seed.
import { TraceBuilder, type Trace } from './trace';

export interface SyntheticOptions {
  packets: number;
  /** Distinct connections. */
  connections?: number;
  /** Zipf exponent of connection popularity. */
  zipf?: number;
  /** Sources that open a large share of the connections. */
  heavySources?: number;
  /** Share of connections opened by a heavy source. */
  heavyShare?: number;
  /** Share of connections that also carry packets the other way. */
  twoWayShare?: number;
  seed?: number;
}

/** Mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticTrace(o: SyntheticOptions): Trace {
  const rand = prng(o.seed ?? 1);
  const n = Math.max(1, Math.floor(o.connections ?? 10_000));
  const s = o.zipf ?? 1.1;
  const heavy = Math.max(0, Math.floor(o.heavySources ?? 3));
  const heavyShare = o.heavyShare ?? 0.3;
  const twoWay = o.twoWayShare ?? 0.7;
  const u32 = () => Math.floor(rand() * 4294967296) >>> 0;
  const heavyIps = Array.from({ length: heavy }, () => u32());
  const client = new Uint32Array(n);
  const server = new Uint32Array(n);
  const cport = new Uint16Array(n);
  const sport = new Uint16Array(n);
  const proto = new Uint8Array(n);
  const both = new Uint8Array(n);
  const servers = Array.from({ length: 64 }, () => u32());
  const services = [80, 443, 53, 22, 8080, 123];
  for (let i = 0; i < n; i++) {
    client[i] = heavy > 0 && rand() < heavyShare ? heavyIps[Math.floor(rand() * heavy)] : u32();
    server[i] = servers[Math.floor(rand() * servers.length)];
    cport[i] = 1024 + Math.floor(rand() * 64000);
    sport[i] = services[Math.floor(rand() * services.length)];
    proto[i] = sport[i] === 53 || sport[i] === 123 ? 17 : 6;
    both[i] = rand() < twoWay ? 1 : 0;
  }
  // Zipf popularity: cumulative weights 1/k^s, sampled by binary search.
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) cdf[k] = acc += 1 / Math.pow(k + 1, s);
  const b = new TraceBuilder(o.packets);
  for (let p = 0; p < o.packets; p++) {
    const x = rand() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    if (both[lo] && rand() < 0.5) b.push(server[lo], client[lo], sport[lo], cport[lo], proto[lo]);
    else b.push(client[lo], server[lo], cport[lo], sport[lo], proto[lo]);
  }
  return b.finish();
}
