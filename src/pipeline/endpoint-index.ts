// A partition's endpoint states, indexed fabric -> vnid -> address. The address key is the state's
// own string, so a million endpoints cost no extra key strings (a composite "fabric|vnid|addr" key
// would cost about 60 bytes each).
import type { EndpointState } from '../core/types.js';

export class EndpointIndex<S extends EndpointState = EndpointState> {
  private readonly fabrics = new Map<string, Map<number, Map<string, S>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(fabric: string, vnid: number, addr: string): S | undefined {
    return this.fabrics.get(fabric)?.get(vnid)?.get(addr);
  }

  set(s: S): void {
    let byVnid = this.fabrics.get(s.fabric);
    if (!byVnid) this.fabrics.set(s.fabric, (byVnid = new Map()));
    let byAddr = byVnid.get(s.vnid);
    if (!byAddr) byVnid.set(s.vnid, (byAddr = new Map()));
    if (!byAddr.has(s.addr)) this.count++;
    byAddr.set(s.addr, s);
  }

  delete(s: S): boolean {
    const byVnid = this.fabrics.get(s.fabric);
    const byAddr = byVnid?.get(s.vnid);
    if (!byVnid || !byAddr?.delete(s.addr)) return false;
    this.count--;
    if (byAddr.size === 0) byVnid.delete(s.vnid);
    if (byVnid.size === 0) this.fabrics.delete(s.fabric);
    return true;
  }

  /** Endpoints of one fabric. */
  *ofFabric(fabric: string): IterableIterator<S> {
    for (const byAddr of this.fabrics.get(fabric)?.values() ?? []) yield* byAddr.values();
  }

  countOf(fabric: string): number {
    let n = 0;
    for (const byAddr of this.fabrics.get(fabric)?.values() ?? []) n += byAddr.size;
    return n;
  }

  dropFabric(fabric: string): void {
    this.count -= this.countOf(fabric);
    this.fabrics.delete(fabric);
  }
}
