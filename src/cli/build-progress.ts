// Follows a fabric's build until it is running, with one progress bar per APIC class.
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { EptError } from '../core/errors.js';
import type { ApiClient } from './api-client.js';
import { seg } from './api-client.js';
import type { StatusLike } from './format.js';

/** Options of watchBuild. */
export interface WatchBuildOptions {
  intervalMs?: number;
  /** Give up after this long, ms (default: wait forever). */
  timeoutMs?: number;
  /** Draw bars (a TTY); otherwise only the final status is returned. */
  bars: boolean;
  stream?: NodeJS.WritableStream;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the fabric's status until it is running; throws when it ends in error or stopped. */
export async function watchBuild(client: ApiClient, fabric: string, opts: WatchBuildOptions): Promise<StatusLike> {
  const multi = opts.bars ? new MultiBar({ format: ' {bar} {percentage}% | {cls} {value}/{total}', hideCursor: true, clearOnComplete: false, stream: opts.stream ?? process.stderr }, Presets.shades_classic) : null;
  const bars = new Map<string, SingleBar>();
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : Infinity;
  try {
    for (;;) {
      const s = await client.get<StatusLike>(`/api/v1/fabrics/${seg(fabric)}/status`);
      for (const [cls, c] of Object.entries(s.build?.classes ?? {})) {
        if (!multi) break;
        let bar = bars.get(cls);
        if (!bar) {
          bar = multi.create(Math.max(c.total, 1), 0, { cls });
          bars.set(cls, bar);
        }
        bar.setTotal(Math.max(c.total, c.read, 1));
        bar.update(c.done ? Math.max(c.total, c.read, 1) : c.read, { cls });
      }
      if (s.state === 'running') return s;
      if (s.state === 'error') throw new EptError('apic_error', `fabric '${fabric}' failed: ${s.lastError?.message ?? 'unknown error'}`);
      if (s.state === 'stopped') throw new EptError('conflict', `fabric '${fabric}' is stopped`);
      if (Date.now() > deadline) throw new EptError('internal', `fabric '${fabric}' still ${s.state} after ${opts.timeoutMs} ms`);
      await sleep(opts.intervalMs ?? 500);
    }
  } finally {
    multi?.stop();
  }
}
