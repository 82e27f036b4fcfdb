// Streaming reader for classic pcap (both byte orders, micro- and nanosecond magic) and pcapng
// (SHB, IDB, EPB, SPB, the obsolete PB; other blocks are skipped). Bytes arrive in chunks of any
// size (a file, or `tcpdump -w -` on a pipe); every length is checked before it is used, so a
// truncated or corrupt stream yields an error with its byte offset, never a throw or a hang.
import { decodeFailure, MAX_RECORD_BYTES, type DecodeFailure } from './pcap-decode-types.js';
import { u16, u32 } from './pcap-byte-order.js';
import { readPcapngBlock, type PcapngState } from './pcap-ng-blocks.js';

/** Link types ept decodes (the pcap LINKTYPE_ values). */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;


/**
 * One captured packet. The reader reuses this object for every packet (no allocation per frame):
 * copy what you keep before calling `next()` again.
 */
export interface PcapPacket {
  ok: true;
  /** LINKTYPE_ value of the interface the packet was captured on. */
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  tsSec: number;
  /** Fraction of the second in nanoseconds. */
  tsNsec: number;
  /** Bytes captured (present in `data`). */
  capLen: number;
  /** Length on the wire; larger than capLen when the snap length cut the packet. */
  origLen: number;
  /** Holds the packet at `start .. start + capLen`. */
  data: Uint8Array;
  start: number;
  /** Offset of the record (or block) in the stream. */
  fileOffset: number;
}

/** Container format, known once the first bytes are read. */
export type PcapFormat = 'pcap' | 'pcapng';

interface ClassicState {
  le: boolean;
  nanos: boolean;
  linkType: number;
}

/** Incremental reader: `push()` chunks, then call `next()` until it returns null (needs more bytes). */
export class PcapStreamReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private classic: ClassicState | undefined;
  private ng: PcapngState | undefined;
  private failed: DecodeFailure | undefined;
  private readonly packet: PcapPacket = { ok: true, linkType: 0, interfaceId: 0, tsSec: 0, tsNsec: 0, capLen: 0, origLen: 0, data: this.buf, start: 0, fileOffset: 0 };

  /** The container format, once the header has been read. */
  get format(): PcapFormat | undefined {
    return this.classic ? 'pcap' : this.ng ? 'pcapng' : undefined;
  }

  /** Adds bytes. Packets returned earlier stay readable (their buffer is never written again). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length) {
      this.base += this.buf.length;
      this.buf = chunk;
    } else {
      const rest = this.buf.subarray(this.pos);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest, 0);
      joined.set(chunk, rest.length);
      this.base += this.pos;
      this.buf = joined;
    }
    this.pos = 0;
  }

  /** The next packet, a failure (sticky: the stream cannot be resynchronised), or null when more bytes are needed. */
  next(): PcapPacket | DecodeFailure | null {
    if (this.failed) return this.failed;
    const r = this.step();
    if (r !== null && !r.ok) this.failed = r;
    return r;
  }

  /** Call at end of stream: an error if bytes of an incomplete header or record are left over. */
  finish(): DecodeFailure | null {
    if (this.failed) return this.failed;
    const left = this.buf.length - this.pos;
    if (!this.classic && !this.ng) {
      return decodeFailure(left === 0 ? 'empty file: no pcap or pcapng header' : `truncated file header (${left} bytes)`, this.base + this.pos, 0, true);
    }
    if (left > 0) return decodeFailure(`truncated ${this.classic ? 'record' : 'block'}: ${left} bytes left at end of stream`, this.base + this.pos, 0, true);
    return null;
  }

  private step(): PcapPacket | DecodeFailure | null {
    for (;;) {
      if (!this.classic && !this.ng) {
        const r = this.readFileHeader();
        if (r !== true) return r;
      }
      if (this.classic) return this.readClassicRecord(this.classic);
      const ng = this.ng as PcapngState;
      const r = readPcapngBlock(ng, this.buf, this.pos, this.base, this.packet);
      if (r === null || typeof r !== 'number') return r;
      this.pos += r;
      if (ng.gotPacket) return this.packet;
      // A later section header: start over so it is read with its own byte order.
      if (ng.restart) this.ng = undefined;
    }
  }

  private readFileHeader(): true | DecodeFailure | null {
    const b = this.buf;
    const p = this.pos;
    if (b.length - p < 4) return null;
    const m = u32(b, p, false);
    if (m === 0x0a0d0d0a) {
      this.ng = { le: false, interfaces: [], sectionStart: this.base + p, gotPacket: false, restart: false };
      return true;
    }
    let le: boolean;
    let nanos: boolean;
    if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) [le, nanos] = [false, m === 0xa1b23c4d];
    else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) [le, nanos] = [true, m === 0x4d3cb2a1];
    else return decodeFailure(`not a pcap or pcapng file (magic 0x${m.toString(16).padStart(8, '0')})`, this.base + p, 0);
    if (b.length - p < 24) return null;
    const major = u16(b, p + 4, le);
    if (major !== 2) return decodeFailure(`unsupported pcap version ${major}.${u16(b, p + 6, le)}`, this.base + p + 4, 0);
    // The upper bits of the link-type field carry FCS flags (pcap format spec); the type is the low 16.
    this.classic = { le, nanos, linkType: u32(b, p + 20, le) & 0xffff };
    this.pos += 24;
    return true;
  }

  private readClassicRecord(c: ClassicState): PcapPacket | DecodeFailure | null {
    const b = this.buf;
    const p = this.pos;
    if (b.length - p < 16) return null;
    const capLen = u32(b, p + 8, c.le);
    if (capLen > MAX_RECORD_BYTES) return decodeFailure(`record captured length ${capLen} exceeds ${MAX_RECORD_BYTES}`, this.base + p + 8, 0);
    if (b.length - p < 16 + capLen) return null;
    const frac = u32(b, p + 4, c.le);
    const pk = this.packet;
    pk.linkType = c.linkType;
    pk.interfaceId = 0;
    pk.tsSec = u32(b, p, c.le);
    pk.tsNsec = c.nanos ? frac : frac * 1000;
    pk.capLen = capLen;
    pk.origLen = Math.max(u32(b, p + 12, c.le), capLen);
    pk.data = b;
    pk.start = p + 16;
    pk.fileOffset = this.base + p;
    this.pos = p + 16 + capLen;
    return pk;
  }
}

/** Reads a whole capture held in memory: every packet (copied out), then the error if the file is cut or corrupt. */
export function readPcapFile(bytes: Uint8Array): { packets: PcapPacket[]; error: DecodeFailure | null; format: PcapFormat | undefined } {
  const reader = new PcapStreamReader();
  reader.push(bytes);
  const packets: PcapPacket[] = [];
  for (;;) {
    const r = reader.next();
    if (r === null) break;
    if (!r.ok) return { packets, error: r, format: reader.format };
    packets.push({ ...r });
  }
  return { packets, error: reader.finish(), format: reader.format };
}
