// The APIC simulator over real HTTP(S) and websockets on 127.0.0.1.
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { simCertificate } from '../../src/sim/apic-server.js';
import { type ApicSimulator, startApicSimulator } from '../../src/sim/index.js';

interface Answer {
  status: number;
  body: { totalCount?: string; subscriptionId?: string; imdata: Record<string, { attributes: Record<string, string> }>[] };
  cookie: string;
}

async function call(url: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(url + path, {
    method: body ? 'POST' : 'GET',
    headers: token ? { cookie: `APIC-cookie=${token}` } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Answer['body'], cookie: res.headers.get('set-cookie') ?? '' };
}

async function login(sim: ApicSimulator, url = sim.url): Promise<string> {
  const a = await call(url, '/api/aaaLogin.json', undefined, { aaaUser: { attributes: { name: sim.username, pwd: sim.password } } });
  expect(a.status).toBe(200);
  return a.body.imdata[0]?.['aaaLogin']?.attributes['token'] ?? '';
}

function attrs(a: Answer): Record<string, string>[] {
  return a.body.imdata.map((e) => Object.values(e)[0]?.attributes ?? {});
}

/** Opens the event socket and collects imdata entries. */
async function socket(url: string, token: string): Promise<{ ws: WebSocket; frames: string[]; events: () => { cls: string; a: Record<string, string>; ids: string[] }[] }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket${token}`);
  const frames: string[] = [];
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    // An APIC sends text frames; a binary one would be a simulator bug.
    if (isBinary) throw new Error('binary websocket frame');
    frames.push(d.toString());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const events = (): { cls: string; a: Record<string, string>; ids: string[] }[] =>
    frames.flatMap((f) => {
      const m = JSON.parse(f) as { subscriptionId: string[]; imdata: Record<string, { attributes: Record<string, string> }>[] };
      return m.imdata.map((e) => {
        const [cls = '', v] = Object.entries(e)[0] ?? [];
        return { cls, a: v?.attributes ?? {}, ids: m.subscriptionId };
      });
    });
  return { ws, frames, events };
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

let sim: ApicSimulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

describe('APIC simulator: sessions', () => {
  it('logs in, sets the cookie, refreshes, and refuses bad credentials and bodies', async () => {
    sim = await startApicSimulator({ endpoints: 10 });
    const ok = await call(sim.url, '/api/aaaLogin.json', undefined, { aaaUser: { attributes: { name: 'admin', pwd: 'ept-sim' } } });
    const la = ok.body.imdata[0]?.['aaaLogin']?.attributes ?? {};
    expect(la['refreshTimeoutSeconds']).toBe('600');
    expect(typeof la['maximumLifetimeSeconds']).toBe('string');
    expect(ok.cookie).toContain(`APIC-cookie=${la['token']}`);
    const bad = await call(sim.url, '/api/aaaLogin.json', undefined, { aaaUser: { attributes: { name: 'admin', pwd: 'x' } } });
    expect(bad.status).toBe(401);
    expect(bad.body.imdata[0]?.['error']?.attributes['code']).toBe('401');
    const res = await fetch(`${sim.url}/api/aaaLogin.json`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    const ref = await call(sim.url, '/api/aaaRefresh.json', la['token']);
    expect(ref.status).toBe(200);
    expect(ref.body.imdata[0]?.['aaaLogin']?.attributes['token']).toBe(la['token']);
    expect((await call(sim.url, '/api/class/fvCtx.json')).status).toBe(403);
  });

  it('expires a token that is not refreshed in time', async () => {
    sim = await startApicSimulator({ endpoints: 10, refreshTimeoutSeconds: 1 });
    const token = await login(sim);
    expect((await call(sim.url, '/api/class/fvCtx.json', token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect((await call(sim.url, '/api/aaaRefresh.json', token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect((await call(sim.url, '/api/class/fvCtx.json', token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1200));
    const dead = await call(sim.url, '/api/class/fvCtx.json', token);
    expect(dead.status).toBe(403);
    expect(dead.body.imdata[0]?.['error']?.attributes['text']).toMatch(/Token timeout/);
  });
});

describe('APIC simulator: queries', () => {
  it('pages a class with totalCount as a string, without overlap, in a stable order', async () => {
    sim = await startApicSimulator({ endpoints: 500, leafs: 4, remoteLearns: 1 });
    const token = await login(sim);
    const first = await call(sim.url, '/api/class/epmMacEp.json?page-size=300&page=0&order-by=epmMacEp.dn', token);
    const total = Number(first.body.totalCount);
    expect(first.body.totalCount).toMatch(/^\d+$/);
    // 2 of 4 leafs paired: half the hosts are on the vPC pair (2 locals) + 1 remote each.
    expect(total).toBeGreaterThan(500 * 2);
    const seen = new Set<string>();
    for (let p = 0; p * 300 < total; p++) {
      const page = await call(sim.url, `/api/class/epmMacEp.json?page-size=300&page=${p}&order-by=epmMacEp.dn`, token);
      expect(page.body.totalCount).toBe(String(total));
      for (const a of attrs(page)) seen.add(a['dn'] ?? '');
    }
    expect(seen.size).toBe(total);
    const again = await call(sim.url, '/api/class/epmMacEp.json?page-size=300&page=0', token);
    expect(attrs(again).map((a) => a['dn'])).toEqual(attrs(first).map((a) => a['dn']));
    const desc = attrs(await call(sim.url, '/api/class/fabricNode.json?order-by=fabricNode.dn|desc', token)).map((a) => a['dn'] ?? '');
    expect(desc).toEqual([...desc].sort().reverse());
  });

  it('filters by node (wcard on dn) and by address (eq)', async () => {
    sim = await startApicSimulator({ endpoints: 300, leafs: 6 });
    const token = await login(sim);
    const q = encodeURIComponent('wcard(epmMacEp.dn,"/node-103/")');
    const a = await call(sim.url, `/api/class/epmMacEp.json?query-target-filter=${q}`, token);
    expect(Number(a.body.totalCount)).toBeGreaterThan(0);
    expect(attrs(a).every((x) => x['dn']?.includes('/node-103/'))).toBe(true);
    const all = attrs(await call(sim.url, '/api/class/epmMacEp.json', token));
    expect(Number(a.body.totalCount)).toBe(all.filter((x) => x['dn']?.includes('/node-103/')).length);
    const ip = sim.model.space.ipOf(7);
    const b = await call(sim.url, `/api/class/epmIpEp.json?query-target-filter=${encodeURIComponent(`eq(epmIpEp.addr,"${ip}")`)}`, token);
    expect(attrs(b).length).toBeGreaterThan(0);
    expect(attrs(b).every((x) => x['addr'] === ip)).toBe(true);
    const orq = encodeURIComponent('or(eq(fvCtx.name,"vrf1"),eq(fvCtx.name,"nope"))');
    expect(Number((await call(sim.url, `/api/class/fvCtx.json?query-target-filter=${orq}`, token)).body.totalCount)).toBe(2);
    const and = encodeURIComponent(`and(wcard(epmIpEp.dn,"node-103/"),eq(epmIpEp.flags,"local"))`);
    const c = attrs(await call(sim.url, `/api/class/epmIpEp.json?query-target-filter=${and}`, token));
    expect(c.every((x) => x['flags'] === 'local' && x['dn']?.includes('node-103/'))).toBe(true);
    const bad = await call(sim.url, `/api/class/epmIpEp.json?query-target-filter=${encodeURIComponent('eq(foo')}`, token);
    expect(bad.status).toBe(400);
    expect((await call(sim.url, '/api/class/noSuchClass.json', token)).status).toBe(400);
  });

  it('answers mo queries with children and subtree scopes', async () => {
    sim = await startApicSimulator({ endpoints: 50 });
    const token = await login(sim);
    const bd = sim.model.topo.bds[0]?.dn ?? '';
    const kids = attrs(await call(sim.url, `/api/mo/${bd}.json?query-target=children&target-subtree-class=fvSubnet`, token));
    expect(kids.length).toBe(2);
    const sub = await call(sim.url, '/api/class/fvBD.json?query-target=children&target-subtree-class=fvSubnet', token);
    expect(Number(sub.body.totalCount)).toBe(sim.model.topo.bds.length * 2);
    const self = attrs(await call(sim.url, `/api/mo/${bd}.json`, token));
    expect(self[0]?.['dn']).toBe(bd);
    const tunnels = attrs(await call(sim.url, '/api/mo/topology/pod-1/node-101/sys.json?query-target=children&target-subtree-class=tunnelIf', token));
    expect(tunnels.length).toBe(sim.model.topo.tunnelCount(0));
    const eps = await call(sim.url, '/api/mo/topology/pod-1/node-101.json?query-target=subtree&target-subtree-class=epmMacEp', token);
    expect(attrs(eps).every((a) => a['dn']?.startsWith('topology/pod-1/node-101/'))).toBe(true);
    const epDn = attrs(eps)[0]?.['dn'] ?? '';
    expect(attrs(await call(sim.url, `/api/mo/${epDn}.json`, token))[0]?.['dn']).toBe(epDn);
  });
});

describe('APIC simulator: subscriptions and events', () => {
  it('delivers created/modified/deleted events in batched frames to the subscribing session', async () => {
    sim = await startApicSimulator({ endpoints: 200, leafs: 4, vpcPairs: 1, remoteLearns: 2 });
    const token = await login(sim);
    const s = await socket(sim.url, token);
    const ans = await call(sim.url, '/api/class/epmMacEp.json?subscription=yes&page-size=1', token);
    const id = ans.body.subscriptionId ?? '';
    expect(id).toMatch(/^\d+$/);
    await call(sim.url, '/api/class/epmIpEp.json?subscription=yes&page-size=1', token);
    // Attachment 1 is the standalone leaf 103; move a host from there to 104.
    const index = Array.from({ length: 200 }, (_, i) => i).find((i) => sim?.model.space.attachmentOf(i) === 1) ?? -1;
    const host = sim.model.host(index);
    expect(host?.learns[0]?.node).toBe(103);
    await sim.runScenario({ steps: [{ op: 'move', host: index, leaf: 104, port: 'eth1/9' }] });
    await until(() => s.events().some((e) => e.cls === 'epmIpEp'));
    const evs = s.events();
    const macs = evs.filter((e) => e.cls === 'epmMacEp');
    expect(macs.every((e) => e.ids.includes(id))).toBe(true);
    expect(macs.some((e) => e.a['status'] === 'deleted' && e.a['dn']?.includes('/node-103/'))).toBe(true);
    const created = macs.find((e) => e.a['status'] === 'created');
    expect(created?.a['dn']).toContain('/node-104/');
    expect(created?.a['ifId']).toBe('eth1/9');
    expect(created?.a['flags']).toBe('local,mac');
    const modified = macs.filter((e) => e.a['status'] === 'modified');
    for (const m of modified) expect(Object.keys(m.a).sort()).toEqual(['dn', 'ifId', 'status']);
    expect(s.frames.length).toBeLessThan(evs.length);
    expect(sim.expectedFindings()).toContainEqual({ kind: 'move', vnid: sim.model.topo.bds[sim.model.topo.epgs[host?.epg ?? 0]?.bd ?? 0]?.vnid, addr: host?.mac, node: 104 });
    s.ws.close();
  });

  it('refreshes subscriptions and expires the ones not refreshed', async () => {
    sim = await startApicSimulator({ endpoints: 20, subscriptionTimeoutSeconds: 1 });
    const token = await login(sim);
    const a = (await call(sim.url, '/api/class/fvBD.json?subscription=yes', token)).body.subscriptionId ?? '';
    const b = (await call(sim.url, '/api/class/fvCtx.json?subscription=yes&refresh-timeout=5', token)).body.subscriptionId ?? '';
    await new Promise((r) => setTimeout(r, 600));
    expect((await call(sim.url, `/api/subscriptionRefresh.json?id=${a}`, token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect((await call(sim.url, `/api/subscriptionRefresh.json?id=${a}`, token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await call(sim.url, `/api/subscriptionRefresh.json?id=${a}`, token)).status).toBe(400);
    expect((await call(sim.url, `/api/subscriptionRefresh.json?id=${b}`, token)).status).toBe(200);
  });

  it('serves HTTPS and wss with a self-signed certificate', async () => {
    sim = await startApicSimulator({ endpoints: 20, tls: true });
    expect(sim.url).toMatch(/^https:/);
    const ca = simCertificate().cert;
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(`${sim?.url}/api/aaaLogin.json`, { method: 'POST', ca }, (res) => {
        let s = '';
        res.on('data', (d: Buffer) => (s += d.toString()));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ aaaUser: { attributes: { name: 'admin', pwd: 'ept-sim' } } }));
    });
    const token = (JSON.parse(body) as Answer['body']).imdata[0]?.['aaaLogin']?.attributes['token'];
    expect(token).toBeTruthy();
    const ws = new WebSocket(`${sim.url.replace('https', 'wss')}/socket${token}`, { ca });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
  });
});

describe('APIC simulator: faults', () => {
  it('answers 500, APIC errors, malformed JSON and hangs for the next N requests', async () => {
    sim = await startApicSimulator({ endpoints: 20 });
    const token = await login(sim);
    sim.injectFault({ kind: 'http-500', count: 2, path: 'fvCtx' });
    expect((await fetch(`${sim.url}/api/class/fvCtx.json`, { headers: { cookie: `APIC-cookie=${token}` } })).status).toBe(500);
    expect((await fetch(`${sim.url}/api/class/fvCtx.json`, { headers: { cookie: `APIC-cookie=${token}` } })).status).toBe(500);
    expect((await call(sim.url, '/api/class/fvCtx.json', token)).status).toBe(200);
    sim.injectFault({ kind: 'apic-error', status: 400, code: '121', text: 'busy' });
    const e = await call(sim.url, '/api/class/fvCtx.json', token);
    expect(e.body.imdata[0]?.['error']?.attributes).toEqual({ code: '121', text: 'busy' });
    sim.injectFault({ kind: 'malformed' });
    const text = await (await fetch(`${sim.url}/api/class/fvCtx.json`, { headers: { cookie: `APIC-cookie=${token}` } })).text();
    expect(() => JSON.parse(text)).toThrow();
    sim.injectFault({ kind: 'hang' });
    const ctl = new AbortController();
    const hung = fetch(`${sim.url}/api/class/fvCtx.json`, { headers: { cookie: `APIC-cookie=${token}` }, signal: ctl.signal });
    const raced = await Promise.race([hung.then(() => 'answered'), new Promise((r) => setTimeout(() => r('hung'), 300))]);
    expect(raced).toBe('hung');
    ctl.abort();
    await hung.catch(() => undefined);
  });

  it('drops websockets, holds new ones off while events are lost, and truncates frames', async () => {
    sim = await startApicSimulator({ endpoints: 100 });
    const token = await login(sim);
    const s = await socket(sim.url, token);
    await call(sim.url, '/api/class/epmMacEp.json?subscription=yes&page-size=1', token);
    const closed = new Promise((r) => s.ws.once('close', r));
    sim.dropWebsockets({ holdOffMs: 400 });
    await closed;
    const refused = new WebSocket(`${sim.url.replace('http', 'ws')}/socket${token}`);
    const err = await new Promise<string>((r) => refused.once('error', (e) => r(String(e))));
    expect(err).toMatch(/503/);
    await sim.runScenario({ steps: [{ op: 'move', host: 3, leaf: 101 }] });
    expect(sim.stats().eventsLost).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 450));
    const s2 = await socket(sim.url, token);
    sim.injectFault({ kind: 'ws-truncate' });
    await sim.runScenario({ steps: [{ op: 'move', host: 3, leaf: 104 }] });
    await until(() => s2.frames.length > 0);
    expect(() => JSON.parse(s2.frames[0] ?? '')).toThrow();
    s2.ws.close();
  });

  it('takes a leaf down and up with fabricNode events; its objects vanish and return', async () => {
    sim = await startApicSimulator({ endpoints: 200, leafs: 4 });
    const token = await login(sim);
    const s = await socket(sim.url, token);
    await call(sim.url, '/api/class/fabricNode.json?subscription=yes', token);
    await call(sim.url, '/api/class/epmMacEp.json?subscription=yes&page-size=1', token);
    const q = `/api/class/epmMacEp.json?query-target-filter=${encodeURIComponent('wcard(epmMacEp.dn,"/node-103/")')}`;
    const before = Number((await call(sim.url, q, token)).body.totalCount);
    expect(before).toBeGreaterThan(0);
    sim.setLeafState(103, 'down');
    expect((await call(sim.url, q, token)).body.totalCount).toBe('0');
    await until(() => s.events().some((e) => e.a['fabricSt'] === 'inactive'));
    sim.setLeafState(103, 'up');
    await until(() => s.events().filter((e) => e.cls === 'epmMacEp' && e.a['status'] === 'created').length === before);
    expect(s.events().some((e) => e.cls === 'fabricNode' && e.a['fabricSt'] === 'active' && e.a['dn'] === 'topology/pod-1/node-103')).toBe(true);
    expect(Number((await call(sim.url, q, token)).body.totalCount)).toBe(before);
    s.ws.close();
  });

  it('acts as a cluster: APICs share the model; one can go down and come back on its port', async () => {
    sim = await startApicSimulator({ endpoints: 50, apics: 3 });
    expect(new Set(sim.urls).size).toBe(3);
    const t2 = await login(sim, sim.urls[1]);
    const a1 = await call(sim.urls[1] ?? '', '/api/class/epmIpEp.json', t2);
    await sim.setApicState(0, 'down');
    await expect(fetch(`${sim.url}/api/aaaLogin.json`, { method: 'POST' })).rejects.toThrow();
    const a2 = await call(sim.urls[1] ?? '', '/api/class/epmIpEp.json', t2);
    expect(a2.body.totalCount).toBe(a1.body.totalCount);
    await sim.setApicState(0, 'up');
    await login(sim);
  });
});
