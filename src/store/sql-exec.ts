// SqlExec (host-store.ts) over better-sqlite3 and over pg. Declares the small subset of each driver it
// uses instead of importing the drivers' types. Driver failures become a store_error naming the store.
import { EptError } from '../core/errors.js';
import type { SqlExec } from './host-store.js';

/** The part of a better-sqlite3 Database used here. */
export interface SqliteDbLike {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  transaction(fn: () => void): () => void;
}

function storeError(where: string, err: unknown): EptError {
  if (err instanceof EptError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new EptError('store_error', `${where}: host records: ${why}`, undefined, { cause: err });
}

export function sqliteExec(db: SqliteDbLike, where: string): SqlExec {
  const cache = new Map<string, ReturnType<SqliteDbLike['prepare']>>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  return {
    all<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
      try {
        return Promise.resolve(stmt(sql).all(...params) as R[]);
      } catch (err) {
        return Promise.reject(storeError(where, err));
      }
    },
    batch(statements): Promise<void> {
      try {
        db.transaction(() => {
          for (const [sql, params] of statements) stmt(sql).run(...params);
        })();
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(storeError(where, err));
      }
    },
  };
}

/** The part of a pg Pool used here. */
export interface PgPoolLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<{ query(sql: string, params?: unknown[]): Promise<unknown>; release(): void }>;
}

/** `?` placeholders to pg's `$n` (the host statements hold no `?` inside literals). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function postgresExec(pool: PgPoolLike, where: string): SqlExec {
  return {
    async all<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
      try {
        return (await pool.query(numbered(sql), [...params])).rows as R[];
      } catch (err) {
        throw storeError(where, err);
      }
    },
    async batch(statements): Promise<void> {
      let c: Awaited<ReturnType<PgPoolLike['connect']>> | undefined;
      try {
        c = await pool.connect();
        await c.query('BEGIN');
        for (const [sql, params] of statements) await c.query(numbered(sql), [...params]);
        await c.query('COMMIT');
      } catch (err) {
        await c?.query('ROLLBACK').catch(() => undefined);
        throw storeError(where, err);
      } finally {
        c?.release();
      }
    },
  };
}
