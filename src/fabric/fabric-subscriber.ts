// One fabric's APIC subscriber: initial build, live events, resync after any gap, per-node resync
// when a leaf comes back. It never restarts the fabric: it re-reads what may have been missed.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { EptError } from '../core/errors.js';
import { TABLE_CLASSES, type FabricTables, type MoRow } from '../core/fabric-tables.js';
import type { FabricSettings } from '../core/settings.js';
import type { ApicObject } from '../protocols/apic-objects.js';
import type { EndpointSink } from '../pipeline/sink.js';
import type { FabricConfig } from '../store/store.js';
import { subscribeClass } from './apic-query.js';
import { ApicSession } from './apic-session.js';
import { ApicSocket } from './apic-socket.js';
import { EventRate } from './event-rate.js';
import type { BuildProgress, FabricState, FabricStatus } from './fabric-status.js';
import { endpointRefreshQueries } from './endpoint-refresh.js';
import { sharedPageDecoder, type EndpointPageDecoder } from './page-decoder.js';
import { ENDPOINT_CLASS_NAMES, readEndpointClasses, readTableClasses, streamClass, type SaveObjects, type SyncContext } from './fabric-sync.js';
import { LiveEndpointEvents } from './live-endpoint-events.js';
import { LiveTableEvents } from './live-table-events.js';

/** Timings, overridable for tests; defaults suit a production APIC. */
export interface SubscriberTiming {
  requestTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Overrides settings.heartbeat_interval (seconds) when set. */
  pingIntervalMs?: number;
  /** Overrides settings.subscription_refresh_time (seconds) when set. */
  subscriptionTimeoutSeconds?: number;
  pageSize?: number;
  /** Live batches in flight at which the websocket reader is paused (backpressure). */
  maxLiveInFlight: number;
}

const DEFAULT_TIMING: SubscriberTiming = {
  requestTimeoutMs: 30_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  maxLiveInFlight: 64,
};

export interface FabricSubscriberOptions {
  config: FabricConfig;
  settings: FabricSettings;
  tables: FabricTables;
  sink: EndpointSink;
  /** Persists table objects; with replaceClasses, replaces all stored objects of those classes. */
  saveObjects: SaveObjects;
  logger: Logger;
  now?: () => number;
  timing?: Partial<SubscriberTiming>;
  /** Where pages of endpoint classes are decoded (default: the process's decoder thread). */
  pageDecoder?: EndpointPageDecoder;
}

/** Counters beyond FabricStatus, for tests and introspection. */
export interface SubscriberCounters {
  fullSyncs: number;
  nodeResyncs: number;
  gaps: number;
  lastSyncDeleted: number;
}

export class FabricSubscriber {
  private readonly fabric: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timing: SubscriberTiming;
  private readonly session: ApicSession;
  private readonly rate: EventRate;
  private readonly tableEvents: LiveTableEvents;
  private socket: ApicSocket | null = null;
  private run: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private stopped = true;
  private state: FabricState = 'stopped';
  private build: BuildProgress | null = null;
  private lastError: FabricStatus['lastError'] = null;
  private readonly endpointEvents: LiveEndpointEvents;
  /** Observations of query reads handed to the sink. */
  private queryProcessed = 0;
  private parseErrors = 0;
  /** Malformed frames of sockets already replaced (parseErrors counts since start, not per socket). */
  private closedSocketMalformed = 0;
  private reconnects = 0;
  private nodeQueue: Promise<void> = Promise.resolve();
  /** Ends the current backoff wait (stop()). */
  private wake: (() => void) | null = null;
  readonly counters: SubscriberCounters = { fullSyncs: 0, nodeResyncs: 0, gaps: 0, lastSyncDeleted: 0 };

  constructor(private readonly opts: FabricSubscriberOptions) {
    const { config, settings } = opts;
    this.fabric = config.name;
    this.log = opts.logger.child({ component: 'subscriber', fabric: config.name });
    this.now = opts.now ?? Date.now;
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.rate = new EventRate(10, this.now);
    this.session = new ApicSession({
      urls: config.apic.urls,
      username: config.apic.username,
      password: config.apic.password,
      verifyTls: config.apic.verifyTls,
      caFile: config.apic.caFile,
      sessionTimeoutSeconds: settings.session_timeout,
      requestTimeoutMs: this.timing.requestTimeoutMs,
      logger: this.log,
      onRenewed: (reason) => this.gap(`APIC session renewed: ${reason}`),
    });
    this.endpointEvents = new LiveEndpointEvents({
      fabric: this.fabric,
      sink: opts.sink,
      rate: this.rate,
      now: this.now,
      maxInFlight: this.timing.maxLiveInFlight,
      parseError: (where, reason) => this.parseError(where, reason),
      refused: (err) => this.gap(`the pipeline refused events: ${err.message}`),
    });
    this.tableEvents = new LiveTableEvents({
      tables: opts.tables,
      save: (rows) => this.save(rows),
      log: this.log,
      parseError: (where, reason) => this.parseError(where, reason),
      leafUp: (node) => this.scheduleNodeResync(node),
    });
  }

  /** Starts the build and keeps the fabric in sync until stop(). One start per instance. */
  start(): void {
    if (!this.stopped) return;
    if (this.loop) throw new EptError('conflict', `subscriber of fabric ${this.fabric} was stopped; create a new one`);
    this.stopped = false;
    this.state = 'building';
    this.loop = this.runLoop().catch((err: unknown) => this.log.error({ err }, 'subscriber loop failed (bug)'));
  }

  /** Stops: closes the socket and the session; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.run?.abort(new EptError('conflict', 'subscriber stopped'));
    this.wake?.();
    this.socket?.close();
    await this.loop;
    await this.nodeQueue;
    this.session.close();
    this.state = 'stopped';
  }

  status(): FabricStatus {
    const s = this.socket?.stats;
    return {
      fabric: this.fabric,
      state: this.state,
      simulated: this.opts.config.simulated,
      build: this.build,
      lastError: this.lastError,
      subscription: {
        connected: s?.connected ?? false,
        apic: this.session.loggedIn ? this.session.url : null,
        subscriptions: this.socket?.subscriptionCount ?? 0,
        lastRefreshTs: s?.lastRefreshTs ?? null,
        lastEventTs: s?.lastEventTs ?? null,
        reconnects: this.reconnects,
      },
      eventRate: this.rate.rate(),
      eventsReceived: this.endpointEvents.received,
      eventsProcessed: this.endpointEvents.processed + this.queryProcessed,
      parseErrors: this.parseErrors + this.closedSocketMalformed + (s?.malformedFrames ?? 0),
    };
  }

  // ---- the loop: connect + sync, wait for a gap, back off on failure ----

  private async runLoop(): Promise<void> {
    let failures = 0;
    let first = true;
    while (!this.stopped) {
      const run = new AbortController();
      // Every request of the run listens on this signal; up to 28 subscribe at once.
      setMaxListeners(256, run.signal);
      this.run = run;
      let synced = false;
      try {
        await this.connectAndSync(run.signal, first);
        synced = true;
        first = false;
        failures = 0;
        this.state = 'running';
        await new Promise<void>((resolve) => run.signal.addEventListener('abort', () => resolve(), { once: true }));
      } catch (err) {
        if (this.stopped) break;
        failures++;
        // A gap during the read is not an error by itself; a failed login or query is.
        if (!run.signal.aborted) this.fail(err);
      } finally {
        // Cancels what the run still has in flight (a hung request of a failed Promise.all).
        if (!run.signal.aborted) run.abort(new EptError('conflict', 'run ended'));
        this.socket?.close();
      }
      if (this.stopped) break;
      this.reconnects++;
      if (!synced) await this.sleep(Math.min(this.timing.backoffInitialMs * 2 ** (failures - 1), this.timing.backoffMaxMs));
      if (this.state !== 'error') this.state = first ? 'building' : 'resyncing';
    }
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.lastError = { ts: this.now(), message };
    this.state = 'error';
    this.log.error({ err: message }, 'fabric sync failed; retrying');
  }

  /** Waits, unless stop() comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** A gap in the event stream: abort the current run; the loop re-reads the fabric. */
  private gap(reason: string): void {
    const run = this.run;
    if (this.stopped || !run || run.signal.aborted) return;
    this.counters.gaps++;
    this.log.warn({ reason }, 'gap in APIC events; resyncing');
    if (this.state !== 'error') this.state = this.state === 'building' ? 'building' : 'resyncing';
    run.abort(new EptError('apic_unreachable', `gap: ${reason}`));
  }

  private async connectAndSync(signal: AbortSignal, first: boolean): Promise<void> {
    // Always a fresh session: subscriptions of the old one are gone. A previous failure may have
    // marked the APIC suspect, and login() then starts with the next URL (failover).
    await this.session.login();
    signal.throwIfAborted();
    await this.openSocket(signal);
    const ctx = this.syncContext(signal, true);
    this.tableEvents.startBuffering();
    try {
      await readTableClasses(ctx, this.opts.tables, (rows, classes) => this.save(rows, classes));
    } finally {
      this.tableEvents.stopBuffering(!signal.aborted);
    }
    const { deleted } = await readEndpointClasses(ctx, null);
    this.counters.fullSyncs++;
    this.counters.lastSyncDeleted = deleted;
    if (this.build) this.build.finishedTs = this.now();
    this.log.info({ deleted, objects: this.opts.tables.objectCount }, first ? 'fabric built' : 'fabric resynced');
  }

  private async openSocket(signal: AbortSignal): Promise<void> {
    const socket = new ApicSocket({
      url: this.session.socketUrl(),
      tls: this.session.socketTls(),
      apic: this.session,
      subscriptionTimeoutSeconds: this.timing.subscriptionTimeoutSeconds ?? this.opts.settings.subscription_refresh_time,
      pingIntervalMs: this.timing.pingIntervalMs ?? this.opts.settings.heartbeat_interval * 1000,
      pingRetries: this.opts.settings.heartbeat_retries,
      openTimeoutMs: this.timing.requestTimeoutMs,
      logger: this.log,
      onGap: (reason) => this.gap(reason),
    });
    this.closedSocketMalformed += this.socket?.stats.malformedFrames ?? 0;
    this.socket = socket;
    await socket.open();
    const onEndpoints = (objects: ApicObject[]): void => this.endpointEvents.onEvents(objects, socket);
    const onTables = (objects: ApicObject[]): void => this.tableEvents.onEvents(objects);
    const subs = await Promise.all([
      ...ENDPOINT_CLASS_NAMES.map((cls) => subscribeClass(this.session, cls, { signal })),
      ...TABLE_CLASSES.map((cls) => subscribeClass(this.session, cls, { signal })),
    ]);
    for (const s of subs) socket.subscribe(s.subscriptionId, ENDPOINT_CLASS_NAMES.includes(s.cls) ? onEndpoints : onTables);
  }

  private syncContext(signal: AbortSignal, withProgress: boolean): SyncContext {
    if (withProgress) this.build = { classes: {}, startedTs: this.now(), finishedTs: null };
    return {
      fabric: this.fabric,
      apic: this.session,
      sink: this.opts.sink,
      pageSize: this.timing.pageSize,
      signal,
      now: this.now,
      progress: withProgress ? this.build : null,
      parseError: (where, reason) => this.parseError(where, reason),
      submitted: (n) => (this.queryProcessed += n),
      decoder: this.opts.pageDecoder ?? sharedPageDecoder(),
    };
  }

  // ---- live events ----

  private parseError(where: string, reason: string): void {
    this.parseErrors++;
    // A fabric full of bad objects must not flood the log: the first ones, then one in a thousand.
    if (this.parseErrors <= 100 || this.parseErrors % 1000 === 0) {
      this.log.warn({ where, reason, parseErrors: this.parseErrors }, 'APIC object not usable');
    }
  }

  private saveChain: Promise<void> = Promise.resolve();

  /** Saves in order of calls; a failed save is logged, the tables in memory stay right. */
  private save(rows: MoRow[], classes?: string[]): Promise<void> {
    const next = this.saveChain.then(() => this.opts.saveObjects(rows, classes));
    this.saveChain = next.catch((err: unknown) => this.log.error({ err }, 'saving fabric objects failed'));
    return next;
  }

  // ---- per-node resync (a leaf came back) and targeted refresh ----

  private scheduleNodeResync(node: number): void {
    this.nodeQueue = this.nodeQueue.then(() => this.resyncNode(node));
  }

  private async resyncNode(node: number): Promise<void> {
    const run = this.run;
    // During a build or resync the full read covers the node.
    if (!run || run.signal.aborted || this.state !== 'running') return;
    try {
      const { deleted, submitted } = await readEndpointClasses(this.syncContext(run.signal, false), [node]);
      this.counters.nodeResyncs++;
      this.log.info({ node, deleted, submitted }, 'leaf back: node resynced');
    } catch (err) {
      if (!run.signal.aborted) this.log.warn({ node, err: (err as Error).message }, 'node resync failed');
    }
  }

  /**
   * Re-reads one endpoint (for rapid refresh and rechecks) and submits what the APIC holds now as
   * fromQuery observations. Nodes limit the read to those leaves.
   */
  async refreshEndpoint(vnid: number, addr: string, nodes?: number[]): Promise<void> {
    const signal = this.run?.signal ?? AbortSignal.abort(new EptError('conflict', `fabric ${this.fabric} is not running`));
    const ctx = this.syncContext(signal, false);
    // A targeted sync: learns of this endpoint the queries no longer return are deleted.
    const epoch = await this.opts.sink.beginSync(this.fabric, nodes ?? null, { vnid, addr });
    for (const q of endpointRefreshQueries(addr, nodes)) {
      await streamClass(ctx, q.cls, q.filter, (o) => o.vnid === vnid && o.addr === addr);
    }
    await this.opts.sink.endSync(this.fabric, epoch);
  }
}
