// Organisationally specific LLDP TLVs: IEEE 802.1 (00-80-C2), IEEE 802.3 (00-12-0F) and LLDP-MED
// (00-12-BB). Each checks its own minimum length; unknown ones are counted.
import { readText, readU16, readU32 } from './ethernet-addresses.js';
import type { LldpMed, LldpNeighbor } from './lldp-types.js';

const OUI_8021 = 0x0080c2;
const OUI_8023 = 0x00120f;
const OUI_MED = 0x0012bb;

/** Fills `n` from an org TLV whose information string is `buf[v..v+len)`; an error text if it is inconsistent. */
export function decodeLldpOrgTlv(n: LldpNeighbor, oui: number, subtype: number, buf: Uint8Array, v: number, len: number): string | null {
  if (oui === OUI_8021) return ieee8021(n, subtype, buf, v, len);
  if (oui === OUI_8023) return ieee8023(n, subtype, buf, v, len);
  if (oui === OUI_MED) return med(n, subtype, buf, v, len);
  n.unknownTlvs++;
  return null;
}

const need = (what: string, len: number, min: number) => (len < min ? `${what} needs ${min} bytes after OUI and subtype, has ${len}` : null);

function ieee8021(n: LldpNeighbor, subtype: number, buf: Uint8Array, v: number, len: number): string | null {
  switch (subtype) {
    case 1:
      if (len < 2) return need('802.1 Port VLAN ID', len, 2);
      n.pvid = readU16(buf, v);
      return null;
    case 3: {
      const short = need('802.1 VLAN Name', len, 3);
      if (short) return short;
      const nameLen = buf[v + 2] as number;
      if (nameLen > len - 3) return `802.1 VLAN name length ${nameLen} runs past the TLV`;
      n.vlans.push({ vlan: readU16(buf, v), name: readText(buf, v + 3, nameLen) });
      return null;
    }
    case 7:
      return linkAggregation(n, buf, v, len);
    default:
      n.unknownTlvs++;
      return null;
  }
}

function ieee8023(n: LldpNeighbor, subtype: number, buf: Uint8Array, v: number, len: number): string | null {
  switch (subtype) {
    case 1: {
      const short = need('802.3 MAC/PHY Configuration/Status', len, 5);
      if (short) return short;
      const an = buf[v] as number;
      const mauType = readU16(buf, v + 3);
      const mau = MAU_TYPES.get(mauType);
      n.macPhy = { autonegSupported: (an & 1) !== 0, autonegEnabled: (an & 2) !== 0, advertised: readU16(buf, v + 1), mauType };
      if (mau) [n.macPhy.speedMbps, n.macPhy.duplex] = mau;
      return null;
    }
    case 2: {
      const short = need('802.3 Power via MDI', len, 3);
      if (short) return short;
      n.power = { support: buf[v] as number, psePair: buf[v + 1] as number, powerClass: buf[v + 2] as number };
      if (len >= 8) [n.power.requestedDeciWatts, n.power.allocatedDeciWatts] = [readU16(buf, v + 4), readU16(buf, v + 6)];
      return null;
    }
    case 3:
      return linkAggregation(n, buf, v, len);
    case 4:
      if (len < 2) return need('802.3 Maximum Frame Size', len, 2);
      n.maxFrameSize = readU16(buf, v);
      return null;
    default:
      n.unknownTlvs++;
      return null;
  }
}

/** 802.1 subtype 7 and the older 802.3 subtype 3 share one layout: status byte, 4-byte port id. */
function linkAggregation(n: LldpNeighbor, buf: Uint8Array, v: number, len: number): string | null {
  const short = need('Link Aggregation', len, 5);
  if (short) return short;
  const st = buf[v] as number;
  n.linkAggregation = { capable: (st & 1) !== 0, enabled: (st & 2) !== 0, portId: readU32(buf, v + 1) };
  return null;
}

const MED_INVENTORY: Record<number, keyof LldpMed> = {
  5: 'hardwareRevision',
  6: 'firmwareRevision',
  7: 'softwareRevision',
  8: 'serialNumber',
  9: 'manufacturer',
  10: 'model',
  11: 'assetId',
};

function med(n: LldpNeighbor, subtype: number, buf: Uint8Array, v: number, len: number): string | null {
  const m = (n.med ??= { policies: [], locationFormats: [] });
  const field = MED_INVENTORY[subtype];
  if (field) {
    (m as unknown as Record<string, string>)[field] = readText(buf, v, len);
    return null;
  }
  switch (subtype) {
    case 1:
      if (len < 3) return need('LLDP-MED Capabilities', len, 3);
      [m.capabilities, m.deviceClass] = [readU16(buf, v), buf[v + 2] as number];
      return null;
    case 2: {
      if (len < 4) return need('LLDP-MED Network Policy', len, 4);
      const w = readU32(buf, v);
      // app(8) | U(1) T(1) X(1) VLAN(12) priority(3) DSCP(6)
      m.policies.push({ application: w >>> 24, unknown: (w & 0x800000) !== 0, tagged: (w & 0x400000) !== 0, vlan: (w >>> 9) & 0xfff, priority: (w >>> 6) & 7, dscp: w & 0x3f });
      return null;
    }
    case 3:
      if (len < 1) return need('LLDP-MED Location', len, 1);
      m.locationFormats.push(buf[v] as number);
      return null;
    default:
      n.unknownTlvs++;
      return null;
  }
}

/** IANA-MAU-MIB dot3MauType values ept maps to speed (Mb/s) and duplex. */
const MAU_TYPES = new Map<number, [number, 'full' | 'half']>([
  [10, [10, 'half']], [11, [10, 'full']],
  [15, [100, 'half']], [16, [100, 'full']], [17, [100, 'half']], [18, [100, 'full']], [19, [100, 'half']], [20, [100, 'full']],
  [21, [1000, 'half']], [22, [1000, 'full']], [23, [1000, 'half']], [24, [1000, 'full']], [25, [1000, 'half']], [26, [1000, 'full']],
  [27, [1000, 'half']], [28, [1000, 'full']], [29, [1000, 'half']], [30, [1000, 'full']],
  [31, [10000, 'full']], [32, [10000, 'full']], [33, [10000, 'full']], [34, [10000, 'full']], [35, [10000, 'full']], [36, [10000, 'full']],
  [37, [10000, 'full']], [38, [10000, 'full']], [39, [10000, 'full']], [40, [10000, 'full']], [41, [10000, 'full']],
  [44, [100, 'full']], [45, [100, 'full']], [46, [100, 'full']], [47, [1000, 'full']], [48, [1000, 'full']], [49, [1000, 'full']],
  [50, [1000, 'full']], [51, [1000, 'full']], [52, [1000, 'full']], [53, [1000, 'full']],
  [54, [10000, 'full']], [55, [10000, 'full']], [56, [1000, 'full']], [57, [10000, 'full']], [58, [10000, 'full']],
]);
