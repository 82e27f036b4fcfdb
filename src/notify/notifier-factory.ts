// Builds the notifier of a channel from resolved settings.
import type { Logger } from 'pino';
import { EmailNotifier, type MxRecord } from './email-notifier.js';
import type { Notifier } from './notification.js';
import type { Channel, NotificationSettings } from './notification-settings.js';
import { SyslogNotifier } from './syslog-notifier.js';
import { WebhookNotifier } from './webhook-notifier.js';

/** Knobs of the transports that are not per-fabric settings (tests and the composition root set them). */
export interface NotifierOptions {
  logger: Logger;
  /** HOSTNAME in syslog, EHLO name and default sender domain (default: this host's name). */
  hostname?: string;
  /** MX lookup for direct email delivery (default: DNS). */
  resolveMx?: (domain: string) => Promise<MxRecord[]>;
  /** Port of MX hosts in direct email delivery (default 25). */
  directPort?: number;
  /** First webhook retry delay, ms (default 1000, doubling per retry). */
  backoffBaseMs?: number;
  /** Timeout of one network attempt, ms. */
  timeoutMs?: number;
}

/** Creates a channel's notifier. Throws when the settings cannot make one (validation prevents that). */
export function createNotifier(
  channel: Channel,
  settings: NotificationSettings,
  opts: NotifierOptions,
): Notifier {
  switch (channel) {
    case 'syslog':
      return new SyslogNotifier({
        settings,
        logger: opts.logger,
        hostname: opts.hostname,
        connectTimeoutMs: opts.timeoutMs,
      });
    case 'email':
      return new EmailNotifier({
        settings,
        logger: opts.logger,
        hostname: opts.hostname,
        resolveMx: opts.resolveMx,
        directPort: opts.directPort,
        timeoutMs: opts.timeoutMs,
      });
    case 'webhook':
      return new WebhookNotifier({
        settings,
        logger: opts.logger,
        backoffBaseMs: opts.backoffBaseMs,
        timeoutMs: opts.timeoutMs,
      });
  }
}
