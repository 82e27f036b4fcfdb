// Default gateways from /proc/net/route (IPv4) and /proc/net/ipv6_route (IPv6).
import { formatIpv4, formatIpv6 } from './ethernet-addresses.js';

export interface DefaultGateway {
  gateway: string;
  iface: string;
  family: 'ipv4' | 'ipv6';
  metric: number;
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;

/**
 * /proc/net/route: `Iface Destination Gateway Flags RefCnt Use Metric Mask …`; addresses are 32-bit
 * values in host byte order. A default route has destination and mask 0 and the UP+GATEWAY flags.
 */
export function parseProcNetRoute(text: string, littleEndian = true): DefaultGateway[] {
  const out: DefaultGateway[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const flags = parseInt(f[3] as string, 16);
    if (f[1] !== '00000000' || f[7] !== '00000000' || (flags & (RTF_UP | RTF_GATEWAY)) !== (RTF_UP | RTF_GATEWAY)) continue;
    const gw = hexBytes(f[2] as string, 4, littleEndian);
    if (gw) out.push({ gateway: formatIpv4(gw, 0), iface: f[0] as string, family: 'ipv4', metric: Number(f[6]) || 0 });
  }
  return out;
}

/**
 * /proc/net/ipv6_route: `dest plen src plen nexthop metric refcnt use flags iface`; addresses are in
 * network order (unlike tcp6). Default: dest ::/0 with a non-zero next hop.
 */
export function parseProcNetIpv6Route(text: string): DefaultGateway[] {
  const out: DefaultGateway[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (!/^0{32}$/.test(f[0] as string) || f[1] !== '00' || /^0{32}$/.test(f[4] as string)) continue;
    const flags = parseInt(f[8] as string, 16);
    if ((flags & (RTF_UP | RTF_GATEWAY)) !== (RTF_UP | RTF_GATEWAY)) continue;
    const gw = hexBytes(f[4] as string, 16, false);
    if (gw) out.push({ gateway: formatIpv6(gw, 0), iface: f[9] as string, family: 'ipv6', metric: parseInt(f[5] as string, 16) || 0 });
  }
  return out;
}

function hexBytes(hex: string, n: number, reverse: boolean): Uint8Array | null {
  if (hex.length !== n * 2 || !/^[0-9a-fA-F]+$/.test(hex)) return null;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[reverse ? n - 1 - i : i] = parseInt(hex.substr(i * 2, 2), 16);
  return b;
}
