// The audit log through the API: every kind of configuration change and action leaves an entry
// with who, when, what and details, never a secret; admins read it with paging and a fabric filter.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ensureAdmin } from '../../src/api/auth.js';
import { buildApp } from '../../src/api/build-app.js';
import { NotificationDispatcher } from '../../src/notify/notification-dispatcher.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { AuditRecord, Store } from '../../src/store/store.js';
import { ADMIN_PASSWORD, FABRIC_BODY, RecordingFabrics, bearer, loginToken } from './api-harness.js';
import { webhookReceiver, type WebhookReceiver } from './notify-receivers.js';

const logger = pino({ level: 'silent' });
let app: FastifyInstance;
let store: Store;
let notify: NotificationDispatcher;
let hook: WebhookReceiver;
let token: string;

beforeEach(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  await ensureAdmin(store, { password: ADMIN_PASSWORD, logger });
  notify = new NotificationDispatcher({ logger });
  hook = await webhookReceiver();
  app = await buildApp({ store, fabrics: new RecordingFabrics(store), metrics: new Registry(), logger, tokenTtl: 3600, notifications: notify }, { docs: false });
  token = await loginToken(app, 'admin', ADMIN_PASSWORD);
});
afterEach(async () => {
  await app.close();
  await notify.close(100);
  await hook.close();
  await store.close();
});

const call = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: unknown, t = token) =>
  app.inject({ method, url, headers: bearer(t), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

/** Every audit entry, oldest first, read page by page through the API. */
async function allEntries(fabric?: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '3', ...(cursor ? { cursor } : {}), ...(fabric ? { fabric } : {}) });
    const res = await call('GET', `/api/v1/audit?${q.toString()}`);
    expect(res.statusCode, res.body).toBe(200);
    out.push(...(res.json().items as AuditRecord[]));
    cursor = res.json().nextCursor as string | null;
  } while (cursor);
  return out.reverse();
}

describe('audit log', () => {
  it('records each kind of change and action with who and details, and never a secret', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong-password' } });
    expect((await call('POST', '/api/v1/fabrics', FABRIC_BODY)).statusCode).toBe(201);
    expect((await call('PATCH', '/api/v1/fabrics/fab1', { apic: { password: 'new-apic-secret' }, settings: { stale_delay: 60 } })).statusCode).toBe(200);
    expect((await call('PUT', '/api/v1/fabrics/fab1/settings', { analyze_move: false })).statusCode).toBe(200);
    expect((await call('PUT', '/api/v1/fabrics/fab1/notifications', { notify_move_webhook: true, webhook_url: hook.url, webhook_secret: 'hook-secret-9' })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/fabrics/fab1/notifications/test', { channel: 'webhook' })).json().ok).toBe(true);
    expect((await call('PUT', '/api/v1/fabrics/fab1/remediation', { ssh_username: 'ssh-user', ssh_password: 'ssh-secret-7' })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/fabrics/fab1/start')).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/fabrics/fab1/stop')).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/users', { username: 'viewer1', password: 'viewer-pass-1', role: 'viewer' })).statusCode).toBe(201);
    const vt = await loginToken(app, 'viewer1', 'viewer-pass-1');
    expect((await call('PUT', '/api/v1/fabrics/fab1/settings', { analyze_move: true }, vt)).statusCode).toBe(403);
    expect((await call('DELETE', '/api/v1/fabrics/fab1')).statusCode).toBe(204);

    let entries: AuditRecord[] = [];
    await vi.waitFor(async () => {
      entries = await allEntries();
      expect(entries.at(-1)?.action).toBe('fabric.delete');
    });
    expect(entries.map((e) => [e.who, e.action, e.fabric, e.outcome])).toEqual([
      ['admin', 'auth.login', null, 'ok'],
      ['admin', 'auth.login', null, 'failed'],
      ['admin', 'fabric.create', 'fab1', 'ok'],
      ['admin', 'fabric.update', 'fab1', 'ok'],
      ['admin', 'settings.update', 'fab1', 'ok'],
      ['admin', 'notifications.update', 'fab1', 'ok'],
      ['admin', 'notifications.test', 'fab1', 'ok'],
      ['admin', 'remediation.update', 'fab1', 'ok'],
      ['admin', 'fabric.start', 'fab1', 'ok'],
      ['admin', 'fabric.stop', 'fab1', 'ok'],
      ['admin', 'user.create', null, 'ok'],
      ['viewer1', 'auth.login', null, 'ok'],
      ['viewer1', 'settings.update', 'fab1', 'failed'],
      ['admin', 'fabric.delete', 'fab1', 'ok'],
    ]);
    const by = (a: string) => entries.find((e) => e.action === a)?.details;
    expect(by('fabric.update')).toMatchObject({ apic: ['password'], settings: { stale_delay: 60 } });
    expect(by('settings.update')).toMatchObject({ settings: { analyze_move: false } });
    expect(by('notifications.update')).toMatchObject({ changed: ['notify_move_webhook', 'webhook_secret', 'webhook_url'] });
    expect(by('notifications.test')).toMatchObject({ channel: 'webhook', attempts: 1 });
    expect(by('user.create')).toEqual({ status: 201, username: 'viewer1', role: 'viewer' });
    const text = JSON.stringify(entries);
    for (const secret of [ADMIN_PASSWORD, 'wrong-password', 'apic-secret-pw', 'new-apic-secret', 'hook-secret-9', 'ssh-secret-7', 'viewer-pass-1']) expect(text).not.toContain(secret);
    for (const e of entries) expect(e.ts).toBeGreaterThan(Date.now() - 60_000);
  });

  it('filters by fabric, and only admins read it', async () => {
    await call('POST', '/api/v1/fabrics', FABRIC_BODY);
    await call('POST', '/api/v1/fabrics', { ...FABRIC_BODY, name: 'fab2' });
    await call('POST', '/api/v1/users', { username: 'viewer1', password: 'viewer-pass-1', role: 'viewer' });
    await vi.waitFor(async () => expect((await allEntries()).at(-1)?.action).toBe('user.create'));
    expect((await allEntries('fab2')).map((e) => e.action)).toEqual(['fabric.create']);
    const vt = await loginToken(app, 'viewer1', 'viewer-pass-1');
    const res = await call('GET', '/api/v1/audit', undefined, vt);
    expect(res.statusCode).toBe(403);
    expect((await call('GET', '/api/v1/audit?cursor=bogus')).json().error.code).toBe('bad_request');
  });
});
