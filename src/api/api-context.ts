// What the HTTP API needs from the rest of ept. Owned by the API; the composition root
// (src/main) provides it.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Finding } from '../core/types.js';
import type { FabricStatus } from '../fabric/fabric-status.js';
import type { Store } from '../store/store.js';

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
}
