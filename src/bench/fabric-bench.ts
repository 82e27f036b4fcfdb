// The fabric benchmark (`ept bench fabric`): a simulated APIC with N hosts (a MAC and an IP
// endpoint each) in its own process, ept's subscriber + pipeline + SQLite store in this one.
// Measures the initial build, the sustained end-to-end event rate (websocket in -> analysed ->
// committed), event-to-commit latency at half that rate, and memory. It measures and reports; it asserts nothing.
import { availableParallelism, loadavg } from 'node:os';
import { EptError } from '../core/errors.js';
import { EptUnderTest } from './ept-under-test.js';
import { latencySummary, RssSampler } from './rss-sampler.js';
import { SimProcess } from './sim-process.js';
import type { SimProcessStats, SimStarted } from './sim-protocol.js';
import { ThroughputProbe, type WindowResult } from './throughput-probe.js';

/** Options of runFabricBench. */
export interface FabricBenchOptions {
  /** Endpoints (hosts) of the simulated fabric. */
  endpoints: number;
  leafs: number;
  /** Seconds of each measured throughput window. */
  duration: number;
  seed: number;
  /** Hosts the churn moves (the simulator's churnPool). */
  churnPool: number;
  /** Pipeline partitions, write-behind batch size, queue capacity (server defaults). */
  partitions: number;
  batchSize: number;
  queueCapacity: number;
  /** SQLite page cache, MiB (undefined: the store's default). */
  cacheMiB?: number;
  /** APIC query page size (undefined: the subscriber's default). */
  pageSize?: number;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
}

/** Memory figures, bytes. */
export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  /** V8 heap reserved (used plus free space the collector keeps), and memory outside it held by JS objects (buffers). */
  heapTotal?: number;
  external?: number;
  /** True when measured after a forced GC (node --expose-gc). */
  afterGc: boolean;
}

export interface FabricBenchResult {
  /** runtime: node's flags and MALLOC_ARENA_MAX, which change memory and GC figures (bin/ept.js sets the server's). */
  machine: { nproc: number; cpuModel: string; memTotalBytes: number; node: string; runtime: { nodeFlags: string[]; mallocArenaMax: string | null } };
  /** 1-minute load average at the start and the end: other work on the machine skews the figures. */
  load: { start: number; end: number };
  /**
   * Time of a fixed single-threaded workload (calibrate()) before the run and after it (everything
   * closed), ms: on a shared VM the same code runs up to a third slower at some hours, and this
   * tells such runs apart.
   */
  calibrationMs: { start: number; end: number };
  options: Omit<FabricBenchOptions, 'progress'>;
  sim: { pid: number | undefined; leafs: number; hosts: number; startMs: number; afterBuild: { rss: number; heapUsed: number }; peakRss: number };
  build: { ms: number; fullSyncs: number; gaps: number; endpointKeys: number; eventsProcessed: number; historyRows: number; peakRss: number };
  memory: { baseline: MemoryFigures; afterBuild: MemoryFigures; heapPerKey: number; rssPerKey: number; heapPerHost: number; rssPerHost: number };
  throughput: {
    ramp: WindowResult[];
    sustained: number;
    /** Highest rate ept analysed in any window, kept up or not (its capacity when it fell behind). */
    peakAnalysed: number;
    peakRss: number;
  };
  latency: { rate: number; window: WindowResult; count: number; p50Ms: number; p99Ms: number; maxMs: number };
  findings: Record<string, number>;
  refreshes: number;
  peakRss: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MB = 1 << 20;
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** Milliseconds for a fixed CPU-bound workload (JSON and sorting, like ept's own hot path); the best of three. */
export function calibrate(): number {
  const doc = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ dn: `topology/pod-1/node-${101 + (i % 200)}/sys/ctx-[vxlan-2654208]/db-ep/ip-[10.0.${i >> 8}.${i & 255}]`, flags: 'ip,local', pcTag: String(49153 + (i % 7)) })));
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (let k = 0; k < 5; k++) {
      const rows = JSON.parse(doc) as { dn: string; pcTag: string }[];
      rows.sort((a, b) => (a.pcTag === b.pcTag ? (a.dn < b.dn ? -1 : 1) : a.pcTag < b.pcTag ? -1 : 1));
    }
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(best);
}

/** Memory now, after two forced GCs when node runs with --expose-gc. */
export function measureMemory(): MemoryFigures {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, afterGc: Boolean(gc) };
}

export async function runFabricBench(o: FabricBenchOptions, machine: FabricBenchResult['machine']): Promise<FabricBenchResult> {
  const rss = new RssSampler(100);
  rss.start();
  const loadStart = loadavg()[0] ?? 0;
  const calibrationStart = calibrate();
  const baseline = measureMemory();
  const sim = SimProcess.spawn({ maxOldSpaceMiB: 4096 });
  let ept: EptUnderTest | null = null;
  let simPeakRss = 0;
  let result: FabricBenchResult;
  const simStats = async (): Promise<SimProcessStats> => {
    const s = await sim.stats();
    simPeakRss = Math.max(simPeakRss, s.rss);
    return s;
  };
  try {
    o.progress(`sim: generating a fabric of ${o.endpoints} hosts (${2 * o.endpoints} endpoints) on ${o.leafs} leafs (child process)`);
    const started = await sim.start({ leafs: o.leafs, endpoints: o.endpoints, churnPool: o.churnPool, seed: o.seed });
    o.progress(`sim: listening on ${started.url} (pid ${sim.pid}, ready in ${(started.buildMs / 1000).toFixed(1)} s)`);
    ept = await EptUnderTest.open(started, { partitions: o.partitions, batchSize: o.batchSize, queueCapacity: o.queueCapacity, cacheMiB: o.cacheMiB, pageSize: o.pageSize, logLevel: 'warn' });
    rss.resetPhase();
    const build = await measureBuild(ept, o.progress);
    const buildPeak = rss.resetPhase();
    const afterBuild = measureMemory();
    const simAfterBuild = await simStats();
    const keys = build.endpointKeys;
    o.progress(`build: ${(build.ms / 1000).toFixed(1)} s, ${keys} endpoint keys; heap ${(afterBuild.heapUsed / MB).toFixed(0)} MB (of ${((afterBuild.heapTotal ?? 0) / MB).toFixed(0)} MB reserved), external ${((afterBuild.external ?? 0) / MB).toFixed(0)} MB, rss ${(afterBuild.rss / MB).toFixed(0)} MB`);

    const probe = new ThroughputProbe(sim, ept, o.queueCapacity);
    const throughput = await measureThroughput(probe, o, simStats);
    const throughputPeak = rss.resetPhase();
    const latency = await measureLatency(probe, ept, o, throughput.sustained, simStats);
    rss.stop();
    result = {
      machine,
      load: { start: loadStart, end: loadavg()[0] ?? 0 },
      // The end figure is taken below, once the simulator and ept are closed.
      calibrationMs: { start: calibrationStart, end: 0 },
      options: { ...o, progress: undefined } as Omit<FabricBenchOptions, 'progress'>,
      sim: simSummary(sim, started, simAfterBuild, simPeakRss),
      build: { ...build, peakRss: buildPeak },
      memory: {
        baseline,
        afterBuild,
        heapPerKey: (afterBuild.heapUsed - baseline.heapUsed) / Math.max(1, keys),
        rssPerKey: (afterBuild.rss - baseline.rss) / Math.max(1, keys),
        heapPerHost: (afterBuild.heapUsed - baseline.heapUsed) / Math.max(1, started.hosts),
        rssPerHost: (afterBuild.rss - baseline.rss) / Math.max(1, started.hosts),
      },
      throughput: { ...throughput, peakRss: throughputPeak },
      latency,
      findings: { ...ept.findings },
      refreshes: ept.refreshes,
      peakRss: rss.peak,
    };
  } finally {
    rss.stop();
    await ept?.close().catch(() => undefined);
    await sim.close();
  }
  result.calibrationMs.end = calibrate();
  return result;
}

function simSummary(sim: SimProcess, s: SimStarted, st: SimProcessStats, peakRss: number): FabricBenchResult['sim'] {
  return { pid: sim.pid, leafs: s.leafs, hosts: s.hosts, startMs: s.buildMs, afterBuild: { rss: st.rss, heapUsed: st.heapUsed }, peakRss: Math.max(peakRss, st.rss) };
}

/** Starts the subscriber and waits for 'running' (after endSync and the flush). */
async function measureBuild(ept: EptUnderTest, progress: (l: string) => void): Promise<Omit<FabricBenchResult['build'], 'peakRss'>> {
  const t0 = performance.now();
  ept.subscriber.start();
  let lastLine = 0;
  let lastErrorTs = 0;
  for (;;) {
    await sleep(50);
    const st = ept.subscriber.status();
    if (st.state === 'running') break;
    const now = performance.now();
    // The subscriber retries by itself; a build that never gets there is what fails the bench.
    if (now - t0 > BUILD_TIMEOUT_MS) throw new EptError('internal', `build did not finish within ${BUILD_TIMEOUT_MS / 1000} s (state ${st.state}, last error: ${st.lastError?.message ?? 'none'})`);
    if (st.lastError && st.lastError.ts !== lastErrorTs) {
      lastErrorTs = st.lastError.ts;
      progress(`build: ${((now - t0) / 1000).toFixed(1)} s: ${st.lastError.message}; the subscriber retries`);
    }
    if (now - lastLine >= 2000) {
      lastLine = now;
      const classes = Object.entries(st.build?.classes ?? {})
        .filter(([, c]) => c.total > 0 && c.total >= 1000)
        .map(([cls, c]) => `${cls} ${c.read}/${c.total}${c.done ? ' done' : ''}`)
        .join(', ');
      progress(`build: ${((now - t0) / 1000).toFixed(1)} s ${st.state}; ${classes || 'reading tables'}; analysed ${ept.processed()}; rss ${(process.memoryUsage.rss() / MB).toFixed(0)} MB`);
    }
  }
  return {
    ms: performance.now() - t0,
    fullSyncs: ept.subscriber.counters.fullSyncs,
    gaps: ept.subscriber.counters.gaps,
    endpointKeys: ept.pipeline.endpointCount(),
    eventsProcessed: ept.processed(),
    historyRows: ept.metrics.historyRowsCommitted,
  };
}

function describeWindow(w: WindowResult): string {
  const verdict = w.keptUp ? (w.limitedBy === 'simulator' ? 'kept up (the simulator fell short of the target)' : 'kept up') : `not kept up (${w.limitedBy})`;
  return (
    `churn ${w.targetRate}/s: sim sent ${w.simSentRate.toFixed(0)}/s, ept analysed ${w.processedRate.toFixed(0)}/s, committed ${w.committedRowsRate.toFixed(0)} rows/s; ` +
    `queue ${w.queueStart}->${w.queueEnd} (max ${w.queueMax}, lowest near the ends ${w.queueLowStart}->${w.queueLowEnd}), sim backlog ${(w.backlogEndBytes / MB).toFixed(1)} MB; ` +
    `cpu ept ${w.eptCpuPct.toFixed(0)}% sim ${w.simCpuPct.toFixed(0)}%; ${w.windowS.toFixed(0)} s${w.cutShort ? ' (cut short)' : ''}; ${verdict}`
  );
}

/** First churn rate of the ramp, and the highest tried. */
const RAMP_START = 12_500;
const RAMP_MAX = 800_000;

/**
 * Steady windows at doubling churn rates until ept does not keep up (or the simulator cannot go
 * faster), then one window between the last rate kept up and the first one not. The sustained
 * rate is what ept analysed in the best window it kept up with.
 */
async function measureThroughput(
  probe: ThroughputProbe,
  o: FabricBenchOptions,
  simStats: () => Promise<SimProcessStats>,
): Promise<{ ramp: WindowResult[]; sustained: number; peakAnalysed: number }> {
  const ramp: WindowResult[] = [];
  const run = async (rate: number): Promise<WindowResult> => {
    const w = await probe.measure(rate, 3, o.duration);
    o.progress(`throughput: ${describeWindow(w)}`);
    ramp.push(w);
    await simStats();
    await probe.drain();
    return w;
  };
  let best: WindowResult | null = null;
  let failed = 0;
  for (let rate = RAMP_START; rate <= RAMP_MAX; rate *= 2) {
    const w = await run(rate);
    if (!w.keptUp) {
      failed = rate;
      break;
    }
    best = w;
    if (w.limitedBy === 'simulator') break;
  }
  // Bisect (geometrically) between the best rate kept up and the first failure, twice; below the
  // start rate when even that was too much.
  let lo = best?.targetRate ?? RAMP_START / 8;
  let hi = failed;
  for (let i = 0; i < 2 && hi > 0; i++) {
    const rate = roundRate(Math.sqrt(lo * hi));
    if (rate <= lo || rate >= hi) break;
    const w = await run(rate);
    if (w.keptUp) {
      lo = rate;
      if (!best || w.processedRate > best.processedRate) best = w;
    } else hi = rate;
  }
  const peakAnalysed = Math.max(0, ...ramp.map((w) => w.processedRate));
  return { ramp, sustained: best?.processedRate ?? 0, peakAnalysed };
}

/** Rounds a rate down to 2 significant digits. */
export function roundRate(r: number): number {
  if (!(r > 0)) return 0;
  const p = 10 ** Math.max(0, Math.floor(Math.log10(r)) - 1);
  return Math.floor(r / p) * p;
}

/** Event-to-commit latency of the events received in a steady window at half the sustained rate. */
async function measureLatency(
  probe: ThroughputProbe,
  ept: EptUnderTest,
  o: FabricBenchOptions,
  sustained: number,
  simStats: () => Promise<SimProcessStats>,
): Promise<FabricBenchResult['latency']> {
  const rate = roundRate(sustained / 2) || 1000;
  const samples: number[] = [];
  const window = await probe.measure(rate, 3, Math.min(o.duration, 10), (phase) => {
    ept.metrics.latencySamples = phase === 'start' ? samples : null;
  });
  await simStats();
  await probe.drain();
  const l = latencySummary(samples);
  o.progress(`latency at ${rate}/s: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(0)} ms over ${l.count} committed events`);
  return { rate, window, count: l.count, p50Ms: l.p50, p99Ms: l.p99, maxMs: l.max };
}

/** Default pipeline shape: as `ept server` sizes it (2 partitions per core). */
export function defaultPartitions(): number {
  return Math.max(1, 2 * availableParallelism());
}
