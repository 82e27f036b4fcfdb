// What the HTTP API needs from the rest of ept. Owned by the API; the composition root
// (src/main) provides it.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Finding } from '../core/types.js';
import type { FabricStatus } from '../fabric/fabric-status.js';
import type { HostTracking } from '../hosts/host-tracking.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { FabricNotifyStats } from '../notify/notification-dispatcher.js';
import type { FailedDelivery, FailedDeliveryQuery } from '../notify/failed-deliveries.js';
import type { DeliveryResult } from '../notify/notification.js';
import type { Channel, NotificationSettings } from '../notify/notification-settings.js';
import type { ClearRequest } from '../remediate/endpoint-clearer.js';
import type { ClearRecord, Store } from '../store/store.js';

/** Control of running fabrics. */
export interface FabricControl {
  /** Live status of a fabric; a configured fabric that is not running reports state 'stopped'. */
  status(name: string): Promise<FabricStatus | null>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  /** Called after a fabric's config or settings changed in the store: applies them (restarts the subscriber only if the APIC config changed). */
  reconfigure(name: string): Promise<void>;
  /** Stops the fabric and drops its in-memory state (before deleteFabric). */
  remove(name: string): Promise<void>;
  /** Tries to log in to an APIC with the given config without saving anything. */
  testConnection(apic: { urls: string[]; username: string; password: string; verifyTls: boolean; caFile?: string }): Promise<{ ok: boolean; url?: string; error?: string }>;
}

/** A live feed of findings as they are recorded (for SSE/websocket pushes to the UI). */
export interface FindingFeed {
  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: (f: Finding) => void): () => void;
}

/** The notification dispatcher, as the API uses it (src/notify/notification-dispatcher.ts). */
export interface NotificationControl {
  /** Applies a fabric's (resolved) notification settings. */
  configure(fabric: string, settings: NotificationSettings): void;
  sendTest(fabric: string, channel: Channel, settings: NotificationSettings): Promise<DeliveryResult>;
  listFailed(q?: FailedDeliveryQuery): Promise<FailedDelivery[]>;
  stats(fabric: string): FabricNotifyStats | undefined;
}

/** Endpoint clearing (src/remediate/endpoint-clearer.ts). */
export interface ClearControl {
  clear(req: ClearRequest): Promise<ClearRecord>;
}

/** The audit log (src/audit/audit-log.ts). */
export interface AuditControl {
  record(e: AuditEntry): Promise<unknown>;
}

export interface ApiContext {
  store: Store;
  fabrics: FabricControl;
  /** prom-client registry that /metrics serves; the API adds its own HTTP metrics to it. */
  metrics: Registry;
  logger: Logger;
  /** Lifetime of issued API tokens, seconds. */
  tokenTtl: number;
  /** Live findings; absent in tests that do not need them. */
  findings?: FindingFeed;
  /** Host-side tracking of agent ARP/ND; absent: the API makes its own (tests). */
  hostTracking?: HostTracking;
  /** Notification channels; absent: settings can be stored but nothing is sent. */
  notifications?: NotificationControl;
  /** Endpoint clearing; absent: the clear route answers conflict. */
  clears?: ClearControl;
  /** Audit log; absent: nothing is audited. */
  audit?: AuditControl;
}
