// History rows and finding events in SQLite (schema v7) are appended to log tables and chained:
// each row names the previous row of its endpoint (history) or of its finding record (finding_log)
// in `prev`, always a smaller id, and the endpoint row's hist_head (history_heads for an endpoint
// without a row yet) / findings.head hold the newest. This module has
// the walks over those chains, shared by the writer (pruning) and the readers.
import type Database from 'better-sqlite3';
import { historyRowEvents } from './history-group.js';
import type { HistoryRow } from './store-rows.js';

/** A row of a chain as the walks see it, newest (highest id) first. */
export interface ChainRow {
  id: number;
  prev: number;
  node: number;
  seq: number;
}

/**
 * Every `prune every` events of a node past the cap, the writer prunes the chain: reads may find up
 * to this many rows per node beyond the cap in between, which they skip.
 */
export const PRUNE_EVERY = 16;

/** Whether writing the event numbered seq (per node or per record) is the moment to prune. */
export function prunesAt(seq: number, cap: number): boolean {
  return seq > cap && seq % PRUNE_EVERY === 0;
}

/**
 * The head of an endpoint's (@ep) history chain (schema v10): in its row when it has one (even 0: no
 * history), else in history_heads (history written before the row), else 0.
 */
export const HISTORY_HEAD_SQL = 'ifnull((SELECT hist_head FROM endpoints WHERE id = @ep), (SELECT head FROM history_heads WHERE ep = @ep))';

/**
 * The walk over an endpoint's (@ep) history chain, newest first: only rows that exist and belong to
 * the endpoint, and `prev < id`, so a damaged chain ends the walk instead of looping or wandering
 * into another endpoint's rows.
 */
export const HISTORY_CHAIN_SQL = `
  WITH RECURSIVE c(id) AS (
    SELECT h.id FROM history h WHERE h.id = ${HISTORY_HEAD_SQL} AND h.ep = @ep
    UNION ALL
    SELECT p.id FROM c JOIN history h ON h.id = c.id JOIN history p ON p.id = h.prev WHERE h.prev < h.id AND p.ep = @ep
  )`;

/** The walk over a finding record's events from its head (@head), newest first, at most @limit rows, with the same guards. */
export const FINDING_CHAIN_SQL = `
  WITH RECURSIVE c(id, n) AS (
    SELECT @head, 1 WHERE @head > 0
    UNION ALL
    SELECT p.id, c.n + 1 FROM c JOIN finding_log l ON l.id = c.id JOIN finding_log p ON p.id = l.prev
    WHERE l.prev < l.id AND p.ep = l.ep AND p.kind = l.kind AND p.node = l.node AND c.n < @limit
  )`;

/**
 * The rows a capped history keeps, in chain order: per node the events whose seq is within `cap` of
 * the node's highest, each (node, seq) once (the newest written: a batch retried after a later
 * one appends an older copy).
 */
export function keptRows<R extends ChainRow>(rows: readonly R[], cap: number): R[] {
  const top = new Map<number, number>();
  for (const r of rows) if (r.seq > (top.get(r.node) ?? -Infinity)) top.set(r.node, r.seq);
  const seen = new Set<string>();
  const kept: R[] = [];
  for (const r of rows) {
    if (r.seq <= (top.get(r.node) as number) - cap) continue;
    const k = `${r.node}:${r.seq}`;
    if (seen.has(k)) continue;
    seen.add(k);
    kept.push(r);
  }
  return kept;
}

/**
 * The events of history rows (newest row first) as the chain walks see them, newest first: a row's
 * later events (`more`, schema v12) come before its first. `expand` reads a row's events in the
 * order they were written (historyRowEvents).
 */
export function chainEvents<R extends { id: number }, E>(rows: readonly R[], expand: (row: R) => E[]): E[] {
  const out: E[] = [];
  for (const r of rows) {
    const events = expand(r);
    for (let i = events.length - 1; i >= 0; i--) out.push(events[i] as E);
  }
  return out;
}

/**
 * Prunes one endpoint's history chain to the rows holding an event keptRows keeps, relinking the
 * rows that stay. A row whose events cannot be read (damaged bytes) is kept.
 */
export class HistoryPruner {
  private readonly walk: Database.Statement;
  private readonly setPrev: Database.Statement;
  private readonly del: Database.Statement;

  constructor(db: Database.Database) {
    this.walk = db.prepare(
      `${HISTORY_CHAIN_SQL} SELECT h.id, h.prev, h.node, h.seq, h.ts, h.more, '' AS fabric, 0 AS vnid, '' AS addr FROM c JOIN history h ON h.id = c.id ORDER BY h.id DESC`,
    );
    this.setPrev = db.prepare('UPDATE history SET prev = ? WHERE id = ?');
    this.del = db.prepare('DELETE FROM history WHERE id = ?');
  }

  /** Returns the number of rows deleted. */
  prune(ep: number, cap: number): number {
    const rows = this.walk.all({ ep }) as (ChainRow & HistoryRow & { more: Uint8Array | null })[];
    const damaged = new Set<number>();
    const events = chainEvents(rows, (r) => {
      try {
        return historyRowEvents(r);
      } catch {
        damaged.add(r.id);
        return [r];
      }
    });
    const keep = new Set(damaged);
    for (const e of keptRows(events, cap)) keep.add(e.id);
    if (keep.size === rows.length) return 0;
    const kept = rows.filter((r) => keep.has(r.id));
    for (const r of rows) if (!keep.has(r.id)) this.del.run(r.id);
    for (let i = 0; i < kept.length; i++) {
      const r = kept[i] as ChainRow;
      const prev = kept[i + 1]?.id ?? 0;
      if (r.prev !== prev) this.setPrev.run(prev, r.id);
    }
    return rows.length - kept.length;
  }
}

/**
 * Cuts a finding record's chain after its newest `cap` events, except its latest by time
 * (findings.last_event, which newest-first listings find the record by): that one stays, moved to
 * the chain's end, until a prune after a later latest replaced it. (Reads of the record's events
 * skip it by its seq.)
 */
export class FindingPruner {
  private readonly walk: Database.Statement;
  private readonly setPrev: Database.Statement;
  private readonly del: Database.Statement;

  constructor(db: Database.Database) {
    this.walk = db.prepare(`${FINDING_CHAIN_SQL} SELECT id FROM c ORDER BY n`).pluck();
    this.setPrev = db.prepare('UPDATE finding_log SET prev = ? WHERE id = ?');
    this.del = db.prepare('DELETE FROM finding_log WHERE id = ?');
  }

  prune(head: number, cap: number, lastEvent: number): number {
    // About cap + PRUNE_EVERY rows between two prunes; more once after the cap was lowered.
    const ids = this.walk.all({ head, limit: Number.MAX_SAFE_INTEGER }) as number[];
    if (ids.length <= cap) return 0;
    const keepLatest = ids.indexOf(lastEvent) >= cap;
    this.setPrev.run(keepLatest ? lastEvent : 0, ids[cap - 1]);
    if (keepLatest) this.setPrev.run(0, lastEvent);
    let deleted = 0;
    for (let i = cap; i < ids.length; i++) if (ids[i] !== lastEvent) deleted += this.del.run(ids[i]).changes;
    return deleted;
  }
}
