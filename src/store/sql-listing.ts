// The listing queries shared by the SQL Store adapters, written with '?' placeholders (PostgreSQL
// numbers them with numberedParams). Keyset pagination: each page asks for limit + 1 rows to know
// whether another page follows, and continues strictly after the last row's sort key.
import { EptError } from '../core/errors.js';
import type { FindingKind } from '../core/types.js';
import { prefixRange } from './endpoint-columns.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { EndpointQuery, FindingQuery, FindingSort } from './store.js';
import type { FindingRow } from './store-rows.js';

/** A query and its parameters. */
export interface SqlQuery {
  sql: string;
  params: (string | number)[];
}

/** The sort key an endpoint listing continues after: addr, vnid, then fabric (listings across fabrics). */
export type EndpointCursor = [addr: string, vnid: number, fabric: string];

export function decodeEndpointCursor(cursor: string | undefined): EndpointCursor | null {
  return cursor === undefined ? null : (decodeCursor(cursor, ['s', 'n', 's']) as EndpointCursor);
}

export function encodeEndpointCursor(r: { addr: string; vnid: number; fabric: string }): string {
  return encodeCursor([r.addr, r.vnid, r.fabric]);
}

/** One fabric's page of endpoints after the cursor, ordered by (addr, vnid). */
export function endpointPageQuery(fabric: string, q: EndpointQuery, after: EndpointCursor | null, now: number): SqlQuery {
  const where = ['fabric = ?'];
  const params: (string | number)[] = [fabric];
  if (q.type !== undefined) {
    where.push('type = ?');
    params.push(q.type);
  }
  switch (q.flag) {
    case undefined:
      break;
    case 'offsubnet':
    case 'stale':
    case 'deleted':
      where.push(`${q.flag} = 1`); // a literal, so the partial index applies
      break;
    case 'active':
      where.push('deleted = 0');
      break;
    case 'rapid':
      where.push('rapid_until > 0 AND rapid_until > ?');
      params.push(now);
      break;
  }
  const range = q.search === undefined ? null : prefixRange(q.search);
  if (range) {
    where.push('addr >= ? AND addr < ?');
    params.push(range.lo, range.hi);
  }
  if (after) {
    // A fabric sorting after the cursor's fabric may still hold the cursor's own (addr, vnid).
    where.push(fabric > after[2] ? '(addr, vnid) >= (?, ?)' : '(addr, vnid) > (?, ?)');
    params.push(after[0], after[1]);
  }
  params.push(q.limit + 1);
  return {
    sql: `SELECT fabric, addr, vnid, type, state FROM endpoints WHERE ${where.join(' AND ')} ORDER BY addr, vnid LIMIT ?`,
    params,
  };
}

/**
 * The columns each finding sort orders by, all in the same direction: the sort column, then enough
 * of the primary key (vnid, addr, node) to make the order total, so a keyset cursor of these
 * values continues without a duplicate or a gap. Newest first is served by an index (PostgreSQL:
 * findings_recent on the records; SQLite: finding_log_recent on the events, see sqlite-store.ts);
 * count and addr orders are a bounded top-N sort of one fabric's records of one kind, which are few
 * next to its endpoints.
 */
const FINDING_SORT_KEYS: Record<FindingSort, readonly (keyof FindingRow & string)[]> = {
  lastTs: ['last_ts', 'vnid', 'addr', 'node'],
  count: ['count', 'last_ts', 'vnid', 'addr', 'node'],
  addr: ['addr', 'vnid', 'node'],
};

function findingOrder(q: FindingQuery): { sort: FindingSort; order: 'asc' | 'desc'; keys: readonly (keyof FindingRow & string)[] } {
  const sort = q.sort ?? 'lastTs';
  const keys = FINDING_SORT_KEYS[sort];
  if (!keys) throw new EptError('bad_request', `sort: '${String(sort)}' is not one of ${Object.keys(FINDING_SORT_KEYS).join(', ')}`);
  const order = q.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new EptError('bad_request', `order: '${String(order)}' is not asc or desc`);
  return { sort, order, keys };
}

/** The cursor's key values, checked to belong to this sort and order (it records both). */
function decodeFindingCursor(cursor: string, sort: FindingSort, order: string, keys: readonly string[]): (string | number)[] {
  const shape = ['s', 's', ...keys.map((k) => (k === 'addr' ? 's' : 'n'))] as const;
  const [s, o, ...key] = decodeCursor(cursor, shape);
  if (s !== sort || o !== order) {
    throw new EptError('bad_request', `invalid cursor: it continues a listing sorted by ${String(s)} ${String(o)}, not ${sort} ${order}`);
  }
  return key;
}

/**
 * Where a finding listing reads from: the records table itself, or (SQLite, newest first) the
 * events that are their records' latest (see sqlite-store.ts), with `col` naming each record column
 * there and `where` what else a row must satisfy.
 */
export interface FindingSource {
  from: string;
  select: string;
  where: readonly string[];
  col(name: keyof FindingRow & string): string;
}

export const FINDING_RECORDS: FindingSource = { from: 'findings', select: '*', where: [], col: (c) => c };

/** A page of finding records in the query's sort and order (default newest first), after the cursor. */
export function findingPageQuery(fabric: string, kind: FindingKind, q: FindingQuery, source: FindingSource = FINDING_RECORDS): SqlQuery {
  const { sort, order, keys } = findingOrder(q);
  const c = source.col;
  const where = [`${c('fabric')} = ?`, `${c('kind')} = ?`, ...source.where];
  const params: (string | number)[] = [fabric, kind];
  if (q.since !== undefined) {
    where.push(`${c('last_ts')} >= ?`);
    params.push(q.since);
  }
  if (q.node !== undefined) {
    where.push(`${c('node')} = ?`);
    params.push(q.node);
  }
  const range = q.search === undefined ? null : prefixRange(q.search);
  if (range) {
    where.push(`${c('addr')} >= ? AND ${c('addr')} < ?`);
    params.push(range.lo, range.hi);
  }
  const cols = keys.map(c).join(', ');
  if (q.cursor !== undefined) {
    // A row value comparison: rows strictly after the cursor in this (single-direction) order.
    where.push(`(${cols}) ${order === 'desc' ? '<' : '>'} (${keys.map(() => '?').join(', ')})`);
    params.push(...decodeFindingCursor(q.cursor, sort, order, keys));
  }
  params.push(q.limit + 1);
  const dir = order === 'desc' ? ' DESC' : '';
  return {
    sql: `SELECT ${source.select} FROM ${source.from} WHERE ${where.join(' AND ')} ORDER BY ${keys.map((k) => c(k) + dir).join(', ')} LIMIT ?`,
    params,
  };
}

/** The sort of a finding query (default lastTs), checked. */
export function findingSort(q: FindingQuery): FindingSort {
  return findingOrder(q).sort;
}

/** The cursor after row r in the query's sort and order. */
export function encodeFindingCursor(r: FindingRow, q: FindingQuery): string {
  const { sort, order, keys } = findingOrder(q);
  return encodeCursor([sort, order, ...keys.map((k) => r[k] as string | number)]);
}

/** Rewrites '?' placeholders as $1, $2, … (the SQL here never has '?' inside literals). */
export function numberedParams(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}
