// Parsers of the kernel's neighbour tables: /proc/net/arp (IPv4) and `ip -j neigh` (IPv4 + IPv6).
import { normalizeMac } from '../core/address.js';

/** One neighbour-table entry with a resolved MAC (incomplete/failed entries have none and are dropped). */
export interface NeighbourEntry {
  ip: string;
  mac: string;
  iface: string;
  /** REACHABLE, STALE, PERMANENT, … (for /proc/net/arp: complete or permanent). */
  state: string;
}

const ATF_COM = 0x2;
const ATF_PERM = 0x4;

/** /proc/net/arp: `IP HWtype Flags HWaddress Mask Device`; flags 0x0 = incomplete (skipped). */
export function parseProcNetArp(text: string): NeighbourEntry[] {
  const out: NeighbourEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const flags = parseInt(f[2] as string, 16);
    const mac = normalizeMac(f[3] as string);
    if (!(flags & ATF_COM) || mac === null || mac === '00:00:00:00:00:00') continue;
    out.push({ ip: f[0] as string, mac, iface: f[5] as string, state: flags & ATF_PERM ? 'PERMANENT' : 'COMPLETE' });
  }
  return out;
}

interface IpNeighJson {
  dst?: unknown;
  dev?: unknown;
  lladdr?: unknown;
  state?: unknown;
}

/** `ip -j neigh` output. Throws SyntaxError on text that is not JSON (the caller reports it). */
export function parseIpNeighJson(text: string): NeighbourEntry[] {
  const rows = JSON.parse(text) as unknown;
  if (!Array.isArray(rows)) return [];
  const out: NeighbourEntry[] = [];
  for (const r of rows as IpNeighJson[]) {
    if (typeof r.dst !== 'string' || typeof r.dev !== 'string' || typeof r.lladdr !== 'string') continue;
    const mac = normalizeMac(r.lladdr);
    if (mac === null) continue;
    const state = Array.isArray(r.state) ? r.state.filter((s) => typeof s === 'string').join(',') : 'UNKNOWN';
    if (state === 'FAILED' || state === 'INCOMPLETE') continue;
    out.push({ ip: r.dst, mac, iface: r.dev, state: state || 'UNKNOWN' });
  }
  return out;
}
