// Login sessions and subscriptions of one simulated APIC, with the APIC's timeouts: a token dies
// when not refreshed within refreshTimeoutSeconds or after maximumLifetimeSeconds; a subscription
// dies when not refreshed within its refresh timeout.
import { randomBytes } from 'node:crypto';
import type { ApicQuery } from './apic-query.js';

/** Timeouts of sessions and subscriptions, in seconds. */
export interface SessionOptions {
  refreshTimeoutSeconds?: number;
  maximumLifetimeSeconds?: number;
  subscriptionTimeoutSeconds?: number;
}

export interface SimSession {
  token: string;
  user: string;
  createdMs: number;
  refreshedMs: number;
}

export interface SimSubscription {
  id: string;
  token: string;
  query: ApicQuery;
  timeoutMs: number;
  expiresMs: number;
}

/** Why a token was refused. */
export type TokenProblem = 'missing' | 'unknown' | 'expired';

let subCounter = 0n;

export class SessionStore {
  readonly refreshTimeoutSeconds: number;
  readonly maximumLifetimeSeconds: number;
  readonly subscriptionTimeoutSeconds: number;
  private readonly sessions = new Map<string, SimSession>();
  readonly subscriptions = new Map<string, SimSubscription>();
  /** Bumped when the subscription set changes, so dispatch indexes can be rebuilt. */
  version = 0;

  constructor(
    o: SessionOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.refreshTimeoutSeconds = o.refreshTimeoutSeconds ?? 600;
    this.maximumLifetimeSeconds = o.maximumLifetimeSeconds ?? 86400;
    this.subscriptionTimeoutSeconds = o.subscriptionTimeoutSeconds ?? 60;
  }

  login(user: string): SimSession {
    const t = this.now();
    const s = { token: randomBytes(48).toString('base64url'), user, createdMs: t, refreshedMs: t };
    this.sessions.set(s.token, s);
    return s;
  }

  /** The live session of a token, or why there is none. */
  check(token: string | undefined): SimSession | TokenProblem {
    if (!token) return 'missing';
    const s = this.sessions.get(token);
    if (!s) return 'unknown';
    const t = this.now();
    if (t - s.refreshedMs > this.refreshTimeoutSeconds * 1000 || t - s.createdMs > this.maximumLifetimeSeconds * 1000) {
      this.logout(token);
      return 'expired';
    }
    return s;
  }

  refresh(s: SimSession): void {
    s.refreshedMs = this.now();
  }

  logout(token: string): void {
    this.sessions.delete(token);
    for (const [id, sub] of this.subscriptions) if (sub.token === token) this.subscriptions.delete(id);
    this.version++;
  }

  subscribe(token: string, query: ApicQuery): SimSubscription {
    subCounter++;
    const timeoutMs = (query.refreshTimeout ?? this.subscriptionTimeoutSeconds) * 1000;
    const sub = { id: String(72057594037927936n + subCounter), token, query, timeoutMs, expiresMs: this.now() + timeoutMs };
    this.subscriptions.set(sub.id, sub);
    this.version++;
    return sub;
  }

  /** Extends a subscription; false when it does not exist (any more). */
  refreshSubscription(id: string, timeoutSeconds: number | null): boolean {
    this.expire();
    const sub = this.subscriptions.get(id);
    if (!sub) return false;
    if (timeoutSeconds) sub.timeoutMs = timeoutSeconds * 1000;
    sub.expiresMs = this.now() + sub.timeoutMs;
    return true;
  }

  /** Drops subscriptions past their timeout. */
  expire(): void {
    const t = this.now();
    for (const [id, sub] of this.subscriptions) {
      if (sub.expiresMs < t) {
        this.subscriptions.delete(id);
        this.version++;
      }
    }
  }
}
