import { describe, expect, it } from 'vitest';
import { EndpointRateLimit, SUPPRESSED } from './endpoint-rate-limit.js';

describe('EndpointRateLimit', () => {
  it('lets N through per window, counts the rest and reports them with the next one', () => {
    const l = new EndpointRateLimit(2, 1000);
    expect(l.admit('k', 'a', 0)).toBe(0);
    expect(l.admit('k', 'b', 10)).toBe(0);
    expect(l.admit('k', 'c', 20)).toBe(SUPPRESSED);
    expect(l.admit('k', 'd', 30)).toBe(SUPPRESSED);
    // Another key has its own budget.
    expect(l.admit('other', 'a', 30)).toBe(0);
    expect(l.admit('k', 'e', 1000)).toBe(2);
    expect(l.admit('k', 'f', 1001)).toBe(0);
  });

  it('holds back a repeat of the last notification within the window', () => {
    const l = new EndpointRateLimit(10, 1000);
    expect(l.admit('k', 'a', 0)).toBe(0);
    expect(l.admit('k', 'a', 1)).toBe(SUPPRESSED);
    expect(l.admit('k', 'b', 2)).toBe(1);
  });

  it('is off at 0 and forgets finished windows on sweep', () => {
    expect(new EndpointRateLimit(0, 1000).admit('k', 'a', 0)).toBe(0);
    const l = new EndpointRateLimit(1, 1000);
    l.admit('quiet', 'a', 0);
    l.admit('held', 'a', 0);
    l.admit('held', 'b', 1);
    expect(l.sweep(1000)).toBe(1);
    expect(l.size).toBe(1);
    expect(l.admit('held', 'c', 1500)).toBe(1);
  });
});
