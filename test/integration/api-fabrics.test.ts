import { SETTING_SPECS } from '../../src/core/settings.js';
// API in-process: auth, fabrics, settings, health, metrics, OpenAPI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ensureAdmin } from '../../src/api/auth.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { ADMIN_PASSWORD, FABRIC_BODY, bearer, loginToken, startHarness, type Harness } from './api-harness.js';

let h: Harness;
let viewerToken: string;

beforeAll(async () => {
  h = await startHarness({ loginAttemptsPerMinute: 1000 });
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(h.adminToken), payload: { username: 'viewer1', password: 'viewer-pass-1', role: 'viewer' } });
  expect(res.statusCode).toBe(201);
  viewerToken = await loginToken(h.app, 'viewer1', 'viewer-pass-1');
});
afterAll(async () => h.close());

describe('auth', () => {
  it('rejects requests without a token with 401 and the stable error body', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/fabrics' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer') } });
  });

  it('rejects a forged token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/fabrics', headers: bearer('x'.repeat(43)) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('invalid or expired token');
  });

  it('login with a wrong password or unknown user is 401', async () => {
    for (const payload of [{ username: 'admin', password: 'nope' }, { username: 'ghost', password: ADMIN_PASSWORD }]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('login returns token, expiresAt and role; /auth/me tells who', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    const body = res.json();
    expect(body.role).toBe('admin');
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.token) });
    expect(me.json()).toMatchObject({ username: 'admin', role: 'admin' });
  });

  it('a viewer reads but may not write (403)', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/fabrics', headers: bearer(viewerToken) })).statusCode).toBe(200);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(viewerToken), payload: FABRIC_BODY });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('creating a user twice is a conflict; a short password names the field', async () => {
    const dup = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(h.adminToken), payload: { username: 'viewer1', password: 'another-pass', role: 'viewer' } });
    expect(dup.statusCode).toBe(409);
    const short = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(h.adminToken), payload: { username: 'v2', password: 'short', role: 'viewer' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details).toContainEqual({ field: 'body/password', message: expect.stringContaining('8') });
  });

  it('rate-limits login attempts per IP', async () => {
    const limited = await startHarness({ loginAttemptsPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        codes.push((await limited.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong' } })).statusCode);
      }
      // The harness's own login used one attempt, then reset the window on success.
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('ensureAdmin generates a strong password once and only on first start', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const logger = pino({ level: 'silent' });
    const first = await ensureAdmin(store, { logger });
    expect(first.created).toBe(true);
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const user = await store.getUser('admin');
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect(user?.passwordHash).not.toContain(first.generatedPassword);
    expect(await ensureAdmin(store, { logger, password: 'other-password' })).toEqual({ created: false });
    await store.close();
  });
});

describe('fabrics', () => {
  it('creates a fabric and never returns the APIC password', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: { ...FABRIC_BODY, settings: { rapid_threshold: 4096 } } });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain('apic-secret-pw');
    expect(res.json()).toMatchObject({ name: 'fab1', apic: { passwordSet: true, username: 'ept', urls: ['https://apic1.example.test'] }, settings: { rapid_threshold: 4096 }, state: 'stopped' });
    expect(h.fabrics.calls).toContain('reconfigure fab1');
    for (const url of ['/api/v1/fabrics', '/api/v1/fabrics/fab1']) {
      const got = await h.app.inject({ method: 'GET', url, headers: bearer(viewerToken) });
      expect(got.statusCode).toBe(200);
      expect(got.body).not.toContain('apic-secret-pw');
      expect(got.body).toContain('"passwordSet":true');
    }
    expect((await h.store.getFabric('fab1'))?.apic.password).toBe('apic-secret-pw');
  });

  it('refuses a duplicate name with 409', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: FABRIC_BODY });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain("'fab1' already exists");
  });

  it('validation errors name the field or setting', async () => {
    const bad = async (payload: unknown) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: payload as object });
      expect(res.statusCode).toBe(400);
      return res.json().error;
    };
    expect((await bad({ ...FABRIC_BODY, name: 'bad name!' })).details).toContainEqual({ field: 'body/name', message: expect.stringContaining('pattern') });
    expect((await bad({ ...FABRIC_BODY, name: 'x'.repeat(65) })).message).toContain('body/name');
    const url = await bad({ ...FABRIC_BODY, name: 'f2', apic: { ...FABRIC_BODY.apic, urls: ['ftp://apic'] } });
    expect(url.message).toBe("apic.urls[0]: must be an http:// or https:// URL, got 'ftp://apic'");
    const settings = await bad({ ...FABRIC_BODY, name: 'f2', settings: { rapid_threshold: 1, bogus: true, analyze_move: 'yes' } });
    expect(settings.code).toBe('bad_request');
    expect(settings.details).toEqual([
      { setting: 'rapid_threshold', message: 'must be between 512 and 65536' },
      { setting: 'bogus', message: 'unknown setting' },
      { setting: 'analyze_move', message: 'must be true or false' },
    ]);
    const missing = await bad({ name: 'f2', apic: { urls: ['https://a'], username: 'u', verifyTls: true } });
    expect(missing.details).toContainEqual({ field: 'body/apic/password', message: expect.stringContaining('password') });
    const extra = await bad({ ...FABRIC_BODY, name: 'f2', colour: 'blue' });
    expect(extra.details).toContainEqual({ field: 'body/colour', message: expect.any(String) });
    expect((await h.store.getFabric('f2'))).toBeNull();
  });

  it('PATCH merges settings, keeps the password unless given, and calls reconfigure', async () => {
    h.fabrics.calls.length = 0;
    const res = await h.app.inject({ method: 'PATCH', url: '/api/v1/fabrics/fab1', headers: bearer(h.adminToken), payload: { settings: { rapid_threshold: null, stale_delay: 60 }, apic: { username: 'ept2' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().settings).toEqual({ stale_delay: 60 });
    expect(res.json().apic.username).toBe('ept2');
    expect((await h.store.getFabric('fab1'))?.apic.password).toBe('apic-secret-pw');
    expect(h.fabrics.calls).toEqual(['reconfigure fab1']);
    const bad = await h.app.inject({ method: 'PATCH', url: '/api/v1/fabrics/fab1', headers: bearer(h.adminToken), payload: { settings: { stale_delay: -1 } } });
    expect(bad.json().error.details).toEqual([{ setting: 'stale_delay', message: 'must be between 0 and 3600' }]);
  });

  it('start, stop and status go to the runtime', async () => {
    const start = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/start', headers: bearer(h.adminToken) });
    expect(start.json().state).toBe('running');
    const status = await h.app.inject({ method: 'GET', url: '/api/v1/fabrics/fab1/status', headers: bearer(viewerToken) });
    expect(status.json()).toMatchObject({ fabric: 'fab1', state: 'running', subscription: { connected: false } });
    const stop = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/stop', headers: bearer(h.adminToken) });
    expect(stop.json().state).toBe('stopped');
    const viewerStart = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/start', headers: bearer(viewerToken) });
    expect(viewerStart.statusCode).toBe(403);
  });

  it('unknown fabrics are 404 on every fabric route', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/fabrics/nope'],
      ['GET', '/api/v1/fabrics/nope/status'],
      ['GET', '/api/v1/fabrics/nope/settings'],
      ['GET', '/api/v1/fabrics/nope/endpoints'],
      ['GET', '/api/v1/fabrics/nope/moves'],
      ['POST', '/api/v1/fabrics/nope/start'],
      ['DELETE', '/api/v1/fabrics/nope'],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: bearer(h.adminToken) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error).toEqual({ code: 'not_found', message: "fabric 'nope' does not exist" });
    }
  });

  it('test-connection passes the APIC config to the runtime without saving', async () => {
    const ok = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics/test-connection', headers: bearer(h.adminToken), payload: { apic: { ...FABRIC_BODY.apic, urls: ['https://good.example.test'] } } });
    expect(ok.json()).toEqual({ ok: true, url: 'https://good.example.test' });
    const fail = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics/test-connection', headers: bearer(h.adminToken), payload: { apic: FABRIC_BODY.apic } });
    expect(fail.json()).toEqual({ ok: false, error: 'connection refused' });
    expect((await h.store.listFabrics()).map((f) => f.name)).toEqual(['fab1']);
  });

  it('DELETE removes from the runtime then the store', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: { ...FABRIC_BODY, name: 'gone', autoStart: true } });
    expect(h.fabrics.calls).toContain('start gone');
    const res = await h.app.inject({ method: 'DELETE', url: '/api/v1/fabrics/gone', headers: bearer(h.adminToken) });
    expect(res.statusCode).toBe(204);
    expect(h.fabrics.calls).toContain('remove gone');
    expect(await h.store.getFabric('gone')).toBeNull();
  });
});

describe('settings', () => {
  it('GET resolves defaults and lists overrides; PUT replaces them', async () => {
    const get = await h.app.inject({ method: 'GET', url: '/api/v1/fabrics/fab1/settings', headers: bearer(viewerToken) });
    expect(get.json()).toMatchObject({ overridden: ['stale_delay'], overrides: { stale_delay: 60 } });
    expect(get.json().settings).toMatchObject({ stale_delay: 60, rapid_threshold: 2048, analyze_move: true });
    h.fabrics.calls.length = 0;
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/fabrics/fab1/settings', headers: bearer(h.adminToken), payload: { analyze_move: false } });
    expect(put.json()).toMatchObject({ overridden: ['analyze_move'], settings: { analyze_move: false, stale_delay: 45 } });
    expect(h.fabrics.calls).toEqual(['reconfigure fab1']);
    const bad = await h.app.inject({ method: 'PUT', url: '/api/v1/fabrics/fab1/settings', headers: bearer(h.adminToken), payload: { rapid_holdtime: 1.5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ code: 'bad_request', message: 'invalid settings: rapid_holdtime: must be an integer', details: [{ setting: 'rapid_holdtime', message: 'must be an integer' }] });
  });

  it('schema lists every setting with default and range', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/settings/schema', headers: bearer(viewerToken) });
    const items = res.json().items as { name: string }[];
    expect(items.find((i) => i.name === 'rapid_threshold')).toEqual({ name: 'rapid_threshold', type: 'integer', default: 2048, min: 512, max: 65536, doc: expect.any(String) });
    expect(items.map((i) => i.name).sort()).toEqual(Object.keys(SETTING_SPECS).sort());
  });
});

describe('system', () => {
  it('healthz and metrics need no token; metrics count HTTP requests by route', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/ept_http_requests_total\{method="GET",route="\/api\/v1\/fabrics\/:fabric",status="200"\} \d+/);
    expect(res.body).toContain('ept_http_request_duration_seconds_bucket');
  });

  it('healthz answers 503 when the store fails', async () => {
    const broken = await startHarness();
    await broken.store.close();
    const res = await broken.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    await broken.app.close();
  });

  it('serves an OpenAPI document listing the routes, and the docs page, without a token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.0.3');
    for (const p of ['/api/v1/fabrics', '/api/v1/fabrics/{fabric}', '/api/v1/fabrics/{fabric}/endpoints/{vnid}/{addr}', '/api/v1/fabrics/{fabric}/moves', '/api/v1/auth/login', '/api/v1/search', '/healthz']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/fabrics/{fabric}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    const docs = await h.app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('unknown routes and bad JSON get the stable error body', async () => {
    const nf = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: bearer(h.adminToken) });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('not_found');
    const badJson = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('bad_request');
  });
});
