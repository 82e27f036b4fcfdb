// pcapng blocks (draft-ietf-opsawg-pcapng): section header, interface description, enhanced,
// simple and obsolete packet blocks. Other block types are skipped by their length.
import { u16, u32 } from './pcap-byte-order.js';
import { decodeFailure, MAX_RECORD_BYTES, type DecodeFailure } from './pcap-decode-types.js';
import type { PcapPacket } from './pcap-reader.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;

interface PcapngInterface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second (10^n or 2^n, from if_tsresol; default 10^6). */
  unitsPerSec: number;
}

/** Per-section state: byte order and the interfaces declared so far. */
export interface PcapngState {
  le: boolean;
  interfaces: PcapngInterface[];
  sectionStart: number;
  /** Set by readPcapngBlock: the block just read was a packet (now in `out`). */
  gotPacket: boolean;
  /** Set by readPcapngBlock: a new section header starts here; re-read it with a fresh state. */
  restart: boolean;
}

/**
 * Reads the block at `p`: the bytes it consumed (see st.gotPacket / st.restart), a failure, or null
 * when the block is not complete in `b` yet. Fills `out` for packet blocks; allocates nothing then.
 */
export function readPcapngBlock(st: PcapngState, b: Uint8Array, p: number, base: number, out: PcapPacket): number | DecodeFailure | null {
  st.gotPacket = false;
  st.restart = false;
  if (b.length - p < 12) return null;
  const type = u32(b, p, st.le);
  if (type === SHB) {
    if (st.interfaces.length > 0 || base + p !== st.sectionStart) {
      st.restart = true;
      return 0;
    }
    return readSectionHeader(st, b, p, base);
  }
  const len = u32(b, p + 4, st.le);
  if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_BYTES) return decodeFailure(`bad pcapng block length ${len} (block type ${type})`, base + p + 4, 0);
  if (b.length - p < len) return null;
  if (u32(b, p + len - 4, st.le) !== len) return decodeFailure(`pcapng block trailing length differs from ${len}`, base + p + len - 4, 0);
  let err: DecodeFailure | null = null;
  if (type === IDB) err = readInterface(st, b, p, len, base);
  else if (type === EPB || type === PB) err = readPacket(st, b, p, len, base, out, type === PB);
  else if (type === SPB) err = readSimplePacket(st, b, p, len, base, out);
  else return len;
  if (err) return err;
  st.gotPacket = type !== IDB;
  return len;
}

function readSectionHeader(st: PcapngState, b: Uint8Array, p: number, base: number): number | DecodeFailure | null {
  if (b.length - p < 28) return null;
  const magic = u32(b, p + 8, false);
  if (magic === 0x1a2b3c4d) st.le = false;
  else if (magic === 0x4d3c2b1a) st.le = true;
  else return decodeFailure(`bad pcapng byte-order magic 0x${magic.toString(16)}`, base + p + 8, 0);
  const len = u32(b, p + 4, st.le);
  if (len < 28 || len % 4 !== 0 || len > MAX_RECORD_BYTES) return decodeFailure(`bad pcapng section header length ${len}`, base + p + 4, 0);
  if (b.length - p < len) return null;
  const major = u16(b, p + 12, st.le);
  if (major !== 1) return decodeFailure(`unsupported pcapng version ${major}`, base + p + 12, 0);
  st.interfaces = [];
  st.sectionStart = base + p;
  return len;
}

function readInterface(st: PcapngState, b: Uint8Array, p: number, len: number, base: number): DecodeFailure | null {
  if (len < 20) return decodeFailure(`interface description block too short (${len} bytes)`, base + p + 4, 0);
  const itf: PcapngInterface = { linkType: u16(b, p + 8, st.le), snapLen: u32(b, p + 12, st.le), unitsPerSec: 1e6 };
  // Options: code, length, value padded to 4 bytes; each step consumes at least 4 bytes.
  const end = p + len - 4;
  for (let o = p + 16; o + 4 <= end; ) {
    const code = u16(b, o, st.le);
    const olen = u16(b, o + 2, st.le);
    if (code === 0) break;
    if (o + 4 + olen > end) return decodeFailure(`interface option ${code} length ${olen} runs past its block`, base + o + 2, 0);
    if (code === 9 && olen >= 1) {
      const r = b[o + 4] as number;
      const exp = r & 0x7f;
      itf.unitsPerSec = r & 0x80 ? 2 ** exp : 10 ** exp;
      if (!Number.isFinite(itf.unitsPerSec) || itf.unitsPerSec < 1) return decodeFailure(`bad if_tsresol 0x${r.toString(16)}`, base + o + 4, 0);
    }
    o += 4 + ((olen + 3) & ~3);
  }
  st.interfaces.push(itf);
  return null;
}

function readPacket(st: PcapngState, b: Uint8Array, p: number, len: number, base: number, out: PcapPacket, obsolete: boolean): DecodeFailure | null {
  if (len < 32) return decodeFailure(`packet block too short (${len} bytes)`, base + p + 4, 0);
  const ifId = obsolete ? u16(b, p + 8, st.le) : u32(b, p + 8, st.le);
  const itf = st.interfaces[ifId];
  if (!itf) return decodeFailure(`packet block names undeclared interface ${ifId}`, base + p + 8, 0);
  const capLen = u32(b, p + 20, st.le);
  if (28 + capLen + 4 > len) return decodeFailure(`packet captured length ${capLen} runs past its block (${len} bytes)`, base + p + 20, 0);
  setTimestamp(out, u32(b, p + 12, st.le), u32(b, p + 16, st.le), itf.unitsPerSec);
  fill(out, itf, ifId, b, p + 28, capLen, Math.max(u32(b, p + 24, st.le), capLen), base + p);
  return null;
}

function readSimplePacket(st: PcapngState, b: Uint8Array, p: number, len: number, base: number, out: PcapPacket): DecodeFailure | null {
  const itf = st.interfaces[0];
  if (!itf) return decodeFailure('simple packet block before any interface description', base + p, 0);
  if (len < 16) return decodeFailure(`simple packet block too short (${len} bytes)`, base + p + 4, 0);
  const origLen = u32(b, p + 8, st.le);
  let capLen = Math.min(origLen, len - 16);
  if (itf.snapLen > 0) capLen = Math.min(capLen, itf.snapLen);
  out.tsSec = 0; // simple packet blocks carry no timestamp
  out.tsNsec = 0;
  fill(out, itf, 0, b, p + 12, capLen, origLen, base + p);
  return null;
}

function fill(out: PcapPacket, itf: PcapngInterface, ifId: number, b: Uint8Array, start: number, capLen: number, origLen: number, fileOffset: number): void {
  out.linkType = itf.linkType;
  out.interfaceId = ifId;
  out.data = b;
  out.start = start;
  out.capLen = capLen;
  out.origLen = origLen;
  out.fileOffset = fileOffset;
}

/** 64-bit timestamp in `units` per second to seconds + nanoseconds; BigInt only when a double would round. */
function setTimestamp(out: PcapPacket, high: number, low: number, units: number): void {
  if (high < 0x200000) {
    const ts = high * 0x100000000 + low; // < 2^53: exact
    const sec = Math.floor(ts / units);
    out.tsSec = sec;
    out.tsNsec = Math.floor(((ts - sec * units) * 1e9) / units);
    return;
  }
  const ts = (BigInt(high) << 32n) | BigInt(low);
  const u = BigInt(units);
  out.tsSec = Number(ts / u);
  out.tsNsec = Number(((ts % u) * 1_000_000_000n) / u);
}
