// Login, the caller's identity, and user management.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EptError } from '../../core/errors.js';
import type { ApiContext } from '../api-context.js';
import { createUser, login } from '../auth.js';
import type { LoginRateLimit } from '../login-rate-limit.js';
import { NAME_PATTERN, responses } from '../schemas.js';

const LoginBody = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
const LoginResult = Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), role: Type.String() });
const Me = Type.Object({ username: Type.String(), role: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });
const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('viewer')]);
const UserBody = Type.Object(
  { username: Type.String({ pattern: NAME_PATTERN }), password: Type.String({ minLength: 8, maxLength: 1024 }), role: RoleSchema },
  { additionalProperties: false },
);
const UserView = Type.Object({ username: Type.String(), role: Type.String() });

export function authRoutes(app: FastifyInstance, ctx: ApiContext, limiter: LoginRateLimit): void {
  const tags = ['auth'];

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/v1/auth/login',
    { config: { public: true }, schema: { tags, summary: 'Exchange username and password for a bearer token', body: LoginBody, response: responses({ 200: LoginResult, 429: Type.Ref('ErrorResponse') }) } },
    async (req, reply) => {
      const wait = limiter.hit(req.ip);
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        throw new EptError('rate_limited', `too many login attempts; retry in ${wait} s`);
      }
      const r = await login(ctx.store, req.body.username, req.body.password, ctx.tokenTtl);
      limiter.reset(req.ip);
      req.log.info({ user: req.body.username }, 'login');
      return { token: r.token, expiresAt: new Date(r.expiresTs).toISOString(), role: r.role };
    },
  );

  app.get('/api/v1/auth/me', { schema: { tags, summary: 'Who the token belongs to', response: responses({ 200: Me }) } }, async (req) => {
    const p = req.principal;
    if (!p) throw new EptError('unauthorized', 'not logged in');
    return { username: p.username, role: p.role, expiresAt: new Date(p.expiresTs).toISOString() };
  });

  app.post<{ Body: Static<typeof UserBody> }>(
    '/api/v1/users',
    { schema: { tags, summary: 'Create a user (admin)', body: UserBody, response: responses({ 201: UserView }) } },
    async (req, reply) => {
      await createUser(ctx.store, req.body.username, req.body.password, req.body.role);
      req.log.info({ user: req.body.username, role: req.body.role, by: req.principal?.username }, 'user created');
      return reply.status(201).send({ username: req.body.username, role: req.body.role });
    },
  );
}
