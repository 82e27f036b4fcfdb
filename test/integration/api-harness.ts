// Shared setup of the API integration tests: a real SQLite store (in memory), the real app, and a
// minimal FabricControl double standing in for the fabric runtime (src/main), which the API only calls.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { FabricControl } from '../../src/api/api-context.js';
import { ensureAdmin } from '../../src/api/auth.js';
import { buildApp, type BuildAppOptions } from '../../src/api/build-app.js';
import type { FabricStatus } from '../../src/fabric/fabric-status.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import type { EndpointState, Location, NodeLearn } from '../../src/core/types.js';

/** Records what the API asked of the runtime; states follow start/stop. */
export class RecordingFabrics implements FabricControl {
  readonly calls: string[] = [];
  readonly states = new Map<string, FabricStatus['state']>();
  constructor(private readonly store: Store) {}

  async status(name: string): Promise<FabricStatus | null> {
    const f = await this.store.getFabric(name);
    if (!f) return null;
    return {
      fabric: name,
      state: this.states.get(name) ?? 'stopped',
      simulated: f.simulated,
      build: null,
      lastError: null,
      subscription: { connected: false, apic: null, subscriptions: 0, lastRefreshTs: null, lastEventTs: null, reconnects: 0 },
      eventRate: 0,
      eventsReceived: 0,
      eventsProcessed: 0,
      parseErrors: 0,
    };
  }
  async start(name: string): Promise<void> {
    this.calls.push(`start ${name}`);
    this.states.set(name, 'running');
  }
  async stop(name: string): Promise<void> {
    this.calls.push(`stop ${name}`);
    this.states.set(name, 'stopped');
  }
  async reconfigure(name: string): Promise<void> {
    this.calls.push(`reconfigure ${name}`);
  }
  async remove(name: string): Promise<void> {
    this.calls.push(`remove ${name}`);
    this.states.delete(name);
  }
  async testConnection(apic: { urls: string[] }): Promise<{ ok: boolean; url?: string; error?: string }> {
    this.calls.push(`test ${apic.urls.join(',')}`);
    return apic.urls[0]?.includes('good') ? { ok: true, url: apic.urls[0] } : { ok: false, error: 'connection refused' };
  }
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  fabrics: RecordingFabrics;
  metrics: Registry;
  adminToken: string;
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'admin-password-1';

export async function startHarness(opts: BuildAppOptions = {}): Promise<Harness> {
  const store = await openSqliteStore({ path: ':memory:' });
  const logger = pino({ level: 'silent' });
  await ensureAdmin(store, { password: ADMIN_PASSWORD, logger });
  const fabrics = new RecordingFabrics(store);
  const metrics = new Registry();
  const app = await buildApp({ store, fabrics, metrics, logger, tokenTtl: 3600 }, { docs: true, ...opts });
  const adminToken = await loginToken(app, 'admin', ADMIN_PASSWORD);
  return {
    app,
    store,
    fabrics,
    metrics,
    adminToken,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export async function loginToken(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export const FABRIC_BODY = {
  name: 'fab1',
  apic: { urls: ['https://apic1.example.test'], username: 'ept', password: 'apic-secret-pw', verifyTls: false },
  autoStart: false,
};

export function location(node: number, ifId = 'eth1/1', extra: Partial<Location> = {}): Location {
  return { node, ifId, encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: 1_000, ...extra };
}

export function learn(node: number, extra: Partial<NodeLearn> = {}): NodeLearn {
  return { node, present: true, flags: ['local'], ifId: 'eth1/1', encap: 'vlan-101', pcTag: 49153, bd: 15_000_001, vrf: 2_000_001, rwMac: '', rwBd: 0, remote: 0, ts: 1_000, seq: 1, seen: 1, bindSeen: 0, ...extra };
}

/** An endpoint state learned locally on one node. */
export function endpoint(fabric: string, vnid: number, addr: string, node = 101, extra: Partial<EndpointState> = {}): EndpointState {
  const type = addr.includes('.') ? 'ipv4' : addr.split(':').length === 6 && addr.length === 17 ? 'mac' : 'ipv6';
  return {
    id: 0,
    fabric,
    vnid,
    addr,
    type,
    learns: [learn(node)],
    current: location(node),
    previous: null,
    deletedTs: 0,
    flags: { offsubnet: [], stale: [], rapidUntil: 0 },
    lastMove: null,
    rate: { bucketStart: 0, counts: [0, 0, 0, 0] },
    rapidSkipped: 0,
    ts: 1_000,
    ...extra,
  };
}
