// IPv6 Neighbor Discovery (RFC 4861): RS, RA, NS, NA and Redirect inside an IPv6 packet, with their
// link-layer address, prefix and MTU options. Options are counted in 8-byte units; a zero length is
// rejected (RFC 4861 4.6), which is what keeps the option loop from spinning.
import { formatIpv6, formatMac, readU16, readU32 } from './ethernet-addresses.js';
import { decodeFailure, type DecodeFailure } from './pcap-decode-types.js';

export type NdpType = 'rs' | 'ra' | 'ns' | 'na' | 'redirect';
const TYPES: Record<number, NdpType> = { 133: 'rs', 134: 'ra', 135: 'ns', 136: 'na', 137: 'redirect' };
/** Fixed part of each message after the 4-byte ICMPv6 header. */
const FIXED: Record<NdpType, number> = { rs: 4, ra: 12, ns: 20, na: 20, redirect: 36 };

export interface NdpPrefix {
  prefix: string;
  length: number;
  onLink: boolean;
  autonomous: boolean;
  validLifetime: number;
  preferredLifetime: number;
}

/** One Neighbor Discovery message. */
export interface NdpMessage {
  type: NdpType;
  srcIp: string;
  dstIp: string;
  hopLimit: number;
  /** ICMPv6 checksum over the pseudo-header; a mismatch is reported, not fatal. */
  checksumOk: boolean;
  /** NS/NA/Redirect target address. */
  targetIp?: string;
  /** NA flags. */
  router?: boolean;
  solicited?: boolean;
  override?: boolean;
  /** RA fields. */
  curHopLimit?: number;
  managed?: boolean;
  otherConfig?: boolean;
  routerLifetime?: number;
  /** Source / target link-layer address options. */
  sourceMac?: string;
  targetMac?: string;
  prefixes: NdpPrefix[];
  mtu?: number;
}

export type NdpResult = { ok: true; value: NdpMessage } | DecodeFailure | null;

const IPPROTO_ICMPV6 = 58;
// Extension headers that may precede ICMPv6: hop-by-hop, routing, destination options.
const EXTENSIONS = new Set([0, 43, 60]);

/** Decodes the IPv6 packet at `buf[start..end)`; null when it is not a Neighbor Discovery message. */
export function decodeNdp(buf: Uint8Array, start: number, end: number, base = start): NdpResult {
  if (end - start < 40) return decodeFailure(`IPv6 header needs 40 bytes, has ${end - start}`, start, base, true);
  if ((buf[start] as number) >>> 4 !== 6) return decodeFailure(`IP version ${(buf[start] as number) >>> 4} in an IPv6 frame`, start, base);
  const payloadEnd = start + 40 + readU16(buf, start + 4);
  if (payloadEnd > end) return decodeFailure(`IPv6 payload length ${payloadEnd - start - 40} runs past the frame`, start + 4, base, true);
  let next = buf[start + 6] as number;
  let p = start + 40;
  // Each extension header is at least 8 bytes, so this loop advances.
  while (EXTENSIONS.has(next)) {
    if (payloadEnd - p < 8) return decodeFailure('IPv6 extension header past end of payload', p, base, true);
    const hlen = ((buf[p + 1] as number) + 1) * 8;
    if (p + hlen > payloadEnd) return decodeFailure(`IPv6 extension header length ${hlen} runs past the payload`, p + 1, base, true);
    next = buf[p] as number;
    p += hlen;
  }
  if (next !== IPPROTO_ICMPV6 || payloadEnd - p < 4) return null;
  const type = TYPES[buf[p] as number];
  if (!type) return null;
  return decodeMessage(buf, start, p, payloadEnd, type, base);
}

function decodeMessage(buf: Uint8Array, ip: number, p: number, end: number, type: NdpType, base: number): NdpResult {
  const fixedEnd = p + 4 + FIXED[type];
  if (fixedEnd > end) return decodeFailure(`ICMPv6 ${type.toUpperCase()} needs ${FIXED[type] + 4} bytes, has ${end - p}`, p, base, true);
  const hopLimit = buf[ip + 7] as number;
  // RFC 4861: a hop limit other than 255 means the message crossed a router; receivers must drop it.
  if (hopLimit !== 255) return decodeFailure(`Neighbor Discovery hop limit ${hopLimit}, must be 255`, ip + 7, base);
  if (buf[p + 1] !== 0) return decodeFailure(`ICMPv6 code ${buf[p + 1]} for ${type.toUpperCase()}, must be 0`, p + 1, base);
  const m: NdpMessage = { type, srcIp: formatIpv6(buf, ip + 8), dstIp: formatIpv6(buf, ip + 24), hopLimit, checksumOk: icmp6ChecksumOk(buf, ip, p, end), prefixes: [] };
  if (type === 'ns' || type === 'na' || type === 'redirect') m.targetIp = formatIpv6(buf, p + 8);
  if (type === 'na') {
    const f = buf[p + 4] as number;
    [m.router, m.solicited, m.override] = [(f & 0x80) !== 0, (f & 0x40) !== 0, (f & 0x20) !== 0];
  }
  if (type === 'ra') {
    const f = buf[p + 5] as number;
    [m.curHopLimit, m.managed, m.otherConfig, m.routerLifetime] = [buf[p + 4] as number, (f & 0x80) !== 0, (f & 0x40) !== 0, readU16(buf, p + 6)];
  }
  return options(m, buf, fixedEnd, end, base);
}

function options(m: NdpMessage, buf: Uint8Array, p: number, end: number, base: number): NdpResult {
  while (p < end) {
    if (end - p < 2) return decodeFailure('ND option header past end of message', p, base, true);
    const type = buf[p] as number;
    const len = (buf[p + 1] as number) * 8;
    if (len === 0) return decodeFailure(`ND option type ${type} has length 0`, p + 1, base);
    if (p + len > end) return decodeFailure(`ND option type ${type} length ${len} runs past end of message`, p + 1, base, true);
    if (type === 1) m.sourceMac = formatMac(buf, p + 2, Math.min(6, len - 2));
    else if (type === 2) m.targetMac = formatMac(buf, p + 2, Math.min(6, len - 2));
    else if (type === 3) {
      if (len !== 32) return decodeFailure(`ND prefix information option length ${len}, must be 32`, p + 1, base);
      const f = buf[p + 3] as number;
      m.prefixes.push({ prefix: formatIpv6(buf, p + 16), length: buf[p + 2] as number, onLink: (f & 0x80) !== 0, autonomous: (f & 0x40) !== 0, validLifetime: readU32(buf, p + 4), preferredLifetime: readU32(buf, p + 8) });
    } else if (type === 5 && len === 8) m.mtu = readU32(buf, p + 4);
    p += len;
  }
  return { ok: true, value: m };
}

/** ICMPv6 checksum over the IPv6 pseudo-header (source, destination, length, next header 58) and message. */
function icmp6ChecksumOk(buf: Uint8Array, ip: number, p: number, end: number): boolean {
  let sum = 0;
  for (let o = ip + 8; o < ip + 40; o += 2) sum += readU16(buf, o);
  const len = end - p;
  sum += Math.floor(len / 0x10000) + (len & 0xffff) + IPPROTO_ICMPV6;
  const even = p + (len & ~1);
  for (let o = p; o < even; o += 2) sum += readU16(buf, o);
  if (even < end) sum += (buf[even] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum === 0xffff;
}
