// Writes small pcap/pcapng captures for the reader's tests: Ethernet frames with an IPv4 header
// and a TCP/UDP header (checksums zero: the reader does not look at them).

export interface TestPacket {
  src: number;
  dst: number;
  sport: number;
  dport: number;
  proto: number;
  vlan?: number;
  /** Fragment offset in 8-byte units (non-zero: no L4 header is written). */
  fragOffset?: number;
  /** Ethertype instead of IPv4 (e.g. 0x86dd, 0x0806). */
  etherType?: number;
}

export function ethernetFrame(p: TestPacket): Uint8Array {
  const l4 = p.fragOffset ? 0 : p.proto === 6 ? 20 : 8;
  const vlan = p.vlan !== undefined ? 4 : 0;
  const out = new Uint8Array(14 + vlan + 20 + l4);
  const v = new DataView(out.buffer);
  out.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
  let o = 12;
  if (p.vlan !== undefined) {
    v.setUint16(o, 0x8100);
    v.setUint16(o + 2, p.vlan);
    o += 4;
  }
  v.setUint16(o, p.etherType ?? 0x0800);
  o += 2;
  out[o] = 0x45;
  v.setUint16(o + 2, 20 + l4);
  v.setUint16(o + 6, (p.fragOffset ?? 0) & 0x1fff);
  out[o + 8] = 64;
  out[o + 9] = p.proto;
  v.setUint32(o + 12, p.src);
  v.setUint32(o + 16, p.dst);
  if (l4) {
    v.setUint16(o + 20, p.sport);
    v.setUint16(o + 22, p.dport);
  }
  return out;
}

export function writePcap(frames: Uint8Array[], littleEndian = true, linkType = 1): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, littleEndian);
  v.setUint16(4, 2, littleEndian);
  v.setUint16(6, 4, littleEndian);
  v.setUint32(16, 65535, littleEndian);
  v.setUint32(20, linkType, littleEndian);
  let o = 24;
  frames.forEach((f, i) => {
    v.setUint32(o, 1700000000 + i, littleEndian);
    v.setUint32(o + 8, f.length, littleEndian);
    v.setUint32(o + 12, f.length, littleEndian);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}

export function writePcapng(frames: Uint8Array[], littleEndian = true): Uint8Array {
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const pad = (4 - (body.length % 4)) % 4;
    const len = 12 + body.length + pad;
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, littleEndian);
    v.setUint32(4, len, littleEndian);
    b.set(body, 8);
    v.setUint32(len - 4, len, littleEndian);
    blocks.push(b);
  };
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, littleEndian);
  sv.setUint16(4, 1, littleEndian);
  sv.setBigInt64(8, -1n, littleEndian);
  block(0x0a0d0d0a, shb);
  const idb = new Uint8Array(8);
  new DataView(idb.buffer).setUint16(0, 1, littleEndian);
  new DataView(idb.buffer).setUint32(4, 65535, littleEndian);
  block(1, idb);
  // A block the reader does not know (name resolution) must be skipped.
  block(4, new Uint8Array([0, 0, 0, 0]));
  for (const f of frames) {
    const epb = new Uint8Array(20 + f.length);
    const ev = new DataView(epb.buffer);
    ev.setUint32(0, 0, littleEndian);
    ev.setUint32(12, f.length, littleEndian);
    ev.setUint32(16, f.length, littleEndian);
    epb.set(f, 20);
    block(6, epb);
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
