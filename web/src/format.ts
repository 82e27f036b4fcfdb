// Display helpers: node ids (vPC pseudo-nodes decoded), times, CSV.
import type { FindingKind } from './types';

/** "leaf101 (101)", or "vPC 101-102" for a vPC pseudo-node (b*65536+a). */
export function nodeLabel(node: number, names: Record<string, string> = {}): string {
  if (node === 0) return '—';
  if (node > 0xffff) return `vPC ${node & 0xffff}-${Math.floor(node / 0x10000)}`;
  const n = names[String(node)];
  return n ? `${n} (${node})` : `node ${node}`;
}

export function time(ts: number): string {
  if (!ts) return '—';
  const d = new Date(ts);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function ago(ts: number, now = Date.now()): string {
  if (!ts) return 'never';
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export const KIND_PATHS: Record<FindingKind, string> = { move: 'moves', offsubnet: 'offsubnets', stale: 'stales', rapid: 'rapids' };
export const KIND_TITLES: Record<FindingKind, string> = { move: 'Moves', offsubnet: 'Off-subnet', stale: 'Stale', rapid: 'Rapid' };
/** Kinds recorded per endpoint (node 0), not per node: no node filter, and a finding's own node is not its record's. */
export const PER_ENDPOINT_KINDS: ReadonlySet<FindingKind> = new Set(['move', 'rapid']);

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  // Quote everything that could break a row, and defuse spreadsheet formulas.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function endpointPath(fabric: string, vnid: number, addr: string): string {
  return `/fabrics/${encodeURIComponent(fabric)}/endpoints/${vnid}/${encodeURIComponent(addr)}`;
}

export function hostPath(hostId: string): string {
  return `/hosts/${encodeURIComponent(hostId)}`;
}

/** Without a report for this long a host counts as down: the server's default (see host-routes.ts). */
export const HOST_STALE_AFTER_MS = 180_000;
