// The SQLite store with its writer thread runs from the compiled build only (a worker thread cannot
// load TypeScript sources), so this suite runs the store contract against dist/ — built by
// `npm run build`, which CI runs before the tests.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqliteStoreOptions } from '../../src/store/sqlite-store.js';
import type { SqliteWriterThread as WriterThread } from '../../src/store/sqlite-writer-thread.js';
import { runStoreContract } from '../../src/store/store-contract.js';
import type { Store } from '../../src/store/store.js';
import { addresses, batch, endpointState, finding, historyEvent, T0 } from '../../src/store/store-fixtures.js';

const DIST = new URL('../../dist/store/sqlite-store.js', import.meta.url);
const built = existsSync(fileURLToPath(DIST));
if (!built) console.warn('skipping the writer-thread store tests: dist/ is missing (run npm run build)');

type Open = (o: SqliteStoreOptions) => Promise<Store & { file: string }>;
const open = async (o: SqliteStoreOptions): Promise<Store & { file: string }> => ((await import(DIST.href)) as { openSqliteStore: Open }).openSqliteStore(o);

const dir = mkdtempSync(join(tmpdir(), 'ept-writer-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe.skipIf(!built)('SQLite store with a writer thread (compiled build)', () => {
  runStoreContract('sqlite file, writer thread', () => open({ path: join(dir, `run-${n++}`, 'ept.db'), writerThread: true }), {
    reopen: async (store) => {
      const file = (store as Store & { file: string }).file;
      await store.close();
      return open({ path: file, writerThread: true });
    },
  });

  it('starts the thread only once an older database is migrated (the thread prepares statements for the current schema)', async () => {
    const file = join(dir, 'old', 'ept.db');
    const { default: Database } = await import('better-sqlite3');
    const { migrateSqlite, SQLITE_MIGRATIONS } = await import('../../src/store/sqlite-schema.js');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'old'));
    const db = new Database(file);
    migrateSqlite(db, SQLITE_MIGRATIONS.filter((m) => m.version <= 5));
    // Enough endpoints with finding records and events that the migration to v6 (which copies them
    // all) takes far longer than the thread's start: with the thread started first, it prepared
    // its statements against the v5 tables and failed.
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
      INSERT INTO endpoints (id, fabric, vnid, addr, type, cur_node, ts, deleted_ts, offsubnet, stale, deleted, rapid_until, gone_ts, state)
      SELECT i, 'fab1', i, 'aa:bb:cc:dd:ee:ff', 'mac', 101, 0, 0, 0, 0, 0, 0, 0, '[1]' FROM n;
      INSERT INTO findings (fabric, kind, vnid, addr, node, type, count, first_ts, last_ts, cap, last)
      SELECT fabric, 'move', vnid, addr, 0, 'mac', 1, 0, 0, 4, '{}' FROM endpoints;
      INSERT INTO finding_events (fabric, kind, vnid, addr, node, slot, seq, finding)
      SELECT fabric, 'move', vnid, addr, 0, 1, 1, '{}' FROM endpoints`);
    db.close();
    const store = await open({ path: file, writerThread: true });
    const s = { ...endpointState({ addr: '10.0.0.8' }), id: store.newEndpointId() };
    expect(s.id).toBe(100_001);
    await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0)], findingIds: [s.id] }));
    expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 1, lastTs: T0 });
    await store.close();
  });

  it('reports why the thread could not start', async () => {
    const { SqliteWriterThread } = (await import(new URL('../../dist/store/sqlite-writer-thread.js', import.meta.url).href)) as { SqliteWriterThread: typeof WriterThread };
    const { encodeBatch } = await import('../../src/store/sqlite-batch-writer.js');
    // A database without ept's tables: the thread cannot prepare its statements.
    const thread = SqliteWriterThread.start(join(dir, 'empty.db'), { cacheMiB: 8 });
    await expect(thread.write(encodeBatch(batch({})))).rejects.toThrow(/write failed: cannot start: no such table: endpoints/);
    await thread.close();
  });

  it('commits many batches in order, readable at once from the main connection, and closes cleanly', async () => {
    const store = await open({ path: join(dir, 'order', 'ept.db'), writerThread: true });
    const s = endpointState({ addr: '10.0.0.9' });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) writes.push(store.writeBatch(batch({ endpoints: [{ ...s, ts: T0 + i }], history: [historyEvent(s, 101, i, T0 + i)] })));
    await Promise.all(writes);
    expect((await store.getEndpoint(s))?.ts).toBe(T0 + 199);
    expect(await store.history(s, 1000)).toHaveLength(64);
    await store.close();
    const again = await open({ path: join(dir, 'order', 'ept.db'), writerThread: true });
    expect((await again.getEndpoint(s))?.ts).toBe(T0 + 199);
    await again.close();
  });

  it('checkpoints while batches keep committing, and the WAL starts over instead of growing', async () => {
    const path = join(dir, 'checkpoints', 'ept.db');
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), debug: () => undefined } as unknown as SqliteStoreOptions['logger'];
    const store = await open({ path, writerThread: true, checkpointMs: 20, logger });
    // Batches back to back, as under load: the checkpointer thread copies the WAL back meanwhile.
    const addrs = addresses(60_000);
    for (let i = 0; i < addrs.length; i += 500) {
      await store.writeBatch(batch({ endpoints: addrs.slice(i, i + 500).map((addr) => endpointState({ addr })) }));
    }
    await new Promise((r) => setTimeout(r, 100));
    // Every batch committed, and the rows are in the database file: the WAL holds only what the
    // last intervals wrote. Without a restart the WAL would hold every page written (more than the
    // database file); without a checkpoint the database file would hold none of them.
    expect((await store.getEndpoint(endpointState({ addr: addrs.at(-1) as string })))?.addr).toBe(addrs.at(-1));
    const db = statSync(path).size;
    const wal = statSync(`${path}-wal`).size;
    expect(db).toBeGreaterThan(16 * 2 ** 20);
    expect(wal).toBeLessThan(db / 2);
    expect(warnings).toEqual([]);
    await store.close();
  });

  it('refuses a writer thread for an in-memory store', async () => {
    await expect(open({ path: ':memory:', writerThread: true })).rejects.toMatchObject({ code: 'store_error' });
  });
});
