// Write batches for SQLite, in two halves: encodeBatch turns a WriteBatch into rows as columns (on
// the caller's thread), and SqliteBatchWriter applies them in one transaction (on the caller's thread,
// or in the writer thread, sqlite-writer-thread.ts, which keeps commits and checkpoints off the
// event loop).
import type Database from 'better-sqlite3';
import { EptError } from '../core/errors.js';
import { flagsText } from '../core/intern.js';
import { jsonAsIs } from '../core/json-text.js';
import { StateBytes, writeEndpointBinary } from './endpoint-binary.js';
import { endpointColumns } from './endpoint-columns.js';
import type { EndpointState, Finding, Location } from '../core/types.js';
import type { MoRow } from '../core/fabric-tables.js';
import { recordNode, type PendingCheckRecord, type WriteBatch } from './store.js';
import { FindingPruner, HISTORY_HEAD_SQL, HistoryPruner, prunesAt } from './sqlite-chains.js';
import { writeHistoryGroup } from './history-group.js';
import { HistoryBuffer } from './history-buffer.js';

type Row = (string | number)[];

/**
 * Rows of one table as columns: every row's numbers in one Float64Array (moved to the writer thread,
 * not copied), strings that repeat (fabric, type, status, flags, names, MACs) as numbers into the
 * batch's string table, and strings of their own row (address, state) in `texts`. Posting 5 000
 * endpoint rows this way costs a fraction of posting them as arrays of values.
 */
export interface RowColumns {
  count: number;
  /** A fixed number of numbers per row (ENDPOINT_NUMS, HISTORY_NUMS). */
  nums: Float64Array;
  /** Per row: [addr] for endpoints and for history written by key, none otherwise. */
  texts: string[];
  /** Endpoints: the states' bytes (format 2); history: the groups' later events; each at the offset and length its numbers give. */
  bytes?: Uint8Array;
}

/**
 * A write batch as columns: cheap to post to a worker thread. Endpoints with an id (> 0) are written
 * by id, those without (tests, tools) by key; likewise history rows.
 */
export interface EncodedBatch {
  /** Repeated strings, referred to by number from the rows. */
  strings: string[];
  /** ENDPOINT_NUMS numbers ([fabric#, vnid, type#, curNode, ts, deletedTs, offsubnet, stale, deleted, rapidUntil, goneTs, id, state offset, state length]) and [addr] per row, sorted by id. */
  endpoints: RowColumns;
  /** The same for endpoints without an id (0), upserted by key. */
  endpointsByKey: RowColumns;
  /**
   * HISTORY_NUMS numbers ([node, seq, ts, status#, flags#, ifId#, encap#, pcTag, rwMac#, rwBd, remote,
   * ep, fabric#, vnid, more offset, more length, prune]) per row: one row per endpoint, its first
   * event in the numbers and its later ones (arrival order) as bytes; prune is 1 when an event's seq
   * is a pruning point (prunesAt).
   */
  history: RowColumns;
  /** History of endpoints without an id: the same numbers (ep 0, no more bytes) and [addr] per row, one row per event. */
  historyByKey: RowColumns;
  /** History rows kept per endpoint and node (reads skip older ones; pruning deletes them). */
  historyCap: number;
  /** One per finding: [ep (0: find by key), kind, node, fabric, vnid, addr, type, ts, finding JSON], sorted by (ep, kind, node). */
  findings: Row[];
  findingCap: number;
  checksAdded: PendingCheckRecord[];
  checksDone: PendingCheckRecord[];
}

const ENDPOINT_NUMS = 14;
const HISTORY_NUMS = 17;

/** A finding record's changing part, by "kind:node": [count, first_ts, last_ts, cap, head, last_event] (schema v11). */
type FindCounts = Record<string, [number, number, number, number, number, number]>;

/**
 * An endpoint's finding counts as stored. Text that is not such an object (a damaged row) counts
 * from nothing again rather than failing every batch that carries a finding of that endpoint: its
 * records' older events stay in the log, unchained.
 */
export function parseFindCounts(text: string | null | undefined): FindCounts {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: FindCounts = {};
    for (const [k, r] of Object.entries(v as Record<string, unknown>)) {
      if (Array.isArray(r) && r.length === 6 && r.every((x) => Number.isSafeInteger(x))) out[k] = r as FindCounts[string];
    }
    return out;
  } catch {
    return {};
  }
}

/** The buffers a batch's columns live in, to move (not copy) them to the writer thread. */
export function batchTransferList(b: EncodedBatch): ArrayBuffer[] {
  const list = [b.endpoints.nums.buffer, b.endpointsByKey.nums.buffer, b.history.nums.buffer, b.historyByKey.nums.buffer] as ArrayBuffer[];
  for (const c of [b.endpoints, b.endpointsByKey, b.history, b.historyByKey]) if (c.bytes) list.push(c.bytes.buffer as ArrayBuffer);
  return list;
}

/** Numbers for the strings of one batch, each string once. */
class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

const byFindingKey = (a: Row, b: Row): number => {
  for (let i = 0; i < 3; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

function endpointColumnsOf(states: readonly EndpointState[], t: StringTable): RowColumns {
  const nums = new Float64Array(states.length * ENDPOINT_NUMS);
  const texts = new Array<string>(states.length);
  const w = new StateBytes(Math.max(1024, states.length * 320));
  for (let i = 0, o = 0; i < states.length; i++, o += ENDPOINT_NUMS) {
    const s = states[i] as EndpointState;
    const c = endpointColumns(s);
    nums[o] = t.id(s.fabric);
    nums[o + 1] = s.vnid;
    nums[o + 2] = t.id(s.type);
    nums[o + 3] = c.curNode;
    nums[o + 4] = s.ts;
    nums[o + 5] = s.deletedTs;
    nums[o + 6] = c.offsubnet;
    nums[o + 7] = c.stale;
    nums[o + 8] = c.deleted;
    nums[o + 9] = s.flags.rapidUntil;
    nums[o + 10] = c.goneTs;
    nums[o + 11] = s.id;
    const [off, len] = writeEndpointBinary(w, s);
    nums[o + 12] = off;
    nums[o + 13] = len;
    texts[i] = s.addr;
  }
  return { count: states.length, nums, texts, bytes: w.bytes };
}

/**
 * History rows of rows[order[i]]: with `grouped` (order by endpoint), one row per endpoint (its first
 * event in the numbers, the others as bytes, history-group.ts); without, one row per event, named by
 * key.
 */
function historyColumnsOf(rows: HistoryBuffer, order: ArrayLike<number>, grouped: boolean, t: StringTable, cap: number): RowColumns {
  const n = order.length;
  const nums = new Float64Array(n * HISTORY_NUMS);
  const texts: string[] = grouped ? [] : new Array<string>(n);
  const w = new StateBytes(grouped ? Math.max(1024, n * 24) : 16);
  let count = 0;
  for (let i = 0, o = 0; i < n; o += HISTORY_NUMS, count++) {
    const k = order[i] as number;
    const ep = rows.ep(k);
    // The group: the next events of the same endpoint.
    let j = i + 1;
    if (grouped) while (j < n && rows.ep(order[j] as number) === ep) j++;
    let prune = false;
    for (let x = i; x < j && !prune; x++) prune = prunesAt(rows.seq(order[x] as number), cap);
    nums[o] = rows.node(k);
    nums[o + 1] = rows.seq(k);
    nums[o + 2] = rows.ts(k);
    nums[o + 3] = t.id(rows.status(k));
    nums[o + 4] = t.id(flagsText(rows.flags(k)));
    nums[o + 5] = t.id(rows.ifId(k));
    nums[o + 6] = t.id(rows.encap(k));
    nums[o + 7] = rows.pcTag(k);
    nums[o + 8] = t.id(rows.rwMac(k));
    nums[o + 9] = rows.rwBd(k);
    nums[o + 10] = rows.remote(k);
    nums[o + 11] = ep;
    nums[o + 12] = t.id(rows.fabric(k));
    nums[o + 13] = rows.vnid(k);
    if (j > i + 1) {
      const [off, len] = writeHistoryGroup(w, rows, order, i + 1, j, rows.ts(k));
      nums[o + 14] = off;
      nums[o + 15] = len;
    }
    nums[o + 16] = prune ? 1 : 0;
    if (!grouped) texts[count] = rows.addr(k);
    i = j;
  }
  return { count, nums, texts, bytes: w.bytes };
}

/**
 * Indices of the history rows with an id (> 0), by endpoint and then arrival (the index breaks ties).
 * Sorted as numbers id * 2^k + index (k: the bits of an index) by the typed array's own sort, not
 * with a comparator called from it (~12 calls per row: a few percent of the event loop at 50K
 * events/s); ids too large for that (never, in practice) take the comparator.
 */
export function historyOrder(ep: (i: number) => number, n: number, withIds: number): Uint32Array {
  const order = new Uint32Array(withIds);
  let maxId = 0;
  for (let i = 0; i < n; i++) maxId = Math.max(maxId, ep(i));
  const scale = 2 ** Math.ceil(Math.log2(n + 1));
  if (maxId * scale + scale > Number.MAX_SAFE_INTEGER) {
    for (let i = 0, j = 0; i < n; i++) if (ep(i) > 0) order[j++] = i;
    return order.sort((x, y) => ep(x) - ep(y) || x - y);
  }
  const keys = new Float64Array(withIds);
  for (let i = 0, j = 0; i < n; i++) {
    const id = ep(i);
    if (id > 0) keys[j++] = id * scale + i;
  }
  keys.sort();
  for (let j = 0; j < withIds; j++) order[j] = (keys[j] as number) % scale;
  return order;
}

const MOVE_KEYS = ['kind', 'fabric', 'vnid', 'addr', 'type', 'ts', 'node', 'src', 'dst'];
const LOCATION_KEYS = ['node', 'ifId', 'encap', 'pcTag', 'rwMac', 'rwBd', 'ts'];

/** True when o's own enumerable keys are exactly keys, in that order. */
function hasKeys(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (keys[i++] !== k) return false;
  return i === keys.length;
}

function locationJson(l: Location): string | null {
  if (!hasKeys(l, LOCATION_KEYS) || !jsonAsIs(l.ifId) || !jsonAsIs(l.encap) || !jsonAsIs(l.rwMac)) return null;
  if (!Number.isFinite(l.node) || !Number.isFinite(l.pcTag) || !Number.isFinite(l.rwBd) || !Number.isFinite(l.ts)) return null;
  return `{"node":${l.node},"ifId":"${l.ifId}","encap":"${l.encap}","pcTag":${l.pcTag},"rwMac":"${l.rwMac}","rwBd":${l.rwBd},"ts":${l.ts}}`;
}

/**
 * A finding's JSON, the text JSON.stringify gives: for a move (most findings: one per move) from a
 * template, ~2x faster (JSON of findings was 3-5 % of the event loop at 90K events/s); for anything
 * else, or a move whose keys are not those analyses.ts gives it (in its order) or whose strings
 * need escapes, by JSON.stringify.
 */
export function findingJson(f: Finding): string {
  if (f.kind === 'move' && f.src && f.dst && hasKeys(f, MOVE_KEYS) && jsonAsIs(f.fabric) && jsonAsIs(f.addr) && Number.isFinite(f.vnid) && Number.isFinite(f.ts) && Number.isFinite(f.node)) {
    const src = locationJson(f.src);
    const dst = src === null ? null : locationJson(f.dst);
    if (dst !== null) return `{"kind":"move","fabric":"${f.fabric}","vnid":${f.vnid},"addr":"${f.addr}","type":"${f.type}","ts":${f.ts},"node":${f.node},"src":${src},"dst":${dst}}`;
  }
  return JSON.stringify(f);
}

// Endpoint rows and finding records are sorted by key: random keys written in key order touch each
// B-tree page once per batch, in order, which at a million endpoints is 2-4x faster than arrival
// order. History rows are appended; they are grouped by endpoint (one chain head read and written
// per endpoint and batch). The sorts are stable, so two rows with one key keep their order.
export function encodeBatch(b: WriteBatch): EncodedBatch {
  const t = new StringTable();
  const withId: EndpointState[] = [];
  const withoutId: EndpointState[] = [];
  for (const s of b.endpoints) (s.id > 0 ? withId : withoutId).push(s);
  withId.sort((x, y) => x.id - y.id);
  const rows = b.historyRows ?? HistoryBuffer.from(b.history, b.historyIds);
  let withIds = 0;
  for (let i = 0; i < rows.length; i++) if (rows.ep(i) > 0) withIds++;
  // Rows without an id, in arrival order; those with one by endpoint and then arrival.
  const byKey = new Uint32Array(rows.length - withIds);
  for (let i = 0, j = 0; i < rows.length; i++) if (rows.ep(i) <= 0) byKey[j++] = i;
  const order = historyOrder((i) => rows.ep(i), rows.length, withIds);
  const fids = b.findingIds;
  const findings = b.findings.map((f, i) => [fids?.[i] ?? 0, f.kind, recordNode(f), f.fabric, f.vnid, f.addr, f.type, f.ts, findingJson(f)]).sort(byFindingKey);
  return {
    endpoints: endpointColumnsOf(withId, t),
    endpointsByKey: endpointColumnsOf(withoutId, t),
    history: historyColumnsOf(rows, order, true, t, b.historyCap),
    historyByKey: historyColumnsOf(rows, byKey, false, t, b.historyCap),
    historyCap: b.historyCap,
    strings: t.strings,
    findings,
    findingCap: b.findingCap,
    checksAdded: b.checksAdded ?? [],
    checksDone: b.checksDone ?? [],
  };
}

/**
 * Fabric objects to save (Store.saveFabricObjects): [dn, cls, attrs JSON, or null to delete] per
 * row, after deleting every stored object of replaceClasses.
 */
export interface EncodedObjects {
  fabric: string;
  replaceClasses: string[];
  rows: [dn: string, cls: string, attrs: string | null][];
}

export function encodeObjects(fabric: string, rows: readonly MoRow[], replaceClasses: readonly string[] = []): EncodedObjects {
  return {
    fabric,
    replaceClasses: [...replaceClasses],
    rows: rows.map((r) => [r.dn, r.cls, r.attrs['status'] === 'deleted' ? null : JSON.stringify(r.attrs)]),
  };
}

/** Prepared statements and the transaction that applies an encoded batch. */
export class SqliteBatchWriter {
  private readonly tx: Database.Transaction<(b: EncodedBatch) => void>;
  private readonly objectsTx: Database.Transaction<(o: EncodedObjects) => void>;

  constructor(db: Database.Database) {
    const columns = 'cur_node, ts, deleted_ts, offsubnet, stale, deleted, rapid_until, gone_ts, state';
    const updates = `cur_node = excluded.cur_node, ts = excluded.ts, deleted_ts = excluded.deleted_ts, offsubnet = excluded.offsubnet,
      stale = excluded.stale, deleted = excluded.deleted, rapid_until = excluded.rapid_until, gone_ts = excluded.gone_ts, state = excluded.state`;
    // An endpoint row by id. Its finding counts, when this batch has findings for it, are bound
    // (the findings are counted before the rows are written: one row write per endpoint, not an
    // upsert and then an UPDATE of finds); else a new row takes over the counts its endpoint had
    // without a row (finding_heads) and an update leaves finds alone. Its history head: the one it
    // had without a row (history_heads: a build writes history before endpoint rows; updates leave
    // hist_head and hist_cap alone), or, when this batch wrote history rows for it before its row,
    // the new head and cap, bound as parameters and set by updates too (the rows chain back to any
    // older head).
    const upsertById = (headInBatch: boolean): Database.Statement =>
      db.prepare(
        `INSERT INTO endpoints (fabric, vnid, addr, type, ${columns}, id, hist_head, hist_cap, finds)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${headInBatch ? '?, ?' : 'ifnull(x.head, 0), ifnull(x.cap, 0)'}, ifnull(?, y.finds)
         FROM (SELECT 1) ${headInBatch ? '' : 'LEFT JOIN history_heads x ON x.ep = ?'} LEFT JOIN finding_heads y ON y.ep = ? WHERE true
         ON CONFLICT (id) DO UPDATE SET ${updates}${headInBatch ? ', hist_head = excluded.hist_head, hist_cap = excluded.hist_cap' : ''},
           finds = ifnull(excluded.finds, endpoints.finds)`,
      );
    const upsertEndpoint = upsertById(false);
    const upsertEndpointWithHead = upsertById(true);
    // Whether history_heads or finding_heads has a row: both are empty once a build's endpoints
    // have rows, and the deletes that hand a head over to its row are then skipped (read once per
    // batch, inside its transaction, and set when this batch adds one).
    const headsExist = db.prepare('SELECT EXISTS (SELECT 1 FROM history_heads) OR EXISTS (SELECT 1 FROM finding_heads)').pluck();
    const dropHead = db.prepare('DELETE FROM history_heads WHERE ep = ?');
    const dropFindingHead = db.prepare('DELETE FROM finding_heads WHERE ep = ?');
    const upsertEndpointByKey = db.prepare(
      `INSERT INTO endpoints (fabric, vnid, addr, type, ${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fabric, addr, vnid) DO UPDATE SET ${updates}`,
    );
    const endpointId = db.prepare('SELECT id FROM endpoints WHERE fabric = ? AND addr = ? AND vnid = ?').pluck();
    // History rows are appended, each chained to its endpoint's previous row: the head is kept in
    // the endpoint's row (schema v10), written in the same batch (its page is dirty already), or
    // in history_heads while the endpoint has no row (see HISTORY_HEAD_SQL). An endpoint's events of
    // one batch are one row (schema v12, history-group.ts), which reads the head in its INSERT.
    const setRowHead = db.prepare('UPDATE endpoints SET hist_head = ?, hist_cap = ? WHERE id = ?');
    const putHead = db.prepare('INSERT INTO history_heads (ep, head, cap) VALUES (?, ?, ?) ON CONFLICT (ep) DO UPDATE SET head = excluded.head, cap = excluded.cap');
    // The endpoint three times: the row's, and the two places HISTORY_HEAD_SQL looks (its @ep
    // written as positional parameters) for prev.
    const putHistory = db.prepare(
      `INSERT INTO history (ep, prev, node, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote, more)
       VALUES (?, ifnull(${HISTORY_HEAD_SQL.replaceAll('@ep', '?')}, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const historyPruner = new HistoryPruner(db);
    // A finding's event is appended to finding_log, chained to its record's previous event, with
    // the record's key and the finding's time (finding_log_recent, newest-first listings). What
    // changes per finding (count, which numbers its events; first and last time; cap; head; the
    // latest event by time) is kept in the endpoint's row (finds, schema v11: its page is written
    // in this batch anyway), or in finding_heads while the endpoint has no row; finding_records
    // gets a row once per record.
    const putFindingEvent = db.prepare('INSERT INTO finding_log (ep, kind, node, seq, prev, fabric, vnid, addr, ts, finding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const putRecord = db.prepare('INSERT OR IGNORE INTO finding_records (ep, kind, node, fabric, vnid, addr, type) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const rowFinds = db.prepare('SELECT finds FROM endpoints WHERE id = ?').pluck();
    const setRowFinds = db.prepare('UPDATE endpoints SET finds = ? WHERE id = ?');
    const headFinds = db.prepare('SELECT finds FROM finding_heads WHERE ep = ?').pluck();
    const putHeadFinds = db.prepare('INSERT OR REPLACE INTO finding_heads (ep, finds) VALUES (?, ?)');
    const findingPruner = new FindingPruner(db);
    const addCheck = db.prepare('INSERT OR REPLACE INTO pending_checks (fabric, vnid, addr, kind, node, due_ts) VALUES (?, ?, ?, ?, ?, ?)');
    const doneCheck = db.prepare('DELETE FROM pending_checks WHERE fabric = ? AND vnid = ? AND addr = ? AND kind = ? AND node = ?');
    /** The id of an endpoint a row names only by key (writers without ids): it must be stored. */
    const storedId = (fabric: string, vnid: number, addr: string, what: string): number => {
      const id = endpointId.get(fabric, addr, vnid) as number | undefined;
      if (id === undefined) throw new EptError('bad_request', `${what} for endpoint ${fabric}/${vnid}/${addr}, which is not stored`);
      return id;
    };
    const delCls = db.prepare('DELETE FROM fabric_objects WHERE fabric = ? AND cls = ?');
    const delObject = db.prepare('DELETE FROM fabric_objects WHERE fabric = ? AND dn = ?');
    const putObject = db.prepare('INSERT OR REPLACE INTO fabric_objects (fabric, dn, cls, attrs) VALUES (?, ?, ?, ?)');
    this.objectsTx = db.transaction((o: EncodedObjects) => {
      for (const cls of o.replaceClasses) delCls.run(o.fabric, cls);
      for (const [dn, cls, attrs] of o.rows) {
        if (attrs === null) delObject.run(o.fabric, dn);
        else putObject.run(o.fabric, dn, cls, attrs);
      }
    });
    this.tx = db.transaction((b: EncodedBatch) => {
      const str = b.strings;
      const at = (i: number): string => str[i] as string;
      let heads = headsExist.get() === 1;
      const hcap = b.historyCap;
      // History rows of endpoints with an id first, one per endpoint: each reads the chain head
      // (from the endpoint's row, or history_heads) in its INSERT; the new head goes into the
      // endpoint's row with its upsert below, or by itself for an endpoint this batch has no row for.
      const newHeads = new Map<number, number>();
      const prunes: number[] = [];
      /**
       * Appends findings (sorted by endpoint) to finding_log and counts them: an endpoint's counts
       * are read and written once per batch. With found, the counts' text of each endpoint goes
       * there, for its row's upsert to write (a row it does not have yet starts from finding_heads);
       * without, into its row, or finding_heads when it has none.
       */
      const applyFindings = (findings: readonly Row[], found: Map<number, string> | null): void => {
        const cap = b.findingCap;
        let ep = 0;
        let inRow = false;
        let finds: FindCounts = {};
        const endEndpoint = (): void => {
          if (ep === 0) return;
          const text = JSON.stringify(finds);
          if (found) found.set(ep, text);
          else if (inRow) setRowFinds.run(text, ep);
          else {
            putHeadFinds.run(ep, text);
            heads = true;
          }
        };
        for (const [id, kind, node, fabric, vnid, addr, type, ts, json] of findings) {
          const rowEp = id !== 0 ? (id as number) : storedId(fabric as string, vnid as number, addr as string, 'finding');
          if (rowEp !== ep) {
            endEndpoint();
            ep = rowEp;
            const stored = rowFinds.get(ep) as string | null | undefined;
            inRow = stored !== undefined;
            finds = parseFindCounts(inRow ? stored : (headFinds.get(ep) as string | undefined));
          }
          const key = `${kind as string}:${node as number}`;
          const rec = finds[key];
          if (!rec) putRecord.run(ep, kind, node, fabric, vnid, addr, type);
          const count = (rec?.[0] ?? 0) + 1;
          const event = Number(putFindingEvent.run(ep, kind, node, count, rec?.[4] ?? 0, fabric, vnid, addr, ts, json).lastInsertRowid);
          const t = ts as number;
          const latest = !rec || t >= rec[2] ? event : rec[5];
          finds[key] = [count, rec ? Math.min(rec[1], t) : t, rec ? Math.max(rec[2], t) : t, cap, event, latest];
          if (prunesAt(count, cap)) findingPruner.prune(event, cap, latest);
        }
        endEndpoint();
      };
      const putChain = (cols: RowColumns, byId: boolean, endGroup: (ep: number, head: number, prune: boolean) => void): void => {
        const { nums: n, bytes } = cols;
        for (let i = 0, o = 0; i < cols.count; i++, o += HISTORY_NUMS) {
          const ep = byId ? n[o + 11]! : storedId(at(n[o + 12]!), n[o + 13]!, cols.texts[i]!, 'history row');
          const more = n[o + 15]! > 0 ? Buffer.from(bytes!.buffer, bytes!.byteOffset + n[o + 14]!, n[o + 15]!) : null;
          const r = putHistory.run(ep, ep, ep, n[o], n[o + 1], n[o + 2], at(n[o + 3]!), at(n[o + 4]!), at(n[o + 5]!), at(n[o + 6]!), n[o + 7], at(n[o + 8]!), n[o + 9], n[o + 10], more);
          endGroup(ep, Number(r.lastInsertRowid), n[o + 16] === 1);
        }
      };
      const setHead = (ep: number, head: number): void => {
        if (setRowHead.run(head, hcap, ep).changes === 0) {
          putHead.run(ep, head, hcap);
          heads = true;
        }
      };
      putChain(b.history, true, (ep, head, prune) => {
        newHeads.set(ep, head);
        if (prune) prunes.push(ep);
      });
      // Findings of endpoints whose rows this batch writes by id: counted first, their counts
      // written with the rows (found). The others after the rows (below), as they may need them.
      const rowIds = new Set<number>();
      for (let i = 0, o = 11; i < b.endpoints.count; i++, o += ENDPOINT_NUMS) rowIds.add(b.endpoints.nums[o]!);
      const withRows: Row[] = [];
      const others: Row[] = [];
      for (const f of b.findings) (rowIds.has(f[0] as number) ? withRows : others).push(f);
      const found = new Map<number, string>();
      applyFindings(withRows, found);
      for (const [cols, byId] of [[b.endpoints, true], [b.endpointsByKey, false]] as const) {
        const { nums: n, texts, bytes } = cols;
        for (let i = 0, o = 0; i < cols.count; i++, o += ENDPOINT_NUMS) {
          const fabric = at(n[o]!);
          const addr = texts[i]!;
          // A view of the batch's bytes, bound as a BLOB (better-sqlite3 binds Buffers).
          const state = Buffer.from(bytes!.buffer, bytes!.byteOffset + n[o + 12]!, n[o + 13]!);
          const type = at(n[o + 2]!);
          if (byId) {
            const id = n[o + 11]!;
            const head = newHeads.get(id);
            const finds = found.get(id) ?? null;
            if (head === undefined) upsertEndpoint.run(fabric, n[o + 1], addr, type, n[o + 3], n[o + 4], n[o + 5], n[o + 6], n[o + 7], n[o + 8], n[o + 9], n[o + 10], state, id, finds, id, id);
            else {
              upsertEndpointWithHead.run(fabric, n[o + 1], addr, type, n[o + 3], n[o + 4], n[o + 5], n[o + 6], n[o + 7], n[o + 8], n[o + 9], n[o + 10], state, id, head, hcap, finds, id);
              newHeads.delete(id);
            }
            if (heads) {
              dropHead.run(id);
              dropFindingHead.run(id);
            }
          } else upsertEndpointByKey.run(fabric, n[o + 1], addr, type, n[o + 3], n[o + 4], n[o + 5], n[o + 6], n[o + 7], n[o + 8], n[o + 9], n[o + 10], state);
        }
      }
      // Heads of endpoints with history and no row in this batch; then the chains due for pruning
      // (they walk from the heads just written).
      for (const [ep, head] of newHeads) setHead(ep, head);
      for (const ep of prunes) historyPruner.prune(ep, hcap);
      // History of endpoints named by key (after their rows, which give them an id).
      putChain(b.historyByKey, false, (ep, head, prune) => {
        setHead(ep, head);
        if (prune) historyPruner.prune(ep, hcap);
      });
      applyFindings(others, null);
      for (const c of b.checksDone) doneCheck.run(c.fabric, c.vnid, c.addr, c.kind, c.node);
      for (const c of b.checksAdded) addCheck.run(c.fabric, c.vnid, c.addr, c.kind, c.node, c.dueTs);
    });
  }

  // Transactions take the write lock as they begin (IMMEDIATE), waiting for it as long as the busy
  // timeout allows: a transaction that read first and then found the lock taken (by a write of the
  // store's own connection: deleting a fabric, purging endpoints) would fail at once.

  /** Applies one batch in one transaction. */
  apply(b: EncodedBatch): void {
    this.tx.immediate(b);
  }

  /** Saves fabric objects in one transaction. */
  applyObjects(o: EncodedObjects): void {
    this.objectsTx.immediate(o);
  }
}
