// Webhook channel: a JSON POST signed with HMAC-SHA256 (X-Ept-Signature: sha256=<hex of the body>),
// retried with exponential backoff on network errors, 408, 429 and 5xx.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { errorText, type DeliveryResult, type Notification, type Notifier } from './notification.js';
import type { NotificationSettings } from './notification-settings.js';

export type WebhookSettings = Pick<
  NotificationSettings,
  'webhook_url' | 'webhook_secret' | 'webhook_format' | 'webhook_retries' | 'webhook_ca_file'
>;

export const SIGNATURE_HEADER = 'x-ept-signature';
export const TIMESTAMP_HEADER = 'x-ept-timestamp';
export const DELIVERY_HEADER = 'x-ept-delivery';

export interface WebhookNotifierOptions {
  settings: WebhookSettings;
  logger: Logger;
  /** First retry delay, ms; each further retry doubles it. */
  backoffBaseMs?: number;
  /** Longest retry delay, ms. */
  backoffMaxMs?: number;
  /** Time one attempt may take, ms. */
  timeoutMs?: number;
}

/** The JSON document POSTed for a notification. */
export function webhookBody(
  n: Notification,
  format: WebhookSettings['webhook_format'],
): Record<string, unknown> {
  const f = n.finding;
  const body: Record<string, unknown> = {
    source: 'ept',
    event: 'finding',
    fabric: f.fabric,
    kind: f.kind,
    ts: new Date(f.ts).toISOString(),
    endpoint: { type: f.type, addr: f.addr, vnid: f.vnid },
    names: n.names,
    finding: f,
    suppressed: n.suppressed,
    summary: n.summary,
  };
  // Slack and Teams incoming webhooks display the top-level text field.
  if (format !== 'json') body['text'] = n.summary;
  return body;
}

/** sha256=<hex HMAC-SHA256 of the raw body>. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Delay before retry number `retry` (1-based). */
export function backoffDelay(retry: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** (retry - 1));
}

type Attempt = { ok: true; status: number } | { ok: false; retry: boolean; error: string };

export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook' as const;
  private readonly s: WebhookSettings;
  private readonly log: Logger;
  private readonly url: URL;
  private readonly ca: Buffer | undefined;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly timeoutMs: number;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private closed = false;

  constructor(opts: WebhookNotifierOptions) {
    this.s = opts.settings;
    this.log = opts.logger.child({ component: 'notify-webhook' });
    this.url = new URL(this.s.webhook_url);
    this.ca = this.s.webhook_ca_file ? readFileSync(this.s.webhook_ca_file) : undefined;
    this.baseMs = opts.backoffBaseMs ?? 1000;
    this.maxMs = opts.backoffMaxMs ?? 60_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async send(n: Notification): Promise<DeliveryResult> {
    const body = Buffer.from(JSON.stringify(webhookBody(n, this.s.webhook_format)));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'ept-notify',
      [DELIVERY_HEADER]: randomUUID(),
    };
    if (this.s.webhook_secret) headers[SIGNATURE_HEADER] = signBody(this.s.webhook_secret, body);
    let last = '';
    const tries = this.s.webhook_retries + 1;
    for (let attempt = 1; attempt <= tries; attempt++) {
      if (this.closed)
        return {
          ok: false,
          channel: 'webhook',
          attempts: attempt - 1,
          error: `notifier closed; last error: ${last}`,
        };
      headers[TIMESTAMP_HEADER] = String(Math.floor(Date.now() / 1000));
      const r = await this.post(body, headers);
      if (r.ok) return { ok: true, channel: 'webhook', attempts: attempt, detail: `HTTP ${r.status}` };
      last = r.error;
      if (!r.retry) return { ok: false, channel: 'webhook', attempts: attempt, error: last };
      if (attempt < tries) {
        const delay = backoffDelay(attempt, this.baseMs, this.maxMs);
        this.log.debug({ attempt, delay, error: last }, 'webhook delivery failed, retrying');
        await this.sleep(delay);
      }
    }
    return { ok: false, channel: 'webhook', attempts: tries, error: last };
  }

  private post(body: Buffer, headers: Record<string, string>): Promise<Attempt> {
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Attempt>((resolve) => {
      const req = request(
        this.url,
        { method: 'POST', headers, ca: this.ca, timeout: this.timeoutMs },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          res.resume();
          res.on('error', () => undefined);
          if (status >= 200 && status < 300) resolve({ ok: true, status });
          else
            resolve({
              ok: false,
              retry: status === 408 || status === 429 || status >= 500,
              error: `${this.url.origin}${this.url.pathname} answered HTTP ${status}`,
            });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) =>
        resolve({
          ok: false,
          retry: true,
          error: `${this.url.origin}${this.url.pathname}: ${errorText(err)}`,
        }),
      );
      req.end(body);
    });
  }

  /** A backoff wait that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeping.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleeping.add(entry);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.sleeping) {
      clearTimeout(e.timer);
      e.wake();
    }
    this.sleeping.clear();
  }
}
