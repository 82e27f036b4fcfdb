// Per-fabric notification settings: EPT's names where EPT has them (notify_<kind>_<channel>,
// syslog_server, syslog_port, email_address, smtp_*), new ones in the same flat style. Validation
// (validate-notification-settings.ts) rejects a channel that could never deliver.
import type { FindingKind } from '../core/types.js';

/** A delivery channel. */
export type Channel = 'syslog' | 'email' | 'webhook';
export const CHANNELS: readonly Channel[] = ['syslog', 'email', 'webhook'];
export const FINDING_KINDS: readonly FindingKind[] = ['move', 'offsubnet', 'stale', 'rapid'];

/** Syslog severities by name (RFC 5424 table 2). */
export const SYSLOG_SEVERITIES = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
/** Syslog facilities by name (RFC 5424 table 1). */
export const SYSLOG_FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  'solaris-cron': 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
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

/** How a setting is checked. */
export type Spec =
  | { type: 'boolean'; default: boolean; doc: string }
  | { type: 'integer'; default: number; min: number; max: number; doc: string }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string }
  | { type: 'string'; default: string; doc: string; secret?: boolean }
  | { type: 'filter'; default: NotifyFilter; doc: string };

const bool = (doc: string) => ({ type: 'boolean', default: false, doc }) as const;
const severity = (doc: string) =>
  ({ type: 'enum', default: '', values: ['', ...Object.keys(SYSLOG_SEVERITIES)], doc }) as const;

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
  syslog_protocol: {
    type: 'enum',
    default: 'udp',
    values: ['udp', 'tcp', 'tls'],
    doc: 'udp, tcp (RFC 6587 octet counting) or tls (RFC 5425)',
  },
  syslog_format: { type: 'enum', default: 'rfc5424', values: ['rfc5424', 'rfc3164'], doc: 'message format' },
  syslog_facility: {
    type: 'enum',
    default: 'local7',
    values: Object.keys(SYSLOG_FACILITIES),
    doc: 'syslog facility name (local7 = 23)',
  },
  syslog_severity: {
    type: 'enum',
    default: 'warning',
    values: Object.keys(SYSLOG_SEVERITIES),
    doc: 'severity of every kind without its own',
  },
  syslog_severity_move: severity('severity of moves (empty: syslog_severity)'),
  syslog_severity_offsubnet: severity('severity of offsubnet learns (empty: syslog_severity)'),
  syslog_severity_stale: severity('severity of stale learns (empty: syslog_severity)'),
  syslog_severity_rapid: severity('severity of rapid endpoints (empty: syslog_severity)'),
  syslog_ca_file: {
    type: 'string',
    default: '',
    doc: 'PEM CA bundle that signs the syslog server certificate (tls; empty: system CAs)',
  },
  email_address: { type: 'string', default: '', doc: 'comma-separated recipients' },
  email_sender: { type: 'string', default: '', doc: 'From address (empty: ept@<this host>)' },
  smtp_type: {
    type: 'enum',
    default: 'relay',
    values: ['direct', 'relay'],
    doc: 'relay through smtp_relay_host, or deliver directly to each domain MX',
  },
  smtp_relay_host: { type: 'string', default: '', doc: 'SMTP relay host' },
  smtp_port: { type: 'integer', default: 587, min: 1, max: 65535, doc: 'SMTP relay port' },
  smtp_username: { type: 'string', default: '', doc: 'SMTP relay user (empty: no AUTH)' },
  smtp_password: { type: 'string', default: '', doc: 'SMTP relay password', secret: true },
  smtp_starttls: { type: 'boolean', default: true, doc: 'require STARTTLS on the relay connection' },
  smtp_ca_file: {
    type: 'string',
    default: '',
    doc: 'PEM CA bundle that signs the relay certificate (empty: system CAs)',
  },
  email_digest_seconds: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 86400,
    doc: 'collect mails into one digest per interval (0: one mail per finding)',
  },
  email_digest_max_items: {
    type: 'integer',
    default: 50,
    min: 1,
    max: 10000,
    doc: 'findings listed in full in a digest (the rest are counted)',
  },
  webhook_url: { type: 'string', default: '', doc: 'http(s) URL findings are POSTed to' },
  webhook_secret: {
    type: 'string',
    default: '',
    doc: 'HMAC-SHA256 key for the X-Ept-Signature header (empty: unsigned)',
    secret: true,
  },
  webhook_format: {
    type: 'enum',
    default: 'json',
    values: ['json', 'slack', 'teams'],
    doc: 'json, or json with a text field for Slack/Teams incoming webhooks',
  },
  webhook_retries: {
    type: 'integer',
    default: 5,
    min: 0,
    max: 10,
    doc: 'retries of a failed webhook delivery (exponential backoff)',
  },
  webhook_ca_file: {
    type: 'string',
    default: '',
    doc: 'PEM CA bundle that signs the webhook server certificate (empty: system CAs)',
  },
  rate_limit_per_endpoint: {
    type: 'integer',
    default: 10,
    min: 0,
    max: 100000,
    doc: 'notifications per endpoint per kind per window (0: unlimited)',
  },
  rate_limit_window_minutes: { type: 'integer', default: 5, min: 1, max: 1440, doc: 'rate limit window' },
  notify_filter: {
    type: 'filter',
    default: {},
    doc: 'only notify findings matching {tenants,vrfs,bds,epgs,nodes,kinds}',
  },
} as const satisfies Record<string, Spec>;

export type NotificationSettingName = keyof typeof NOTIFICATION_SPECS;

type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'integer' }
    ? number
    : S extends { type: 'filter' }
      ? NotifyFilter
      : S extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : string;

/** The resolved notification settings of one fabric. */
export type NotificationSettings = {
  readonly [K in NotificationSettingName]: ValueOf<(typeof NOTIFICATION_SPECS)[K]>;
};

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = Object.freeze(
  Object.fromEntries(
    Object.entries(NOTIFICATION_SPECS).map(([k, s]) => [k, s.default]),
  ) as NotificationSettings,
);

/** Defaults overlaid with stored overrides. */
export function resolveNotificationSettings(
  overrides: Partial<NotificationSettings> | undefined,
): NotificationSettings {
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
  return s.email_address
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}
