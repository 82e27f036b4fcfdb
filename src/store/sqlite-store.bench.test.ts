// Throughput of Store.writeBatch: endpoint upserts (at most one per endpoint per batch) plus history
// rows, on a file-backed SQLite store in WAL mode (and on PostgreSQL at 127.0.0.1 when it answers).
// A measurement, not a pass/fail timing: run with
//   EPT_BENCH=1 npx vitest run src/store/sqlite-store.bench.test.ts
// and record the figures in bench/RESULTS.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { EndpointState, HistoryEvent } from '../core/types.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import { addresses, batch, endpointState, finding, historyEvent, T0 } from './store-fixtures.js';

interface Scenario {
  name: string;
  endpoints: number;
  /** Events per batch. */
  batchSize: number;
  /** Events per endpoint within a batch (the coalescing factor). */
  eventsPerEndpoint: number;
  batches: number;
  /** One finding per this many events (0: none). */
  findingEvery: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'distinct endpoints (1 upsert + 1 history row per event)', endpoints: 200_000, batchSize: 2000, eventsPerEndpoint: 1, batches: 250, findingEvery: 0 },
  { name: '4 events per endpoint per batch', endpoints: 200_000, batchSize: 2000, eventsPerEndpoint: 4, batches: 250, findingEvery: 0 },
  { name: 'distinct endpoints, 1 finding per 100 events', endpoints: 200_000, batchSize: 2000, eventsPerEndpoint: 1, batches: 250, findingEvery: 100 },
];

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
let pgRuns = 0;
const pgSchema = (): string => `ept_bench_${process.pid}_${pgRuns}`;

interface Backend {
  name: string;
  open(dir: string): Promise<Store>;
  /** Removes what open created outside dir. */
  drop(): Promise<void>;
}

const BACKENDS: Backend[] = [
  { name: 'sqlite', open: (dir) => openSqliteStore({ path: join(dir, 'ept.db') }), drop: () => Promise.resolve() },
  {
    name: 'postgres',
    open: () => openPostgresStore({ connectionString: PG_URL, schema: `ept_bench_${process.pid}_${++pgRuns}` }),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${pgSchema()} CASCADE`);
      await c.end();
    },
  },
];

describe.skipIf(!process.env['EPT_BENCH'])('sqlite store write throughput', () => {
  const cases = BACKENDS.flatMap((backend) => SCENARIOS.map((sc) => ({ ...sc, backend, label: `${backend.name}: ${sc.name}` })));
  it.each(cases)('$label', async (sc) => {
    const dir = mkdtempSync(join(tmpdir(), 'ept-bench-'));
    const store = await sc.backend.open(dir).catch((err: unknown) => {
      process.stdout.write(`[bench] ${sc.label}: skipped, ${String(err)}\n`);
      return null;
    });
    if (!store) return;
    try {
      const states: EndpointState[] = addresses(sc.endpoints).map((addr, i) => endpointState({ addr, ts: T0 + i }));
      const perBatch = sc.batchSize / sc.eventsPerEndpoint;
      let events = 0;
      let upserts = 0;
      let findings = 0;
      let cursor = 0;
      const started = process.hrtime.bigint();
      for (let b = 0; b < sc.batches; b++) {
        const eps: EndpointState[] = [];
        const hist: HistoryEvent[] = [];
        const fnd = [];
        for (let i = 0; i < perBatch; i++) {
          const s = states[cursor++ % states.length] as EndpointState;
          eps.push(s);
          for (let e = 0; e < sc.eventsPerEndpoint; e++) {
            hist.push(historyEvent(s, 101 + (e % 4), b * 4 + e, T0 + b));
            if (sc.findingEvery && (events + hist.length) % sc.findingEvery === 0) fnd.push(finding(s, 'move', T0 + b));
          }
        }
        await store.writeBatch(batch({ endpoints: eps, history: hist, findings: fnd, historyCap: 64, findingCap: 64 }));
        events += hist.length;
        upserts += eps.length;
        findings += fnd.length;
      }
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const line =
        `[bench] ${sc.label}: ${events} events (${upserts} upserts, ${findings} findings) in ${secs.toFixed(2)} s = ` +
        `${Math.round(events / secs)} events/s, ${Math.round((events + upserts + findings) / secs)} rows/s ` +
        `(batch ${sc.batchSize}, ${cpus().length} x ${cpus()[0]?.model ?? '?'})`;
      process.stdout.write(line + '\n');
      expect(events).toBe(sc.batchSize * sc.batches);
    } finally {
      await store.close();
      await sc.backend.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
