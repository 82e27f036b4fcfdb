// The manager role (all-in-one): starts and stops one subscriber per fabric, attaches the fabric
// to the pipeline, applies config and settings changes at run time.
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { FabricControl } from '../api/api-context.js';
import { EptError } from '../core/errors.js';
import { FabricTables } from '../core/fabric-tables.js';
import { resolveSettings, type FabricSettings } from '../core/settings.js';
import { ApicSession } from '../fabric/apic-session.js';
import type { FabricStatus } from '../fabric/fabric-status.js';
import { FabricSubscriber, type SubscriberTiming } from '../fabric/fabric-subscriber.js';
import { resolveNotificationSettings, type NotificationSettings } from '../notify/notification-settings.js';
import type { EndpointPipeline } from '../pipeline/endpoint-pipeline.js';
import type { ApicConfig, FabricConfig, Store } from '../store/store.js';

export interface FabricManagerOptions {
  store: Store;
  pipeline: EndpointPipeline;
  logger: Logger;
  /** Registry to publish fabric state and build progress on (/metrics). */
  metrics?: Registry;
  /** Subscriber timings (tests shorten them). */
  timing?: Partial<SubscriberTiming>;
  /** Notifications: configured while a fabric runs (NotificationDispatcher). */
  notify?: NotifyControl;
}

/** The part of NotificationDispatcher the manager drives. */
export interface NotifyControl {
  configure(fabric: string, settings: NotificationSettings): void;
  remove(fabric: string): Promise<void>;
}

interface Running {
  config: FabricConfig;
  settings: FabricSettings;
  tables: FabricTables;
  subscriber: FabricSubscriber;
}

export class FabricManager implements FabricControl {
  private readonly running = new Map<string, Running>();
  private readonly log: Logger;

  constructor(private readonly opts: FabricManagerOptions) {
    this.log = opts.logger.child({ component: 'manager' });
    if (opts.metrics) this.registerMetrics(opts.metrics);
    opts.pipeline.onRefresh((fabric, vnid, addr) => {
      const r = this.running.get(fabric);
      r?.subscriber.refreshEndpoint(vnid, addr).catch((err: unknown) => this.log.warn({ err, fabric, vnid, addr }, 'endpoint refresh failed'));
    });
  }

  /** Starts every fabric marked autoStart (simulated ones only when asked). */
  async startAll(opts: { includeSimulated: boolean }): Promise<void> {
    for (const f of await this.opts.store.listFabrics()) {
      if (!f.autoStart || (f.simulated && !opts.includeSimulated)) continue;
      try {
        await this.start(f.name);
      } catch (err) {
        this.log.error({ err, fabric: f.name }, 'fabric could not start');
      }
    }
  }

  async status(name: string): Promise<FabricStatus | null> {
    const r = this.running.get(name);
    if (r) {
      const s = r.subscriber.status();
      const processed = this.opts.pipeline.metrics?.counts.processed.get(name);
      return { ...s, simulated: r.config.simulated, eventsProcessed: processed ?? s.eventsProcessed };
    }
    const cfg = await this.opts.store.getFabric(name);
    if (!cfg) return null;
    return {
      fabric: name,
      state: 'stopped',
      simulated: cfg.simulated,
      build: null,
      lastError: null,
      subscription: { connected: false, apic: null, subscriptions: 0, lastRefreshTs: null, lastEventTs: null, reconnects: 0 },
      eventRate: 0,
      eventsReceived: 0,
      eventsProcessed: 0,
      parseErrors: 0,
    };
  }

  async start(name: string): Promise<void> {
    if (this.running.has(name)) return;
    const config = await this.opts.store.getFabric(name);
    if (!config) throw new EptError('not_found', `fabric ${name} does not exist`);
    const settings = resolveSettings(config.settings);
    const tables = FabricTables.fromRows(await this.opts.store.loadFabricObjects(name));
    await this.opts.pipeline.attachFabric(name, tables, settings);
    const subscriber = new FabricSubscriber({
      config,
      settings,
      tables,
      sink: this.opts.pipeline,
      saveObjects: (rows, classes) => this.opts.store.saveFabricObjects(name, rows, classes),
      logger: this.opts.logger,
      timing: this.opts.timing,
    });
    this.running.set(name, { config, settings, tables, subscriber });
    this.opts.notify?.configure(name, resolveNotificationSettings(config.notifications));
    this.opts.pipeline.setRecheck(name, (vnid, addr) => subscriber.refreshEndpoint(vnid, addr));
    subscriber.start();
    this.log.info({ fabric: name }, 'fabric started');
  }

  async stop(name: string): Promise<void> {
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    this.opts.pipeline.setRecheck(name, null);
    await r.subscriber.stop();
    await this.opts.pipeline.detachFabric(name);
    await this.opts.notify?.remove(name);
    this.log.info({ fabric: name }, 'fabric stopped');
  }

  async reconfigure(name: string): Promise<void> {
    const r = this.running.get(name);
    const config = await this.opts.store.getFabric(name);
    if (!r || !config) return;
    if (JSON.stringify(config.apic) !== JSON.stringify(r.config.apic)) {
      await this.stop(name);
      await this.start(name);
      return;
    }
    r.config = config;
    r.settings = resolveSettings(config.settings);
    this.opts.pipeline.updateSettings(name, r.settings);
    this.opts.notify?.configure(name, resolveNotificationSettings(config.notifications));
  }

  async remove(name: string): Promise<void> {
    await this.stop(name);
  }

  async testConnection(apic: ApicConfig): Promise<{ ok: boolean; url?: string; error?: string }> {
    const session = new ApicSession({ ...apic, logger: this.log, requestTimeoutMs: 10_000 });
    try {
      await session.login();
      return { ok: true, url: session.url };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    } finally {
      session.close();
    }
  }

  /** The resolved settings of a running fabric (auto-clear reads them per finding). */
  settings(name: string): FabricSettings | undefined {
    return this.running.get(name)?.settings;
  }

  /** The tables of a running fabric (names for the API). */
  tables(name: string): FabricTables | undefined {
    return this.running.get(name)?.tables;
  }

  private registerMetrics(registry: Registry): void {
    const running = this.running;
    const STATES = ['stopped', 'building', 'running', 'resyncing', 'error'] as const;
    new Gauge({
      name: 'ept_fabric_state',
      help: 'State of each running fabric (1 for its current state)',
      labelNames: ['fabric', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [name, r] of running) {
          const st = r.subscriber.status().state;
          for (const s of STATES) this.set({ fabric: name, state: s }, s === st ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'ept_build_progress_ratio',
      help: 'Objects read over objects announced in the current build or resync, per fabric (1 when done)',
      labelNames: ['fabric'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [name, r] of running) {
          const classes = Object.values(r.subscriber.status().build?.classes ?? {});
          const total = classes.reduce((n, c) => n + c.total, 0);
          const read = classes.reduce((n, c) => n + Math.min(c.read, c.total), 0);
          this.set({ fabric: name }, total ? read / total : 1);
        }
      },
    });
    new Gauge({
      name: 'ept_endpoints',
      help: 'Endpoints held in memory, per fabric',
      labelNames: ['fabric'],
      registers: [registry],
      collect: () => {
        for (const name of running.keys()) endpoints.set({ fabric: name }, this.opts.pipeline.endpointCount(name));
      },
    });
    const endpoints = registry.getSingleMetric('ept_endpoints') as Gauge<'fabric'>;
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.running.keys()]) await this.stop(name);
  }
}
