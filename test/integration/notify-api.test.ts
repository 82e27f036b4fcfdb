// Notifications through the HTTP API: channels configured with PUT reach REAL receivers (an HTTP
// webhook listener and a UDP syslog listener on 127.0.0.1) when the real EndpointPipeline records a
// finding; bad configurations are refused when saved, naming the setting; secrets are redacted and
// round-trip; test-send and failed deliveries work.
import { createHmac } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureAdmin } from '../../src/api/auth.js';
import { buildApp } from '../../src/api/build-app.js';
import { resolveSettings } from '../../src/core/settings.js';
import type { Observation } from '../../src/core/types.js';
import { NotificationDispatcher } from '../../src/notify/notification-dispatcher.js';
import { EndpointPipeline } from '../../src/pipeline/endpoint-pipeline.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { ADMIN_PASSWORD, FABRIC_BODY, RecordingFabrics, bearer, loginToken } from './api-harness.js';
import { BD_VNID, EPG_PCTAG, VRF_VNID, labTables, udpSyslog, until, webhookReceiver, type SyslogReceiver, type WebhookReceiver } from './notify-receivers.js';

const logger = pino({ level: 'silent' });

interface Rig {
  app: FastifyInstance;
  store: Store;
  pipeline: EndpointPipeline;
  notify: NotificationDispatcher;
  token: string;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const store = await openSqliteStore({ path: ':memory:' });
  await ensureAdmin(store, { password: ADMIN_PASSWORD, logger });
  const notify = new NotificationDispatcher({ logger, tables: () => labTables() });
  const pipeline = new EndpointPipeline({ store, logger, partitions: 2 });
  pipeline.onFinding((f) => notify.handle(f));
  const app = await buildApp({ store, fabrics: new RecordingFabrics(store), metrics: new Registry(), logger, tokenTtl: 3600, notifications: notify }, { docs: false });
  const token = await loginToken(app, 'admin', ADMIN_PASSWORD);
  const add = await app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(token), payload: FABRIC_BODY });
  expect(add.statusCode).toBe(201);
  await pipeline.attachFabric('fab1', labTables(), resolveSettings({}));
  return {
    app,
    store,
    pipeline,
    notify,
    token,
    async close() {
      await app.close();
      await pipeline.close();
      await notify.close(100);
      await store.close();
    },
  };
}

/** A MAC learned locally on one leaf, then on another: the pipeline records a move. */
function macLearn(node: number, port: string, ts: number): Observation {
  return { fabric: 'fab1', cls: 'mac', node, vnid: BD_VNID, addr: 'aa:bb:cc:00:00:01', status: 'created', ts, flags: ['local'], ifId: port, encap: 'vlan-100', pcTag: EPG_PCTAG, bd: BD_VNID, vrf: VRF_VNID };
}

let r: Rig;
let hook: WebhookReceiver;
let syslog: SyslogReceiver;
beforeEach(async () => {
  r = await rig();
  hook = await webhookReceiver();
  syslog = await udpSyslog();
});
afterEach(async () => {
  await r.close();
  await hook.close();
  await syslog.close();
});

const put = (payload: unknown) => r.app.inject({ method: 'PUT', url: '/api/v1/fabrics/fab1/notifications', headers: bearer(r.token), payload: payload as Record<string, unknown> });

describe('notifications through the API', () => {
  it('a move found by the pipeline reaches the webhook (signed) and syslog (RFC 5424) configured with PUT', async () => {
    const res = await put({
      notify_move_webhook: true,
      notify_move_syslog: true,
      webhook_url: hook.url,
      webhook_secret: 'hook-secret-1',
      syslog_server: '127.0.0.1',
      syslog_port: syslog.port,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().overrides.webhook_secret).toBe('********');
    expect(res.json().settings).toMatchObject({ notify_move_webhook: true, syslog_protocol: 'udp', webhook_secret: '********' });

    const t = Date.now();
    await r.pipeline.submit([macLearn(101, 'eth1/1', t - 5000)]);
    await r.pipeline.submit([macLearn(102, 'eth1/2', t)]);
    await r.pipeline.flush();
    await until(() => hook.requests.length === 1 && syslog.messages.length === 1, 5000, 'webhook and syslog delivery');

    const req = hook.requests[0]!;
    const body = JSON.parse(req.body) as { finding: { kind: string; addr: string; fabric: string } };
    expect(body.finding).toMatchObject({ kind: 'move', addr: 'aa:bb:cc:00:00:01', fabric: 'fab1' });
    expect(req.headers['x-ept-signature']).toBe(`sha256=${createHmac('sha256', 'hook-secret-1').update(req.body).digest('hex')}`);
    expect(syslog.messages[0]).toMatch(/^<\d+>1 \S+ \S+ ept /);
    expect(syslog.messages[0]).toContain('[ept@32473');
    expect(syslog.messages[0]).toContain('aa:bb:cc:00:00:01');

    await r.notify.flush();
    const stats = await r.app.inject({ method: 'GET', url: '/api/v1/fabrics/fab1/notifications/stats', headers: bearer(r.token) });
    expect(stats.json()).toMatchObject({ fabric: 'fab1', received: 1, channels: { webhook: { sent: 1 }, syslog: { sent: 1 } } });
  });

  it('refuses a bad channel configuration when saved, naming the setting, and keeps the old one', async () => {
    expect((await put({ notify_move_syslog: true, syslog_server: '127.0.0.1', syslog_port: syslog.port })).statusCode).toBe(200);
    const bad = await put({ notify_stale_webhook: true, webhook_url: 'ftp://example.test/x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    expect(bad.json().error.details).toEqual([expect.objectContaining({ setting: 'webhook_url' })]);
    const missing = await put({ notify_move_syslog: true });
    expect(missing.json().error.details).toEqual([{ setting: 'syslog_server', message: 'required when a notify_*_syslog setting is on' }]);
    const unknown = await put({ notify_everything: true });
    expect(unknown.json().error.details).toEqual([{ setting: 'notify_everything', message: 'unknown setting' }]);
    expect((await r.store.getFabric('fab1'))?.notifications).toEqual({ notify_move_syslog: true, syslog_server: '127.0.0.1', syslog_port: syslog.port });
  });

  it('redacts secrets; the redacted form saved back keeps the stored secret; viewers cannot write', async () => {
    await put({ notify_move_webhook: true, webhook_url: hook.url, webhook_secret: 'keep-me' });
    const got = await r.app.inject({ method: 'GET', url: '/api/v1/fabrics/fab1/notifications', headers: bearer(r.token) });
    expect(got.body).not.toContain('keep-me');
    const back = await put({ ...got.json().overrides, webhook_retries: 0 });
    expect(back.statusCode).toBe(200);
    expect((await r.store.getFabric('fab1'))?.notifications).toMatchObject({ webhook_secret: 'keep-me', webhook_retries: 0 });
    await r.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(r.token), payload: { username: 'viewer1', password: 'viewer-pass-1', role: 'viewer' } });
    const vt = await loginToken(r.app, 'viewer1', 'viewer-pass-1');
    expect((await r.app.inject({ method: 'PUT', url: '/api/v1/fabrics/fab1/notifications', headers: bearer(vt), payload: {} })).statusCode).toBe(403);
    expect((await r.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/notifications/test', headers: bearer(vt), payload: { channel: 'webhook' } })).statusCode).toBe(403);
  });

  it('test-sends through a channel and reports what the receiver said', async () => {
    await put({ webhook_url: hook.url });
    const ok = await r.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/notifications/test', headers: bearer(r.token), payload: { channel: 'webhook' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, channel: 'webhook', attempts: 1 });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]?.body).toContain('TEST from ept');
    const incomplete = await r.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/notifications/test', headers: bearer(r.token), payload: { channel: 'syslog' } });
    expect(incomplete.json()).toMatchObject({ ok: false, channel: 'syslog', attempts: 0, error: expect.stringContaining('syslog_server') });
    const unsaved = await r.app.inject({ method: 'POST', url: '/api/v1/fabrics/fab1/notifications/test', headers: bearer(r.token), payload: { channel: 'syslog', settings: { syslog_server: '127.0.0.1', syslog_port: syslog.port } } });
    expect(unsaved.json()).toMatchObject({ ok: true, channel: 'syslog' });
    await until(() => syslog.messages.length === 1, 2000, 'test syslog message');
  });

  it('lists failed deliveries after every retry failed', async () => {
    const failing = await webhookReceiver(() => 500);
    try {
      await put({ notify_move_webhook: true, webhook_url: failing.url, webhook_retries: 0 });
      const t = Date.now();
      await r.pipeline.submit([macLearn(101, 'eth1/1', t - 5000)]);
      await r.pipeline.submit([macLearn(103, 'eth1/9', t)]);
      await r.pipeline.flush();
      let items: { channel: string; what: string; error: string; summary: string }[] = [];
      await until(() => failing.requests.length === 1, 3000, 'failing webhook request');
      for (let i = 0; i < 100 && items.length === 0; i++) {
        items = (await r.app.inject({ method: 'GET', url: '/api/v1/fabrics/fab1/notifications/failed?channel=webhook&limit=10', headers: bearer(r.token) })).json().items;
        if (!items.length) await new Promise((res) => setTimeout(res, 20));
      }
      expect(items).toEqual([expect.objectContaining({ channel: 'webhook', what: 'move', error: expect.stringContaining('500') })]);
      const none = await r.app.inject({ method: 'GET', url: '/api/v1/fabrics/fab1/notifications/failed?channel=syslog', headers: bearer(r.token) });
      expect(none.json().items).toEqual([]);
    } finally {
      await failing.close();
    }
  });

  it('publishes the schema of every notification setting', async () => {
    const res = await r.app.inject({ method: 'GET', url: '/api/v1/notifications/schema', headers: bearer(r.token) });
    const items = res.json().items as { name: string; secret?: boolean; values?: string[] }[];
    expect(items.find((i) => i.name === 'webhook_secret')?.secret).toBe(true);
    expect(items.find((i) => i.name === 'syslog_protocol')?.values).toEqual(['udp', 'tcp', 'tls']);
  });
});
