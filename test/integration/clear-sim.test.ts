// Clearing endpoints end to end on the simulator: ept's real chain tracks a simulated fabric, a
// stale learn is confirmed, and a clear through the HTTP API makes the simulated leaf drop it, so
// ept's stale flag goes away; a dry run changes nothing but is recorded; auto-clear is off by
// default and, when on, rate limited and recorded as 'auto'.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureAdmin } from '../../src/api/auth.js';
import { buildApp } from '../../src/api/build-app.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { AutoClear } from '../../src/remediate/auto-clear.js';
import { EndpointClearer } from '../../src/remediate/endpoint-clearer.js';
import { SimRemediator } from '../../src/remediate/sim-remediator.js';
import { confirmAll, FABRIC, settle, startE2e, waitRunning, type E2e } from '../support/fabric-e2e.js';
import { ADMIN_PASSWORD, bearer, loginToken } from './api-harness.js';

const logger = pino({ level: 'silent' });

interface Rig {
  h: E2e;
  app: FastifyInstance;
  token: string;
  auto: AutoClear;
  close(): Promise<void>;
}

async function rig(settings: Record<string, unknown> = {}): Promise<Rig> {
  const h = await startE2e({ settings });
  await waitRunning(h);
  const { store, pipeline, manager } = h.ept;
  await ensureAdmin(store, { password: ADMIN_PASSWORD, logger });
  const audit = new AuditLog(store, logger);
  const clearer = new EndpointClearer({
    store,
    logger,
    state: async (f, vnid, addr) => pipeline.getState(f, vnid, addr) ?? (await store.getEndpoint({ fabric: f, vnid, addr })),
    tables: (f) => manager.tables(f),
    remediator: async () => new SimRemediator(h.sim),
    audit,
  });
  const auto = new AutoClear({ clearer, settings: (f) => manager.settings(f), logger });
  pipeline.onFinding((f) => auto.handle(f));
  const app = await buildApp({ store, fabrics: manager, metrics: new Registry(), logger, tokenTtl: 3600, clears: clearer, audit }, { docs: false });
  const token = await loginToken(app, 'admin', ADMIN_PASSWORD);
  return {
    h,
    app,
    token,
    auto,
    async close() {
      await app.close();
      await auto.idle();
      await h.close();
    },
  };
}

const open: Rig[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

/** Host i's IP key: (VRF vnid, IP). */
function ipKey(h: E2e, i: number): { vnid: number; addr: string } {
  const host = h.sim.model.host(i);
  const epg = h.sim.model.topo.epgs[host?.epg ?? -1];
  const bd = h.sim.model.topo.bds[epg?.bd ?? -1];
  return { vnid: bd?.vrf ?? 0, addr: host?.ip ?? '' };
}

async function staleFlag(h: E2e, k: { vnid: number; addr: string }): Promise<number[]> {
  return (await h.ept.store.getEndpoint({ fabric: FABRIC, ...k }))?.flags.stale ?? [];
}

const truthNodes = (h: E2e, k: { vnid: number; addr: string }): number[] => h.sim.groundTruth(k).learns.map((l) => l.node);

describe('clearing on the simulator', () => {
  it('a dry run changes nothing but is recorded; the clear removes the stale learn and ept clears its flag', async () => {
    const r = await rig();
    open.push(r);
    const { h } = r;
    await h.sim.runScenario({ steps: [{ op: 'stale', host: 10, leaf: 105 }] });
    await settle(h);
    await confirmAll(h);
    const k = ipKey(h, 10);
    expect(await staleFlag(h, k)).toEqual([104]);
    expect(truthNodes(h, k)).toContain(104);
    const url = `/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/${k.addr}/clear`;

    const dry = await r.app.inject({ method: 'POST', url, headers: bearer(r.token), payload: { nodes: 'all-stale', reason: 'check first', dryRun: true } });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ outcome: 'dry-run', dryRun: true, nodes: [104], who: 'admin', reason: 'check first' });
    expect(dry.json().results[0].command).toMatch(/^clear system internal epm endpoint key vrf \S+:\S+ ip /);
    await settle(h);
    expect(truthNodes(h, k)).toContain(104);
    expect(await staleFlag(h, k)).toEqual([104]);

    const res = await r.app.inject({ method: 'POST', url, headers: bearer(r.token), payload: { nodes: 'all-stale', reason: 'stale remote learn on 104' } });
    expect(res.json()).toMatchObject({ outcome: 'ok', dryRun: false, nodes: [104] });
    expect(res.json().results[0].output).toContain('gone from this node');
    expect(truthNodes(h, k)).not.toContain(104);
    await settle(h);
    await vi.waitFor(async () => expect(await staleFlag(h, k)).toEqual([]), { timeout: 5000 });

    const list = await r.app.inject({ method: 'GET', url: `/api/v1/fabrics/${FABRIC}/clears?limit=10`, headers: bearer(r.token) });
    expect(list.json().items.map((c: { outcome: string }) => c.outcome)).toEqual(['ok', 'dry-run']);
    const per = await r.app.inject({ method: 'GET', url: `/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/${k.addr}/clears`, headers: bearer(r.token) });
    expect(per.json().items).toHaveLength(2);
    const audit = await r.app.inject({ method: 'GET', url: '/api/v1/audit?limit=10', headers: bearer(r.token) });
    expect(audit.json().items.filter((e: { action: string }) => e.action === 'endpoint.clear')).toHaveLength(2);
  });

  it('a clear of a learn that is really there relearns it (the host stays where it is)', async () => {
    const r = await rig();
    open.push(r);
    const k = ipKey(r.h, 10);
    const before = r.h.sim.groundTruth(k);
    const local = before.learns.find((l) => l.local)?.node ?? 0;
    const res = await r.app.inject({ method: 'POST', url: `/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/${k.addr}/clear`, headers: bearer(r.token), payload: { nodes: [local], reason: 'r' } });
    expect(res.json().results[0].output).toContain('learned again');
    expect(r.h.sim.groundTruth(k)).toEqual(before);
    await settle(r.h, false);
    expect((await r.h.ept.store.getEndpoint({ fabric: FABRIC, ...k }))?.current?.node).toBe(local);
  });

  it('refuses bad requests: unknown endpoint, nothing stale, viewer', async () => {
    const r = await rig();
    open.push(r);
    const k = ipKey(r.h, 10);
    const post = (url: string, payload: unknown, token = r.token) => r.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as Record<string, unknown> });
    expect((await post(`/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/10.255.255.254/clear`, { nodes: [101], reason: 'r' })).json().error.code).toBe('not_found');
    const none = await post(`/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/${k.addr}/clear`, { nodes: 'all-stale', reason: 'r' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/no node with a confirmed stale learn/);
    expect((await post(`/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/${k.addr}/clear`, { nodes: [101] })).statusCode).toBe(400);
    await r.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(r.token), payload: { username: 'viewer1', password: 'viewer-pass-1', role: 'viewer' } });
    const vt = await loginToken(r.app, 'viewer1', 'viewer-pass-1');
    expect((await post(`/api/v1/fabrics/${FABRIC}/endpoints/${k.vnid}/${k.addr}/clear`, { nodes: [101], reason: 'r' }, vt)).statusCode).toBe(403);
    expect((await r.h.ept.store.listClears(FABRIC, { limit: 10 })).items).toEqual([]);
  });

  it('auto-clear is off by default: a confirmed stale learn is not cleared', async () => {
    const r = await rig();
    open.push(r);
    await r.h.sim.runScenario({ steps: [{ op: 'stale', host: 10, leaf: 105 }] });
    await settle(r.h);
    await confirmAll(r.h);
    await r.auto.idle();
    expect(await staleFlag(r.h, ipKey(r.h, 10))).toEqual([104]);
    expect((await r.h.ept.store.listClears(FABRIC, { limit: 10 })).items).toEqual([]);
  });

  it('auto-clear, when on, clears confirmed stale learns as "auto", at most auto_clear_rate_limit per minute', async () => {
    const r = await rig({ auto_clear_stale: true, auto_clear_rate_limit: 1 });
    open.push(r);
    const { h } = r;
    await h.sim.runScenario({ steps: [{ op: 'stale', host: 10, leaf: 105 }, { op: 'stale', host: 2, leaf: 103 }] });
    await settle(h);
    await confirmAll(h);
    await r.auto.idle();
    const clears = (await h.ept.store.listClears(FABRIC, { limit: 10 })).items;
    expect(clears).toHaveLength(1);
    expect(clears[0]).toMatchObject({ who: 'auto', outcome: 'ok', dryRun: false, reason: expect.stringMatching(/^auto_clear_stale: confirmed stale/) });
    expect(r.auto.stats(FABRIC)).toEqual({ started: 1, rateLimited: 1, failed: 0 });
    const cleared = clears[0]!;
    expect(truthNodes(h, { vnid: cleared.vnid, addr: cleared.addr })).not.toContain(cleared.nodes[0]);
  });
});
