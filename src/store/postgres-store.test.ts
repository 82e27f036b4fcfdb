// Runs the Store contract against PostgreSQL when it is reachable (always in CI); each store gets
// its own schema, dropped after the run.
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from './postgres-store.js';
import { runStoreContract } from './store-contract.js';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `ept_test_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

async function probe(): Promise<string | null> {
  const c = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await c.end().catch(() => undefined);
  }
}

const unreachable = await probe();

afterAll(async () => {
  if (unreachable || schemas.length === 0) return;
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
});

function newStore(): Promise<PostgresStore> {
  const schema = `${RUN}_${schemas.length}`;
  schemas.push(schema);
  return openPostgresStore({ connectionString: URL, schema, poolSize: 2 });
}

if (unreachable) {
  describe('Store contract: postgres', () => {
    it.skip(`skipped: PostgreSQL unreachable at ${URL}: ${unreachable}`, () => undefined);
  });
} else {
  const bySchema = new WeakMap<object, string>();
  runStoreContract(
    'postgres',
    async () => {
      const s = await newStore();
      bySchema.set(s, schemas.at(-1) as string);
      return s;
    },
    {
      reopen: async (store) => {
        const schema = bySchema.get(store) as string;
        await store.close();
        return openPostgresStore({ connectionString: URL, schema, poolSize: 2 });
      },
    },
  );

  describe('openPostgresStore', () => {
    it('reports an unreachable server as store_error without the password', async () => {
      const err = await openPostgresStore({ connectionString: 'postgres://u:hunter2@127.0.0.1:1/x', schema: 'ept' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'store_error' });
      expect((err as Error).message).toContain('127.0.0.1:1');
      expect((err as Error).message).not.toContain('hunter2');
    });

    it('rejects a schema name that is not a plain identifier', async () => {
      await expect(openPostgresStore({ connectionString: URL, schema: 'x; DROP TABLE y' })).rejects.toMatchObject({ code: 'config_invalid' });
    });

    it('migrates an existing schema only once', async () => {
      const a = await newStore();
      await a.close();
      const schema = schemas.at(-1) as string;
      const b = await openPostgresStore({ connectionString: URL, schema });
      await b.close();
      const c = new pg.Client({ connectionString: URL });
      await c.connect();
      const r = await c.query(`SELECT version FROM ${schema}.schema_version ORDER BY version`);
      await c.end();
      expect(r.rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })));
    });
  });
}
