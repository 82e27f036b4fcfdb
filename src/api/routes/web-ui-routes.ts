// Serves the built web UI (web/dist) at /, with index.html for every non-API path so the
// single-page app's own routes survive a reload. Without a build, / says how to make one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { EptError } from '../../core/errors.js';

/** web/dist relative to this file: the same two levels up from src/api/routes and dist/api/routes. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const NOT_UI = /^\/(api|metrics|healthz)(\/|$|\?)/;

export async function webUiRoutes(app: FastifyInstance, webDir: string = DEFAULT_WEB_DIR): Promise<void> {
  const built = existsSync(`${webDir}/index.html`);
  if (built) {
    // wildcard:false registers one route per built file, so the SPA fallback below can own '/*'.
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: false, cacheControl: false });
  }
  const page = (url: string, reply: FastifyReply) => {
    if (NOT_UI.test(url)) throw new EptError('not_found', `no route GET ${url.split('?')[0]}`);
    if (!built) return reply.type('text/plain; charset=utf-8').send(`The ept web UI is not built (no ${webDir}index.html). Run: npm run build\nThe API is at /api/v1 (docs at /api/v1/docs).\n`);
    // Hashed assets may be cached; the page that names them must not be.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, (req, reply) => page(req.url, reply));
  app.get('/*', { schema: { hide: true } }, (req, reply) => page(req.url, reply));
}
