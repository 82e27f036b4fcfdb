// How stored objects are shown by the API: fabrics without secrets, endpoint summaries, findings
// flattened to the details a table row needs.
import type { FabricTables } from '../core/fabric-tables.js';
import type { EndpointState, Location } from '../core/types.js';
import type { FabricConfig, FindingRecord } from '../store/store.js';
import { epgName } from './fabric-names.js';
import type { FabricView } from './schemas.js';

/** A fabric as the API shows it: the APIC password is replaced by passwordSet. */
export function fabricView(f: FabricConfig, state: string): FabricView {
  const apic: FabricView['apic'] = { urls: f.apic.urls, username: f.apic.username, passwordSet: f.apic.password.length > 0, verifyTls: f.apic.verifyTls };
  if (f.apic.caFile !== undefined) apic.caFile = f.apic.caFile;
  return { name: f.name, apic, settings: { ...f.settings }, autoStart: f.autoStart, simulated: f.simulated, createdTs: f.createdTs, state };
}

export function endpointSummary(e: EndpointState) {
  let learnCount = 0;
  for (const l of e.learns) if (l.present) learnCount++;
  return { fabric: e.fabric, vnid: e.vnid, addr: e.addr, type: e.type, current: e.current, flags: e.flags, deletedTs: e.deletedTs, learnCount, ts: e.ts };
}

type Details = {
  node: number;
  nodeName?: string;
  ifId?: string;
  encap?: string;
  pcTag?: number;
  epg?: string;
  mac?: string;
  reason?: string;
  remote?: number;
  rate?: number;
  from?: Location;
};

/** One finding record with its latest event's details (node, interface, encap, EPG, MAC). */
export function findingItem(r: FindingRecord, t: FabricTables | null) {
  const f = r.last;
  const d: Details = { node: f.node };
  const loc = f.dst ?? null;
  if (loc) {
    Object.assign(d, { node: loc.node, ifId: loc.ifId, encap: loc.encap, pcTag: loc.pcTag });
    if (loc.rwMac) d.mac = loc.rwMac;
    if (f.src) d.from = f.src;
  } else if (f.learn) {
    Object.assign(d, { ifId: f.learn.ifId, encap: f.learn.encap, pcTag: f.learn.pcTag });
    if (f.learn.rwMac) d.mac = f.learn.rwMac;
  }
  if (f.reason !== undefined) d.reason = f.reason;
  if (f.remote !== undefined) d.remote = f.remote;
  if (f.rate !== undefined) d.rate = f.rate;
  if (t) {
    const name = t.node(d.node)?.name;
    if (name) d.nodeName = name;
    const epg = d.pcTag ? epgName(t, r.type === 'mac', r.vnid, loc?.rwBd ?? f.learn?.bd ?? 0, d.pcTag) : undefined;
    if (epg) d.epg = epg;
  }
  return { fabric: r.fabric, kind: r.kind, vnid: r.vnid, addr: r.addr, type: r.type, node: r.node, count: r.count, firstTs: r.firstTs, lastTs: r.lastTs, details: d, last: f };
}

/** Names for an endpoint's detail page: its vnid, every node it is learned on, EPG of the current location. */
export function endpointNames(e: EndpointState, t: FabricTables) {
  const nodes: Record<string, string> = {};
  for (const l of e.learns) {
    const n = t.node(l.node)?.name;
    if (n) nodes[String(l.node)] = n;
  }
  const cur = e.current;
  const epg = cur ? epgName(t, e.type === 'mac', e.vnid, cur.rwBd, cur.pcTag) : undefined;
  return { vnid: t.vnidName(e.vnid) || undefined, nodes, epg };
}
