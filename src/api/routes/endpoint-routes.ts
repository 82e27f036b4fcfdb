// Endpoints of a fabric and search across fabrics.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { normalizeIp, normalizeMac } from '../../core/address.js';
import { EptError } from '../../core/errors.js';
import type { EndpointQuery } from '../../store/store.js';
import type { ApiContext } from '../api-context.js';
import type { FabricNames } from '../fabric-names.js';
import { requireFabric } from '../fabric-input.js';
import { EndpointSummary, FabricParams, NAME_PATTERN, PageQuery, page, passthrough, responses } from '../schemas.js';
import { normalizeSearch } from '../search-query.js';
import { endpointNames, endpointSummary } from '../views.js';

const ListQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 64, description: 'MAC (any form) or IP, or a prefix of one' })),
  type: Type.Optional(Type.Union([Type.Literal('mac'), Type.Literal('ipv4'), Type.Literal('ipv6')])),
  flag: Type.Optional(Type.Union(['offsubnet', 'stale', 'rapid', 'deleted', 'active'].map((f) => Type.Literal(f)))),
  ...PageQuery,
});

const EndpointParams = Type.Object({
  fabric: Type.String({ pattern: NAME_PATTERN }),
  vnid: Type.Integer({ minimum: 0, description: 'BD vnid for a MAC, VRF vnid for an IP' }),
  addr: Type.String({ minLength: 1, maxLength: 64, description: 'MAC in any form or IP address' }),
});
type EndpointParams = Static<typeof EndpointParams>;

const SearchQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 64, description: 'MAC or IP or a prefix' }), ...PageQuery });
const HistoryQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) });

const EndpointDetail = Type.Object({
  ...EndpointSummary.properties,
  learns: Type.Array(passthrough('NodeLearn')),
  names: Type.Object({ vnid: Type.Optional(Type.String()), nodes: Type.Record(Type.String(), Type.String()), epg: Type.Optional(Type.String()) }),
  findings: Type.Array(passthrough('FindingRecord')),
  state: passthrough('the raw EndpointState'),
});

/** The stored form of an address from a URL, or bad_request naming it. */
function parseAddr(addr: string): string {
  const a = normalizeMac(addr) ?? normalizeIp(addr);
  if (!a) throw new EptError('bad_request', `addr: '${addr}' is neither a MAC nor an IP address`, [{ field: 'params/addr', message: 'must be a MAC or an IP address' }]);
  return a;
}

function endpointQuery(q: Static<typeof ListQuery>): EndpointQuery {
  const out: EndpointQuery = { limit: q.limit ?? 100 };
  const search = q.search === undefined ? '' : normalizeSearch(q.search);
  if (search) out.search = search;
  if (q.type) out.type = q.type;
  if (q.flag) out.flag = q.flag as EndpointQuery['flag'];
  if (q.cursor) out.cursor = q.cursor;
  return out;
}

export function endpointRoutes(app: FastifyInstance, ctx: ApiContext, names: FabricNames): void {
  const tags = ['endpoints'];

  app.get<{ Params: FabricParams; Querystring: Static<typeof ListQuery> }>(
    '/api/v1/fabrics/:fabric/endpoints',
    { schema: { tags, summary: 'List endpoints', params: FabricParams, querystring: ListQuery, response: responses({ 200: page(EndpointSummary) }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      const p = await ctx.store.listEndpoints(req.params.fabric, endpointQuery(req.query));
      return { items: p.items.map(endpointSummary), nextCursor: p.nextCursor };
    },
  );

  app.get<{ Params: EndpointParams }>(
    '/api/v1/fabrics/:fabric/endpoints/:vnid/:addr',
    { schema: { tags, summary: 'One endpoint: location, per-node learns, flags, findings', params: EndpointParams, response: responses({ 200: EndpointDetail }) } },
    async (req) => {
      const key = { fabric: req.params.fabric, vnid: req.params.vnid, addr: parseAddr(req.params.addr) };
      await requireFabric(ctx.store, key.fabric);
      const e = await ctx.store.getEndpoint(key);
      if (!e) throw new EptError('not_found', `endpoint ${key.addr} in vnid ${key.vnid} is not known in fabric '${key.fabric}'`);
      const [findings, tables] = await Promise.all([ctx.store.findingsForEndpoint(key), names.tables(key.fabric)]);
      return { ...endpointSummary(e), learns: e.learns, names: endpointNames(e, tables), findings, state: e };
    },
  );

  app.get<{ Params: EndpointParams; Querystring: Static<typeof HistoryQuery> }>(
    '/api/v1/fabrics/:fabric/endpoints/:vnid/:addr/history',
    { schema: { tags, summary: 'History of an endpoint, newest first', params: EndpointParams, querystring: HistoryQuery, response: responses({ 200: page(passthrough('HistoryEvent')) }) } },
    async (req) => {
      const key = { fabric: req.params.fabric, vnid: req.params.vnid, addr: parseAddr(req.params.addr) };
      await requireFabric(ctx.store, key.fabric);
      return { items: await ctx.store.history(key, req.query.limit ?? 100), nextCursor: null };
    },
  );

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/v1/search',
    { schema: { tags, summary: 'Search endpoints across all fabrics', querystring: SearchQuery, response: responses({ 200: page(EndpointSummary) }) } },
    async (req) => {
      const search = normalizeSearch(req.query.q);
      if (!search) throw new EptError('bad_request', 'q: must not be blank', [{ field: 'querystring/q', message: 'must not be blank' }]);
      const q: EndpointQuery = { search, limit: req.query.limit ?? 100 };
      if (req.query.cursor) q.cursor = req.query.cursor;
      const p = await ctx.store.listEndpoints(null, q);
      return { items: p.items.map(endpointSummary), nextCursor: p.nextCursor };
    },
  );
}
