// Per-fabric notification settings (validated when saved, secrets redacted when shown), test
// sends, failed deliveries and counters: /api/v1/notifications/…, /api/v1/fabrics/{fabric}/notifications…
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EptError } from '../../core/errors.js';
import {
  CHANNELS,
  NOTIFICATION_SPECS,
  redactNotificationSettings,
  resolveNotificationSettings,
  type NotificationSettings,
  type Spec,
} from '../../notify/notification-settings.js';
import { validateNotificationSettings } from '../../notify/validate-notification-settings.js';
import type { FabricConfig } from '../../store/store.js';
import type { ApiContext, NotificationControl } from '../api-context.js';
import { requireFabric } from '../fabric-input.js';
import { FabricParams, passthrough, responses } from '../schemas.js';

/** What a secret looks like in a view; sent back unchanged it means "keep the stored one". */
export const REDACTED = '********';

const ChannelSchema = Type.Union(CHANNELS.map((c) => Type.Literal(c)));
const NotificationsInput = Type.Object({}, { additionalProperties: true, description: 'setting name -> value; see GET /api/v1/notifications/schema' });
const NotificationsView = Type.Object({
  settings: Type.Object({}, { additionalProperties: true, description: 'every setting, defaults overlaid with overrides; secrets redacted' }),
  overrides: Type.Object({}, { additionalProperties: true }),
  overridden: Type.Array(Type.String()),
});
const SpecView = Type.Object({
  name: Type.String(),
  type: Type.String(),
  default: Type.Unknown(),
  min: Type.Optional(Type.Integer()),
  max: Type.Optional(Type.Integer()),
  values: Type.Optional(Type.Array(Type.String())),
  secret: Type.Optional(Type.Boolean()),
  doc: Type.String(),
});
const TestBody = Type.Object(
  { channel: ChannelSchema, settings: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'unsaved overrides to test instead of the stored ones' })) },
  { additionalProperties: false },
);
const DeliveryResultView = Type.Object({ ok: Type.Boolean(), channel: Type.String(), attempts: Type.Integer(), detail: Type.Optional(Type.String()), error: Type.Optional(Type.String()) });
const FailedQuery = Type.Object({ channel: Type.Optional(ChannelSchema), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) });
const FailedView = Type.Object({
  id: Type.Integer(),
  fabric: Type.String(),
  channel: Type.String(),
  ts: Type.Number(),
  attempts: Type.Integer(),
  error: Type.String(),
  what: Type.String(),
  summary: Type.String(),
});

function view(overrides: Partial<NotificationSettings>) {
  return {
    settings: redactNotificationSettings(resolveNotificationSettings(overrides)),
    overrides: redactNotificationSettings(overrides),
    overridden: Object.keys(overrides).sort(),
  };
}

/** Input with every REDACTED secret replaced by the stored value, so a shown form can be saved back. */
function withStoredSecrets(input: Record<string, unknown>, stored: Partial<NotificationSettings>): Record<string, unknown> {
  const out = { ...input };
  for (const [name, spec] of Object.entries(NOTIFICATION_SPECS) as [string, Spec][]) {
    if (spec.type === 'string' && spec.secret && out[name] === REDACTED) out[name] = (stored as Record<string, unknown>)[name] ?? '';
  }
  return out;
}

/** Validated overrides or bad_request with details [{setting, message}]. */
function checkNotifications(input: Record<string, unknown>): Partial<NotificationSettings> {
  const r = validateNotificationSettings(input);
  if (!r.ok) {
    const msg = r.errors.map((e) => (e.setting ? `${e.setting}: ${e.message}` : e.message)).join('; ');
    throw new EptError('bad_request', `invalid notification settings: ${msg}`, r.errors);
  }
  return r.value;
}

function requireNotify(ctx: ApiContext): NotificationControl {
  if (!ctx.notifications) throw new EptError('conflict', 'notifications are not running in this server');
  return ctx.notifications;
}

const who = (req: FastifyRequest): string => req.principal?.username ?? 'anonymous';

export function notificationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['notifications'];

  app.get('/api/v1/notifications/schema', { schema: { tags, summary: 'Every notification setting with type, default and range', response: responses({ 200: Type.Object({ items: Type.Array(SpecView) }) }) } }, async () => ({
    items: Object.entries(NOTIFICATION_SPECS).map(([name, s]) => ({ name, ...s, ...('values' in s ? { values: [...s.values] } : {}) })),
  }));

  app.get<{ Params: FabricParams }>('/api/v1/fabrics/:fabric/notifications', { schema: { tags, summary: 'Notification settings of a fabric (secrets redacted)', params: FabricParams, response: responses({ 200: NotificationsView }) } }, async (req) =>
    view((await requireFabric(ctx.store, req.params.fabric)).notifications ?? {}),
  );

  app.put<{ Params: FabricParams; Body: Record<string, unknown> }>(
    '/api/v1/fabrics/:fabric/notifications',
    { schema: { tags, summary: 'Replace the notification overrides of a fabric (a channel that could not deliver is refused)', params: FabricParams, body: NotificationsInput, response: responses({ 200: NotificationsView }) } },
    async (req) => {
      const f = await requireFabric(ctx.store, req.params.fabric);
      const before = f.notifications ?? {};
      const value = checkNotifications(withStoredSecrets(req.body, before));
      const next: FabricConfig = { ...f, notifications: value };
      await ctx.store.putFabric(next);
      ctx.notifications?.configure(f.name, resolveNotificationSettings(value));
      const changed = [...new Set([...Object.keys(before), ...Object.keys(value)])]
        .filter((k) => JSON.stringify((before as Record<string, unknown>)[k]) !== JSON.stringify((value as Record<string, unknown>)[k]))
        .sort();
      await ctx.audit?.record({ who: who(req), action: 'notifications.update', fabric: f.name, details: { changed, settings: redactNotificationSettings(value) } });
      req.log.info({ fabric: f.name, changed }, 'notification settings changed');
      return view(value);
    },
  );

  app.post<{ Params: FabricParams; Body: Static<typeof TestBody> }>(
    '/api/v1/fabrics/:fabric/notifications/test',
    { schema: { tags, summary: 'Send a test message through one channel (admin)', params: FabricParams, body: TestBody, response: responses({ 200: DeliveryResultView }) } },
    async (req) => {
      const notify = requireNotify(ctx);
      const f = await requireFabric(ctx.store, req.params.fabric);
      const stored = f.notifications ?? {};
      const overrides = req.body.settings ? checkNotifications(withStoredSecrets(req.body.settings, stored)) : stored;
      const r = await notify.sendTest(f.name, req.body.channel, resolveNotificationSettings(overrides));
      await ctx.audit?.record({
        who: who(req),
        action: 'notifications.test',
        fabric: f.name,
        outcome: r.ok ? 'ok' : 'failed',
        details: { channel: r.channel, attempts: r.attempts, ...(r.ok ? {} : { error: r.error }), unsaved: Boolean(req.body.settings) },
      });
      return r;
    },
  );

  app.get<{ Params: FabricParams; Querystring: Static<typeof FailedQuery> }>(
    '/api/v1/fabrics/:fabric/notifications/failed',
    { schema: { tags, summary: 'Deliveries that failed after every retry, newest first', params: FabricParams, querystring: FailedQuery, response: responses({ 200: Type.Object({ items: Type.Array(FailedView) }) }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      const items = (await ctx.notifications?.listFailed({ fabric: req.params.fabric, channel: req.query.channel, limit: req.query.limit ?? 100 })) ?? [];
      return { items };
    },
  );

  app.get<{ Params: FabricParams }>(
    '/api/v1/fabrics/:fabric/notifications/stats',
    { schema: { tags, summary: 'Notification counters of a fabric, per channel', params: FabricParams, response: responses({ 200: passthrough('FabricNotifyStats: received, filtered, suppressed, digestPending, channels{sent, failed, retries, dropped, queued}') }) } },
    async (req) => {
      await requireFabric(ctx.store, req.params.fabric);
      return ctx.notifications?.stats(req.params.fabric) ?? { fabric: req.params.fabric, received: 0, filtered: 0, suppressed: 0, digestPending: 0, channels: {} };
    },
  );
}
