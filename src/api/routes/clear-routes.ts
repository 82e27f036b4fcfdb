// Clearing endpoints (admin) and the record of every clear: /api/v1/fabrics/{fabric}/…/clear(s),
// and the SSH credentials used for it (EPT's ssh_username / ssh_password).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { normalizeIp, normalizeMac } from '../../core/address.js';
import { EptError } from '../../core/errors.js';
import { encodeCursor } from '../../store/page-cursor.js';
import type { ClearQuery, ClearRecord, Page } from '../../store/store.js';
import type { ApiContext } from '../api-context.js';
import { requireFabric } from '../fabric-input.js';
import { FabricParams, NAME_PATTERN, PageQuery, page, responses } from '../schemas.js';
import { normalizeSearch } from '../search-query.js';
import { REDACTED } from './notification-routes.js';

const EndpointParams = Type.Object({
  fabric: Type.String({ pattern: NAME_PATTERN }),
  vnid: Type.Integer({ minimum: 0, description: 'BD vnid for a MAC, VRF vnid for an IP' }),
  addr: Type.String({ minLength: 1, maxLength: 64, description: 'MAC in any form or IP address' }),
});
type EndpointParams = Static<typeof EndpointParams>;

const ClearBody = Type.Object(
  {
    nodes: Type.Union([
      Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 64, description: 'node ids (a vPC pseudo-node clears both members)' }),
      Type.Literal('all-stale'),
      Type.Literal('all-offsubnet'),
    ]),
    reason: Type.String({ minLength: 1, maxLength: 1024, description: 'why (recorded)' }),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'record what would be done without doing it' })),
  },
  { additionalProperties: false },
);

const ClearView = Type.Object({
  id: Type.Integer(),
  fabric: Type.String(),
  vnid: Type.Integer(),
  addr: Type.String(),
  nodes: Type.Array(Type.Integer()),
  who: Type.String(),
  reason: Type.String(),
  ts: Type.Number(),
  dryRun: Type.Boolean(),
  outcome: Type.String({ description: 'ok | partial | failed | dry-run' }),
  results: Type.Array(
    Type.Object({ node: Type.Integer(), command: Type.String(), ok: Type.Boolean(), output: Type.String(), error: Type.Optional(Type.String()) }),
  ),
});

const ListQuery = Type.Object(PageQuery);
const FabricListQuery = Type.Object({ search: Type.Optional(Type.String({ maxLength: 64, description: 'MAC or IP or a prefix of one' })), ...PageQuery });

/**
 * Clears scanned at most per filtered request. The store keys clears by id only (they are people's
 * actions, so few), so an address filter reads pages newest first and keeps the matches; past this
 * budget the page ends early with a cursor at the last record scanned (fewer items, never a gap).
 */
const FILTER_SCAN_BUDGET = 5000;

/** One page of a fabric's clears whose address starts with prefix, continuing the store's id cursor. */
async function filteredClears(store: ApiContext['store'], fabric: string, prefix: string, q: ClearQuery): Promise<Page<ClearRecord>> {
  const items: ClearRecord[] = [];
  let cursor = q.cursor;
  let scanned = 0;
  while (scanned < FILTER_SCAN_BUDGET) {
    const p = await store.listClears(fabric, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const r of p.items) {
      scanned++;
      if (!r.addr.startsWith(prefix)) continue;
      items.push(r);
      // The next page continues strictly below this id, so nothing after it is skipped.
      if (items.length === q.limit) return { items, nextCursor: encodeCursor([r.id]) };
    }
    const last = p.items[p.items.length - 1];
    if (!p.nextCursor || !last) return { items, nextCursor: null };
    cursor = encodeCursor([last.id]);
  }
  return { items, nextCursor: cursor ?? null };
}
const RemediationBody = Type.Object(
  {
    ssh_username: Type.String({ maxLength: 256, description: 'empty: use the APIC username and password' }),
    ssh_password: Type.Optional(Type.String({ maxLength: 1024, description: `'${REDACTED}' keeps the stored one` })),
  },
  { additionalProperties: false },
);
const RemediationView = Type.Object({ ssh_username: Type.String(), ssh_password: Type.String(), usesApicCredentials: Type.Boolean() });

function parseAddr(addr: string): string {
  const a = normalizeMac(addr) ?? normalizeIp(addr);
  if (!a) throw new EptError('bad_request', `addr: '${addr}' is neither a MAC nor an IP address`, [{ field: 'params/addr', message: 'must be a MAC or an IP address' }]);
  return a;
}

function listQuery(q: Static<typeof ListQuery>): ClearQuery {
  return { limit: q.limit ?? 100, ...(q.cursor ? { cursor: q.cursor } : {}) };
}

export function clearRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['remediation'];

  app.post<{ Params: EndpointParams; Body: Static<typeof ClearBody> }>(
    '/api/v1/fabrics/:fabric/endpoints/:vnid/:addr/clear',
    { schema: { tags, summary: 'Clear an endpoint on fabric nodes (admin); every clear is recorded', params: EndpointParams, body: ClearBody, response: responses({ 200: ClearView }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      if (!ctx.clears) throw new EptError('conflict', 'endpoint clearing is not available in this server');
      return ctx.clears.clear({
        fabric: req.params.fabric,
        vnid: req.params.vnid,
        addr: parseAddr(req.params.addr),
        nodes: req.body.nodes,
        reason: req.body.reason,
        dryRun: req.body.dryRun ?? false,
        who: req.principal?.username ?? 'anonymous',
      });
    },
  );

  app.get<{ Params: FabricParams; Querystring: Static<typeof FabricListQuery> }>(
    '/api/v1/fabrics/:fabric/clears',
    { schema: { tags, summary: 'Clears of a fabric, newest first; search filters by address prefix', params: FabricParams, querystring: FabricListQuery, response: responses({ 200: page(ClearView) }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      const search = req.query.search === undefined ? '' : normalizeSearch(req.query.search);
      const q = listQuery(req.query);
      return search ? filteredClears(ctx.store, req.params.fabric, search, q) : ctx.store.listClears(req.params.fabric, q);
    },
  );

  app.get<{ Params: EndpointParams; Querystring: Static<typeof ListQuery> }>(
    '/api/v1/fabrics/:fabric/endpoints/:vnid/:addr/clears',
    { schema: { tags, summary: 'Clears of one endpoint, newest first', params: EndpointParams, querystring: ListQuery, response: responses({ 200: page(ClearView) }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      return ctx.store.listClears(req.params.fabric, { ...listQuery(req.query), endpoint: { vnid: req.params.vnid, addr: parseAddr(req.params.addr) } });
    },
  );

  app.get<{ Params: FabricParams }>('/api/v1/fabrics/:fabric/remediation', { schema: { tags, summary: 'SSH credentials used to clear endpoints (password redacted)', params: FabricParams, response: responses({ 200: RemediationView }) } }, async (req) => {
    const f = await requireFabric(ctx.store, req.params.fabric);
    return { ssh_username: f.ssh?.username ?? '', ssh_password: f.ssh?.password ? REDACTED : '', usesApicCredentials: !f.ssh };
  });

  app.put<{ Params: FabricParams; Body: Static<typeof RemediationBody> }>(
    '/api/v1/fabrics/:fabric/remediation',
    { schema: { tags, summary: 'Set the SSH credentials used to clear endpoints (admin)', params: FabricParams, body: RemediationBody, response: responses({ 200: RemediationView }) } },
    async (req) => {
      const f = await requireFabric(ctx.store, req.params.fabric);
      const username = req.body.ssh_username.trim();
      const password = req.body.ssh_password === REDACTED ? (f.ssh?.password ?? '') : (req.body.ssh_password ?? '');
      if (username && !password) throw new EptError('bad_request', 'ssh_password: required with ssh_username', [{ setting: 'ssh_password', message: 'required with ssh_username' }]);
      const { ssh: _old, ...rest } = f;
      const next = username ? { ...rest, ssh: { username, password } } : rest;
      await ctx.store.putFabric(next);
      await ctx.audit?.record({ who: req.principal?.username ?? 'anonymous', action: 'remediation.update', fabric: f.name, details: { ssh_username: username, ssh_password: password } });
      return { ssh_username: username, ssh_password: password ? REDACTED : '', usesApicCredentials: !username };
    },
  );
}
