import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { LATEST_EVENTS, openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { findingPageQuery } from './sql-listing.js';
import { runStoreContract } from './store-contract.js';
import { batch, endpointState, finding, historyEvent, T0 } from './store-fixtures.js';
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-schema.js';
import { parseFindCounts } from './sqlite-batch-writer.js';
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

/** A file store written on the caller's thread, with endpoints a and b stored and one history row of b. */
async function twoEndpoints(name: string): Promise<{ file: string; store: SqliteStore; a: EndpointState; b: EndpointState }> {
  const file = join(dir, name, 'ept.db');
  const store = await openSqliteStore({ path: file, writerThread: false });
  const a = { ...endpointState({ addr: '10.1.1.1' }), id: store.newEndpointId() };
  const b = { ...endpointState({ addr: '10.1.1.2' }), id: store.newEndpointId() };
  await store.writeBatch(batch({ endpoints: [a, b], history: [historyEvent(b, 101, 0, T0)], historyIds: [b.id] }));
  return { file, store, a, b };
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
    expect(raw.prepare('SELECT count(*) AS n FROM finding_log').get()).toEqual({ n: 0 });
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

  it('migrates version 6 history slots and finding events to chained logs, every row readable', async () => {
    const s = endpointState({ addr: '10.1.1.1' });
    const { file, db } = await databaseAt(6, 'v6.db', s, 3);
    const putHistory = db.prepare(
      `INSERT INTO history (ep, node, slot, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote)
       VALUES (3, ?, ?, ?, ?, 'modified', 'local', 'eth1/12', 'vlan-1104', 49153, '', 0, 0)`,
    );
    // Slots of a cap of 4 that wrapped: seq 4 and 5 took the slots of 0 and 1.
    for (const seq of [4, 5, 2, 3]) putHistory.run(101, seq % 4, seq, T0 + seq * 10);
    putHistory.run(102, 0, 0, T0 + 1);
    const moves = [finding(s, 'move', T0), finding(s, 'move', T0 + 2000), finding(s, 'move', T0 + 1000)];
    db.prepare(`INSERT INTO findings (ep, kind, node, fabric, vnid, addr, type, count, first_ts, last_ts, cap) VALUES (3, 'move', 0, ?, ?, ?, ?, 3, ?, ?, 4)`).run(
      s.fabric, s.vnid, s.addr, s.type, T0, T0 + 2000,
    );
    moves.forEach((m, i) => db.prepare(`INSERT INTO finding_events (ep, kind, node, slot, seq, finding) VALUES (3, 'move', 0, ?, ?, ?)`).run((i + 1) % 4, i + 1, JSON.stringify(m)));
    db.close();

    const store = await openSqliteStore({ path: file });
    const h = await store.history(s, 10);
    expect(h.map((e) => [e.node, e.seq])).toEqual([[101, 5], [101, 4], [101, 3], [101, 2], [102, 0]]);
    expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 3, last: moves[1], events: [moves[2], moves[1], moves[0]] });
    // New rows continue the chains.
    s.id = 3;
    await store.writeBatch(
      batch({ endpoints: [s], history: [historyEvent(s, 101, 6, T0 + 60)], historyIds: [3], historyCap: 4, findings: [finding(s, 'move', T0 + 3000)], findingIds: [3], findingCap: 4 }),
    );
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[101, 6], [101, 5], [101, 4], [101, 3], [102, 0]]);
    expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 4, events: [finding(s, 'move', T0 + 3000), moves[2], moves[1], moves[0]] });
    expect(store.newEndpointId()).toBe(4);
    await store.close();
  });

  it('prunes history chains and finding logs past their caps, and reads stay exact in between', async () => {
    const { file, store, a: s, b: quiet } = await twoEndpoints('prune');
    const raw = new Database(file, { readonly: true });
    const rows = (): number => (raw.prepare('SELECT count(*) AS n FROM history WHERE ep = ?').get(s.id) as { n: number }).n;
    const events = (): number => (raw.prepare('SELECT count(*) AS n FROM finding_log').get() as { n: number }).n;
    let maxRows = 0;
    let maxEvents = 0;
    const findingTimes: number[] = [];
    // Node 102 learns once; node 101 changes 200 times, a few events per batch.
    for (let seq = 0; seq < 200; seq += 5) {
      const hist = [];
      for (let k = seq; k < seq + 5; k++) hist.push(historyEvent(s, 101, k, T0 + k));
      if (seq === 0) hist.push(historyEvent(s, 102, 0, T0));
      const fs = hist.slice(0, 3).map((e) => finding(s, 'move', e.ts));
      findingTimes.push(...fs.map((f) => f.ts));
      await store.writeBatch(batch({ endpoints: [s], history: hist, historyIds: hist.map(() => s.id), historyCap: 8, findings: fs, findingIds: fs.map(() => s.id), findingCap: 4 }));
      const h = await store.history(s, 100);
      expect(h.filter((e) => e.node === 101).map((e) => e.seq)).toEqual(Array.from({ length: 8 }, (_, i) => seq + 4 - i).filter((x) => x >= 0));
      expect(h.filter((e) => e.node === 102).map((e) => e.seq)).toEqual([0]);
      const rec = (await store.findingsForEndpoint(s))[0]!;
      expect(rec.count).toBe((seq / 5 + 1) * 3);
      expect(rec.events.map((e) => e.ts)).toEqual(findingTimes.slice(-4).reverse());
      maxRows = Math.max(maxRows, rows());
      maxEvents = Math.max(maxEvents, events());
    }
    // 201 history rows and 120 finding events were written; what is kept stays near the caps.
    expect(maxRows).toBeLessThanOrEqual(8 + 16 + 5 + 1);
    expect(maxEvents).toBeLessThanOrEqual(4 + 16 + 3);
    expect(await store.history(quiet, 10)).toHaveLength(1);
    // Retention walks the chains: nothing of the endpoint is left.
    await store.writeBatch(batch({ endpoints: [{ ...s, ts: T0, deletedTs: T0, learns: [], current: null }] }));
    expect(await store.purgeDeleted('fab1', T0 + 1)).toBe(1);
    expect(rows()).toBe(0);
    expect(events()).toBe(0);
    expect(raw.prepare('SELECT count(*) AS n FROM history_heads WHERE ep = ?').get(s.id)).toEqual({ n: 0 });
    expect(await store.history(quiet, 10)).toHaveLength(1);
    raw.close();
    await store.close();
  });

  it('lists findings newest first from the log index without sorting, and keeps a record\'s latest event through pruning', async () => {
    const { file, store, a, b } = await twoEndpoints('latest');
    // a's first move is the latest by time; 40 older ones arrive after it (cap 4: pruned twice).
    const future = finding(a, 'move', T0 + 1_000_000);
    await store.writeBatch(batch({ findings: [future], findingIds: [a.id], findingCap: 4 }));
    for (let k = 0; k < 40; k++) await store.writeBatch(batch({ findings: [finding(a, 'move', T0 + k)], findingIds: [a.id], findingCap: 4 }));
    await store.writeBatch(batch({ findings: [finding(b, 'move', T0 + 500)], findingIds: [b.id], findingCap: 4 }));
    const page = await store.listFindings('fab1', 'move', { limit: 10 });
    expect(page.items.map((r) => [r.addr, r.count, r.lastTs])).toEqual([[a.addr, 41, T0 + 1_000_000], [b.addr, 1, T0 + 500]]);
    const [rec] = page.items;
    expect(rec).toMatchObject({ last: future, events: [39, 38, 37, 36].map((k) => finding(a, 'move', T0 + k)) });
    expect(await store.countFindings('fab1', T0 + 600)).toMatchObject({ move: 1 });
    expect(await store.countFindings('fab1')).toMatchObject({ move: 2 });
    const raw = new Database(file, { readonly: true });
    // cap + the latest + at most PRUNE_EVERY written since the last prune.
    expect((raw.prepare("SELECT count(*) AS n FROM finding_log WHERE ep = ?").get(a.id) as { n: number }).n).toBeLessThanOrEqual(4 + 1 + 16);
    // The plan walks finding_log_recent in order: no sort of the fabric's records or events.
    const plan = (sql: string, params: unknown[]): string =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
    for (const order of ['desc', 'asc'] as const) {
      const q = { limit: 10, order, cursor: page.nextCursor ?? undefined };
      const { sql, params } = findingPageQuery('fab1', 'move', q, LATEST_EVENTS);
      const detail = plan(sql, params);
      expect(detail).toContain('finding_log_recent');
      expect(detail).not.toMatch(/TEMP B-TREE/);
    }
    raw.close();
    // Retention takes the latest event too (pruning moved it to the chain's end).
    await store.writeBatch(batch({ endpoints: [{ ...a, ts: T0, deletedTs: T0, learns: [], current: null }] }));
    expect(await store.purgeDeleted('fab1', T0 + 1)).toBe(1);
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM finding_log WHERE ep = ?').get(a.id)).toEqual({ n: 0 });
    after.close();
    await store.close();
  });

  it('migrates version 7 finding logs: events carry their record, each record its latest event', async () => {
    const s = endpointState({ addr: '10.1.1.1' });
    const t = endpointState({ addr: '10.1.1.2' });
    const { file, db } = await databaseAt(7, 'v7.db', s, 3);
    const record = db.prepare(`INSERT INTO findings (ep, kind, node, fabric, vnid, addr, type, count, first_ts, last_ts, cap, head) VALUES (?, 'move', 0, ?, ?, ?, 'ip', ?, ?, ?, 4, ?)`);
    const event = db.prepare(`INSERT INTO finding_log (id, ep, kind, node, seq, prev, finding) VALUES (?, ?, 'move', 0, ?, ?, ?)`);
    // s: three events, the latest by time in the middle. t: its latest by time no longer kept.
    const ms = [T0, T0 + 2000, T0 + 1000].map((ts) => finding(s, 'move', ts));
    ms.forEach((m, i) => event.run(i + 1, 3, i + 1, i, JSON.stringify(m)));
    record.run(3, s.fabric, s.vnid, s.addr, 3, T0, T0 + 2000, 3);
    event.run(4, 4, 5, 0, JSON.stringify(finding(t, 'move', T0 + 300)));
    record.run(4, t.fabric, t.vnid, t.addr, 5, T0, T0 + 9000, 4);
    db.close();

    const store = await openSqliteStore({ path: file });
    const page = await store.listFindings(s.fabric, 'move', { limit: 10 });
    expect(page.items.map((r) => [r.addr, r.lastTs])).toEqual([[s.addr, T0 + 2000], [t.addr, T0 + 300]]);
    expect(page.items[0]).toMatchObject({ count: 3, last: ms[1], events: [ms[2], ms[1], ms[0]] });
    expect(await store.countFindings(s.fabric, T0 + 1000)).toMatchObject({ move: 1 });
    // New findings continue the chain and move the record.
    s.id = 3;
    await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0 + 100)], findingIds: [3], findingCap: 4 }));
    expect((await store.listFindings(s.fabric, 'move', { limit: 10, sort: 'count' })).items.map((r) => r.count)).toEqual([5, 4]);
    expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 4, lastTs: T0 + 2000, last: ms[1] });
    await store.close();
  });

  it('stops a read at a damaged chain instead of looping or reading another endpoint', async () => {
    // b's row comes first: its id is lower than a's, so only the endpoint check stops a walk into it.
    const { file, store, a, b } = await twoEndpoints('damaged');
    // One batch each: an endpoint's events of one batch share one row.
    for (const k of [0, 1, 2]) await store.writeBatch(batch({ history: [historyEvent(a, 101, k, T0 + k)], historyIds: [a.id] }));
    const db = new Database(file);
    const ids = db.prepare('SELECT id FROM history WHERE ep = ? ORDER BY id').pluck().all(a.id) as number[];
    const other = db.prepare('SELECT id FROM history WHERE ep = ?').pluck().get(b.id) as number;
    // A loop (the oldest row names the newest) and, separately, a link into the other endpoint.
    db.prepare('UPDATE history SET prev = ? WHERE id = ?').run(ids[2], ids[0]);
    expect((await store.history(a, 10)).map((e) => e.seq)).toEqual([2, 1, 0]);
    db.prepare('UPDATE history SET prev = ? WHERE id = ?').run(other, ids[1]);
    expect((await store.history(a, 10)).map((e) => e.seq)).toEqual([2, 1]);
    db.close();
    await store.close();
  });

  it('reads version 8 endpoint rows (JSON text) after the move to bytes, and writes bytes from then on', async () => {
    const s = endpointState({ addr: '10.0.9.1', local: 101, remotes: [102, 103] });
    const { file, db } = await databaseAt(8, 'v8.db', s, 5);
    db.close();
    const store = await openSqliteStore({ path: file });
    const read = await store.getEndpoint(s);
    expect(read).toEqual({ ...s, id: 5 });
    const stored = (): unknown => {
      const raw = new Database(file, { readonly: true });
      const v = raw.prepare('SELECT state FROM endpoints WHERE id = 5').pluck().get();
      raw.close();
      return v;
    };
    expect(typeof stored()).toBe('string');
    await store.writeBatch(batch({ endpoints: [{ ...read!, ts: T0 + 5 }] }));
    expect(Buffer.isBuffer(stored())).toBe(true);
    expect(await store.getEndpoint(s)).toEqual({ ...s, id: 5, ts: T0 + 5 });
    const scanned: EndpointState[] = [];
    for await (const page of store.scanEndpoints(s.fabric)) scanned.push(...page);
    expect(scanned).toEqual([{ ...s, id: 5, ts: T0 + 5 }]);
    await store.close();
  });

  it('keeps a history written before its endpoint row in history_heads until the row takes it over', async () => {
    const file = join(dir, 'heads', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const s = { ...endpointState({ addr: '10.7.7.7' }), id: store.newEndpointId() };
    const raw = new Database(file, { readonly: true });
    const heads = (): unknown[] => raw.prepare('SELECT ep, head, cap FROM history_heads').all();
    const rowHead = (): unknown => raw.prepare('SELECT hist_head > 0 AS has, hist_cap AS cap FROM endpoints WHERE id = ?').get(s.id);
    // As a build writes it: history first (two batches), the endpoint row at the end.
    await store.writeBatch(batch({ history: [historyEvent(s, 101, 0, T0), historyEvent(s, 102, 0, T0)], historyIds: [s.id, s.id], historyCap: 4 }));
    await store.writeBatch(batch({ history: [historyEvent(s, 101, 1, T0 + 1)], historyIds: [s.id], historyCap: 4 }));
    expect(heads()).toMatchObject([{ ep: s.id, cap: 4 }]);
    expect(await store.history(s, 10)).toEqual([]); // no row: the endpoint is not found by its key
    await store.writeBatch(batch({ endpoints: [s] }));
    expect(heads()).toEqual([]);
    expect(rowHead()).toEqual({ has: 1, cap: 4 });
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[101, 1], [101, 0], [102, 0]]);
    // From then on the head moves in the row, and pruning follows the chain from there.
    for (let k = 2; k < 40; k++) await store.writeBatch(batch({ endpoints: [s], history: [historyEvent(s, 101, k, T0 + k)], historyIds: [s.id], historyCap: 4 }));
    expect(heads()).toEqual([]);
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[101, 39], [101, 38], [101, 37], [101, 36], [102, 0]]);
    expect((raw.prepare('SELECT count(*) AS n FROM history WHERE ep = ?').get(s.id) as { n: number }).n).toBeLessThanOrEqual(4 + 16 + 1 + 1);
    // History written while the row exists but is not in the batch (a re-read defers rows) goes to the row too.
    await store.writeBatch(batch({ history: [historyEvent(s, 103, 0, T0 + 50)], historyIds: [s.id], historyCap: 4 }));
    expect(heads()).toEqual([]);
    expect((await store.history(s, 1)).map((e) => [e.node, e.seq])).toEqual([[103, 0]]);
    // Retention removes the rows through the row's head.
    await store.writeBatch(batch({ endpoints: [{ ...endpointState({ addr: '10.7.7.7', gone: true, ts: T0 + 60 }), id: s.id }] }));
    expect(await store.purgeDeleted(s.fabric, Number.MAX_SAFE_INTEGER)).toBe(1);
    expect((raw.prepare('SELECT count(*) AS n FROM history').get() as { n: number }).n).toBe(0);
    raw.close();
    await store.close();
  });

  it('chains history written with an endpoint\'s first row to the head it had in history_heads, and writes the new head in the row', async () => {
    const file = join(dir, 'heads-with-row', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const s = { ...endpointState({ addr: '10.7.7.8' }), id: store.newEndpointId() };
    const quiet = { ...endpointState({ addr: '10.7.7.9' }), id: store.newEndpointId() };
    const raw = new Database(file, { readonly: true });
    await store.writeBatch(batch({ history: [historyEvent(s, 101, 0, T0), historyEvent(quiet, 101, 0, T0)], historyIds: [s.id, quiet.id], historyCap: 4 }));
    expect(raw.prepare('SELECT ep FROM history_heads ORDER BY ep').pluck().all()).toEqual([s.id, quiet.id]);
    // One batch: s's first row with two more events (the row takes the new head), quiet's row alone (takes its old head).
    await store.writeBatch(batch({ endpoints: [s, quiet], history: [historyEvent(s, 101, 1, T0 + 1), historyEvent(s, 102, 0, T0 + 2)], historyIds: [s.id, s.id], historyCap: 4 }));
    expect(raw.prepare('SELECT count(*) FROM history_heads').pluck().get()).toBe(0);
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[102, 0], [101, 1], [101, 0]]);
    expect((await store.history(quiet, 10)).map((e) => [e.node, e.seq])).toEqual([[101, 0]]);
    // Later batches with history and the row, and with history alone, keep one chain.
    for (let k = 2; k < 30; k++) await store.writeBatch(batch({ endpoints: k % 3 ? [s] : [], history: [historyEvent(s, 101, k, T0 + 10 * k)], historyIds: [s.id], historyCap: 4 }));
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[101, 29], [101, 28], [101, 27], [101, 26], [102, 0]]);
    expect(raw.prepare('SELECT count(*) FROM history_heads').pluck().get()).toBe(0);
    raw.close();
    await store.close();
  });

  it("writes an endpoint's history events of one batch as one row that reads, caps and prunes by event", async () => {
    const file = join(dir, 'history-groups', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const s = { ...endpointState({ addr: '10.7.8.1' }), id: store.newEndpointId() };
    const raw = new Database(file, { readonly: true });
    const rows = (): number => raw.prepare('SELECT count(*) FROM history WHERE ep = ?').pluck().get(s.id) as number;
    // Seven events on two nodes, one batch: one row, the first event in its columns, six in more.
    const first = [0, 1, 2, 3].flatMap((k) => [historyEvent(s, 101, k, T0 + 2 * k), ...(k < 3 ? [historyEvent(s, 102, k, T0 + 2 * k + 1)] : [])]);
    first[5] = { ...first[5]!, flags: ['local', 'vpc-attached'], ifId: 'po7', status: 'deleted' };
    await store.writeBatch(batch({ endpoints: [s], history: first, historyIds: first.map(() => s.id), historyCap: 2 }));
    expect(rows()).toBe(1);
    expect(raw.prepare('SELECT node, seq, length(more) > 0 AS packed FROM history WHERE ep = ?').get(s.id)).toEqual({ node: 101, seq: 0, packed: 1 });
    const read = await store.history(s, 10);
    expect(read.map((e) => [e.node, e.seq])).toEqual([[101, 3], [102, 2], [101, 2], [102, 1]]);
    expect(read[1]).toEqual({ ...first[5], fabric: s.fabric, vnid: s.vnid, addr: s.addr });
    // Node 101 runs on alone: at its pruning point (seq 16) the group row stays, holding node 102's kept events.
    for (let k = 4; k <= 16; k++) await store.writeBatch(batch({ history: [historyEvent(s, 101, k, T0 + 100 + k)], historyIds: [s.id], historyCap: 2 }));
    expect(rows()).toBe(3);
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[101, 16], [101, 15], [102, 2], [102, 1]]);
    // Once node 102 has moved on past its cap as well, the row goes at the next pruning point.
    for (let k = 3; k <= 16; k++) await store.writeBatch(batch({ history: [historyEvent(s, 102, k, T0 + 200 + k)], historyIds: [s.id], historyCap: 2 }));
    expect(raw.prepare('SELECT count(*) FROM history WHERE ep = ? AND more IS NOT NULL').pluck().get(s.id)).toBe(0);
    expect((await store.history(s, 10)).map((e) => [e.node, e.seq])).toEqual([[102, 16], [102, 15], [101, 16], [101, 15]]);
    raw.close();
    await store.close();
  });

  it('names a history row whose grouped events are damaged, and keeps it when pruning', async () => {
    const file = join(dir, 'history-group-damaged', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const s = { ...endpointState({ addr: '10.7.8.2' }), id: store.newEndpointId() };
    await store.writeBatch(batch({ endpoints: [s], history: [historyEvent(s, 101, 0, T0), historyEvent(s, 101, 1, T0 + 1)], historyIds: [s.id, s.id], historyCap: 2 }));
    const db = new Database(file);
    const id = db.prepare('SELECT id FROM history WHERE ep = ?').pluck().get(s.id) as number;
    db.prepare("UPDATE history SET more = x'0102' WHERE id = ?").run(id);
    await expect(store.history(s, 10)).rejects.toMatchObject({ code: 'store_error', message: expect.stringContaining(`history row ${id} of ${s.fabric}/${s.vnid}/${s.addr} is damaged`) });
    // The writer's pruning (at seq 16) neither fails its batches nor drops the row.
    for (let k = 2; k <= 16; k++) await store.writeBatch(batch({ history: [historyEvent(s, 101, k, T0 + k)], historyIds: [s.id], historyCap: 2 }));
    expect(db.prepare('SELECT count(*) FROM history WHERE id = ?').pluck().get(id)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM history WHERE ep = ?').pluck().get(s.id)).toBe(3);
    db.close();
    await store.close();
  });

  it('migrates version 9 history heads into the endpoint rows, every row still readable', async () => {
    const s = endpointState({ addr: '10.0.9.9', local: 101, remotes: [] });
    const { file, db } = await databaseAt(9, 'v9.db', s, 4);
    const put = db.prepare('INSERT INTO history (id, ep, prev, node, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote) VALUES (?, ?, ?, 101, ?, ?, \'created\', \'local\', \'eth1/1\', \'vlan-2\', 0, \'\', 0, 0)');
    put.run(1, 4, 0, 0, T0);
    put.run(2, 4, 1, 1, T0 + 1);
    put.run(3, 9, 0, 0, T0); // an endpoint without a row
    db.prepare('INSERT INTO history_heads (ep, head, cap) VALUES (4, 2, 8), (9, 3, 8)').run();
    db.close();
    const store = await openSqliteStore({ path: file });
    expect((await store.history(s, 10)).map((e) => e.seq)).toEqual([1, 0]);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT ep FROM history_heads').pluck().all()).toEqual([9]);
    expect(raw.prepare('SELECT hist_head, hist_cap FROM endpoints WHERE id = 4').get()).toEqual({ hist_head: 2, hist_cap: 8 });
    raw.close();
    await store.close();
  });

  it('keeps finding counts written before their endpoint row in finding_heads until the row takes them over', async () => {
    const file = join(dir, 'finding-heads', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const s = { ...endpointState({ addr: '10.8.8.8' }), id: store.newEndpointId() };
    const raw = new Database(file, { readonly: true });
    const heads = (): unknown[] => raw.prepare('SELECT ep FROM finding_heads').pluck().all();
    const counts = async (): Promise<number[]> => (await store.listFindings(s.fabric, 'move', { limit: 10 })).items.map((r) => r.count);
    await store.writeBatch(batch({ findings: [finding(s, 'move', T0), finding(s, 'move', T0 + 1)], findingIds: [s.id, s.id] }));
    expect(heads()).toEqual([s.id]);
    expect(await counts()).toEqual([2]);
    await store.writeBatch(batch({ endpoints: [s] }));
    expect(heads()).toEqual([]);
    expect(raw.prepare('SELECT finds IS NOT NULL AS has FROM endpoints WHERE id = ?').get(s.id)).toEqual({ has: 1 });
    // Counts continue in the row; an older finding written later moves first_ts, not the latest.
    await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0 + 5), finding(s, 'move', T0 - 5), finding(s, 'stale', T0 + 6, 101)], findingIds: [s.id, s.id, s.id] }));
    const [move] = (await store.listFindings(s.fabric, 'move', { limit: 10 })).items;
    expect(move).toMatchObject({ count: 4, firstTs: T0 - 5, lastTs: T0 + 5 });
    expect(move?.last.ts).toBe(T0 + 5);
    expect(move?.events.map((e) => e.ts)).toEqual([T0 - 5, T0 + 5, T0 + 1, T0]);
    expect((await store.findingsForEndpoint(s)).map((r) => [r.kind, r.node, r.count])).toEqual([['stale', 101, 1], ['move', 0, 4]]);
    expect(await store.countFindings(s.fabric)).toMatchObject({ move: 1, stale: 1 });
    // Retention removes the records with their endpoint.
    await store.writeBatch(batch({ endpoints: [{ ...endpointState({ addr: '10.8.8.8', gone: true, ts: T0 + 60 }), id: s.id }] }));
    expect(await store.purgeDeleted(s.fabric, Number.MAX_SAFE_INTEGER)).toBe(1);
    expect(raw.prepare('SELECT (SELECT count(*) FROM finding_records) + (SELECT count(*) FROM finding_log) AS n').get()).toEqual({ n: 0 });
    raw.close();
    await store.close();
  });

  it('migrates version 10 finding records: counts and chain ends into the endpoint rows (or finding_heads), listings unchanged', async () => {
    const s = endpointState({ addr: '10.0.10.10', local: 101, remotes: [] });
    const { file, db } = await databaseAt(10, 'v10.db', s, 4);
    const ev = db.prepare(`INSERT INTO finding_log (id, ep, kind, node, seq, prev, fabric, vnid, addr, ts, finding) VALUES (?, ?, 'move', 0, ?, ?, 'fab1', ?, ?, ?, ?)`);
    const rec = db.prepare(`INSERT INTO findings (ep, kind, node, fabric, vnid, addr, type, count, first_ts, last_ts, cap, head, last_event) VALUES (?, 'move', 0, 'fab1', ?, ?, ?, ?, ?, ?, 8, ?, ?)`);
    const orphan = endpointState({ addr: '10.0.10.11' });
    ev.run(1, 4, 1, 0, s.vnid, s.addr, T0, JSON.stringify(finding(s, 'move', T0)));
    ev.run(2, 4, 2, 1, s.vnid, s.addr, T0 + 9, JSON.stringify(finding(s, 'move', T0 + 9)));
    ev.run(3, 9, 1, 0, orphan.vnid, orphan.addr, T0 + 3, JSON.stringify(finding(orphan, 'move', T0 + 3)));
    rec.run(4, s.vnid, s.addr, s.type, 2, T0, T0 + 9, 2, 2);
    rec.run(9, orphan.vnid, orphan.addr, orphan.type, 1, T0 + 3, T0 + 3, 3, 3);
    db.close();
    const store = await openSqliteStore({ path: file });
    const items = (await store.listFindings('fab1', 'move', { limit: 10 })).items;
    expect(items.map((r) => [r.addr, r.count, r.firstTs, r.lastTs, r.events.length])).toEqual([
      [s.addr, 2, T0, T0 + 9, 2],
      [orphan.addr, 1, T0 + 3, T0 + 3, 1],
    ]);
    expect((await store.listFindings('fab1', 'move', { limit: 10, sort: 'count' })).items.map((r) => r.count)).toEqual([2, 1]);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT ep FROM finding_heads').pluck().all()).toEqual([9]);
    raw.close();
    // The next finding continues the record's count and chain.
    await store.writeBatch(batch({ endpoints: [{ ...s, id: 4 }], findings: [finding(s, 'move', T0 + 20)], findingIds: [4] }));
    expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 3, firstTs: T0, lastTs: T0 + 20 });
    expect((await store.findingsForEndpoint(s))[0]?.events.map((e) => e.ts)).toEqual([T0 + 20, T0 + 9, T0]);
    await store.close();
  });

  it('counts a damaged finds column from nothing again instead of failing every batch with a finding of that endpoint', async () => {
    expect(parseFindCounts('{"move:0":[2,1,3,8,7,7],"stale:101":[1,2]}')).toEqual({ 'move:0': [2, 1, 3, 8, 7, 7] });
    for (const bad of ['{"move:0":', '[1,2]', 'null', '"x"']) expect(parseFindCounts(bad)).toEqual({});
    const file = join(dir, 'finds-damaged', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const s = { ...endpointState({ addr: '10.8.8.9' }), id: store.newEndpointId() };
    await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0)], findingIds: [s.id] }));
    const raw = new Database(file);
    raw.prepare('UPDATE endpoints SET finds = ? WHERE id = ?').run('{"move:0": [1, 2', s.id);
    raw.close();
    await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0 + 1)], findingIds: [s.id] }));
    expect((await store.findingsForEndpoint(s)).map((r) => [r.count, r.lastTs])).toEqual([[1, T0 + 1]]);
    await store.close();
  });

  it('leaves a record whose counts cannot be read out of listings and endpoint reads, and lists the others', async () => {
    const file = join(dir, 'finds-unreadable', 'ept.db');
    const store = await openSqliteStore({ path: file, writerThread: false });
    const a = { ...endpointState({ addr: '10.8.8.10' }), id: store.newEndpointId() };
    const b = { ...endpointState({ addr: '10.8.8.11' }), id: store.newEndpointId() };
    await store.writeBatch(batch({ endpoints: [a, b], findings: [finding(a, 'move', T0), finding(b, 'move', T0 + 1)], findingIds: [a.id, b.id] }));
    const listed = async (): Promise<string[][]> =>
      Promise.all((['lastTs', 'count', 'addr'] as const).map(async (sort) => (await store.listFindings(a.fabric, 'move', { limit: 10, sort })).items.map((r) => r.addr)));
    const raw = new Database(file);
    // Text that is not JSON, then an object without the record's entry.
    for (const text of ['{"move:0": [1, 2', '{"stale:101": [1, 2, 3, 8, 7, 7]}', '{"move:0": [1, 2]}']) {
      raw.prepare('UPDATE endpoints SET finds = ? WHERE id = ?').run(text, a.id);
      expect(await listed()).toEqual([[b.addr], [b.addr], [b.addr]]);
      expect(await store.findingsForEndpoint(a)).toEqual([]);
      expect((await store.findingsForEndpoint(b)).map((r) => r.count)).toEqual([1]);
    }
    raw.close();
    // The writer's next finding for the endpoint counts it from nothing again: listed again.
    await store.writeBatch(batch({ endpoints: [a], findings: [finding(a, 'move', T0 + 5)], findingIds: [a.id] }));
    // (Newest first, highest count first with ties by time, addresses in descending order by default.)
    expect(await listed()).toEqual([[a.addr, b.addr], [a.addr, b.addr], [b.addr, a.addr]]);
    await store.close();
  });

  it('turns driver failures after open into store_error naming the file', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.close();
    await expect(store.getUser('x')).rejects.toMatchObject({ code: 'store_error', message: expect.stringContaining(':memory:') });
  });
});
