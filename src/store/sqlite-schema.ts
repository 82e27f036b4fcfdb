// The SQLite schema as an ordered list of migrations, applied once each and recorded in
// schema_version. Never edit a shipped migration: append a new one.
import { EptError } from '../core/errors.js';
import { SQLITE_HOST_TABLES } from './host-store.js';

/** The subset of better-sqlite3 the migrator needs (keeps this file free of the driver's types). */
export interface MigrationDb {
  exec(sql: string): unknown;
  prepare(sql: string): { get(...params: unknown[]): unknown; run(...params: unknown[]): unknown };
  transaction(fn: () => void): () => void;
}

/** One schema step. */
export interface Migration {
  version: number;
  /** What the step does, for the log and for whoever reads the schema_version table. */
  description: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'fabrics, fabric objects, endpoints, history, findings, users, tokens',
    sql: `
      CREATE TABLE fabrics (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE fabric_objects (
        fabric TEXT NOT NULL,
        dn TEXT NOT NULL,
        cls TEXT NOT NULL,
        attrs TEXT NOT NULL,
        PRIMARY KEY (fabric, dn)
      ) WITHOUT ROWID;
      CREATE INDEX fabric_objects_cls ON fabric_objects (fabric, cls);

      -- A rowid table with a unique key: states are large (JSON), which WITHOUT ROWID handles poorly.
      -- Only the derived columns below are indexed; the upsert never rewrites fabric/vnid/addr/type,
      -- so the key and type indexes are not touched when an endpoint is updated.
      CREATE TABLE endpoints (
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        type TEXT NOT NULL,
        cur_node INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        deleted_ts INTEGER NOT NULL,
        offsubnet INTEGER NOT NULL,
        stale INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        rapid_until INTEGER NOT NULL,
        gone_ts INTEGER NOT NULL,
        state TEXT NOT NULL
      );
      CREATE UNIQUE INDEX endpoints_key ON endpoints (fabric, addr, vnid);
      CREATE INDEX endpoints_type ON endpoints (fabric, type, addr, vnid);
      -- Flagged endpoints are few: partial indexes make flag listings cheap without costing the
      -- (many) unflagged writes more than a WHERE evaluation.
      CREATE INDEX endpoints_offsubnet ON endpoints (fabric, addr, vnid) WHERE offsubnet = 1;
      CREATE INDEX endpoints_stale ON endpoints (fabric, addr, vnid) WHERE stale = 1;
      CREATE INDEX endpoints_rapid ON endpoints (fabric, addr, vnid) WHERE rapid_until > 0;
      CREATE INDEX endpoints_deleted ON endpoints (fabric, addr, vnid) WHERE deleted = 1;
      CREATE INDEX endpoints_gone ON endpoints (fabric, gone_ts) WHERE gone_ts > 0;

      -- Capped by construction: slot = seq mod cap, written with INSERT OR REPLACE.
      CREATE TABLE history (
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        node INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        status TEXT NOT NULL,
        flags TEXT NOT NULL,
        if_id TEXT NOT NULL,
        encap TEXT NOT NULL,
        pc_tag INTEGER NOT NULL,
        rw_mac TEXT NOT NULL,
        rw_bd INTEGER NOT NULL,
        remote INTEGER NOT NULL,
        PRIMARY KEY (fabric, vnid, addr, node, slot)
      ) WITHOUT ROWID;

      CREATE TABLE findings (
        fabric TEXT NOT NULL,
        kind TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        node INTEGER NOT NULL,
        type TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_ts INTEGER NOT NULL,
        last_ts INTEGER NOT NULL,
        cap INTEGER NOT NULL,
        last TEXT NOT NULL,
        PRIMARY KEY (fabric, kind, vnid, addr, node)
      ) WITHOUT ROWID;
      CREATE INDEX findings_recent ON findings (fabric, kind, last_ts, vnid, addr, node);

      -- The recent events of a finding record, capped like history (slot = seq mod cap), so adding
      -- one event never rewrites the others.
      CREATE TABLE finding_events (
        fabric TEXT NOT NULL,
        kind TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        node INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        finding TEXT NOT NULL,
        PRIMARY KEY (fabric, kind, vnid, addr, node, slot)
      ) WITHOUT ROWID;

      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        expires_ts INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX tokens_expiry ON tokens (expires_ts);
    `,
  },
  {
    version: 2,
    description: 'pending checks (the watcher\'s durable delayed queue)',
    sql: `
      CREATE TABLE pending_checks (
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        kind TEXT NOT NULL,
        node INTEGER NOT NULL,
        due_ts INTEGER NOT NULL,
        PRIMARY KEY (fabric, vnid, addr, kind, node)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'endpoint clears and the audit log',
    sql: `
      -- Append-only logs: the id orders them (newest first by id) and is the page cursor.
      CREATE TABLE clears (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        ts INTEGER NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX clears_fabric ON clears (fabric, id);
      CREATE INDEX clears_endpoint ON clears (fabric, vnid, addr, id);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        fabric TEXT,
        record TEXT NOT NULL
      );
      CREATE INDEX audit_fabric ON audit (fabric, id);
    `,
  },
  {
    version: 4,
    description: 'host agents, module documents and their history, host-side tracking states and findings',
    sql: SQLITE_HOST_TABLES,
  },
  {
    version: 5,
    description: 'endpoints numbered (id), history keyed by endpoint id',
    sql: `
      -- The pipeline gives each endpoint a number when it first sees it (Store.newEndpointId) and
      -- addresses its row and its history by that number: integer keys, and batches sorted by them,
      -- write several times faster than (fabric, addr, vnid) text keys at a million endpoints.
      CREATE TABLE endpoints_v5 (
        id INTEGER PRIMARY KEY,
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        type TEXT NOT NULL,
        cur_node INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        deleted_ts INTEGER NOT NULL,
        offsubnet INTEGER NOT NULL,
        stale INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        rapid_until INTEGER NOT NULL,
        gone_ts INTEGER NOT NULL,
        state TEXT NOT NULL
      );
      INSERT INTO endpoints_v5 SELECT rowid, fabric, vnid, addr, type, cur_node, ts, deleted_ts, offsubnet, stale, deleted, rapid_until, gone_ts, state FROM endpoints;

      -- Capped by construction: slot = seq mod cap, written with INSERT OR REPLACE.
      CREATE TABLE history_v5 (
        ep INTEGER NOT NULL,
        node INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        status TEXT NOT NULL,
        flags TEXT NOT NULL,
        if_id TEXT NOT NULL,
        encap TEXT NOT NULL,
        pc_tag INTEGER NOT NULL,
        rw_mac TEXT NOT NULL,
        rw_bd INTEGER NOT NULL,
        remote INTEGER NOT NULL,
        PRIMARY KEY (ep, node, slot)
      ) WITHOUT ROWID;
      -- History of an endpoint whose row was never written (a crash between the two) has no id to
      -- go with: it is dropped.
      INSERT INTO history_v5
        SELECT e.id, h.node, h.slot, h.seq, h.ts, h.status, h.flags, h.if_id, h.encap, h.pc_tag, h.rw_mac, h.rw_bd, h.remote
        FROM history h JOIN endpoints_v5 e ON e.fabric = h.fabric AND e.addr = h.addr AND e.vnid = h.vnid;

      DROP TABLE history;
      DROP TABLE endpoints;
      ALTER TABLE endpoints_v5 RENAME TO endpoints;
      ALTER TABLE history_v5 RENAME TO history;
      CREATE UNIQUE INDEX endpoints_key ON endpoints (fabric, addr, vnid);
      CREATE INDEX endpoints_type ON endpoints (fabric, type, addr, vnid);
      CREATE INDEX endpoints_offsubnet ON endpoints (fabric, addr, vnid) WHERE offsubnet = 1;
      CREATE INDEX endpoints_stale ON endpoints (fabric, addr, vnid) WHERE stale = 1;
      CREATE INDEX endpoints_rapid ON endpoints (fabric, addr, vnid) WHERE rapid_until > 0;
      CREATE INDEX endpoints_deleted ON endpoints (fabric, addr, vnid) WHERE deleted = 1;
      CREATE INDEX endpoints_gone ON endpoints (fabric, gone_ts) WHERE gone_ts > 0;
    `,
  },
  {
    version: 6,
    description: 'finding records and their events keyed by endpoint id, each finding stored once',
    sql: `
      -- A record per (endpoint, kind, node) with its counts; the findings themselves only in
      -- finding_events (the newest is the record's last). Integer keys and records without JSON
      -- cost the writer ~35 us per finding instead of ~49 us with the text-keyed v1 tables.
      CREATE TABLE findings_v6 (
        ep INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node INTEGER NOT NULL,
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        type TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_ts INTEGER NOT NULL,
        last_ts INTEGER NOT NULL,
        cap INTEGER NOT NULL,
        PRIMARY KEY (ep, kind, node)
      ) WITHOUT ROWID;
      -- Records of an endpoint whose row was never written have no id to go with: they are dropped.
      INSERT INTO findings_v6
        SELECT e.id, f.kind, f.node, f.fabric, f.vnid, f.addr, f.type, f.count, f.first_ts, f.last_ts, f.cap
        FROM findings f JOIN endpoints e ON e.fabric = f.fabric AND e.addr = f.addr AND e.vnid = f.vnid;

      -- Capped like history: slot = seq mod cap.
      CREATE TABLE finding_events_v6 (
        ep INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        finding TEXT NOT NULL,
        PRIMARY KEY (ep, kind, node, slot)
      ) WITHOUT ROWID;
      INSERT INTO finding_events_v6
        SELECT e.id, fe.kind, fe.node, fe.slot, fe.seq, fe.finding
        FROM finding_events fe JOIN endpoints e ON e.fabric = fe.fabric AND e.addr = fe.addr AND e.vnid = fe.vnid;

      DROP TABLE findings;
      DROP TABLE finding_events;
      ALTER TABLE findings_v6 RENAME TO findings;
      ALTER TABLE finding_events_v6 RENAME TO finding_events;
      CREATE INDEX findings_recent ON findings (fabric, kind, last_ts, vnid, addr, node);
    `,
  },
  {
    version: 7,
    description: 'history and finding events appended to logs, chained per endpoint and per finding record',
    sql: `
      -- History rows and finding events are appended in arrival order (rowids grow) instead of
      -- being written into slots at random keys: an append touches the B-tree's last page, a slot
      -- write a random page (at a million endpoints 1.9 us against 8.4 us per history row; 27 us
      -- against 98 us per finding, bench/RESULTS.md). Each row names the previous row of its
      -- endpoint (history) or of its finding record (prev, always a smaller id; 0 ends the chain),
      -- and history_heads / findings.head the newest: a read walks the chain from there. Caps
      -- are applied on read (newest cap per node, by seq) and by pruning chains in the writer.
      CREATE TABLE history_v7 (
        id INTEGER PRIMARY KEY,
        ep INTEGER NOT NULL,
        prev INTEGER NOT NULL,
        node INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        status TEXT NOT NULL,
        flags TEXT NOT NULL,
        if_id TEXT NOT NULL,
        encap TEXT NOT NULL,
        pc_tag INTEGER NOT NULL,
        rw_mac TEXT NOT NULL,
        rw_bd INTEGER NOT NULL,
        remote INTEGER NOT NULL
      );
      -- The newest history row of each endpoint, and the cap its rows were last written with.
      CREATE TABLE history_heads (
        ep INTEGER PRIMARY KEY,
        head INTEGER NOT NULL,
        cap INTEGER NOT NULL
      );
      INSERT INTO history_v7 (id, ep, prev, node, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote)
        SELECT id, ep, ifnull(lag(id) OVER (PARTITION BY ep ORDER BY id), 0), node, seq, ts, status, flags, if_id, encap, pc_tag, rw_mac, rw_bd, remote
        FROM (SELECT row_number() OVER (ORDER BY ep, ts, node, seq) AS id, * FROM history);
      -- Slots held at most the cap of their time: every migrated row stays readable.
      INSERT INTO history_heads (ep, head, cap) SELECT ep, max(id), 1048576 FROM history_v7 GROUP BY ep;
      DROP TABLE history;
      ALTER TABLE history_v7 RENAME TO history;

      CREATE TABLE finding_log (
        id INTEGER PRIMARY KEY,
        ep INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        prev INTEGER NOT NULL,
        finding TEXT NOT NULL
      );
      INSERT INTO finding_log (id, ep, kind, node, seq, prev, finding)
        SELECT id, ep, kind, node, seq, ifnull(lag(id) OVER (PARTITION BY ep, kind, node ORDER BY id), 0), finding
        FROM (SELECT row_number() OVER (ORDER BY ep, kind, node, seq) AS id, * FROM finding_events);
      DROP TABLE finding_events;
      -- The newest event of the record (0: none).
      ALTER TABLE findings ADD COLUMN head INTEGER NOT NULL DEFAULT 0;
      UPDATE findings SET head = h.head
        FROM (SELECT ep, kind, node, max(id) AS head FROM finding_log GROUP BY ep, kind, node) AS h
        WHERE h.ep = findings.ep AND h.kind = findings.kind AND h.node = findings.node;
    `,
  },
  {
    version: 8,
    description: 'finding listings newest first from the finding log (an index appended in time order) instead of an index on the records',
    sql: `
      -- findings_recent on the records moved an index entry to a random page at every finding
      -- (~18 us of ~47 us per finding at a million endpoints, bench/finding-variants.mjs). Each
      -- event now carries its record's key and time, indexed in time order (appended at the
      -- end), and findings.last_event names the record's latest event by time: a newest-first
      -- listing walks that index back and keeps the events that are their record's latest.
      CREATE TABLE finding_log_v8 (
        id INTEGER PRIMARY KEY,
        ep INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        prev INTEGER NOT NULL,
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        ts INTEGER NOT NULL,
        finding TEXT NOT NULL
      );
      -- Events of no record (none are written so) have no key to take: dropped.
      INSERT INTO finding_log_v8 (id, ep, kind, node, seq, prev, fabric, vnid, addr, ts, finding)
        SELECT l.id, l.ep, l.kind, l.node, l.seq, l.prev, f.fabric, f.vnid, f.addr, ifnull(json_extract(l.finding, '$.ts'), 0), l.finding
        FROM finding_log l JOIN findings f ON f.ep = l.ep AND f.kind = l.kind AND f.node = l.node;
      DROP TABLE finding_log;
      ALTER TABLE finding_log_v8 RENAME TO finding_log;
      CREATE INDEX finding_log_recent ON finding_log (fabric, kind, ts, vnid, addr, node);

      ALTER TABLE findings ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0;
      UPDATE findings SET last_event = m.id
        FROM (SELECT ep, kind, node, ts, max(id) AS id FROM finding_log GROUP BY ep, kind, node, ts) AS m
        WHERE m.ep = findings.ep AND m.kind = findings.kind AND m.node = findings.node AND m.ts = findings.last_ts;
      -- A record whose latest event by time was no longer kept (overwritten in its slot by newer
      -- writes of older times) takes its newest kept event as its latest.
      UPDATE findings SET last_event = head, last_ts = (SELECT ts FROM finding_log WHERE id = findings.head)
        WHERE last_event = 0 AND head > 0;
      DROP INDEX findings_recent;
      -- Listings by count or address, and counts, read one fabric's records of one kind.
      CREATE INDEX findings_kind ON findings (fabric, kind);
    `,
  },
  {
    version: 9,
    description: 'endpoint states written as bytes (format 2, store/endpoint-binary.ts); rows of format 1 (JSON text) are still read',
    sql: `
      -- No row changes: a row keeps its JSON until the endpoint is next written. The version marks
      -- that an older ept, which reads only JSON, must not open this database.
      SELECT 1;
    `,
  },
  {
    version: 10,
    description: 'the history chain head of an endpoint with a row kept in that row (hist_head, hist_cap); history_heads only for endpoints without one',
    sql: `
      -- history_heads took a random page per changed endpoint and batch, as many as the endpoint
      -- rows themselves (~17 % of the WAL frames at a million endpoints, bench/RESULTS.md). An
      -- endpoint's row is written in the same batch as its history, so its head rides along. A
      -- history written before its endpoint's row (a build writes endpoint rows at its end) keeps
      -- its head in history_heads until the row is inserted, which takes it over.
      ALTER TABLE endpoints ADD COLUMN hist_head INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE endpoints ADD COLUMN hist_cap INTEGER NOT NULL DEFAULT 0;
      UPDATE endpoints SET hist_head = x.head, hist_cap = x.cap FROM history_heads x WHERE x.ep = endpoints.id;
      DELETE FROM history_heads WHERE ep IN (SELECT id FROM endpoints);
    `,
  },
  {
    version: 11,
    description: "a finding record's counts and chain ends kept in its endpoint's row (finds); finding_records names the records; findings is a view of both",
    sql: `
      -- Updating a record in findings wrote a random page per finding (a third of the WAL at a
      -- million endpoints, bench/RESULTS.md). What changes with each finding (count, first_ts,
      -- last_ts, cap, head, last_event) now rides in the endpoint's row, written in the same batch
      -- anyway: a JSON object {"kind:node": [count, first_ts, last_ts, cap, head, last_event]}.
      -- finding_records holds what does not change, written once per record; finding_heads the
      -- counts of an endpoint without a row (taken over when the row is inserted, as history_heads).
      ALTER TABLE endpoints ADD COLUMN finds TEXT;
      CREATE TABLE finding_heads (
        ep INTEGER PRIMARY KEY,
        finds TEXT NOT NULL
      );
      CREATE TEMP TABLE finds_v11 AS
        SELECT ep, json_group_object(kind || ':' || node, json_array(count, first_ts, last_ts, cap, head, last_event)) AS finds
        FROM findings GROUP BY ep;
      UPDATE endpoints SET finds = x.finds FROM finds_v11 AS x WHERE x.ep = endpoints.id;
      INSERT INTO finding_heads (ep, finds) SELECT ep, finds FROM finds_v11 WHERE ep NOT IN (SELECT id FROM endpoints);
      DROP TABLE finds_v11;
      CREATE TABLE finding_records (
        ep INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node INTEGER NOT NULL,
        fabric TEXT NOT NULL,
        vnid INTEGER NOT NULL,
        addr TEXT NOT NULL,
        type TEXT NOT NULL,
        PRIMARY KEY (fabric, kind, ep, node)
      ) WITHOUT ROWID;
      -- Keyed for the listings (one fabric's records of one kind) with no second index: a new
      -- record costs one random page, not two. Reads by endpoint name its fabric and kinds.
      INSERT INTO finding_records SELECT ep, kind, node, fabric, vnid, addr, type FROM findings;
      DROP TABLE findings;
      -- The records as the table was: listings, counts and reads stay as they were.
      CREATE VIEW findings AS
        SELECT ep, kind, node, fabric, vnid, addr, type, v ->> 0 AS count, v ->> 1 AS first_ts, v ->> 2 AS last_ts,
               v ->> 3 AS cap, v ->> 4 AS head, v ->> 5 AS last_event
        FROM (SELECT r.*, coalesce(e.finds, h.finds) -> ('$."' || r.kind || ':' || r.node || '"') AS v
              FROM finding_records r LEFT JOIN endpoints e ON e.id = r.ep LEFT JOIN finding_heads h ON h.ep = r.ep);
    `,
  },
  {
    version: 12,
    description: "an endpoint's history events of one write batch in one history row: the first in its columns, the others in more (store/history-group.ts)",
    sql: `
      -- One history row per event was one INSERT per event, the writer thread's most frequent
      -- statement (a move gives an endpoint about seven events in one batch). Rows written before
      -- (more is NULL) hold one event and are read as they were.
      ALTER TABLE history ADD COLUMN more BLOB;
    `,
  },
  {
    version: 13,
    description: 'finding records whose counts cannot be read (damaged finds text, or no entry for the record) are left out of the findings view instead of failing every read of it',
    sql: `
      -- The v11 view read counts with the -> operator, which raises "malformed JSON" on a damaged
      -- finds text: every listing of the fabric's records of that kind failed until the writer's next
      -- finding for the endpoint rewrote the text (parseFindCounts). Such records are now left out
      -- of listings and endpoint reads until then; finding_records and the log keep them.
      DROP VIEW findings;
      CREATE VIEW findings AS
        SELECT ep, kind, node, fabric, vnid, addr, type, v ->> 0 AS count, v ->> 1 AS first_ts, v ->> 2 AS last_ts,
               v ->> 3 AS cap, v ->> 4 AS head, v ->> 5 AS last_event
        FROM (SELECT ep, kind, node, fabric, vnid, addr, type, CASE WHEN json_valid(t) THEN t -> ('$."' || kind || ':' || node || '"') END AS v
              FROM (SELECT r.*, coalesce(e.finds, h.finds) AS t
                    FROM finding_records r LEFT JOIN endpoints e ON e.id = r.ep LEFT JOIN finding_heads h ON h.ep = r.ep))
        WHERE json_type(v) = 'array' AND json_array_length(v) = 6;
    `,
  },
];

/** Applies the migrations not yet applied, each in its own transaction. Returns the final version. */
export function migrateSqlite(db: MigrationDb, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description TEXT NOT NULL, applied_ts INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  let current = row.v ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new EptError('store_error', `database schema version ${current} is newer than this ept supports (${latest})`);
  }
  const record = db.prepare('INSERT INTO schema_version (version, description, applied_ts) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.description, Date.now());
    })();
    current = m.version;
  }
  return current;
}
