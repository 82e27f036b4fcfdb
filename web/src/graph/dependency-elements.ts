// The service dependency graph: hosts and services as nodes, client host -> service edges (one per
// pair, weighted by the connections behind it), service -> the host that runs it. Servers without
// an agent appear as an external address. Positions are computed here (see placeNodes).
import type { ElementDefinition, LayoutOptions, StylesheetJson } from 'cytoscape';
import type { GraphDependency } from '../types';

export interface DependencyFilter {
  /** Only edges whose client or server host name/id contains this; '' for all. */
  host: string;
  /** Only this server port; '' for all. */
  port: string;
}

export interface DependencyElements {
  elements: ElementDefinition[];
  hosts: number;
  services: number;
  edges: number;
}

export const serviceKey = (d: GraphDependency['server']): string => `svc:${d.hostId ?? `ip:${d.ip}`}\u0000${d.proto}\u0000${d.port}`;

export function dependencyElements(deps: readonly GraphDependency[], f: DependencyFilter, names: ReadonlyMap<string, string>): DependencyElements {
  const q = f.host.trim().toLowerCase();
  const port = f.port.trim() === '' ? null : Number(f.port);
  const nameOf = (id: string) => names.get(id) ?? id;
  const hit = (id: string | null) => id !== null && (id.toLowerCase().includes(q) || nameOf(id).toLowerCase().includes(q));
  const hosts = new Map<string, ElementDefinition>();
  const services = new Map<string, ElementDefinition>();
  const edges = new Map<string, ElementDefinition>();
  const addHost = (id: string) => {
    if (!hosts.has(id)) hosts.set(id, { group: 'nodes', data: { id: `h:${id}`, kind: 'host', hostId: id, label: nameOf(id) } });
  };
  for (const d of deps) {
    if (port !== null && d.server.port !== port) continue;
    if (q && !hit(d.client.hostId) && !hit(d.server.hostId)) continue;
    const sk = serviceKey(d.server);
    addHost(d.client.hostId);
    if (!services.has(sk)) {
      const exe = d.server.exe ? ` ${d.server.exe.split('/').pop() ?? ''}` : '';
      const where = d.server.hostId === null ? d.server.ip : nameOf(d.server.hostId);
      services.set(sk, {
        group: 'nodes',
        data: { id: sk, kind: d.server.hostId === null ? 'external' : 'service', hostId: d.server.hostId, label: `${where}:${d.server.port}/${d.server.proto}${exe}`, clients: 0 },
      });
      if (d.server.hostId !== null) {
        addHost(d.server.hostId);
        edges.set(`r:${sk}`, { group: 'edges', data: { id: `r:${sk}`, source: sk, target: `h:${d.server.hostId}`, kind: 'runs-on' } });
      }
    }
    const ek = `c:${d.client.hostId}\u0000${sk}`;
    const e = edges.get(ek);
    if (e) (e.data as { connections: number }).connections++;
    else {
      edges.set(ek, { group: 'edges', data: { id: ek, source: `h:${d.client.hostId}`, target: sk, kind: 'uses', connections: 1 } });
      (services.get(sk)?.data as { clients: number }).clients++;
    }
  }
  placeNodes([...hosts.values()], [...services.values()]);
  return { elements: [...hosts.values(), ...services.values(), ...edges.values()], hosts: hosts.size, services: services.size, edges: [...edges.values()].filter((e) => e.data['kind'] === 'uses').length };
}

/**
 * Positions in one pass (preset layout; force layouts take seconds at this size): each host that
 * runs services sits at the centre of a small ring of them, the clusters fill rows; hosts that
 * are only clients and servers without an agent go in a grid below.
 */
function placeNodes(hosts: ElementDefinition[], services: ElementDefinition[]): void {
  const byServer = new Map<string, ElementDefinition[]>();
  const loose: ElementDefinition[] = [];
  for (const s of services) {
    const id = s.data['hostId'] as string | null;
    if (id === null) loose.push(s);
    else byServer.set(`h:${id}`, [...(byServer.get(`h:${id}`) ?? []), s]);
  }
  const clusters = hosts.filter((h) => byServer.has(h.data.id as string)).map((h) => {
    const svcs = byServer.get(h.data.id as string) ?? [];
    return { h, svcs, r: Math.max(34, (svcs.length * 26) / (2 * Math.PI)) };
  });
  loose.unshift(...hosts.filter((h) => !byServer.has(h.data.id as string)));
  const area = clusters.reduce((a, c) => a + (2 * c.r + 60) ** 2, 0);
  const rowWidth = Math.max(600, Math.sqrt(area) * 1.4);
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const c of clusters) {
    const size = 2 * c.r + 60;
    if (x > 0 && x + size > rowWidth) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const cx = x + size / 2;
    const cy = y + size / 2;
    c.h.position = { x: cx, y: cy };
    c.svcs.forEach((s, k) => {
      const a = (2 * Math.PI * k) / c.svcs.length - Math.PI / 2;
      s.position = { x: cx + c.r * Math.cos(a), y: cy + c.r * Math.sin(a) };
    });
    x += size;
    rowHeight = Math.max(rowHeight, size);
  }
  const top = y + rowHeight + 40;
  const perRow = Math.max(8, Math.ceil(Math.sqrt(loose.length * 3)));
  loose.forEach((n, i) => (n.position = { x: (i % perRow) * 80, y: top + Math.floor(i / perRow) * 60 }));
}

export const DEPENDENCY_LAYOUT: LayoutOptions = { name: 'preset' };

export const DEPENDENCY_STYLE: StylesheetJson = [
  { selector: 'node', style: { 'min-zoomed-font-size': 7, 'font-size': 10, color: '#1d2430', 'text-valign': 'bottom', 'text-margin-y': 3, label: 'data(label)', width: 14, height: 14 } },
  { selector: 'node[kind="host"]', style: { 'background-color': '#0b5cad' } },
  { selector: 'node[kind="service"]', style: { shape: 'diamond', width: 20, height: 20, 'background-color': '#8a5a00' } },
  { selector: 'node[kind="external"]', style: { shape: 'diamond', width: 18, height: 18, 'background-color': '#98a2b3' } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#f0a800' } },
  { selector: 'edge', style: { width: 1.5, 'line-color': '#98a2b3', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#98a2b3', 'curve-style': 'straight', 'arrow-scale': 0.8 } },
  { selector: 'edge[kind="runs-on"]', style: { 'line-style': 'dashed', 'target-arrow-shape': 'none', 'line-color': '#d0a54a' } },
];
