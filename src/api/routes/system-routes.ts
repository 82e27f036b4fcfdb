// Unauthenticated operational routes: health, metrics, the OpenAPI document.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';

export function systemRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/healthz',
    { schema: { tags: ['system'], summary: 'Liveness: the store answers', response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String(), error: Type.String() }) } } },
    async (req, reply) => {
      try {
        await ctx.store.countUsers();
        return { status: 'ok' };
      } catch (err) {
        req.log.warn({ err }, 'health check: store failed');
        return reply.status(503).send({ status: 'error', error: 'store is not answering' });
      }
    },
  );

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
    const text = await ctx.metrics.metrics();
    return reply.type(ctx.metrics.contentType).send(text);
  });

  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
