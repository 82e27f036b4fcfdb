import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FabricTables, type MoRow } from '../core/fabric-tables.js';
import { DEFAULT_SETTINGS } from '../core/settings.js';
import type { FabricConfig } from '../store/store.js';
import { FabricSubscriber, type FabricSubscriberOptions } from './fabric-subscriber.js';
import { MiniApic } from './mini-apic.testkit.js';
import { RecordingSink } from './recording-sink.testkit.js';

const VRF = 2654208;
const BD = 15007713;
const macDn = (node: number, n: number): string =>
  `topology/pod-1/node-${node}/sys/ctx-[vxlan-${VRF}]/bd-[vxlan-${BD}]/vlan-[vlan-101]/db-ep/mac-00:00:00:00:00:${String(n).padStart(2, '0')}`;
const ipDn = (node: number, ip: string): string => `topology/pod-1/node-${node}/sys/ctx-[vxlan-${VRF}]/db-ep/ip-[${ip}]`;

/** A two-leaf fabric with a few endpoints on each leaf. */
function seed(a: MiniApic): void {
  for (const id of [101, 102]) {
    a.put('fabricNode', { dn: `topology/pod-1/node-${id}`, id: String(id), role: 'leaf', fabricSt: 'active', name: `leaf${id}` });
    a.put('topSystem', { dn: `topology/pod-1/node-${id}/sys`, address: `10.0.0.${id - 100}`, state: 'in-service' });
    for (let n = 1; n <= 5; n++) a.put('epmMacEp', { dn: macDn(id, n), addr: `00:00:00:00:00:0${n}`, flags: 'local,mac', ifId: 'eth1/1', pcTag: '49153' });
  }
  a.put('fvCtx', { dn: 'uni/tn-t/ctx-v', scope: String(VRF) });
  a.put('fvBD', { dn: 'uni/tn-t/BD-b', seg: String(BD), scope: String(VRF) });
  a.put('epmIpEp', { dn: ipDn(101, '10.1.1.1'), addr: '10.1.1.1', flags: 'local,ip', ifId: 'eth1/1', pcTag: '49153' });
  a.put('epmRsMacEpToIpEpAtt', { dn: `${macDn(101, 1)}/rsmacEpToIpEpAtt-[${ipDn(101, '10.1.1.1')}]` });
}

let apics: MiniApic[];
let sink: RecordingSink;
let tables: FabricTables;
let saved: { rows: MoRow[]; replace?: string[] }[];
let sub: FabricSubscriber | null;

beforeEach(async () => {
  apics = [new MiniApic(), new MiniApic()];
  for (const a of apics) {
    await a.listen();
    seed(a);
  }
  sink = new RecordingSink();
  tables = new FabricTables();
  saved = [];
  sub = null;
});

afterEach(async () => {
  await sub?.stop();
  for (const a of apics) await a.close();
});

function subscriber(urls: string[], extra: Partial<FabricSubscriberOptions> = {}): FabricSubscriber {
  const config: FabricConfig = {
    name: 'f1',
    apic: { urls, username: 'admin', password: 'pw', verifyTls: true },
    settings: {},
    autoStart: true,
    simulated: false,
    createdTs: 0,
  };
  sub = new FabricSubscriber({
    config,
    settings: DEFAULT_SETTINGS,
    tables,
    sink,
    saveObjects: async (rows, replace) => void saved.push({ rows, replace }),
    logger: pino({ level: 'silent' }),
    timing: { pageSize: 4, requestTimeoutMs: 500, backoffInitialMs: 50, backoffMaxMs: 200, pingIntervalMs: 5_000 },
    ...extra,
  });
  return sub;
}

async function running(s: FabricSubscriber, fullSyncs = 1): Promise<void> {
  await vi.waitFor(() => {
    expect(s.counters.fullSyncs).toBe(fullSyncs);
    expect(s.status().state).toBe('running');
  });
}

describe('FabricSubscriber build', () => {
  it('subscribes first, reads the tables, then streams the endpoint classes between beginSync and endSync', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url]);
    const t0 = Date.now();
    s.start();
    await running(s);
    // Subscriptions exist before the first page of any class is read.
    const firstPage = a.requests.findIndex((r) => r.includes('order-by='));
    const lastSub = a.requests.map((r) => r.includes('subscription=yes')).lastIndexOf(true);
    expect(lastSub).toBeLessThan(firstPage);
    expect(a.subs.size).toBe(28);
    expect(tables.node(101)?.tep).toBe('10.0.0.1');
    expect(tables.vnidName(BD)).toBe('uni/tn-t/BD-b');
    expect(saved.find((x) => x.replace?.[0] === 'fvBD')?.rows).toHaveLength(1);
    expect(sink.syncs).toEqual([{ fabric: 'f1', nodes: null, epoch: 1, deleted: 0 }]);
    const obs = sink.all();
    expect(obs).toHaveLength(12);
    expect(obs.every((o) => o.fromQuery && o.ts >= t0 && o.ts <= Date.now())).toBe(true);
    // 10 MACs paged 4 per page: three submits for the class.
    expect(sink.batches.filter((b) => b[0]?.cls === 'mac').map((b) => b.length)).toEqual([4, 4, 2]);
    const st = s.status();
    expect(st.build?.classes['epmMacEp']).toEqual({ read: 10, total: 10, done: true });
    expect(st.build?.finishedTs).not.toBeNull();
    expect(st.subscription).toMatchObject({ connected: true, apic: a.url, subscriptions: 28 });
  });

  it('counts objects that do not parse and keeps going', async () => {
    const a = apics[0]!;
    a.put('epmMacEp', { dn: 'topology/pod-1/node-101/sys/garbage/mac-zz' });
    a.put('epmIpEp', { dn: ipDn(101, 'not-an-ip') });
    const s = subscriber([a.url]);
    s.start();
    await running(s);
    expect(s.status().parseErrors).toBe(2);
    expect(sink.all()).toHaveLength(12);
  });

  it('shows the error and keeps retrying while no APIC answers, then builds', async () => {
    const a = apics[0]!;
    a.hang = ['/api/aaaLogin.json'];
    const s = subscriber([a.url]);
    s.start();
    await vi.waitFor(() => expect(s.status().state).toBe('error'));
    expect(s.status().lastError?.message).toMatch(/login failed on every APIC: .*no answer within 500 ms/);
    a.hang = [];
    await running(s);
  });
});

describe('FabricSubscriber live', () => {
  it('submits endpoint events per frame with the receipt time, and applies table events', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url]);
    s.start();
    await running(s);
    const before = sink.batches.length;
    const t0 = Date.now();
    a.event('epmMacEp', { dn: macDn(102, 9), status: 'created', flags: 'local,mac', ifId: 'eth1/9', pcTag: '49153' });
    a.event('epmIpEp', { dn: ipDn(101, '10.1.1.1'), status: 'deleted' });
    a.event('fvBD', { dn: 'uni/tn-t/BD-b2', seg: '15007714', scope: String(VRF), status: 'created' });
    await vi.waitFor(() => expect(tables.vnidName(15007714)).toBe('uni/tn-t/BD-b2'));
    await vi.waitFor(() => expect(sink.batches.length).toBe(before + 2));
    const [created, deleted] = sink.batches.slice(before).map((b) => b[0]);
    expect(created).toMatchObject({ cls: 'mac', node: 102, addr: '00:00:00:00:00:09', ifId: 'eth1/9', status: 'created' });
    expect(created?.fromQuery).toBeUndefined();
    expect(created?.ts).toBeGreaterThanOrEqual(t0);
    expect(deleted).toMatchObject({ cls: 'ip', status: 'deleted', addr: '10.1.1.1' });
    expect(saved.at(-1)?.rows[0]).toMatchObject({ cls: 'fvBD', dn: 'uni/tn-t/BD-b2' });
    const st = s.status();
    expect(st.eventsReceived).toBe(2);
    expect(st.eventRate).toBeCloseTo(0.2);
  });

  it('a leaf going down changes the table only; coming back resyncs that leaf only', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url]);
    s.start();
    await running(s);
    a.event('fabricNode', { dn: 'topology/pod-1/node-102', fabricSt: 'inactive', status: 'modified' });
    await vi.waitFor(() => expect(tables.node(102)?.fabricSt).toBe('inactive'));
    // While it was away, the leaf lost an endpoint and learned another (no events: it was down).
    a.remove('epmMacEp', macDn(102, 1));
    a.put('epmMacEp', { dn: macDn(102, 7), addr: '00:00:00:00:00:07', flags: 'local,mac', ifId: 'eth1/7' });
    expect(sink.syncs).toHaveLength(1);
    a.event('fabricNode', { dn: 'topology/pod-1/node-102', fabricSt: 'active', status: 'modified' });
    await vi.waitFor(() => expect(s.counters.nodeResyncs).toBe(1));
    expect(sink.syncs[1]).toEqual({ fabric: 'f1', nodes: [102], epoch: 2, deleted: 1 });
    expect(s.counters.fullSyncs).toBe(1);
    const resync = sink.batches.slice(-1)[0] ?? [];
    expect(resync.every((o) => o.node === 102 && o.fromQuery)).toBe(true);
    expect(sink.learns.has(RecordingSink.key({ cls: 'mac', node: 102, vnid: BD, addr: '00:00:00:00:00:07' }))).toBe(true);
    expect(sink.learns.has(RecordingSink.key({ cls: 'mac', node: 102, vnid: BD, addr: '00:00:00:00:00:01' }))).toBe(false);
    expect(a.requests.some((r) => r.includes('query-target-filter=wcard(epmMacEp.dn%2C%22%2Fnode-102%2F%22)'))).toBe(true);
  });

  it('a slow pipeline pauses the websocket reader instead of growing memory', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url], { timing: { pageSize: 4, requestTimeoutMs: 500, maxLiveInFlight: 5 } });
    s.start();
    await running(s);
    let release = (): void => undefined;
    sink.gate = new Promise<void>((r) => (release = r));
    const send = (n: number): void => a.event('epmMacEp', { dn: macDn(101, n), status: 'created', flags: 'local' });
    for (let n = 10; n < 15; n++) send(n);
    await vi.waitFor(() => expect(s.status().eventsReceived).toBe(5));
    for (let n = 15; n < 30; n++) {
      send(n);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 50));
    // Later frames stay unread (in the socket) while five batches wait on the pipeline.
    expect(s.status().eventsReceived).toBe(5);
    release();
    await vi.waitFor(() => expect(s.status().eventsProcessed).toBe(12 + 20));
    expect(s.status().eventsReceived).toBe(20);
  });

  it('events during the build are submitted at once and win over the older query result', async () => {
    const a = apics[0]!;
    let release = (): void => undefined;
    sink.gate = new Promise<void>((r) => (release = r));
    const s = subscriber([a.url]);
    s.start();
    // The first MAC page is read and its submit is held by the pipeline.
    await vi.waitFor(() => expect(a.requests.some((r) => r.startsWith('/api/class/epmMacEp.json?page-size=4&page=0'))).toBe(true));
    expect(s.status().state).toBe('building');
    a.event('epmMacEp', { dn: macDn(101, 1), status: 'modified', ifId: 'eth1/99' });
    await vi.waitFor(() => expect(s.status().eventsReceived).toBe(1));
    release();
    await running(s);
    const key = RecordingSink.key({ cls: 'mac', node: 101, vnid: BD, addr: '00:00:00:00:00:01' });
    expect(sink.learns.get(key)?.obs.ifId).toBe('eth1/99');
    expect(sink.syncs[0]?.deleted).toBe(0);
  });

  it('a broken frame is counted and the subscriber stays running', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url]);
    s.start();
    await running(s);
    a.sendRaw('{"subscriptionId":');
    a.event('epmMacEp', { dn: macDn(101, 8), status: 'created', flags: 'local' });
    await vi.waitFor(() => expect(s.status().eventsReceived).toBe(1));
    expect(s.status()).toMatchObject({ state: 'running', parseErrors: 1 });
    expect(s.counters.gaps).toBe(0);
  });
});

describe('FabricSubscriber gaps', () => {
  it('a socket drop resyncs: resubscribes, re-reads, and endSync removes what vanished meanwhile', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url]);
    s.start();
    await running(s);
    a.remove('epmMacEp', macDn(101, 2));
    a.dropSockets();
    await running(s, 2);
    expect(s.counters.gaps).toBe(1);
    expect(s.status().subscription.reconnects).toBe(1);
    expect(a.subs.size).toBe(28);
    expect(sink.syncs[1]).toMatchObject({ nodes: null, deleted: 1 });
    expect(sink.learns.size).toBe(11);
  });

  it('fails over to the next APIC when the current one dies', async () => {
    const [a, b] = [apics[0]!, apics[1]!];
    const s = subscriber([a.url, b.url]);
    s.start();
    await running(s);
    await a.close();
    await running(s, 2);
    expect(s.status().subscription.apic).toBe(b.url);
    expect(b.subs.size).toBe(28);
  });

  it('re-reads an endpoint on request, as query observations', async () => {
    const a = apics[0]!;
    const s = subscriber([a.url]);
    s.start();
    await running(s);
    const before = sink.batches.length;
    await s.refreshEndpoint(VRF, '10.1.1.1');
    const got = sink.batches.slice(before).flat();
    expect(got.map((o) => o.cls).sort()).toEqual(['binding', 'ip']);
    expect(got.every((o) => o.fromQuery && o.addr === '10.1.1.1')).toBe(true);
    await s.refreshEndpoint(BD, '00:00:00:00:00:03', [102]);
    expect(sink.batches.at(-1)).toMatchObject([{ cls: 'mac', node: 102, addr: '00:00:00:00:00:03' }]);
  });
});
