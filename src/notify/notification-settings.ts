// Per-fabric notification settings: EPT's names where EPT has them (notify_<kind>_<channel>,
// syslog_server, syslog_port, email_address, smtp_*), new ones in the same flat style. Validation
// rejects a channel that could never deliver, so nothing is discovered silently at send time.
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import type { SettingError } from '../core/settings.js';
import type { FindingKind } from '../core/types.js';

/** A delivery channel. */
export type Channel = 'syslog' | 'email' | 'webhook';
export const CHANNELS: readonly Channel[] = ['syslog', 'email', 'webhook'];
export const FINDING_KINDS: readonly FindingKind[] = ['move', 'offsubnet', 'stale', 'rapid'];

/** Syslog severities by name (RFC 5424 table 2). */
export const SYSLOG_SEVERITIES = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;
/** Syslog facilities by name (RFC 5424 table 1). */
export const SYSLOG_FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  ntp: 12, security: 13, console: 14, 'solaris-cron': 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;

export type SyslogSeverityName = keyof typeof SYSLOG_SEVERITIES;

/** Which findings are notified: every non-empty list must match (lists are OR within themselves). */
export interface NotifyFilter {
  /** Tenant names (uni/tn-<name>). */
  tenants?: string[];
  /** VRF names or DNs ("tn-a/ctx-v1" style suffixes match too). */
  vrfs?: string[];
  bds?: string[];
  epgs?: string[];
  /** Node ids; a vPC pair matches either member. */
  nodes?: number[];
  kinds?: FindingKind[];
}

type Spec =
  | { type: 'boolean'; default: boolean; doc: string }
  | { type: 'integer'; default: number; min: number; max: number; doc: string }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string }
  | { type: 'string'; default: string; doc: string; secret?: boolean }
  | { type: 'filter'; default: NotifyFilter; doc: string };

const bool = (doc: string) => ({ type: 'boolean', default: false, doc }) as const;
const severity = (doc: string) => ({ type: 'enum', default: '', values: ['', ...Object.keys(SYSLOG_SEVERITIES)], doc }) as const;

/** Every notification setting: type, default, range and a one-line description. */
export const NOTIFICATION_SPECS = {
  notify_move_syslog: bool('send moves to syslog'),
  notify_move_email: bool('send moves by email'),
  notify_move_webhook: bool('send moves to the webhook'),
  notify_offsubnet_syslog: bool('send offsubnet learns to syslog'),
  notify_offsubnet_email: bool('send offsubnet learns by email'),
  notify_offsubnet_webhook: bool('send offsubnet learns to the webhook'),
  notify_stale_syslog: bool('send stale learns to syslog'),
  notify_stale_email: bool('send stale learns by email'),
  notify_stale_webhook: bool('send stale learns to the webhook'),
  notify_rapid_syslog: bool('send rapid endpoints to syslog'),
  notify_rapid_email: bool('send rapid endpoints by email'),
  notify_rapid_webhook: bool('send rapid endpoints to the webhook'),
  syslog_server: { type: 'string', default: '', doc: 'syslog server host name or IP address' },
  syslog_port: { type: 'integer', default: 514, min: 1, max: 65535, doc: 'syslog server port' },
  syslog_protocol: { type: 'enum', default: 'udp', values: ['udp', 'tcp', 'tls'], doc: 'udp, tcp (RFC 6587 octet counting) or tls (RFC 5425)' },
  syslog_format: { type: 'enum', default: 'rfc5424', values: ['rfc5424', 'rfc3164'], doc: 'message format' },
  syslog_facility: { type: 'enum', default: 'local7', values: Object.keys(SYSLOG_FACILITIES), doc: 'syslog facility name (local7 = 23)' },
  syslog_severity: { type: 'enum', default: 'warning', values: Object.keys(SYSLOG_SEVERITIES), doc: 'severity of every kind without its own' },
  syslog_severity_move: severity('severity of moves (empty: syslog_severity)'),
  syslog_severity_offsubnet: severity('severity of offsubnet learns (empty: syslog_severity)'),
  syslog_severity_stale: severity('severity of stale learns (empty: syslog_severity)'),
  syslog_severity_rapid: severity('severity of rapid endpoints (empty: syslog_severity)'),
  syslog_ca_file: { type: 'string', default: '', doc: 'PEM CA bundle that signs the syslog server certificate (tls; empty: system CAs)' },
  email_address: { type: 'string', default: '', doc: 'comma-separated recipients' },
  email_sender: { type: 'string', default: '', doc: 'From address (empty: ept@<this host>)' },
  smtp_type: { type: 'enum', default: 'relay', values: ['direct', 'relay'], doc: 'relay through smtp_relay_host, or deliver directly to each domain MX' },
  smtp_relay_host: { type: 'string', default: '', doc: 'SMTP relay host' },
  smtp_port: { type: 'integer', default: 587, min: 1, max: 65535, doc: 'SMTP relay port' },
  smtp_username: { type: 'string', default: '', doc: 'SMTP relay user (empty: no AUTH)' },
  smtp_password: { type: 'string', default: '', doc: 'SMTP relay password', secret: true },
  smtp_starttls: { type: 'boolean', default: true, doc: 'require STARTTLS on the relay connection' },
  smtp_ca_file: { type: 'string', default: '', doc: 'PEM CA bundle that signs the relay certificate (empty: system CAs)' },
  email_digest_seconds: { type: 'integer', default: 0, min: 0, max: 86400, doc: 'collect mails into one digest per interval (0: one mail per finding)' },
  email_digest_max_items: { type: 'integer', default: 50, min: 1, max: 10000, doc: 'findings listed in full in a digest (the rest are counted)' },
  webhook_url: { type: 'string', default: '', doc: 'http(s) URL findings are POSTed to' },
  webhook_secret: { type: 'string', default: '', doc: 'HMAC-SHA256 key for the X-Ept-Signature header (empty: unsigned)', secret: true },
  webhook_format: { type: 'enum', default: 'json', values: ['json', 'slack', 'teams'], doc: 'json, or json with a text field for Slack/Teams incoming webhooks' },
  webhook_retries: { type: 'integer', default: 5, min: 0, max: 10, doc: 'retries of a failed webhook delivery (exponential backoff)' },
  webhook_ca_file: { type: 'string', default: '', doc: 'PEM CA bundle that signs the webhook server certificate (empty: system CAs)' },
  rate_limit_per_endpoint: { type: 'integer', default: 10, min: 0, max: 100000, doc: 'notifications per endpoint per kind per window (0: unlimited)' },
  rate_limit_window_minutes: { type: 'integer', default: 5, min: 1, max: 1440, doc: 'rate limit window' },
  notify_filter: { type: 'filter', default: {}, doc: 'only notify findings matching {tenants,vrfs,bds,epgs,nodes,kinds}' },
} as const satisfies Record<string, Spec>;

export type NotificationSettingName = keyof typeof NOTIFICATION_SPECS;

type ValueOf<S> = S extends { type: 'boolean' } ? boolean : S extends { type: 'integer' } ? number : S extends { type: 'filter' } ? NotifyFilter : S extends { type: 'enum'; values: readonly (infer V)[] } ? V : string;

/** The resolved notification settings of one fabric. */
export type NotificationSettings = { readonly [K in NotificationSettingName]: ValueOf<(typeof NOTIFICATION_SPECS)[K]> };

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = Object.freeze(
  Object.fromEntries(Object.entries(NOTIFICATION_SPECS).map(([k, s]) => [k, s.default])) as NotificationSettings,
);

/** Defaults overlaid with stored overrides. */
export function resolveNotificationSettings(overrides: Partial<NotificationSettings> | undefined): NotificationSettings {
  return Object.freeze({ ...DEFAULT_NOTIFICATION_SETTINGS, ...(overrides ?? {}) });
}

/** Whether a kind goes to a channel. */
export function kindEnabled(s: NotificationSettings, kind: FindingKind, channel: Channel): boolean {
  return s[`notify_${kind}_${channel}`];
}

/** Whether any kind goes to the channel. */
export function channelEnabled(s: NotificationSettings, channel: Channel): boolean {
  return FINDING_KINDS.some((k) => kindEnabled(s, k, channel));
}

/** Settings with secrets replaced, for API views and logs. */
export function redactNotificationSettings<T extends Partial<NotificationSettings>>(s: T): T {
  const out: Record<string, unknown> = { ...s };
  for (const [name, spec] of Object.entries(NOTIFICATION_SPECS) as [string, Spec][]) {
    if (spec.type === 'string' && spec.secret && out[name]) out[name] = '********';
  }
  return out as T;
}

/** Recipients of email_address, trimmed, empties dropped. */
export function emailRecipients(s: Pick<NotificationSettings, 'email_address'>): string[] {
  return s.email_address.split(',').map((a) => a.trim()).filter(Boolean);
}

/**
 * Validates a partial notification settings document: unknown names and wrong types are errors,
 * and so is an enabled channel that could not deliver (checked against the defaults overlaid).
 */
export function validateNotificationSettings(input: unknown): { ok: true; value: Partial<NotificationSettings> } | { ok: false; errors: SettingError[] } {
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
      return typeof raw === 'string' && spec.values.includes(raw) ? { v: raw } : `must be one of ${spec.values.filter(Boolean).join(', ')}${spec.values.includes('') ? ' or empty' : ''}`;
    case 'string':
      if (typeof raw !== 'string') return 'must be a string';
      return raw.length > 4096 ? 'must be at most 4096 characters' : { v: raw.trim() };
    case 'filter':
      return checkFilter(raw);
  }
}

function checkFilter(raw: unknown): { v: NotifyFilter } | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'must be an object with tenants, vrfs, bds, epgs, nodes, kinds';
  const out: NotifyFilter = {};
  for (const [k, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) return `${k} must be a list`;
    if (k === 'tenants' || k === 'vrfs' || k === 'bds' || k === 'epgs') {
      if (!list.every((x) => typeof x === 'string' && x.length > 0)) return `${k} must be a list of names`;
      out[k] = list as string[];
    } else if (k === 'nodes') {
      if (!list.every((x) => Number.isInteger(x) && (x as number) > 0)) return 'nodes must be a list of node ids';
      out.nodes = list as number[];
    } else if (k === 'kinds') {
      const bad = list.find((x) => !FINDING_KINDS.includes(x as FindingKind));
      if (bad !== undefined) return `kinds: ${JSON.stringify(bad)} is not one of ${FINDING_KINDS.join(', ')}`;
      out.kinds = list as FindingKind[];
    } else return `unknown filter field ${k} (use tenants, vrfs, bds, epgs, nodes, kinds)`;
  }
  return { v: out };
}

const HOST_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*\.?$/i;
const EMAIL_RE = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$|^[^\s@<>,;"]+@localhost$/;

function validHost(h: string): boolean {
  return isIP(h) !== 0 || HOST_RE.test(h);
}

function checkCaFile(setting: string, file: string, errors: SettingError[]): void {
  if (!file) return;
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    errors.push({ setting, message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
  }
}

function checkSyslog(s: NotificationSettings, errors: SettingError[]): void {
  if (s.syslog_server && !validHost(s.syslog_server)) errors.push({ setting: 'syslog_server', message: `${s.syslog_server} is not a host name or IP address` });
  if (!channelEnabled(s, 'syslog')) return;
  if (!s.syslog_server) errors.push({ setting: 'syslog_server', message: 'required when a notify_*_syslog setting is on' });
  checkCaFile('syslog_ca_file', s.syslog_ca_file, errors);
}

function checkEmail(s: NotificationSettings, errors: SettingError[]): void {
  const bad = emailRecipients(s).filter((a) => !EMAIL_RE.test(a));
  if (bad.length) errors.push({ setting: 'email_address', message: `not an email address: ${bad.join(', ')}` });
  if (s.email_sender && !EMAIL_RE.test(s.email_sender)) errors.push({ setting: 'email_sender', message: `${s.email_sender} is not an email address` });
  if (s.smtp_relay_host && !validHost(s.smtp_relay_host)) errors.push({ setting: 'smtp_relay_host', message: `${s.smtp_relay_host} is not a host name or IP address` });
  if (!channelEnabled(s, 'email')) return;
  if (!emailRecipients(s).length) errors.push({ setting: 'email_address', message: 'at least one recipient is required when a notify_*_email setting is on' });
  if (s.smtp_type === 'relay') {
    if (!s.smtp_relay_host) errors.push({ setting: 'smtp_relay_host', message: 'required when smtp_type is relay and a notify_*_email setting is on' });
    if (s.smtp_password && !s.smtp_username) errors.push({ setting: 'smtp_username', message: 'required when smtp_password is set' });
    if (s.smtp_username && !s.smtp_password) errors.push({ setting: 'smtp_password', message: 'required when smtp_username is set' });
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
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') errors.push({ setting: 'webhook_url', message: `must be an http or https URL, not ${url.protocol}` });
    if (url && (url.username || url.password)) errors.push({ setting: 'webhook_url', message: 'must not carry credentials; use webhook_secret' });
  }
  if (!channelEnabled(s, 'webhook')) return;
  if (!s.webhook_url) errors.push({ setting: 'webhook_url', message: 'required when a notify_*_webhook setting is on' });
  checkCaFile('webhook_ca_file', s.webhook_ca_file, errors);
}
