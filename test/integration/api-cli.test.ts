// The CLI's client commands against the real API listening on 127.0.0.1.
import { runCliAgainst, type CliRun } from '../support/run-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, endpoint, startHarness, type Harness } from './api-harness.js';

let h: Harness;
let server: string;
let token: string;

function ept(...argv: string[]): Promise<CliRun> {
  return runCliAgainst(server, token, argv);
}

beforeAll(async () => {
  h = await startHarness();
  server = await h.app.listen({ host: '127.0.0.1', port: 0 });
  token = h.adminToken;
});
afterAll(async () => h.close());

describe('ept client commands', () => {
  it('login prints a token that works', async () => {
    const r = await ept('--user', 'admin', '--password', ADMIN_PASSWORD, 'login');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bad = await ept('--user', 'admin', '--password', 'wrong', 'login');
    expect(bad).toMatchObject({ code: 1, err: 'ept: unauthorized: wrong username or password' });
  });

  it('adds, lists, shows, configures, starts and deletes a fabric', async () => {
    const add = await ept('fabric', 'add', 'lab', '--apic', 'https://apic1.lab.test', '--apic', 'https://apic2.lab.test', '--apic-user', 'ept', '--apic-password', 'secret-x', '--no-verify-tls', '--no-auto-start', '--set', 'stale_delay=90');
    expect(add.code, add.err).toBe(0);
    expect(add.out).not.toContain('secret-x');
    const stored = await h.store.getFabric('lab');
    expect(stored).toMatchObject({ apic: { urls: ['https://apic1.lab.test', 'https://apic2.lab.test'], password: 'secret-x', verifyTls: false }, autoStart: false, settings: { stale_delay: 90 } });

    const list = await ept('--json', 'fabric', 'list');
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'lab', state: 'stopped' })]);
    expect((await ept('fabric', 'show', 'lab')).out).toMatch(/password\s*│\s*set/);

    const set = await ept('fabric', 'settings', 'lab', '--set', 'analyze_move=false', '--set', 'stale_delay=null');
    expect(set.code, set.err).toBe(0);
    expect(set.out).toMatch(/analyze_move\s*│\s*false\s*│\s*true\s*│\s*yes/);
    expect((await h.store.getFabric('lab'))?.settings).toEqual({ analyze_move: false });
    const bad = await ept('fabric', 'settings', 'lab', '--set', 'rapid_threshold=5');
    expect(bad).toMatchObject({ code: 1, err: 'ept: bad_request: invalid settings: rapid_threshold: must be between 512 and 65536' });

    const start = await ept('fabric', 'start', 'lab', '--wait');
    expect(start.code, start.err).toBe(0);
    expect(start.out).toMatch(/state\s*│\s*running/);
    const status = await ept('status');
    expect(status.out).toContain(`server ${server}: ok`);
    expect(status.out).toMatch(/lab\s*│\s*running/);

    const del = await ept('fabric', 'delete', 'lab');
    expect(del.out).toBe("fabric 'lab' deleted");
    expect(await ept('fabric', 'show', 'lab')).toMatchObject({ code: 1, err: "ept: not_found: fabric 'lab' does not exist" });
  });

  it('lists, shows and searches endpoints', async () => {
    await ept('fabric', 'add', 'dc1', '--apic', 'https://apic.dc1.test', '--apic-user', 'u', '--apic-password', 'p', '--no-auto-start');
    await h.store.writeBatch({ endpoints: [endpoint('dc1', 15000001, '00:50:56:aa:bb:01'), endpoint('dc1', 2000001, '2001:db8::5')], history: [], findings: [], historyCap: 64, findingCap: 64 });
    const list = await ept('endpoint', 'list', 'dc1', '--search', '0050.56aa.bb01');
    expect(list.out).toContain('00:50:56:aa:bb:01');
    expect(list.out).not.toContain('2001:db8::5');
    const show = await ept('endpoint', 'show', 'dc1', '2000001', '2001:DB8::5');
    expect(show.code, show.err).toBe(0);
    expect(show.out).toContain('2001:db8::5 (ipv6)');
    const search = await ept('--json', 'search', '00-50-56-AA-BB');
    expect(JSON.parse(search.out).items.map((e: { addr: string }) => e.addr)).toEqual(['00:50:56:aa:bb:01']);
    expect((await ept('moves', 'dc1')).out).toBe('no move records');
    expect((await ept('endpoint', 'history', 'dc1', '15000001', '00:50:56:aa:bb:01')).out).toBe('no history');
  });

  it('viewers cannot write through the CLI either', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${token}` }, payload: { username: 'ro', password: 'read-only-pw', role: 'viewer' } });
    const r = await ept('--user', 'ro', '--password', 'read-only-pw', 'fabric', 'delete', 'dc1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^ept: forbidden: role 'viewer' may not DELETE/);
  });
});
