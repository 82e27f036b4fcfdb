// The composition root of `ept server` (all-in-one): picks the implementations (SQLite store,
// in-memory pipeline), wires the roles together and serves the API.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ensureAdmin } from '../api/auth.js';
import { buildApp } from '../api/build-app.js';
import { AuditLog } from '../audit/audit-log.js';
import type { FabricTables } from '../core/fabric-tables.js';
import { HostTracking } from '../hosts/host-tracking.js';
import { NotificationDispatcher } from '../notify/notification-dispatcher.js';
import { EndpointPipeline } from '../pipeline/endpoint-pipeline.js';
import { PipelineMetrics } from '../pipeline/pipeline-metrics.js';
import { ApicSshRemediator } from '../remediate/apic-ssh-remediator.js';
import { AutoClear } from '../remediate/auto-clear.js';
import { EndpointClearer } from '../remediate/endpoint-clearer.js';
import type { Remediator } from '../remediate/remediator.js';
import { SimRemediator } from '../remediate/sim-remediator.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { DEMO_FABRIC, startDemoFabric, type DemoFabric } from './demo-fabric.js';
import { FabricManager } from './fabric-manager.js';
import { startRetention } from './retention.js';

/** What the server needs from the validated configuration (src/config). */
export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  logLevel: string;
  /** Start the simulated demo fabric when no fabric is configured. */
  demo: boolean;
  adminPassword?: string;
  tokenTtl: number;
  partitions: number;
  batchSize: number;
  queueCapacity: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerOptions, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? pino({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openSqliteStore({ path: join(config.dataDir, 'ept.db') });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new PipelineMetrics(registry);
  const pipeline = new EndpointPipeline({
    store,
    logger: log,
    metrics,
    partitions: config.partitions,
    batchSize: config.batchSize,
    queueCapacity: config.queueCapacity,
  });
  const notify = new NotificationDispatcher({ logger: log, tables: (f): FabricTables | undefined => fabrics.tables(f) });
  pipeline.onFinding((f) => notify.handle(f));
  const fabrics = new FabricManager({ store, pipeline, logger: log, metrics: registry, notify });
  const audit = new AuditLog(store, log);

  const admin = await ensureAdmin(store, { password: config.adminPassword, logger: log });
  if (admin.generatedPassword) {
    process.stdout.write(`\nept: created user "admin" with password: ${admin.generatedPassword}\n     (shown once; set EPT_ADMIN_PASSWORD to choose it)\n\n`);
  }

  let demo: DemoFabric | null = null;
  const hasRealFabric = (await store.listFabrics()).some((f) => !f.simulated);
  if (config.demo && !hasRealFabric) demo = await startDemoFabric({ store, logger: log });
  // A simulated fabric left from an earlier demo run points at a simulator that is gone.
  await fabrics.startAll({ includeSimulated: demo !== null });
  const retention = startRetention({ store, pipeline, logger: log });
  const clearer = new EndpointClearer({
    store,
    logger: log,
    state: async (fabric, vnid, addr) => pipeline.getState(fabric, vnid, addr) ?? (await store.getEndpoint({ fabric, vnid, addr })),
    tables: (f) => fabrics.tables(f),
    remediator: (f) => remediatorFor(store, f, demo, log),
    audit,
  });
  const autoClear = new AutoClear({ clearer, settings: (f) => fabrics.settings(f), logger: log });
  pipeline.onFinding((f) => autoClear.handle(f));

  const app = await buildApp({
    store,
    fabrics,
    metrics: registry,
    logger: log,
    tokenTtl: config.tokenTtl,
    findings: { subscribe: (l) => pipeline.onFinding(l) },
    notifications: notify,
    clears: clearer,
    audit,
    // Host-side ARP/ND tracking, partitioned like the fabric pipeline.
    hostTracking: new HostTracking({ hosts: store.hosts, partitions: config.partitions }),
  });
  const address = await app.listen({ host: config.host, port: config.port });
  log.info({ url: address, dataDir: config.dataDir, demo: Boolean(demo) }, 'ept server listening');

  let closing: Promise<void> | null = null;
  return {
    url: address,
    close() {
      closing ??= (async () => {
        retention.stop();
        await app.close();
        await fabrics.stopAll();
        await pipeline.close();
        await autoClear.idle();
        await notify.close();
        await demo?.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * How a fabric's endpoints are cleared: the demo fabric on its simulator, any other over SSH to its
 * APICs (with the fabric's ssh credentials, else its APIC ones). Each clear opens and closes its own connections.
 */
async function remediatorFor(store: Store, fabric: string, demo: DemoFabric | null, log: Logger): Promise<Remediator | null> {
  const cfg = await store.getFabric(fabric);
  if (!cfg) return null;
  if (cfg.simulated) return demo && fabric === DEMO_FABRIC ? new SimRemediator(demo.sim) : null;
  const apics = cfg.apic.urls.flatMap((u) => {
    try {
      return [new URL(u).hostname.replace(/^\[|\]$/g, '')];
    } catch {
      return [];
    }
  });
  const creds = cfg.ssh ?? { username: cfg.apic.username, password: cfg.apic.password };
  return new ApicSshRemediator({ apics, username: creds.username, password: creds.password, logger: log });
}
