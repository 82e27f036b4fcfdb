// The switchLinks document: LLDP and CDP neighbours per NIC, from ept's decoders (capture) or from
// lldpd, each kept until its TTL runs out (TTL 0 = the neighbour said goodbye).
import type { ModuleDocument } from '../protocols/agent-report.js';
import type { CdpNeighbor } from '../protocols/cdp-decoder.js';
import type { LldpNeighbor } from '../protocols/lldp-types.js';
import type { LldpcliNeighbour } from '../protocols/proc-lldpcli.js';

export type SwitchLink = ModuleDocument<'switchLinks'>['links'][number];

const MAX_LINKS = 1024;
const cut = (s: string | undefined, n: number) => (s === undefined ? undefined : s.slice(0, n));
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** An LLDPDU as a link entry. */
export function linkFromLldp(iface: string, n: LldpNeighbor, now: number): SwitchLink {
  const m = n.macPhy;
  return defined({
    iface: iface.slice(0, 64),
    protocol: 'lldp' as const,
    source: 'capture' as const,
    chassisId: n.chassisId.slice(0, 256),
    portId: n.portId.slice(0, 256),
    systemName: cut(n.systemName, 256),
    systemDescription: cut(n.systemDescription, 2048),
    portDescription: cut(n.portDescription, 256),
    mgmtAddresses: n.managementAddresses.slice(0, 64).map((a) => a.address.slice(0, 64)),
    capabilities: (n.capabilities?.enabled ?? []).slice(0, 32),
    vlans: n.vlans.slice(0, 4096).map((v) => ({ id: v.vlan & 0xfff, name: v.name.slice(0, 64) })),
    pvid: n.pvid === undefined ? undefined : n.pvid & 0xfff,
    mau: m ? defined({ autoneg: m.autonegEnabled, mauType: m.mauType, speedMbps: m.speedMbps, duplex: m.duplex }) : undefined,
    maxFrameSize: n.maxFrameSize,
    duplex: m?.duplex,
    ttl: Math.min(n.ttl, 65535),
    lastSeenTs: now,
  });
}

/** A CDP announcement as a link entry. */
export function linkFromCdp(iface: string, n: CdpNeighbor, now: number): SwitchLink {
  const mgmt = [...new Set([...n.managementAddresses, ...n.addresses])];
  return defined({
    iface: iface.slice(0, 64),
    protocol: 'cdp' as const,
    source: 'capture' as const,
    chassisId: (n.deviceId ?? '').slice(0, 256),
    portId: (n.portId ?? '').slice(0, 256),
    systemName: cut(n.systemName ?? n.deviceId, 256),
    systemDescription: cut(n.softwareVersion, 2048),
    mgmtAddresses: mgmt.slice(0, 64).map((a) => a.slice(0, 64)),
    capabilities: (n.capabilities?.names ?? []).slice(0, 32),
    vlans: n.voiceVlan === undefined ? [] : [{ id: n.voiceVlan & 0xfff, name: 'voice' }],
    nativeVlan: n.nativeVlan === undefined ? undefined : n.nativeVlan & 0xfff,
    mtu: n.mtu,
    platform: cut(n.platform, 256),
    version: cut(n.softwareVersion, 2048),
    duplex: n.duplex,
    ttl: Math.min(n.ttl, 65535),
    lastSeenTs: now,
  });
}

/** lldpd's view of a neighbour as a link entry. */
export function linkFromLldpcli(n: LldpcliNeighbour, now: number): SwitchLink {
  const cdp = n.via.toUpperCase().startsWith('CDP');
  const pvid = n.vlans.find((v) => v.pvid)?.id;
  const current = n.autoneg?.current ?? '';
  const duplex = /full duplex/i.test(current) ? 'full' : /half duplex/i.test(current) ? 'half' : undefined;
  return defined({
    iface: n.iface.slice(0, 64),
    protocol: cdp ? ('cdp' as const) : ('lldp' as const),
    source: 'lldpd' as const,
    chassisId: n.chassisId.slice(0, 256),
    portId: n.portId.slice(0, 256),
    systemName: cut(n.systemName, 256),
    systemDescription: cut(n.systemDescription, 2048),
    portDescription: cut(n.portDescription, 256),
    mgmtAddresses: n.mgmtAddresses.slice(0, 64).map((a) => a.slice(0, 64)),
    capabilities: n.capabilities.slice(0, 32).map((c) => c.slice(0, 32)),
    vlans: n.vlans.slice(0, 4096).map((v) => defined({ id: v.id, name: cut(v.name, 64) })),
    pvid,
    maxFrameSize: n.maxFrameSize,
    version: cdp ? cut(n.systemDescription, 2048) : undefined,
    duplex,
    ttl: Math.min(n.ttl ?? 0, 65535),
    lastSeenTs: now,
  });
}

/** Captured links aged by TTL, plus lldpd's current list. */
export class SwitchLinkTable {
  private readonly captured = new Map<string, { link: SwitchLink; expiresAt: number }>();
  private fromLldpd: SwitchLink[] = [];

  /** Records a captured announcement; true when the neighbour is new or gone (worth reporting now). */
  ingest(link: SwitchLink, now: number): boolean {
    const key = `${link.iface}|${link.protocol}|${link.chassisId}|${link.portId}`;
    const known = this.captured.delete(key);
    if (link.ttl === 0) return known;
    this.captured.set(key, { link, expiresAt: now + link.ttl * 1000 });
    if (this.captured.size > MAX_LINKS) this.captured.delete(this.captured.keys().next().value as string);
    return !known;
  }

  /** Replaces lldpd's list (each poll returns all of lldpd's neighbours). */
  setLldpd(links: SwitchLink[]): void {
    this.fromLldpd = links;
  }

  document(now: number): ModuleDocument<'switchLinks'> {
    const links: SwitchLink[] = [];
    const keys = new Set<string>();
    for (const [k, e] of this.captured) {
      if (e.expiresAt < now) this.captured.delete(k);
      else {
        links.push(e.link);
        keys.add(k);
      }
    }
    // The capture decodes more fields than lldpd reports: it wins when both saw the same neighbour.
    for (const l of this.fromLldpd) if (!keys.has(`${l.iface}|${l.protocol}|${l.chassisId}|${l.portId}`)) links.push(l);
    return { links: links.slice(0, MAX_LINKS) };
  }
}
