import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { runStoreContract } from './store-contract.js';
import { batch, endpointState, finding, historyEvent, T0 } from './store-fixtures.js';
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-schema.js';
import Database from 'better-sqlite3';
import { encodeEndpointState } from './endpoint-codec.js';
import type { EndpointState } from '../core/types.js';

const dir = mkdtempSync(join(tmpdir(), 'ept-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreContract('sqlite in memory', () => openSqliteStore({ path: ':memory:' }));

runStoreContract('sqlite file', () => openSqliteStore({ path: join(dir, `run-${n++}`, 'ept.db') }), {
  reopen: async (store) => {
    const file = (store as SqliteStore).file;
    await store.close();
    return openSqliteStore({ path: file });
  },
});

/** A database file at an older schema version holding endpoint s (with row id `id` from v5 on). */
async function databaseAt(version: number, name: string, s: EndpointState, id?: number): Promise<{ file: string; db: Database.Database }> {
  const file = join(dir, name);
  const db = new Database(file);
  migrateSqlite(db, SQLITE_MIGRATIONS.filter((m) => m.version <= version));
  const idColumn = id === undefined ? '' : 'id, ';
  db.prepare(
    `INSERT INTO endpoints (${idColumn}fabric, vnid, addr, type, cur_node, ts, deleted_ts, offsubnet, stale, deleted, rapid_until, gone_ts, state)
     VALUES (${id === undefined ? '' : '?, '}?, ?, ?, ?, 101, ?, 0, 0, 0, 0, 0, 0, ?)`,
  ).run(...(id === undefined ? [] : [id]), s.fabric, s.vnid, s.addr, s.type, s.ts, encodeEndpointState(s));
  return { file, db };
}

describe('openSqliteStore', () => {
  it('uses WAL and records the schema version', async () => {
    const store = await openSqliteStore({ path: join(dir, 'wal', 'ept.db') });
    await store.close();
    const again = await openSqliteStore({ path: join(dir, 'wal', 'ept.db') });
    await again.close();
    const db = new Database(join(dir, 'wal', 'ept.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
    expect(migrateSqlite(db)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it('names the file and the reason when the file is not a database', async () => {
    const file = join(dir, 'corrupt.db');
    writeFileSync(file, 'this is not a database, just some text that is long enough to fill a header'.repeat(100));
    const err = await openSqliteStore({ path: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EptError);
    expect(err).toMatchObject({ code: 'store_error' });
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/not a database/);
  });

  it('names the file when its directory cannot be created', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a directory should be');
    const err = await openSqliteStore({ path: join(blocker, 'sub', 'ept.db') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store_error' });
    expect((err as Error).message).toContain(join(blocker, 'sub', 'ept.db'));
  });

  it.skipIf(process.getuid?.() === 0)('names the file when the directory is read-only', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const err = await openSqliteStore({ path: join(ro, 'ept.db') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store_error' });
    chmodSync(ro, 0o700);
  });

  it('refuses a database written by a newer schema', async () => {
    const file = join(dir, 'newer.db');
    const store = await openSqliteStore({ path: file });
    await store.close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version VALUES (999, ?, 0)').run('future');
    db.close();
    await expect(openSqliteStore({ path: file })).rejects.toThrow(/schema version 999 is newer/);
  });

  it('migrates a version 4 database: endpoints keep their rows and get ids, history follows them', async () => {
    const s = endpointState({ addr: '10.1.1.1' });
    const { file, db } = await databaseAt(4, 'v4.db', s);
    const putHistory = db.prepare(
      `INSERT INTO history (fabric, vnid, addr, node, slot, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote)
       VALUES (?, ?, ?, 101, ?, ?, ?, 'created', 'local', 'eth1/12', 'vlan-1104', 49153, '', 0, 0)`,
    );
    putHistory.run(s.fabric, s.vnid, s.addr, 0, 0, T0);
    // History of an endpoint whose row was never written: dropped by the migration.
    putHistory.run(s.fabric, s.vnid, '10.9.9.9', 0, 0, T0);
    db.close();

    const store = await openSqliteStore({ path: file });
    const got = await store.getEndpoint(s);
    expect(got?.id).toBe(1);
    expect({ ...got!, id: 0 }).toEqual(s);
    const h = await store.history(s, 10);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ fabric: s.fabric, vnid: s.vnid, addr: s.addr, node: 101, seq: 0, ts: T0, status: 'created', flags: ['local'] });
    expect(await store.history({ ...s, addr: '10.9.9.9' }, 10)).toEqual([]);
    expect(store.newEndpointId()).toBe(2);
    await store.close();
  });

  it('migrates version 5 finding records to endpoint ids, the latest finding read from the events', async () => {
    const s = endpointState({ addr: '10.1.1.1' });
    const { file, db } = await databaseAt(5, 'v5.db', s, 7);
    const moves = [finding(s, 'move', T0), finding(s, 'move', T0 + 2000), finding(s, 'move', T0 + 1000)];
    const putRecord = db.prepare(
      `INSERT INTO findings (fabric, kind, vnid, addr, node, type, count, first_ts, last_ts, cap, last) VALUES (?, 'move', ?, ?, 0, ?, ?, ?, ?, 4, ?)`,
    );
    const putEvent = db.prepare(`INSERT INTO finding_events (fabric, kind, vnid, addr, node, slot, seq, finding) VALUES (?, 'move', ?, ?, 0, ?, ?, ?)`);
    putRecord.run(s.fabric, s.vnid, s.addr, s.type, 3, T0, T0 + 2000, JSON.stringify(moves[1]));
    moves.forEach((m, i) => putEvent.run(s.fabric, s.vnid, s.addr, (i + 1) % 4, i + 1, JSON.stringify(m)));
    // A record of an endpoint whose row was never written: dropped by the migration.
    putRecord.run(s.fabric, s.vnid, '10.9.9.9', s.type, 1, T0, T0, JSON.stringify(finding({ ...s, addr: '10.9.9.9' }, 'move', T0)));
    db.close();

    const store = await openSqliteStore({ path: file });
    const [rec, ...rest] = await store.findingsForEndpoint(s);
    expect(rest).toEqual([]);
    // The latest by time, though not the last to arrive.
    expect(rec).toMatchObject({ kind: 'move', count: 3, firstTs: T0, lastTs: T0 + 2000, last: moves[1], events: [moves[2], moves[1], moves[0]] });
    expect(await store.findingsForEndpoint({ ...s, addr: '10.9.9.9' })).toEqual([]);
    // New findings continue the record.
    s.id = 7;
    await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0 + 3000)], findingIds: [7], findingCap: 4 }));
    expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 4, lastTs: T0 + 3000, last: finding(s, 'move', T0 + 3000) });
    expect((await store.listFindings(s.fabric, 'move', { limit: 10 })).items).toHaveLength(1);
    await store.close();
  });

  it('numbers new endpoints after every id in use, including history and findings whose endpoint row is missing', async () => {
    const file = join(dir, 'ids.db');
    const store = await openSqliteStore({ path: file });
    const s = endpointState({ addr: '10.1.1.1' });
    s.id = store.newEndpointId();
    const orphan = endpointState({ addr: '10.1.1.2' });
    orphan.id = 40;
    // The orphan's row would come in a later batch (a full re-read defers endpoint rows to its end).
    await store.writeBatch(batch({ endpoints: [s], history: [historyEvent(orphan, 101, 0, T0)], historyIds: [orphan.id] }));
    await store.close();
    const again = await openSqliteStore({ path: file });
    expect(again.newEndpointId()).toBe(41);
    // Likewise a finding record whose endpoint row is not written yet.
    const early = { ...endpointState({ addr: '10.1.1.3' }), id: 60 };
    await again.writeBatch(batch({ findings: [finding(early, 'move', T0)], findingIds: [early.id] }));
    await again.close();
    const third = await openSqliteStore({ path: file });
    expect(third.newEndpointId()).toBe(61);
    // Deleting the fabric removes that record's events too, though its endpoint has no row.
    expect(await third.deleteFabric('fab1')).toBe(true);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM finding_events').get()).toEqual({ n: 0 });
    raw.close();
    await third.close();
  });

  it('rejects history for an endpoint that has no id and no row, and writes nothing of the batch', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const s = endpointState({ addr: '10.1.1.1' });
    const ghost = endpointState({ addr: '10.1.1.2' });
    await expect(store.writeBatch(batch({ endpoints: [s], history: [historyEvent(ghost, 101, 0, T0)] }))).rejects.toThrow(/10\.1\.1\.2, which is not stored/);
    expect(await store.getEndpoint(s)).toBeNull();
    await store.close();
  });

  it('turns driver failures after open into store_error naming the file', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.close();
    await expect(store.getUser('x')).rejects.toMatchObject({ code: 'store_error', message: expect.stringContaining(':memory:') });
  });
});
