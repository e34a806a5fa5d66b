// A packet trace reduced to what RSS sees: one IPv4 5-tuple per packet, in columns (typed arrays)
// so a million packets cost a few megabytes and no objects.

export interface Trace {
  length: number;
  srcIp: Uint32Array;
  dstIp: Uint32Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  protocol: Uint8Array;
}

/** Appends packets to growable columns; `finish()` trims them to a Trace. */
export class TraceBuilder {
  private n = 0;
  private srcIp: Uint32Array;
  private dstIp: Uint32Array;
  private srcPort: Uint16Array;
  private dstPort: Uint16Array;
  private protocol: Uint8Array;

  constructor(capacity = 1024) {
    const c = Math.max(16, Math.floor(capacity));
    this.srcIp = new Uint32Array(c);
    this.dstIp = new Uint32Array(c);
    this.srcPort = new Uint16Array(c);
    this.dstPort = new Uint16Array(c);
    this.protocol = new Uint8Array(c);
  }

  get length(): number {
    return this.n;
  }

  push(srcIp: number, dstIp: number, srcPort: number, dstPort: number, protocol: number): void {
    if (this.n === this.srcIp.length) this.grow();
    const i = this.n++;
    this.srcIp[i] = srcIp;
    this.dstIp[i] = dstIp;
    this.srcPort[i] = srcPort;
    this.dstPort[i] = dstPort;
    this.protocol[i] = protocol;
  }

  private grow(): void {
    const c = this.srcIp.length * 2;
    const g = <T extends Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    this.srcIp = g(this.srcIp, (n) => new Uint32Array(n));
    this.dstIp = g(this.dstIp, (n) => new Uint32Array(n));
    this.srcPort = g(this.srcPort, (n) => new Uint16Array(n));
    this.dstPort = g(this.dstPort, (n) => new Uint16Array(n));
    this.protocol = g(this.protocol, (n) => new Uint8Array(n));
  }

  finish(): Trace {
    const n = this.n;
    return {
      length: n,
      srcIp: this.srcIp.slice(0, n),
      dstIp: this.dstIp.slice(0, n),
      srcPort: this.srcPort.slice(0, n),
      dstPort: this.dstPort.slice(0, n),
      protocol: this.protocol.slice(0, n),
    };
  }
}

/** The distinct 5-tuples (directional flows) of a trace, with their packet counts. */
export interface FlowTable extends Trace {
  packets: Uint32Array;
}

/**
 * Groups a trace's packets by 5-tuple with an open-addressing table over typed arrays (a Map of
 * string keys is several times slower on a million packets).
 */
export function aggregateFlows(trace: Trace): FlowTable {
  const { srcIp, dstIp, srcPort, dstPort, protocol } = trace;
  // Flow ids live in `first` (the index of the flow's first packet) and `count`.
  let first = new Int32Array(1024);
  let count = new Uint32Array(1024);
  let n = 0;
  let cap = 2048;
  let slots = new Int32Array(cap).fill(-1);
  const mix = (i: number) => {
    let h = Math.imul(srcIp[i] ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ dstIp[i], 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ ((srcPort[i] << 16) | dstPort[i]), 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 15) ^ protocol[i], 0x165667b1);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const same = (a: number, b: number) => srcIp[a] === srcIp[b] && dstIp[a] === dstIp[b] && srcPort[a] === srcPort[b] && dstPort[a] === dstPort[b] && protocol[a] === protocol[b];
  for (let i = 0; i < trace.length; i++) {
    let j = mix(i) & (cap - 1);
    for (;;) {
      const f = slots[j];
      if (f < 0) {
        if (n === first.length) {
          const nf = new Int32Array(n * 2);
          nf.set(first);
          first = nf;
          const nc = new Uint32Array(n * 2);
          nc.set(count);
          count = nc;
        }
        first[n] = i;
        count[n] = 1;
        slots[j] = n++;
        break;
      }
      if (same(first[f], i)) {
        count[f]++;
        break;
      }
      j = (j + 1) & (cap - 1);
    }
    if (n * 2 > cap) {
      cap <<= 1;
      slots = new Int32Array(cap).fill(-1);
      for (let f = 0; f < n; f++) {
        let k = mix(first[f]) & (cap - 1);
        while (slots[k] >= 0) k = (k + 1) & (cap - 1);
        slots[k] = f;
      }
    }
  }
  const pick = <T extends Uint32Array | Uint16Array | Uint8Array>(col: T, make: (k: number) => T): T => {
    const out = make(n);
    for (let f = 0; f < n; f++) out[f] = col[first[f]];
    return out;
  };
  return {
    length: n,
    srcIp: pick(srcIp, (k) => new Uint32Array(k)),
    dstIp: pick(dstIp, (k) => new Uint32Array(k)),
    srcPort: pick(srcPort, (k) => new Uint16Array(k)),
    dstPort: pick(dstPort, (k) => new Uint16Array(k)),
    protocol: pick(protocol, (k) => new Uint8Array(k)),
    packets: count.slice(0, n),
  };
}
