import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { runStoreContract } from './store-contract.js';
import { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'ept-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreContract('sqlite in memory', () => openSqliteStore({ path: ':memory:' }));

runStoreContract('sqlite file', () => openSqliteStore({ path: join(dir, `run-${n++}`, 'ept.db') }), {
  reopen: async (store) => {
    const file = (store as SqliteStore).file;
    await store.close();
    return openSqliteStore({ path: file });
  },
});

describe('openSqliteStore', () => {
  it('uses WAL and records the schema version', async () => {
    const store = await openSqliteStore({ path: join(dir, 'wal', 'ept.db') });
    await store.close();
    const again = await openSqliteStore({ path: join(dir, 'wal', 'ept.db') });
    await again.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'wal', 'ept.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
    expect(migrateSqlite(db)).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it('names the file and the reason when the file is not a database', async () => {
    const file = join(dir, 'corrupt.db');
    writeFileSync(file, 'this is not a database, just some text that is long enough to fill a header'.repeat(100));
    const err = await openSqliteStore({ path: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EptError);
    expect(err).toMatchObject({ code: 'store_error' });
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/not a database/);
  });

  it('names the file when its directory cannot be created', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a directory should be');
    const err = await openSqliteStore({ path: join(blocker, 'sub', 'ept.db') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store_error' });
    expect((err as Error).message).toContain(join(blocker, 'sub', 'ept.db'));
  });

  it.skipIf(process.getuid?.() === 0)('names the file when the directory is read-only', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const err = await openSqliteStore({ path: join(ro, 'ept.db') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store_error' });
    chmodSync(ro, 0o700);
  });

  it('refuses a database written by a newer schema', async () => {
    const file = join(dir, 'newer.db');
    const store = await openSqliteStore({ path: file });
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version VALUES (999, ?, 0)').run('future');
    db.close();
    await expect(openSqliteStore({ path: file })).rejects.toThrow(/schema version 999 is newer/);
  });

  it('turns driver failures after open into store_error naming the file', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.close();
    await expect(store.getUser('x')).rejects.toMatchObject({ code: 'store_error', message: expect.stringContaining(':memory:') });
  });
});
