// Events per second over a sliding window of whole seconds, without a per-event allocation.

export class EventRate {
  private readonly counts: Float64Array;
  private second = 0;

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new Float64Array(windowSeconds);
  }

  add(n: number): void {
    const s = this.advance();
    this.counts[s % this.windowSeconds]! += n;
  }

  /** Average events per second over the window. */
  rate(): number {
    this.advance();
    let sum = 0;
    for (const c of this.counts) sum += c;
    return sum / this.windowSeconds;
  }

  /** Clears the buckets of the seconds that passed since the last call. */
  private advance(): number {
    const s = Math.floor(this.now() / 1000);
    if (s !== this.second) {
      const gap = Math.min(s - this.second, this.windowSeconds);
      for (let k = 1; k <= gap; k++) this.counts[(this.second + k) % this.windowSeconds] = 0;
      this.second = s;
    }
    return s;
  }
}
