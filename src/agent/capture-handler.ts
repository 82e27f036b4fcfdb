// What a captured frame means for the agent: LLDP/CDP update the switch-link table, ARP and ND
// sightings update the neighbour table and go to the server as observations.
import type { DecodedFrame } from '../protocols/pcap-frame-decoder.js';
import type { NeighbourTable } from './neighbour-table.js';
import type { Observation } from './observation-batcher.js';
import { linkFromCdp, linkFromLldp, type SwitchLinkTable } from './switch-link-table.js';

export interface CaptureSinks {
  links: SwitchLinkTable;
  neighbours: NeighbourTable;
  observe(ob: Observation): void;
  /** A switch link appeared or said goodbye: report without waiting for the next poll. */
  linksChanged(): void;
  now(): number;
}

const ZERO_MAC = '00:00:00:00:00:00';

/** Handles one decoded frame from interface `iface`. */
export function handleCapturedFrame(iface: string, f: DecodedFrame, sinks: CaptureSinks): void {
  const now = sinks.now();
  switch (f.protocol) {
    case 'lldp':
      if (sinks.links.ingest(linkFromLldp(iface, f, now), now)) sinks.linksChanged();
      return;
    case 'cdp':
      if (sinks.links.ingest(linkFromCdp(iface, f, now), now)) sinks.linksChanged();
      return;
    case 'arp':
      // A probe (sender 0.0.0.0) claims nothing yet.
      if (f.senderIp !== '0.0.0.0' && f.senderMac !== ZERO_MAC) sighting(iface, 'arp', f.senderIp, f.senderMac, now, sinks);
      return;
    case 'ndp':
      if (f.type === 'na' && f.targetIp && f.targetMac) sighting(iface, 'nd', f.targetIp, f.targetMac, now, sinks);
      else if (f.srcIp !== '::' && f.sourceMac) sighting(iface, 'nd', f.srcIp, f.sourceMac, now, sinks); // DAD (from ::) claims nothing yet
      return;
    case 'unknown':
    case 'malformed': // the capture filter lets only these protocols through; a broken frame is skipped
      return;
  }
}

function sighting(iface: string, kind: 'arp' | 'nd', ip: string, mac: string, now: number, sinks: CaptureSinks): void {
  sinks.neighbours.observe(iface, ip, mac, now);
  sinks.observe({ ts: now, iface: iface.slice(0, 64), kind, ip, mac });
}
