// Fabric configuration and control: /api/v1/fabrics...
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EptError } from '../../core/errors.js';
import type { FabricConfig } from '../../store/store.js';
import type { ApiContext } from '../api-context.js';
import type { FabricNames } from '../fabric-names.js';
import { checkApicUrls, checkSettings, requireFabric } from '../fabric-input.js';
import { ApicInput, FabricParams, FabricStatusSchema, FabricView, NAME_PATTERN, SettingsInput, page, responses } from '../schemas.js';
import { fabricView } from '../views.js';

const CreateBody = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: 'letters, digits, _ . - (1-64)' }),
    apic: ApicInput,
    settings: Type.Optional(SettingsInput),
    autoStart: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    apic: Type.Optional(Type.Partial(ApicInput, { additionalProperties: false })),
    settings: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'overrides to merge; null removes an override' })),
    autoStart: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const TestConnectionBody = Type.Object({ apic: ApicInput }, { additionalProperties: false });
const TestConnectionResult = Type.Object({ ok: Type.Boolean(), url: Type.Optional(Type.String()), error: Type.Optional(Type.String()) });

async function stateOf(ctx: ApiContext, name: string): Promise<string> {
  return (await ctx.fabrics.status(name))?.state ?? 'stopped';
}

/** Applies a PATCH to a stored fabric; settings are merged, null drops an override. */
function patched(f: FabricConfig, body: Static<typeof PatchBody>): FabricConfig {
  const apic = { ...f.apic, ...(body.apic ?? {}) };
  if (body.apic?.urls) checkApicUrls(body.apic.urls);
  let settings = f.settings;
  if (body.settings) {
    const merged: Record<string, unknown> = { ...f.settings };
    for (const [k, v] of Object.entries(body.settings)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    settings = checkSettings(merged);
  }
  return { ...f, apic, settings, autoStart: body.autoStart ?? f.autoStart };
}

export function fabricRoutes(app: FastifyInstance, ctx: ApiContext, names: FabricNames): void {
  const tags = ['fabrics'];

  app.get('/api/v1/fabrics', { schema: { tags, summary: 'List fabrics', response: responses({ 200: page(FabricView) }) } }, async () => {
    const fabrics = await ctx.store.listFabrics();
    const items = await Promise.all(fabrics.map(async (f) => fabricView(f, await stateOf(ctx, f.name))));
    return { items, nextCursor: null };
  });

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/v1/fabrics',
    { schema: { tags, summary: 'Add a fabric', body: CreateBody, response: responses({ 201: FabricView }) } },
    async (req, reply) => {
      const b = req.body;
      checkApicUrls(b.apic.urls);
      const settings = checkSettings(b.settings ?? {});
      if (await ctx.store.getFabric(b.name)) throw new EptError('conflict', `fabric '${b.name}' already exists`);
      const apic = { urls: b.apic.urls, username: b.apic.username, password: b.apic.password, verifyTls: b.apic.verifyTls, ...(b.apic.caFile ? { caFile: b.apic.caFile } : {}) };
      const f: FabricConfig = { name: b.name, apic, settings, autoStart: b.autoStart ?? true, simulated: false, createdTs: Date.now() };
      await ctx.store.putFabric(f);
      await ctx.fabrics.reconfigure(f.name);
      if (f.autoStart) await ctx.fabrics.start(f.name);
      req.log.info({ fabric: f.name }, 'fabric added');
      return reply.status(201).send(fabricView(f, await stateOf(ctx, f.name)));
    },
  );

  app.post<{ Body: Static<typeof TestConnectionBody> }>(
    '/api/v1/fabrics/test-connection',
    { schema: { tags, summary: 'Try to log in to an APIC without saving anything', body: TestConnectionBody, response: responses({ 200: TestConnectionResult }) } },
    async (req) => {
      checkApicUrls(req.body.apic.urls);
      return ctx.fabrics.testConnection(req.body.apic);
    },
  );

  app.get<{ Params: FabricParams }>('/api/v1/fabrics/:fabric', { schema: { tags, summary: 'Show a fabric', params: FabricParams, response: responses({ 200: FabricView }) } }, async (req) => {
    const f = await requireFabric(ctx.store, req.params.fabric);
    return fabricView(f, await stateOf(ctx, f.name));
  });

  app.patch<{ Params: FabricParams; Body: Static<typeof PatchBody> }>(
    '/api/v1/fabrics/:fabric',
    { schema: { tags, summary: 'Change a fabric', params: FabricParams, body: PatchBody, response: responses({ 200: FabricView }) } },
    async (req) => {
      const f = patched(await requireFabric(ctx.store, req.params.fabric), req.body);
      await ctx.store.putFabric(f);
      names.forget(f.name);
      await ctx.fabrics.reconfigure(f.name);
      return fabricView(f, await stateOf(ctx, f.name));
    },
  );

  app.delete<{ Params: FabricParams }>('/api/v1/fabrics/:fabric', { schema: { tags, summary: 'Delete a fabric and all its data', params: FabricParams, response: responses({ 204: Type.Null() }) } }, async (req, reply) => {
    await requireFabric(ctx.store, req.params.fabric);
    await ctx.fabrics.remove(req.params.fabric);
    await ctx.store.deleteFabric(req.params.fabric);
    names.forget(req.params.fabric);
    req.log.info({ fabric: req.params.fabric }, 'fabric deleted');
    return reply.status(204).send();
  });

  for (const action of ['start', 'stop'] as const) {
    app.post<{ Params: FabricParams }>(
      `/api/v1/fabrics/:fabric/${action}`,
      { schema: { tags, summary: `${action === 'start' ? 'Start' : 'Stop'} a fabric`, params: FabricParams, response: responses({ 200: FabricStatusSchema }) } },
      async (req) => {
        await requireFabric(ctx.store, req.params.fabric);
        await ctx.fabrics[action](req.params.fabric);
        return ctx.fabrics.status(req.params.fabric);
      },
    );
  }

  app.get<{ Params: FabricParams }>('/api/v1/fabrics/:fabric/status', { schema: { tags, summary: 'Live status of a fabric', params: FabricParams, response: responses({ 200: FabricStatusSchema }) } }, async (req) => {
    await requireFabric(ctx.store, req.params.fabric);
    const s = await ctx.fabrics.status(req.params.fabric);
    if (!s) throw new EptError('not_found', `fabric '${req.params.fabric}' has no status`);
    return s;
  });
}
