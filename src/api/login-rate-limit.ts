// Login attempts per client IP in a fixed window, in memory: slows password guessing without
// a shared store (a cluster of API processes multiplies the allowance, which is acceptable).

/** Options of the login rate limiter. */
export interface LoginRateLimitOptions {
  /** Attempts allowed per IP per window. */
  max: number;
  windowMs: number;
  now?: () => number;
}

export class LoginRateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: LoginRateLimitOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Counts an attempt; returns the seconds to wait when over the limit, else 0. */
  hit(ip: string): number {
    const now = this.now();
    if (this.windows.size > 10_000) this.prune(now);
    let w = this.windows.get(ip);
    if (!w || now - w.start >= this.opts.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(ip, w);
    }
    w.count++;
    if (w.count <= this.opts.max) return 0;
    return Math.ceil((w.start + this.opts.windowMs - now) / 1000);
  }

  /** Forgets an IP after a successful login. */
  reset(ip: string): void {
    this.windows.delete(ip);
  }

  // Keeps memory bounded when many addresses try once.
  private prune(now: number): void {
    for (const [ip, w] of this.windows) if (now - w.start >= this.opts.windowMs) this.windows.delete(ip);
  }
}
