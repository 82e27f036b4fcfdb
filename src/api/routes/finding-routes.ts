// Finding listings: /api/v1/fabrics/{fabric}/moves|offsubnets|stales|rapids, newest first unless
// sort/order say otherwise (sorted by the store, so paging follows the sort).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FindingKind } from '../../core/types.js';
import { PER_ENDPOINT_KINDS, type FindingQuery } from '../../store/store.js';
import { EptError } from '../../core/errors.js';
import type { ApiContext } from '../api-context.js';
import type { FabricNames } from '../fabric-names.js';
import { requireFabric } from '../fabric-input.js';
import { FabricParams, FindingItem, PageQuery, page, responses } from '../schemas.js';
import { normalizeSearch } from '../search-query.js';
import { findingItem } from '../views.js';

const FindingListQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 64, description: 'MAC or IP or a prefix' })),
  node: Type.Optional(Type.Integer({ minimum: 1, description: 'only records about this node (offsubnets and stales; move and rapid records are per endpoint)' })),
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'only records updated at or after this time (ms since epoch)' })),
  sort: Type.Optional(Type.Union([Type.Literal('lastTs'), Type.Literal('count'), Type.Literal('addr')], { default: 'lastTs', description: 'order by last update, event count or address' })),
  order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'desc', description: 'a cursor continues only the sort and order that made it' })),
  ...PageQuery,
});

/** URL path segment -> finding kind. */
const KINDS: Record<string, FindingKind> = { moves: 'move', offsubnets: 'offsubnet', stales: 'stale', rapids: 'rapid' };

export function findingRoutes(app: FastifyInstance, ctx: ApiContext, names: FabricNames): void {
  for (const [segment, kind] of Object.entries(KINDS)) {
    app.get<{ Params: FabricParams; Querystring: Static<typeof FindingListQuery> }>(
      `/api/v1/fabrics/:fabric/${segment}`,
      { schema: { tags: ['findings'], summary: `List ${kind} records, newest first or as sorted`, params: FabricParams, querystring: FindingListQuery, response: responses({ 200: page(FindingItem) }) } },
      async (req) => {
        const fabric = req.params.fabric;
        await requireFabric(ctx.store, fabric);
        const q: FindingQuery = { limit: req.query.limit ?? 100 };
        const search = req.query.search === undefined ? '' : normalizeSearch(req.query.search);
        if (search) q.search = search;
        if (req.query.node !== undefined) {
          if (PER_ENDPOINT_KINDS.includes(kind)) {
            const why = `${segment} are recorded per endpoint, not per node; the node filter applies to offsubnets and stales`;
            throw new EptError('bad_request', `node: ${why}`, [{ field: 'querystring/node', message: why }]);
          }
          q.node = req.query.node;
        }
        if (req.query.since !== undefined) q.since = req.query.since;
        if (req.query.cursor) q.cursor = req.query.cursor;
        if (req.query.sort) q.sort = req.query.sort;
        if (req.query.order) q.order = req.query.order;
        const [p, tables] = await Promise.all([ctx.store.listFindings(fabric, kind, q), names.tables(fabric)]);
        return { items: p.items.map((r) => findingItem(r, tables)), nextCursor: p.nextCursor };
      },
    );
  }
}
