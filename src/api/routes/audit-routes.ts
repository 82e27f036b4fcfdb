// The audit log (admin): GET /api/v1/audit?limit=&cursor=&fabric=
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EptError } from '../../core/errors.js';
import type { AuditQuery } from '../../store/store.js';
import type { ApiContext } from '../api-context.js';
import { NAME_PATTERN, PageQuery, page, responses } from '../schemas.js';

const AuditQuerySchema = Type.Object({ fabric: Type.Optional(Type.String({ pattern: NAME_PATTERN })), ...PageQuery });
const AuditView = Type.Object({
  id: Type.Integer(),
  ts: Type.Number(),
  who: Type.String(),
  action: Type.String({ description: 'fabric.create, fabric.update, fabric.delete, fabric.start, fabric.stop, settings.update, notifications.update, notifications.test, remediation.update, endpoint.clear, user.create, auth.login' }),
  fabric: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String({ description: 'ok | failed' }),
  details: Type.Object({}, { additionalProperties: true }),
});

export function auditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: Static<typeof AuditQuerySchema> }>(
    '/api/v1/audit',
    { schema: { tags: ['audit'], summary: 'Configuration changes and actions, newest first (admin)', querystring: AuditQuerySchema, response: responses({ 200: page(AuditView) }) } },
    async (req) => {
      // Reads are open to viewers elsewhere; who did what is for admins only.
      if (req.principal?.role !== 'admin') throw new EptError('forbidden', `role '${req.principal?.role ?? 'none'}' may not read the audit log`);
      const q: AuditQuery = { limit: req.query.limit ?? 100 };
      if (req.query.cursor) q.cursor = req.query.cursor;
      if (req.query.fabric) q.fabric = req.query.fabric;
      return ctx.store.listAudit(q);
    },
  );
}
