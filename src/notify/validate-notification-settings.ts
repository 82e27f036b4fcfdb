// Validation of notification settings: types and ranges of each setting, then whether every
// enabled channel could deliver, so a bad configuration is refused when saved, not found at send time.
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import type { SettingError } from '../core/settings.js';
import type { FindingKind } from '../core/types.js';
import {
  FINDING_KINDS,
  NOTIFICATION_SPECS,
  SYSLOG_FACILITIES,
  channelEnabled,
  emailRecipients,
  resolveNotificationSettings,
  type NotificationSettings,
  type NotifyFilter,
  type Spec,
} from './notification-settings.js';

/**
 * Validates a partial notification settings document: unknown names and wrong types are errors,
 * and so is an enabled channel that could not deliver (checked against the defaults overlaid).
 */
export function validateNotificationSettings(
  input: unknown,
): { ok: true; value: Partial<NotificationSettings> } | { ok: false; errors: SettingError[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ setting: '', message: 'notification settings must be a JSON object' }] };
  }
  const errors: SettingError[] = [];
  const value: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(input)) {
    const spec = (NOTIFICATION_SPECS as Record<string, Spec>)[name];
    if (!spec) errors.push({ setting: name, message: 'unknown setting' });
    else {
      const r = checkValue(name, spec, raw);
      if (typeof r === 'string') errors.push({ setting: name, message: r });
      else value[name] = r.v;
    }
  }
  if (errors.length) return { ok: false, errors };
  const s = resolveNotificationSettings(value as Partial<NotificationSettings>);
  checkSyslog(s, errors);
  checkEmail(s, errors);
  checkWebhook(s, errors);
  return errors.length ? { ok: false, errors } : { ok: true, value: value as Partial<NotificationSettings> };
}

function checkValue(name: string, spec: Spec, raw: unknown): { v: unknown } | string {
  switch (spec.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? { v: raw } : 'must be true or false';
    case 'integer':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return 'must be an integer';
      return raw < spec.min || raw > spec.max ? `must be between ${spec.min} and ${spec.max}` : { v: raw };
    case 'enum':
      // The facility may also be given as its number (23 = local7), as syslog users often write it.
      if (name === 'syslog_facility' && typeof raw === 'number') {
        const n = Object.entries(SYSLOG_FACILITIES).find(([, v]) => v === raw);
        return n ? { v: n[0] } : 'must be a facility name or a number between 0 and 23';
      }
      return typeof raw === 'string' && spec.values.includes(raw)
        ? { v: raw }
        : `must be one of ${spec.values.filter(Boolean).join(', ')}${spec.values.includes('') ? ' or empty' : ''}`;
    case 'string':
      if (typeof raw !== 'string') return 'must be a string';
      return raw.length > 4096 ? 'must be at most 4096 characters' : { v: raw.trim() };
    case 'filter':
      return checkFilter(raw);
  }
}

function checkFilter(raw: unknown): { v: NotifyFilter } | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return 'must be an object with tenants, vrfs, bds, epgs, nodes, kinds';
  const out: NotifyFilter = {};
  for (const [k, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) return `${k} must be a list`;
    if (k === 'tenants' || k === 'vrfs' || k === 'bds' || k === 'epgs') {
      if (!list.every((x) => typeof x === 'string' && x.length > 0)) return `${k} must be a list of names`;
      out[k] = list as string[];
    } else if (k === 'nodes') {
      if (!list.every((x) => Number.isInteger(x) && (x as number) > 0))
        return 'nodes must be a list of node ids';
      out.nodes = list as number[];
    } else if (k === 'kinds') {
      const bad = list.find((x) => !FINDING_KINDS.includes(x as FindingKind));
      if (bad !== undefined) return `kinds: ${JSON.stringify(bad)} is not one of ${FINDING_KINDS.join(', ')}`;
      out.kinds = list as FindingKind[];
    } else return `unknown filter field ${k} (use tenants, vrfs, bds, epgs, nodes, kinds)`;
  }
  return { v: out };
}

const HOST_RE =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*\.?$/i;
const EMAIL_RE = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$|^[^\s@<>,;"]+@localhost$/;

function validHost(h: string): boolean {
  return isIP(h) !== 0 || HOST_RE.test(h);
}

function checkCaFile(setting: string, file: string, errors: SettingError[]): void {
  if (!file) return;
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    errors.push({
      setting,
      message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    });
  }
}

function checkSyslog(s: NotificationSettings, errors: SettingError[]): void {
  if (s.syslog_server && !validHost(s.syslog_server))
    errors.push({ setting: 'syslog_server', message: `${s.syslog_server} is not a host name or IP address` });
  if (!channelEnabled(s, 'syslog')) return;
  if (!s.syslog_server)
    errors.push({ setting: 'syslog_server', message: 'required when a notify_*_syslog setting is on' });
  checkCaFile('syslog_ca_file', s.syslog_ca_file, errors);
}

function checkEmail(s: NotificationSettings, errors: SettingError[]): void {
  const bad = emailRecipients(s).filter((a) => !EMAIL_RE.test(a));
  if (bad.length)
    errors.push({ setting: 'email_address', message: `not an email address: ${bad.join(', ')}` });
  if (s.email_sender && !EMAIL_RE.test(s.email_sender))
    errors.push({ setting: 'email_sender', message: `${s.email_sender} is not an email address` });
  if (s.smtp_relay_host && !validHost(s.smtp_relay_host))
    errors.push({
      setting: 'smtp_relay_host',
      message: `${s.smtp_relay_host} is not a host name or IP address`,
    });
  if (!channelEnabled(s, 'email')) return;
  if (!emailRecipients(s).length)
    errors.push({
      setting: 'email_address',
      message: 'at least one recipient is required when a notify_*_email setting is on',
    });
  if (s.smtp_type === 'relay') {
    if (!s.smtp_relay_host)
      errors.push({
        setting: 'smtp_relay_host',
        message: 'required when smtp_type is relay and a notify_*_email setting is on',
      });
    if (s.smtp_password && !s.smtp_username)
      errors.push({ setting: 'smtp_username', message: 'required when smtp_password is set' });
    if (s.smtp_username && !s.smtp_password)
      errors.push({ setting: 'smtp_password', message: 'required when smtp_username is set' });
    checkCaFile('smtp_ca_file', s.smtp_ca_file, errors);
  }
}

function checkWebhook(s: NotificationSettings, errors: SettingError[]): void {
  if (s.webhook_url) {
    let url: URL | null = null;
    try {
      url = new URL(s.webhook_url);
    } catch {
      errors.push({ setting: 'webhook_url', message: `${s.webhook_url} is not a URL` });
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:')
      errors.push({ setting: 'webhook_url', message: `must be an http or https URL, not ${url.protocol}` });
    if (url && (url.username || url.password))
      errors.push({ setting: 'webhook_url', message: 'must not carry credentials; use webhook_secret' });
  }
  if (!channelEnabled(s, 'webhook')) return;
  if (!s.webhook_url)
    errors.push({ setting: 'webhook_url', message: 'required when a notify_*_webhook setting is on' });
  checkCaFile('webhook_ca_file', s.webhook_ca_file, errors);
}
