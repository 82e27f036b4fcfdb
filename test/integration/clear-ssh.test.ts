// The APIC SSH remediator against ssh2's own SERVER side, started here: one server plays the APIC
// (password login, direct-tcpip forwarding to leaf TEPs) and one plays the leafs (password login,
// exec). They record what they receive and can fail: wrong password, command error, a hang, an
// unreachable TEP.
import { generateKeyPairSync } from 'node:crypto';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Server, type Connection } from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FabricTables } from '../../src/core/fabric-tables.js';
import { ApicSshRemediator } from '../../src/remediate/apic-ssh-remediator.js';
import { EndpointClearer } from '../../src/remediate/endpoint-clearer.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { endpoint, learn } from './api-harness.js';

const logger = pino({ level: 'silent' });
const hostKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const USER = 'ept-admin';
const PASS = 'ssh-pass-1';
const VRF = 2949120;
const BD = 15925206;
/** TEPs of the leafs; the fake APIC forwards these (port 22) to the leaf server. */
const TEPS: Record<number, string> = { 101: '10.0.72.64', 102: '10.0.72.65', 103: '10.0.72.66' };

type LeafMode = 'ok' | 'error' | 'hang';
const seen = { apicLogins: [] as string[], forwards: [] as string[], commands: [] as { user: string; command: string }[] };
let leafMode: LeafMode = 'ok';

function auth(c: Connection, who: string[]): void {
  c.on('authentication', (ctx) => {
    if (ctx.method === 'password' && ctx.username === USER && ctx.password === PASS) {
      who.push(ctx.username);
      ctx.accept();
    } else ctx.reject(['password']);
  });
}

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

let leafPort = 0;
let apicPort = 0;
let leafServer: Server;
let apicServer: Server;

beforeAll(async () => {
  leafServer = new Server({ hostKeys: [hostKey] }, (c) => {
    const users: string[] = [];
    auth(c, users);
    c.on('error', () => undefined);
    c.on('ready', () =>
      c.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const ch = acceptExec();
          seen.commands.push({ user: users[0] ?? '', command: info.command });
          if (leafMode === 'hang') return;
          if (leafMode === 'error') {
            ch.stderr.write('% Invalid command at \'^\' marker.\n');
            ch.exit(1);
          } else {
            ch.write('Cleared 1 endpoint(s)\n');
            ch.exit(0);
          }
          ch.end();
        });
      }),
    );
  });
  leafPort = await listen(leafServer);
  apicServer = new Server({ hostKeys: [hostKey] }, (c) => {
    auth(c, seen.apicLogins);
    c.on('error', () => undefined);
    c.on('tcpip', (accept, reject, info) => {
      seen.forwards.push(`${info.destIP}:${info.destPort}`);
      if (!Object.values(TEPS).includes(info.destIP) || info.destPort !== 22) return reject();
      const ch = accept();
      const sock = netConnect(leafPort, '127.0.0.1');
      sock.on('error', () => ch.close());
      ch.on('error', () => sock.destroy());
      ch.pipe(sock).pipe(ch);
    });
  });
  apicPort = await listen(apicServer);
});

afterAll(async () => {
  await new Promise<void>((r) => leafServer.close(() => r()));
  await new Promise<void>((r) => apicServer.close(() => r()));
});

function tables(): FabricTables {
  const t = new FabricTables();
  for (const id of [101, 102, 103]) {
    t.apply('fabricNode', { dn: `topology/pod-1/node-${id}`, name: `leaf${id}`, role: 'leaf', fabricSt: 'active' });
    t.apply('topSystem', { dn: `topology/pod-1/node-${id}/sys`, address: TEPS[id] ?? '', state: 'in-service' });
  }
  t.apply('fvCtx', { dn: 'uni/tn-acme/ctx-prod', scope: String(VRF) });
  t.apply('fvBD', { dn: 'uni/tn-acme/BD-web', seg: String(BD), scope: String(VRF) });
  return t;
}

function remediator(o: { password?: string; timeoutMs?: number; apics?: string[] } = {}): ApicSshRemediator {
  return new ApicSshRemediator({ apics: o.apics ?? ['127.0.0.1'], port: apicPort, username: USER, password: o.password ?? PASS, timeoutMs: o.timeoutMs ?? 5000, logger });
}

let store: Store;
beforeEach(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  leafMode = 'ok';
  seen.apicLogins.length = 0;
  seen.forwards.length = 0;
  seen.commands.length = 0;
  return () => store.close();
});

function clearer(rem: ApicSshRemediator): EndpointClearer {
  const ip = endpoint('fab1', VRF, '10.1.1.5', 101, {
    learns: [learn(101), learn(103, { flags: ['ip'], ifId: 'tunnel7', remote: 102, encap: '' })],
    flags: { offsubnet: [], stale: [103], rapidUntil: 0 },
  });
  const mac = endpoint('fab1', BD, 'aa:bb:cc:00:00:01', 102, { learns: [learn(102, { encap: 'vlan-100' }), learn(101, { encap: 'vlan-100' })] });
  const states = [ip, mac];
  return new EndpointClearer({
    store,
    logger,
    state: async (_f, vnid, addr) => states.find((s) => s.vnid === vnid && s.addr === addr) ?? null,
    tables: () => tables(),
    remediator: async () => rem,
  });
}

describe('clearing over SSH through the APIC to the leaf TEP', () => {
  it('clears a stale IP on its node: APIC login, forward to the leaf TEP, the epm command, output recorded', async () => {
    const rec = await clearer(remediator()).clear({ fabric: 'fab1', vnid: VRF, addr: '10.1.1.5', nodes: 'all-stale', reason: 'stale remote learn', who: 'alice' });
    expect(seen.apicLogins).toEqual([USER]);
    expect(seen.forwards).toEqual(['10.0.72.66:22']);
    expect(seen.commands).toEqual([{ user: USER, command: 'clear system internal epm endpoint key vrf acme:prod ip 10.1.1.5' }]);
    expect(rec).toMatchObject({ fabric: 'fab1', nodes: [103], who: 'alice', reason: 'stale remote learn', dryRun: false, outcome: 'ok' });
    expect(rec.results).toEqual([{ node: 103, command: 'clear system internal epm endpoint key vrf acme:prod ip 10.1.1.5', ok: true, output: 'Cleared 1 endpoint(s)\n' }]);
    expect((await store.listClears('fab1', { limit: 10 })).items).toEqual([rec]);
  });

  it('clears a MAC by its VLAN on each listed node (a vPC pseudo-node is both members)', async () => {
    const vpc = 102 * 65536 + 101;
    const rec = await clearer(remediator()).clear({ fabric: 'fab1', vnid: BD, addr: 'aa:bb:cc:00:00:01', nodes: [vpc], reason: 'test', who: 'alice' });
    expect(rec.nodes).toEqual([102, 101]);
    expect(seen.commands.map((c) => c.command)).toEqual([
      'clear system internal epm endpoint key vlan 100 mac aabb.cc00.0001',
      'clear system internal epm endpoint key vlan 100 mac aabb.cc00.0001',
    ]);
    expect(seen.forwards.sort()).toEqual(['10.0.72.64:22', '10.0.72.65:22']);
    expect(rec.outcome).toBe('ok');
  });

  it('records an authentication failure at the APIC, with nothing sent to the leaf', async () => {
    const rec = await clearer(remediator({ password: 'wrong' })).clear({ fabric: 'fab1', vnid: VRF, addr: '10.1.1.5', nodes: [103], reason: 'r', who: 'alice' });
    expect(rec.outcome).toBe('failed');
    expect(rec.results[0]?.error).toMatch(/APIC 127\.0\.0\.1: authentication failed for user ept-admin/);
    expect(seen.commands).toEqual([]);
  });

  it('fails over to the next APIC when the first does not answer', async () => {
    const rec = await clearer(remediator({ apics: ['127.0.0.2', '127.0.0.1'], timeoutMs: 3000 })).clear({ fabric: 'fab1', vnid: VRF, addr: '10.1.1.5', nodes: [103], reason: 'r', who: 'alice' });
    expect(rec.outcome).toBe('ok');
  });

  it('records a command error with its output and exit status', async () => {
    leafMode = 'error';
    const rec = await clearer(remediator()).clear({ fabric: 'fab1', vnid: VRF, addr: '10.1.1.5', nodes: [103], reason: 'r', who: 'alice' });
    expect(rec.outcome).toBe('failed');
    expect(rec.results[0]).toMatchObject({ ok: false, output: "% Invalid command at '^' marker.\n", error: 'command exited with status 1' });
  });

  it('gives up on a leaf that does not answer after the timeout', async () => {
    leafMode = 'hang';
    const t0 = Date.now();
    const rec = await clearer(remediator({ timeoutMs: 600 })).clear({ fabric: 'fab1', vnid: VRF, addr: '10.1.1.5', nodes: [103], reason: 'r', who: 'alice' });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(rec.results[0]).toMatchObject({ ok: false, error: 'timed out after 600 ms' });
  });

  it('records a node the APIC cannot reach, and a node the tables do not know, per node (partial)', async () => {
    const t = tables();
    t.apply('topSystem', { dn: 'topology/pod-1/node-102/sys', address: '10.9.9.9', state: 'in-service' });
    const c = new EndpointClearer({
      store,
      logger,
      state: async () => endpoint('fab1', VRF, '10.1.1.5', 101),
      tables: () => t,
      remediator: async () => remediator(),
    });
    const rec = await c.clear({ fabric: 'fab1', vnid: VRF, addr: '10.1.1.5', nodes: [101, 102, 999], reason: 'r', who: 'alice' });
    expect(rec.outcome).toBe('partial');
    expect(rec.results.map((r) => [r.node, r.ok])).toEqual([
      [101, true],
      [102, false],
      [999, false],
    ]);
    expect(rec.results[1]?.error).toMatch(/cannot reach 10\.9\.9\.9:22 from the APIC/);
    expect(rec.results[2]?.error).toBe('node 999 is not a node of fabric fab1');
  });
});
