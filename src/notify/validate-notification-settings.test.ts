import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NOTIFICATION_SETTINGS,
  redactNotificationSettings,
  resolveNotificationSettings,
} from './notification-settings.js';
import { validateNotificationSettings } from './validate-notification-settings.js';

function errors(input: unknown) {
  const r = validateNotificationSettings(input);
  return r.ok ? [] : r.errors;
}

describe('validateNotificationSettings', () => {
  it('keeps EPT names and defaults, everything off', () => {
    expect(DEFAULT_NOTIFICATION_SETTINGS).toMatchObject({
      notify_move_syslog: false,
      notify_stale_email: false,
      syslog_port: 514,
      smtp_port: 587,
      syslog_protocol: 'udp',
      syslog_format: 'rfc5424',
      syslog_facility: 'local7',
      email_digest_seconds: 0,
      webhook_format: 'json',
    });
    expect(validateNotificationSettings({})).toEqual({ ok: true, value: {} });
  });

  it('accepts a complete channel configuration', () => {
    const r = validateNotificationSettings({
      notify_move_syslog: true,
      syslog_server: 'syslog.example.com',
      syslog_protocol: 'tcp',
      syslog_facility: 19,
      notify_stale_email: true,
      email_address: 'a@example.com, b@example.com',
      smtp_relay_host: 'smtp.example.com',
      smtp_username: 'u',
      smtp_password: 'p',
      notify_rapid_webhook: true,
      webhook_url: 'https://hooks.example.com/x',
      webhook_format: 'slack',
      notify_filter: { tenants: ['acme'], nodes: [101], kinds: ['move', 'stale'] },
    });
    expect(r.ok).toBe(true);
    // A facility number is stored as its name.
    if (r.ok) expect(r.value.syslog_facility).toBe('local3');
  });

  it('rejects an enabled channel that could not deliver, naming the setting', () => {
    expect(errors({ notify_move_syslog: true })).toEqual([
      { setting: 'syslog_server', message: 'required when a notify_*_syslog setting is on' },
    ]);
    expect(errors({ notify_move_webhook: true })).toEqual([
      { setting: 'webhook_url', message: 'required when a notify_*_webhook setting is on' },
    ]);
    expect(errors({ notify_move_email: true })).toEqual([
      {
        setting: 'email_address',
        message: 'at least one recipient is required when a notify_*_email setting is on',
      },
      {
        setting: 'smtp_relay_host',
        message: 'required when smtp_type is relay and a notify_*_email setting is on',
      },
    ]);
    // Direct delivery needs no relay.
    expect(
      errors({ notify_move_email: true, smtp_type: 'direct', email_address: 'noc@example.com' }),
    ).toEqual([]);
  });

  it('rejects bad values with a clear message', () => {
    expect(errors({ webhook_url: 'not a url' })).toEqual([
      { setting: 'webhook_url', message: 'not a url is not a URL' },
    ]);
    expect(errors({ webhook_url: 'ftp://x.example.com/' })).toEqual([
      { setting: 'webhook_url', message: 'must be an http or https URL, not ftp:' },
    ]);
    expect(errors({ syslog_port: 70000 })).toEqual([
      { setting: 'syslog_port', message: 'must be between 1 and 65535' },
    ]);
    expect(errors({ smtp_port: 0 })).toEqual([
      { setting: 'smtp_port', message: 'must be between 1 and 65535' },
    ]);
    expect(errors({ syslog_protocol: 'http' })).toEqual([
      { setting: 'syslog_protocol', message: 'must be one of udp, tcp, tls' },
    ]);
    expect(errors({ syslog_facility: 24 })).toEqual([
      { setting: 'syslog_facility', message: 'must be a facility name or a number between 0 and 23' },
    ]);
    expect(errors({ syslog_severity_move: 'loud' })[0]?.message).toMatch(
      /^must be one of emerg, alert, .* or empty$/,
    );
    expect(errors({ email_address: 'noc@example.com, nobody' })).toEqual([
      { setting: 'email_address', message: 'not an email address: nobody' },
    ]);
    expect(errors({ syslog_server: 'bad host!' })).toEqual([
      { setting: 'syslog_server', message: 'bad host! is not a host name or IP address' },
    ]);
    expect(errors({ notify_move_sms: true })).toEqual([
      { setting: 'notify_move_sms', message: 'unknown setting' },
    ]);
    expect(errors({ notify_move_syslog: 'yes' })).toEqual([
      { setting: 'notify_move_syslog', message: 'must be true or false' },
    ]);
    expect(errors({ notify_filter: { kinds: ['moves'] } })).toEqual([
      { setting: 'notify_filter', message: 'kinds: "moves" is not one of move, offsubnet, stale, rapid' },
    ]);
    expect(errors({ notify_filter: { pods: [1] } })).toEqual([
      {
        setting: 'notify_filter',
        message: 'unknown filter field pods (use tenants, vrfs, bds, epgs, nodes, kinds)',
      },
    ]);
    expect(errors([])).toEqual([{ setting: '', message: 'notification settings must be a JSON object' }]);
  });

  it('rejects an unreadable CA file of an enabled TLS channel', () => {
    const base = { notify_move_syslog: true, syslog_server: '127.0.0.1', syslog_protocol: 'tls' };
    expect(errors({ ...base, syslog_ca_file: '/nonexistent/ca.pem' })).toEqual([
      { setting: 'syslog_ca_file', message: 'cannot read /nonexistent/ca.pem: ENOENT' },
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'ept-ca-')), 'ca.pem');
    writeFileSync(file, 'x');
    expect(errors({ ...base, syslog_ca_file: file })).toEqual([]);
  });

  it('redacts secrets', () => {
    const s = redactNotificationSettings(
      resolveNotificationSettings({ smtp_password: 'p', webhook_secret: 'k' }),
    );
    expect(s.smtp_password).toBe('********');
    expect(s.webhook_secret).toBe('********');
    expect(redactNotificationSettings({ smtp_password: '' }).smtp_password).toBe('');
  });
});
