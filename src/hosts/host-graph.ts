// The host graph, derived from the latest module documents: host -> NIC -> IP, NIC -> switch port
// (LLDP/CDP), process -> service, client -> service (dependency), neighbour -> endpoint. Pure: takes
// the documents, returns the graph; host-routes.ts loads the documents from the store.
import type { ModuleDocument } from '../protocols/agent-report.js';
import type { HostDocumentRecord, HostRecord } from '../store/host-store.js';

type Interfaces = ModuleDocument<'interfaces'>;
type Links = ModuleDocument<'switchLinks'>;
type Services = ModuleDocument<'services'>;
type Deps = ModuleDocument<'dependencies'>;
type Neighbours = ModuleDocument<'neighbours'>;
type HostDoc = ModuleDocument<'host'>;

export interface GraphNic {
  name: string;
  mac: string;
  ips: { addr: string; prefixLen: number }[];
  /** The switch port LLDP/CDP says this NIC is cabled to. */
  switchPort?: { switchName: string; portId: string; portDescription?: string; chassisId: string; protocol: string };
}
export interface GraphHost {
  hostId: string;
  hostname: string;
  nics: GraphNic[];
}
export interface GraphService {
  hostId: string;
  proto: string;
  ip: string;
  port: number;
  pid?: number;
  exe?: string;
  clients: { hostId: string | null; ip: string; pid?: number; exe?: string }[];
}
export interface GraphDependency {
  client: { hostId: string; ip: string; port: number; pid?: number; exe?: string };
  server: { hostId: string | null; ip: string; port: number; proto: string; exe?: string };
}
export interface GraphNeighbour {
  hostId: string;
  iface: string;
  ip: string;
  mac: string;
  /** The host that owns the IP, when it runs an agent. */
  ownerHostId: string | null;
}
export interface HostGraph {
  hosts: GraphHost[];
  services: GraphService[];
  dependencies: GraphDependency[];
  neighbours: GraphNeighbour[];
}

/** The latest documents of every host, by module. */
export type LatestDocuments = Partial<Record<'host' | 'interfaces' | 'switchLinks' | 'services' | 'dependencies' | 'neighbours', HostDocumentRecord[]>>;

const byHost = <T>(docs: HostDocumentRecord[] | undefined): Map<string, T> => new Map((docs ?? []).map((d) => [d.hostId, d.body as T]));
const WILDCARD = new Set(['0.0.0.0', '::']);

export function buildHostGraph(d: LatestDocuments): HostGraph {
  const ifs = byHost<Interfaces>(d.interfaces);
  const links = byHost<Links>(d.switchLinks);
  const hostDocs = byHost<HostDoc>(d.host);
  const ids = [...new Set([...hostDocs.keys(), ...ifs.keys(), ...links.keys(), ...byHost(d.services).keys()])].sort();
  const ipOwner = new Map<string, string>();
  const hosts: GraphHost[] = ids.map((hostId) => {
    const nics: GraphNic[] = (ifs.get(hostId)?.interfaces ?? []).map((i) => {
      for (const a of i.addresses) ipOwner.set(a.addr, hostId);
      const nic: GraphNic = { name: i.name, mac: i.mac, ips: i.addresses.map((a) => ({ addr: a.addr, prefixLen: a.prefixLen })) };
      const l = links.get(hostId)?.links.find((x) => x.iface === i.name);
      if (l) nic.switchPort = { switchName: l.systemName ?? l.chassisId, portId: l.portId, ...(l.portDescription ? { portDescription: l.portDescription } : {}), chassisId: l.chassisId, protocol: l.protocol };
      return nic;
    });
    return { hostId, hostname: hostDocs.get(hostId)?.hostname ?? hostId, nics };
  });

  const services: GraphService[] = [];
  const svcIndex = new Map<string, GraphService>();
  for (const [hostId, doc] of byHost<Services>(d.services)) {
    for (const s of doc.services) {
      const g: GraphService = { hostId, proto: s.proto, ip: s.ip, port: s.port, ...(s.pid !== undefined ? { pid: s.pid } : {}), ...(s.exe ? { exe: s.exe } : {}), clients: [] };
      services.push(g);
      svcIndex.set(`${hostId}|${s.proto}|${WILDCARD.has(s.ip) ? '*' : s.ip}|${s.port}`, g);
    }
  }
  const dependencies: GraphDependency[] = [];
  for (const [hostId, doc] of byHost<Deps>(d.dependencies)) {
    for (const c of doc.connections) {
      const owner = ipOwner.get(c.remoteIp) ?? null;
      const svc = owner === null ? undefined : (svcIndex.get(`${owner}|${c.proto}|${c.remoteIp}|${c.remotePort}`) ?? svcIndex.get(`${owner}|${c.proto}|*|${c.remotePort}`));
      const client = { hostId, ip: c.localIp, port: c.localPort, ...(c.pid !== undefined ? { pid: c.pid } : {}), ...(c.exe ? { exe: c.exe } : {}) };
      dependencies.push({ client, server: { hostId: owner, ip: c.remoteIp, port: c.remotePort, proto: c.proto, ...(svc?.exe ? { exe: svc.exe } : {}) } });
      svc?.clients.push({ hostId, ip: c.localIp, ...(c.pid !== undefined ? { pid: c.pid } : {}), ...(c.exe ? { exe: c.exe } : {}) });
    }
  }
  const neighbours: GraphNeighbour[] = [];
  for (const [hostId, doc] of byHost<Neighbours>(d.neighbours)) {
    for (const n of doc.neighbours) neighbours.push({ hostId, iface: n.iface, ip: n.ip, mac: n.mac, ownerHostId: ipOwner.get(n.ip) ?? null });
  }
  return { hosts, services, dependencies, neighbours };
}

/** Subnets of each interface of a host (for the bogon rule of its observations). */
export function interfaceSubnets(doc: Interfaces | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of doc?.interfaces ?? []) out.set(i.name, i.addresses.map((a) => `${a.addr}/${a.prefixLen}`));
  return out;
}

/** A host as the host list shows it (GET /api/v1/hosts): its record and a digest of its documents. */
export interface HostSummary extends HostRecord {
  hostname: string;
  os: string | null;
  interfaces: number;
  addresses: number;
  ips: string[];
  macs: string[];
  switchLinks: { iface: string; protocol: string; switchName: string; portId: string }[];
  status: 'up' | 'down';
}
