// Reads pcap and pcapng captures into IPv4 5-tuples (no maintained npm reader handles pcapng).
// Formats: pcap (libpcap, both byte orders, micro- and nanosecond magic) and pcapng (Section
// Header, Interface Description, Enhanced and Simple Packet blocks; other blocks are skipped).
// Link types: Ethernet (1, with 802.1Q/802.1ad tags) and raw IP (101, 228). Packets that are not
// IPv4 are counted, not kept; IPv4 fragments after the first have no ports (0, 0), as NICs hash
// them on addresses only.
import { TraceBuilder, type Trace } from './trace';

export interface PcapResult {
  trace: Trace;
  format: 'pcap' | 'pcapng';
  /** Packets read (kept or not). */
  packets: number;
  /** Why packets were not kept, with counts: "not IPv4", "truncated", "link type 113"... */
  skipped: Record<string, number>;
  /** A problem that stopped reading early (the packets before it are kept). */
  warning?: string;
}

export class TraceFormatError extends Error {}

const LINK_ETHERNET = 1;
const LINK_RAW = new Set([101, 228]);

/** Reads a capture held in memory. Throws TraceFormatError when it is neither pcap nor pcapng. */
export function readCapture(buf: Uint8Array): PcapResult {
  if (buf.length < 4) throw new TraceFormatError('not a capture: fewer than 4 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicBE = view.getUint32(0, false);
  if (magicBE === 0x0a0d0d0a) return readPcapng(buf, view);
  if ([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(magicBE)) return readPcap(buf, view);
  throw new TraceFormatError(`not a pcap or pcapng capture (magic 0x${magicBE.toString(16).padStart(8, '0')})`);
}

class Collector {
  readonly builder: TraceBuilder;
  packets = 0;
  readonly skipped: Record<string, number> = Object.create(null);
  constructor(sizeHint: number) {
    this.builder = new TraceBuilder(Math.max(16, Math.floor(sizeHint / 80)));
  }
  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }
  /** One captured frame of the given link type. */
  frame(buf: Uint8Array, start: number, len: number, linkType: number): void {
    this.packets++;
    let off = start;
    const end = start + len;
    if (linkType === LINK_ETHERNET) {
      if (len < 14) return this.skip('truncated');
      let type = (buf[off + 12] << 8) | buf[off + 13];
      off += 14;
      while (type === 0x8100 || type === 0x88a8) {
        if (off + 4 > end) return this.skip('truncated');
        type = (buf[off + 2] << 8) | buf[off + 3];
        off += 4;
      }
      if (type !== 0x0800) return this.skip(type === 0x86dd ? 'IPv6 (not simulated)' : 'not IP');
    } else if (!LINK_RAW.has(linkType)) {
      return this.skip(`link type ${linkType}`);
    }
    if (off + 20 > end) return this.skip('truncated');
    const version = buf[off] >> 4;
    if (version !== 4) return this.skip(version === 6 ? 'IPv6 (not simulated)' : 'not IP');
    const ihl = (buf[off] & 0x0f) * 4;
    if (ihl < 20 || off + ihl > end) return this.skip('truncated');
    const proto = buf[off + 9];
    const frag = ((buf[off + 6] & 0x1f) << 8) | buf[off + 7];
    const src = ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
    const dst = ((buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19]) >>> 0;
    let sp = 0;
    let dp = 0;
    const l4 = off + ihl;
    if ((proto === 6 || proto === 17 || proto === 132) && frag === 0) {
      if (l4 + 4 > end) return this.skip('truncated');
      sp = (buf[l4] << 8) | buf[l4 + 1];
      dp = (buf[l4 + 2] << 8) | buf[l4 + 3];
    }
    this.builder.push(src, dst, sp, dp, proto);
  }
}

function readPcap(buf: Uint8Array, view: DataView): PcapResult {
  if (buf.length < 24) throw new TraceFormatError('pcap: the global header is cut short');
  const little = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  const c = new Collector(buf.length);
  let off = 24;
  let warning: string | undefined;
  while (off < buf.length) {
    if (off + 16 > buf.length) {
      warning = `pcap: a record header is cut short at byte ${off}; reading stopped`;
      break;
    }
    const incl = view.getUint32(off + 8, little);
    if (off + 16 + incl > buf.length) {
      warning = `pcap: a packet is cut short at byte ${off}; reading stopped`;
      break;
    }
    c.frame(buf, off + 16, incl, linkType);
    off += 16 + incl;
  }
  return { trace: c.builder.finish(), format: 'pcap', packets: c.packets, skipped: { ...c.skipped }, warning };
}

function readPcapng(buf: Uint8Array, view: DataView): PcapResult {
  const c = new Collector(buf.length);
  let little = true;
  let interfaces: number[] = [];
  let off = 0;
  let warning: string | undefined;
  while (off < buf.length) {
    if (off + 12 > buf.length) {
      warning = `pcapng: a block header is cut short at byte ${off}; reading stopped`;
      break;
    }
    const type = view.getUint32(off, little);
    if (type === 0x0a0d0d0a) {
      const bom = view.getUint32(off + 8, true);
      if (bom === 0x1a2b3c4d) little = true;
      else if (bom === 0x4d3c2b1a) little = false;
      else throw new TraceFormatError(`pcapng: bad byte-order magic at byte ${off}`);
      interfaces = [];
    }
    const len = view.getUint32(off + 4, little);
    if (len < 12 || len % 4 !== 0 || off + len > buf.length) {
      warning = `pcapng: a block at byte ${off} has a bad length (${len}); reading stopped`;
      break;
    }
    if (type === 1) {
      if (len >= 20) interfaces.push(view.getUint16(off + 8, little));
    } else if (type === 6) {
      if (len < 32) {
        warning = `pcapng: an enhanced packet block at byte ${off} is too short; reading stopped`;
        break;
      }
      const ifc = view.getUint32(off + 8, little);
      const captured = view.getUint32(off + 20, little);
      if (28 + captured > len - 4) {
        warning = `pcapng: a packet at byte ${off} overruns its block; reading stopped`;
        break;
      }
      const link = interfaces[ifc];
      if (link === undefined) {
        c.packets++;
        c.skip('unknown interface');
      } else c.frame(buf, off + 28, captured, link);
    } else if (type === 3) {
      const orig = view.getUint32(off + 8, little);
      const captured = Math.min(orig, len - 16);
      const link = interfaces[0];
      if (link === undefined) {
        c.packets++;
        c.skip('unknown interface');
      } else c.frame(buf, off + 12, captured, link);
    }
    off += len;
  }
  return { trace: c.builder.finish(), format: 'pcapng', packets: c.packets, skipped: { ...c.skipped }, warning };
}
