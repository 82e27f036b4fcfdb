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
  /** The lowest queue sample in the window's first and last QUEUE_END_SPAN_MS (see queueGrowth). */
  queueLowStart: number;
  queueLowEnd: number;
  backlogStartBytes: number;
  backlogEndBytes: number;
  backlogMaxBytes: number;
  /** CPU use of each side, % of one core. */
  eptCpuPct: number;
  simCpuPct: number;
  /** Event-stream gaps (resyncs) during the window: the window is then not valid. */
  gaps: number;
  /** The window was cut short: the simulator's backlog showed ept far behind. */
  cutShort: boolean;
  /** ept analysed what the simulator sent, no queue grew and no gap happened. */
  keptUp: boolean;
  /** Who fell short when not kept up. */
  limitedBy: 'none' | 'ept' | 'simulator' | 'gap';
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
  gaps: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A backlog the simulator may hold without it meaning ept fell behind (a few frames). */
const BACKLOG_SLACK = 4 << 20;
/**
 * A backlog that shows ept far behind: the window stops there. Deeper, the simulator's pong waits
 * behind megabytes of events, ept's keepalive declares the socket dead and resyncs (a gap), and
 * the rest of the run measures the resync instead.
 */
const BACKLOG_GIVE_UP = 16 << 20;
/** Time between samples of ept's queue and the simulator's backlog in a window. */
const SAMPLE_MS = 250;
/** The stretch at each end of a window whose lowest queue sample stands for that end. */
export const QUEUE_END_SPAN_MS = 2000;

/** ept's queue depth at a time (ms). */
export interface QueueSample {
  t: number;
  queued: number;
}

/**
 * The queue at each end of a window, as the lowest of its samples within spanMs of that end
 * (samples in time order, the window's start first and its end last). At tens of thousands of
 * events/s the queue swings by thousands within a second (a write batch, a checkpoint, a GC pause);
 * one sample taken in such a swing says nothing about whether ept keeps up. A queue that grows
 * because ept falls behind stays high, and its lowest sample near the end shows it.
 */
export function queueGrowth(samples: readonly QueueSample[], spanMs = QUEUE_END_SPAN_MS): { startLow: number; endLow: number } {
  if (samples.length === 0) return { startLow: 0, endLow: 0 };
  const first = (samples[0] as QueueSample).t;
  const last = (samples[samples.length - 1] as QueueSample).t;
  let startLow = Infinity;
  let endLow = Infinity;
  for (const s of samples) {
    if (s.t <= first + spanMs) startLow = Math.min(startLow, s.queued);
    if (s.t >= last - spanMs) endLow = Math.min(endLow, s.queued);
  }
  return { startLow, endLow };
}

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
      gaps: this.ept.subscriber.counters.gaps,
    };
  }

  /**
   * Runs churn at rate for warmS, then measures for windowS (less when ept falls far behind).
   * onWindow is called when the measured window starts and ends (latency sampling hooks on it).
   */
  async measure(rate: number, warmS: number, windowS: number, onWindow?: (phase: 'start' | 'end') => void): Promise<WindowResult> {
    await this.sim.churn(rate);
    await sleep(warmS * 1000);
    const a = await this.snapshot();
    onWindow?.('start');
    const samples: QueueSample[] = [{ t: a.t, queued: a.queued }];
    let backlogMax = a.backlog;
    let cutShort = false;
    const deadline = a.t + windowS * 1000;
    while (performance.now() < deadline) {
      await sleep(Math.min(SAMPLE_MS, Math.max(0, deadline - performance.now())));
      const s = await this.sim.stats();
      samples.push({ t: performance.now(), queued: this.ept.queued() });
      backlogMax = Math.max(backlogMax, s.backlogBytes);
      if (s.backlogBytes > BACKLOG_GIVE_UP) {
        cutShort = true;
        break;
      }
    }
    const b = await this.snapshot();
    onWindow?.('end');
    samples.push({ t: b.t, queued: b.queued });
    return this.result(rate, a, b, { samples, backlogMax, cutShort });
  }

  private result(rate: number, a: Snapshot, b: Snapshot, w: { samples: QueueSample[]; backlogMax: number; cutShort: boolean }): WindowResult {
    const secs = (b.t - a.t) / 1000;
    const per = (x: number, y: number): number => (y - x) / secs;
    const processedRate = per(a.processed, b.processed);
    const simSentRate = per(a.simSent, b.simSent);
    const gaps = b.gaps - a.gaps;
    // ept falling behind shows as a growing backlog on the simulator's side (ept's backpressure
    // pauses the reader) or a growing queue on its own, judged on its lowest samples near each end
    // (queueGrowth); the counts in a window differ by what is in flight at its ends. The churn does
    // not hit its target exactly: ept is judged on what was sent.
    const backlogBounded = !w.cutShort && b.backlog <= Math.max(a.backlog * 1.5, BACKLOG_SLACK);
    const { startLow, endLow } = queueGrowth(w.samples);
    const queueBounded = endLow - startLow < this.queueCapacity / 4;
    const receivedRate = per(a.received, b.received);
    const keptUp = gaps === 0 && backlogBounded && queueBounded && receivedRate >= 0.9 * simSentRate && processedRate >= 0.9 * simSentRate;
    let limitedBy: WindowResult['limitedBy'] = 'none';
    if (gaps > 0) limitedBy = 'gap';
    else if (!keptUp) limitedBy = 'ept';
    else if (simSentRate < 0.9 * rate) limitedBy = 'simulator';
    return {
      targetRate: rate,
      windowS: secs,
      simSentRate,
      receivedRate,
      processedRate,
      committedRowsRate: per(a.historyRows, b.historyRows),
      queueStart: a.queued,
      queueEnd: b.queued,
      queueMax: Math.max(...w.samples.map((x) => x.queued)),
      queueLowStart: startLow,
      queueLowEnd: endLow,
      backlogStartBytes: a.backlog,
      backlogEndBytes: b.backlog,
      backlogMaxBytes: w.backlogMax,
      eptCpuPct: (100 * (b.eptCpuMs - a.eptCpuMs)) / (b.t - a.t),
      simCpuPct: (100 * (b.simCpuMs - a.simCpuMs)) / (b.t - a.t),
      gaps,
      cutShort: w.cutShort,
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
      // Received events stop growing while ept's full queue pauses its reader (events then wait in
      // the sockets' buffers, which the simulator's backlog does not show): drained means nothing
      // queued either.
      if ((s.backlogBytes === 0 && received === last && this.ept.queued() === 0) || performance.now() - t0 > timeoutMs) break;
      last = received;
      await sleep(250);
    }
    await this.ept.pipeline.flush();
    return performance.now() - t0;
  }
}
