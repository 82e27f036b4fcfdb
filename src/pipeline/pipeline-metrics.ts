// Prometheus metrics of the pipeline (served at /metrics). Hot-path counts are plain numbers,
// folded into the prom-client counters when scraped, so counting costs nothing per event.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FindingKind } from '../core/types.js';

type Counts = Map<string, number>;

function bump(m: Counts, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/**
 * A counter whose values are taken at scrape time from plain maps the hot path bumps: rows() gives
 * each series' labels, a key naming the series, and its running total.
 */
function lazyCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
  rows: () => Iterable<[Record<L, string>, string, number]>,
): void {
  const reported = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, key, v] of rows()) {
        const delta = v - (reported.get(key) ?? 0);
        if (delta > 0) this.inc(labels as Partial<Record<L, string | number>>, delta);
        reported.set(key, v);
      }
    },
  });
}

/** The series of a count per fabric. */
function* byFabric(source: Counts): Iterable<[Record<'fabric', string>, string, number]> {
  for (const [fabric, v] of source) yield [{ fabric }, fabric, v];
}

export class PipelineMetrics {
  readonly counts = { received: new Map<string, number>(), processed: new Map<string, number>() };
  private readonly findingCounts = new Map<string, Counts>();
  private readonly queueDepth: Gauge;
  private readonly commitRows: Counter;
  private readonly commitSeconds: Histogram;
  private readonly latencySeconds: Histogram;
  /** When set, every event-to-commit latency (ms) is also pushed here (benchmarks). */
  latencySamples: number[] | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    lazyCounter(registry, 'ept_events_received_total', 'Endpoint events received, per fabric', ['fabric'], () => byFabric(this.counts.received));
    lazyCounter(registry, 'ept_events_processed_total', 'Endpoint events analysed, per fabric', ['fabric'], () => byFabric(this.counts.processed));
    // Per fabric and kind in nested maps: a labelled inc per finding hashed its labels every time.
    const findings = this.findingCounts;
    lazyCounter(registry, 'ept_findings_total', 'Findings recorded, per fabric and kind', ['fabric', 'kind'], function* () {
      for (const [fabric, byKind] of findings) for (const [kind, v] of byKind) yield [{ fabric, kind }, `${fabric}\u0000${kind}`, v];
    });
    this.queueDepth = new Gauge({ name: 'ept_queue_depth', help: 'Events waiting in the pipeline queues', registers });
    this.commitRows = new Counter({ name: 'ept_store_history_rows_total', help: 'History rows committed to the store', registers });
    this.commitSeconds = new Histogram({
      name: 'ept_store_commit_seconds',
      help: 'Duration of write-behind transactions',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.latencySeconds = new Histogram({
      name: 'ept_event_commit_latency_seconds',
      help: 'Time from receiving an endpoint event to committing its history row',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  received(fabric: string, n = 1): void {
    bump(this.counts.received, fabric, n);
  }

  processed(fabric: string): void {
    bump(this.counts.processed, fabric);
  }

  finding(fabric: string, kind: FindingKind): void {
    let byKind = this.findingCounts.get(fabric);
    if (!byKind) this.findingCounts.set(fabric, (byKind = new Map()));
    bump(byKind, kind);
  }

  setQueueDepth(n: number): void {
    this.queueDepth.set(n);
  }

  committed(historyRows: number, _endpoints: number, ms: number): void {
    this.commitRows.inc(historyRows);
    this.commitSeconds.observe(ms / 1000);
  }

  /** Event-to-commit latencies of one commit: the received times (ms) of its rows, and the commit time. */
  commitLatency(rows: { readonly length: number; ts(i: number): number }, committedAt: number): void {
    // One histogram observation per 16 events keeps the cost negligible at 100K events/s.
    for (let i = 0; i < rows.length; i += 16) this.latencySeconds.observe((committedAt - rows.ts(i)) / 1000);
    if (this.latencySamples) for (let i = 0; i < rows.length; i++) this.latencySamples.push(committedAt - rows.ts(i));
  }
}
