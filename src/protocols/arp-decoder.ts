// ARP (RFC 826) decoder for Ethernet/IPv4, the hot path of host-side endpoint tracking. Addresses
// stay numbers (48-bit MAC, 32-bit IPv4): no strings, one small result object per frame; format
// them with formatMacNumber / formatIpv4Number only when printing.
import { readMacNumber, readU16, readU32 } from './ethernet-addresses.js';
import { decodeFailure, type DecodeFailure } from './pcap-decode-types.js';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

/** One ARP packet (Ethernet hardware, IPv4 protocol). */
export interface ArpPacket {
  ok: true;
  /** Opcode: 1 request, 2 reply (other values, e.g. RARP 3/4, are passed through). */
  op: number;
  senderMac: number;
  senderIp: number;
  targetMac: number;
  targetIp: number;
}

const ARP_LEN = 28;

/**
 * Decodes the ARP packet in `buf[start..end)`. Only Ethernet (hardware type 1, or 6 for IEEE 802)
 * with 6-byte MACs and IPv4 with 4-byte addresses is accepted: any other length would misplace every
 * later field (as in a frame announcing a 14-byte hardware address).
 */
export function decodeArp(buf: Uint8Array, start: number, end: number, base = start): ArpPacket | DecodeFailure {
  if (end - start < 8) return decodeFailure(`ARP header needs 8 bytes, has ${end - start}`, start, base, true);
  const hlen = buf[start + 4] as number;
  const plen = buf[start + 5] as number;
  if (hlen !== 6) return decodeFailure(`ARP hardware address length ${hlen}, expected 6`, start + 4, base);
  if (plen !== 4) return decodeFailure(`ARP protocol address length ${plen}, expected 4`, start + 5, base);
  const htype = readU16(buf, start);
  if (htype !== 1 && htype !== 6) return decodeFailure(`ARP hardware type ${htype} is not Ethernet`, start, base);
  const ptype = readU16(buf, start + 2);
  if (ptype !== 0x0800) return decodeFailure(`ARP protocol type 0x${ptype.toString(16)} is not IPv4`, start + 2, base);
  if (end - start < ARP_LEN) return decodeFailure(`ARP packet needs ${ARP_LEN} bytes, has ${end - start}`, start, base, true);
  return {
    ok: true,
    op: readU16(buf, start + 6),
    senderMac: readMacNumber(buf, start + 8),
    senderIp: readU32(buf, start + 14),
    targetMac: readMacNumber(buf, start + 18),
    targetIp: readU32(buf, start + 24),
  };
}
