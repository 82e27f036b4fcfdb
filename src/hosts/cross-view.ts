// The cross-view of one endpoint: which agent hosts own the IP/MAC and which switch port LLDP/CDP says
// they are on, against the leaf and interface the fabric learned it on. A disagreement is a
// host_mismatch finding. Pure: the route gathers the inputs.
import type { HostFinding } from '../core/arp-tracker.js';
import type { GraphHost } from './host-graph.js';

/** Where the fabric learned the endpoint (its current local learn). */
export interface FabricSighting {
  fabric: string;
  vnid: number;
  addr: string;
  node: number;
  nodeName: string;
  ifId: string;
}

/** One host owning the address, with its LLDP/CDP switch port. */
export interface HostSighting {
  hostId: string;
  hostname: string;
  nic: string;
  mac: string;
  switchName?: string;
  portId?: string;
  portDescription?: string;
}

export interface CrossView {
  addr: string;
  hosts: HostSighting[];
  fabric: FabricSighting[];
  /** Disagreements between the two views. */
  mismatches: HostFinding[];
}

/** The hosts whose NICs carry `addr` (an IP, or a MAC). */
export function hostsOwning(hosts: readonly GraphHost[], addr: string): HostSighting[] {
  const out: HostSighting[] = [];
  for (const h of hosts) {
    for (const n of h.nics) {
      if (n.mac !== addr && !n.ips.some((i) => i.addr === addr)) continue;
      const s: HostSighting = { hostId: h.hostId, hostname: h.hostname, nic: n.name, mac: n.mac };
      if (n.switchPort) Object.assign(s, { switchName: n.switchPort.switchName, portId: n.switchPort.portId, ...(n.switchPort.portDescription ? { portDescription: n.switchPort.portDescription } : {}) });
      out.push(s);
    }
  }
  return out;
}

/** eth1/5, Ethernet1/5, Eth1/5, "topology/pod-1/paths-101/pathep-[eth1/5]" -> "1/5"; anything else lower-cased. */
export function normalizePort(port: string): string {
  const m = /(?:^|\[|\s)(?:ethernet|eth|et)\s*(\d+(?:\/\d+)+)\]?$/i.exec(port.trim());
  return m ? (m[1] as string) : port.trim().toLowerCase();
}

/** A switch name compared case-insensitively, without a domain suffix. */
function normalizeSwitch(name: string): string {
  return name.trim().toLowerCase().split('.')[0] as string;
}

/** Compares the views; each host on a different switch or port than the fabric's learn is a finding. */
export function crossView(addr: string, hosts: HostSighting[], fabric: FabricSighting[], site: string, ts: number): CrossView {
  const mismatches: HostFinding[] = [];
  for (const h of hosts) {
    if (h.switchName === undefined || h.portId === undefined) continue;
    const hostPorts = [h.portId, h.portDescription].filter((p): p is string => p !== undefined).map(normalizePort);
    for (const f of fabric) {
      if (!f.nodeName) continue;
      const sameSwitch = normalizeSwitch(f.nodeName) === normalizeSwitch(h.switchName);
      const samePort = hostPorts.includes(normalizePort(f.ifId));
      if (sameSwitch && samePort) continue;
      mismatches.push({
        site,
        kind: 'host_mismatch',
        ip: addr,
        mac: h.mac,
        ts,
        hostId: h.hostId,
        iface: h.nic,
        detail: { fabric: f.fabric, vnid: f.vnid, fabricNode: f.node, fabricNodeName: f.nodeName, fabricInterface: f.ifId, lldpSwitch: h.switchName, lldpPort: h.portId, sameSwitch, samePort },
      });
    }
  }
  return { addr, hosts, fabric, mismatches };
}
