import { describe, expect, it } from 'vitest';
import { latencySummary, RssSampler } from './rss-sampler.js';

describe('latencySummary', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    expect(latencySummary(samples)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
  });

  it('reports NaN for an empty window instead of throwing', () => {
    const s = latencySummary([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
  });
});

describe('RssSampler', () => {
  it('keeps a peak at least as high as the RSS now and starts phases afresh', () => {
    const r = new RssSampler(10);
    r.start();
    const phase = r.resetPhase();
    r.stop();
    expect(phase).toBeGreaterThan(0);
    expect(r.peak).toBeGreaterThanOrEqual(process.memoryUsage.rss() / 2);
    expect(r.peak).toBeGreaterThanOrEqual(r.phasePeak);
  });
});
