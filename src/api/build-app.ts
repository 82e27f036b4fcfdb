// Assembles the HTTP API: Fastify with TypeBox-validated routes, OpenAPI, auth, errors, metrics.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAuditHook } from '../audit/audit-hook.js';
import { AuditLog } from '../audit/audit-log.js';
import type { ApiContext } from './api-context.js';
import { installAuth } from './auth.js';
import { installErrorHandler } from './error-handler.js';
import { FabricNames } from './fabric-names.js';
import { installHttpMetrics } from './http-metrics.js';
import { LoginRateLimit } from './login-rate-limit.js';
import { auditRoutes } from './routes/audit-routes.js';
import { HostTracking } from '../hosts/host-tracking.js';
import { agentRoutes } from './routes/agent-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { clearRoutes } from './routes/clear-routes.js';
import { endpointRoutes } from './routes/endpoint-routes.js';
import { fabricRoutes } from './routes/fabric-routes.js';
import { findingRoutes } from './routes/finding-routes.js';
import { hostRoutes } from './routes/host-routes.js';
import { notificationRoutes } from './routes/notification-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { streamRoutes } from './routes/stream-routes.js';
import { summaryRoutes } from './routes/summary-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { webUiRoutes } from './routes/web-ui-routes.js';
import { ErrorResponse } from './schemas.js';

/** Options of buildApp. */
export interface BuildAppOptions {
  /** Login attempts allowed per client IP per minute (default 20). */
  loginAttemptsPerMinute?: number;
  /** Trust X-Forwarded-For (behind a reverse proxy) for the client IP. */
  trustProxy?: boolean;
  /** Serve the Swagger UI page at /api/v1/docs (default true). */
  docs?: boolean;
  /** Directory of the built web UI served at / (default web/dist of the installation). */
  webDir?: string;
}

export async function buildApp(ctx: ApiContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // additionalProperties:false must reject unknown fields, not silently drop them.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
  }) as unknown as FastifyInstance;

  app.addSchema(ErrorResponse);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ept API', version: '1', description: 'Endpoint tracker HTTP API. Authenticate with POST /api/v1/auth/login, then send Authorization: Bearer <token>.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  if (opts.docs ?? true) await app.register(swaggerUi, { routePrefix: '/api/v1/docs' });

  installErrorHandler(app);
  installHttpMetrics(app, ctx.metrics);
  installAuth(app, ctx.store);
  // Every app keeps an audit log: the composition root may pass its own (shared with the clearer).
  const audit = ctx.audit ?? new AuditLog(ctx.store, ctx.logger);
  installAuditHook(app, audit);
  const actx: ApiContext = { ...ctx, audit };

  const names = new FabricNames(ctx.store);
  const limiter = new LoginRateLimit({ max: opts.loginAttemptsPerMinute ?? 20, windowMs: 60_000 });
  systemRoutes(app, ctx);
  authRoutes(app, ctx, limiter);
  fabricRoutes(app, ctx, names);
  settingsRoutes(app, ctx);
  endpointRoutes(app, ctx, names);
  findingRoutes(app, ctx, names);
  summaryRoutes(app, ctx, names);
  streamRoutes(app, ctx);
  const hostTracking = ctx.hostTracking ?? new HostTracking({ hosts: ctx.store.hosts, partitions: 8 });
  agentRoutes(app, ctx, hostTracking);
  hostRoutes(app, ctx, names, hostTracking);
  notificationRoutes(app, actx);
  clearRoutes(app, actx);
  auditRoutes(app, actx);
  await webUiRoutes(app, opts.webDir);

  await app.ready();
  return app;
}
