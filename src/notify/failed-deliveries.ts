// Deliveries that failed after every retry, kept so an operator can list them (and later replay).
// The port is async so a store-backed implementation can replace the in-memory one.
import type { FindingKind } from '../core/types.js';
import type { Notification } from './notification.js';
import type { Channel } from './notification-settings.js';

/** One failed delivery. */
export interface FailedDelivery {
  id: number;
  fabric: string;
  channel: Channel;
  /** When it was given up, ms. */
  ts: number;
  attempts: number;
  error: string;
  /** What was being delivered: a finding kind, a digest or a test message. */
  what: FindingKind | 'digest' | 'test';
  summary: string;
  /** The notification itself (absent for digests), for a later replay. */
  notification?: Notification;
}

/** Query of failed deliveries, newest first. */
export interface FailedDeliveryQuery {
  fabric?: string;
  channel?: Channel;
  limit?: number;
}

/** Where failed deliveries are kept. */
export interface FailedDeliveryStore {
  add(d: Omit<FailedDelivery, 'id'>): Promise<FailedDelivery>;
  list(q?: FailedDeliveryQuery): Promise<FailedDelivery[]>;
  /** Removes the failures of a fabric (or all); returns how many. */
  clear(fabric?: string): Promise<number>;
}

/** Keeps the newest `capacity` failures in memory. */
export class MemoryFailedDeliveryStore implements FailedDeliveryStore {
  private items: FailedDelivery[] = [];
  private nextId = 1;

  constructor(private readonly capacity = 1000) {}

  async add(d: Omit<FailedDelivery, 'id'>): Promise<FailedDelivery> {
    const item = { ...d, id: this.nextId++ };
    this.items.push(item);
    // Drop the oldest in chunks so a storm of failures does not shift the array on every add.
    if (this.items.length > this.capacity * 1.25) this.items = this.items.slice(-this.capacity);
    return item;
  }

  async list(q: FailedDeliveryQuery = {}): Promise<FailedDelivery[]> {
    const limit = Math.min(q.limit ?? 100, this.capacity);
    const out: FailedDelivery[] = [];
    for (let i = this.items.length - 1; i >= 0 && out.length < limit; i--) {
      const d = this.items[i]!;
      if (
        (q.fabric === undefined || d.fabric === q.fabric) &&
        (q.channel === undefined || d.channel === q.channel)
      )
        out.push(d);
    }
    return out;
  }

  async clear(fabric?: string): Promise<number> {
    const before = this.items.length;
    this.items = fabric === undefined ? [] : this.items.filter((d) => d.fabric !== fabric);
    return before - this.items.length;
  }
}
