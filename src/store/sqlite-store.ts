// The Store port on SQLite (better-sqlite3): the default, all-in-one store. One file in WAL mode,
// synchronous=NORMAL (a crash may lose the last transactions but never corrupts), prepared
// statements, one transaction per write batch. Reads that build SQL from filters cache the
// statement per filter shape.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { EptError } from '../core/errors.js';
import type { MoRow } from '../core/fabric-tables.js';
import type { EndpointKey, EndpointState, EndpointType, FindingKind, HistoryEvent } from '../core/types.js';
import { decodeEndpointState } from './endpoint-codec.js';
import { FINDING_KINDS } from './endpoint-columns.js';
import { fabricFromJson, logCursor, logPage } from './record-log.js';
import { SqlHostStore, type HostStore } from './host-store.js';
import { sqliteExec } from './sql-exec.js';
import { encodeBatch, encodeObjects, SqliteBatchWriter } from './sqlite-batch-writer.js';
import { applyConnectionPragmas } from './sqlite-pragmas.js';
import { migrateSqlite } from './sqlite-schema.js';
import { SqliteWriterThread } from './sqlite-writer-thread.js';
import { chainEvents, FINDING_CHAIN_SQL, HISTORY_CHAIN_SQL, keptRows, type ChainRow } from './sqlite-chains.js';
import { historyRowEvents } from './history-group.js';
import {
  decodeEndpointCursor,
  encodeEndpointCursor,
  encodeFindingCursor,
  endpointPageQuery,
  findingPageQuery,
  findingSort,
  FINDING_RECORDS,
  type EndpointCursor,
  type FindingSource,
} from './sql-listing.js';
import {
  checkLimit,
  compareEndpointRows,
  endpointFromRow,
  findingRecord,
  historyEvent,
  isCap,
  type EndpointRowText,
  type FindingRow,
  type HistoryRow,
} from './store-rows.js';
import type {
  AuditQuery,
  AuditRecord,
  ClearQuery,
  ClearRecord,
  EndpointQuery,
  FabricConfig,
  FindingQuery,
  FindingRecord,
  Page,
  PendingCheckRecord,
  Store,
  TokenRecord,
  UserRecord,
  WriteBatch,
} from './store.js';

/** Options of openSqliteStore. */
export interface SqliteStoreOptions {
  /** Database file, created with its directory when missing; ':memory:' for a private in-memory store. */
  path: string;
  /** Page cache size in MiB of each connection (default 64 for reads, WRITER_CACHE_MIB for the writer thread). */
  cacheMiB?: number;
  /**
   * Commit write batches in a writer thread with its own connection (default: for a file store,
   * when running from the compiled build). Keeps commits and checkpoints off the event loop.
   */
  writerThread?: boolean;
  /** Time between checkpoints of the writer thread's WAL, ms (default 5000). */
  checkpointMs?: number;
  logger?: Logger;
}

type Db = Database.Database;
type Stmt = Database.Statement;

/**
 * Page cache of the writer thread's connection, MiB (unless cacheMiB says otherwise). It keeps the
 * B-tree interior pages and the log tails it appends to; the endpoint pages it rewrites are random
 * and come from the OS page cache whatever its size. At 1M endpoints and 50K events/s, 16 MiB
 * against 64: 0.43-0.47 against 0.34-0.35 page reads per event, the same CPU per event, ~60 MB
 * less resident (bench/RESULTS.md, session 9); 256 MiB raised it by ~180 MB for no gain (session 3).
 */
const WRITER_CACHE_MIB = 16;

/** A finding record row (the `findings` view of schema v11): keyed by endpoint id, its newest event in `head`, its latest by time in `last_event`. */
type SqliteFindingRow = FindingRow & { ep: number; head: number; last_event: number };

const KIND_LIST = FINDING_KINDS.map((k) => `'${k}'`).join(',');

/**
 * Newest-first finding listings read the finding log by time (finding_log_recent, appended in time
 * order) and keep the events that are their record's latest: the event carries the record's key
 * and its time equals the record's last_ts, so sort keys, filters and cursors are the records'.
 */
export const LATEST_EVENTS: FindingSource = {
  from: 'finding_log l JOIN findings f ON f.fabric = l.fabric AND f.kind = l.kind AND f.ep = l.ep AND f.node = l.node',
  select: 'f.*',
  where: ['f.last_event = l.id'],
  col: (c) => (c === 'last_ts' ? 'l.ts' : `l.${c}`),
};

/** Opens (creating and migrating when needed) a SQLite store. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { path } = options;
  let db: Db | undefined;
  let writer: SqliteWriterThread | null = null;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    const cacheMiB = options.cacheMiB ?? 64;
    const inMemory = path === ':memory:' || path === '';
    const useWriter = options.writerThread !== false && !inMemory && SqliteWriterThread.available();
    if (options.writerThread === true && !useWriter) throw new Error('the writer thread needs a file store and the compiled build');
    applyConnectionPragmas(db, cacheMiB, useWriter);
    const version = migrateSqlite(db);
    // Started once the schema is current: the thread prepares its statements as it starts.
    writer = useWriter
      ? SqliteWriterThread.start(path, { cacheMiB: options.cacheMiB ?? WRITER_CACHE_MIB, checkpointMs: options.checkpointMs, warn: (message) => options.logger?.warn(message) })
      : null;
    options.logger?.debug({ path, version, writerThread: writer !== null }, 'sqlite store open');
    return new SqliteStore(db, path, writer);
  } catch (err) {
    void writer?.close();
    db?.close();
    const why = err instanceof Error ? err.message : String(err);
    throw new EptError('store_error', `cannot open SQLite store '${path}': ${why}`, { path }, { cause: err });
  }
}

/** The SQLite Store. Create it with openSqliteStore. */
export class SqliteStore implements Store {
  private readonly stmts = new Map<string, Stmt>();
  private readonly batchWriter: SqliteBatchWriter;
  /** Host agents, module documents and host-side tracking (host-store.ts). */
  readonly hosts: HostStore;

  /** The highest endpoint id given out (newEndpointId). */
  private lastEndpointId: number;
  /** Batches commit in call order: on the writer thread's message queue, or synchronously here. */
  readonly writesInOrder = true;

  constructor(
    private readonly db: Db,
    private readonly path: string,
    private readonly writer: SqliteWriterThread | null = null,
  ) {
    this.batchWriter = new SqliteBatchWriter(db);
    // History rows and finding records may name an id whose endpoint row was not written yet (a
    // build writes endpoint rows at its end; a crash in between): ids continue after all of them,
    // so such rows never attach to another endpoint.
    const max = db
      .prepare(
        `SELECT max(ifnull((SELECT max(id) FROM endpoints), 0), ifnull((SELECT max(ep) FROM history_heads), 0),
           ifnull((SELECT max(ep) FROM finding_records), 0), ifnull((SELECT max(ep) FROM finding_heads), 0)) AS n`,
      )
      .get() as { n: number };
    this.lastEndpointId = max.n;
    this.hosts = new SqlHostStore(sqliteExec(db, `SQLite store '${path}'`));
  }

  /** The database file (':memory:' for an in-memory store). */
  get file(): string {
    return this.path;
  }

  // ---- fabrics ----

  listFabrics(): Promise<FabricConfig[]> {
    return this.run('list fabrics', () =>
      (this.stmt('SELECT config FROM fabrics ORDER BY name').all() as { config: string }[]).map(
        (r) => fabricFromJson(r.config),
      ),
    );
  }

  getFabric(name: string): Promise<FabricConfig | null> {
    return this.run('get fabric', () => {
      const r = this.stmt('SELECT config FROM fabrics WHERE name = ?').get(name) as { config: string } | undefined;
      return r ? fabricFromJson(r.config) : null;
    });
  }

  putFabric(fabric: FabricConfig): Promise<void> {
    return this.run('put fabric', () => {
      this.stmt('INSERT OR REPLACE INTO fabrics (name, config) VALUES (?, ?)').run(fabric.name, JSON.stringify(fabric));
    });
  }

  deleteFabric(name: string): Promise<boolean> {
    const tables = ['fabrics', 'fabric_objects', 'endpoints', 'finding_records', 'pending_checks', 'clears'];
    // Writes already posted to the writer thread land first, so none of them outlives the delete.
    const posted = this.writer ? this.writer.barrier() : Promise.resolve();
    return posted.then(() => this.run('delete fabric', () =>
      this.db.transaction(() => {
        // History and finding events are keyed by endpoint id: they go first, while the endpoints
        // and finding records still name the fabric (a record may precede its endpoint's row).
        // (One pass over the history log: cheaper than walking every chain when most of it goes;
        // finding events carry their fabric.)
        let removed = this.stmt('DELETE FROM history WHERE ep IN (SELECT id FROM endpoints WHERE fabric = ?)').run(name).changes;
        this.stmt('DELETE FROM history_heads WHERE ep IN (SELECT id FROM endpoints WHERE fabric = ?)').run(name);
        removed += this.stmt('DELETE FROM finding_log WHERE fabric = ?').run(name).changes;
        this.stmt('DELETE FROM finding_heads WHERE ep IN (SELECT ep FROM finding_records WHERE fabric = ?)').run(name);
        for (const t of tables) {
          removed += this.stmt(`DELETE FROM ${t} WHERE ${t === 'fabrics' ? 'name' : 'fabric'} = ?`).run(name).changes;
        }
        return removed > 0;
      })(),
    ));
  }

  // ---- fabric objects ----

  loadFabricObjects(fabric: string): Promise<MoRow[]> {
    return this.run('load fabric objects', () =>
      (this.stmt('SELECT cls, dn, attrs FROM fabric_objects WHERE fabric = ?').all(fabric) as MoRowText[]).map((r) => ({
        cls: r.cls,
        dn: r.dn,
        attrs: JSON.parse(r.attrs) as Record<string, string>,
      })),
    );
  }

  saveFabricObjects(fabric: string, rows: MoRow[], replaceClasses?: readonly string[]): Promise<void> {
    // With a writer thread, the objects are saved there, in order with the write batches: 61 200
    // tunnels of a 200-leaf fabric took ~0.7 s of the event loop at the start of every build.
    if (this.writer) return this.writer.saveObjects(encodeObjects(fabric, rows, replaceClasses));
    return this.run('save fabric objects', () => this.batchWriter.applyObjects(encodeObjects(fabric, rows, replaceClasses)));
  }

  // ---- endpoints ----

  newEndpointId(): number {
    return ++this.lastEndpointId;
  }

  writeBatch(batch: WriteBatch): Promise<void> {
    if (!isCap(batch.historyCap) || !isCap(batch.findingCap)) {
      return Promise.reject(
        new EptError('bad_request', `write batch caps must be positive integers (historyCap ${batch.historyCap}, findingCap ${batch.findingCap})`),
      );
    }
    if (this.writer) return this.writer.write(encodeBatch(batch));
    return this.run('write batch', () => this.batchWriter.apply(encodeBatch(batch)));
  }

  loadPendingChecks(fabric: string): Promise<PendingCheckRecord[]> {
    return this.run('load pending checks', () =>
      (this.stmt('SELECT fabric, vnid, addr, kind, node, due_ts AS dueTs FROM pending_checks WHERE fabric = ? ORDER BY due_ts').all(fabric) as PendingCheckRecord[]),
    );
  }

  getEndpoint(key: EndpointKey): Promise<EndpointState | null> {
    return this.run('get endpoint', () => {
      const r = this.stmt('SELECT id, type, state FROM endpoints WHERE fabric = ? AND addr = ? AND vnid = ?').get(key.fabric, key.addr, key.vnid) as
        | { id: number; type: EndpointType; state: string | Uint8Array }
        | undefined;
      return r ? decodeEndpointState(key, r.type, r.state, r.id) : null;
    });
  }

  async *scanEndpoints(fabric: string, pageSize = 1000): AsyncIterable<EndpointState[]> {
    const page = this.stmt(
      'SELECT id, fabric, addr, vnid, type, state FROM endpoints WHERE fabric = ? AND (addr, vnid) > (?, ?) ORDER BY addr, vnid LIMIT ?',
    );
    let addr = '';
    let vnid = -1;
    for (;;) {
      const rows = await this.run('scan endpoints', () => page.all(fabric, addr, vnid, pageSize) as EndpointRowText[]);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1] as EndpointRowText;
      addr = last.addr;
      vnid = last.vnid;
      yield rows.map(endpointFromRow);
      if (rows.length < pageSize) return;
    }
  }

  listEndpoints(fabric: string | null, q: EndpointQuery): Promise<Page<EndpointState>> {
    return this.run('list endpoints', () => {
      checkLimit(q.limit);
      const after = decodeEndpointCursor(q.cursor);
      const fabrics = fabric !== null ? [fabric] : this.endpointFabrics();
      let rows: EndpointRowText[] = [];
      for (const f of fabrics) rows = rows.concat(this.endpointPage(f, q, after));
      // Across fabrics each fabric's page is sorted; merge them on the cursor's full key.
      if (fabrics.length > 1) rows.sort(compareEndpointRows);
      const more = rows.length > q.limit;
      const items = rows.slice(0, q.limit);
      const tail = items[items.length - 1];
      return {
        items: items.map(endpointFromRow),
        nextCursor: more && tail ? encodeEndpointCursor(tail) : null,
      };
    });
  }

  /** One fabric's rows after the cursor (limit + 1, to know whether there is a next page). */
  private endpointPage(fabric: string, q: EndpointQuery, after: EndpointCursor | null): EndpointRowText[] {
    const { sql, params } = endpointPageQuery(fabric, q, after, Date.now());
    return this.stmt(sql).all(...params) as EndpointRowText[];
  }

  /** Distinct fabrics of the endpoints table, by a skip scan of its key index (not a full scan). */
  private endpointFabrics(): string[] {
    const rows = this.stmt(
      `WITH RECURSIVE f(name) AS (
         SELECT (SELECT min(fabric) FROM endpoints)
         UNION ALL SELECT (SELECT min(fabric) FROM endpoints WHERE fabric > f.name) FROM f WHERE f.name IS NOT NULL)
       SELECT name FROM f WHERE name IS NOT NULL`,
    ).all() as { name: string }[];
    return rows.map((r) => r.name);
  }

  countEndpoints(fabric: string): Promise<{ total: number; active: number }> {
    return this.run('count endpoints', () => {
      const total = (this.stmt('SELECT count(*) AS n FROM endpoints WHERE fabric = ?').get(fabric) as { n: number }).n;
      const deleted = (this.stmt('SELECT count(*) AS n FROM endpoints WHERE fabric = ? AND deleted = 1').get(fabric) as { n: number }).n;
      return { total, active: total - deleted };
    });
  }

  history(key: EndpointKey, limit: number): Promise<HistoryEvent[]> {
    return this.run('read history', () => {
      checkLimit(limit);
      // The head and cap are in the endpoint's row (schema v10): a row without them has no history.
      const found = this.stmt('SELECT id, hist_cap AS cap FROM endpoints WHERE fabric = ? AND addr = ? AND vnid = ? AND hist_head > 0').get(
        key.fabric,
        key.addr,
        key.vnid,
      ) as { id: number; cap: number } | undefined;
      if (!found) return [];
      const { id: ep, cap } = found;
      const rows = this.stmt(
        `${HISTORY_CHAIN_SQL} SELECT @fabric AS fabric, @vnid AS vnid, @addr AS addr, h.* FROM c JOIN history h ON h.id = c.id ORDER BY h.id DESC`,
      ).all({ ep, fabric: key.fabric, vnid: key.vnid, addr: key.addr }) as (HistoryRow & ChainRow & { more: Uint8Array | null })[];
      return keptRows(chainEvents(rows, historyRowEvents), cap)
        .sort((a, b) => b.ts - a.ts || b.seq - a.seq || a.node - b.node)
        .slice(0, limit)
        .map(historyEvent);
    });
  }

  purgeDeleted(fabric: string, deletedBefore: number): Promise<number> {
    const find = this.stmt('SELECT id, vnid, addr FROM endpoints WHERE fabric = ? AND gone_ts > 0 AND gone_ts < ?');
    const delEp = this.stmt('DELETE FROM endpoints WHERE id = ?');
    // Each endpoint's rows are found by walking its chains (the logs have no index by endpoint).
    const delHist = this.stmt(`DELETE FROM history WHERE id IN (${HISTORY_CHAIN_SQL} SELECT id FROM c)`);
    const delHead = this.stmt('DELETE FROM history_heads WHERE ep = ?');
    // (finding_records is keyed by fabric and kind first.)
    const delFind = this.stmt(`DELETE FROM finding_records WHERE fabric = ? AND kind IN (${KIND_LIST}) AND ep = ?`);
    const delFindHead = this.stmt('DELETE FROM finding_heads WHERE ep = ?');
    const heads = this.stmt(`SELECT head FROM findings WHERE fabric = ? AND kind IN (${KIND_LIST}) AND ep = ?`).pluck();
    const delEvents = this.stmt(`DELETE FROM finding_log WHERE id IN (${FINDING_CHAIN_SQL} SELECT id FROM c)`);
    return this.run('purge deleted endpoints', () =>
      this.db.transaction(() => {
        const gone = find.all(fabric, deletedBefore) as { id: number; vnid: number; addr: string }[];
        for (const g of gone) {
          delHist.run({ ep: g.id });
          delHead.run(g.id);
          for (const head of heads.all(fabric, g.id) as number[]) delEvents.run({ head, limit: Number.MAX_SAFE_INTEGER });
          delFind.run(fabric, g.id);
          delFindHead.run(g.id);
          delEp.run(g.id);
        }
        return gone.length;
      })(),
    );
  }

  // ---- findings ----

  listFindings(fabric: string, kind: FindingKind, q: FindingQuery): Promise<Page<FindingRecord>> {
    return this.run('list findings', () => {
      checkLimit(q.limit);
      const { sql, params } = findingPageQuery(fabric, kind, q, findingSort(q) === 'lastTs' ? LATEST_EVENTS : FINDING_RECORDS);
      const rows = this.stmt(sql).all(...params) as SqliteFindingRow[];
      const page = rows.slice(0, q.limit);
      const tail = page[page.length - 1];
      return {
        items: page.map((r) => this.findingRecord(r)),
        nextCursor: rows.length > q.limit && tail ? encodeFindingCursor(tail, q) : null,
      };
    });
  }

  findingsForEndpoint(key: EndpointKey): Promise<FindingRecord[]> {
    return this.run('read endpoint findings', () => {
      const rows = this.stmt(
        `SELECT * FROM findings WHERE fabric = ? AND kind IN (${KIND_LIST}) AND ep = (SELECT id FROM endpoints WHERE fabric = ? AND addr = ? AND vnid = ?)
         ORDER BY last_ts DESC, kind, node`,
      ).all(key.fabric, key.fabric, key.addr, key.vnid) as SqliteFindingRow[];
      return rows.map((r) => this.findingRecord(r));
    });
  }

  private findingRecord(r: SqliteFindingRow): FindingRecord {
    const events = this.stmt(
      `${FINDING_CHAIN_SQL} SELECT l.finding FROM c JOIN finding_log l ON l.id = c.id WHERE l.seq > @after ORDER BY l.seq DESC LIMIT @limit`,
    ).all({ head: r.head, limit: r.cap, after: r.count - r.cap }) as { finding: string }[];
    // The latest by time, kept even when older events were written after it (FindingPruner).
    const last = this.stmt('SELECT finding FROM finding_log WHERE id = ?').get(r.last_event) as { finding: string } | undefined;
    return findingRecord(
      { ...r, last: last?.finding },
      events.map((e) => e.finding),
    );
  }

  countFindings(fabric: string, since?: number): Promise<Record<FindingKind, number>> {
    return this.run('count findings', () => {
      const out: Record<FindingKind, number> = { move: 0, offsubnet: 0, stale: 0, rapid: 0 };
      // Since a time: the records whose latest event is that recent, found by time in the log.
      const rows = (
        since === undefined
          ? this.stmt(`SELECT kind, count(*) AS n FROM finding_records WHERE fabric = ? AND kind IN (${KIND_LIST}) GROUP BY kind`).all(fabric)
          : this.stmt(
              `SELECT l.kind, count(*) AS n FROM ${LATEST_EVENTS.from} WHERE l.fabric = ? AND l.kind IN (${KIND_LIST}) AND l.ts >= ? AND ${LATEST_EVENTS.where.join(' AND ')} GROUP BY l.kind`,
            ).all(fabric, since)
      ) as { kind: FindingKind; n: number }[];
      for (const r of rows) out[r.kind] = r.n;
      return out;
    });
  }

  // ---- clears and audit ----

  addClear(record: Omit<ClearRecord, 'id'>): Promise<ClearRecord> {
    return this.run('record clear', () => {
      const r = this.stmt('INSERT INTO clears (fabric, vnid, addr, ts, record) VALUES (?, ?, ?, ?, ?)').run(
        record.fabric,
        record.vnid,
        record.addr,
        record.ts,
        JSON.stringify(record),
      );
      return { ...record, id: Number(r.lastInsertRowid) };
    });
  }

  listClears(fabric: string, q: ClearQuery): Promise<Page<ClearRecord>> {
    return this.run('list clears', () => {
      checkLimit(q.limit);
      const below = logCursor(q.cursor) ?? Number.MAX_SAFE_INTEGER;
      const rows = q.endpoint
        ? this.stmt('SELECT id, record FROM clears WHERE fabric = ? AND vnid = ? AND addr = ? AND id < ? ORDER BY id DESC LIMIT ?').all(
            fabric,
            q.endpoint.vnid,
            q.endpoint.addr,
            below,
            q.limit + 1,
          )
        : this.stmt('SELECT id, record FROM clears WHERE fabric = ? AND id < ? ORDER BY id DESC LIMIT ?').all(fabric, below, q.limit + 1);
      return logPage<ClearRecord>(rows as { id: number; record: string }[], q.limit);
    });
  }

  addAudit(record: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    return this.run('record audit entry', () => {
      const r = this.stmt('INSERT INTO audit (ts, fabric, record) VALUES (?, ?, ?)').run(record.ts, record.fabric, JSON.stringify(record));
      return { ...record, id: Number(r.lastInsertRowid) };
    });
  }

  listAudit(q: AuditQuery): Promise<Page<AuditRecord>> {
    return this.run('list audit log', () => {
      checkLimit(q.limit);
      const below = logCursor(q.cursor) ?? Number.MAX_SAFE_INTEGER;
      const rows =
        q.fabric !== undefined
          ? this.stmt('SELECT id, record FROM audit WHERE fabric = ? AND id < ? ORDER BY id DESC LIMIT ?').all(q.fabric, below, q.limit + 1)
          : this.stmt('SELECT id, record FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?').all(below, q.limit + 1);
      return logPage<AuditRecord>(rows as { id: number; record: string }[], q.limit);
    });
  }

  // ---- users and tokens ----

  getUser(username: string): Promise<UserRecord | null> {
    return this.run('get user', () => {
      const r = this.stmt('SELECT username, role, password_hash FROM users WHERE username = ?').get(username) as
        | { username: string; role: UserRecord['role']; password_hash: string }
        | undefined;
      return r ? { username: r.username, role: r.role, passwordHash: r.password_hash } : null;
    });
  }

  putUser(user: UserRecord): Promise<void> {
    return this.run('put user', () => {
      this.stmt('INSERT OR REPLACE INTO users (username, role, password_hash) VALUES (?, ?, ?)').run(user.username, user.role, user.passwordHash);
    });
  }

  countUsers(): Promise<number> {
    return this.run('count users', () => (this.stmt('SELECT count(*) AS n FROM users').get() as { n: number }).n);
  }

  putToken(token: TokenRecord): Promise<void> {
    return this.run('put token', () => {
      this.stmt('INSERT OR REPLACE INTO tokens (token_hash, username, expires_ts) VALUES (?, ?, ?)').run(
        token.tokenHash,
        token.username,
        token.expiresTs,
      );
    });
  }

  getToken(tokenHash: string): Promise<TokenRecord | null> {
    return this.run('get token', () => {
      const r = this.stmt('SELECT token_hash, username, expires_ts FROM tokens WHERE token_hash = ?').get(tokenHash) as
        | { token_hash: string; username: string; expires_ts: number }
        | undefined;
      return r ? { tokenHash: r.token_hash, username: r.username, expiresTs: r.expires_ts } : null;
    });
  }

  deleteExpiredTokens(now: number): Promise<void> {
    return this.run('delete expired tokens', () => {
      this.stmt('DELETE FROM tokens WHERE expires_ts <= ?').run(now);
    });
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }

  // ---- plumbing ----

  private stmt(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Runs synchronous driver work, turning driver failures into a store_error that names the file. */
  private run<T>(what: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof EptError) return Promise.reject(err);
      const why = err instanceof Error ? err.message : String(err);
      return Promise.reject(new EptError('store_error', `SQLite store '${this.path}': ${what} failed: ${why}`, { path: this.path }, { cause: err }));
    }
  }
}

interface MoRowText {
  cls: string;
  dn: string;
  attrs: string;
}
