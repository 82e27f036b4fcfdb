// Server-sent events for the UI's live tables: finding notifications of one fabric, batched.
// EventSource cannot send headers, so this one route also accepts the token as ?token=.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EptError } from '../../core/errors.js';
import type { Finding } from '../../core/types.js';
import type { ApiContext } from '../api-context.js';
import { authenticate } from '../auth.js';
import { requireFabric } from '../fabric-input.js';
import { NAME_PATTERN } from '../schemas.js';

const StreamQuery = Type.Object({
  fabric: Type.String({ pattern: NAME_PATTERN }),
  token: Type.Optional(Type.String({ maxLength: 256, description: 'API token, for clients that cannot send an Authorization header' })),
});

/** Options of streamRoutes. */
export interface StreamOptions {
  /** How often buffered findings are flushed to a client, ms. */
  flushMs?: number;
  /** Most findings sent per flush; the rest are only counted, so a burst cannot flood a browser. */
  maxPerFlush?: number;
  /** Interval of keepalive comments, ms (proxies close idle streams). */
  keepaliveMs?: number;
}

/** What a client is told about one finding: enough to decide whether to refresh a table. */
function brief(f: Finding) {
  return { kind: f.kind, vnid: f.vnid, addr: f.addr, type: f.type, node: f.dst?.node ?? f.node, ts: f.ts };
}

export function streamRoutes(app: FastifyInstance, ctx: ApiContext, opts: StreamOptions = {}): void {
  const flushMs = opts.flushMs ?? 500;
  const maxPerFlush = opts.maxPerFlush ?? 100;
  const keepaliveMs = opts.keepaliveMs ?? 15_000;
  // Open streams never end by themselves, so shutdown ends them rather than waiting for browsers.
  const streams = new Set<{ end(): void }>();
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  app.get<{ Querystring: Static<typeof StreamQuery> }>(
    '/api/v1/stream',
    {
      // Authenticated below: the header or ?token= (public only means the generic hook is skipped).
      config: { public: true },
      schema: { tags: ['findings'], summary: 'Server-sent events: "findings" batches of one fabric as they are recorded', querystring: StreamQuery },
    },
    async (req, reply) => {
      const q = req.query;
      const header = req.headers.authorization ?? (q.token ? `Bearer ${q.token}` : undefined);
      req.principal = await authenticate(ctx.store, header);
      await requireFabric(ctx.store, q.fabric);
      if (!ctx.findings) throw new EptError('not_found', 'this server has no live finding feed');

      let pending: ReturnType<typeof brief>[] = [];
      let dropped = 0;
      const unsubscribe = ctx.findings.subscribe((f) => {
        if (f.fabric !== q.fabric) return;
        if (pending.length < maxPerFlush) pending.push(brief(f));
        else dropped++;
      });
      reply.hijack();
      const res = reply.raw;
      streams.add(res);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(`event: ready\ndata: ${JSON.stringify({ fabric: q.fabric })}\n\n`);
      const flush = setInterval(() => {
        if (pending.length === 0 && dropped === 0) return;
        // A slow client skips batches instead of making the server buffer for it.
        if (res.writableNeedDrain) return;
        res.write(`event: findings\ndata: ${JSON.stringify({ items: pending, dropped })}\n\n`);
        pending = [];
        dropped = 0;
      }, flushMs);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), keepaliveMs);
      const expiry = setTimeout(() => res.end(), Math.max(0, (req.principal.expiresTs - Date.now())));
      req.raw.on('close', () => {
        streams.delete(res);
        unsubscribe();
        clearInterval(flush);
        clearInterval(keepalive);
        clearTimeout(expiry);
      });
    },
  );
}
