// One captured frame to a flat, JSON-ready record: link addresses plus the LLDP, CDP, ARP or NDP
// fields, "unknown" for other traffic, or "malformed" with the layer, the reason and the byte offset.
// This is the reporting path (strings for every field); the ARP hot path calls parseLink + decodeArp.
import { decodeArp } from './arp-decoder.js';
import { decodeCdp, type CdpNeighbor } from './cdp-decoder.js';
import { formatIpv4Number, formatMac, formatMacNumber } from './ethernet-addresses.js';
import { ETHERTYPE_8023, ETHERTYPE_ARP, ETHERTYPE_IPV6, ETHERTYPE_LLDP, lldpScope, newLinkFrame, parseLink, SNAP_OUI_CISCO, SNAP_PID_CDP, type LinkFrame } from './ethernet-frame.js';
import { decodeLldp, type LldpNeighbor } from './lldp-decoder.js';
import { decodeNdp, type NdpMessage } from './ndp-decoder.js';
import type { DecodeFailure } from './pcap-decode-types.js';
import type { PcapPacket } from './pcap-reader.js';

/** Fields every decoded frame has. */
export interface FrameHeader {
  /** 1-based position in the capture. */
  frame: number;
  /** Capture time, seconds since the epoch with nanoseconds: "1293466953.511610000". */
  ts: string;
  /** Link-layer source and destination MACs, when the capture has them. */
  src?: string;
  dst?: string;
  /** VLAN tags, outermost first, when present. */
  vlanTags?: number[];
  /** Bytes on the wire and bytes captured. */
  length: number;
  capturedLength: number;
}

/** The capture stopped (snap length) before the PDU ended: fields read so far are kept. */
interface Truncation {
  truncated?: { error: string; offset: number };
}

export type DecodedFrame = FrameHeader &
  (
    | ({ protocol: 'lldp'; scope?: string } & LldpNeighbor & Truncation)
    | ({ protocol: 'cdp' } & CdpNeighbor & Truncation)
    | { protocol: 'arp'; op: 'request' | 'reply' | number; senderMac: string; senderIp: string; targetMac: string; targetIp: string }
    | ({ protocol: 'ndp' } & NdpMessage)
    | { protocol: 'unknown'; etherType?: string; snap?: string; llcDsap?: string }
    | { protocol: 'malformed'; layer: 'link' | 'lldp' | 'cdp' | 'arp' | 'ndp'; error: string; offset: number }
  );

/** Decodes frames of a capture; reuses one LinkFrame between calls. */
export class FrameDecoder {
  private readonly link: LinkFrame = newLinkFrame();

  decode(pk: PcapPacket, frame: number): DecodedFrame {
    const { data: b, start } = pk;
    const end = start + pk.capLen;
    const cut = pk.capLen < pk.origLen;
    const h: FrameHeader = { frame, ts: `${pk.tsSec}.${String(pk.tsNsec).padStart(9, '0')}`, length: pk.origLen, capturedLength: pk.capLen };
    const l = this.link;
    const linkErr = parseLink(pk.linkType, b, start, end, l);
    if (l.srcOff >= 0 && l.srcOff + 6 <= end) h.src = formatMac(b, l.srcOff);
    if (l.dstOff >= 0 && l.dstOff + 6 <= end) h.dst = formatMac(b, l.dstOff);
    if (linkErr) return malformed(h, 'link', linkErr);
    if (l.vlanCount > 0) h.vlanTags = l.vlans.slice(0, l.vlanCount);
    const p = l.payloadStart;
    const e = l.payloadEnd;
    switch (l.etherType) {
      case ETHERTYPE_LLDP: {
        const r = decodeLldp(b, p, e, start);
        const scope = lldpScope(b, l.dstOff);
        if (r.ok) return { ...h, protocol: 'lldp', ...(scope ? { scope } : {}), ...r.value };
        if (r.short && cut) return { ...h, protocol: 'lldp', ...(scope ? { scope } : {}), ...r.partial, truncated: { error: r.error, offset: r.offset } };
        return malformed(h, 'lldp', r);
      }
      case ETHERTYPE_ARP: {
        const r = decodeArp(b, p, e, start);
        if (!r.ok) return malformed(h, 'arp', r);
        const op = r.op === 1 ? 'request' : r.op === 2 ? 'reply' : r.op;
        return { ...h, protocol: 'arp', op, senderMac: formatMacNumber(r.senderMac), senderIp: formatIpv4Number(r.senderIp), targetMac: formatMacNumber(r.targetMac), targetIp: formatIpv4Number(r.targetIp) };
      }
      case ETHERTYPE_IPV6: {
        const r = decodeNdp(b, p, e, start);
        if (r === null) return { ...h, protocol: 'unknown', etherType: hex(l.etherType, 4) };
        return r.ok ? { ...h, protocol: 'ndp', ...r.value } : malformed(h, 'ndp', r);
      }
      case ETHERTYPE_8023:
        if (l.snapOui === SNAP_OUI_CISCO && l.snapPid === SNAP_PID_CDP) {
          const r = decodeCdp(b, p, e, start);
          if (r.ok) return { ...h, protocol: 'cdp', ...r.value };
          if (r.short && cut) return { ...h, protocol: 'cdp', ...r.partial, truncated: { error: r.error, offset: r.offset } };
          return malformed(h, 'cdp', r);
        }
        return l.snapOui >= 0 ? { ...h, protocol: 'unknown', snap: `${hex(l.snapOui, 6)}/${hex(l.snapPid, 4)}` } : { ...h, protocol: 'unknown', llcDsap: hex(l.llcDsap, 2) };
      default:
        return { ...h, protocol: 'unknown', etherType: hex(l.etherType, 4) };
    }
  }
}

function malformed(h: FrameHeader, layer: 'link' | 'lldp' | 'cdp' | 'arp' | 'ndp', f: DecodeFailure): DecodedFrame {
  return { ...h, protocol: 'malformed', layer, error: f.error, offset: f.offset };
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}
