// End-to-end harness: the APIC simulator over HTTP on 127.0.0.1, and ept's real chain behind it
// (SQLite store in a temp dir, EndpointPipeline, FabricManager with its FabricSubscriber). The
// pipeline runs on a clock that follows real time plus an offset the test can push forward, so
// delayed confirmations are run on demand (advance + runDueChecks) without shortening any delay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, vi } from 'vitest';
import { isLocal } from '../../src/core/analyses.js';
import type { FabricSettings } from '../../src/core/settings.js';
import { vpcPseudoNode, type EndpointState } from '../../src/core/types.js';
import type { FabricStatus } from '../../src/fabric/fabric-status.js';
import type { SubscriberTiming } from '../../src/fabric/fabric-subscriber.js';
import { FabricManager } from '../../src/main/fabric-manager.js';
import { EndpointPipeline } from '../../src/pipeline/endpoint-pipeline.js';
import { startApicSimulator, type ApicSimulator, type ApicSimulatorOptions, type EndpointTruth, type ExpectedFinding } from '../../src/sim/index.js';
import type { SimHost } from '../../src/sim/endpoint-space.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { recordNode, type FindingRecord, type Store } from '../../src/store/store.js';

export const FABRIC = 'sim';
const silent = pino({ level: 'silent' });

/** Short timings so faults and gaps are retried within a test. */
export const FAST_TIMING: Partial<SubscriberTiming> = { pageSize: 100, requestTimeoutMs: 1000, backoffInitialMs: 50, backoffMaxMs: 300 };

/** One incarnation of ept (what a process holds): store, pipeline, manager. */
export interface Ept {
  store: Store;
  pipeline: EndpointPipeline;
  manager: FabricManager;
  /** sim.stats().eventsSent when this incarnation started (events before were not for it). */
  sentBase: number;
}

export interface E2e {
  sim: ApicSimulator;
  dir: string;
  dbPath: string;
  ept: Ept;
  /** Pushes the pipeline's clock forward (ms). */
  advance(ms: number): void;
  /** Starts a new ept on the same database file (after stopEpt). */
  reopen(): Promise<Ept>;
  /** Stops ept like a process shutdown: subscriber, pipeline (flushes), store. */
  stopEpt(): Promise<void>;
  status(): Promise<FabricStatus>;
  close(): Promise<void>;
}

export interface E2eOptions {
  sim?: ApicSimulatorOptions;
  settings?: Partial<FabricSettings>;
  timing?: Partial<SubscriberTiming>;
}

/** The default small fabric: vPC pair 101/102, standalone leafs 103-105; hosts 0-7 on the pair. */
export const SMALL_FABRIC: ApicSimulatorOptions = { leafs: 5, vpcPairs: 1, endpoints: 120, seed: 3 };

export async function startE2e(o: E2eOptions = {}): Promise<E2e> {
  const sim = await startApicSimulator({ ...SMALL_FABRIC, ...o.sim });
  const dir = mkdtempSync(join(tmpdir(), 'ept-e2e-'));
  const dbPath = join(dir, 'ept.db');
  let offset = 0;
  const now = (): number => Date.now() + offset;
  let running: Ept | null = null;

  const open = async (): Promise<Ept> => {
    const store = await openSqliteStore({ path: dbPath });
    if (!(await store.getFabric(FABRIC))) {
      await store.putFabric({
        name: FABRIC,
        apic: { urls: sim.urls, username: sim.username, password: sim.password, verifyTls: true },
        settings: o.settings ?? {},
        autoStart: true,
        simulated: true,
        createdTs: Date.now(),
      });
    }
    const pipeline = new EndpointPipeline({ store, logger: silent, partitions: 4, now });
    const manager = new FabricManager({ store, pipeline, logger: silent, timing: { ...FAST_TIMING, ...o.timing } });
    const sentBase = sim.stats().eventsSent;
    await manager.start(FABRIC);
    running = { store, pipeline, manager, sentBase };
    return running;
  };
  const stopEpt = async (): Promise<void> => {
    const e = running;
    running = null;
    if (!e) return;
    await e.manager.stopAll();
    await e.pipeline.close();
    await e.store.close();
  };

  await open();
  const h: E2e = {
    sim,
    dir,
    dbPath,
    get ept(): Ept {
      if (!running) throw new Error('ept is stopped');
      return running;
    },
    advance: (ms) => void (offset += ms),
    reopen: open,
    stopEpt,
    async status() {
      const s = await h.ept.manager.status(FABRIC);
      if (!s) throw new Error('no status');
      return s;
    },
    async close() {
      await stopEpt();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Waits until the fabric is running with a build (or resync) that started after `since`. */
export async function waitRunning(h: E2e, since = 0, timeout = 10_000): Promise<FabricStatus> {
  let last: FabricStatus | null = null;
  await vi.waitFor(
    async () => {
      last = await h.status();
      expect(last.state).toBe('running');
      expect(last.build?.startedTs ?? 0).toBeGreaterThanOrEqual(since);
      expect(last.build?.finishedTs).not.toBeNull();
    },
    { timeout, interval: 20 },
  );
  return last as unknown as FabricStatus;
}

/**
 * Waits until every endpoint event the simulator sent has been received and processed, and the
 * pipeline has written everything. `exact`: the received count must equal what the simulator sent
 * since this ept started (only true when no websocket was dropped).
 */
export async function settle(h: E2e, exact = true): Promise<void> {
  let prev = -1;
  await vi.waitFor(
    async () => {
      const s = await h.status();
      const sent = h.sim.stats().eventsSent - h.ept.sentBase;
      const mark = s.eventsReceived * 1e6 + sent;
      const stable = mark === prev;
      prev = mark;
      expect(s.state).toBe('running');
      if (exact) expect(s.eventsReceived).toBe(sent);
      expect(stable).toBe(true);
    },
    { timeout: 10_000, interval: 120 },
  );
  await h.ept.pipeline.flush();
}

/** Runs every delayed confirmation by pushing the clock past the longest delay. */
export async function confirmAll(h: E2e): Promise<void> {
  h.advance(3_700_000);
  await h.ept.pipeline.runDueChecks();
  await h.ept.pipeline.flush();
}

// ---- findings ----

/** A finding as compared: kind|vnid|addr|node|reason. */
export function findingKey(f: { kind: string; vnid: number; addr: string; node?: number; reason?: string }): string {
  return `${f.kind}|${f.vnid}|${f.addr}|${f.node ?? 0}|${f.reason ?? ''}`;
}

/** Every finding record ept stored for the fabric, by findingKey. */
export async function storedFindings(store: Store): Promise<Map<string, FindingRecord>> {
  const out = new Map<string, FindingRecord>();
  for (const kind of ['move', 'offsubnet', 'stale', 'rapid'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.listFindings(FABRIC, kind, { limit: 500, cursor });
      for (const r of page.items) out.set(findingKey({ ...r, reason: r.last.reason }), r);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}

/** The keys of the records the expected findings count in (moves and rapids: one per endpoint, node 0). */
export function expectedKeys(list: ExpectedFinding[]): string[] {
  return [...new Set(list.map((f) => findingKey({ ...f, node: recordNode({ kind: f.kind, node: f.node ?? 0 }) })))].sort();
}

// ---- ground truth ----

/** The endpoint keys of a simulated host: its MAC (BD vnid) and its IP (VRF vnid). */
export function hostKeys(sim: ApicSimulator, host: SimHost): { vnid: number; addr: string }[] {
  const epg = sim.model.topo.epgs[host.epg];
  const bd = epg ? sim.model.topo.bds[epg.bd] : undefined;
  if (!bd) return [];
  const keys = [{ vnid: bd.vnid, addr: host.mac }];
  if (host.ip) keys.push({ vnid: bd.vrf, addr: host.ip });
  return keys;
}

/** What is compared of an endpoint: per present node (local?, ifId, remote), and the current node. */
export interface EndpointView {
  learns: string[];
  current: number;
}

export function truthView(t: EndpointTruth): EndpointView {
  const locals = t.learns.filter((l) => l.local).map((l) => l.node);
  const current = locals.length === 2 ? vpcPseudoNode(locals[0] ?? 0, locals[1] ?? 0) : (locals[0] ?? 0);
  return { learns: t.learns.map((l) => `${l.node}:${l.local ? 'local' : 'remote'}:${l.ifId}:${l.remote}`).sort(), current };
}

export function eptView(s: EndpointState | null | undefined): EndpointView {
  if (!s) return { learns: [], current: 0 };
  const learns = s.learns.filter((l) => l.present).map((l) => `${l.node}:${isLocal(l) ? 'local' : 'remote'}:${l.ifId}:${l.remote}`);
  return { learns: learns.sort(), current: s.current?.node ?? 0 };
}

/** Every host slot of the simulator (generated and added). */
export function allHosts(sim: ApicSimulator): SimHost[] {
  const out: SimHost[] = [];
  for (let i = 0; i < sim.model.total; i++) {
    const host = sim.model.host(i);
    if (host) out.push(host);
  }
  return out;
}

/**
 * Asserts ept's in-memory state and its stored state equal the simulator's ground truth for the
 * given hosts (default: every host). Returns the number of keys compared.
 */
export async function expectMatchesTruth(h: E2e, hosts: SimHost[] = allHosts(h.sim)): Promise<number> {
  let n = 0;
  for (const host of hosts) {
    for (const key of hostKeys(h.sim, host)) {
      const want = truthView(h.sim.groundTruth(key));
      const where = `${key.vnid} ${key.addr} (host ${host.index})`;
      expect(eptView(h.ept.pipeline.getState(FABRIC, key.vnid, key.addr)), `memory: ${where}`).toEqual(want);
      expect(eptView(await h.ept.store.getEndpoint({ fabric: FABRIC, ...key })), `store: ${where}`).toEqual(want);
      n++;
    }
  }
  return n;
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
