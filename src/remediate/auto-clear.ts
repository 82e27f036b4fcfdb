// Auto-clear (EPT's auto_clear_stale / auto_clear_offsubnet, off by default): confirmed stale and
// offsubnet findings from the pipeline are cleared on their node, at most auto_clear_rate_limit
// clears per minute per fabric, each recorded with who = 'auto'. handle() is a finding listener:
// it returns at once and never throws; the clears run in the background.
import type { Logger } from 'pino';
import type { FabricSettings } from '../core/settings.js';
import type { Finding } from '../core/types.js';
import type { EndpointClearer } from './endpoint-clearer.js';

/** Options of AutoClear. */
export interface AutoClearOptions {
  clearer: EndpointClearer;
  /** A running fabric's settings (undefined: not running, nothing is cleared). */
  settings: (fabric: string) => FabricSettings | undefined;
  logger: Logger;
  now?: () => number;
}

/** Clears started, skipped by the rate limit, and failed, per fabric. */
export interface AutoClearStats {
  started: number;
  rateLimited: number;
  failed: number;
}

interface Window {
  start: number;
  count: number;
  warned: boolean;
}

export class AutoClear {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly windows = new Map<string, Window>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busy = new Set<string>();
  private readonly counters = new Map<string, AutoClearStats>();

  constructor(private readonly opts: AutoClearOptions) {
    this.log = opts.logger.child({ component: 'auto-clear' });
    this.now = opts.now ?? Date.now;
  }

  /** The finding listener (EndpointPipeline.onFinding). */
  handle(f: Finding): void {
    if (f.kind !== 'stale' && f.kind !== 'offsubnet') return;
    try {
      const s = this.opts.settings(f.fabric);
      if (!s || !(f.kind === 'stale' ? s.auto_clear_stale : s.auto_clear_offsubnet)) return;
      const key = `${f.fabric}|${f.vnid}|${f.addr}|${f.node}`;
      if (this.busy.has(key)) return;
      const stats = this.stats(f.fabric);
      if (!this.admit(f.fabric, s.auto_clear_rate_limit)) {
        stats.rateLimited++;
        return;
      }
      stats.started++;
      this.busy.add(key);
      const p = this.opts.clearer
        .clear({ fabric: f.fabric, vnid: f.vnid, addr: f.addr, nodes: [f.node], who: 'auto', reason: `auto_clear_${f.kind}: confirmed ${f.kind}${f.reason ? ` (${f.reason})` : ''} on node ${f.node}` })
        .then((r) => {
          if (r.outcome === 'failed' || r.outcome === 'partial') stats.failed++;
        })
        .catch((err: unknown) => {
          stats.failed++;
          this.log.warn({ err, fabric: f.fabric, vnid: f.vnid, addr: f.addr, node: f.node }, 'auto-clear failed');
        })
        .finally(() => {
          this.busy.delete(key);
          this.inFlight.delete(p);
        });
      this.inFlight.add(p);
    } catch (err) {
      this.log.error({ err, fabric: f.fabric, addr: f.addr }, 'auto-clear could not start');
    }
  }

  stats(fabric: string): AutoClearStats {
    let s = this.counters.get(fabric);
    if (!s) this.counters.set(fabric, (s = { started: 0, rateLimited: 0, failed: 0 }));
    return s;
  }

  /** Waits for the clears running now. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** A fixed one-minute window per fabric: simple, and a burst can never exceed the limit. */
  private admit(fabric: string, perMinute: number): boolean {
    const now = this.now();
    let w = this.windows.get(fabric);
    if (!w || now - w.start >= 60_000) this.windows.set(fabric, (w = { start: now, count: 0, warned: false }));
    if (w.count < perMinute) {
      w.count++;
      return true;
    }
    if (!w.warned) {
      w.warned = true;
      this.log.warn({ fabric, perMinute }, 'auto-clear rate limit reached; further clears skipped this minute');
    }
    return false;
  }
}
