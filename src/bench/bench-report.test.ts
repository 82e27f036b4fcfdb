import { describe, expect, it } from 'vitest';
import { checkTargets, formatFabricBench } from './bench-report.js';
import { roundRate, type FabricBenchResult } from './fabric-bench.js';
import type { WindowResult } from './throughput-probe.js';

const MB = 1 << 20;

function window(rate: number, processed: number, keptUp: boolean): WindowResult {
  return {
    targetRate: rate,
    windowS: 10,
    simSentRate: rate,
    receivedRate: processed,
    processedRate: processed,
    committedRowsRate: processed,
    queueStart: 0,
    queueEnd: 0,
    queueMax: 10,
    queueLowStart: 0,
    queueLowEnd: 0,
    backlogStartBytes: 0,
    backlogEndBytes: 0,
    backlogMaxBytes: 0,
    eptCpuPct: 50,
    simCpuPct: 20,
    gaps: 0,
    cutShort: false,
    keptUp,
    limitedBy: keptUp ? 'none' : 'ept',
  };
}

function result(hosts: number, buildMs: number, sustained: number, peakRss: number): FabricBenchResult {
  const mem = { rss: 100 * MB, heapUsed: 10 * MB, afterGc: true };
  return {
    machine: { nproc: 2, cpuModel: 'test cpu', memTotalBytes: 8 << 30, node: 'v20.0.0', runtime: { nodeFlags: ['--max-semi-space-size=32'], mallocArenaMax: '2' } },
    load: { start: 0.5, end: 1 },
    calibrationMs: { start: 210, end: 230 },
    options: { endpoints: hosts, leafs: 4, duration: 1, seed: 1, churnPool: 10, partitions: 4, batchSize: 100, queueCapacity: 1000 },
    sim: { pid: 1, leafs: 4, hosts, startMs: 1, afterBuild: { rss: MB, heapUsed: MB }, peakRss: MB },
    build: { ms: buildMs, fullSyncs: 1, gaps: 0, endpointKeys: 2 * hosts, eventsProcessed: 8 * hosts, historyRows: 8 * hosts, peakRss },
    memory: { baseline: mem, afterBuild: mem, heapPerKey: 1, rssPerKey: 1, heapPerHost: 2, rssPerHost: 2 },
    throughput: { ramp: [window(200_000, 150_000, false), window(100_000, sustained, true)], sustained, peakAnalysed: 150_000, peakRss },
    latency: { rate: 50_000, window: window(50_000, 50_000, true), count: 10, p50Ms: 5, p99Ms: 20, maxMs: 30 },
    findings: { move: 3 },
    refreshes: 0,
    peakRss,
  };
}

describe('checkTargets', () => {
  it('judges a run of 1M endpoint keys (500K hosts, a MAC and an IP each) on its measured figures', () => {
    const [build, rate, rss] = checkTargets(result(500_000, 50_000, 120_000, 2000 * MB));
    expect(build).toMatchObject({ value: 50, projected: null, met: true });
    expect(rate).toMatchObject({ value: 120_000, met: true });
    expect(rss).toMatchObject({ projected: null, met: false });
  });

  it('projects build time and memory of a smaller run linearly to 1M', () => {
    const [build, , rss] = checkTargets(result(50_000, 10_000, 50_000, 200 * MB));
    expect(build?.projected).toBeCloseTo(100);
    expect(build?.met).toBe(false);
    // Baseline 100 MB stays; the 100 MB above it scales by 10.
    expect(rss?.projected).toBeCloseTo(1100 * MB);
    expect(rss?.met).toBe(true);
  });
});

describe('formatFabricBench', () => {
  it('prints the machine, every ramp window and the verdicts', () => {
    const text = formatFabricBench(result(1_000_000, 70_000, 90_000, 1000 * MB));
    expect(text).toContain('test cpu');
    expect(text).toContain('runtime: node --max-semi-space-size=32; MALLOC_ARENA_MAX 2');
    expect(text).toContain('210 ms at start, 230 ms at end');
    expect(text).toContain('churn 200,000/s');
    expect(text).toContain('NOT kept up (ept)');
    expect(text).toMatch(/build time .*MISSED/);
    expect(text).toMatch(/peak RSS .*met/);
  });
});

describe('roundRate', () => {
  it('rounds down to two significant digits', () => {
    expect(roundRate(123_456)).toBe(120_000);
    expect(roundRate(9_999)).toBe(9_900);
    expect(roundRate(0)).toBe(0);
  });
});
