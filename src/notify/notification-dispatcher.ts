// Takes findings from the pipeline, names them, filters, rate-limits per endpoint, batches email
// into digests and fans out to each fabric's enabled channels. handle() is called on the hot path:
// it returns at once when no channel wants the kind, and never throws.
import type { Logger } from 'pino';
import type { FabricTables } from '../core/fabric-tables.js';
import type { Finding, FindingKind } from '../core/types.js';
import { DeliveryQueue, type ChannelStats, type DeliveryJob } from './delivery-queue.js';
import { EndpointRateLimit, SUPPRESSED } from './endpoint-rate-limit.js';
import {
  MemoryFailedDeliveryStore,
  type FailedDeliveryQuery,
  type FailedDeliveryStore,
  type FailedDelivery,
} from './failed-deliveries.js';
import { findingNames, summarize } from './finding-names.js';
import type { DeliveryResult, Digest, Notification, Notifier } from './notification.js';
import {
  CHANNELS,
  channelEnabled,
  kindEnabled,
  type Channel,
  type NotificationSettings,
} from './notification-settings.js';
import { createNotifier, type NotifierOptions } from './notifier-factory.js';
import { filterIsEmpty, matchesFilter } from './notify-filter.js';
import { sendTest } from './send-test.js';

export interface NotificationDispatcherOptions extends NotifierOptions {
  /** The fabric's tables, for names (undefined while the fabric is not running). */
  tables?: (fabric: string) => FabricTables | undefined;
  /** Where failed deliveries go (default: in memory). */
  failed?: FailedDeliveryStore;
  /** Builds a channel's notifier (default: createNotifier). */
  createNotifier?: (channel: Channel, settings: NotificationSettings) => Notifier;
  /** Clock, ms. */
  now?: () => number;
  /** Deliveries waiting per channel before new ones are dropped. */
  queueCapacity?: number;
}

/** Counters of one fabric's notifications. */
export interface FabricNotifyStats {
  fabric: string;
  /** Findings of a kind some channel wants. */
  received: number;
  /** Left out by notify_filter. */
  filtered: number;
  /** Held back by the per-endpoint rate limit. */
  suppressed: number;
  /** Notifications waiting for the next email digest. */
  digestPending: number;
  channels: Partial<Record<Channel, ChannelStats>>;
}

interface DigestBuffer {
  from: number;
  counts: Record<FindingKind, number>;
  suppressed: number;
  items: Notification[];
  timer: NodeJS.Timeout;
}

interface FabricNotify {
  settings: NotificationSettings;
  /** Whether notify_filter restricts anything. */
  filtered: boolean;
  key: string;
  queues: Map<Channel, DeliveryQueue>;
  limiter: EndpointRateLimit;
  digest: DigestBuffer | null;
  stats: Omit<FabricNotifyStats, 'channels' | 'digestPending' | 'fabric'>;
}

const zeroCounts = (): Record<FindingKind, number> => ({ move: 0, offsubnet: 0, stale: 0, rapid: 0 });

/** What makes two notifications of one endpoint and kind the same (a duplicate within a window). */
function fingerprint(f: Finding): string {
  if (f.kind === 'move')
    return `${f.src?.node}|${f.src?.ifId}|${f.src?.encap}|${f.src?.rwMac}>${f.dst?.node}|${f.dst?.ifId}|${f.dst?.encap}|${f.dst?.rwMac}`;
  return `${f.node}|${f.reason ?? ''}|${f.remote ?? ''}|${f.expected ?? ''}`;
}

export class NotificationDispatcher {
  private readonly log: Logger;
  private readonly opts: NotificationDispatcherOptions;
  private readonly now: () => number;
  private readonly fabrics = new Map<string, FabricNotify>();
  private readonly retiring = new Set<Promise<void>>();
  private readonly sweepTimer: NodeJS.Timeout;
  readonly failed: FailedDeliveryStore;

  constructor(opts: NotificationDispatcherOptions) {
    this.opts = opts;
    this.log = opts.logger.child({ component: 'notify' });
    this.now = opts.now ?? Date.now;
    this.failed = opts.failed ?? new MemoryFailedDeliveryStore();
    this.sweepTimer = setInterval(() => this.sweep(), 60_000);
    this.sweepTimer.unref();
  }

  /** Applies a fabric's settings (at start and on every change). Channels are rebuilt when they change. */
  configure(fabric: string, settings: NotificationSettings): void {
    const key = JSON.stringify(settings);
    const old = this.fabrics.get(fabric);
    if (old?.key === key) return;
    const windowMs = settings.rate_limit_window_minutes * 60_000;
    const limiter = old?.limiter ?? new EndpointRateLimit(settings.rate_limit_per_endpoint, windowMs);
    limiter.configure(settings.rate_limit_per_endpoint, windowMs);
    const f: FabricNotify = {
      settings,
      filtered: !filterIsEmpty(settings.notify_filter),
      key,
      queues: new Map(),
      limiter,
      digest: null,
      stats: old?.stats ?? { received: 0, filtered: 0, suppressed: 0 },
    };
    for (const channel of CHANNELS) {
      if (!channelEnabled(settings, channel)) continue;
      try {
        f.queues.set(channel, this.queueFor(fabric, channel, settings));
      } catch (err) {
        this.log.error({ err, fabric, channel }, 'notification channel could not be created; it stays off');
      }
    }
    this.fabrics.set(fabric, f);
    if (old) void this.retire(fabric, old);
    this.log.info({ fabric, channels: [...f.queues.keys()] }, 'notifications configured');
  }

  /**
   * Stops notifying a fabric. What is queued (and a pending digest) is still delivered; after
   * graceMs (default 5 s) retries are cut short and what is left is recorded as failed.
   */
  async remove(fabric: string, graceMs = 5000): Promise<void> {
    const f = this.fabrics.get(fabric);
    if (!f) return;
    this.fabrics.delete(fabric);
    await this.retire(fabric, f, graceMs);
  }

  /** The listener for EndpointPipeline.onFinding. Never throws. */
  handle(finding: Finding): void {
    const f = this.fabrics.get(finding.fabric);
    if (!f) return;
    const s = f.settings;
    const kind = finding.kind;
    const syslog = kindEnabled(s, kind, 'syslog');
    const email = kindEnabled(s, kind, 'email');
    const webhook = kindEnabled(s, kind, 'webhook');
    if (!syslog && !email && !webhook) return;
    try {
      f.stats.received++;
      // Names cost a few lookups: without a filter, the rate limit decides first (a burst is
      // mostly held back), and only what goes out is named.
      let names = f.filtered ? findingNames(finding, this.opts.tables?.(finding.fabric)) : null;
      if (names && !matchesFilter(s.notify_filter, finding, names)) {
        f.stats.filtered++;
        return;
      }
      const now = this.now();
      const carried = f.limiter.admit(`${finding.vnid}|${finding.addr}|${kind}`, fingerprint(finding), now);
      if (carried === SUPPRESSED) {
        f.stats.suppressed++;
        if (email && f.digest) f.digest.suppressed++;
        return;
      }
      names ??= findingNames(finding, this.opts.tables?.(finding.fabric));
      const n: Notification = {
        finding,
        names,
        suppressed: carried,
        summary: summarize(finding, names, carried),
      };
      if (syslog) f.queues.get('syslog')?.push({ type: 'one', n });
      if (webhook) f.queues.get('webhook')?.push({ type: 'one', n });
      if (email) {
        if (s.email_digest_seconds > 0) this.addToDigest(finding.fabric, f, n, now);
        else f.queues.get('email')?.push({ type: 'one', n });
      }
    } catch (err) {
      this.log.error(
        { err, fabric: finding.fabric, kind, addr: finding.addr },
        'finding could not be notified',
      );
    }
  }

  /** Sends pending digests now and waits until every queue is empty. */
  async flush(): Promise<void> {
    for (const [fabric, f] of this.fabrics) this.flushDigest(fabric, f);
    await Promise.all([...this.fabrics.values()].flatMap((f) => [...f.queues.values()].map((q) => q.idle())));
    await Promise.all(this.retiring);
  }

  /** Flushes and closes every channel (see remove() for graceMs). */
  async close(graceMs = 5000): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.all([...this.fabrics.keys()].map((fabric) => this.remove(fabric, graceMs)));
    await Promise.all(this.retiring);
  }

  stats(fabric: string): FabricNotifyStats | undefined {
    const f = this.fabrics.get(fabric);
    if (!f) return undefined;
    const channels: Partial<Record<Channel, ChannelStats>> = {};
    for (const [c, q] of f.queues) channels[c] = { ...q.stats };
    return { fabric, ...f.stats, digestPending: f.digest ? f.digest.items.length : 0, channels };
  }

  /**
   * A test message through one channel with the given settings (the stored ones, or ones about to
   * be saved), using this dispatcher's transport options. Never throws.
   */
  sendTest(fabric: string, channel: Channel, settings: NotificationSettings): Promise<DeliveryResult> {
    return sendTest(channel, settings, fabric, this.opts);
  }

  /** Failed deliveries, newest first. */
  listFailed(q?: FailedDeliveryQuery): Promise<FailedDelivery[]> {
    return this.failed.list(q);
  }

  private queueFor(fabric: string, channel: Channel, settings: NotificationSettings): DeliveryQueue {
    const notifier =
      this.opts.createNotifier?.(channel, settings) ?? createNotifier(channel, settings, this.opts);
    return new DeliveryQueue({
      notifier,
      logger: this.log.child({ fabric, channel }),
      // One at a time keeps a syslog stream in order; mail and webhooks gain from a few in parallel.
      concurrency: channel === 'syslog' ? 1 : 4,
      capacity: this.opts.queueCapacity ?? 10_000,
      onFailure: (job, r) => this.recordFailure(fabric, channel, job, r.attempts, r.error),
    });
  }

  private recordFailure(
    fabric: string,
    channel: Channel,
    job: DeliveryJob,
    attempts: number,
    error: string,
  ): void {
    const base = { fabric, channel, ts: this.now(), attempts, error };
    const entry =
      job.type === 'one'
        ? { ...base, what: job.n.finding.kind, summary: job.n.summary, notification: job.n }
        : {
            ...base,
            what: 'digest' as const,
            summary: `digest of ${Object.values(job.d.counts).reduce((a, b) => a + b, 0)} findings`,
          };
    this.failed
      .add(entry)
      .catch((err: unknown) =>
        this.log.error({ err, fabric, channel }, 'failed delivery could not be recorded'),
      );
  }

  private addToDigest(fabric: string, f: FabricNotify, n: Notification, now: number): void {
    if (!f.digest) {
      // The timer starts with the first item, so an idle fabric has no timer running.
      const timer = setTimeout(() => {
        if (this.fabrics.get(fabric) === f) this.flushDigest(fabric, f);
      }, f.settings.email_digest_seconds * 1000);
      timer.unref();
      f.digest = { from: now, counts: zeroCounts(), suppressed: 0, items: [], timer };
    }
    const d = f.digest;
    d.counts[n.finding.kind]++;
    if (d.items.length < f.settings.email_digest_max_items) d.items.push(n);
  }

  private flushDigest(fabric: string, f: FabricNotify): void {
    const d = f.digest;
    if (!d) return;
    clearTimeout(d.timer);
    f.digest = null;
    try {
      const digest: Digest = {
        fabric,
        from: d.from,
        to: this.now(),
        counts: d.counts,
        suppressed: d.suppressed,
        items: d.items,
      };
      f.queues.get('email')?.push({ type: 'digest', d: digest });
    } catch (err) {
      this.log.error({ err, fabric }, 'digest could not be queued');
    }
  }

  /**
   * Delivers what an old configuration still holds, then closes its notifiers. With a grace time,
   * closing cuts retries still running after it (their deliveries end in the failed list).
   */
  private retire(fabric: string, f: FabricNotify, graceMs?: number): Promise<void> {
    this.flushDigest(fabric, f);
    const queues = [...f.queues.values()];
    const p = (async () => {
      const idle = Promise.all(queues.map((q) => q.idle()));
      if (graceMs === undefined) await idle;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
      }
      await Promise.all(
        queues.map((q) =>
          q.notifier
            .close()
            .catch((err: unknown) =>
              this.log.warn({ err, fabric, channel: q.notifier.channel }, 'notifier did not close cleanly'),
            ),
        ),
      );
      // Closed notifiers answer at once, so what was still queued is recorded as failed now.
      await idle;
    })().catch((err: unknown) => this.log.error({ err, fabric }, 'retiring notifications failed'));
    this.retiring.add(p);
    void p.finally(() => this.retiring.delete(p));
    return p;
  }

  private sweep(): void {
    try {
      const now = this.now();
      for (const f of this.fabrics.values()) f.limiter.sweep(now);
    } catch (err) {
      this.log.error({ err }, 'rate limit sweep failed');
    }
  }
}
