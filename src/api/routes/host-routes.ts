// Hosts seen by agents: hosts, topology, services, dependencies, host-side findings, and the
// fabric/host cross-view of one endpoint.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HOST_FINDING_KINDS, type HostFindingKind } from '../../core/arp-rules.js';
import { normalizeIp, normalizeMac } from '../../core/address.js';
import { EptError } from '../../core/errors.js';
import { crossView, hostsOwning, type FabricSighting } from '../../hosts/cross-view.js';
import { buildHostGraph, type HostGraph, type HostSummary, type LatestDocuments } from '../../hosts/host-graph.js';
import type { HostTracking } from '../../hosts/host-tracking.js';
import type { ModuleDocument } from '../../protocols/agent-report.js';
import type { HostDocumentRecord, HostFindingQuery, HostRecord, HostStore } from '../../store/host-store.js';
import type { ApiContext } from '../api-context.js';
import type { FabricNames } from '../fabric-names.js';
import { NAME_PATTERN, PageQuery, page, passthrough, responses } from '../schemas.js';

const GRAPH_MODULES = ['host', 'interfaces', 'switchLinks', 'services', 'dependencies', 'neighbours'] as const;

async function loadGraph(hosts: HostStore): Promise<HostGraph> {
  const docs: LatestDocuments = {};
  for (const m of GRAPH_MODULES) docs[m] = await hosts.latestDocuments(m);
  return buildHostGraph(docs);
}

const Obj = (d: string) => passthrough(d);
const HostParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const HistoryQuery = Type.Object({ history: Type.Optional(Type.Integer({ minimum: 0, maximum: 32, default: 8, description: 'versions of each module to include' })) });
const ServiceQuery = Type.Object({ host: Type.Optional(Type.String({ maxLength: 128 })), port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })), process: Type.Optional(Type.String({ maxLength: 256, description: 'substring of the executable path' })) });
const DependencyQuery = Type.Object({
  client: Type.Optional(Type.String({ maxLength: 128, description: 'client host id' })),
  server: Type.Optional(Type.String({ maxLength: 128, description: 'server host id' })),
  ip: Type.Optional(Type.String({ maxLength: 64, description: 'server IP' })),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
});
const FindingQuery = Type.Object({
  kind: Type.Optional(Type.Union(HOST_FINDING_KINDS.map((k) => Type.Literal(k)))),
  ip: Type.Optional(Type.String({ maxLength: 64 })),
  ...PageQuery,
});

/** A host that has not reported for this long counts as down. The agent reports only when a document
 *  changes (no heartbeat), so this is 3x its slowest frequent module (interfaces, 60 s) and the UI lets
 *  the operator widen it. */
export const DEFAULT_STALE_AFTER_MS = 180_000;

const HostListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 128, description: 'case-insensitive substring of the hostname or host id, or an IP/MAC prefix' })),
  status: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down')])),
  staleAfter: Type.Optional(Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000, description: `ms without a report after which a host is down (default ${DEFAULT_STALE_AFTER_MS})` })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'items per page; without it every matching host' })),
  cursor: Type.Optional(Type.String({ maxLength: 16, pattern: '^[0-9]+$', description: 'nextCursor of the previous page' })),
});
const HostCounts = Type.Object({ total: Type.Integer(), up: Type.Integer(), down: Type.Integer(), matching: Type.Integer() });


const byHostId = <T>(docs: HostDocumentRecord[]): Map<string, T> => new Map(docs.map((d) => [d.hostId, d.body as T]));

function hostSummary(
  h: HostRecord,
  d: { host: Map<string, ModuleDocument<'host'>>; interfaces: Map<string, ModuleDocument<'interfaces'>>; switchLinks: Map<string, ModuleDocument<'switchLinks'>> },
  now: number,
  staleAfter: number,
): HostSummary {
  const doc = d.host.get(h.hostId);
  const nics = d.interfaces.get(h.hostId)?.interfaces ?? [];
  const ips = nics.flatMap((n) => n.addresses.map((a) => a.addr));
  return {
    ...h,
    hostname: doc?.hostname ?? h.hostId,
    os: doc ? `${doc.os.name} ${doc.os.version}`.trim() : null,
    interfaces: nics.length,
    addresses: ips.length,
    ips,
    macs: nics.map((n) => n.mac).filter((m) => m !== ''),
    switchLinks: (d.switchLinks.get(h.hostId)?.links ?? []).map((l) => ({ iface: l.iface, protocol: l.protocol, switchName: l.systemName ?? l.chassisId, portId: l.portId })),
    status: now - h.lastTs > staleAfter ? 'down' : 'up',
  };
}

function matchesHost(h: HostSummary, q: string | undefined): boolean {
  const t = q?.trim().toLowerCase();
  if (!t) return true;
  if (h.hostname.toLowerCase().includes(t) || h.hostId.toLowerCase().includes(t)) return true;
  const mac = normalizeMac(t) ?? t;
  return h.ips.some((ip) => ip.startsWith(t)) || h.macs.some((m) => m.startsWith(mac));
}

function parseCursor(c: string): number {
  const n = Number(c);
  if (!Number.isSafeInteger(n)) throw new EptError('bad_request', `cursor: '${c}' is not a cursor of this listing`, [{ field: 'querystring/cursor', message: 'must be the nextCursor of the previous page' }]);
  return n;
}

export function hostRoutes(app: FastifyInstance, ctx: ApiContext, names: FabricNames, tracking: HostTracking): void {
  const hosts = ctx.store.hosts;
  const tags = ['hosts'];

  app.get<{ Querystring: Static<typeof HostListQuery> }>(
    '/api/v1/hosts',
    {
      schema: {
        tags,
        summary: 'Hosts that report through an agent, with a summary each (OS, NICs, IPs, switch links, up/down); filtered and, with limit, paged',
        querystring: HostListQuery,
        response: responses({ 200: Type.Object({ items: Type.Array(Obj('host')), nextCursor: Type.Union([Type.String(), Type.Null()]), counts: HostCounts }) }),
      },
    },
    async (req) => {
      const [list, host, ifs, links] = await Promise.all([hosts.listHosts(), hosts.latestDocuments('host'), hosts.latestDocuments('interfaces'), hosts.latestDocuments('switchLinks')]);
      const docs = { host: byHostId<ModuleDocument<'host'>>(host), interfaces: byHostId<ModuleDocument<'interfaces'>>(ifs), switchLinks: byHostId<ModuleDocument<'switchLinks'>>(links) };
      const all = list.map((h) => hostSummary(h, docs, Date.now(), req.query.staleAfter ?? DEFAULT_STALE_AFTER_MS));
      all.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
      const up = all.filter((h) => h.status === 'up').length;
      const matching = all.filter((h) => (req.query.status === undefined || h.status === req.query.status) && matchesHost(h, req.query.q));
      const from = req.query.cursor === undefined ? 0 : parseCursor(req.query.cursor);
      const to = req.query.limit === undefined ? matching.length : from + req.query.limit;
      return {
        items: matching.slice(from, to),
        nextCursor: to < matching.length ? String(to) : null,
        counts: { total: all.length, up, down: all.length - up, matching: matching.length },
      };
    },
  );

  app.get<{ Params: Static<typeof HostParams>; Querystring: Static<typeof HistoryQuery> }>(
    '/api/v1/hosts/:id',
    { schema: { tags, summary: "One host: each module's latest document and its change history", params: HostParams, querystring: HistoryQuery, response: responses({ 200: Obj('host detail') }) } },
    async (req) => {
      const h = await hosts.getHost(req.params.id);
      if (!h) throw new EptError('not_found', `no host '${req.params.id}' has reported`);
      const docs = await hosts.hostDocuments(h.hostId);
      const modules: Record<string, unknown> = {};
      for (const d of docs) {
        const history = await hosts.hostDocumentHistory(h.hostId, d.module, req.query.history ?? 8);
        modules[d.module] = { hash: d.hash, ts: d.ts, seq: d.seq, body: d.body, history: history.map((v) => ({ seq: v.seq, hash: v.hash, ts: v.ts, body: v.body })) };
      }
      return { ...h, modules };
    },
  );

  app.get('/api/v1/topology', { schema: { tags, summary: 'Switches, ports, hosts and links (LLDP/CDP as the hosts see them)', response: responses({ 200: Obj('topology') }) } }, async () => {
    const g = await loadGraph(hosts);
    const switches = new Map<string, Set<string>>();
    const links: { hostId: string; nic: string; switchName: string; portId: string; protocol: string }[] = [];
    for (const h of g.hosts) {
      for (const n of h.nics) {
        if (!n.switchPort) continue;
        const ports = switches.get(n.switchPort.switchName) ?? new Set<string>();
        ports.add(n.switchPort.portId);
        switches.set(n.switchPort.switchName, ports);
        links.push({ hostId: h.hostId, nic: n.name, switchName: n.switchPort.switchName, portId: n.switchPort.portId, protocol: n.switchPort.protocol });
      }
    }
    return { switches: [...switches].map(([name, ports]) => ({ name, ports: [...ports].sort() })), hosts: g.hosts, links };
  });

  app.get<{ Querystring: Static<typeof ServiceQuery> }>(
    '/api/v1/services',
    { schema: { tags, summary: 'Listening services by host, port and process, with their clients', querystring: ServiceQuery, response: responses({ 200: Type.Object({ items: Type.Array(Obj('service')) }) }) } },
    async (req) => {
      const q = req.query;
      const items = (await loadGraph(hosts)).services.filter(
        (s) => (q.host === undefined || s.hostId === q.host) && (q.port === undefined || s.port === q.port) && (q.process === undefined || (s.exe ?? '').includes(q.process)),
      );
      return { items };
    },
  );

  app.get<{ Querystring: Static<typeof DependencyQuery> }>(
    '/api/v1/dependencies',
    { schema: { tags, summary: 'Client -> service edges, filterable', querystring: DependencyQuery, response: responses({ 200: Type.Object({ items: Type.Array(Obj('dependency')) }) }) } },
    async (req) => {
      const q = req.query;
      const items = (await loadGraph(hosts)).dependencies.filter(
        (d) =>
          (q.client === undefined || d.client.hostId === q.client) &&
          (q.server === undefined || d.server.hostId === q.server) &&
          (q.ip === undefined || d.server.ip === q.ip) &&
          (q.port === undefined || d.server.port === q.port),
      );
      return { items };
    },
  );

  app.get<{ Params: { site: string }; Querystring: Static<typeof FindingQuery> }>(
    '/api/v1/sites/:site/findings',
    { schema: { tags, summary: 'Host-side findings of a site (arpwatch kinds, rapid, host_mismatch), newest first', params: Type.Object({ site: Type.String({ pattern: NAME_PATTERN }) }), querystring: FindingQuery, response: responses({ 200: page(Obj('HostFinding')) }) } },
    async (req) => {
      const q: HostFindingQuery = { limit: req.query.limit ?? 100 };
      if (req.query.kind) q.kind = req.query.kind as HostFindingKind;
      if (req.query.ip) q.ip = normalizeIp(req.query.ip) ?? req.query.ip;
      if (req.query.cursor) q.cursor = req.query.cursor;
      return hosts.listHostFindings(req.params.site, q);
    },
  );

  app.get<{ Params: { addr: string } }>(
    '/api/v1/endpoints/:addr/hosts',
    { schema: { tags, summary: 'Cross-view: the hosts owning an IP/MAC, their LLDP/CDP switch port, and where each fabric learned it', params: Type.Object({ addr: Type.String({ minLength: 1, maxLength: 64 }) }), response: responses({ 200: Obj('cross view') }) } },
    async (req) => {
      const addr = normalizeMac(req.params.addr) ?? normalizeIp(req.params.addr);
      if (!addr) throw new EptError('bad_request', `addr: '${req.params.addr}' is neither a MAC nor an IP address`, [{ field: 'params/addr', message: 'must be a MAC or an IP address' }]);
      const owners = hostsOwning((await loadGraph(hosts)).hosts, addr);
      const fabric: FabricSighting[] = [];
      for (const f of await ctx.store.listFabrics()) {
        const p = await ctx.store.listEndpoints(f.name, { search: addr, limit: 100 });
        const t = await names.tables(f.name);
        for (const e of p.items) {
          if (e.addr !== addr || !e.current) continue;
          fabric.push({ fabric: f.name, vnid: e.vnid, addr, node: e.current.node, nodeName: t.node(e.current.node)?.name ?? '', ifId: e.current.ifId });
        }
      }
      const site = owners[0] ? ((await hosts.getHost(owners[0].hostId))?.site ?? 'default') : 'default';
      const view = crossView(addr, owners, fabric, site, Date.now());
      await recordNew(hosts, tracking, view.mismatches);
      return view;
    },
  );
}

/** Records a mismatch unless the latest one recorded for the address says the same. */
async function recordNew(hosts: HostStore, tracking: HostTracking, mismatches: readonly { site: string; ip: string; detail?: Record<string, unknown>; hostId?: string }[]): Promise<void> {
  for (const m of mismatches) {
    const last = (await hosts.listHostFindings(m.site, { kind: 'host_mismatch', ip: m.ip, limit: 20 })).items.find((f) => f.hostId === m.hostId);
    if (last && JSON.stringify(last.detail) === JSON.stringify(m.detail)) continue;
    await tracking.record(m as Parameters<HostTracking['record']>[0]);
  }
}
