// The Store port on PostgreSQL (pg), for cluster mode. Same tables, encoding and listing queries as
// the SQLite store; each write batch is one transaction of a few set-based statements (unnest
// arrays), so a batch costs a handful of round trips whatever its size.
import pg from 'pg';
import type { Logger } from 'pino';
import { EptError } from '../core/errors.js';
import type { MoRow } from '../core/fabric-tables.js';
import { flagsText } from '../core/intern.js';
import type { EndpointKey, EndpointState, EndpointType, Finding, FindingKind, HistoryEvent } from '../core/types.js';
import { decodeEndpointState, encodeEndpointState } from './endpoint-codec.js';
import { endpointColumns, FINDING_KINDS } from './endpoint-columns.js';
import { SqlHostStore, type HostStore } from './host-store.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { postgresExec } from './sql-exec.js';
import {
  decodeEndpointCursor,
  encodeEndpointCursor,
  encodeFindingCursor,
  endpointPageQuery,
  findingPageQuery,
  numberedParams,
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
import { fabricFromJson, logCursor, logPage } from './record-log.js';
import type {
  AuditQuery,
  AuditRecord,
  ClearQuery,
  ClearRecord,
  EndpointQuery,
  FabricConfig,
  FindingQuery, FindingRecord, Page, PendingCheckRecord, Store, TokenRecord, UserRecord, WriteBatch } from './store.js';
import { recordNode } from './store.js';

/** Options of openPostgresStore. */
export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /** Schema holding ept's tables, created when missing (default 'ept'). */
  schema?: string;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  logger?: Logger;
}

const KIND_LIST = FINDING_KINDS.map((k) => `'${k}'`).join(',');
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

// BIGINT (int8) columns and count(*) hold ms timestamps and ids, all below 2^53: read them as numbers.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Opens a PostgreSQL store, creating and migrating its schema when needed. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = options.schema ?? 'ept';
  const where = `${redact(options.connectionString)} schema ${schema}`;
  if (!IDENT.test(schema)) {
    throw new EptError('config_invalid', `PostgreSQL schema name '${schema}' must be a lower-case SQL identifier`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 4,
    options: `-c search_path=${schema}`,
    types: TYPES,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (err) => options.logger?.warn({ err }, 'postgres pool client error'));
  try {
    const version = await migrate(pool, schema);
    options.logger?.debug({ schema, version }, 'postgres store open');
    return new PostgresStore(pool, where);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof EptError) throw err;
    throw new EptError('store_error', `cannot open PostgreSQL store (${where}): ${message(err)}`, { schema }, { cause: err });
  }
}

async function migrate(pool: pg.Pool, schema: string): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    // Several processes may start at once in a cluster: one migrates, the others wait for it.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ept-migrate-${schema}`]);
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description TEXT NOT NULL, applied_ts BIGINT NOT NULL)',
    );
    const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    let current = r.rows[0]?.v ?? 0;
    const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new EptError('store_error', `database schema version ${current} is newer than this ept supports (${latest})`);
    }
    for (const m of POSTGRES_MIGRATIONS) {
      if (m.version <= current) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_version VALUES ($1, $2, $3)', [m.version, m.description, Date.now()]);
      current = m.version;
    }
    await c.query('COMMIT');
    return current;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** The PostgreSQL Store. Create it with openPostgresStore. */
export class PostgresStore implements Store {
  private closed = false;
  /** Endpoint ids given out this run: PostgreSQL rows are keyed by address, the ids only keep the port's promise. */
  private lastEndpointId = 0;
  /** Host agents, module documents and host-side tracking (host-store.ts). */
  readonly hosts: HostStore;

  constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
  ) {
    this.hosts = new SqlHostStore(postgresExec(pool, `PostgreSQL store (${where})`));
  }

  // ---- fabrics ----

  async listFabrics(): Promise<FabricConfig[]> {
    const rows = await this.rows<{ config: string }>('list fabrics', 'SELECT config FROM fabrics ORDER BY name');
    return rows.map((r) => fabricFromJson(r.config));
  }

  async getFabric(name: string): Promise<FabricConfig | null> {
    const [r] = await this.rows<{ config: string }>('get fabric', 'SELECT config FROM fabrics WHERE name = $1', [name]);
    return r ? fabricFromJson(r.config) : null;
  }

  async putFabric(fabric: FabricConfig): Promise<void> {
    await this.rows(
      'put fabric',
      'INSERT INTO fabrics (name, config) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET config = excluded.config',
      [fabric.name, JSON.stringify(fabric)],
    );
  }

  deleteFabric(name: string): Promise<boolean> {
    const tables = ['fabrics', 'fabric_objects', 'endpoints', 'history', 'findings', 'finding_events', 'pending_checks', 'clears'];
    return this.tx('delete fabric', async (c) => {
      let removed = 0;
      for (const t of tables) {
        removed += (await c.query(`DELETE FROM ${t} WHERE ${t === 'fabrics' ? 'name' : 'fabric'} = $1`, [name])).rowCount ?? 0;
      }
      return removed > 0;
    });
  }

  // ---- fabric objects ----

  async loadFabricObjects(fabric: string): Promise<MoRow[]> {
    const rows = await this.rows<{ cls: string; dn: string; attrs: string }>(
      'load fabric objects',
      'SELECT cls, dn, attrs FROM fabric_objects WHERE fabric = $1',
      [fabric],
    );
    return rows.map((r) => ({ cls: r.cls, dn: r.dn, attrs: JSON.parse(r.attrs) as Record<string, string> }));
  }

  saveFabricObjects(fabric: string, rows: MoRow[], replaceClasses?: readonly string[]): Promise<void> {
    // Later rows for the same dn win, as they would applied one by one.
    const last = new Map<string, MoRow>();
    for (const r of rows) last.set(r.dn, r);
    const gone = [...last.values()].filter((r) => r.attrs['status'] === 'deleted');
    const kept = [...last.values()].filter((r) => r.attrs['status'] !== 'deleted');
    return this.tx('save fabric objects', async (c) => {
      if (replaceClasses?.length) {
        await c.query('DELETE FROM fabric_objects WHERE fabric = $1 AND cls = ANY($2::text[])', [fabric, replaceClasses]);
      }
      if (gone.length) {
        await c.query('DELETE FROM fabric_objects WHERE fabric = $1 AND dn = ANY($2::text[])', [fabric, gone.map((r) => r.dn)]);
      }
      if (kept.length) {
        await c.query(
          `INSERT INTO fabric_objects (fabric, dn, cls, attrs) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
           ON CONFLICT (fabric, dn) DO UPDATE SET cls = excluded.cls, attrs = excluded.attrs`,
          [fabric, kept.map((r) => r.dn), kept.map((r) => r.cls), kept.map((r) => JSON.stringify(r.attrs))],
        );
      }
    });
  }

  // ---- endpoints ----

  newEndpointId(): number {
    return ++this.lastEndpointId;
  }

  async writeBatch(batch: WriteBatch): Promise<void> {
    if (!isCap(batch.historyCap) || !isCap(batch.findingCap)) {
      throw new EptError('bad_request', `write batch caps must be positive integers (historyCap ${batch.historyCap}, findingCap ${batch.findingCap})`);
    }
    const endpoints = endpointArrays(batch.endpoints);
    const history = historyArrays(batch.historyRows ? batch.historyRows.events().history : batch.history, batch.historyCap);
    await this.tx('write batch', async (c) => {
      if (endpoints) await c.query({ name: 'ept_upsert_endpoints', text: UPSERT_ENDPOINTS, values: endpoints });
      if (history) await c.query({ name: 'ept_put_history', text: PUT_HISTORY, values: history });
      for (const f of batch.findings) await recordFinding(c, f, batch.findingCap);
      const done = batch.checksDone ?? [];
      if (done.length) {
        await c.query(
          'DELETE FROM pending_checks p USING unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[]) AS d(fabric, vnid, addr, kind, node) WHERE p.fabric = d.fabric AND p.vnid = d.vnid AND p.addr = d.addr AND p.kind = d.kind AND p.node = d.node',
          [done.map((x) => x.fabric), done.map((x) => x.vnid), done.map((x) => x.addr), done.map((x) => x.kind), done.map((x) => x.node)],
        );
      }
      const added = batch.checksAdded ?? [];
      if (added.length) {
        await c.query(
          `INSERT INTO pending_checks (fabric, vnid, addr, kind, node, due_ts)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
           ON CONFLICT (fabric, vnid, addr, kind, node) DO UPDATE SET due_ts = EXCLUDED.due_ts`,
          [added.map((x) => x.fabric), added.map((x) => x.vnid), added.map((x) => x.addr), added.map((x) => x.kind), added.map((x) => x.node), added.map((x) => x.dueTs)],
        );
      }
    });
  }

  async loadPendingChecks(fabric: string): Promise<PendingCheckRecord[]> {
    const rows = await this.rows<{ fabric: string; vnid: number; addr: string; kind: PendingCheckRecord['kind']; node: number; due_ts: number }>(
      'load pending checks',
      'SELECT fabric, vnid, addr, kind, node, due_ts FROM pending_checks WHERE fabric = $1 ORDER BY due_ts',
      [fabric],
    );
    return rows.map((r) => ({ fabric: r.fabric, vnid: r.vnid, addr: r.addr, kind: r.kind, node: r.node, dueTs: r.due_ts }));
  }

  async getEndpoint(key: EndpointKey): Promise<EndpointState | null> {
    const [r] = await this.rows<{ type: EndpointType; state: string }>(
      'get endpoint',
      'SELECT type, state FROM endpoints WHERE fabric = $1 AND addr = $2 AND vnid = $3',
      [key.fabric, key.addr, key.vnid],
    );
    return r ? decodeEndpointState(key, r.type, r.state) : null;
  }

  async *scanEndpoints(fabric: string, pageSize = 1000): AsyncIterable<EndpointState[]> {
    let addr = '';
    let vnid = -1;
    for (;;) {
      const rows = await this.rows<EndpointRowText>(
        'scan endpoints',
        'SELECT fabric, addr, vnid, type, state FROM endpoints WHERE fabric = $1 AND (addr, vnid) > ($2, $3) ORDER BY addr, vnid LIMIT $4',
        [fabric, addr, vnid, pageSize],
      );
      const last = rows[rows.length - 1];
      if (!last) return;
      addr = last.addr;
      vnid = last.vnid;
      yield rows.map(endpointFromRow);
      if (rows.length < pageSize) return;
    }
  }

  async listEndpoints(fabric: string | null, q: EndpointQuery): Promise<Page<EndpointState>> {
    checkLimit(q.limit);
    const after = decodeEndpointCursor(q.cursor);
    const fabrics = fabric !== null ? [fabric] : await this.endpointFabrics();
    const now = Date.now();
    let rows: EndpointRowText[] = [];
    for (const f of fabrics) {
      const { sql, params } = endpointPageQuery(f, q, after, now);
      rows = rows.concat(await this.rows<EndpointRowText>('list endpoints', numberedParams(sql), params));
    }
    if (fabrics.length > 1) rows.sort(compareEndpointRows);
    const items = rows.slice(0, q.limit);
    const tail = items[items.length - 1];
    return { items: items.map(endpointFromRow), nextCursor: rows.length > q.limit && tail ? encodeEndpointCursor(tail) : null };
  }

  /** Distinct fabrics of the endpoints table by a loose index scan (one probe per fabric). */
  private async endpointFabrics(): Promise<string[]> {
    const rows = await this.rows<{ name: string }>(
      'list endpoint fabrics',
      `WITH RECURSIVE f(name) AS (
         SELECT min(fabric) FROM endpoints
         UNION ALL SELECT (SELECT min(fabric) FROM endpoints WHERE fabric > f.name) FROM f WHERE f.name IS NOT NULL)
       SELECT name FROM f WHERE name IS NOT NULL`,
    );
    return rows.map((r) => r.name);
  }

  async countEndpoints(fabric: string): Promise<{ total: number; active: number }> {
    const [r] = await this.rows<{ total: number; deleted: number }>(
      'count endpoints',
      'SELECT count(*) AS total, count(*) FILTER (WHERE deleted = 1) AS deleted FROM endpoints WHERE fabric = $1',
      [fabric],
    );
    return { total: r?.total ?? 0, active: (r?.total ?? 0) - (r?.deleted ?? 0) };
  }

  async history(key: EndpointKey, limit: number): Promise<HistoryEvent[]> {
    checkLimit(limit);
    const rows = await this.rows<HistoryRow>(
      'read history',
      'SELECT * FROM history WHERE fabric = $1 AND vnid = $2 AND addr = $3 ORDER BY ts DESC, seq DESC, node LIMIT $4',
      [key.fabric, key.vnid, key.addr, limit],
    );
    return rows.map(historyEvent);
  }

  async purgeDeleted(fabric: string, deletedBefore: number): Promise<number> {
    const using = (t: string) => `DELETE FROM ${t} USING gone WHERE ${t}.fabric = $1 AND ${t}.vnid = gone.vnid AND ${t}.addr = gone.addr`;
    const [r] = await this.rows<{ n: number }>(
      'purge deleted endpoints',
      `WITH gone AS (DELETE FROM endpoints WHERE fabric = $1 AND gone_ts > 0 AND gone_ts < $2 RETURNING vnid, addr),
         h AS (${using('history')}), f AS (${using('findings')}), e AS (${using('finding_events')})
       SELECT count(*) AS n FROM gone`,
      [fabric, deletedBefore],
    );
    return r?.n ?? 0;
  }

  // ---- findings ----

  async listFindings(fabric: string, kind: FindingKind, q: FindingQuery): Promise<Page<FindingRecord>> {
    checkLimit(q.limit);
    const { sql, params } = findingPageQuery(fabric, kind, q);
    const rows = await this.rows<FindingRow>('list findings', numberedParams(sql), params);
    const page = rows.slice(0, q.limit);
    const tail = page[page.length - 1];
    return {
      items: await Promise.all(page.map((r) => this.findingRecord(r))),
      nextCursor: rows.length > q.limit && tail ? encodeFindingCursor(tail, q) : null,
    };
  }

  async findingsForEndpoint(key: EndpointKey): Promise<FindingRecord[]> {
    const rows = await this.rows<FindingRow>(
      'read endpoint findings',
      `SELECT * FROM findings WHERE fabric = $1 AND kind IN (${KIND_LIST}) AND vnid = $2 AND addr = $3 ORDER BY last_ts DESC, kind, node`,
      [key.fabric, key.vnid, key.addr],
    );
    return Promise.all(rows.map((r) => this.findingRecord(r)));
  }

  private async findingRecord(r: FindingRow): Promise<FindingRecord> {
    const events = await this.rows<{ finding: string }>(
      'read finding events',
      `SELECT finding FROM finding_events WHERE fabric = $1 AND kind = $2 AND vnid = $3 AND addr = $4 AND node = $5 AND seq > $6
       ORDER BY seq DESC LIMIT $7`,
      [r.fabric, r.kind, r.vnid, r.addr, r.node, r.count - r.cap, r.cap],
    );
    return findingRecord(
      r,
      events.map((e) => e.finding),
    );
  }

  async countFindings(fabric: string, since?: number): Promise<Record<FindingKind, number>> {
    const out: Record<FindingKind, number> = { move: 0, offsubnet: 0, stale: 0, rapid: 0 };
    const rows = await this.rows<{ kind: FindingKind; n: number }>(
      'count findings',
      `SELECT kind, count(*) AS n FROM findings WHERE fabric = $1 AND kind IN (${KIND_LIST}) AND last_ts >= $2 GROUP BY kind`,
      [fabric, since ?? Number.MIN_SAFE_INTEGER],
    );
    for (const r of rows) out[r.kind] = r.n;
    return out;
  }

  // ---- clears and audit ----

  async addClear(record: Omit<ClearRecord, 'id'>): Promise<ClearRecord> {
    const [r] = await this.rows<{ id: number }>(
      'record clear',
      'INSERT INTO clears (fabric, vnid, addr, ts, record) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [record.fabric, record.vnid, record.addr, record.ts, JSON.stringify(record)],
    );
    return { ...record, id: Number(r?.id) };
  }

  async listClears(fabric: string, q: ClearQuery): Promise<Page<ClearRecord>> {
    checkLimit(q.limit);
    const below = logCursor(q.cursor) ?? Number.MAX_SAFE_INTEGER;
    const rows = q.endpoint
      ? await this.rows<{ id: number; record: string }>(
          'list clears',
          'SELECT id, record FROM clears WHERE fabric = $1 AND vnid = $2 AND addr = $3 AND id < $4 ORDER BY id DESC LIMIT $5',
          [fabric, q.endpoint.vnid, q.endpoint.addr, below, q.limit + 1],
        )
      : await this.rows<{ id: number; record: string }>('list clears', 'SELECT id, record FROM clears WHERE fabric = $1 AND id < $2 ORDER BY id DESC LIMIT $3', [
          fabric,
          below,
          q.limit + 1,
        ]);
    return logPage<ClearRecord>(rows, q.limit);
  }

  async addAudit(record: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    const [r] = await this.rows<{ id: number }>('record audit entry', 'INSERT INTO audit (ts, fabric, record) VALUES ($1, $2, $3) RETURNING id', [
      record.ts,
      record.fabric,
      JSON.stringify(record),
    ]);
    return { ...record, id: Number(r?.id) };
  }

  async listAudit(q: AuditQuery): Promise<Page<AuditRecord>> {
    checkLimit(q.limit);
    const below = logCursor(q.cursor) ?? Number.MAX_SAFE_INTEGER;
    const rows =
      q.fabric !== undefined
        ? await this.rows<{ id: number; record: string }>('list audit log', 'SELECT id, record FROM audit WHERE fabric = $1 AND id < $2 ORDER BY id DESC LIMIT $3', [
            q.fabric,
            below,
            q.limit + 1,
          ])
        : await this.rows<{ id: number; record: string }>('list audit log', 'SELECT id, record FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2', [below, q.limit + 1]);
    return logPage<AuditRecord>(rows, q.limit);
  }

  // ---- users and tokens ----

  async getUser(username: string): Promise<UserRecord | null> {
    const [r] = await this.rows<{ username: string; role: UserRecord['role']; password_hash: string }>(
      'get user',
      'SELECT username, role, password_hash FROM users WHERE username = $1',
      [username],
    );
    return r ? { username: r.username, role: r.role, passwordHash: r.password_hash } : null;
  }

  async putUser(user: UserRecord): Promise<void> {
    await this.rows(
      'put user',
      `INSERT INTO users (username, role, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
      [user.username, user.role, user.passwordHash],
    );
  }

  async countUsers(): Promise<number> {
    const [r] = await this.rows<{ n: number }>('count users', 'SELECT count(*) AS n FROM users');
    return r?.n ?? 0;
  }

  async putToken(token: TokenRecord): Promise<void> {
    await this.rows(
      'put token',
      `INSERT INTO tokens (token_hash, username, expires_ts) VALUES ($1, $2, $3)
       ON CONFLICT (token_hash) DO UPDATE SET username = excluded.username, expires_ts = excluded.expires_ts`,
      [token.tokenHash, token.username, token.expiresTs],
    );
  }

  async getToken(tokenHash: string): Promise<TokenRecord | null> {
    const [r] = await this.rows<{ token_hash: string; username: string; expires_ts: number }>(
      'get token',
      'SELECT token_hash, username, expires_ts FROM tokens WHERE token_hash = $1',
      [tokenHash],
    );
    return r ? { tokenHash: r.token_hash, username: r.username, expiresTs: r.expires_ts } : null;
  }

  async deleteExpiredTokens(now: number): Promise<void> {
    await this.rows('delete expired tokens', 'DELETE FROM tokens WHERE expires_ts <= $1', [now]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ---- plumbing ----

  private async rows<R extends object>(what: string, sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw this.failure(what, err);
    }
  }

  private async tx<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let c: pg.PoolClient | undefined;
    try {
      c = await this.pool.connect();
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c?.query('ROLLBACK').catch(() => undefined);
      throw this.failure(what, err);
    } finally {
      c?.release();
    }
  }

  private failure(what: string, err: unknown): EptError {
    if (err instanceof EptError) return err;
    return new EptError('store_error', `PostgreSQL store (${this.where}): ${what} failed: ${message(err)}`, undefined, { cause: err });
  }
}

const UPSERT_ENDPOINTS = `
  INSERT INTO endpoints (fabric, vnid, addr, type, cur_node, ts, deleted_ts, offsubnet, stale, deleted, rapid_until, gone_ts, state)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
                       $8::smallint[], $9::smallint[], $10::smallint[], $11::bigint[], $12::bigint[], $13::text[])
  ON CONFLICT (fabric, addr, vnid) DO UPDATE SET cur_node = excluded.cur_node, ts = excluded.ts,
    deleted_ts = excluded.deleted_ts, offsubnet = excluded.offsubnet, stale = excluded.stale, deleted = excluded.deleted,
    rapid_until = excluded.rapid_until, gone_ts = excluded.gone_ts, state = excluded.state`;

const PUT_HISTORY = `
  INSERT INTO history (fabric, vnid, addr, node, slot, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::int[], $6::bigint[], $7::bigint[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::bigint[], $15::bigint[])
  ON CONFLICT (fabric, vnid, addr, node, slot) DO UPDATE SET seq = excluded.seq, ts = excluded.ts, status = excluded.status,
    flags = excluded.flags, if_id = excluded.if_id, encap = excluded.encap, pc_tag = excluded.pc_tag, rw_mac = excluded.rw_mac,
    rw_bd = excluded.rw_bd, remote = excluded.remote
  WHERE excluded.seq >= history.seq`;

/** Column arrays for UPSERT_ENDPOINTS; one row per key (an upsert may not touch a row twice). */
function endpointArrays(states: readonly EndpointState[]): unknown[][] | null {
  if (states.length === 0) return null;
  const byKey = new Map<string, EndpointState>();
  for (const s of states) byKey.set(`${s.fabric}|${s.vnid}|${s.addr}`, s);
  const cols: unknown[][] = Array.from({ length: 13 }, () => []);
  for (const s of byKey.values()) {
    const c = endpointColumns(s);
    const row = [s.fabric, s.vnid, s.addr, s.type, c.curNode, s.ts, s.deletedTs, c.offsubnet, c.stale, c.deleted, s.flags.rapidUntil, c.goneTs, encodeEndpointState(s)];
    for (let i = 0; i < 13; i++) (cols[i] as unknown[]).push(row[i]);
  }
  return cols;
}

/** Column arrays for PUT_HISTORY; the last event per slot wins, as with one-by-one writes. */
function historyArrays(events: readonly HistoryEvent[], cap: number): unknown[][] | null {
  if (events.length === 0) return null;
  // One row per slot (an upsert may not touch a row twice): the newest event of the slot, whatever
  // the order of the batch, as SQLite's writer keeps it.
  const bySlot = new Map<string, HistoryEvent>();
  for (const e of events) {
    const k = `${e.fabric}|${e.vnid}|${e.addr}|${e.node}|${e.seq % cap}`;
    const prev = bySlot.get(k);
    if (!prev || e.seq >= prev.seq) bySlot.set(k, e);
  }
  const cols: unknown[][] = Array.from({ length: 15 }, () => []);
  for (const e of bySlot.values()) {
    const row = [e.fabric, e.vnid, e.addr, e.node, e.seq % cap, e.seq, e.ts, e.status, flagsText(e.flags), e.ifId, e.encap, e.pcTag, e.rwMac, e.rwBd, e.remote];
    for (let i = 0; i < 15; i++) (cols[i] as unknown[]).push(row[i]);
  }
  return cols;
}

async function recordFinding(c: pg.PoolClient, f: Finding, cap: number): Promise<void> {
  const json = JSON.stringify(f);
  const r = await c.query<{ count: number }>({
    name: 'ept_upsert_finding',
    text: `INSERT INTO findings (fabric, kind, vnid, addr, node, type, count, first_ts, last_ts, cap, last)
           VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8, $9)
           ON CONFLICT (fabric, kind, vnid, addr, node) DO UPDATE SET count = findings.count + 1,
             first_ts = LEAST(findings.first_ts, excluded.first_ts), cap = excluded.cap, type = excluded.type,
             last = CASE WHEN excluded.last_ts >= findings.last_ts THEN excluded.last ELSE findings.last END,
             last_ts = GREATEST(findings.last_ts, excluded.last_ts)
           RETURNING count`,
    values: [f.fabric, f.kind, f.vnid, f.addr, recordNode(f), f.type, f.ts, cap, json],
  });
  const count = r.rows[0]?.count ?? 1;
  await c.query({
    name: 'ept_put_finding_event',
    text: `INSERT INTO finding_events (fabric, kind, vnid, addr, node, slot, seq, finding) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (fabric, kind, vnid, addr, node, slot) DO UPDATE SET seq = excluded.seq, finding = excluded.finding`,
    values: [f.fabric, f.kind, f.vnid, f.addr, recordNode(f), count % cap, count, json],
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The connection string without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
