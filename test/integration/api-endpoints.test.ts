// API in-process: endpoints, history, findings, search and pagination over a real SQLite store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointState, Finding, HistoryEvent } from '../../src/core/types.js';
import { FABRIC_BODY, bearer, endpoint, learn, location, startHarness, type Harness } from './api-harness.js';

const BD = 15_000_001;
const VRF = 2_000_001;
const MAC1 = '00:50:56:aa:bb:01';

let h: Harness;

function mac(i: number): string {
  return `00:50:56:aa:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
}

function history(addr: string, vnid: number, seq: number, ifId: string): HistoryEvent {
  return { fabric: 'fab1', vnid, addr, node: 101, status: 'created', ts: 1000 + seq, flags: ['local'], ifId, encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, remote: 0, seq };
}

async function seed(): Promise<void> {
  for (const name of ['fab1', 'fab2']) {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/fabrics', headers: bearer(h.adminToken), payload: { ...FABRIC_BODY, name } });
    expect(res.statusCode).toBe(201);
  }
  const eps: EndpointState[] = [];
  for (let i = 1; i <= 250; i++) eps.push(endpoint('fab1', BD, mac(i)));
  eps.push(endpoint('fab1', BD, MAC1));
  eps.push(endpoint('fab1', VRF, '10.1.1.1', 101, { current: location(101, 'eth1/1', { rwMac: MAC1, rwBd: BD }) }));
  eps.push(endpoint('fab1', VRF, '10.1.1.2'));
  eps.push(endpoint('fab1', VRF, '10.1.2.5', 102, { flags: { offsubnet: [102], stale: [], rapidUntil: 0 }, learns: [learn(102)] }));
  eps.push(endpoint('fab1', VRF, '2001:db8::1'));
  const move: Finding = { kind: 'move', fabric: 'fab1', vnid: BD, addr: MAC1, type: 'mac', ts: 5000, node: 0, src: location(101, 'eth1/1'), dst: location(102, 'eth1/7', { encap: 'vlan-102' }) };
  const offsubnet: Finding = { kind: 'offsubnet', fabric: 'fab1', vnid: VRF, addr: '10.1.2.5', type: 'ipv4', ts: 6000, node: 102, learn: learn(102, { rwMac: '00:50:56:aa:00:09', ifId: 'eth1/9' }) };
  await h.store.writeBatch({
    endpoints: eps,
    history: [history(MAC1, BD, 1, 'eth1/1'), history(MAC1, BD, 2, 'eth1/7')],
    findings: [{ ...move, ts: 4000 }, move, offsubnet],
    historyCap: 64,
    findingCap: 64,
  });
  await h.store.writeBatch({ endpoints: [endpoint('fab2', BD, MAC1)], history: [], findings: [], historyCap: 64, findingCap: 64 });
  await h.store.saveFabricObjects('fab1', [
    { cls: 'fabricNode', dn: 'topology/pod-1/node-101', attrs: { name: 'leaf-101', role: 'leaf' } },
    { cls: 'fabricNode', dn: 'topology/pod-1/node-102', attrs: { name: 'leaf-102', role: 'leaf' } },
    { cls: 'fvCtx', dn: 'uni/tn-t1/ctx-v1', attrs: { scope: String(VRF) } },
    { cls: 'fvBD', dn: 'uni/tn-t1/BD-bd1', attrs: { seg: String(BD), scope: String(VRF) } },
    { cls: 'fvAEPg', dn: 'uni/tn-t1/ap-a/epg-e1', attrs: { pcTag: '49153', scope: String(VRF) } },
  ]);
}

// Bodies are checked field by field below; a loose type keeps the assertions readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await h.app.inject({ method: 'GET', url, headers: bearer(h.adminToken) });
  return { status: res.statusCode, body: res.json() };
}

beforeAll(async () => {
  h = await startHarness();
  await seed();
});
afterAll(async () => h.close());

describe('endpoint listing', () => {
  it('pages with limit and cursor without repeats or gaps', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(`/api/v1/fabrics/fab1/endpoints?type=mac&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      for (const e of r.body.items) seen.add(`${e.vnid}|${e.addr}`);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.size).toBe(251);
  });

  it('defaults to 100 items, caps limit at 1000, and rejects a bad cursor', async () => {
    expect((await get('/api/v1/fabrics/fab1/endpoints')).body.items).toHaveLength(100);
    const big = await get('/api/v1/fabrics/fab1/endpoints?limit=1001');
    expect(big.status).toBe(400);
    expect(big.body.error.details).toContainEqual({ field: 'querystring/limit', message: 'must be <= 1000' });
    const bad = await get('/api/v1/fabrics/fab1/endpoints?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('invalid cursor');
  });

  it('items summarise the endpoint', async () => {
    const r = await get('/api/v1/fabrics/fab1/endpoints?search=10.1.1.1');
    expect(r.body.items).toEqual([
      { fabric: 'fab1', vnid: VRF, addr: '10.1.1.1', type: 'ipv4', current: location(101, 'eth1/1', { rwMac: MAC1, rwBd: BD }), flags: { offsubnet: [], stale: [], rapidUntil: 0 }, deletedTs: 0, learnCount: 1, ts: 1000 },
    ]);
  });

  it('search accepts MACs in any form and prefixes', async () => {
    for (const q of ['0050.56aa.0001', '00-50-56-AA-00-01', '005056AA0001', '00:50:56:AA:00:01']) {
      const r = await get(`/api/v1/fabrics/fab1/endpoints?search=${encodeURIComponent(q)}`);
      expect(r.body.items.map((e: { addr: string }) => e.addr), q).toEqual(['00:50:56:aa:00:01']);
    }
    const prefix = await get(`/api/v1/fabrics/fab1/endpoints?limit=1000&search=${encodeURIComponent('0050.56aa.00')}`);
    expect(prefix.body.items).toHaveLength(250);
    const ipPrefix = await get('/api/v1/fabrics/fab1/endpoints?search=10.1.1');
    expect(ipPrefix.body.items.map((e: { addr: string }) => e.addr)).toEqual(['10.1.1.1', '10.1.1.2']);
    const v6 = await get(`/api/v1/fabrics/fab1/endpoints?search=${encodeURIComponent('2001:DB8:0::1')}`);
    expect(v6.body.items.map((e: { addr: string }) => e.addr)).toEqual(['2001:db8::1']);
  });

  it('filters by flag and rejects unknown flags naming the parameter', async () => {
    const r = await get('/api/v1/fabrics/fab1/endpoints?flag=offsubnet');
    expect(r.body.items.map((e: { addr: string }) => e.addr)).toEqual(['10.1.2.5']);
    const bad = await get('/api/v1/fabrics/fab1/endpoints?flag=purple');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('querystring/flag');
  });
});

describe('one endpoint', () => {
  it('shows location, learns, flags, findings and resolved names; the address may be in any form', async () => {
    const r = await get(`/api/v1/fabrics/fab1/endpoints/${BD}/0050.56aa.bb01`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ addr: MAC1, vnid: BD, type: 'mac', current: { node: 101 }, learnCount: 1 });
    expect(r.body.learns).toHaveLength(1);
    expect(r.body.names).toEqual({ vnid: 'uni/tn-t1/BD-bd1', nodes: { '101': 'leaf-101' }, epg: 'uni/tn-t1/ap-a/epg-e1' });
    expect(r.body.findings).toHaveLength(1);
    expect(r.body.findings[0]).toMatchObject({ kind: 'move', count: 2 });
    expect(r.body.state).toMatchObject({ fabric: 'fab1', addr: MAC1, previous: null, rapidSkipped: 0 });
  });

  it('404s an unknown endpoint and 400s an address that is not one', async () => {
    const nf = await get(`/api/v1/fabrics/fab1/endpoints/${BD}/00:00:00:00:00:99`);
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');
    const bad = await get(`/api/v1/fabrics/fab1/endpoints/${BD}/not-an-address`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("addr: 'not-an-address' is neither a MAC nor an IP address");
    const badVnid = await get('/api/v1/fabrics/fab1/endpoints/abc/10.1.1.1');
    expect(badVnid.status).toBe(400);
    expect(badVnid.body.error.details[0].field).toBe('params/vnid');
  });

  it('history is newest first and limited', async () => {
    const r = await get(`/api/v1/fabrics/fab1/endpoints/${BD}/${MAC1}/history?limit=1`);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({ seq: 2, ifId: 'eth1/7' });
    expect((await get(`/api/v1/fabrics/fab1/endpoints/${BD}/${MAC1}/history`)).body.items).toHaveLength(2);
  });
});

describe('findings', () => {
  it('moves carry the count and the last event details with names', async () => {
    const r = await get('/api/v1/fabrics/fab1/moves');
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.items).toHaveLength(1);
    const item = r.body.items[0];
    expect(item).toMatchObject({ kind: 'move', addr: MAC1, count: 2, firstTs: 4000, lastTs: 5000 });
    expect(item.details).toMatchObject({ node: 102, nodeName: 'leaf-102', ifId: 'eth1/7', encap: 'vlan-102', pcTag: 49153, epg: 'uni/tn-t1/ap-a/epg-e1', from: { node: 101, ifId: 'eth1/1' } });
  });

  it('offsubnets show the learn details and the MAC of the IP', async () => {
    const r = await get('/api/v1/fabrics/fab1/offsubnets?node=102');
    expect(r.body.items[0].details).toMatchObject({ node: 102, ifId: 'eth1/9', mac: '00:50:56:aa:00:09', epg: 'uni/tn-t1/ap-a/epg-e1' });
    expect((await get('/api/v1/fabrics/fab1/offsubnets?node=101')).body.items).toEqual([]);
    expect((await get('/api/v1/fabrics/fab1/offsubnets?since=7000')).body.items).toEqual([]);
    expect((await get('/api/v1/fabrics/fab1/offsubnets?search=10.1.2')).body.items).toHaveLength(1);
    expect((await get('/api/v1/fabrics/fab1/stales')).body.items).toEqual([]);
    expect((await get('/api/v1/fabrics/fab1/rapids')).body.items).toEqual([]);
    const bad = await get('/api/v1/fabrics/fab1/moves?node=x');
    expect(bad.body.error.details[0].field).toBe('querystring/node');
    // Move and rapid records are per endpoint: a node filter is refused, saying why.
    for (const kind of ['moves', 'rapids']) {
      const perEndpoint = await get(`/api/v1/fabrics/fab1/${kind}?node=101`);
      expect(perEndpoint.status).toBe(400);
      expect(perEndpoint.body.error).toMatchObject({ code: 'bad_request', details: [{ field: 'querystring/node' }] });
      expect(perEndpoint.body.error.message).toContain(`${kind} are recorded per endpoint`);
    }
  });
});

describe('search across fabrics', () => {
  it('finds the same MAC in both fabrics', async () => {
    const r = await get('/api/v1/search?q=0050.56aa.bb01');
    expect(r.body.items.map((e: { fabric: string }) => e.fabric).sort()).toEqual(['fab1', 'fab2']);
    const paged = await get('/api/v1/search?q=0050.56aa&limit=200');
    expect(paged.body.items).toHaveLength(200);
    const rest = await get(`/api/v1/search?q=0050.56aa&limit=200&cursor=${encodeURIComponent(paged.body.nextCursor)}`);
    expect(rest.body.items).toHaveLength(52);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('requires q', async () => {
    const r = await get('/api/v1/search');
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual({ field: 'querystring/q', message: expect.stringContaining('q') });
    expect((await get('/api/v1/search?q=%20%20')).body.error.message).toBe('q: must not be blank');
  });
});
