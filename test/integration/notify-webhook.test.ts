// Webhook channel against a real HTTP listener: body, HMAC signature, retries with backoff (fake
// timers), and failures kept in the failed list.
import { createHmac } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toNotification } from '../../src/notify/finding-names.js';
import { NotificationDispatcher } from '../../src/notify/notification-dispatcher.js';
import {
  resolveNotificationSettings,
  type NotificationSettings,
} from '../../src/notify/notification-settings.js';
import { WebhookNotifier } from '../../src/notify/webhook-notifier.js';
import { labTables, macMove, realDelay, until, webhookReceiver } from './notify-receivers.js';

const logger = pino({ level: 'silent' });
const SECRET = 's3cret-key';
const T0 = Date.UTC(2025, 6, 1, 12, 0, 0);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanup.splice(0)) await c();
});

function webhook(url: string, s: Partial<NotificationSettings> = {}): WebhookNotifier {
  const n = new WebhookNotifier({
    settings: resolveNotificationSettings({ webhook_url: url, webhook_secret: SECRET, ...s }),
    logger,
    backoffBaseMs: 1000,
  });
  cleanup.push(() => n.close());
  return n;
}

/** Waits (real time) until the notifier has armed its backoff timer. */
async function backoffArmed(): Promise<void> {
  await until(() => vi.getTimerCount() === 1, 2000, 'backoff timer');
}

describe('webhook', () => {
  it('POSTs the finding as JSON, signed with HMAC-SHA256 of the body, with a timestamp', async () => {
    const rx = await webhookReceiver();
    cleanup.push(() => rx.close());
    const f = macMove('fab1', 'aa:bb:cc:00:01:01', T0);
    const before = Math.floor(Date.now() / 1000);
    const r = await webhook(rx.url).send(toNotification(f, labTables()));
    expect(r).toEqual({ ok: true, channel: 'webhook', attempts: 1, detail: 'HTTP 200' });
    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0]!;
    expect(req.path).toBe('/hooks/ept');
    expect(req.headers['content-type']).toBe('application/json');
    const expected = `sha256=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`;
    expect(req.headers['x-ept-signature']).toBe(expected);
    const ts = Number(req.headers['x-ept-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(req.headers['x-ept-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      source: 'ept',
      event: 'finding',
      fabric: 'fab1',
      kind: 'move',
      ts: '2025-07-01T12:00:00.000Z',
      endpoint: { type: 'mac', addr: 'aa:bb:cc:00:01:01', vnid: f.vnid },
      names: {
        tenant: 'acme',
        vrf: 'uni/tn-acme/ctx-prod',
        bd: 'uni/tn-acme/BD-web',
        epg: 'uni/tn-acme/ap-shop/epg-web',
        srcNode: 'leaf101',
        dstNode: 'leaf102',
      },
      finding: { kind: 'move', src: { node: 101, ifId: 'eth1/1' }, dst: { node: 102, ifId: 'eth1/2' } },
      suppressed: 0,
    });
    expect(body['summary']).toMatch(/^\[fab1\] move: mac aa:bb:cc:00:01:01 .* moved from leaf101/);
    expect(body).not.toHaveProperty('text');
  });

  it('adds the text field Slack and Teams display', async () => {
    const rx = await webhookReceiver();
    cleanup.push(() => rx.close());
    for (const format of ['slack', 'teams'] as const) {
      const n = toNotification(macMove('fab1', 'aa:bb:cc:00:01:02', T0), labTables());
      expect((await webhook(rx.url, { webhook_format: format, webhook_secret: '' }).send(n)).ok).toBe(true);
      const req = rx.requests.at(-1)!;
      expect((JSON.parse(req.body) as { text: string }).text).toBe(n.summary);
      expect(req.headers['x-ept-signature']).toBeUndefined();
    }
  });

  it('retries with exponential backoff: fails twice, then succeeds', async () => {
    const rx = await webhookReceiver((i) => (i < 2 ? 503 : 200));
    cleanup.push(() => rx.close());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const n = webhook(rx.url, { webhook_retries: 5 });
    const done = n.send(toNotification(macMove('fab1', 'aa:bb:cc:00:01:03', T0), undefined));
    await until(() => rx.requests.length === 1, 2000, 'first attempt');
    await backoffArmed();
    await vi.advanceTimersByTimeAsync(999);
    await realDelay(30);
    expect(rx.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => rx.requests.length === 2, 2000, 'second attempt');
    await backoffArmed();
    await vi.advanceTimersByTimeAsync(1999);
    await realDelay(30);
    expect(rx.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toEqual({ ok: true, channel: 'webhook', attempts: 3, detail: 'HTTP 200' });
    expect(rx.requests.map((r) => r.at - T0)).toEqual([0, 1000, 3000]);
    // Every attempt carries the same body, signature and delivery id; the timestamp is the attempt's.
    expect(new Set(rx.requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(rx.requests.map((r) => r.headers['x-ept-delivery'])).size).toBe(1);
    expect(rx.requests.map((r) => Number(r.headers['x-ept-timestamp']) - T0 / 1000)).toEqual([0, 1, 3]);
  });

  it('does not retry a 4xx answer other than 408/429', async () => {
    const rx = await webhookReceiver(() => 400);
    cleanup.push(() => rx.close());
    const r = await webhook(rx.url).send(toNotification(macMove('fab1', 'aa:bb:cc:00:01:04', T0), undefined));
    expect(r).toEqual({
      ok: false,
      channel: 'webhook',
      attempts: 1,
      error: `${new URL(rx.url).origin}/hooks/ept answered HTTP 400`,
    });
  });

  it('keeps a delivery that always fails in the failed list, after every retry', async () => {
    const rx = await webhookReceiver(() => 500);
    cleanup.push(() => rx.close());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const d = new NotificationDispatcher({ logger, tables: () => labTables(), backoffBaseMs: 1000 });
    cleanup.push(() => d.close(0));
    d.configure(
      'fab1',
      resolveNotificationSettings({ notify_move_webhook: true, webhook_url: rx.url, webhook_retries: 3 }),
    );
    d.handle(macMove('fab1', 'aa:bb:cc:00:01:05', T0));
    for (const [i, wait] of [1000, 2000, 4000].entries()) {
      await until(() => rx.requests.length === i + 1, 2000, `attempt ${i + 1}`);
      await backoffArmed();
      await vi.advanceTimersByTimeAsync(wait);
    }
    await until(() => rx.requests.length === 4, 2000, 'last attempt');
    vi.useRealTimers();
    await d.flush();
    const failed = await d.listFailed({ fabric: 'fab1' });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      fabric: 'fab1',
      channel: 'webhook',
      what: 'move',
      attempts: 4,
      error: `${new URL(rx.url).origin}/hooks/ept answered HTTP 500`,
    });
    expect(failed[0]!.notification?.finding.addr).toBe('aa:bb:cc:00:01:05');
    expect(failed[0]!.summary).toContain('aa:bb:cc:00:01:05');
    expect(d.stats('fab1')?.channels.webhook).toMatchObject({
      sent: 0,
      failed: 1,
      lastError: expect.stringContaining('HTTP 500'),
    });
    expect(rx.requests.map((r) => r.at - T0)).toEqual([0, 1000, 3000, 7000]);
  });
});
