// The server side of the host agent through the real API (SQLite, Fastify inject): agent tokens,
// per-module report validation, resend on a seq gap, the host graph routes, ARP/ND observations
// through host-side tracking, and the fabric/host cross-view.
import { afterEach, describe, expect, it } from 'vitest';
import { FABRIC_BODY, bearer, endpoint, startHarness, type Harness } from './api-harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
async function harness(): Promise<Harness> {
  const h = await startHarness({ docs: false });
  open.push(h);
  return h;
}

async function agentToken(h: Harness, name = 'web1', site = 'dc1'): Promise<{ id: string; token: string }> {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/agents', headers: bearer(h.adminToken), payload: { name, site } });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; token: string };
}

const MAC_WEB = '02:00:00:00:01:01';
const MAC_DB = '02:00:00:00:02:01';

function documents(host: string, ip: string, mac: string, extra: Record<string, unknown> = {}) {
  return {
    host: { hash: `h-${host}`, body: { hostname: host, machineId: host, os: { name: 'debian', version: '12', kernel: '6.1' }, cpu: { model: 'x', cores: 2 }, memoryBytes: 1 << 30, bootTs: 1, agentVersion: '0.1' } },
    interfaces: {
      hash: `i-${host}`,
      body: { interfaces: [{ name: 'eth0', mac, mtu: 1500, operState: 'up', carrier: true, kind: 'ether', addresses: [{ addr: ip, prefixLen: 24, family: 'ipv4' }] }], gateways: [] },
    },
    switchLinks: {
      hash: `l-${host}`,
      body: { links: [{ iface: 'eth0', protocol: 'lldp', source: 'capture', chassisId: '00:11:22:33:44:55', portId: 'Ethernet1/5', systemName: 'leaf-101', mgmtAddresses: [], capabilities: ['bridge'], vlans: [], ttl: 120, lastSeenTs: 1 }] },
    },
    ...extra,
  };
}

function report(hostId: string, seq: number, docs: Record<string, unknown>, full = seq === 1) {
  return { hostId, seq, full, ts: 1_700_000_000_000 + seq, documents: docs };
}

describe('agent tokens', () => {
  it('issues, lists, uses and revokes a token; a user token or a wrong token gets 401', async () => {
    const h = await harness();
    const a = await agentToken(h);
    const list = await h.app.inject({ url: '/api/v1/agents', headers: bearer(h.adminToken) });
    expect(list.json()).toMatchObject({ items: [{ id: a.id, name: 'web1', site: 'dc1', hostId: null, revokedTs: null }] });
    expect(JSON.stringify(list.json())).not.toContain(a.token);
    const body = report('web1', 1, documents('web1', '10.0.0.10', MAC_WEB));
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload: body })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(h.adminToken), payload: body })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer('ept_agent_wrong'), payload: body })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', payload: body })).statusCode).toBe(401);
    // An agent token is not a user token either.
    expect((await h.app.inject({ url: '/api/v1/hosts', headers: bearer(a.token) })).statusCode).toBe(401);
    // Bound to its first host.
    const other = await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload: report('db1', 1, {}) });
    expect(other.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/agents/${a.id}`, headers: bearer(h.adminToken) })).statusCode).toBe(204);
    const after = await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload: report('web1', 2, {}) });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toMatch(/revoked/);
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/agents/nope', headers: bearer(h.adminToken) })).statusCode).toBe(404);
  });
});

describe('report ingest', () => {
  it('rejects a bad module with 400 naming the module and path, keeps the valid ones, asks to resend the bad one', async () => {
    const h = await harness();
    const a = await agentToken(h);
    const bad = { hash: 's1', body: { services: [{ proto: 'tcp', ip: '0.0.0.0', port: 70000, netns: 1 }] } };
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload: report('web1', 1, documents('web1', '10.0.0.10', MAC_WEB, { services: bad })) });
    expect(res.statusCode).toBe(400);
    const err = res.json().error as { code: string; message: string; details: { rejected: { module: string; path: string }[]; accepted: string[]; resend: string[] } };
    expect(err.code).toBe('bad_request');
    expect(err.message).toContain("module 'services'");
    expect(err.details.rejected).toEqual([expect.objectContaining({ module: 'services', path: '/documents/services/body/services/0/port' })]);
    expect(err.details.accepted.sort()).toEqual(['host', 'interfaces', 'switchLinks']);
    expect(err.details.resend).toEqual(['services']);
    const detail = (await h.app.inject({ url: '/api/v1/hosts/web1', headers: bearer(h.adminToken) })).json() as { modules: Record<string, unknown>; resend: string[] };
    expect(Object.keys(detail.modules).sort()).toEqual(['host', 'interfaces', 'switchLinks']);
    expect(detail.resend).toEqual(['services']);
    // A too-large body is refused before it is parsed.
    const huge = await h.app.inject({ method: 'POST', url: '/api/v1/agent/observations', headers: { ...bearer(a.token), 'content-type': 'application/json' }, payload: `{"hostId":"web1","observations":[${'1,'.repeat(1_100_000)}1]}` });
    expect(huge.statusCode).toBe(413);
  });

  it('asks for every module after a seq gap, and keeps a change history per module', async () => {
    const h = await harness();
    const a = await agentToken(h);
    const post = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload });
    expect((await post(report('web1', 1, documents('web1', '10.0.0.10', MAC_WEB)))).json()).toEqual({ accepted: ['host', 'interfaces', 'switchLinks'], resend: [] });
    const next = documents('web1', '10.0.0.11', MAC_WEB);
    expect((await post(report('web1', 2, { interfaces: next.interfaces }))).json()).toEqual({ accepted: ['interfaces'], resend: [] });
    const gap = (await post(report('web1', 5, { host: next.host }))).json() as { resend: string[] };
    expect(gap.resend).toEqual(['capabilities', 'dependencies', 'interfaces', 'neighbours', 'services', 'switchLinks']);
    const d = (await h.app.inject({ url: '/api/v1/hosts/web1', headers: bearer(h.adminToken) })).json() as { modules: { interfaces: { history: { body: { interfaces: { addresses: { addr: string }[] }[] } }[] } } };
    expect(d.modules.interfaces.history.map((v) => v.body.interfaces[0]?.addresses[0]?.addr)).toEqual(['10.0.0.11', '10.0.0.10']);
  });
});

describe('host graph routes', () => {
  it('derives hosts, topology, services and dependencies from the latest documents', async () => {
    const h = await harness();
    const web = await agentToken(h, 'web1');
    const db = await agentToken(h, 'db1');
    const svc = { hash: 's', body: { services: [{ proto: 'tcp', ip: '0.0.0.0', port: 5432, netns: 1, pid: 7, exe: '/usr/bin/postgres' }] } };
    const dep = { hash: 'd', body: { connections: [{ proto: 'tcp', localIp: '10.0.0.10', localPort: 40000, remoteIp: '10.0.0.20', remotePort: 5432, netns: 1, pid: 9, exe: '/usr/bin/python3' }] } };
    await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(db.token), payload: report('db1', 1, documents('db1', '10.0.0.20', MAC_DB, { services: svc })) });
    await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(web.token), payload: report('web1', 1, documents('web1', '10.0.0.10', MAC_WEB, { dependencies: dep })) });
    const get = async (url: string) => (await h.app.inject({ url, headers: bearer(h.adminToken) })).json() as Record<string, unknown>;
    expect(((await get('/api/v1/hosts')).items as { hostId: string; hostname: string }[]).map((x) => x.hostname)).toEqual(['db1', 'web1']);
    const topo = (await get('/api/v1/topology')) as { switches: unknown[]; links: unknown[] };
    expect(topo.switches).toEqual([{ name: 'leaf-101', ports: ['Ethernet1/5'] }]);
    expect(topo.links).toHaveLength(2);
    const services = (await get('/api/v1/services?port=5432')).items as { hostId: string; clients: { hostId: string; exe: string }[] }[];
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({ hostId: 'db1', exe: '/usr/bin/postgres', clients: [{ hostId: 'web1', exe: '/usr/bin/python3' }] });
    expect((await get('/api/v1/services?process=nginx')).items).toEqual([]);
    const deps = (await get('/api/v1/dependencies?server=db1')).items as { client: { hostId: string }; server: { hostId: string; exe: string } }[];
    expect(deps).toEqual([expect.objectContaining({ client: expect.objectContaining({ hostId: 'web1' }), server: expect.objectContaining({ hostId: 'db1', port: 5432, exe: '/usr/bin/postgres' }) })]);
    expect((await get('/api/v1/dependencies?client=db1')).items).toEqual([]);
  });
});

describe('host-side tracking of agent observations', () => {
  it('reports new station, changes, flip flop and bogons against the interface subnets, and lists them', async () => {
    const h = await harness();
    const a = await agentToken(h);
    await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload: report('web1', 1, documents('web1', '10.0.0.10', MAC_WEB)) });
    const ob = (ts: number, ip: string, mac: string) => ({ ts, iface: 'eth0', kind: 'arp', ip, mac });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/observations',
      headers: bearer(a.token),
      payload: { hostId: 'web1', observations: [ob(1, '10.0.0.1', '02:aa:00:00:00:01'), ob(2, '10.0.0.1', '02:aa:00:00:00:02'), ob(3, '10.0.0.1', '02:aa:00:00:00:01'), ob(4, '192.168.9.9', '02:aa:00:00:00:09')] },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { findings: { kind: string }[] }).findings.map((f) => f.kind)).toEqual(['new_station', 'changed_ethernet_address', 'flip_flop', 'bogon']);
    // The state survives: the same MAC again is nothing new; a third MAC is a change.
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/agent/observations', headers: bearer(a.token), payload: { hostId: 'web1', observations: [ob(5, '10.0.0.1', '02:aa:00:00:00:01'), ob(6, '10.0.0.1', '02:aa:00:00:00:03')] } });
    expect((again.json() as { findings: { kind: string; previousMac: string }[] }).findings).toEqual([expect.objectContaining({ kind: 'changed_ethernet_address', previousMac: '02:aa:00:00:00:01', hostId: 'web1', iface: 'eth0' })]);
    const list = (await h.app.inject({ url: '/api/v1/sites/dc1/findings?ip=10.0.0.1', headers: bearer(h.adminToken) })).json() as { items: { kind: string }[] };
    expect(list.items.map((f) => f.kind)).toEqual(['changed_ethernet_address', 'flip_flop', 'changed_ethernet_address', 'new_station']);
    expect(await h.store.hosts.loadIpTracks('dc1')).toHaveLength(2);
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/agent/observations', headers: bearer(a.token), payload: { hostId: 'web1', observations: [{ ts: 1, iface: 'eth0', kind: 'arp', ip: '10.0.0.1', mac: 'not-a-mac' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('/observations/0/mac');
  });
});

describe('cross-view', () => {
  it('shows the owning host, its LLDP port and the fabric learn, and records a disagreement as host_mismatch', async () => {
    const h = await harness();
    await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: FABRIC_BODY });
    await h.store.saveFabricObjects('fab1', [
      { cls: 'fabricNode', dn: 'topology/pod-1/node-101', attrs: { name: 'leaf-101', role: 'leaf', id: '101' } },
      { cls: 'fabricNode', dn: 'topology/pod-1/node-102', attrs: { name: 'leaf-102', role: 'leaf', id: '102' } },
    ]);
    // The fabric learned web1's MAC on leaf-101 eth1/5 (agrees with LLDP) and db1's on leaf-102 eth1/7 (LLDP says leaf-101 Ethernet1/5).
    const web = endpoint('fab1', 15_000_001, MAC_WEB, 101);
    web.current = { ...(web.current as NonNullable<typeof web.current>), ifId: 'eth1/5' };
    const db = endpoint('fab1', 15_000_001, MAC_DB, 102);
    db.current = { ...(db.current as NonNullable<typeof db.current>), ifId: 'eth1/7' };
    await h.store.writeBatch({ endpoints: [web, db], history: [], findings: [], historyCap: 8, findingCap: 8 });
    for (const [name, ip, mac] of [['web1', '10.0.0.10', MAC_WEB], ['db1', '10.0.0.20', MAC_DB]] as const) {
      const a = await agentToken(h, name);
      await h.app.inject({ method: 'POST', url: '/api/v1/agent/report', headers: bearer(a.token), payload: report(name, 1, documents(name, ip, mac)) });
    }
    const ok = (await h.app.inject({ url: `/api/v1/endpoints/${MAC_WEB}/hosts`, headers: bearer(h.adminToken) })).json() as { hosts: unknown[]; fabric: unknown[]; mismatches: unknown[] };
    expect(ok.hosts).toEqual([expect.objectContaining({ hostId: 'web1', switchName: 'leaf-101', portId: 'Ethernet1/5' })]);
    expect(ok.fabric).toEqual([expect.objectContaining({ fabric: 'fab1', node: 101, nodeName: 'leaf-101', ifId: 'eth1/5' })]);
    expect(ok.mismatches).toEqual([]);
    const bad = (await h.app.inject({ url: `/api/v1/endpoints/${MAC_DB}/hosts`, headers: bearer(h.adminToken) })).json() as { mismatches: { kind: string; detail: Record<string, unknown> }[] };
    expect(bad.mismatches).toEqual([expect.objectContaining({ kind: 'host_mismatch', hostId: 'db1', detail: expect.objectContaining({ fabricNodeName: 'leaf-102', fabricInterface: 'eth1/7', lldpSwitch: 'leaf-101', lldpPort: 'Ethernet1/5' }) })]);
    await h.app.inject({ url: `/api/v1/endpoints/${MAC_DB}/hosts`, headers: bearer(h.adminToken) });
    const stored = (await h.app.inject({ url: '/api/v1/sites/dc1/findings?kind=host_mismatch', headers: bearer(h.adminToken) })).json() as { items: unknown[] };
    expect(stored.items).toHaveLength(1);
  });
});
