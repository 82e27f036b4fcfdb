// The dispatcher end to end with real receivers: a 10,000-move burst is rate limited per endpoint
// and mailed as one digest; filters route; test sends; a broken channel does not stop the others.
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../src/core/types.js';
import type { Notifier } from '../../src/notify/notification.js';
import { NotificationDispatcher } from '../../src/notify/notification-dispatcher.js';
import {
  resolveNotificationSettings,
  type NotificationSettings,
} from '../../src/notify/notification-settings.js';
import { createNotifier } from '../../src/notify/notifier-factory.js';
import { sendTest } from '../../src/notify/send-test.js';
import {
  ipStale,
  labTables,
  macMove,
  realDelay,
  smtpReceiver,
  streamSyslog,
  testCertificate,
  until,
  webhookReceiver,
} from './notify-receivers.js';

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2025, 8, 1, 0, 0, 0);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanup.splice(0)) await c();
});

function dispatcher(now: () => number = Date.now): NotificationDispatcher {
  const tables = labTables();
  const d = new NotificationDispatcher({
    logger,
    tables: (f) => (f === 'fab1' ? tables : undefined),
    now,
    hostname: 'ept-test',
  });
  cleanup.push(() => d.close(0));
  return d;
}

/** Move number i of a burst over `endpoints` endpoints; each endpoint flips between leaf101 and leaf102. */
function burstMove(i: number, endpoints: number): Finding {
  const e = i % endpoints;
  const round = Math.floor(i / endpoints);
  const addr = `aa:bb:cc:00:${(e >> 8).toString(16).padStart(2, '0')}:${(e & 0xff).toString(16).padStart(2, '0')}`;
  return round % 2 === 0 ? macMove('fab1', addr, T0 + i, 101, 102) : macMove('fab1', addr, T0 + i, 102, 101);
}

describe('NotificationDispatcher', () => {
  it('rate limits a burst of 10,000 moves per endpoint and mails one digest', async () => {
    const syslog = await streamSyslog(false);
    const smtp = await smtpReceiver();
    const hook = await webhookReceiver();
    cleanup.push(
      () => syslog.close(),
      () => smtp.close(),
      () => hook.close(),
    );
    let clock = T0;
    const d = dispatcher(() => clock);
    d.configure(
      'fab1',
      resolveNotificationSettings({
        notify_move_syslog: true,
        notify_move_email: true,
        notify_move_webhook: true,
        syslog_server: '127.0.0.1',
        syslog_port: syslog.port,
        syslog_protocol: 'tcp',
        email_address: 'noc@example.com',
        smtp_relay_host: '127.0.0.1',
        smtp_port: smtp.port,
        smtp_ca_file: testCertificate().caFile,
        email_digest_seconds: 300,
        email_digest_max_items: 20,
        webhook_url: hook.url,
        rate_limit_per_endpoint: 5,
        rate_limit_window_minutes: 5,
      }),
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    for (let i = 0; i < 10_000; i++) d.handle(burstMove(i, 100));
    expect(d.stats('fab1')).toMatchObject({
      received: 10_000,
      filtered: 0,
      suppressed: 9_500,
      digestPending: 20,
    });
    await until(
      () => syslog.messages.length === 500 && hook.requests.length === 500,
      10_000,
      '500 syslog messages and webhooks',
    );
    expect(smtp.mails).toHaveLength(0);
    // Each endpoint got exactly its first five moves through.
    const perEndpoint = new Map<string, number>();
    for (const r of hook.requests) {
      const addr = (JSON.parse(r.body) as { endpoint: { addr: string } }).endpoint.addr;
      perEndpoint.set(addr, (perEndpoint.get(addr) ?? 0) + 1);
    }
    expect(perEndpoint.size).toBe(100);
    expect([...perEndpoint.values()].every((c) => c === 5)).toBe(true);

    await vi.advanceTimersByTimeAsync(299_999);
    await realDelay(30);
    expect(smtp.mails).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    // The SMTP receiver times its greeting with setTimeout: real time from here on.
    vi.useRealTimers();
    await until(() => smtp.mails.length === 1, 5000, 'the digest mail');
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe('[ept] fab1: 500 findings (500 move)');
    const lines = mail.text.split('\n');
    expect(lines).toContain('  move: 500');
    expect(lines).toContain('  total: 500');
    expect(lines).toContain('Held back by the per-endpoint rate limit: 9500');
    expect(lines).toContain('First 20 of 500:');
    expect(lines.filter((l) => / \[fab1\] move: mac aa:bb:cc:00:00:/.test(l))).toHaveLength(20);
    expect(lines).toContain('… and 480 more.');

    // After the window, the next move of an endpoint says how many were held back (95 of its 100).
    clock += 5 * 60_000;
    d.handle(burstMove(10_000, 100));
    await until(() => hook.requests.length === 501, 5000, 'the next webhook');
    const next = JSON.parse(hook.requests[500]!.body) as { suppressed: number; summary: string };
    expect(next.suppressed).toBe(95);
    expect(next.summary).toMatch(/\(\+95 similar suppressed by rate limit\)$/);
    await until(() => syslog.messages.length === 501, 5000, 'the next syslog message');
    expect(syslog.messages[500]).toContain(' suppressed="95"]');
    await d.flush();
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.subject).toBe('[ept] fab1: 1 finding (1 move)');
  });

  it('routes by filter and sends only the kinds enabled per channel', async () => {
    const hook = await webhookReceiver();
    cleanup.push(() => hook.close());
    const d = dispatcher();
    const base: Partial<NotificationSettings> = { notify_move_webhook: true, webhook_url: hook.url };
    const sent = async (filter: NotificationSettings['notify_filter'], f: Finding): Promise<boolean> => {
      const before = hook.requests.length;
      d.configure('fab1', resolveNotificationSettings({ ...base, notify_filter: filter }));
      d.handle(f);
      await d.flush();
      return hook.requests.length > before;
    };
    let n = 0;
    const move = () => macMove('fab1', `aa:bb:cc:00:03:${(n++).toString(16).padStart(2, '0')}`, Date.now());
    expect(await sent({}, move())).toBe(true);
    expect(await sent({ tenants: ['other'] }, move())).toBe(false);
    expect(
      await sent(
        { tenants: ['acme'], epgs: ['web'], vrfs: ['uni/tn-acme/ctx-prod'], bds: ['tn-acme/BD-web'] },
        move(),
      ),
    ).toBe(true);
    expect(await sent({ nodes: [103] }, move())).toBe(false);
    expect(await sent({ nodes: [102] }, move())).toBe(true);
    expect(await sent({ kinds: ['stale'] }, move())).toBe(false);
    // Stale is not enabled for the webhook, whatever the filter says.
    expect(await sent({}, ipStale('fab1', '10.1.1.30', Date.now()))).toBe(false);
    // A fabric without notification settings is ignored.
    d.handle(macMove('fab2', 'aa:bb:cc:00:03:ff', Date.now()));
    await d.flush();
    expect(d.stats('fab1')?.filtered).toBe(3);
  });

  it('keeps delivering through the other channels when one notifier throws', async () => {
    const hook = await webhookReceiver();
    cleanup.push(() => hook.close());
    const broken: Notifier = {
      channel: 'syslog',
      send: () => Promise.reject(new Error('bug in a notifier')),
      close: async () => undefined,
    };
    const tables = labTables();
    const d = new NotificationDispatcher({
      logger,
      tables: () => tables,
      createNotifier: (channel, s) =>
        channel === 'syslog' ? broken : createNotifier(channel, s, { logger }),
    });
    cleanup.push(() => d.close(0));
    d.configure(
      'fab1',
      resolveNotificationSettings({
        notify_move_syslog: true,
        syslog_server: '127.0.0.1',
        notify_move_webhook: true,
        webhook_url: hook.url,
      }),
    );
    d.handle(macMove('fab1', 'aa:bb:cc:00:04:01', Date.now()));
    d.handle(macMove('fab1', 'aa:bb:cc:00:04:02', Date.now()));
    await d.flush();
    expect(hook.requests).toHaveLength(2);
    expect(d.stats('fab1')?.channels.syslog).toMatchObject({
      sent: 0,
      failed: 2,
      lastError: 'bug in a notifier',
    });
  });
});

describe('sendTest', () => {
  it('sends a test notification through the channel and reports the outcome', async () => {
    const hook = await webhookReceiver();
    cleanup.push(() => hook.close());
    const r = await sendTest(
      'webhook',
      resolveNotificationSettings({ webhook_url: hook.url, webhook_secret: 'k' }),
      'fab1',
      { logger },
    );
    expect(r).toEqual({ ok: true, channel: 'webhook', attempts: 1, detail: 'HTTP 200' });
    const body = JSON.parse(hook.requests[0]!.body) as { fabric: string; summary: string };
    expect(body.fabric).toBe('fab1');
    expect(body.summary).toMatch(/^TEST from ept: \[fab1\] move: mac 00:00:5e:00:53:01/);
  });

  it('does not retry a test webhook: the answer comes at once', async () => {
    const hook = await webhookReceiver(() => 503);
    cleanup.push(() => hook.close());
    const r = await dispatcher().sendTest(
      'fab1',
      'webhook',
      resolveNotificationSettings({ webhook_url: hook.url, webhook_retries: 10 }),
    );
    expect(r).toMatchObject({ ok: false, attempts: 1, error: expect.stringContaining('HTTP 503') });
  });

  it('sends a test syslog message over TCP', async () => {
    const rx = await streamSyslog(false);
    cleanup.push(() => rx.close());
    const r = await sendTest(
      'syslog',
      resolveNotificationSettings({
        syslog_server: '127.0.0.1',
        syslog_port: rx.port,
        syslog_protocol: 'tcp',
      }),
      'fab1',
      { logger, hostname: 'ept-test' },
    );
    expect(r).toEqual({ ok: true, channel: 'syslog', attempts: 1 });
    await until(() => rx.messages.length === 1, 2000, 'test message');
    expect(rx.messages[0]).toMatch(
      /^<188>1 \S+ ept-test ept \d+ move \[ept@32473 fabric="fab1" kind="move" .*\] TEST from ept: /,
    );
  });

  it('names the missing setting instead of trying', async () => {
    const r = await sendTest('syslog', resolveNotificationSettings({}), 'fab1', { logger });
    expect(r).toEqual({
      ok: false,
      channel: 'syslog',
      attempts: 0,
      error: 'syslog_server: required when a notify_*_syslog setting is on',
    });
    const e = await sendTest(
      'email',
      resolveNotificationSettings({ email_address: 'noc@example.com' }),
      'fab1',
      { logger },
    );
    expect(e).toEqual({
      ok: false,
      channel: 'email',
      attempts: 0,
      error: 'smtp_relay_host: required when smtp_type is relay and a notify_*_email setting is on',
    });
  });
});
