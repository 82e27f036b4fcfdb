// Per-endpoint, per-kind notification limit: at most `limit` notifications in a fixed window, and
// a repeat of the notification last sent is a duplicate within the window. What is held back is
// counted and reported with the next notification that goes out for the same key.

interface Slot {
  start: number;
  count: number;
  suppressed: number;
  last: string;
}

/** Sentinel returned by admit() for a notification that must not be sent. */
export const SUPPRESSED = -1;

/** How long a held-back count waits for a next notification before it is forgotten, ms. */
const CARRY_MAX_MS = 24 * 3600_000;

export class EndpointRateLimit {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private limit: number,
    private windowMs: number,
  ) {}

  /** Changes the limit; running windows keep their counts. */
  configure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /**
   * Decides one notification. Returns SUPPRESSED, or the number of notifications held back for this
   * key since the last one sent (to mention in this one).
   */
  admit(key: string, fingerprint: string, now: number): number {
    if (this.limit === 0) return 0;
    const s = this.slots.get(key);
    if (!s || now - s.start >= this.windowMs) {
      const carried = s?.suppressed ?? 0;
      if (s) {
        s.start = now;
        s.count = 1;
        s.suppressed = 0;
        s.last = fingerprint;
      } else this.slots.set(key, { start: now, count: 1, suppressed: 0, last: fingerprint });
      return carried;
    }
    if (s.count >= this.limit || s.last === fingerprint) {
      s.suppressed++;
      return SUPPRESSED;
    }
    s.count++;
    s.last = fingerprint;
    const carried = s.suppressed;
    s.suppressed = 0;
    return carried;
  }

  /** Forgets finished windows (held-back counts are kept a day for the next notification). */
  sweep(now: number): number {
    let removed = 0;
    for (const [k, s] of this.slots) {
      const age = now - s.start;
      if (age >= this.windowMs && (s.suppressed === 0 || age >= CARRY_MAX_MS)) {
        this.slots.delete(k);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.slots.size;
  }
}
