// The host part of the Store port (Store.hosts): agents and their tokens, the latest document of each
// discovery module per host with a capped change history, and host-side tracking state and findings.
// One SQL implementation serves SQLite and PostgreSQL through a two-method executor (SqlExec): the
// statements are written with `?` placeholders and portable ON CONFLICT upserts.
import type { HostFindingKind, IpTrack } from '../core/arp-rules.js';
import type { HostFinding } from '../core/arp-tracker.js';
import { EptError } from '../core/errors.js';
import { logCursor, logPage } from './record-log.js';
import type { Page } from './store.js';

/** A registered agent. The token is stored only as its sha256. */
export interface AgentRecord {
  id: string;
  name: string;
  /** Site (segment) its host-side observations are tracked in. */
  site: string;
  tokenHash: string;
  /** The host the token is bound to at its first report (null before). */
  hostId: string | null;
  createdTs: number;
  /** When an admin revoked it, null while valid. */
  revokedTs: number | null;
}

/** A host known from agent reports. */
export interface HostRecord {
  hostId: string;
  agentId: string;
  site: string;
  /** seq of the last report received. */
  lastSeq: number;
  lastTs: number;
  /** Modules the server wants in full in the next report (bad or missed documents). */
  resend: string[];
}

/** One module document of a host, as received. */
export interface HostDocumentRecord {
  hostId: string;
  module: string;
  /** Per (host, module) counter of stored versions; the history slot is seq mod the cap. */
  seq: number;
  hash: string;
  ts: number;
  body: unknown;
}

/** A stored host finding. */
export interface HostFindingRecord extends HostFinding {
  id: number;
}

/** Filters for listing host findings, newest first. */
export interface HostFindingQuery {
  kind?: HostFindingKind;
  ip?: string;
  limit: number;
  cursor?: string;
}

/** The host records port. */
export interface HostStore {
  putAgent(a: AgentRecord): Promise<void>;
  getAgentByToken(tokenHash: string): Promise<AgentRecord | null>;
  listAgents(): Promise<AgentRecord[]>;
  /** Marks an agent revoked; false when no such agent. */
  revokeAgent(id: string, ts: number): Promise<boolean>;

  putHost(h: HostRecord): Promise<void>;
  getHost(hostId: string): Promise<HostRecord | null>;
  listHosts(): Promise<HostRecord[]>;
  /** Stores new versions of module documents (one transaction); keeps historyCap versions per module. */
  putHostDocuments(docs: readonly Omit<HostDocumentRecord, 'seq'>[], historyCap: number): Promise<void>;
  /** The latest document of each module of a host. */
  hostDocuments(hostId: string): Promise<HostDocumentRecord[]>;
  /** The latest document of one module of every host (graph building). */
  latestDocuments(module: string): Promise<HostDocumentRecord[]>;
  /** Stored versions of one module, newest first. */
  hostDocumentHistory(hostId: string, module: string, limit: number): Promise<HostDocumentRecord[]>;

  /** Upserts host-side tracking states of a site (one transaction). */
  saveIpTracks(site: string, tracks: readonly { ip: string; track: IpTrack }[]): Promise<void>;
  loadIpTracks(site: string): Promise<{ ip: string; track: IpTrack }[]>;
  /** Appends findings (one transaction). */
  addHostFindings(findings: readonly HostFinding[]): Promise<void>;
  listHostFindings(site: string, q: HostFindingQuery): Promise<Page<HostFindingRecord>>;
}

/** What SqlHostStore needs from a driver: reads, and statement lists run in one transaction. */
export interface SqlExec {
  all<R>(sql: string, params: readonly unknown[]): Promise<R[]>;
  batch(statements: readonly (readonly [string, readonly unknown[]])[]): Promise<void>;
}

interface AgentRow {
  id: string;
  name: string;
  site: string;
  token_hash: string;
  host_id: string | null;
  created_ts: number;
  revoked_ts: number | null;
}
interface HostRow {
  host_id: string;
  agent_id: string;
  site: string;
  last_seq: number;
  last_ts: number;
  resend: string;
}
interface DocRow {
  host_id: string;
  module: string;
  seq: number;
  hash: string;
  ts: number;
  body: string;
}

const agent = (r: AgentRow): AgentRecord => ({
  id: r.id,
  name: r.name,
  site: r.site,
  tokenHash: r.token_hash,
  hostId: r.host_id,
  createdTs: Number(r.created_ts),
  revokedTs: r.revoked_ts === null ? null : Number(r.revoked_ts),
});
const host = (r: HostRow): HostRecord => ({
  hostId: r.host_id,
  agentId: r.agent_id,
  site: r.site,
  lastSeq: Number(r.last_seq),
  lastTs: Number(r.last_ts),
  resend: JSON.parse(r.resend) as string[],
});
const doc = (r: DocRow): HostDocumentRecord => ({ hostId: r.host_id, module: r.module, seq: Number(r.seq), hash: r.hash, ts: Number(r.ts), body: JSON.parse(r.body) as unknown });

const AGENT_COLS = 'id, name, site, token_hash, host_id, created_ts, revoked_ts';

export class SqlHostStore implements HostStore {
  constructor(private readonly db: SqlExec) {}

  putAgent(a: AgentRecord): Promise<void> {
    return this.db.batch([
      [
        `INSERT INTO agents (${AGENT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, site = excluded.site, token_hash = excluded.token_hash,
           host_id = excluded.host_id, revoked_ts = excluded.revoked_ts`,
        [a.id, a.name, a.site, a.tokenHash, a.hostId, a.createdTs, a.revokedTs],
      ],
    ]);
  }

  async getAgentByToken(tokenHash: string): Promise<AgentRecord | null> {
    const rows = await this.db.all<AgentRow>(`SELECT ${AGENT_COLS} FROM agents WHERE token_hash = ?`, [tokenHash]);
    return rows[0] ? agent(rows[0]) : null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return (await this.db.all<AgentRow>(`SELECT ${AGENT_COLS} FROM agents ORDER BY created_ts, id`, [])).map(agent);
  }

  async revokeAgent(id: string, ts: number): Promise<boolean> {
    const found = await this.db.all<{ id: string }>('SELECT id FROM agents WHERE id = ?', [id]);
    if (found.length === 0) return false;
    await this.db.batch([['UPDATE agents SET revoked_ts = ? WHERE id = ? AND revoked_ts IS NULL', [ts, id]]]);
    return true;
  }

  putHost(h: HostRecord): Promise<void> {
    return this.db.batch([
      [
        `INSERT INTO hosts (host_id, agent_id, site, last_seq, last_ts, resend) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (host_id) DO UPDATE SET agent_id = excluded.agent_id, site = excluded.site, last_seq = excluded.last_seq,
           last_ts = excluded.last_ts, resend = excluded.resend`,
        [h.hostId, h.agentId, h.site, h.lastSeq, h.lastTs, JSON.stringify(h.resend)],
      ],
    ]);
  }

  async getHost(hostId: string): Promise<HostRecord | null> {
    const rows = await this.db.all<HostRow>('SELECT * FROM hosts WHERE host_id = ?', [hostId]);
    return rows[0] ? host(rows[0]) : null;
  }

  async listHosts(): Promise<HostRecord[]> {
    return (await this.db.all<HostRow>('SELECT * FROM hosts ORDER BY host_id', [])).map(host);
  }

  async putHostDocuments(docs: readonly Omit<HostDocumentRecord, 'seq'>[], historyCap: number): Promise<void> {
    if (!Number.isInteger(historyCap) || historyCap < 1) throw new EptError('bad_request', `document history cap must be a positive integer, got ${historyCap}`);
    const stmts: [string, unknown[]][] = [];
    for (const d of docs) {
      const cur = await this.db.all<{ seq: number }>('SELECT seq FROM host_modules WHERE host_id = ? AND module = ?', [d.hostId, d.module]);
      const seq = (cur[0] ? Number(cur[0].seq) : 0) + 1;
      const body = JSON.stringify(d.body);
      stmts.push(
        [
          `INSERT INTO host_modules (host_id, module, seq, hash, ts, body) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (host_id, module) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, ts = excluded.ts, body = excluded.body`,
          [d.hostId, d.module, seq, d.hash, d.ts, body],
        ],
        [
          `INSERT INTO host_module_history (host_id, module, slot, seq, hash, ts, body) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (host_id, module, slot) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, ts = excluded.ts, body = excluded.body`,
          [d.hostId, d.module, seq % historyCap, seq, d.hash, d.ts, body],
        ],
      );
    }
    await this.db.batch(stmts);
  }

  async hostDocuments(hostId: string): Promise<HostDocumentRecord[]> {
    return (await this.db.all<DocRow>('SELECT * FROM host_modules WHERE host_id = ? ORDER BY module', [hostId])).map(doc);
  }

  async latestDocuments(module: string): Promise<HostDocumentRecord[]> {
    return (await this.db.all<DocRow>('SELECT * FROM host_modules WHERE module = ? ORDER BY host_id', [module])).map(doc);
  }

  async hostDocumentHistory(hostId: string, module: string, limit: number): Promise<HostDocumentRecord[]> {
    const rows = await this.db.all<DocRow>('SELECT host_id, module, seq, hash, ts, body FROM host_module_history WHERE host_id = ? AND module = ? ORDER BY seq DESC LIMIT ?', [hostId, module, limit]);
    return rows.map(doc);
  }

  saveIpTracks(site: string, tracks: readonly { ip: string; track: IpTrack }[]): Promise<void> {
    if (tracks.length === 0) return Promise.resolve();
    const sql = 'INSERT INTO host_ip_tracks (site, ip, track) VALUES (?, ?, ?) ON CONFLICT (site, ip) DO UPDATE SET track = excluded.track';
    return this.db.batch(tracks.map((t) => [sql, [site, t.ip, JSON.stringify(t.track)]] as const));
  }

  async loadIpTracks(site: string): Promise<{ ip: string; track: IpTrack }[]> {
    const rows = await this.db.all<{ ip: string; track: string }>('SELECT ip, track FROM host_ip_tracks WHERE site = ?', [site]);
    return rows.map((r) => ({ ip: r.ip, track: JSON.parse(r.track) as IpTrack }));
  }

  addHostFindings(findings: readonly HostFinding[]): Promise<void> {
    if (findings.length === 0) return Promise.resolve();
    const sql = 'INSERT INTO host_findings (site, kind, ip, ts, record) VALUES (?, ?, ?, ?, ?)';
    return this.db.batch(findings.map((f) => [sql, [f.site, f.kind, f.ip, f.ts, JSON.stringify(f)]] as const));
  }

  async listHostFindings(site: string, q: HostFindingQuery): Promise<Page<HostFindingRecord>> {
    const where = ['site = ?'];
    const params: unknown[] = [site];
    if (q.kind) {
      where.push('kind = ?');
      params.push(q.kind);
    }
    if (q.ip) {
      where.push('ip = ?');
      params.push(q.ip);
    }
    const below = logCursor(q.cursor);
    if (below !== null) {
      where.push('id < ?');
      params.push(below);
    }
    params.push(q.limit + 1);
    const rows = await this.db.all<{ id: number; record: string }>(`SELECT id, record FROM host_findings WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, params);
    return logPage<HostFindingRecord>(rows, q.limit);
  }
}

/** The tables, in SQLite's dialect (migration 4 of sqlite-schema.ts). */
export const SQLITE_HOST_TABLES = `
  CREATE TABLE agents (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, site TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
    host_id TEXT, created_ts INTEGER NOT NULL, revoked_ts INTEGER);
  CREATE TABLE hosts (
    host_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, site TEXT NOT NULL, last_seq INTEGER NOT NULL,
    last_ts INTEGER NOT NULL, resend TEXT NOT NULL);
  CREATE TABLE host_modules (
    host_id TEXT NOT NULL, module TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, ts INTEGER NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (host_id, module));
  CREATE INDEX host_modules_module ON host_modules (module, host_id);
  -- Capped by construction, like endpoint history: slot = seq mod cap, upserted.
  CREATE TABLE host_module_history (
    host_id TEXT NOT NULL, module TEXT NOT NULL, slot INTEGER NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
    ts INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (host_id, module, slot));
  CREATE TABLE host_ip_tracks (site TEXT NOT NULL, ip TEXT NOT NULL, track TEXT NOT NULL, PRIMARY KEY (site, ip));
  CREATE TABLE host_findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, kind TEXT NOT NULL, ip TEXT NOT NULL,
    ts INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE INDEX host_findings_site ON host_findings (site, id);
  CREATE INDEX host_findings_ip ON host_findings (site, ip, id);
`;

/** The same tables in PostgreSQL's dialect (migration 4 of postgres-schema.ts). */
export const POSTGRES_HOST_TABLES = SQLITE_HOST_TABLES.replaceAll('INTEGER PRIMARY KEY AUTOINCREMENT', 'BIGSERIAL PRIMARY KEY')
  .replaceAll('INTEGER', 'BIGINT');
