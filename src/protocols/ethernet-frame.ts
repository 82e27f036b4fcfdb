// Link-layer demultiplexing: Ethernet II, 802.3 with LLC/SNAP, 802.1Q/802.1ad/QinQ tags, and Linux
// cooked captures (SLL, SLL2). Fills a caller-owned LinkFrame so a stream of frames allocates nothing.
import { readU16 } from './ethernet-addresses.js';
import { decodeFailure, type DecodeFailure } from './pcap-decode-types.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from './pcap-reader.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_LLDP = 0x88cc;
/** Sentinel etherType for 802.3 frames (length field); the payload is LLC, see the llc and snap fields. */
export const ETHERTYPE_8023 = 0;

/** Cisco's SNAP OUI and the CDP protocol id (CDP travels in 802.3 + LLC/SNAP). */
export const SNAP_OUI_CISCO = 0x00000c;
export const SNAP_PID_CDP = 0x2000;

// Tag protocol ids: 802.1Q, 802.1ad (S-tag), and the pre-standard QinQ 0x9100.
const TPIDS = new Set([0x8100, 0x88a8, 0x9100]);
/** More tags than this is not a real frame; the bound also keeps the tag loop finite. */
const MAX_TAGS = 8;

/** The link layer of one frame; offsets index the buffer given to parseLink. */
export interface LinkFrame {
  /** Offset of the destination MAC, or -1 (Linux cooked captures carry none). */
  dstOff: number;
  /** Offset of the source MAC, or -1 when the capture does not give a 6-byte one. */
  srcOff: number;
  /** VLAN ids, outermost first; only the first vlanCount entries are valid (the array is reused). */
  vlans: number[];
  vlanCount: number;
  /** Ethertype of the payload, or ETHERTYPE_8023 for length-field (LLC) frames. */
  etherType: number;
  /** LLC DSAP for 802.3 frames (-1 otherwise). */
  llcDsap: number;
  /** SNAP OUI and protocol id when the LLC header is AA-AA-03 (-1 otherwise). */
  snapOui: number;
  snapPid: number;
  payloadStart: number;
  payloadEnd: number;
}

/** A LinkFrame to reuse across calls. */
export function newLinkFrame(): LinkFrame {
  return { dstOff: -1, srcOff: -1, vlans: [0, 0, 0, 0, 0, 0, 0, 0], vlanCount: 0, etherType: 0, llcDsap: -1, snapOui: -1, snapPid: -1, payloadStart: 0, payloadEnd: 0 };
}

/** Parses the link header of `buf[start..end)` captured with `linkType`; offsets in failures are frame-relative. */
export function parseLink(linkType: number, buf: Uint8Array, start: number, end: number, out: LinkFrame): DecodeFailure | null {
  out.vlanCount = 0;
  out.llcDsap = -1;
  out.snapOui = -1;
  out.snapPid = -1;
  out.payloadEnd = end;
  if (linkType === LINKTYPE_ETHERNET) {
    if (end - start < 14) return decodeFailure(`Ethernet header needs 14 bytes, frame has ${end - start}`, end, start, true);
    out.dstOff = start;
    out.srcOff = start + 6;
    return ethernetPayload(buf, start, start + 14, readU16(buf, start + 12), end, out);
  }
  if (linkType === LINKTYPE_LINUX_SLL) {
    if (end - start < 16) return decodeFailure(`Linux cooked header needs 16 bytes, frame has ${end - start}`, end, start, true);
    out.dstOff = -1;
    out.srcOff = readU16(buf, start + 4) === 6 ? start + 6 : -1;
    return cookedPayload(buf, start, start + 16, start + 14, end, out);
  }
  if (linkType === LINKTYPE_LINUX_SLL2) {
    if (end - start < 20) return decodeFailure(`Linux cooked v2 header needs 20 bytes, frame has ${end - start}`, end, start, true);
    out.dstOff = -1;
    out.srcOff = buf[start + 11] === 6 ? start + 12 : -1;
    return cookedPayload(buf, start, start + 20, start, end, out);
  }
  return decodeFailure(`unsupported link type ${linkType}`, start, start);
}

/** `type` is the type/length field just read; `p` the byte after it. Tags, then Ethernet II or 802.3. */
function ethernetPayload(buf: Uint8Array, start: number, p: number, type: number, end: number, out: LinkFrame): DecodeFailure | null {
  while (TPIDS.has(type)) {
    if (out.vlanCount === MAX_TAGS) return decodeFailure(`more than ${MAX_TAGS} VLAN tags`, p - 2, start);
    if (end - p < 4) return decodeFailure('VLAN tag past end of frame', p, start, true);
    out.vlans[out.vlanCount++] = readU16(buf, p) & 0x0fff;
    type = readU16(buf, p + 2);
    p += 4;
  }
  if (type >= 0x0600) {
    out.etherType = type;
    out.payloadStart = p;
    return null;
  }
  if (type > 1500) return decodeFailure(`type/length field 0x${type.toString(16)} is neither a length nor an ethertype`, p - 2, start);
  if (p + type > end) return decodeFailure(`802.3 length ${type} runs past the frame (${end - p} bytes left)`, p - 2, start, true);
  // Minimum-size padding sits after the 802.3 length, so the payload ends where the length says.
  return llcPayload(buf, start, p, p + type, out);
}

/** Linux cooked: the protocol field (at `protoOff`) is an ethertype, or 0x0004 for raw 802.2 LLC frames. */
function cookedPayload(buf: Uint8Array, start: number, p: number, protoOff: number, end: number, out: LinkFrame): DecodeFailure | null {
  const protocol = readU16(buf, protoOff);
  if (protocol === 0x0004) return llcPayload(buf, start, p, end, out);
  if (protocol < 0x0600) return decodeFailure(`unsupported Linux cooked protocol 0x${protocol.toString(16)}`, protoOff, start);
  return ethernetPayload(buf, start, p, protocol, end, out);
}

function llcPayload(buf: Uint8Array, start: number, p: number, end: number, out: LinkFrame): DecodeFailure | null {
  out.etherType = ETHERTYPE_8023;
  out.payloadEnd = end;
  if (end - p < 3) return decodeFailure('LLC header past end of frame', p, start, true);
  out.llcDsap = buf[p] as number;
  if (buf[p] === 0xaa && buf[p + 1] === 0xaa && buf[p + 2] === 0x03) {
    if (end - p < 8) return decodeFailure('SNAP header past end of frame', p + 3, start, true);
    out.snapOui = ((buf[p + 3] as number) << 16) | readU16(buf, p + 4);
    out.snapPid = readU16(buf, p + 6);
    out.payloadStart = p + 8;
    return null;
  }
  out.payloadStart = p + 3;
  return null;
}

/** LLDP's destination scopes (IEEE 802.1AB-2016 table 7-1), or undefined for any other address. */
export function lldpScope(buf: Uint8Array, dstOff: number): 'nearest-bridge' | 'nearest-non-tpmr-bridge' | 'nearest-customer-bridge' | undefined {
  if (dstOff < 0 || buf[dstOff] !== 0x01 || buf[dstOff + 1] !== 0x80 || buf[dstOff + 2] !== 0xc2 || buf[dstOff + 3] !== 0 || buf[dstOff + 4] !== 0) return undefined;
  const last = buf[dstOff + 5];
  return last === 0x0e ? 'nearest-bridge' : last === 0x03 ? 'nearest-non-tpmr-bridge' : last === 0x00 ? 'nearest-customer-bridge' : undefined;
}
