// Human output of the CLI: plain tables (cli-table3, no colours so output pipes cleanly).
import Table from 'cli-table3';
import { EptError } from '../core/errors.js';

type Cell = string | number;

/** A borderless-colour table as text. */
export function table(head: string[], rows: Cell[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => String(c)));
  return t.toString();
}

/** ms since epoch as "2024-05-01 12:00:00Z"; '-' for 0/absent. */
export function formatTime(ms: number | null | undefined): string {
  if (!ms) return '-';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** A node id, splitting vPC pseudo-nodes into "101+102". */
export function formatNode(node: number): string {
  if (node > 0xffff) return `${node % 65536}+${Math.floor(node / 65536)}`;
  return node ? String(node) : '-';
}

interface LocationLike {
  node: number;
  ifId: string;
  encap: string;
  pcTag: number;
  rwMac?: string;
}

export function formatLocation(l: LocationLike | null | undefined): string {
  if (!l) return '-';
  const parts = [`node ${formatNode(l.node)}`, l.ifId, l.encap, `pcTag ${l.pcTag}`];
  if (l.rwMac) parts.push(`mac ${l.rwMac}`);
  return parts.filter(Boolean).join(' ');
}

export interface FabricItem {
  name: string;
  state: string;
  simulated: boolean;
  autoStart: boolean;
  apic: { urls: string[]; username: string; verifyTls: boolean; passwordSet: boolean };
  settings: Record<string, unknown>;
  createdTs: number;
}

export function formatFabrics(items: FabricItem[]): string {
  if (!items.length) return 'no fabrics configured';
  return table(
    ['fabric', 'state', 'apic', 'user', 'auto start', 'simulated'],
    items.map((f) => [f.name, f.state, f.apic.urls.join(' '), f.apic.username, f.autoStart ? 'yes' : 'no', f.simulated ? 'yes' : 'no']),
  );
}

export function formatFabric(f: FabricItem): string {
  const rows: Cell[][] = [
    ['name', f.name],
    ['state', f.state],
    ['apic urls', f.apic.urls.join('\n')],
    ['username', f.apic.username],
    ['password', f.apic.passwordSet ? 'set' : 'not set'],
    ['verify tls', f.apic.verifyTls ? 'yes' : 'no'],
    ['auto start', f.autoStart ? 'yes' : 'no'],
    ['simulated', f.simulated ? 'yes' : 'no'],
    ['created', formatTime(f.createdTs)],
    ['overrides', Object.entries(f.settings).map(([k, v]) => `${k}=${String(v)}`).join('\n') || '-'],
  ];
  return table(['field', 'value'], rows);
}

export interface StatusLike {
  fabric: string;
  state: string;
  simulated: boolean;
  build: { classes: Record<string, { read: number; total: number; done: boolean }>; startedTs: number; finishedTs: number | null } | null;
  lastError: { ts: number; message: string } | null;
  subscription: { connected: boolean; apic: string | null; subscriptions: number; lastEventTs: number | null; reconnects: number };
  eventRate: number;
  eventsReceived: number;
  eventsProcessed: number;
  parseErrors: number;
}

export function formatStatus(s: StatusLike): string {
  const sub = s.subscription;
  const rows: Cell[][] = [
    ['fabric', s.fabric],
    ['state', s.state + (s.simulated ? ' (simulated)' : '')],
    ['apic', sub.apic ?? '-'],
    ['websocket', `${sub.connected ? 'connected' : 'disconnected'}, ${sub.subscriptions} subscriptions, ${sub.reconnects} reconnects`],
    ['last event', formatTime(sub.lastEventTs)],
    ['events', `${s.eventsReceived} received, ${s.eventsProcessed} processed, ${s.eventRate.toFixed(1)}/s`],
    ['parse errors', s.parseErrors],
    ['last error', s.lastError ? `${formatTime(s.lastError.ts)} ${s.lastError.message}` : '-'],
  ];
  if (s.build) {
    const classes = Object.entries(s.build.classes);
    const done = classes.filter(([, c]) => c.done).length;
    rows.push(['build', `${done}/${classes.length} classes, started ${formatTime(s.build.startedTs)}, finished ${formatTime(s.build.finishedTs)}`]);
  }
  return table(['field', 'value'], rows);
}

export interface EndpointItem {
  fabric: string;
  vnid: number;
  addr: string;
  type: string;
  current: LocationLike | null;
  flags: { offsubnet: number[]; stale: number[]; rapidUntil: number };
  deletedTs: number;
  learnCount: number;
  ts: number;
}

/** Flags of an endpoint as short words. */
export function endpointFlags(e: Pick<EndpointItem, 'flags' | 'deletedTs'>, now = Date.now()): string {
  const out: string[] = [];
  if (e.flags.offsubnet.length) out.push(`offsubnet(${e.flags.offsubnet.map(formatNode).join(',')})`);
  if (e.flags.stale.length) out.push(`stale(${e.flags.stale.map(formatNode).join(',')})`);
  if (e.flags.rapidUntil > now) out.push('rapid');
  if (e.deletedTs) out.push('deleted');
  return out.join(' ') || '-';
}

export function formatEndpoints(items: EndpointItem[], withFabric = false): string {
  if (!items.length) return 'no endpoints';
  const head = [...(withFabric ? ['fabric'] : []), 'vnid', 'address', 'type', 'location', 'learns', 'flags', 'changed'];
  return table(
    head,
    items.map((e) => [...(withFabric ? [e.fabric] : []), e.vnid, e.addr, e.type, formatLocation(e.current), e.learnCount, endpointFlags(e), formatTime(e.ts)]),
  );
}

export interface EndpointDetailLike extends EndpointItem {
  learns: { node: number; present: boolean; flags: string[]; ifId: string; encap: string; pcTag: number; remote: number; rwMac: string; ts: number }[];
  names: { vnid?: string; nodes: Record<string, string>; epg?: string };
  findings: { kind: string; node: number; count: number; lastTs: number }[];
}

export function formatEndpointDetail(d: EndpointDetailLike): string {
  const nodeName = (n: number) => (d.names.nodes[String(n)] ? `${formatNode(n)} (${d.names.nodes[String(n)]})` : formatNode(n));
  const head = table(['field', 'value'], [
    ['address', `${d.addr} (${d.type})`],
    ['vnid', `${d.vnid}${d.names.vnid ? ` ${d.names.vnid}` : ''}`],
    ['location', formatLocation(d.current)],
    ['epg', d.names.epg ?? '-'],
    ['flags', endpointFlags(d)],
    ['changed', formatTime(d.ts)],
  ]);
  const learns = d.learns.length
    ? table(['node', 'present', 'flags', 'interface', 'encap', 'pcTag', 'mac', 'remote', 'changed'], d.learns.map((l) => [nodeName(l.node), l.present ? 'yes' : 'no', l.flags.join(',') || '-', l.ifId || '-', l.encap || '-', l.pcTag, l.rwMac || '-', formatNode(l.remote), formatTime(l.ts)]))
    : 'no learns';
  const findings = d.findings.length ? table(['finding', 'node', 'count', 'last'], d.findings.map((f) => [f.kind, formatNode(f.node), f.count, formatTime(f.lastTs)])) : 'no findings';
  return `${head}\n${learns}\n${findings}`;
}

export interface HistoryItem {
  node: number;
  status: string;
  ts: number;
  flags: string[];
  ifId: string;
  encap: string;
  pcTag: number;
  rwMac: string;
  remote: number;
}

export function formatHistory(items: HistoryItem[]): string {
  if (!items.length) return 'no history';
  return table(['time', 'node', 'status', 'flags', 'interface', 'encap', 'pcTag', 'mac', 'remote'], items.map((h) => [formatTime(h.ts), formatNode(h.node), h.status, h.flags.join(',') || '-', h.ifId || '-', h.encap || '-', h.pcTag, h.rwMac || '-', formatNode(h.remote)]));
}

export interface FindingListItem {
  vnid: number;
  addr: string;
  count: number;
  lastTs: number;
  details: { node: number; nodeName?: string; ifId?: string; encap?: string; pcTag?: number; epg?: string; mac?: string; reason?: string; remote?: number; rate?: number; from?: LocationLike };
}

export function formatFindings(kind: string, items: FindingListItem[]): string {
  if (!items.length) return `no ${kind} records`;
  return table(
    ['last', 'vnid', 'address', 'count', 'node', 'interface', 'encap', 'epg / pcTag', 'mac', kind === 'move' ? 'from' : 'detail'],
    items.map((r) => {
      const d = r.details;
      const detail = kind === 'move' ? formatLocation(d.from) : [d.reason, d.remote ? `-> ${formatNode(d.remote)}` : '', d.rate !== undefined ? `${d.rate}/min` : ''].filter(Boolean).join(' ') || '-';
      return [formatTime(r.lastTs), r.vnid, r.addr, r.count, d.nodeName ? `${formatNode(d.node)} ${d.nodeName}` : formatNode(d.node), d.ifId || '-', d.encap || '-', d.epg ?? (d.pcTag ? String(d.pcTag) : '-'), d.mac ?? '-', detail];
    }),
  );
}

export function formatSettings(view: { settings: Record<string, unknown>; overridden: string[] }, specs?: { name: string; default: unknown }[]): string {
  const defaults = new Map(specs?.map((s) => [s.name, s.default]));
  return table(
    ['setting', 'value', 'default', 'overridden'],
    Object.entries(view.settings).map(([k, v]) => [k, String(v), defaults.has(k) ? String(defaults.get(k)) : '-', view.overridden.includes(k) ? 'yes' : '']),
  );
}

/** Parses "--set name=value": true/false become booleans, integers numbers, "null" removes. */
export function parseSetting(text: string): [string, boolean | number | string | null] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new EptError('bad_request', `--set ${text}: expected name=value`);
  const name = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (raw === 'true' || raw === 'false') return [name, raw === 'true'];
  if (raw === 'null') return [name, null];
  if (/^-?\d+$/.test(raw)) return [name, Number(raw)];
  return [name, raw];
}
