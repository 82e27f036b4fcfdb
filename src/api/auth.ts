// Users, tokens and the request authentication hook. Tokens are random 32 bytes handed out once and
// stored only as their sha256, so a copy of the store does not grant access.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { EptError } from '../core/errors.js';
import type { Store, UserRecord } from '../store/store.js';
import { dummyPasswordHash, generatePassword, hashPassword, verifyPassword } from './passwords.js';

export type Role = UserRecord['role'];

/** Who is making a request. */
export interface Principal {
  username: string;
  role: Role;
  expiresTs: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a token (login, OpenAPI document). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Options of ensureAdmin. */
export interface EnsureAdminOptions {
  /** EPT_ADMIN_PASSWORD; when absent a strong password is generated. */
  password?: string;
  logger: Logger;
}

/**
 * On first start (no users), creates user "admin". Returns the generated password when one was
 * made, so the server can print it once; it is never logged or stored in clear.
 */
export async function ensureAdmin(store: Store, opts: EnsureAdminOptions): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await store.countUsers()) > 0) return { created: false };
  const generated = opts.password === undefined ? generatePassword() : undefined;
  const password = opts.password ?? (generated as string);
  await store.putUser({ username: 'admin', role: 'admin', passwordHash: await hashPassword(password) });
  opts.logger.info({ generated: generated !== undefined }, 'created the first admin user "admin"');
  return generated === undefined ? { created: true } : { created: true, generatedPassword: generated };
}

/** Creates a user; conflict when the name is taken. */
export async function createUser(store: Store, username: string, password: string, role: Role): Promise<void> {
  if (await store.getUser(username)) throw new EptError('conflict', `user '${username}' already exists`);
  await store.putUser({ username, role, passwordHash: await hashPassword(password) });
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Checks credentials and issues a token valid for ttlSeconds. */
export async function login(store: Store, username: string, password: string, ttlSeconds: number, now = Date.now()): Promise<{ token: string; expiresTs: number; role: Role }> {
  const user = await store.getUser(username);
  // Verify against a dummy hash for unknown users so response time does not reveal which names exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) throw new EptError('unauthorized', 'wrong username or password');
  const token = randomBytes(32).toString('base64url');
  const expiresTs = now + ttlSeconds * 1000;
  await store.putToken({ tokenHash: hashToken(token), username, expiresTs });
  await store.deleteExpiredTokens(now);
  return { token, expiresTs, role: user.role };
}

/** Resolves an Authorization header to a principal, or throws unauthorized. */
export async function authenticate(store: Store, header: string | undefined, now = Date.now()): Promise<Principal> {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw new EptError('unauthorized', 'missing "Authorization: Bearer <token>" header');
  // The lookup is by sha256 of the token, so comparing stored hashes leaks nothing about the token.
  const rec = await store.getToken(hashToken(m[1] as string));
  if (!rec || rec.expiresTs <= now) throw new EptError('unauthorized', 'invalid or expired token');
  const user = await store.getUser(rec.username);
  if (!user) throw new EptError('unauthorized', 'the token\'s user no longer exists');
  return { username: user.username, role: user.role, expiresTs: rec.expiresTs };
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Requires a token on every /api/v1 route not marked public, and the admin role for writes. */
export function installAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Decide on the matched route template, not the raw URL, so no spelling of a path slips past.
    // Unmatched requests (no template) answer 404 and reveal nothing.
    const route = request.routeOptions.url;
    if (!route?.startsWith('/api/v1/')) return;
    if (request.routeOptions.config.public === true || route.startsWith('/api/v1/docs')) return;
    request.principal = await authenticate(store, request.headers.authorization);
    if (!READ_METHODS.has(request.method) && request.principal.role !== 'admin') {
      throw new EptError('forbidden', `role '${request.principal.role}' may not ${request.method} ${request.routeOptions.url ?? request.url}`);
    }
  });
}
