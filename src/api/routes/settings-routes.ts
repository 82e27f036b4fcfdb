// Per-fabric analysis settings and their schema.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SETTING_SPECS, resolveSettings } from '../../core/settings.js';
import type { FabricConfig } from '../../store/store.js';
import type { ApiContext } from '../api-context.js';
import { checkSettings, requireFabric } from '../fabric-input.js';
import { FabricParams, SettingsInput, responses } from '../schemas.js';

const SettingsView = Type.Object({
  settings: Type.Object({}, { additionalProperties: true, description: 'every setting, defaults overlaid with overrides' }),
  overrides: Type.Object({}, { additionalProperties: true }),
  overridden: Type.Array(Type.String()),
});

const SettingSpecView = Type.Object({
  name: Type.String(),
  type: Type.String(),
  default: Type.Union([Type.Boolean(), Type.Integer()]),
  min: Type.Optional(Type.Integer()),
  max: Type.Optional(Type.Integer()),
  doc: Type.String(),
});

function settingsView(f: FabricConfig) {
  return { settings: resolveSettings(f.settings), overrides: f.settings, overridden: Object.keys(f.settings).sort() };
}

export function settingsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['settings'];

  app.get('/api/v1/settings/schema', { schema: { tags, summary: 'Every per-fabric setting with type, default and range', response: responses({ 200: Type.Object({ items: Type.Array(SettingSpecView) }) }) } }, async () => ({
    items: Object.entries(SETTING_SPECS).map(([name, s]) => ({ name, ...s })),
  }));

  app.get<{ Params: FabricParams }>('/api/v1/fabrics/:fabric/settings', { schema: { tags, summary: 'Resolved settings of a fabric', params: FabricParams, response: responses({ 200: SettingsView }) } }, async (req) =>
    settingsView(await requireFabric(ctx.store, req.params.fabric)),
  );

  app.put<{ Params: FabricParams; Body: Record<string, unknown> }>(
    '/api/v1/fabrics/:fabric/settings',
    { schema: { tags, summary: 'Replace the overrides of a fabric', params: FabricParams, body: SettingsInput, response: responses({ 200: SettingsView }) } },
    async (req) => {
      const f = await requireFabric(ctx.store, req.params.fabric);
      const next = { ...f, settings: checkSettings(req.body) };
      await ctx.store.putFabric(next);
      await ctx.fabrics.reconfigure(f.name);
      req.log.info({ fabric: f.name, overridden: Object.keys(next.settings) }, 'settings changed');
      return settingsView(next);
    },
  );
}
