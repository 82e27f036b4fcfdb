// Email channel (nodemailer): through a relay (STARTTLS, AUTH), or directly to each recipient
// domain's MX hosts (RFC 5321 5.1: MX by preference, the domain itself when it has none).
import { resolveMx as dnsResolveMx } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Logger } from 'pino';
import { digestMail, singleMail } from './email-format.js';
import {
  errorText,
  type DeliveryResult,
  type Digest,
  type DigestNotifier,
  type Notification,
} from './notification.js';
import { emailRecipients, type NotificationSettings } from './notification-settings.js';

export type EmailSettings = Pick<
  NotificationSettings,
  | 'email_address'
  | 'email_sender'
  | 'smtp_type'
  | 'smtp_relay_host'
  | 'smtp_port'
  | 'smtp_username'
  | 'smtp_password'
  | 'smtp_starttls'
  | 'smtp_ca_file'
>;

/** An MX record as node:dns returns it. */
export interface MxRecord {
  exchange: string;
  priority: number;
}

export interface EmailNotifierOptions {
  settings: EmailSettings;
  logger: Logger;
  /** MX lookup for direct delivery (default: node:dns resolveMx). */
  resolveMx?: (domain: string) => Promise<MxRecord[]>;
  /** Port of MX hosts in direct delivery (SMTP is 25; tests point it elsewhere). */
  directPort?: number;
  /** Name sent in EHLO and the default sender's domain (default: this host's name). */
  hostname?: string;
  /** Connection, greeting and socket timeouts, ms. */
  timeoutMs?: number;
}

/** What a message is, before it is addressed. */
interface MailContent {
  subject: string;
  text: string;
}

export class EmailNotifier implements DigestNotifier {
  readonly channel = 'email' as const;
  private readonly s: EmailSettings;
  private readonly log: Logger;
  private readonly resolveMx: (domain: string) => Promise<MxRecord[]>;
  private readonly directPort: number;
  private readonly hostname: string;
  private readonly timeoutMs: number;
  private readonly ca: Buffer | undefined;
  private relay: nodemailer.Transporter<SMTPTransport.SentMessageInfo> | null = null;
  private closed = false;

  constructor(opts: EmailNotifierOptions) {
    this.s = opts.settings;
    this.log = opts.logger.child({ component: 'notify-email' });
    this.resolveMx = opts.resolveMx ?? dnsResolveMx;
    this.directPort = opts.directPort ?? 25;
    this.hostname = opts.hostname ?? osHostname();
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.ca = this.s.smtp_ca_file ? readFileSync(this.s.smtp_ca_file) : undefined;
  }

  send(n: Notification): Promise<DeliveryResult> {
    return this.deliver(singleMail(n));
  }

  sendDigest(d: Digest): Promise<DeliveryResult> {
    return this.deliver(digestMail(d));
  }

  private get sender(): string {
    return this.s.email_sender || `ept@${this.hostname}`;
  }

  private async deliver(content: MailContent): Promise<DeliveryResult> {
    if (this.closed) return { ok: false, channel: 'email', attempts: 0, error: 'notifier closed' };
    const to = emailRecipients(this.s);
    if (!to.length)
      return { ok: false, channel: 'email', attempts: 0, error: 'email_address has no recipient' };
    try {
      const detail =
        this.s.smtp_type === 'relay' ? await this.viaRelay(to, content) : await this.direct(to, content);
      return { ok: true, channel: 'email', attempts: 1, detail };
    } catch (err) {
      return { ok: false, channel: 'email', attempts: 1, error: errorText(err) };
    }
  }

  private timeouts(): SMTPTransport.Options {
    return {
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      name: this.hostname,
    };
  }

  private async viaRelay(to: string[], content: MailContent): Promise<string> {
    this.relay ??= nodemailer.createTransport({
      ...this.timeouts(),
      host: this.s.smtp_relay_host,
      port: this.s.smtp_port,
      // 465 is implicit TLS (RFC 8314); every other port starts plain and upgrades with STARTTLS.
      secure: this.s.smtp_port === 465,
      requireTLS: this.s.smtp_starttls,
      auth: this.s.smtp_username ? { user: this.s.smtp_username, pass: this.s.smtp_password } : undefined,
      tls: { ca: this.ca },
    });
    const info = await this.relay.sendMail({ from: this.sender, to, ...content });
    return checkAccepted(info, `${this.s.smtp_relay_host}:${this.s.smtp_port}`);
  }

  /** One mail per recipient domain, to its MX hosts in order of preference. */
  private async direct(to: string[], content: MailContent): Promise<string> {
    const byDomain = new Map<string, string[]>();
    for (const a of to) {
      const domain = a.slice(a.lastIndexOf('@') + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), a]);
    }
    const done: string[] = [];
    const failed: string[] = [];
    for (const [domain, rcpts] of byDomain) {
      try {
        done.push(await this.directDomain(domain, rcpts, content));
      } catch (err) {
        failed.push(`${domain}: ${errorText(err)}`);
      }
    }
    if (failed.length)
      throw new Error(
        `direct delivery failed for ${failed.join('; ')}${done.length ? ` (delivered: ${done.join('; ')})` : ''}`,
      );
    return done.join('; ');
  }

  private async mxHosts(domain: string): Promise<string[]> {
    try {
      const mx = await this.resolveMx(domain);
      if (mx.length) return [...mx].sort((a, b) => a.priority - b.priority).map((r) => r.exchange);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENODATA' && code !== 'ENOTFOUND')
        throw new Error(`MX lookup of ${domain} failed: ${errorText(err)}`);
    }
    return [domain];
  }

  private async directDomain(domain: string, rcpts: string[], content: MailContent): Promise<string> {
    const errors: string[] = [];
    for (const host of await this.mxHosts(domain)) {
      // MX hosts rarely have certificates for the name we reach them by: TLS is opportunistic.
      const t = nodemailer.createTransport({
        ...this.timeouts(),
        host,
        port: this.directPort,
        secure: false,
        tls: { rejectUnauthorized: false },
      });
      try {
        const info = await t.sendMail({ from: this.sender, to: rcpts, ...content });
        return checkAccepted(info, `${host}:${this.directPort}`);
      } catch (err) {
        errors.push(`${host}: ${errorText(err)}`);
        this.log.debug({ err, host, domain }, 'MX host refused, trying the next');
      } finally {
        t.close();
      }
    }
    throw new Error(errors.join('; '));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.relay?.close();
    this.relay = null;
  }
}

function checkAccepted(info: SMTPTransport.SentMessageInfo, server: string): string {
  const rejected = info.rejected.map(String);
  if (!info.accepted.length)
    throw new Error(`${server} accepted no recipient (rejected: ${rejected.join(', ')})`);
  return `${server} accepted ${info.accepted.length} recipient(s)${rejected.length ? `, rejected ${rejected.join(', ')}` : ''}: ${info.response}`;
}
