// History rows in groups (schema v12): the history events of one endpoint in one write batch share one
// row of the history table. The row's columns hold the group's first event, as every row did before,
// and its `more` column the others, as bytes: one row and one statement per endpoint and batch instead
// of one per event (a move gives an endpoint about seven events in the batch that carries it).
// Layout of `more`: 1, then per event node, seq, ts-δ (to the row's ts), status$, flags$, ifId$,
// encap$, pcTag, rwMac$, rwBd, remote, with $ a string reference as in endpoint-binary.ts.
import { EptError } from '../core/errors.js';
import { flagsText } from '../core/intern.js';
import { StateReader, type StateBytes } from './endpoint-binary.js';
import type { HistoryBuffer } from './history-buffer.js';
import type { HistoryRow } from './store-rows.js';

export const HISTORY_GROUP_FORMAT = 1;

/**
 * Appends rows[order[from]] … rows[order[to - 1]] (the group's events after its first) to w; returns
 * their [offset, length] in w.bytes.
 */
export function writeHistoryGroup(w: StateBytes, rows: HistoryBuffer, order: ArrayLike<number>, from: number, to: number, ts: number): [number, number] {
  const start = w.begin();
  w.int(HISTORY_GROUP_FORMAT);
  for (let i = from; i < to; i++) {
    const k = order[i] as number;
    const flags = rows.flags(k);
    w.int(rows.node(k));
    w.int(rows.seq(k));
    w.int(rows.ts(k) - ts);
    w.str(rows.status(k));
    w.str(flags.length === 0 ? '' : flagsText(flags));
    w.str(rows.ifId(k));
    w.str(rows.encap(k));
    w.int(rows.pcTag(k));
    w.str(rows.rwMac(k));
    w.int(rows.rwBd(k));
    w.int(rows.remote(k));
  }
  return [start, w.pos - start];
}

/** The fields of a group's later event that its row does not share with the first. */
type GroupEvent = Omit<HistoryRow, 'fabric' | 'vnid' | 'addr'>;

/**
 * The events of a row, in the order they were written: the row's own, then those in `more`. Damaged
 * bytes throw a store_error naming the row.
 */
export function historyRowEvents<R extends HistoryRow>(row: R & { id: number; more?: Uint8Array | null }): R[] {
  const more = row.more;
  if (!more || more.length === 0) return [row];
  const r = new StateReader(more, (why: string): never => {
    throw new EptError('store_error', `history row ${row.id} of ${row.fabric}/${row.vnid}/${row.addr} is damaged: ${why}`);
  });
  if (r.int() !== HISTORY_GROUP_FORMAT) throw new EptError('store_error', `history row ${row.id} of ${row.fabric}/${row.vnid}/${row.addr} is damaged: unknown format`);
  const out: R[] = [row];
  // Each event reads at least one byte: the loop ends.
  while (!r.done()) {
    const e: GroupEvent = {
      node: r.int(),
      seq: r.int(),
      ts: row.ts + r.int(),
      status: r.str() as HistoryRow['status'],
      flags: r.str(),
      if_id: r.str(),
      encap: r.str(),
      pc_tag: r.int(),
      rw_mac: r.str(),
      rw_bd: r.int(),
      remote: r.int(),
    };
    out.push({ ...row, ...e, more: null });
  }
  return out;
}
