// What a running fabric reports about itself (API /fabrics/{f}/status, CLI, metrics).

export type FabricState = 'stopped' | 'building' | 'running' | 'resyncing' | 'error';

/** Progress of the initial build or a resync, per class. */
export interface BuildProgress {
  /** Class name -> objects read and total announced by the APIC (totalCount). */
  classes: Record<string, { read: number; total: number; done: boolean }>;
  startedTs: number;
  finishedTs: number | null;
}

export interface SubscriptionHealth {
  connected: boolean;
  /** APIC URL in use. */
  apic: string | null;
  subscriptions: number;
  lastRefreshTs: number | null;
  lastEventTs: number | null;
  reconnects: number;
}

export interface FabricStatus {
  fabric: string;
  state: FabricState;
  simulated: boolean;
  build: BuildProgress | null;
  lastError: { ts: number; message: string } | null;
  subscription: SubscriptionHealth;
  /** Endpoint events per second over the last 10 s. */
  eventRate: number;
  eventsReceived: number;
  eventsProcessed: number;
  /** Payloads or objects that could not be used since start. */
  parseErrors: number;
}
