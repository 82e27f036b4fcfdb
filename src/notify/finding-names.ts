// Enriches a finding with the names an operator reads (tenant, VRF, BD, EPG, node) and renders
// its one-line summary. Pure: takes the fabric's tables, returns data.
import type { FabricTables } from '../core/fabric-tables.js';
import { nodeMembers, type Finding, type Location } from '../core/types.js';
import type { FindingNames, Notification } from './notification.js';

const NO_NAMES: FindingNames = Object.freeze({
  tenant: '',
  vrf: '',
  bd: '',
  epg: '',
  node: '',
  srcNode: '',
  dstNode: '',
});

/** Node name, or "a,b" for a vPC pair; '' when unknown. */
export function nodeName(tables: FabricTables | undefined, id: number): string {
  if (!tables || !id) return '';
  const names = nodeMembers(id).map((m) => tables.node(m)?.name ?? '');
  return names.every(Boolean) ? names.join(',') : '';
}

/** Tenant name from any DN under uni/tn-<name>/. */
export function tenantOf(dn: string): string {
  const m = /^uni\/tn-([^/]+)/.exec(dn);
  return m?.[1] ?? '';
}

/** Resolves the names of a finding; unknown parts stay ''. */
export function findingNames(f: Finding, tables: FabricTables | undefined): FindingNames {
  if (!tables) return NO_NAMES;
  const loc: Location | undefined = f.dst ?? f.src;
  let vrfVnid: number;
  let bdVnid: number;
  if (f.type === 'mac') {
    bdVnid = f.vnid;
    vrfVnid = tables.bdVrfOf(f.vnid) || (f.learn?.vrf ?? 0);
  } else {
    vrfVnid = f.vnid;
    bdVnid = loc?.rwBd || f.learn?.bd || f.learn?.rwBd || 0;
  }
  const pcTag = loc?.pcTag || f.learn?.pcTag || 0;
  const vrf = vrfVnid ? tables.vnidName(vrfVnid) : '';
  const bd = bdVnid ? tables.vnidName(bdVnid) : '';
  const epg = vrfVnid && pcTag ? (tables.epg(vrfVnid, pcTag)?.dn ?? '') : '';
  return {
    tenant: tenantOf(epg) || tenantOf(bd) || tenantOf(vrf),
    vrf,
    bd,
    epg,
    node: nodeName(tables, f.node),
    srcNode: nodeName(tables, f.src?.node ?? 0),
    dstNode: nodeName(tables, f.dst?.node ?? 0),
  };
}

function where(id: number, name: string): string {
  if (!id) return 'proxy';
  return name ? `${name} (node ${id})` : `node ${id}`;
}

function locationText(l: Location, name: string): string {
  const parts = [where(l.node, name)];
  if (l.ifId) parts.push(l.ifId);
  if (l.encap) parts.push(l.encap);
  if (l.rwMac) parts.push(`mac ${l.rwMac}`);
  return parts.join(' ');
}

/** The one-line summary of a finding. */
export function summarize(f: Finding, names: FindingNames, suppressed = 0): string {
  const scope = names.epg || names.bd || names.vrf || `vnid ${f.vnid}`;
  const head = `[${f.fabric}] ${f.kind}: ${f.type} ${f.addr} in ${scope}`;
  let body: string;
  switch (f.kind) {
    case 'move':
      body =
        f.src && f.dst
          ? `moved from ${locationText(f.src, names.srcNode)} to ${locationText(f.dst, names.dstNode)}`
          : 'moved';
      break;
    case 'offsubnet':
      body = `learned on ${where(f.node, names.node)} outside the subnets of ${names.bd || 'its BD'}`;
      break;
    case 'stale':
      body = `stale (${f.reason ?? 'unknown'}) on ${where(f.node, names.node)}`;
      if (f.remote !== undefined) body += `, points to ${f.remote ? `node ${f.remote}` : 'proxy'}`;
      if (f.expected) body += `, expected node ${f.expected}`;
      break;
    case 'rapid':
      body = `rapid: ${f.rate ?? 0} events/min`;
      break;
  }
  const tail = suppressed ? ` (+${suppressed} similar suppressed by rate limit)` : '';
  return `${head} ${body}${tail}`;
}

/** Builds the notification for a finding. */
export function toNotification(f: Finding, tables: FabricTables | undefined, suppressed = 0): Notification {
  const names = findingNames(f, tables);
  return { finding: f, names, suppressed, summary: summarize(f, names, suppressed) };
}
