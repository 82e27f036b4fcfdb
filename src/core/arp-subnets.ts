// The subnets of a segment, for the bogon rule (an IP outside every subnet of its segment). IPv4 is
// tested on numbers (the per-frame path); IPv6 on text. An empty set means "every address is local",
// which is what arpwatch does when it reads a capture file and knows no subnet.
import { EptError } from './errors.js';
import { ipv4Number, parsePrefix, prefixContains, type Prefix } from './address.js';

export { ipv4Number };

export class SubnetSet {
  private readonly v4Net: number[] = [];
  private readonly v4Mask: number[] = [];
  private readonly v6: Prefix[] = [];

  /** From CIDR texts ("10.1.0.0/16", "2001:db8::/64"); a bad one is a bad_request naming it. */
  constructor(cidrs: readonly string[] = []) {
    for (const c of cidrs) {
      const p = parsePrefix(c.trim());
      if (!p) throw new EptError('bad_request', `subnet '${c}' is not a CIDR prefix (e.g. 10.0.0.0/24 or 2001:db8::/64)`);
      this.add(p);
    }
  }

  add(p: Prefix): void {
    if (p.v6) this.v6.push(p);
    else {
      this.v4Net.push(p.net as number);
      this.v4Mask.push(p.mask as number);
    }
  }

  /** True when no subnet is known for this family (nothing can be a bogon then). */
  get emptyV4(): boolean {
    return this.v4Net.length === 0;
  }

  /** An IPv4 address (as a uint32) is outside every known IPv4 subnet. */
  isBogonV4(ip: number): boolean {
    const n = this.v4Net.length;
    if (n === 0) return false;
    for (let i = 0; i < n; i++) if (((ip & (this.v4Mask[i] as number)) >>> 0) === this.v4Net[i]) return false;
    return true;
  }

  /** A normalised IPv6 address is outside every known IPv6 subnet (link-local is always local). */
  isBogonV6(ip: string): boolean {
    if (this.v6.length === 0 || ip.startsWith('fe80:')) return false;
    return !this.v6.some((p) => prefixContains(p, ip));
  }

  /** Either family, from text. */
  isBogon(ip: string): boolean {
    return ip.includes(':') ? this.isBogonV6(ip) : this.isBogonV4(ipv4Number(ip));
  }
}


/** `aa:bb:cc:dd:ee:ff` to a 48-bit number (the ARP decoder's form). */
export function macNumber(mac: string): number {
  return parseInt(mac.replaceAll(':', ''), 16);
}
