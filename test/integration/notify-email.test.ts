// Email channel against a real SMTP server (smtp-server) with STARTTLS and AUTH: relay and direct
// MX delivery, exact subject and body.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmailNotifier, type MxRecord } from '../../src/notify/email-notifier.js';
import { toNotification } from '../../src/notify/finding-names.js';
import {
  resolveNotificationSettings,
  type NotificationSettings,
} from '../../src/notify/notification-settings.js';
import { ipStale, labTables, macMove, smtpReceiver, testCertificate } from './notify-receivers.js';

const logger = pino({ level: 'silent' });
const HOST = 'ept-test.example.com';
const AUTH = { user: 'ept', pass: 'correct horse' };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function email(
  s: Partial<NotificationSettings>,
  extra: { resolveMx?: (d: string) => Promise<MxRecord[]>; directPort?: number } = {},
): EmailNotifier {
  const n = new EmailNotifier({
    settings: resolveNotificationSettings(s),
    logger,
    hostname: HOST,
    timeoutMs: 3000,
    ...extra,
  });
  cleanup.push(() => n.close());
  return n;
}

function relay(port: number, s: Partial<NotificationSettings> = {}): EmailNotifier {
  return email({
    email_address: 'noc@example.com, oncall@example.com',
    smtp_type: 'relay',
    smtp_relay_host: '127.0.0.1',
    smtp_port: port,
    smtp_username: AUTH.user,
    smtp_password: AUTH.pass,
    smtp_starttls: true,
    smtp_ca_file: testCertificate().caFile,
    ...s,
  });
}

describe('email through a relay', () => {
  it('upgrades with STARTTLS, authenticates and delivers subject and body', async () => {
    const rx = await smtpReceiver({ auth: AUTH });
    cleanup.push(() => rx.close());
    const f = ipStale('fab1', '10.1.1.20', Date.UTC(2025, 1, 2, 3, 4, 5));
    const r = await relay(rx.port).send(toNotification(f, labTables(), 7));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.detail).toMatch(new RegExp(`^127.0.0.1:${rx.port} accepted 2 recipient`));
    expect(rx.mails).toHaveLength(1);
    const m = rx.mails[0]!;
    expect(m.secure).toBe(true);
    expect(m.user).toBe('ept');
    expect(m.from).toBe(`ept@${HOST}`);
    expect(m.to).toEqual(['noc@example.com', 'oncall@example.com']);
    expect(m.headers.get('to')).toBe('noc@example.com, oncall@example.com');
    const summary =
      '[fab1] stale: ipv4 10.1.1.20 in uni/tn-acme/ap-shop/epg-web stale (remote) on leaf103 (node 103), points to node 101, expected node 102 (+7 similar suppressed by rate limit)';
    expect(m.subject).toBe(`[ept] ${summary}`);
    expect(m.text).toBe(
      [
        summary,
        '',
        'Fabric: fab1',
        'Kind: stale',
        'Endpoint: ipv4 10.1.1.20 (vnid 2949120)',
        'Time: 2025-02-02T03:04:05.000Z',
        'Tenant: acme',
        'VRF: uni/tn-acme/ctx-prod',
        'BD: uni/tn-acme/BD-web',
        'EPG: uni/tn-acme/ap-shop/epg-web',
        'Node: leaf103 (node 103)',
        'Reason: remote',
        'Points to: node 101',
        'Expected: node 102',
        'Suppressed: 7 similar notifications held back by the rate limit',
        '',
      ].join('\n'),
    );
  });

  it('reports a rejected login as a failed delivery', async () => {
    const rx = await smtpReceiver({ auth: AUTH });
    cleanup.push(() => rx.close());
    const r = await relay(rx.port, { smtp_password: 'wrong' }).send(
      toNotification(macMove('fab1', 'aa:bb:cc:00:02:01', Date.now()), undefined),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/EAUTH.*Invalid username or password/);
    expect(rx.mails).toHaveLength(0);
  });

  it('refuses a relay certificate it cannot verify when STARTTLS is required', async () => {
    const rx = await smtpReceiver({ auth: AUTH });
    cleanup.push(() => rx.close());
    const r = await relay(rx.port, { smtp_ca_file: '' }).send(
      toNotification(macMove('fab1', 'aa:bb:cc:00:02:02', Date.now()), undefined),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/self[- ]signed/i);
    expect(rx.mails).toHaveLength(0);
  });
});

describe('direct delivery', () => {
  it('sends one mail per recipient domain to its most preferred MX host', async () => {
    const backup = await smtpReceiver({ host: '127.0.0.1' });
    cleanup.push(() => backup.close());
    const primary = await smtpReceiver({ host: '127.0.0.2', port: backup.port });
    cleanup.push(() => primary.close());
    const looked: string[] = [];
    const resolveMx = async (domain: string): Promise<MxRecord[]> => {
      looked.push(domain);
      return [
        { exchange: '127.0.0.1', priority: 20 },
        { exchange: '127.0.0.2', priority: 10 },
      ];
    };
    const n = email(
      {
        email_address: 'a@example.org,b@example.net, c@example.org',
        smtp_type: 'direct',
        email_sender: 'ept@noc.example.com',
      },
      { resolveMx, directPort: backup.port },
    );
    const r = await n.send(toNotification(macMove('fab1', 'aa:bb:cc:00:02:03', Date.now()), labTables()));
    expect(r.ok).toBe(true);
    expect(looked).toEqual(['example.org', 'example.net']);
    expect(backup.mails).toHaveLength(0);
    expect(primary.mails.map((m) => m.to)).toEqual([['a@example.org', 'c@example.org'], ['b@example.net']]);
    expect(primary.mails.every((m) => m.from === 'ept@noc.example.com')).toBe(true);
    // Opportunistic STARTTLS: the server offers it, so the mail went encrypted.
    expect(primary.mails.every((m) => m.secure)).toBe(true);
    expect(primary.mails[0]!.subject).toMatch(
      /^\[ept\] \[fab1\] move: mac aa:bb:cc:00:02:03 in uni\/tn-acme\/ap-shop\/epg-web moved from leaf101/,
    );

    // With the preferred MX down, the next one takes the mail.
    await primary.close();
    expect(
      (await n.send(toNotification(macMove('fab1', 'aa:bb:cc:00:02:13', Date.now()), labTables()))).ok,
    ).toBe(true);
    expect(backup.mails.map((m) => m.to)).toEqual([['a@example.org', 'c@example.org'], ['b@example.net']]);
  });

  it('names the domain whose MX hosts all failed', async () => {
    const resolveMx = async (): Promise<MxRecord[]> => [{ exchange: '127.0.0.2', priority: 10 }];
    const rx = await smtpReceiver();
    cleanup.push(() => rx.close());
    const r = await email(
      { email_address: 'a@example.org', smtp_type: 'direct' },
      { resolveMx, directPort: rx.port },
    ).send(toNotification(macMove('fab1', 'aa:bb:cc:00:02:04', Date.now()), undefined));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^direct delivery failed for example.org: 127.0.0.2: .*ECONNREFUSED/);
  });
});
