// A bounded queue in front of one notifier: a few deliveries in flight, the rest waiting, and the
// overflow dropped and counted (a dead receiver must not grow memory without bound).
import type { Logger } from 'pino';
import {
  errorText,
  type DeliveryResult,
  type Digest,
  type Notification,
  type Notifier,
} from './notification.js';
import { isDigestNotifier } from './notification.js';

/** One thing to deliver. */
export type DeliveryJob = { type: 'one'; n: Notification } | { type: 'digest'; d: Digest };

/** Counters of one channel. */
export interface ChannelStats {
  sent: number;
  failed: number;
  /** Dropped because the queue was full. */
  dropped: number;
  queued: number;
  inFlight: number;
  lastError: string | null;
}

export interface DeliveryQueueOptions {
  notifier: Notifier;
  logger: Logger;
  /** Deliveries in flight at once (1 keeps the order, which a syslog stream wants). */
  concurrency: number;
  capacity: number;
  /** Called with every failed delivery (after the notifier's own retries). */
  onFailure: (job: DeliveryJob, r: Extract<DeliveryResult, { ok: false }>) => void;
}

export class DeliveryQueue {
  readonly notifier: Notifier;
  private readonly log: Logger;
  private readonly opts: DeliveryQueueOptions;
  private jobs: DeliveryJob[] = [];
  private head = 0;
  private idleWaiters: (() => void)[] = [];
  readonly stats: ChannelStats = { sent: 0, failed: 0, dropped: 0, queued: 0, inFlight: 0, lastError: null };

  constructor(opts: DeliveryQueueOptions) {
    this.opts = opts;
    this.notifier = opts.notifier;
    this.log = opts.logger;
  }

  /** Queues a job; false when the queue is full and the job was dropped. */
  push(job: DeliveryJob): boolean {
    if (this.stats.queued >= this.opts.capacity) {
      if (this.stats.dropped++ % 1000 === 0)
        this.log.warn(
          { channel: this.notifier.channel, dropped: this.stats.dropped },
          'notification queue full, dropping',
        );
      return false;
    }
    this.jobs.push(job);
    this.stats.queued++;
    this.pump();
    return true;
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.stats.queued === 0 && this.stats.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.stats.inFlight < this.opts.concurrency && this.head < this.jobs.length) {
      const job = this.jobs[this.head++]!;
      this.stats.queued--;
      this.stats.inFlight++;
      if (this.head > 1024 && this.head * 2 > this.jobs.length) {
        this.jobs = this.jobs.slice(this.head);
        this.head = 0;
      }
      void this.run(job);
    }
    if (this.stats.queued === 0 && this.stats.inFlight === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of w) resolve();
    }
  }

  private async run(job: DeliveryJob): Promise<void> {
    try {
      const r = await this.deliver(job);
      if (r.ok) {
        if (this.stats.lastError !== null)
          this.log.info({ channel: r.channel }, 'notification channel delivering again');
        this.stats.sent++;
        this.stats.lastError = null;
      } else {
        // Log the change to failing once, not every failure of a storm.
        if (this.stats.lastError === null)
          this.log.warn(
            { channel: r.channel, error: r.error, attempts: r.attempts },
            'notification delivery failed',
          );
        this.stats.failed++;
        this.stats.lastError = r.error;
        this.opts.onFailure(job, r);
      }
    } catch (err) {
      this.stats.failed++;
      this.stats.lastError = errorText(err);
      this.log.error({ err, channel: this.notifier.channel }, 'notifier threw; it must return a result');
    } finally {
      this.stats.inFlight--;
      this.pump();
    }
  }

  private deliver(job: DeliveryJob): Promise<DeliveryResult> {
    if (job.type === 'one') return this.notifier.send(job.n);
    if (!isDigestNotifier(this.notifier))
      return Promise.resolve({
        ok: false,
        channel: this.notifier.channel,
        attempts: 0,
        error: 'channel cannot send digests',
      });
    return this.notifier.sendDigest(job.d);
  }
}
