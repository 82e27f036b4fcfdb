// The Store port: everything ept persists. Owned by its consumers (workers, API, fabric manager);
// implemented by sqlite-store.ts (default) and, later, a PostgreSQL adapter under the same contract
// suite (store-contract.ts).
import type { MoRow } from '../core/fabric-tables.js';
import type { FabricSettings } from '../core/settings.js';
import type { EndpointKey, EndpointState, EndpointType, Finding, FindingKind, HistoryEvent } from '../core/types.js';
import type { NotificationSettings } from '../notify/notification-settings.js';
import type { HostStore } from './host-store.js';
import type { HistoryBuffer } from './history-buffer.js';

/** How to reach a fabric's APIC. The password is stored but never returned by the API. */
export interface ApicConfig {
  urls: string[];
  username: string;
  password: string;
  verifyTls: boolean;
  /** PEM file of the CA that signed the APIC's certificate. */
  caFile?: string;
}

/** A configured fabric. */
export interface FabricConfig {
  name: string;
  apic: ApicConfig;
  /** Overrides of the default settings. */
  settings: Partial<FabricSettings>;
  /**
   * Overrides of the default notification settings (secrets included; redact before showing).
   * Optional in the type so fabric records built before notifications existed stay valid; the
   * stores always return it ({} when a stored row has none).
   */
  notifications?: Partial<NotificationSettings>;
  /** SSH credentials for clearing endpoints (EPT's ssh_username/ssh_password); absent: the APIC ones. */
  ssh?: { username: string; password: string };
  /** Start the fabric when the server starts. */
  autoStart: boolean;
  /** True for the demo fabric backed by the built-in simulator. */
  simulated: boolean;
  createdTs: number;
}

/** A finding waiting for its confirmation delay (the watcher's durable delayed queue). */
export interface PendingCheckRecord {
  fabric: string;
  vnid: number;
  addr: string;
  /** offsubnet, stale, or rapid-end (the end of a rapid hold time). */
  kind: 'offsubnet' | 'stale' | 'rapid-end';
  node: number;
  /** When it is due, ms. */
  dueTs: number;
}

/** Everything one worker batch writes, committed in one transaction. */
export interface WriteBatch {
  /**
   * Current states to upsert (at most one per endpoint). The pipeline passes the states it holds
   * (core/packed-learns.ts PackedEndpointState: learns and location packed, `learns` empty,
   * `current` null) and changes them after the call: a store reads them during writeBatch, before
   * anything asynchronous, and only through endpointColumns / encodeEndpointState, which read
   * either form.
   */
  endpoints: EndpointState[];
  /**
   * History rows. Per (endpoint, node) the store keeps the historyCap rows of highest seq, each seq
   * once (the last written wins): PostgreSQL in slots seq mod historyCap, SQLite in a chained log.
   */
  history: HistoryEvent[];
  /**
   * The endpoint id (EndpointState.id) of each history row, same order and length as history.
   * Without it, or where an id is 0, the store finds the endpoint by its key (slower).
   */
  historyIds?: number[];
  /** The history rows as columns (the pipeline's buffer), in place of history and historyIds (then empty). */
  historyRows?: HistoryBuffer;
  /** Findings to record: each updates the (fabric, kind, vnid, addr, recordNode) record. */
  findings: Finding[];
  /**
   * The endpoint id of each finding, like historyIds. Without it, or where 0, SQLite finds the
   * endpoint by its key, and refuses the batch when the endpoint is neither numbered nor stored.
   */
  findingIds?: number[];
  /** History rows kept per endpoint per node (max_per_node_endpoint_events). */
  historyCap: number;
  /** Events kept per finding record (max_endpoint_events). */
  findingCap: number;
  /** Delayed checks scheduled by this batch (upserted by fabric, vnid, addr, kind, node). */
  checksAdded?: PendingCheckRecord[];
  /** Delayed checks this batch completed (confirmed or dropped); dueTs is ignored. */
  checksDone?: PendingCheckRecord[];
}

/**
 * The node of the record a finding counts in. Offsubnet and stale findings are about a learn on a
 * node: one record per node. Moves (as in EPT) and rapid flapping are about the endpoint: one record
 * per endpoint, node 0, whichever nodes its moves went to (the finding keeps its own node; the
 * record's events tell where each move went).
 */
export function recordNode(f: { kind: FindingKind; node: number }): number {
  return PER_ENDPOINT_KINDS.includes(f.kind) ? 0 : f.node;
}

/** Kinds whose records are per endpoint (recordNode 0): a node filter does not apply to them. */
export const PER_ENDPOINT_KINDS: readonly FindingKind[] = ['move', 'rapid'];

/** A finding record: one per (fabric, kind, vnid, addr, recordNode), with a count and recent events. */
export interface FindingRecord {
  fabric: string;
  kind: FindingKind;
  vnid: number;
  addr: string;
  type: EndpointType;
  node: number;
  count: number;
  firstTs: number;
  lastTs: number;
  /** The latest finding. */
  last: Finding;
  /** Recent findings, newest first, capped. */
  events: Finding[];
}

/** One page of a listing; pass nextCursor back as cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Filters for listing endpoints. */
export interface EndpointQuery {
  /** Address prefix, case-insensitive, on the normalised address. */
  search?: string;
  type?: EndpointType;
  /** Only endpoints carrying this flag now. */
  flag?: 'offsubnet' | 'stale' | 'rapid' | 'deleted' | 'active';
  limit: number;
  cursor?: string;
}

/** Filters for listing finding records. */
/** What a finding listing is ordered by: last update (default), event count, or address. */
export type FindingSort = 'lastTs' | 'count' | 'addr';

export interface FindingQuery {
  search?: string;
  /** Records of this node (offsubnet and stale records; move and rapid records are per endpoint, node 0). */
  node?: number;
  since?: number;
  limit: number;
  /** Cursor of the previous page of the same sort and order (it records both). */
  cursor?: string;
  /** Default 'lastTs'; ties are broken by (vnid, addr, node), so every order is total. */
  sort?: FindingSort;
  /** Default 'desc'. */
  order?: 'asc' | 'desc';
}

/** A user of the API. */
export interface UserRecord {
  username: string;
  role: 'admin' | 'viewer';
  passwordHash: string;
}

/** An issued API token (stored hashed). */
export interface TokenRecord {
  tokenHash: string;
  username: string;
  expiresTs: number;
}

/** What one node answered to a clear. */
export interface ClearNodeResult {
  node: number;
  /** The command sent (or that would be sent, in a dry run). */
  command: string;
  ok: boolean;
  /** What the node printed. */
  output: string;
  error?: string;
}

/** One endpoint clear, manual or automatic, as recorded. */
export interface ClearRecord {
  id: number;
  fabric: string;
  vnid: number;
  addr: string;
  /** Nodes the clear was for. */
  nodes: number[];
  /** Username of who asked, or 'auto' for auto-clear. */
  who: string;
  reason: string;
  ts: number;
  dryRun: boolean;
  /** ok: every node cleared; partial: some failed; failed: none cleared; dry-run: nothing done. */
  outcome: 'ok' | 'partial' | 'failed' | 'dry-run';
  results: ClearNodeResult[];
}

/** Filters for listing clears, newest first. */
export interface ClearQuery {
  /** Only clears of this endpoint (both vnid and addr). */
  endpoint?: { vnid: number; addr: string };
  limit: number;
  cursor?: string;
}

/** One audit log entry: a configuration change or an action. Never holds secrets. */
export interface AuditRecord {
  id: number;
  ts: number;
  /** Username, 'auto' for ept itself, or the name tried at a failed login. */
  who: string;
  /** What happened, dotted: fabric.create, notifications.update, endpoint.clear, auth.login… */
  action: string;
  /** The fabric concerned, null for server-wide entries. */
  fabric: string | null;
  outcome: 'ok' | 'failed';
  /** What changed (setting names, channel, endpoint…), secrets removed. */
  details: Record<string, unknown>;
}

/** Filters for listing the audit log, newest first. */
export interface AuditQuery {
  fabric?: string;
  limit: number;
  cursor?: string;
}

/** The persistence port. All methods are async so networked stores fit the same contract. */
export interface Store {
  /** Host agents, their module documents, and host-side tracking (src/store/host-store.ts). */
  readonly hosts: HostStore;

  // fabrics
  listFabrics(): Promise<FabricConfig[]>;
  getFabric(name: string): Promise<FabricConfig | null>;
  /** Creates or replaces a fabric. */
  putFabric(fabric: FabricConfig): Promise<void>;
  /** Deletes a fabric and everything stored for it. */
  deleteFabric(name: string): Promise<boolean>;

  // fabric objects (the inputs of FabricTables)
  loadFabricObjects(fabric: string): Promise<MoRow[]>;
  /** Upserts rows; rows whose attrs.status is 'deleted' are removed. With replaceClasses, first removes all rows of those classes. */
  saveFabricObjects(fabric: string, rows: MoRow[], replaceClasses?: readonly string[]): Promise<void>;

  // endpoints
  /**
   * A new endpoint's id (EndpointState.id), unique in this store: the single writer of endpoints
   * (the pipeline) takes one when it first sees an endpoint, so that write batches can address its
   * rows by number. Stores that key rows by address only may return any unique number.
   */
  newEndpointId(): number;
  /**
   * True when batches are applied in the order writeBatch was called, each atomically, so a caller
   * may encode and hand over the next batch before the previous one has committed.
   */
  readonly writesInOrder?: boolean;
  writeBatch(batch: WriteBatch): Promise<void>;
  getEndpoint(key: EndpointKey): Promise<EndpointState | null>;
  /** Streams every endpoint of a fabric (for worker takeover and resync), in pages. */
  scanEndpoints(fabric: string, pageSize?: number): AsyncIterable<EndpointState[]>;
  listEndpoints(fabric: string | null, q: EndpointQuery): Promise<Page<EndpointState>>;
  countEndpoints(fabric: string): Promise<{ total: number; active: number }>;
  history(key: EndpointKey, limit: number): Promise<HistoryEvent[]>;
  /** Removes endpoints with no local or remote learn deleted before the given time. Returns how many. */
  purgeDeleted(fabric: string, deletedBefore: number): Promise<number>;

  /** The delayed checks of a fabric still waiting, to re-arm them after a restart. */
  loadPendingChecks(fabric: string): Promise<PendingCheckRecord[]>;

  // findings
  listFindings(fabric: string, kind: FindingKind, q: FindingQuery): Promise<Page<FindingRecord>>;
  findingsForEndpoint(key: EndpointKey): Promise<FindingRecord[]>;
  countFindings(fabric: string, since?: number): Promise<Record<FindingKind, number>>;

  // endpoint clears (deleted with their fabric)
  /** Records a clear; the store assigns the id. */
  addClear(record: Omit<ClearRecord, 'id'>): Promise<ClearRecord>;
  listClears(fabric: string, q: ClearQuery): Promise<Page<ClearRecord>>;

  // audit log (survives fabric deletion: it records it)
  addAudit(record: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  listAudit(q: AuditQuery): Promise<Page<AuditRecord>>;

  // users and tokens
  getUser(username: string): Promise<UserRecord | null>;
  putUser(user: UserRecord): Promise<void>;
  countUsers(): Promise<number>;
  putToken(token: TokenRecord): Promise<void>;
  getToken(tokenHash: string): Promise<TokenRecord | null>;
  deleteExpiredTokens(now: number): Promise<void>;

  close(): Promise<void>;
}
