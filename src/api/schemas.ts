// TypeBox schemas shared by the routes. They validate input and, as response schemas, decide
// exactly which fields leave the server (fast-json-stringify drops everything else, e.g. passwords).
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code (see EptError)' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse' },
);

/** Response map with the error body for the usual failure statuses. */
export function responses(ok: Record<number, TSchema>): Record<number, TSchema> {
  const err = Type.Ref('ErrorResponse');
  return { ...ok, 400: err, 401: err, 403: err, 404: err, 409: err, 500: err };
}

export const FabricParams = Type.Object({ fabric: Type.String({ pattern: NAME_PATTERN, description: 'fabric name' }) });
export type FabricParams = Static<typeof FabricParams>;

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'items per page (max 1000)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page' })),
};

export function page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

/** Objects passed through as they are (EndpointState, Finding): documented, not reshaped. */
export function passthrough(description: string) {
  return Type.Object({}, { additionalProperties: true, description });
}

export const LocationSchema = Type.Object({
  node: Type.Integer({ description: 'node id or vPC pseudo-node' }),
  ifId: Type.String(),
  encap: Type.String(),
  pcTag: Type.Integer(),
  rwMac: Type.String(),
  rwBd: Type.Integer(),
  ts: Type.Number(),
});

export const ApicInput = Type.Object(
  {
    urls: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 16 }),
    username: Type.String({ minLength: 1, maxLength: 256 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    verifyTls: Type.Boolean(),
    caFile: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type ApicInput = Static<typeof ApicInput>;

export const SettingsInput = Type.Object({}, { additionalProperties: true, description: 'setting name -> value; see GET /api/v1/settings/schema' });

export const FabricView = Type.Object({
  name: Type.String(),
  apic: Type.Object({
    urls: Type.Array(Type.String()),
    username: Type.String(),
    passwordSet: Type.Boolean(),
    verifyTls: Type.Boolean(),
    caFile: Type.Optional(Type.String()),
  }),
  settings: SettingsInput,
  autoStart: Type.Boolean(),
  simulated: Type.Boolean(),
  createdTs: Type.Number(),
  state: Type.String({ description: 'stopped | building | running | resyncing | error' }),
});
export type FabricView = Static<typeof FabricView>;

export const FabricStatusSchema = passthrough('FabricStatus: state, build progress per class, subscription health, rates');

export const EndpointSummary = Type.Object({
  fabric: Type.String(),
  vnid: Type.Integer(),
  addr: Type.String(),
  type: Type.String(),
  current: Type.Union([LocationSchema, Type.Null()]),
  flags: Type.Object({ offsubnet: Type.Array(Type.Integer()), stale: Type.Array(Type.Integer()), rapidUntil: Type.Number() }),
  deletedTs: Type.Number(),
  learnCount: Type.Integer({ description: 'nodes holding a learn now' }),
  ts: Type.Number(),
});

export const FindingItem = Type.Object({
  fabric: Type.String(),
  kind: Type.String(),
  vnid: Type.Integer(),
  addr: Type.String(),
  type: Type.String(),
  node: Type.Integer(),
  count: Type.Integer(),
  firstTs: Type.Number(),
  lastTs: Type.Number(),
  details: Type.Object({
    node: Type.Integer(),
    nodeName: Type.Optional(Type.String()),
    ifId: Type.Optional(Type.String()),
    encap: Type.Optional(Type.String()),
    pcTag: Type.Optional(Type.Integer()),
    epg: Type.Optional(Type.String()),
    mac: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    remote: Type.Optional(Type.Integer()),
    rate: Type.Optional(Type.Number()),
    from: Type.Optional(LocationSchema),
  }),
  last: passthrough('the latest Finding as recorded'),
});
