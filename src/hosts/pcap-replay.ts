// Offline host-side tracking: streams a capture through ept's own decoders (pcap/pcapng reader,
// link layer, ARP, IPv6 ND) into a HostTracker. No lookup of any kind per frame (no DNS, no vendor
// database): addresses stay numbers until a finding is printed.
import { EptError } from '../core/errors.js';
import type { FindingSink, HostTracker } from '../core/arp-tracker.js';
import { decodeArp } from '../protocols/arp-decoder.js';
import { readMacNumber } from '../protocols/ethernet-addresses.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6, newLinkFrame, parseLink } from '../protocols/ethernet-frame.js';
import { decodeNdp } from '../protocols/ndp-decoder.js';
import { PcapStreamReader } from '../protocols/pcap-reader.js';

/** Counters of one replay. */
export interface ReplayStats {
  frames: number;
  arp: number;
  nd: number;
  /** Frames that were neither (or not decodable as either). */
  other: number;
  findings: number;
  /** Wall time of the replay, ms. */
  elapsedMs: number;
}

/**
 * Replays a capture (chunks of a pcap or pcapng stream) into `tracker`, reporting through `emit`.
 * A corrupt or truncated file is a parse_error naming the byte offset; a malformed frame is counted
 * as `other` and skipped, as a sniffer would.
 */
export async function replayCapture(chunks: AsyncIterable<Uint8Array>, tracker: HostTracker, emit: FindingSink, name = 'capture'): Promise<ReplayStats> {
  const started = performance.now();
  const stats: ReplayStats = { frames: 0, arp: 0, nd: 0, other: 0, findings: 0, elapsedMs: 0 };
  const count: FindingSink = (f) => {
    stats.findings++;
    emit(f);
  };
  const reader = new PcapStreamReader();
  const link = newLinkFrame();
  for await (const chunk of chunks) {
    reader.push(chunk);
    for (let p = reader.next(); p !== null; p = reader.next()) {
      if (!p.ok) throw new EptError('parse_error', `${name}: ${p.error} at offset ${p.offset}`, { offset: p.offset });
      stats.frames++;
      const data = p.data;
      const end = p.start + p.capLen;
      if (parseLink(p.linkType, data, p.start, end, link) !== null) {
        stats.other++;
        continue;
      }
      const ts = p.tsSec * 1000 + Math.floor(p.tsNsec / 1_000_000);
      const frameMac = link.srcOff >= 0 ? readMacNumber(data, link.srcOff) : -1;
      if (link.etherType === ETHERTYPE_ARP) {
        const a = decodeArp(data, link.payloadStart, link.payloadEnd);
        // arpwatch looks at requests and replies only (not RARP or InARP).
        if (!a.ok || (a.op !== 1 && a.op !== 2)) {
          stats.other++;
          continue;
        }
        stats.arp++;
        tracker.observeV4(a.senderIp, a.senderMac, frameMac, ts, count);
      } else if (link.etherType === ETHERTYPE_IPV6) {
        if (!observeNd(tracker, data, link.payloadStart, link.payloadEnd, frameMac, ts, count)) stats.other++;
        else stats.nd++;
      } else stats.other++;
    }
  }
  const end = reader.finish();
  if (end) throw new EptError('parse_error', `${name}: ${end.error} at offset ${end.offset}`, { offset: end.offset });
  stats.elapsedMs = performance.now() - started;
  return stats;
}

/**
 * Neighbor Discovery says which MAC an IPv6 address has: a solicitation's source with its source
 * link-layer option, an advertisement's target with its target link-layer option.
 */
function observeNd(tracker: HostTracker, data: Uint8Array, start: number, end: number, frameMac: number, ts: number, emit: FindingSink): boolean {
  const r = decodeNdp(data, start, end);
  if (r === null || !r.ok) return false;
  const m = r.value;
  let ip: string | undefined;
  let mac: string | undefined;
  if (m.type === 'na') [ip, mac] = [m.targetIp, m.targetMac];
  else if (m.type === 'ns' || m.type === 'rs' || m.type === 'ra') [ip, mac] = [m.srcIp, m.sourceMac];
  if (ip === undefined || mac === undefined) return false;
  tracker.observeV6(ip, parseInt(mac.replaceAll(':', ''), 16), frameMac, ts, emit);
  return true;
}
