// Retention: endpoints gone longer than their fabric's endpoint_retention_days are removed.
import type { Logger } from 'pino';
import { resolveSettings } from '../core/settings.js';
import type { EndpointPipeline } from '../pipeline/endpoint-pipeline.js';
import type { Store } from '../store/store.js';

export interface RetentionOptions {
  store: Store;
  pipeline: EndpointPipeline;
  logger: Logger;
  /** How often to run, ms (hourly by default). */
  intervalMs?: number;
  now?: () => number;
}

/** Runs one retention pass over every fabric; returns endpoints removed per fabric. */
export async function runRetention(opts: RetentionOptions): Promise<Record<string, number>> {
  const now = (opts.now ?? Date.now)();
  const out: Record<string, number> = {};
  for (const f of await opts.store.listFabrics()) {
    const days = resolveSettings(f.settings).endpoint_retention_days;
    out[f.name] = await opts.pipeline.purgeDeleted(f.name, now - days * 86_400_000);
  }
  return out;
}

export function startRetention(opts: RetentionOptions): { stop(): void } {
  const log = opts.logger.child({ component: 'retention' });
  const timer = setInterval(() => {
    runRetention(opts)
      .then((removed) => log.info({ removed }, 'retention pass done'))
      .catch((err: unknown) => log.error({ err }, 'retention pass failed; will retry'));
  }, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
