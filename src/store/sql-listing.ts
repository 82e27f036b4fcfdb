// The listing queries shared by the SQL Store adapters, written with '?' placeholders (PostgreSQL
// numbers them with numberedParams). Keyset pagination: each page asks for limit + 1 rows to know
// whether another page follows, and continues strictly after the last row's sort key.
import type { FindingKind } from '../core/types.js';
import { prefixRange } from './endpoint-columns.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { EndpointQuery, FindingQuery } from './store.js';

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

/** A page of finding records, newest first by lastTs, after the cursor. */
export function findingPageQuery(fabric: string, kind: FindingKind, q: FindingQuery): SqlQuery {
  const where = ['fabric = ?', 'kind = ?'];
  const params: (string | number)[] = [fabric, kind];
  if (q.since !== undefined) {
    where.push('last_ts >= ?');
    params.push(q.since);
  }
  if (q.node !== undefined) {
    where.push('node = ?');
    params.push(q.node);
  }
  const range = q.search === undefined ? null : prefixRange(q.search);
  if (range) {
    where.push('addr >= ? AND addr < ?');
    params.push(range.lo, range.hi);
  }
  if (q.cursor !== undefined) {
    where.push('(last_ts, vnid, addr, node) < (?, ?, ?, ?)');
    params.push(...decodeCursor(q.cursor, ['n', 'n', 's', 'n']));
  }
  params.push(q.limit + 1);
  return {
    sql: `SELECT * FROM findings WHERE ${where.join(' AND ')} ORDER BY last_ts DESC, vnid DESC, addr DESC, node DESC LIMIT ?`,
    params,
  };
}

export function encodeFindingCursor(r: { last_ts: number; vnid: number; addr: string; node: number }): string {
  return encodeCursor([r.last_ts, r.vnid, r.addr, r.node]);
}

/** Rewrites '?' placeholders as $1, $2, … (the SQL here never has '?' inside literals). */
export function numberedParams(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}
