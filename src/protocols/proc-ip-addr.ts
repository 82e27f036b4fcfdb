// `ip -j addr` output: the addresses of each interface.

export interface IpAddress {
  addr: string;
  prefixLen: number;
  family: 'ipv4' | 'ipv6';
}

interface IpAddrJson {
  ifname?: unknown;
  addr_info?: unknown;
}

interface AddrInfoJson {
  family?: unknown;
  local?: unknown;
  prefixlen?: unknown;
}

/** Addresses by interface name. Throws SyntaxError on text that is not JSON (the caller reports it). */
export function parseIpAddrJson(text: string): Map<string, IpAddress[]> {
  const rows = JSON.parse(text) as unknown;
  const out = new Map<string, IpAddress[]>();
  if (!Array.isArray(rows)) return out;
  for (const r of rows as IpAddrJson[]) {
    if (typeof r.ifname !== 'string' || !Array.isArray(r.addr_info)) continue;
    const list: IpAddress[] = [];
    for (const a of r.addr_info as AddrInfoJson[]) {
      if (typeof a.local !== 'string' || typeof a.prefixlen !== 'number') continue;
      if (a.family === 'inet') list.push({ addr: a.local, prefixLen: a.prefixlen, family: 'ipv4' });
      else if (a.family === 'inet6') list.push({ addr: a.local, prefixLen: a.prefixlen, family: 'ipv6' });
    }
    out.set(r.ifname, list);
  }
  return out;
}
