// Dashboard figures of a fabric (live status, endpoint counts, finding counts over the last hour and
// day) and vnid -> name lookups for the endpoint page, so the UI never loads a whole table for them.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import type { FabricNames } from '../fabric-names.js';
import { requireFabric } from '../fabric-input.js';
import { FabricParams, FabricStatusSchema, responses } from '../schemas.js';

const HOUR_MS = 3_600_000;
const Counts = Type.Object({ move: Type.Integer(), offsubnet: Type.Integer(), stale: Type.Integer(), rapid: Type.Integer() });
const Summary = Type.Object({
  fabric: Type.String(),
  status: Type.Union([FabricStatusSchema, Type.Null()]),
  endpoints: Type.Object({ total: Type.Integer(), active: Type.Integer() }),
  findings: Type.Object({ hour: Counts, day: Counts }, { description: 'finding records updated in the last hour / day' }),
});

const NamesQuery = Type.Object({
  vnid: Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, maxItems: 32, description: 'BD or VRF vnids (repeat the parameter)' }),
});
const NamesResult = Type.Object({ vnids: Type.Record(Type.String(), Type.String(), { description: 'vnid -> DN of its BD/VRF; unknown vnids are absent' }) });

export function summaryRoutes(app: FastifyInstance, ctx: ApiContext, names: FabricNames, now: () => number = Date.now): void {
  app.get<{ Params: FabricParams }>(
    '/api/v1/fabrics/:fabric/summary',
    { schema: { tags: ['fabrics'], summary: 'Status, endpoint counts and finding counts over the last hour and day', params: FabricParams, response: responses({ 200: Summary }) } },
    async (req) => {
      const fabric = req.params.fabric;
      await requireFabric(ctx.store, fabric);
      const t = now();
      const [status, endpoints, hour, day] = await Promise.all([
        ctx.fabrics.status(fabric),
        ctx.store.countEndpoints(fabric),
        ctx.store.countFindings(fabric, t - HOUR_MS),
        ctx.store.countFindings(fabric, t - 24 * HOUR_MS),
      ]);
      return { fabric, status, endpoints, findings: { hour, day } };
    },
  );

  app.get<{ Params: FabricParams; Querystring: Static<typeof NamesQuery> }>(
    '/api/v1/fabrics/:fabric/vnid-names',
    { schema: { tags: ['fabrics'], summary: 'Names (DNs) of BD and VRF vnids', params: FabricParams, querystring: NamesQuery, response: responses({ 200: NamesResult }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      const t = await names.tables(req.params.fabric);
      const vnids: Record<string, string> = {};
      for (const v of req.query.vnid) {
        const n = t.vnidName(v);
        if (n) vnids[String(v)] = n;
      }
      return { vnids };
    },
  );
}
