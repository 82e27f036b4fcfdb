// The CLI commands of notifications, clears and the audit log against the real API on 127.0.0.1.
import { runCliAgainst, type CliRun } from '../support/run-cli.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureAdmin } from '../../src/api/auth.js';
import { buildApp } from '../../src/api/build-app.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { NotificationDispatcher } from '../../src/notify/notification-dispatcher.js';
import { EndpointClearer } from '../../src/remediate/endpoint-clearer.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { ADMIN_PASSWORD, FABRIC_BODY, RecordingFabrics, endpoint, learn, loginToken } from './api-harness.js';
import { webhookReceiver, type WebhookReceiver } from './notify-receivers.js';

const logger = pino({ level: 'silent' });
let app: FastifyInstance;
let store: Store;
let notify: NotificationDispatcher;
let hook: WebhookReceiver;
let server: string;
let token: string;

function ept(...argv: string[]): Promise<CliRun> {
  return runCliAgainst(server, token, argv);
}

beforeAll(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  await ensureAdmin(store, { password: ADMIN_PASSWORD, logger });
  notify = new NotificationDispatcher({ logger });
  hook = await webhookReceiver();
  const audit = new AuditLog(store, logger);
  const clears = new EndpointClearer({ store, logger, audit, state: (fabric, vnid, addr) => store.getEndpoint({ fabric, vnid, addr }), remediator: async () => null });
  app = await buildApp({ store, fabrics: new RecordingFabrics(store), metrics: new Registry(), logger, tokenTtl: 3600, notifications: notify, clears, audit }, { docs: false });
  server = await app.listen({ host: '127.0.0.1', port: 0 });
  token = await loginToken(app, 'admin', ADMIN_PASSWORD);
  await store.putFabric({ ...FABRIC_BODY, settings: {}, simulated: false, createdTs: Date.now(), autoStart: false });
  await store.saveFabricObjects('fab1', [
    { cls: 'fabricNode', dn: 'topology/pod-1/node-103', attrs: { dn: 'topology/pod-1/node-103', name: 'leaf103', role: 'leaf' } },
    { cls: 'fvCtx', dn: 'uni/tn-acme/ctx-prod', attrs: { dn: 'uni/tn-acme/ctx-prod', scope: '2949120' } },
  ]);
  const ep = endpoint('fab1', 2949120, '10.1.1.5', 101, { learns: [learn(101), learn(103, { flags: ['ip'], remote: 102 })], flags: { offsubnet: [], stale: [103], rapidUntil: 0 } });
  await store.writeBatch({ endpoints: [ep], history: [], findings: [], historyCap: 8, findingCap: 8 });
});
afterAll(async () => {
  await app.close();
  await notify.close(100);
  await hook.close();
  await store.close();
});

describe('ept notifications, clears and audit commands', () => {
  it('fabric notifications: --set saves, a bad value is refused naming it, --test sends', async () => {
    const set = await ept('fabric', 'notifications', 'fab1', '--set', `webhook_url=${hook.url}`, '--set', 'notify_move_webhook=true', '--set', 'webhook_secret=cli-secret');
    expect(set.code, set.err).toBe(0);
    expect(set.out).toMatch(/webhook_secret\s+│\s+\*{8}\s/);
    expect((await store.getFabric('fab1'))?.notifications).toMatchObject({ webhook_secret: 'cli-secret', notify_move_webhook: true });
    // Setting something else keeps the secret (sent back redacted, replaced by the stored one).
    expect((await ept('fabric', 'notifications', 'fab1', '--set', 'webhook_retries=1')).code).toBe(0);
    expect((await store.getFabric('fab1'))?.notifications).toMatchObject({ webhook_secret: 'cli-secret', webhook_retries: 1 });
    const bad = await ept('fabric', 'notifications', 'fab1', '--set', 'syslog_port=70000');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('syslog_port: must be between 1 and 65535');
    const test = await ept('fabric', 'notifications', 'fab1', '--test', 'webhook');
    expect(test).toMatchObject({ code: 0, out: 'test message sent through webhook: HTTP 200' });
    expect(hook.requests).toHaveLength(1);
    const failed = await ept('fabric', 'notifications', 'fab1', '--test', 'email');
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('email_address');
  });

  it('endpoint clear: needs one node choice and a reason; a dry run is recorded and listed', async () => {
    expect((await ept('endpoint', 'clear', 'fab1', '2949120', '10.1.1.5', '--reason', 'x')).err).toContain('exactly one of --nodes, --all-stale, --all-offsubnet');
    expect((await ept('endpoint', 'clear', 'fab1', '2949120', '10.1.1.5', '--all-stale')).err).toContain('--reason');
    const dry = await ept('--json', 'endpoint', 'clear', 'fab1', '2949120', '10.1.1.5', '--all-stale', '--reason', 'stale on 103', '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ outcome: 'dry-run', nodes: [103], results: [{ node: 103, command: 'clear system internal epm endpoint key vrf acme:prod ip 10.1.1.5' }] });
    // No way to clear configured for this fabric: the attempt is recorded as failed and exits 1.
    const real = await ept('endpoint', 'clear', 'fab1', '2949120', '10.1.1.5', '--nodes', '103', '--reason', 'try');
    expect(real.code).toBe(1);
    expect(real.out).toContain('has no way to clear endpoints configured');
    const list = await ept('endpoint', 'clears', 'fab1');
    expect(list.out).toContain('failed');
    expect(list.out).toContain('dry-run');
  });

  it('audit lists entries, newest first, filtered by fabric', async () => {
    await vi.waitFor(async () => {
      const r = await ept('--json', 'audit', '--fabric', 'fab1');
      expect(r.code).toBe(0);
      const actions = (JSON.parse(r.out) as { items: { action: string }[] }).items.map((i) => i.action);
      expect(actions).toContain('endpoint.clear');
      expect(actions).toContain('notifications.update');
      expect(actions).toContain('notifications.test');
    });
    const human = await ept('audit', '--limit', '2');
    expect(human.out).toMatch(/endpoint\.clear/);
    expect(human.out).not.toContain('cli-secret');
  });
});
