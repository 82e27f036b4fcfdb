// Samples the resident set size of this process at a fixed interval and keeps the peak, so short
// spikes between the benchmark's own measurements are not missed.

export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  /** Highest RSS seen since start (or the last resetPhase), bytes. */
  phasePeak = 0;
  /** Highest RSS seen since start, bytes. */
  peak = 0;

  constructor(private readonly intervalMs = 100) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Starts a new phase; returns the peak of the phase that ended. */
  resetPhase(): number {
    this.sample();
    const p = this.phasePeak;
    this.phasePeak = process.memoryUsage.rss();
    return p;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    if (rss > this.phasePeak) this.phasePeak = rss;
  }
}

/** Count, p50, p99 and max of latency samples (ms); sorts them in place. */
export function latencySummary(samples: number[]): { count: number; p50: number; p99: number; max: number } {
  samples.sort((a, b) => a - b);
  const at = (q: number): number => (samples.length ? (samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)] as number) : NaN);
  return { count: samples.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}
