// Events of the table classes (nodes, TEPs, vPCs, names, EPGs, subnets): applied to FabricTables and
// persisted live; buffered while the classes are being re-read, so the read does not erase them.
// Spots a leaf becoming active again, which needs a re-read of that leaf only.
import type { Logger } from 'pino';
import type { FabricTables, MoRow } from '../core/fabric-tables.js';
import { nodeOfDn, type ApicObject } from '../protocols/apic-objects.js';

export interface LiveTableEventsOptions {
  tables: FabricTables;
  save: (rows: MoRow[]) => Promise<void>;
  log: Logger;
  parseError: (where: string, reason: string) => void;
  /** A leaf went from not active to active. */
  leafUp: (node: number) => void;
}

/** Roles whose nodes hold no endpoint learns. */
const NO_ENDPOINT_ROLES = new Set(['spine', 'controller', 'vleaf', 'vip', 'protection-chain']);

export class LiveTableEvents {
  private buffer: ApicObject[][] | null = null;

  constructor(private readonly opts: LiveTableEventsOptions) {}

  /** Holds events until stopBuffering() (during a re-read of the table classes). */
  startBuffering(): void {
    this.buffer = [];
  }

  /** Applies the held events (when the read completed) or drops them (the next read covers them). */
  stopBuffering(apply: boolean): void {
    const held = this.buffer ?? [];
    this.buffer = null;
    if (apply) for (const objects of held) this.apply(objects);
  }

  onEvents(objects: ApicObject[]): void {
    if (this.buffer) this.buffer.push(objects);
    else this.apply(objects);
  }

  private apply(objects: ApicObject[]): void {
    const { tables } = this.opts;
    const rows: MoRow[] = [];
    for (const o of objects) {
      const dn = o.attrs['dn'];
      if (!dn) {
        this.opts.parseError(o.cls, `${o.cls} event without dn`);
        continue;
      }
      const wasActive = o.cls === 'fabricNode' ? tables.row(dn)?.attrs['fabricSt'] === 'active' : true;
      if (!tables.apply(o.cls, o.attrs)) continue;
      if (o.attrs['status'] === 'deleted') {
        rows.push({ cls: o.cls, dn, attrs: { dn, status: 'deleted' } });
        continue;
      }
      const merged = tables.row(dn);
      if (merged) rows.push(merged);
      if (!wasActive && merged?.attrs['fabricSt'] === 'active' && !NO_ENDPOINT_ROLES.has(merged.attrs['role'] ?? '')) {
        const node = nodeOfDn(dn);
        this.opts.log.info({ node }, 'leaf became active');
        if (node) this.opts.leafUp(node);
      }
    }
    if (rows.length) this.opts.save(rows).catch(() => undefined); // the owner logs save failures
  }
}
