import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { authenticate, createUser, hashToken, login } from './auth.js';

let store: Store;
beforeAll(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  await createUser(store, 'alice', 'alice-password', 'viewer');
});
afterAll(async () => store.close());

async function rejection(p: Promise<unknown>): Promise<EptError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(EptError);
  return err as EptError;
}

describe('tokens', () => {
  it('are stored only as their sha256 and expire after the TTL', async () => {
    const now = 1_000_000;
    const r = await login(store, 'alice', 'alice-password', 60, now);
    expect(r).toMatchObject({ role: 'viewer', expiresTs: now + 60_000 });
    expect(await store.getToken(r.token)).toBeNull();
    expect(await store.getToken(hashToken(r.token))).toMatchObject({ username: 'alice' });
    expect(await authenticate(store, `Bearer ${r.token}`, now + 59_999)).toEqual({ username: 'alice', role: 'viewer', expiresTs: now + 60_000 });
    expect((await rejection(authenticate(store, `Bearer ${r.token}`, now + 60_000))).message).toBe('invalid or expired token');
  });

  it('reject malformed headers', async () => {
    for (const h of [undefined, '', 'Basic abc', 'Bearer']) {
      expect((await rejection(authenticate(store, h))).code).toBe('unauthorized');
    }
  });

  it('createUser refuses an existing name', async () => {
    expect((await rejection(createUser(store, 'alice', 'x'.repeat(8), 'admin'))).code).toBe('conflict');
  });
});
