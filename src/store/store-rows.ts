// Row shapes and row-to-record mapping shared by the SQL Store adapters (column names are the
// same in SQLite and PostgreSQL).
import { EptError } from '../core/errors.js';
import type { EndpointState, EndpointType, Finding, FindingKind, HistoryEvent } from '../core/types.js';
import { decodeEndpointState } from './endpoint-codec.js';
import type { FindingRecord } from './store.js';

export interface FindingRow {
  fabric: string;
  kind: FindingKind;
  vnid: number;
  addr: string;
  node: number;
  type: FindingRecord['type'];
  count: number;
  first_ts: number;
  last_ts: number;
  cap: number;
  /** The latest finding's JSON (PostgreSQL); SQLite keeps findings only as events (v6). */
  last?: string;
}

export interface HistoryRow {
  fabric: string;
  vnid: number;
  addr: string;
  node: number;
  seq: number;
  ts: number;
  status: HistoryEvent['status'];
  flags: string;
  if_id: string;
  encap: string;
  pc_tag: number;
  rw_mac: string;
  rw_bd: number;
  remote: number;
}

export interface EndpointRowText {
  /** The row id, where the adapter keeps one (SQLite). */
  id?: number;
  fabric: string;
  addr: string;
  vnid: number;
  type: EndpointType;
  /** Text (JSON, format 1) or bytes (SQLite, format 2): endpoint-codec.ts. */
  state: string | Uint8Array;
}

export function endpointFromRow(r: EndpointRowText): EndpointState {
  return decodeEndpointState(r, r.type, r.state, r.id ?? 0);
}

export function compareEndpointRows(a: EndpointRowText, b: EndpointRowText): number {
  if (a.addr !== b.addr) return a.addr < b.addr ? -1 : 1;
  if (a.vnid !== b.vnid) return a.vnid - b.vnid;
  return a.fabric < b.fabric ? -1 : a.fabric > b.fabric ? 1 : 0;
}

export function historyEvent(r: HistoryRow): HistoryEvent {
  return {
    fabric: r.fabric,
    vnid: r.vnid,
    addr: r.addr,
    node: r.node,
    status: r.status,
    ts: r.ts,
    flags: r.flags === '' ? [] : r.flags.split(','),
    ifId: r.if_id,
    encap: r.encap,
    pcTag: r.pc_tag,
    rwMac: r.rw_mac,
    rwBd: r.rw_bd,
    remote: r.remote,
    seq: r.seq,
  };
}

export function isCap(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new EptError('bad_request', `limit must be a positive integer, got ${limit}`);
}

/**
 * A finding record from its row and its events (newest first). The latest finding is `last`
 * (PostgreSQL's column; SQLite passes its record's last_event), else the kept event with the
 * latest time (of two at one time, the newer event).
 */
export function findingRecord(r: FindingRow, events: readonly string[]): FindingRecord {
  const parsed = events.map((e) => JSON.parse(e) as Finding);
  let last: Finding | undefined;
  if (r.last !== undefined) last = JSON.parse(r.last) as Finding;
  else for (const f of parsed) if (last === undefined || f.ts > last.ts) last = f;
  if (last === undefined) throw new EptError('store_error', `finding record ${r.kind} ${r.fabric}/${r.vnid}/${r.addr} node ${r.node} has no events`);
  return {
    fabric: r.fabric,
    kind: r.kind,
    vnid: r.vnid,
    addr: r.addr,
    type: r.type,
    node: r.node,
    count: r.count,
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    last,
    events: parsed,
  };
}
