// Agent registration (admin, user token) and the agent ingest routes (agent token only):
// POST /api/v1/agent/report and /api/v1/agent/observations.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SubnetSet } from '../../core/arp-subnets.js';
import { EptError } from '../../core/errors.js';
import { agentView, authenticateAgent, issueAgentToken } from '../../hosts/agent-tokens.js';
import { interfaceSubnets } from '../../hosts/host-graph.js';
import type { HostTracking } from '../../hosts/host-tracking.js';
import { ingestReport } from '../../hosts/report-ingest.js';
import { AgentObservations, type ModuleDocument } from '../../protocols/agent-report.js';
import type { AgentRecord } from '../../store/host-store.js';
import type { ApiContext } from '../api-context.js';
import { NAME_PATTERN, passthrough, responses } from '../schemas.js';

/** Size limits of the ingest bodies. */
export const REPORT_BODY_LIMIT = 8 * 1024 * 1024;
export const OBSERVATIONS_BODY_LIMIT = 2 * 1024 * 1024;
/** Versions of each module document kept per host. */
export const DOCUMENT_HISTORY_CAP = 32;

const AgentInput = Type.Object(
  { name: Type.String({ pattern: NAME_PATTERN }), site: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'site of its ARP/ND tracking (default "default")' })) },
  { additionalProperties: false },
);
const AgentItem = Type.Object({ id: Type.String(), name: Type.String(), site: Type.String(), hostId: Type.Union([Type.String(), Type.Null()]), createdTs: Type.Number(), revokedTs: Type.Union([Type.Number(), Type.Null()]) });
const IssuedAgent = Type.Object({ id: Type.String(), name: Type.String(), site: Type.String(), token: Type.String({ description: 'shown once' }), createdTs: Type.Number() });

/** The report envelope: documents are validated one by one by the ingest, so one bad one costs only itself. */
const ReportEnvelope = Type.Object({
  hostId: Type.String({ minLength: 1, maxLength: 128 }),
  seq: Type.Integer({ minimum: 0 }),
  full: Type.Boolean(),
  ts: Type.Integer({ minimum: 0 }),
  documents: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown()),
});
const ReportAnswer = Type.Object({ accepted: Type.Array(Type.String()), resend: Type.Array(Type.String()) });

const agents = new WeakMap<FastifyRequest, AgentRecord>();

export function agentRoutes(app: FastifyInstance, ctx: ApiContext, tracking: HostTracking): void {
  const hosts = ctx.store.hosts;
  const tags = ['agents'];
  // Ingest routes skip the user-token hook (public) and require an agent token instead, before the body is read.
  const agentAuth = async (req: FastifyRequest) => {
    agents.set(req, await authenticateAgent(hosts, req.headers.authorization));
  };
  const agentOf = (req: FastifyRequest): AgentRecord => {
    const a = agents.get(req);
    if (!a) throw new EptError('internal', 'agent authentication did not run');
    return a;
  };

  app.post<{ Body: Static<typeof AgentInput> }>(
    '/api/v1/agents',
    { schema: { tags, summary: 'Register an agent: returns its token, shown once', body: AgentInput, response: responses({ 201: IssuedAgent }) } },
    async (req, reply) => reply.status(201).send(await issueAgentToken(hosts, req.body.name, req.body.site ?? 'default')),
  );

  app.get('/api/v1/agents', { schema: { tags, summary: 'List agents', response: responses({ 200: Type.Object({ items: Type.Array(AgentItem) }) }) } }, async () => ({
    items: (await hosts.listAgents()).map(agentView),
  }));

  app.delete<{ Params: { id: string } }>(
    '/api/v1/agents/:id',
    { schema: { tags, summary: 'Revoke an agent token', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: responses({ 204: Type.Null() }) } },
    async (req, reply) => {
      if (!(await hosts.revokeAgent(req.params.id, Date.now()))) throw new EptError('not_found', `no agent '${req.params.id}'`);
      return reply.status(204).send();
    },
  );

  app.post<{ Body: Static<typeof ReportEnvelope> }>(
    '/api/v1/agent/report',
    {
      config: { public: true },
      bodyLimit: REPORT_BODY_LIMIT,
      onRequest: agentAuth,
      schema: { tags, summary: 'Agent report (agent token): module documents, each validated on its own', security: [{ bearer: [] }], body: ReportEnvelope, response: responses({ 200: ReportAnswer }) },
    },
    async (req, reply) => {
      const r = await ingestReport(hosts, agentOf(req), req.body, { historyCap: DOCUMENT_HISTORY_CAP });
      if (r.rejected.length === 0) return { accepted: r.accepted, resend: r.resend };
      const message = r.rejected.map((b) => `module '${b.module}': ${b.path} ${b.message}`).join('; ');
      return reply.status(400).send({ error: { code: 'bad_request', message, details: { rejected: r.rejected, accepted: r.accepted, resend: r.resend } } });
    },
  );

  app.post<{ Body: AgentObservations }>(
    '/api/v1/agent/observations',
    {
      config: { public: true },
      bodyLimit: OBSERVATIONS_BODY_LIMIT,
      onRequest: agentAuth,
      schema: { tags, summary: 'Passively captured ARP/ND (agent token), for host-side tracking', security: [{ bearer: [] }], body: AgentObservations, response: responses({ 200: Type.Object({ accepted: Type.Integer(), findings: Type.Array(passthrough('HostFinding')) }) }) },
    },
    async (req) => {
      const agent = agentOf(req);
      if (agent.hostId !== null && agent.hostId !== req.body.hostId) throw new EptError('forbidden', `this agent token is bound to host '${agent.hostId}', not '${req.body.hostId}'`);
      const ifs = (await hosts.hostDocuments(req.body.hostId)).find((d) => d.module === 'interfaces')?.body as ModuleDocument<'interfaces'> | undefined;
      const subnets = new Map([...interfaceSubnets(ifs)].map(([name, cidrs]) => [name, new SubnetSet(cidrs)]));
      const findings = await tracking.observe(agent.site, req.body, subnets);
      return { accepted: req.body.observations.length, findings };
    },
  );
}
