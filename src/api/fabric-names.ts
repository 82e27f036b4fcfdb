// Resolves node ids, vnids and pcTags to names for API answers, from the fabric objects the
// subscriber persisted. Tables are cached per fabric for a short time: listings call this per item.
import { FabricTables } from '../core/fabric-tables.js';
import type { Store } from '../store/store.js';

/** Options of FabricNames. */
export interface FabricNamesOptions {
  /** How long a fabric's tables are reused before reloading, ms. */
  ttlMs?: number;
  now?: () => number;
}

export class FabricNames {
  private readonly cache = new Map<string, { at: number; tables: Promise<FabricTables> }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly store: Store, opts: FabricNamesOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** The fabric's tables (possibly empty when nothing was built yet). */
  tables(fabric: string): Promise<FabricTables> {
    const now = this.now();
    const hit = this.cache.get(fabric);
    if (hit && now - hit.at < this.ttlMs) return hit.tables;
    const tables = this.store.loadFabricObjects(fabric).then((rows) => FabricTables.fromRows(rows));
    // A failed load is not cached, so the next request retries.
    tables.catch(() => this.cache.delete(fabric));
    this.cache.set(fabric, { at: now, tables });
    return tables;
  }

  /** Forgets a fabric (deleted or reconfigured). */
  forget(fabric: string): void {
    this.cache.delete(fabric);
  }
}

/** Name of an EPG from the key vnid of an endpoint (BD for a MAC, VRF for an IP) and its pcTag. */
export function epgName(t: FabricTables, isMac: boolean, vnid: number, bd: number, pcTag: number): string | undefined {
  if (!pcTag) return undefined;
  const vrf = isMac ? t.bdVrfOf(bd || vnid) : vnid;
  return t.epg(vrf, pcTag)?.dn;
}
