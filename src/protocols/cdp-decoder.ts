// CDP (Cisco Discovery Protocol v1/v2) decoder. Pure: takes the CDP PDU (after the LLC/SNAP header
// 00000C/2000) and returns the neighbour or a failure with its offset. TLV lengths include their
// 4-byte header; a length under 4 is rejected, so the loop always advances.
import { formatHex, formatIpv4, formatIpv6, readText, readU16, readU32 } from './ethernet-addresses.js';
import { decodeFailure, type DecodeFailure } from './pcap-decode-types.js';

/** One CDP announcement. */
export interface CdpNeighbor {
  version: number;
  /** Seconds the information stays valid. */
  ttl: number;
  checksum: number;
  /** Checksum verification; a mismatch is reported, not fatal (it is also wrong on some real devices). */
  checksumOk: boolean;
  deviceId?: string;
  /** Addresses TLV (0x02). */
  addresses: string[];
  portId?: string;
  capabilities?: { bits: number; names: CdpCapability[] };
  softwareVersion?: string;
  platform?: string;
  vtpDomain?: string;
  nativeVlan?: number;
  duplex?: 'full' | 'half';
  voiceVlan?: number;
  mtu?: number;
  systemName?: string;
  /** Management Addresses TLV (0x16). */
  managementAddresses: string[];
  unknownTlvs: number;
}

export type CdpCapability = 'router' | 'trans-bridge' | 'source-route-bridge' | 'switch' | 'host' | 'igmp' | 'repeater' | 'phone' | 'remote' | 'cvta' | 'mac-relay';
const CAPABILITY_NAMES: CdpCapability[] = ['router', 'trans-bridge', 'source-route-bridge', 'switch', 'host', 'igmp', 'repeater', 'phone', 'remote', 'cvta', 'mac-relay'];

export type CdpResult = { ok: true; value: CdpNeighbor } | (DecodeFailure & { partial: CdpNeighbor });

/** Decodes the CDP PDU in `buf[start..end)`; failure offsets are relative to `base` (default: start). */
export function decodeCdp(buf: Uint8Array, start: number, end: number, base = start): CdpResult {
  const n: CdpNeighbor = { version: 0, ttl: 0, checksum: 0, checksumOk: false, addresses: [], managementAddresses: [], unknownTlvs: 0 };
  const fail = (error: string, at: number, short = false) => ({ ...decodeFailure(error, at, base, short), partial: n });
  if (end - start < 4) return fail(`CDP header needs 4 bytes, has ${end - start}`, start, true);
  n.version = buf[start] as number;
  n.ttl = buf[start + 1] as number;
  n.checksum = readU16(buf, start + 2);
  n.checksumOk = cdpChecksumOk(buf, start, end);
  for (let p = start + 4; p < end; ) {
    if (end - p < 4) return fail(`TLV header past end of CDP PDU (${end - p} bytes left)`, p, true);
    const type = readU16(buf, p);
    const len = readU16(buf, p + 2);
    if (len < 4) return fail(`TLV type 0x${type.toString(16)} length ${len} is shorter than its header`, p + 2);
    if (p + len > end) return fail(`TLV type 0x${type.toString(16)} length ${len} runs past end of CDP PDU (${end - p} bytes left)`, p + 2, true);
    const err = decodeTlv(n, type, buf, p + 4, len - 4);
    if (err) return fail(`TLV type 0x${type.toString(16)}: ${err}`, p);
    p += len;
  }
  return { ok: true, value: n };
}

function decodeTlv(n: CdpNeighbor, type: number, buf: Uint8Array, v: number, len: number): string | null {
  switch (type) {
    case 0x01:
      n.deviceId = readText(buf, v, len);
      return null;
    case 0x02:
      return addresses(n.addresses, buf, v, len);
    case 0x03:
      n.portId = readText(buf, v, len);
      return null;
    case 0x04: {
      if (len < 4) return `Capabilities length ${len}, needs 4`;
      const bits = readU32(buf, v);
      n.capabilities = { bits, names: CAPABILITY_NAMES.filter((_, i) => bits & (1 << i)) };
      return null;
    }
    case 0x05:
      n.softwareVersion = readText(buf, v, len);
      return null;
    case 0x06:
      n.platform = readText(buf, v, len);
      return null;
    case 0x09:
      n.vtpDomain = readText(buf, v, len);
      return null;
    case 0x0a:
      if (len < 2) return `Native VLAN length ${len}, needs 2`;
      n.nativeVlan = readU16(buf, v);
      return null;
    case 0x0b:
      if (len < 1) return 'Duplex TLV is empty';
      n.duplex = buf[v] ? 'full' : 'half';
      return null;
    case 0x0e:
      // Appliance VLAN-ID: entries of appliance id (1) + VLAN (2); the first is the voice VLAN.
      if (len >= 3) n.voiceVlan = readU16(buf, v + 1);
      return null;
    case 0x11:
      if (len < 4) return `MTU length ${len}, needs 4`;
      n.mtu = readU32(buf, v);
      return null;
    case 0x14:
      n.systemName = readText(buf, v, len);
      return null;
    case 0x16:
      return addresses(n.managementAddresses, buf, v, len);
    default:
      n.unknownTlvs++;
      return null;
  }
}

/** Address list: count (4), then per address: protocol type (1), protocol length (1), protocol, address length (2), address. */
function addresses(out: string[], buf: Uint8Array, v: number, len: number): string | null {
  if (len < 4) return `address list length ${len}, needs 4 for the count`;
  const end = v + len;
  const count = readU32(buf, v);
  let p = v + 4;
  for (let i = 0; i < count; i++) {
    if (end - p < 2) return `address ${i + 1} of ${count} past end of TLV`;
    const pLen = buf[p + 1] as number;
    if (p + 2 + pLen + 2 > end) return `address ${i + 1} protocol length ${pLen} runs past end of TLV`;
    const aOff = p + 2 + pLen + 2;
    const aLen = readU16(buf, aOff - 2);
    if (aOff + aLen > end) return `address ${i + 1} length ${aLen} runs past end of TLV`;
    out.push(addressText(buf, buf[p] as number, p + 2, pLen, aOff, aLen));
    p = aOff + aLen;
  }
  return null;
}

/** NLPID 0xCC = IPv4; 802.2 protocol AAAA03-000000-86DD = IPv6; anything else as hex. */
function addressText(buf: Uint8Array, pType: number, pOff: number, pLen: number, aOff: number, aLen: number): string {
  if (pType === 1 && pLen === 1 && buf[pOff] === 0xcc && aLen === 4) return formatIpv4(buf, aOff);
  if (pType === 2 && pLen === 8 && readU16(buf, pOff + 6) === 0x86dd && aLen === 16) return formatIpv6(buf, aOff);
  return formatHex(buf, aOff, aLen);
}

/**
 * Internet checksum over the PDU. For an odd length Cisco devices do not pad the last byte as RFC 1071
 * says: they add it as a signed byte. Both forms are accepted.
 */
export function cdpChecksumOk(buf: Uint8Array, start: number, end: number): boolean {
  let sum = 0;
  const even = start + ((end - start) & ~1);
  for (let p = start; p < even; p += 2) sum += ((buf[p] as number) << 8) | (buf[p + 1] as number);
  if (even === end) return fold(sum) === 0xffff;
  const last = buf[even] as number;
  // Cisco: the byte as a signed char (two's complement) added before folding; lldpd does the same.
  return fold(sum + (last << 8)) === 0xffff || fold(sum + (last >= 0x80 ? last - 0x100 : last << 8)) === 0xffff;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}
