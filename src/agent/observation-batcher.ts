// Captured ARP/ND sightings to the server in batches. Within a batch one (iface, ip, mac) is sent
// once with its latest time; the queue is bounded (the oldest go first), so a server outage costs
// memory of at most `maxPending` sightings, never a growing backlog.
import type { Logger } from 'pino';
import type { AgentObservations } from '../protocols/agent-report.js';
import type { PostResult } from './agent-client.js';

export type Observation = AgentObservations['observations'][number];

export interface ObservationBatcherOptions {
  hostId: string;
  send(batch: AgentObservations): Promise<PostResult<unknown>>;
  logger: Logger;
  flushMs?: number;
  /** Sent at once when this many are pending. */
  batchSize?: number;
  maxPending?: number;
}

export class ObservationBatcher {
  private readonly pending = new Map<string, Observation>();
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private failures = 0;
  /** Sightings dropped because the queue was full. */
  dropped = 0;
  sent = 0;

  constructor(private readonly o: ObservationBatcherOptions) {}

  add(ob: Observation): void {
    const key = `${ob.iface}|${ob.ip}|${ob.mac}`;
    this.pending.delete(key);
    this.pending.set(key, ob);
    if (this.pending.size > (this.o.maxPending ?? 10_000)) {
      this.pending.delete(this.pending.keys().next().value as string);
      this.dropped++;
    }
    if (this.pending.size >= (this.o.batchSize ?? 1000)) this.schedule(0);
    else this.schedule(this.o.flushMs ?? 5000);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Sends up to 10,000 pending sightings; on failure they stay queued and the next try waits longer. */
  async flush(): Promise<void> {
    if (this.sending || this.pending.size === 0) return;
    this.sending = true;
    const batch = [...this.pending.values()].slice(0, 10_000);
    try {
      const r = await this.o.send({ hostId: this.o.hostId, observations: batch });
      if (r.ok) {
        for (const ob of batch) {
          const key = `${ob.iface}|${ob.ip}|${ob.mac}`;
          if (this.pending.get(key) === ob) this.pending.delete(key); // a newer sighting stays
        }
        this.sent += batch.length;
        this.failures = 0;
      } else {
        this.failures++;
        this.o.logger.warn({ error: r.error, pending: this.pending.size }, 'observations not delivered; will retry');
      }
    } finally {
      this.sending = false;
    }
    if (this.pending.size > 0) this.schedule(Math.min((this.o.flushMs ?? 5000) * 2 ** this.failures, 60_000));
  }
}
