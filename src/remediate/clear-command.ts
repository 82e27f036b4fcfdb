// The leaf command that clears one endpoint from the EPM tables (REFERENCE-aci.md, "Clearing an
// endpoint"): IPs by tenant:vrf, MACs by the PI VLAN of the learn. Pure: no I/O.
import type { EndpointType } from '../core/types.js';

/** "uni/tn-X/ctx-Y" -> "X:Y" (the name the leaf CLI knows a VRF by); null for anything else. */
export function tenantVrf(vrfDn: string): string | null {
  const m = /^uni\/tn-([^/]+)\/ctx-([^/]+)$/.exec(vrfDn);
  return m ? `${m[1]}:${m[2]}` : null;
}

/** "vlan-101" (or "101") -> 101; null when the encap is not a VLAN. */
export function vlanNumber(encap: string): number | null {
  const m = /^(?:vlan-)?(\d{1,4})$/.exec(encap);
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 4094 ? n : null;
}

/** aa:bb:cc:dd:ee:ff -> aabb.ccdd.eeff, the form NX-OS prints and takes. */
export function ciscoMac(mac: string): string {
  const h = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8, 12)}`;
}

/** What the command needs: the VRF (tenant:vrf) for an IP, the VLAN for a MAC. */
export interface ClearCommandInput {
  type: EndpointType;
  addr: string;
  /** tenant:vrf of the IP's VRF. */
  vrf?: string | null;
  /** PI VLAN of the MAC's learn on the node. */
  vlan?: number | null;
}

/** The clear command, or an error saying what is missing. */
export function clearCommand(i: ClearCommandInput): { command: string } | { error: string } {
  if (i.type === 'mac') {
    if (!i.vlan) return { error: `no VLAN known for MAC ${i.addr} on this node (needed by "clear … key vlan")` };
    return { command: `clear system internal epm endpoint key vlan ${i.vlan} mac ${ciscoMac(i.addr)}` };
  }
  if (!i.vrf) return { error: `VRF name of ${i.addr} unknown (needed by "clear … key vrf <tenant:vrf>")` };
  return { command: `clear system internal epm endpoint key vrf ${i.vrf} ip ${i.addr}` };
}
