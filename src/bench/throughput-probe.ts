// Drives the simulator's churn at a rate and measures, over a steady window, how many events ept
// received, analysed and committed per second, and whether its queues (and the simulator's
// websocket backlog, where ept's backpressure ends up) stayed bounded.
import type { EptUnderTest } from './ept-under-test.js';
import type { SimProcess } from './sim-process.js';

/** What one window measured. Rates are per second over the window. */
export interface WindowResult {
  /** Churn rate asked of the simulator (events/s); 0 for flat out. */
  targetRate: number;
  windowS: number;
  simSentRate: number;
  receivedRate: number;
  /** Events analysed by the pipeline. */
  processedRate: number;
  /** History rows committed to the store. */
  committedRowsRate: number;
  queueStart: number;
  queueEnd: number;
  queueMax: number;
  backlogStartBytes: number;
  backlogEndBytes: number;
  backlogMaxBytes: number;
  /** CPU use of each side, % of one core. */
  eptCpuPct: number;
  simCpuPct: number;
  /** ept processed what the simulator was asked for, and no queue grew. */
  keptUp: boolean;
  /** Who fell short when not kept up. */
  limitedBy: 'none' | 'ept' | 'simulator';
}

interface Snapshot {
  t: number;
  simSent: number;
  simCpuMs: number;
  received: number;
  processed: number;
  historyRows: number;
  queued: number;
  backlog: number;
  eptCpuMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Flat out: far above what either side can do; the simulator's backlog limit then sets the pace. */
export const FLAT_OUT_RATE = 5_000_000;
/** A backlog the simulator may hold without it meaning ept fell behind (a few frames). */
const BACKLOG_SLACK = 4 << 20;

export class ThroughputProbe {
  constructor(
    private readonly sim: SimProcess,
    private readonly ept: EptUnderTest,
    private readonly queueCapacity: number,
  ) {}

  private async snapshot(): Promise<Snapshot> {
    const s = await this.sim.stats();
    const cpu = process.cpuUsage();
    return {
      t: performance.now(),
      simSent: s.eventsSent,
      simCpuMs: s.cpuMs,
      received: this.ept.subscriber.status().eventsReceived,
      processed: this.ept.processed(),
      historyRows: this.ept.metrics.historyRowsCommitted,
      queued: this.ept.queued(),
      backlog: s.backlogBytes,
      eptCpuMs: (cpu.user + cpu.system) / 1000,
    };
  }

  /**
   * Runs churn at rate (0 = flat out) for warmS, then measures for windowS. onWindow is called when
   * the measured window starts and ends (latency sampling hooks on it).
   */
  async measure(rate: number, warmS: number, windowS: number, onWindow?: (phase: 'start' | 'end') => void): Promise<WindowResult> {
    await this.sim.churn(rate || FLAT_OUT_RATE);
    await sleep(warmS * 1000);
    const a = await this.snapshot();
    onWindow?.('start');
    let queueMax = a.queued;
    let backlogMax = a.backlog;
    const deadline = a.t + windowS * 1000;
    while (performance.now() < deadline) {
      await sleep(Math.min(500, Math.max(0, deadline - performance.now())));
      const s = await this.sim.stats();
      queueMax = Math.max(queueMax, this.ept.queued());
      backlogMax = Math.max(backlogMax, s.backlogBytes);
    }
    const b = await this.snapshot();
    onWindow?.('end');
    return this.result(rate, a, b, queueMax, backlogMax);
  }

  private result(rate: number, a: Snapshot, b: Snapshot, queueMax: number, backlogMax: number): WindowResult {
    const secs = (b.t - a.t) / 1000;
    const per = (x: number, y: number): number => (y - x) / secs;
    const processedRate = per(a.processed, b.processed);
    const simSentRate = per(a.simSent, b.simSent);
    const bounded = b.backlog <= Math.max(a.backlog * 1.5, BACKLOG_SLACK) && b.queued <= this.queueCapacity;
    const keptUp = rate > 0 && processedRate >= 0.95 * rate && bounded;
    let limitedBy: WindowResult['limitedBy'] = 'none';
    if (!keptUp) limitedBy = simSentRate < 0.95 * (rate || Infinity) && b.backlog < BACKLOG_SLACK ? 'simulator' : 'ept';
    return {
      targetRate: rate,
      windowS: secs,
      simSentRate,
      receivedRate: per(a.received, b.received),
      processedRate,
      committedRowsRate: per(a.historyRows, b.historyRows),
      queueStart: a.queued,
      queueEnd: b.queued,
      queueMax,
      backlogStartBytes: a.backlog,
      backlogEndBytes: b.backlog,
      backlogMaxBytes: backlogMax,
      eptCpuPct: (100 * (b.eptCpuMs - a.eptCpuMs)) / (b.t - a.t),
      simCpuPct: (100 * (b.simCpuMs - a.simCpuMs)) / (b.t - a.t),
      keptUp,
      limitedBy,
    };
  }

  /**
   * Stops the churn and waits until ept has read everything the simulator sent and committed it
   * (or timeoutMs passed); returns the ms it took.
   */
  async drain(timeoutMs = 120_000): Promise<number> {
    const t0 = performance.now();
    await this.sim.churn(0);
    let last = -1;
    for (;;) {
      const s = await this.sim.stats();
      const received = this.ept.subscriber.status().eventsReceived;
      if ((s.backlogBytes === 0 && received === last) || performance.now() - t0 > timeoutMs) break;
      last = received;
      await sleep(250);
    }
    await this.ept.pipeline.flush();
    return performance.now() - t0;
  }
}
