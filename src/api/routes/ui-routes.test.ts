// The routes added for the web UI: dashboard summary, vnid names, the SSE finding stream (token in
// the query, fabric filter, batching) and serving the built UI with its SPA fallback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../core/types.js';
import { FABRIC_BODY, bearer, loginToken, startHarness, type Harness } from '../../../test/integration/api-harness.js';
import { buildApp } from '../build-app.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function harness(webDir?: string): Promise<Harness> {
  const h = await startHarness(webDir ? { webDir } : {});
  open.push(h);
  return h;
}

function move(fabric: string, addr: string, ts: number): Finding {
  const loc = { node: 101, ifId: 'eth1/1', encap: 'vlan-1', pcTag: 1, rwMac: '', rwBd: 0, ts };
  return { kind: 'move', fabric, vnid: 1, addr, type: 'mac', ts, node: 0, src: loc, dst: { ...loc, node: 102 } };
}

describe('summary and names', () => {
  it('counts findings over the last hour and day and endpoints', async () => {
    const h = await harness();
    await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: FABRIC_BODY });
    const now = Date.now();
    // Findings of endpoints whose rows are not written yet (as during a build, which writes endpoint
    // rows at its end): by their ids.
    const findings = [move('fab1', '00:00:00:00:00:01', now - 60_000), move('fab1', '00:00:00:00:00:02', now - 5 * 3_600_000)];
    await h.store.writeBatch({ endpoints: [], history: [], findings, findingIds: [1, 2], historyCap: 8, findingCap: 8 });
    const res = await h.app.inject({ url: '/api/v1/fabrics/fab1/summary', headers: bearer(h.adminToken) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { findings: { hour: { move: number }; day: { move: number } }; endpoints: { total: number }; status: { state: string } };
    expect([body.findings.hour.move, body.findings.day.move, body.endpoints.total, body.status.state]).toEqual([1, 2, 0, 'stopped']);
    expect((await h.app.inject({ url: '/api/v1/fabrics/nope/summary', headers: bearer(h.adminToken) })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/v1/fabrics/fab1/summary' })).statusCode).toBe(401);
  });

  it('answers names only for known vnids and rejects a bad vnid', async () => {
    const h = await harness();
    await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: FABRIC_BODY });
    const ok = await h.app.inject({ url: '/api/v1/fabrics/fab1/vnid-names?vnid=5&vnid=6', headers: bearer(h.adminToken) });
    expect(ok.json()).toEqual({ vnids: {} });
    const bad = await h.app.inject({ url: '/api/v1/fabrics/fab1/vnid-names?vnid=x', headers: bearer(h.adminToken) });
    expect(bad.statusCode).toBe(400);
  });
});

describe('finding stream', () => {
  async function streamApp(): Promise<{ app: FastifyInstance; h: Harness; emit(f: Finding): void; url: string; listeners: Set<(f: Finding) => void> }> {
    const h = await harness();
    const listeners = new Set<(f: Finding) => void>();
    const findings = { subscribe: (l: (f: Finding) => void) => (listeners.add(l), () => void listeners.delete(l)) };
    const app = await buildApp({ store: h.store, fabrics: h.fabrics, metrics: h.metrics, logger: h.app.log as never, tokenTtl: 3600, findings });
    open.unshift({ close: () => app.close() });
    await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: FABRIC_BODY });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { app, h, url, listeners, emit: (f) => listeners.forEach((l) => l(f)) };
  }

  it('pushes batches of the chosen fabric to a client that sent its token in the query', async () => {
    const s = await streamApp();
    const token = await loginToken(s.app, 'admin', 'admin-password-1');
    const res = await fetch(`${s.url}/api/v1/stream?fabric=fab1&token=${token}`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil('event: ready');
    s.emit(move('other', '00:00:00:00:00:09', 1));
    s.emit(move('fab1', '00:00:00:00:00:07', 2));
    await readUntil('event: findings');
    await readUntil('\n\n');
    const data = JSON.parse(/event: findings\ndata: (.*)\n/.exec(text)?.[1] ?? 'null') as { items: { addr: string; node: number }[] };
    expect(data.items.map((i) => [i.addr, i.node])).toEqual([['00:00:00:00:00:07', 102]]);
    // Shutdown ends open streams instead of waiting for the browser to go away.
    const t = Date.now();
    await s.app.close();
    expect(Date.now() - t).toBeLessThan(2000);
    while (!(await reader.read()).done);
    expect(s.listeners.size).toBe(0);
  });

  it('refuses a missing or wrong token and an unknown fabric', async () => {
    const s = await streamApp();
    expect((await fetch(`${s.url}/api/v1/stream?fabric=fab1`)).status).toBe(401);
    expect((await fetch(`${s.url}/api/v1/stream?fabric=fab1&token=nope`)).status).toBe(401);
    const token = await loginToken(s.app, 'admin', 'admin-password-1');
    expect((await fetch(`${s.url}/api/v1/stream?fabric=zzz&token=${token}`)).status).toBe(404);
    expect(s.listeners.size).toBe(0);
  });
});

describe('web UI serving', () => {
  it('serves index.html for UI paths, files as they are, and keeps API 404s as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ept-web-'));
    open.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ept ui</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const h = await harness(dir);
    for (const url of ['/', '/fabrics/fab1/moves', '/search?q=10.1']) {
      const r = await h.app.inject({ url });
      expect([url, r.statusCode, r.body]).toEqual([url, 200, '<!doctype html><title>ept ui</title>']);
    }
    expect((await h.app.inject({ url: '/app.js' })).body).toBe('console.log(1)');
    const api = await h.app.inject({ url: '/api/v1/nothing-here' });
    expect([api.statusCode, (api.json() as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
  });

  it('says how to build the UI when it is not built', async () => {
    const h = await harness(join(tmpdir(), 'ept-no-such-web-dir'));
    const r = await h.app.inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('npm run build');
  });
});
