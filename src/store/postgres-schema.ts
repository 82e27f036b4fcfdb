// The PostgreSQL schema, as ordered migrations recorded in schema_version (same scheme as
// sqlite-schema.ts). Addresses and fabric names use COLLATE "C" so that ordering and prefix ranges
// are byte-wise, as in SQLite, whatever the database's locale. Times are BIGINT ms.
import type { Migration } from './sqlite-schema.js';
import { POSTGRES_HOST_TABLES } from './host-store.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'fabrics, fabric objects, endpoints, history, findings, users, tokens',
    sql: `
      CREATE TABLE fabrics (name TEXT COLLATE "C" PRIMARY KEY, config TEXT NOT NULL);

      CREATE TABLE fabric_objects (
        fabric TEXT COLLATE "C" NOT NULL, dn TEXT NOT NULL, cls TEXT NOT NULL, attrs TEXT NOT NULL,
        PRIMARY KEY (fabric, dn));
      CREATE INDEX fabric_objects_cls ON fabric_objects (fabric, cls);

      CREATE TABLE endpoints (
        fabric TEXT COLLATE "C" NOT NULL, vnid BIGINT NOT NULL, addr TEXT COLLATE "C" NOT NULL,
        type TEXT NOT NULL, cur_node BIGINT NOT NULL, ts BIGINT NOT NULL, deleted_ts BIGINT NOT NULL,
        offsubnet SMALLINT NOT NULL, stale SMALLINT NOT NULL, deleted SMALLINT NOT NULL,
        rapid_until BIGINT NOT NULL, gone_ts BIGINT NOT NULL, state TEXT NOT NULL,
        PRIMARY KEY (fabric, addr, vnid));
      CREATE INDEX endpoints_type ON endpoints (fabric, type, addr, vnid);
      CREATE INDEX endpoints_offsubnet ON endpoints (fabric, addr, vnid) WHERE offsubnet = 1;
      CREATE INDEX endpoints_stale ON endpoints (fabric, addr, vnid) WHERE stale = 1;
      CREATE INDEX endpoints_rapid ON endpoints (fabric, addr, vnid) WHERE rapid_until > 0;
      CREATE INDEX endpoints_deleted ON endpoints (fabric, addr, vnid) WHERE deleted = 1;
      CREATE INDEX endpoints_gone ON endpoints (fabric, gone_ts) WHERE gone_ts > 0;

      CREATE TABLE history (
        fabric TEXT COLLATE "C" NOT NULL, vnid BIGINT NOT NULL, addr TEXT COLLATE "C" NOT NULL,
        node BIGINT NOT NULL, slot INTEGER NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL,
        status TEXT NOT NULL, flags TEXT NOT NULL, if_id TEXT NOT NULL, encap TEXT NOT NULL,
        pc_tag BIGINT NOT NULL, rw_mac TEXT NOT NULL, rw_bd BIGINT NOT NULL, remote BIGINT NOT NULL,
        PRIMARY KEY (fabric, vnid, addr, node, slot));

      CREATE TABLE findings (
        fabric TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL, vnid BIGINT NOT NULL,
        addr TEXT COLLATE "C" NOT NULL, node BIGINT NOT NULL, type TEXT NOT NULL, count BIGINT NOT NULL,
        first_ts BIGINT NOT NULL, last_ts BIGINT NOT NULL, cap INTEGER NOT NULL, last TEXT NOT NULL,
        PRIMARY KEY (fabric, kind, vnid, addr, node));
      CREATE INDEX findings_recent ON findings (fabric, kind, last_ts, vnid, addr, node);

      CREATE TABLE finding_events (
        fabric TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL, vnid BIGINT NOT NULL,
        addr TEXT COLLATE "C" NOT NULL, node BIGINT NOT NULL, slot INTEGER NOT NULL, seq BIGINT NOT NULL,
        finding TEXT NOT NULL,
        PRIMARY KEY (fabric, kind, vnid, addr, node, slot));

      CREATE TABLE users (username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL);
      CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_ts BIGINT NOT NULL);
      CREATE INDEX tokens_expiry ON tokens (expires_ts);
    `,
  },
  {
    version: 2,
    description: "pending checks (the watcher's durable delayed queue)",
    sql: `
      CREATE TABLE pending_checks (
        fabric TEXT COLLATE "C" NOT NULL, vnid BIGINT NOT NULL, addr TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL, node BIGINT NOT NULL, due_ts BIGINT NOT NULL,
        PRIMARY KEY (fabric, vnid, addr, kind, node)
      );
    `,
  },
  {
    version: 3,
    description: 'endpoint clears and the audit log',
    sql: `
      CREATE TABLE clears (
        id BIGSERIAL PRIMARY KEY, fabric TEXT COLLATE "C" NOT NULL, vnid BIGINT NOT NULL,
        addr TEXT COLLATE "C" NOT NULL, ts BIGINT NOT NULL, record TEXT NOT NULL);
      CREATE INDEX clears_fabric ON clears (fabric, id);
      CREATE INDEX clears_endpoint ON clears (fabric, vnid, addr, id);

      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY, ts BIGINT NOT NULL, fabric TEXT COLLATE "C", record TEXT NOT NULL);
      CREATE INDEX audit_fabric ON audit (fabric, id);
    `,
  },
  {
    version: 4,
    description: 'host agents, module documents and their history, host-side tracking states and findings',
    sql: POSTGRES_HOST_TABLES,
  },
];
