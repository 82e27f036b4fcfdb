// Server-level smoke: `ept server` as composed by startServer (temp data dir, demo fabric on the
// built-in simulator, a free port), driven over real HTTP and through the CLI in-process.
import { runCliAgainst, type CliRun } from '../support/run-cli.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../src/main/server.js';
import { tempDir } from '../support/fabric-e2e.js';

const PASSWORD = 'smoke-admin-pw-1';
const tmp = tempDir('ept-server-');
let server: RunningServer;
let token: string;

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
  return { status: res.status, body: (await res.json()) as T };
}

function ept(...argv: string[]): Promise<CliRun> {
  return runCliAgainst(server.url, token, argv);
}

beforeAll(async () => {
  server = await startServer({
    dataDir: tmp.dir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    demo: true,
    adminPassword: PASSWORD,
    tokenTtl: 3600,
    partitions: 2,
    batchSize: 5000,
    queueCapacity: 50_000,
  });
});
afterAll(async () => {
  await server?.close();
  tmp.remove();
});

interface Status {
  state: string;
  simulated: boolean;
  eventsProcessed: number;
  lastError: unknown;
}
interface EndpointItem {
  fabric: string;
  vnid: number;
  addr: string;
  type: string;
}

describe('ept server with the demo fabric', () => {
  it('logs in, builds the demo fabric and lists its endpoints over HTTP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const bad = await api<{ error?: unknown }>('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username: 'admin', password: 'wrong' }) });
    expect(bad.status).toBe(401);
    const login = await api<{ token: string }>('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    expect(login.status).toBe(200);
    token = login.body.token;

    await vi.waitFor(
      async () => {
        const st = await api<Status>('/api/v1/fabrics/demo/status');
        expect(st.status).toBe(200);
        expect(st.body).toMatchObject({ state: 'running', simulated: true });
      },
      { timeout: 20_000, interval: 100 },
    );
    const eps = await api<{ items: EndpointItem[]; nextCursor: string | null }>('/api/v1/fabrics/demo/endpoints?limit=50');
    expect(eps.status).toBe(200);
    expect(eps.body.items).toHaveLength(50);
    expect(eps.body.nextCursor).not.toBeNull();
    expect(eps.body.items.every((e) => e.fabric === 'demo')).toBe(true);
  });

  it('the CLI against the same server: fabric list, endpoint list, search', async () => {
    const list = await ept('fabric', 'list', '--json');
    expect(list.code, list.err).toBe(0);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'demo', state: 'running', simulated: true })]);

    const eps = await ept('endpoint', 'list', 'demo', '--json', '--limit', '20');
    expect(eps.code, eps.err).toBe(0);
    const page = JSON.parse(eps.out) as { items: EndpointItem[] };
    expect(page.items).toHaveLength(20);
    const mac = page.items.find((e) => e.type === 'mac');
    expect(mac).toBeDefined();

    // Search by a MAC prefix in another spelling (upper case, dashes) finds it.
    const prefix = (mac?.addr ?? '').slice(0, 14).toUpperCase().replaceAll(':', '-');
    const found = await ept('search', prefix, '--json');
    expect(found.code, found.err).toBe(0);
    expect((JSON.parse(found.out) as { items: EndpointItem[] }).items.map((e) => e.addr)).toContain(mac?.addr);

    const table = await ept('endpoint', 'list', 'demo', '--limit', '5');
    expect(table.code, table.err).toBe(0);
    expect(table.out).toContain(page.items[0]?.addr ?? 'none');

    const noToken = await runCliAgainst(server.url, 'not-a-token', ['fabric', 'list']);
    expect(noToken.code).toBe(1);
  });
});
