// LLDP (IEEE 802.1AB) decoder. Pure: takes the LLDPDU bytes (after the 0x88cc ethertype) and returns
// the neighbour or a failure naming the TLV and its offset. Every TLV consumes at least its 2-byte
// header, so the loop always ends; every length is checked against the end before use.
import { formatHex, formatIpv4, formatIpv6, formatMac, readText, readU16, readU32 } from './ethernet-addresses.js';
import { decodeLldpOrgTlv } from './lldp-org-tlvs.js';
import type { LldpCapabilities, LldpCapability, LldpManagementAddress, LldpNeighbor } from './lldp-types.js';
import { decodeFailure, type DecodeFailure } from './pcap-decode-types.js';

export type * from './lldp-types.js';

/** Decoded LLDPDU, or why not; a failure keeps what was read before the fault in `partial`. */
export type LldpResult = { ok: true; value: LldpNeighbor } | (DecodeFailure & { partial: LldpNeighbor });

const CAPABILITY_NAMES: LldpCapability[] = ['other', 'repeater', 'bridge', 'wlan-ap', 'router', 'telephone', 'docsis', 'station', 'c-vlan', 's-vlan', 'tpmr'];
const MANDATORY = ['Chassis ID', 'Port ID', 'Time To Live'];

/** Decodes the LLDPDU in `buf[start..end)`; failure offsets are relative to `base` (default: start). */
export function decodeLldp(buf: Uint8Array, start: number, end: number, base = start): LldpResult {
  const n: LldpNeighbor = { chassisIdSubtype: 0, chassisId: '', portIdSubtype: 0, portId: '', ttl: 0, managementAddresses: [], vlans: [], unknownTlvs: 0 };
  const fail = (error: string, at: number, short = false) => ({ ...decodeFailure(error, at, base, short), partial: n });
  for (let p = start, index = 0; ; index++) {
    if (p === end) return fail('LLDPDU ends without an End of LLDPDU TLV', p, true);
    if (end - p < 2) return fail('TLV header past end of LLDPDU', p, true);
    const hdr = readU16(buf, p);
    const type = hdr >>> 9;
    const len = hdr & 0x1ff;
    const v = p + 2;
    if (v + len > end) return fail(`TLV type ${type} length ${len} runs past end of LLDPDU (${end - v} bytes left)`, p, true);
    if (index < 3 && type !== index + 1) return fail(`TLV ${index + 1} must be ${MANDATORY[index] as string} (type ${index + 1}), got type ${type}`, p);
    if (type === 0) return { ok: true, value: n };
    const err = decodeTlv(n, type, buf, v, len);
    if (err) return fail(`TLV type ${type}: ${err}`, p);
    p = v + len;
  }
}

/** Fills `n` from one TLV; returns an error text when its content is inconsistent. */
function decodeTlv(n: LldpNeighbor, type: number, buf: Uint8Array, v: number, len: number): string | null {
  switch (type) {
    case 1:
      if (len < 2 || len > 256) return `Chassis ID length ${len} outside 2..256`;
      n.chassisIdSubtype = buf[v] as number;
      n.chassisId = idText(buf, v + 1, len - 1, n.chassisIdSubtype === 4, n.chassisIdSubtype === 5);
      return null;
    case 2:
      if (len < 2 || len > 256) return `Port ID length ${len} outside 2..256`;
      n.portIdSubtype = buf[v] as number;
      n.portId = idText(buf, v + 1, len - 1, n.portIdSubtype === 3, n.portIdSubtype === 4);
      return null;
    case 3:
      if (len < 2) return `Time To Live length ${len}, needs 2`;
      n.ttl = readU16(buf, v);
      return null;
    case 4:
      n.portDescription = readText(buf, v, len);
      return null;
    case 5:
      n.systemName = readText(buf, v, len);
      return null;
    case 6:
      n.systemDescription = readText(buf, v, len);
      return null;
    case 7:
      if (len !== 4) return `System Capabilities length ${len}, needs 4`;
      n.capabilities = capabilities(readU16(buf, v), readU16(buf, v + 2));
      return null;
    case 8:
      return managementAddress(n, buf, v, len);
    case 127:
      if (len < 4) return `organisationally specific TLV length ${len}, needs at least 4`;
      return decodeLldpOrgTlv(n, (readU16(buf, v) << 8) | (buf[v + 2] as number), buf[v + 3] as number, buf, v + 4, len - 4);
    default:
      n.unknownTlvs++;
      return null;
  }
}

/** Chassis and port ids: MAC, network address (IANA family byte + address), or text. */
function idText(buf: Uint8Array, off: number, len: number, mac: boolean, network: boolean): string {
  if (mac) return formatHex(buf, off, len);
  if (network) return networkAddress(buf[off] as number, buf, off + 1, len - 1);
  return readText(buf, off, len);
}

function networkAddress(family: number, buf: Uint8Array, off: number, len: number): string {
  if (family === 1 && len === 4) return formatIpv4(buf, off);
  if (family === 2 && len === 16) return formatIpv6(buf, off);
  return formatHex(buf, off, len);
}

function capabilities(available: number, enabled: number): LldpCapabilities {
  const names = (bits: number) => CAPABILITY_NAMES.filter((_, i) => bits & (1 << i));
  return { availableBits: available, enabledBits: enabled, available: names(available), enabled: names(enabled) };
}

/** Management Address TLV: string length (subtype + address, 2..32), subtype, address, interface, OID. */
function managementAddress(n: LldpNeighbor, buf: Uint8Array, v: number, len: number): string | null {
  if (len < 9) return `Management Address length ${len}, needs at least 9`;
  const strLen = buf[v] as number;
  if (strLen < 2 || strLen > 32) return `management address string length ${strLen} outside 2..32`;
  const ifOff = v + 1 + strLen;
  if (ifOff + 6 > v + len) return `management address string length ${strLen} runs past the TLV (length ${len})`;
  const oidLen = buf[ifOff + 5] as number;
  if (ifOff + 6 + oidLen > v + len) return `management OID length ${oidLen} runs past the TLV`;
  const family = buf[v + 1] as number;
  const m: LldpManagementAddress = {
    family,
    address: family === 6 ? formatMac(buf, v + 2, strLen - 1) : networkAddress(family, buf, v + 2, strLen - 1),
    interfaceSubtype: buf[ifOff] as number,
    interfaceNumber: readU32(buf, ifOff + 1),
  };
  if (oidLen > 0) m.oid = berOid(buf, ifOff + 6, oidLen);
  n.managementAddresses.push(m);
  return null;
}

/** BER-encoded OID body to dotted text (first byte packs the first two arcs). */
function berOid(buf: Uint8Array, off: number, len: number): string {
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < len; i++) {
    const b = buf[off + i] as number;
    acc = acc * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (arcs.length === 0) arcs.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
    else arcs.push(acc);
    acc = 0;
  }
  return arcs.join('.');
}
