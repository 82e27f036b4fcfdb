// Shared by the SQL adapters: the append-only logs (clears, audit) are stored as one JSON record
// per row, keyed by an increasing id that orders them and serves as the page cursor.
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { FabricConfig, Page } from './store.js';

/** The id a page starts below (newest first), or null for the first page. */
export function logCursor(cursor: string | undefined): number | null {
  return cursor ? (decodeCursor(cursor, ['n'])[0] as number) : null;
}

/** A page from limit + 1 rows, each row's JSON record completed with its id. */
export function logPage<T extends { id: number }>(rows: readonly { id: number | string; record: string }[], limit: number): Page<T> {
  const items = rows.slice(0, limit).map((r) => ({ ...(JSON.parse(r.record) as Omit<T, 'id'>), id: Number(r.id) }) as T);
  const tail = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && tail ? encodeCursor([tail.id]) : null };
}

/** A stored fabric row; rows written before notifications existed get {}. */
export function fabricFromJson(json: string): FabricConfig {
  const f = JSON.parse(json) as FabricConfig;
  f.notifications ??= {};
  return f;
}
