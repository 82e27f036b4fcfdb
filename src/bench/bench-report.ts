// The fabric benchmark's summary: a table against the targets (1M endpoints on 2 cores), or JSON.
import { table } from '../cli/format.js';
import type { FabricBenchResult } from './fabric-bench.js';

const MB = 1 << 20;
const GIB = 1 << 30;
/** The targets, for 1M endpoints on this 2-core machine. */
export const TARGETS = { endpoints: 1_000_000, buildS: 60, eventsPerSecond: 100_000, peakRssBytes: 1.5 * GIB } as const;

export interface TargetCheck {
  name: string;
  value: number;
  target: number;
  /** Value scaled linearly to 1M endpoints (build time, memory), when the run was smaller. */
  projected: number | null;
  met: boolean;
  /** value / target (>1 means over a ceiling or under a floor by that factor... see higherIsBetter). */
  higherIsBetter: boolean;
}

/**
 * The three targets, judged on the run (memory and build projected linearly when it tracked fewer
 * than 1M endpoints). An endpoint is what ept tracks (docs/architecture.md, Keys): each MAC and each IP, so a
 * simulated host with a MAC and an IP is two; 1M endpoints is `--endpoints 500000` hosts.
 */
export function checkTargets(r: FabricBenchResult): TargetCheck[] {
  const scale = TARGETS.endpoints / Math.max(1, r.build.endpointKeys);
  const proj = (v: number): number | null => (scale > 1 ? v * scale : null);
  const buildS = r.build.ms / 1000;
  const ceil = (name: string, value: number, target: number, projected: number | null): TargetCheck => ({
    name,
    value,
    target,
    projected,
    met: (projected ?? value) <= target,
    higherIsBetter: false,
  });
  return [
    ceil('build time (s)', buildS, TARGETS.buildS, proj(buildS)),
    { name: 'sustained events/s', value: r.throughput.sustained, target: TARGETS.eventsPerSecond, projected: null, met: r.throughput.sustained >= TARGETS.eventsPerSecond, higherIsBetter: true },
    ceil('peak RSS (bytes)', r.peakRss, TARGETS.peakRssBytes, scale > 1 ? r.memory.baseline.rss + (r.peakRss - r.memory.baseline.rss) * scale : null),
  ];
}

const mb = (b: number): string => `${(b / MB).toFixed(0)} MB`;
const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');

function fmtCheck(c: TargetCheck): string[] {
  const fmt = (v: number): string => (c.name.startsWith('peak RSS') ? mb(v) : c.name.startsWith('build') ? `${v.toFixed(1)} s` : `${n0(v)}/s`);
  const basis = c.projected ?? c.value;
  const ratio = c.higherIsBetter ? basis / c.target : c.target / Math.max(basis, 1e-9);
  const dist = `${c.met ? 'met' : 'MISSED'} (${(ratio * 100).toFixed(0)}% of target${c.projected !== null ? ', projected to 1M' : ''})`;
  return [c.name.replace(/ \(.*\)$/, ''), fmt(c.value), c.projected !== null ? fmt(c.projected) : '-', `${c.higherIsBetter ? '>=' : '<='} ${fmt(c.target)}`, dist];
}

/** The human summary. */
export function formatFabricBench(r: FabricBenchResult): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.nproc} cpus, ${m.cpuModel}, ${(m.memTotalBytes / GIB).toFixed(1)} GiB, node ${m.node}; load average ${r.load.start.toFixed(1)} at start, ${r.load.end.toFixed(1)} at end`,
    `calibration (fixed workload, lower is faster): ${r.calibrationMs.start} ms at start, ${r.calibrationMs.end} ms at end`,
    `runtime: node ${m.runtime.nodeFlags.join(' ') || '(no flags)'}; MALLOC_ARENA_MAX ${m.runtime.mallocArenaMax ?? 'unset'}`,
    `fabric: ${n0(r.sim.hosts)} hosts on ${r.sim.leafs} leafs -> ${n0(r.build.endpointKeys)} endpoints in ept (a MAC and an IP per host)`,
    '',
    table(['target', 'measured', 'at 1M (linear)', 'target', 'status'], checkTargets(r).map(fmtCheck)),
    '',
  ];
  const l = r.latency;
  const rows: (string | number)[][] = [
    ['build: start -> running', `${(r.build.ms / 1000).toFixed(1)} s (${n0(r.build.eventsProcessed)} observations analysed, ${n0(r.build.historyRows)} history rows)`],
    ['build: gaps / full reads', `${r.build.gaps} / ${r.build.fullSyncs}${r.build.gaps ? ' (a gap restarts the read: the time includes it)' : ''}`],
    ['build: observations/s', `${n0(r.build.eventsProcessed / (r.build.ms / 1000))}/s`],
    ...r.throughput.ramp.map((w) => [
      `churn ${n0(w.targetRate)}/s`,
      `sim sent ${n0(w.simSentRate)}/s, analysed ${n0(w.processedRate)}/s, committed ${n0(w.committedRowsRate)} rows/s, queue max ${n0(w.queueMax)}, ` +
        `sim backlog ${mb(w.backlogEndBytes)}, cpu ept ${w.eptCpuPct.toFixed(0)}% sim ${w.simCpuPct.toFixed(0)}%: ${w.keptUp ? 'kept up' : `NOT kept up (${w.limitedBy})`}`,
    ]),
    ['sustained end-to-end', `${n0(r.throughput.sustained)} events/s (highest analysed in any window: ${n0(r.throughput.peakAnalysed)}/s)`],
    [`latency at ${n0(l.rate)}/s`, `p50 ${l.p50Ms.toFixed(1)} ms, p99 ${l.p99Ms.toFixed(1)} ms, max ${l.maxMs.toFixed(0)} ms (${n0(l.count)} events)`],
    ['ept memory after build', `rss ${mb(r.memory.afterBuild.rss)}, heap ${mb(r.memory.afterBuild.heapUsed)}${r.memory.afterBuild.afterGc ? ' (after GC)' : ' (no GC: run without --expose-gc)'}`],
    ['ept memory per endpoint key', `heap ${n0(r.memory.heapPerKey)} B, rss ${n0(r.memory.rssPerKey)} B (per host: ${n0(r.memory.heapPerHost)} / ${n0(r.memory.rssPerHost)} B)`],
    ['ept peak RSS', `${mb(r.peakRss)} (build ${mb(r.build.peakRss)}, throughput ${mb(r.throughput.peakRss)})`],
    ['simulator (child) memory', `rss ${mb(r.sim.afterBuild.rss)} after build, peak ${mb(r.sim.peakRss)}`],
    ['findings during the run', Object.entries(r.findings).map(([k, v]) => `${k} ${n0(v)}`).join(', ') || 'none'],
  ];
  lines.push(table(['measure', 'value'], rows));
  return lines.join('\n');
}

/** The JSON summary: the full result plus the target checks. */
export function fabricBenchJson(r: FabricBenchResult): string {
  return JSON.stringify({ ...r, targets: checkTargets(r) }, null, 2);
}
