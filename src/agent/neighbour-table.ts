// The neighbours document: the kernel's ARP/ND table plus what passive capture saw, the captured
// entries aged out. Kernel entries keep the time they were first seen, so the document (and its
// hash) changes only when the table does.
import type { ModuleDocument } from '../protocols/agent-report.js';
import type { NeighbourEntry } from '../protocols/proc-net-arp.js';

export type Neighbour = ModuleDocument<'neighbours'>['neighbours'][number];

export interface NeighbourTableOptions {
  /** Captured entries not seen for this long are dropped. */
  maxAgeMs?: number;
  /** Bound on captured entries (the oldest go first). */
  maxCaptured?: number;
}

export class NeighbourTable {
  private readonly captured = new Map<string, Neighbour>();
  private readonly firstSeen = new Map<string, number>();
  private readonly maxAgeMs: number;
  private readonly maxCaptured: number;

  constructor(o: NeighbourTableOptions = {}) {
    this.maxAgeMs = o.maxAgeMs ?? 10 * 60_000;
    this.maxCaptured = o.maxCaptured ?? 32_768;
  }

  /** A captured ARP/ND packet said `ip` is at `mac`. */
  observe(iface: string, ip: string, mac: string, now: number): void {
    const key = `${iface}|${ip}|${mac}`;
    this.captured.delete(key); // re-insert: the map stays ordered oldest first
    this.captured.set(key, { ip, mac, iface, state: 'CAPTURED', source: 'capture', lastSeenTs: now });
    if (this.captured.size > this.maxCaptured) {
      const oldest = this.captured.keys().next().value;
      if (oldest !== undefined) this.captured.delete(oldest);
    }
  }

  /** The document: kernel entries, then captured ones the kernel does not have. */
  document(kernel: NeighbourEntry[], now: number): ModuleDocument<'neighbours'> {
    for (const [k, n] of this.captured) {
      if (now - n.lastSeenTs <= this.maxAgeMs) break; // ordered by lastSeenTs
      this.captured.delete(k);
    }
    const out: Neighbour[] = [];
    const live = new Map<string, number>();
    for (const e of kernel) {
      const key = `${e.iface}|${e.ip}|${e.mac}`;
      const ts = this.firstSeen.get(key) ?? now;
      live.set(key, ts);
      out.push({ ip: e.ip, mac: e.mac, iface: e.iface.slice(0, 64), state: e.state.slice(0, 32), source: e.ip.includes(':') ? 'nd' : 'arp', lastSeenTs: ts });
    }
    this.firstSeen.clear();
    for (const [k, v] of live) this.firstSeen.set(k, v);
    for (const [k, n] of this.captured) if (!live.has(k)) out.push(n);
    return { neighbours: out.slice(0, 65_536) };
  }

  get capturedCount(): number {
    return this.captured.size;
  }
}
