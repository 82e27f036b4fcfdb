// ept's side of the fabric benchmark, wired as `ept server` wires one fabric (see
// main/server.ts and main/fabric-manager.ts): a SQLite store in WAL mode in a temp directory, the
// endpoint pipeline with its metrics, and a fabric subscriber pointed at the simulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { FabricTables } from '../core/fabric-tables.js';
import { resolveSettings } from '../core/settings.js';
import type { FindingKind } from '../core/types.js';
import { FabricSubscriber } from '../fabric/fabric-subscriber.js';
import { EndpointPipeline } from '../pipeline/endpoint-pipeline.js';
import { PipelineMetrics } from '../pipeline/pipeline-metrics.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import type { FabricConfig } from '../store/store.js';
import type { SimStarted } from './sim-protocol.js';

export const BENCH_FABRIC = 'bench';

/** PipelineMetrics that also totals what the write-behind committed. */
export class BenchMetrics extends PipelineMetrics {
  commits = 0;
  historyRowsCommitted = 0;
  endpointRowsCommitted = 0;
  commitMs = 0;

  override committed(historyRows: number, endpoints: number, ms: number): void {
    super.committed(historyRows, endpoints, ms);
    this.commits++;
    this.historyRowsCommitted += historyRows;
    this.endpointRowsCommitted += endpoints;
    this.commitMs += ms;
  }

  processedCount(fabric: string): number {
    return this.counts.processed.get(fabric) ?? 0;
  }
}

/** Options of EptUnderTest.open. */
export interface EptUnderTestOptions {
  partitions: number;
  batchSize: number;
  queueCapacity: number;
  /** SQLite page cache, MiB; undefined keeps the store's default (what `ept server` uses). */
  cacheMiB?: number;
  /** APIC query page size; undefined keeps the subscriber's default. */
  pageSize?: number;
  logLevel: string;
}

export class EptUnderTest {
  readonly findings: Partial<Record<FindingKind, number>> = {};
  refreshes = 0;

  private constructor(
    readonly dir: string,
    readonly store: SqliteStore,
    readonly metrics: BenchMetrics,
    readonly pipeline: EndpointPipeline,
    readonly subscriber: FabricSubscriber,
  ) {}

  /** Opens the store and pipeline and creates the subscriber (not started). */
  static async open(sim: SimStarted, o: EptUnderTestOptions): Promise<EptUnderTest> {
    // Logs go to stderr so that --json output on stdout stays parseable.
    const logger: Logger = pino({ level: o.logLevel }, pino.destination(2));
    const dir = mkdtempSync(join(tmpdir(), 'ept-bench-'));
    const store = await openSqliteStore({ path: join(dir, 'ept.db'), logger, cacheMiB: o.cacheMiB });
    const metrics = new BenchMetrics(new Registry());
    const pipeline = new EndpointPipeline({ store, logger, metrics, partitions: o.partitions, batchSize: o.batchSize, queueCapacity: o.queueCapacity });
    const config: FabricConfig = {
      name: BENCH_FABRIC,
      apic: { urls: [sim.url], username: sim.username, password: sim.password, verifyTls: false },
      settings: {},
      autoStart: false,
      simulated: true,
      createdTs: Date.now(),
    };
    const settings = resolveSettings(config.settings);
    const tables = FabricTables.fromRows([]);
    await pipeline.attachFabric(BENCH_FABRIC, tables, settings);
    const subscriber = new FabricSubscriber({
      config,
      settings,
      tables,
      sink: pipeline,
      saveObjects: (rows, classes) => store.saveFabricObjects(BENCH_FABRIC, rows, classes),
      logger,
      timing: o.pageSize === undefined ? undefined : { pageSize: o.pageSize },
    });
    const ept = new EptUnderTest(dir, store, metrics, pipeline, subscriber);
    ept.wire(logger);
    return ept;
  }

  /** Findings and refreshes as the fabric manager wires them, so their cost is part of the run. */
  private wire(logger: Logger): void {
    this.pipeline.onFinding((f) => (this.findings[f.kind] = (this.findings[f.kind] ?? 0) + 1));
    this.pipeline.onRefresh((_fabric, vnid, addr) => {
      this.refreshes++;
      this.subscriber.refreshEndpoint(vnid, addr).catch((err: unknown) => logger.warn({ err, vnid, addr }, 'endpoint refresh failed'));
    });
  }

  processed(): number {
    return this.metrics.processedCount(BENCH_FABRIC);
  }

  /** Events waiting in the pipeline's partition queues. */
  queued(): number {
    return this.pipeline.queueDepths().reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.subscriber.stop();
    await this.pipeline.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
