import { describe, expect, it } from 'vitest';
import { queueGrowth, type QueueSample } from './throughput-probe.js';

/** Samples every 250 ms over 10 s, the queue at each given by f(ms). */
function samples(f: (t: number) => number): QueueSample[] {
  return Array.from({ length: 41 }, (_, i) => ({ t: i * 250, queued: f(i * 250) }));
}

describe('queueGrowth', () => {
  it('ignores a swing caught by the last (or first) sample: the queue went back down in between', () => {
    const spikes = samples((t) => (t === 10_000 ? 8_941 : t === 0 ? 12_000 : t % 3000 === 0 ? 15_000 : 200));
    expect(queueGrowth(spikes)).toEqual({ startLow: 200, endLow: 200 });
  });

  it('shows a queue that grows because ept falls behind: it stays high near the end', () => {
    const behind = samples((t) => Math.round(t * 1.5)); // +1 500 per second
    expect(queueGrowth(behind)).toEqual({ startLow: 0, endLow: 12_000 });
    // A full queue (backpressure) is as high at the start as at the end: no growth, and the
    // simulator's backlog is what shows ept behind then.
    expect(queueGrowth(samples(() => 20_000))).toEqual({ startLow: 20_000, endLow: 20_000 });
  });

  it('takes the lowest sample within the span of each end, and one sample for both ends when that is all there is', () => {
    const s = samples((t) => 10_000 - t);
    expect(queueGrowth(s, 1000)).toEqual({ startLow: 9_000, endLow: 0 });
    expect(queueGrowth([{ t: 5, queued: 7 }])).toEqual({ startLow: 7, endLow: 7 });
    expect(queueGrowth([])).toEqual({ startLow: 0, endLow: 0 });
  });
});
