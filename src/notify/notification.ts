// The Notifier port and the enriched notification every channel renders.
import type { Finding, FindingKind } from '../core/types.js';
import type { Channel } from './notification-settings.js';

/** Names resolved from the fabric tables at the time of the finding ('' when unknown). */
export interface FindingNames {
  tenant: string;
  /** VRF DN (uni/tn-a/ctx-v1). */
  vrf: string;
  /** BD DN. */
  bd: string;
  /** EPG DN (or external EPG). */
  epg: string;
  /** Name of finding.node (or "leaf101,leaf102" for a vPC pair). */
  node: string;
  /** Move source and destination node names. */
  srcNode: string;
  dstNode: string;
}

/** A finding ready to deliver. */
export interface Notification {
  finding: Finding;
  names: FindingNames;
  /** Notifications for the same endpoint and kind held back by the rate limit since the last one sent. */
  suppressed: number;
  /** One line a person reads (syslog MSG, mail subject, chat text). */
  summary: string;
}

/** The outcome of one delivery; failures are values, not exceptions. */
export type DeliveryResult =
  | { ok: true; channel: Channel; attempts: number; detail?: string }
  | { ok: false; channel: Channel; attempts: number; error: string };

/** A delivery channel (syslog, email, webhook). */
export interface Notifier {
  readonly channel: Channel;
  /** Delivers one notification; never rejects. */
  send(n: Notification): Promise<DeliveryResult>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A batch of notifications delivered as one message (email digest). */
export interface Digest {
  fabric: string;
  /** Start and end of the interval, ms. */
  from: number;
  to: number;
  /** Notifications collected, by kind (including those not listed). */
  counts: Record<FindingKind, number>;
  /** Notifications held back by the rate limit during the interval. */
  suppressed: number;
  /** The first notifications, in order. */
  items: Notification[];
}

/** A notifier that can also deliver a digest. */
export interface DigestNotifier extends Notifier {
  sendDigest(d: Digest): Promise<DeliveryResult>;
}

export function isDigestNotifier(n: Notifier): n is DigestNotifier {
  return typeof (n as Partial<DigestNotifier>).sendDigest === 'function';
}

/** Error text for a DeliveryResult, from anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
