import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BD, EPG_TAG, labTables, TEP, tunnelTo, VRF } from '../../test/support/lab-fabric.js';
import { applyObservation, newEndpointState, type AnalysisContext } from '../core/analyses.js';
import { resolveSettings, type FabricSettings } from '../core/settings.js';
import type { EndpointState, Finding, Observation } from '../core/types.js';
import { endpointState } from '../store/store-fixtures.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { EndpointPipeline } from './endpoint-pipeline.js';

const log = pino({ level: 'silent' });
const T0 = 1_700_000_000_000;
let clock = T0;
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function mac(node: number, addr: string, over: Partial<Observation> = {}): Observation {
  return { fabric: 'f', cls: 'mac', node, vnid: BD, addr, status: 'created', ts: clock, flags: ['local', 'mac'], ifId: 'eth1/1', pcTag: EPG_TAG, vrf: VRF, bd: BD, encap: 'vlan-101', ...over };
}
function ip(node: number, addr: string, over: Partial<Observation> = {}): Observation {
  return { fabric: 'f', cls: 'ip', node, vnid: VRF, addr, status: 'created', ts: clock, flags: ['ip', 'local'], ifId: 'eth1/1', pcTag: EPG_TAG, vrf: VRF, bd: BD, encap: 'vlan-101', ...over };
}

async function setup(path = ':memory:', opts: { queueCapacity?: number } = {}, settings: Partial<FabricSettings> = {}): Promise<{ store: Store; p: EndpointPipeline }> {
  const store = await openSqliteStore({ path });
  const p = new EndpointPipeline({ store, logger: log, partitions: 4, now: () => clock, ...opts });
  await p.attachFabric('f', labTables(), resolveSettings(settings));
  return { store, p };
}

describe('EndpointPipeline', () => {
  it('holds, after any sequence of events, the learns the analyses give on plain objects (packing and reuse)', async () => {
    clock = T0;
    // The lowest rapid threshold: the second half of the events comes fast enough to be rapid.
    const settings: Partial<FabricSettings> = { rapid_threshold: 512 };
    const { store, p } = await setup(':memory:', {}, settings);
    const ctx: AnalysisContext = { tables: labTables(), settings: resolveSettings(settings), epoch: 0 };
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 65536) % n;
    };
    const ifs = ['eth1/1', 'eth1/2', 'po3', tunnelTo(TEP[101] as string), tunnelTo(TEP[103] as string)];
    const statuses = ['created', 'modified', 'deleted'] as const;
    const events: Observation[] = [];
    for (let k = 0; k < 4000; k++) {
      clock += k < 2000 ? rnd(40) : rnd(4);
      const n = k < 2000 ? rnd(12) : rnd(3);
      const node = 101 + rnd(5);
      const remote = rnd(3) === 0;
      const over: Partial<Observation> = { ts: clock, status: statuses[rnd(3)], ifId: ifs[rnd(ifs.length)], encap: remote ? '' : 'vlan-101', pcTag: rnd(4) === 0 ? EPG_TAG + 1 : EPG_TAG };
      events.push(n < 6 ? mac(node, `00:00:00:00:09:0${n}`, { ...over, flags: remote ? ['mac'] : ['local', 'mac'] }) : ip(node, `10.9.9.${n}`, { ...over, flags: remote ? ['ip'] : ['ip', 'local'] }));
    }
    const ref = new Map<string, EndpointState>();
    // Findings as the analyses give them, serialised when given (the pipeline's are serialised
    // when recorded: a held state's last move is written in place, and must not change a finding).
    const want: string[] = [];
    for (const o of events) {
      let s = ref.get(`${o.vnid} ${o.addr}`);
      if (!s) {
        if (o.status === 'deleted') continue;
        s = newEndpointState(o);
        ref.set(`${o.vnid} ${o.addr}`, s);
      }
      for (const f of applyObservation(s, o, ctx, clock).findings) want.push(JSON.stringify(f));
    }
    const got: Finding[] = [];
    p.onFinding((f) => got.push(f));
    for (let i = 0; i < events.length; i += 500) await p.submit(events.slice(i, i + 500));
    await p.flush();
    expect(ref.size).toBe(12);
    for (const s of ref.values()) {
      const h = p.getState('f', s.vnid, s.addr);
      expect(h).toEqual({ ...s, id: h?.id });
    }
    expect(want.filter((f) => f.includes('"move"')).length).toBeGreaterThan(50);
    expect(want.filter((f) => f.includes('"rapid"')).length).toBeGreaterThan(0);
    expect([...ref.values()].some((s) => s.rapidSkipped > 0)).toBe(true);
    // Per endpoint in event order (partitions interleave endpoints).
    const byEndpoint = (list: string[]): string[] => list.map((f, i) => [f, i] as const).sort((a, b) => (JSON.parse(a[0]) as Finding).addr.localeCompare((JSON.parse(b[0]) as Finding).addr) || a[1] - b[1]).map(([f]) => f);
    expect(byEndpoint(got.map((f) => JSON.stringify(f)))).toEqual(byEndpoint(want));
    await p.close();
    await store.close();
  });

  it('analyses, writes state, history and moves behind, in one commit per batch', async () => {
    clock = T0;
    const { store, p } = await setup();
    await p.submit([mac(101, '00:00:00:00:00:01'), mac(101, '00:00:00:00:00:02')]);
    clock += 1000;
    await p.submit([mac(103, '00:00:00:00:00:01', { ts: clock })]);
    await p.flush();
    const ep = await store.getEndpoint({ fabric: 'f', vnid: BD, addr: '00:00:00:00:00:01' });
    expect(ep?.current?.node).toBe(103);
    expect((await store.history({ fabric: 'f', vnid: BD, addr: '00:00:00:00:00:01' }, 10)).length).toBe(2);
    const moves = await store.listFindings('f', 'move', { limit: 10 });
    expect(moves.items.map((m) => m.addr)).toEqual(['00:00:00:00:00:01']);
    expect(moves.items[0]?.last.src?.node).toBe(101);
    await p.close();
    await store.close();
  });

  it('keeps per-endpoint order across many partitions and events', async () => {
    clock = T0;
    const { store, p } = await setup();
    const batch: Observation[] = [];
    for (let i = 0; i < 5000; i++) batch.push(mac(101 + (i % 3), `00:00:00:00:${(i % 50).toString(16).padStart(2, '0')}:00`, { ts: T0 + i, ifId: `eth1/${i}` }));
    await p.submit(batch);
    await p.flush();
    for (let k = 0; k < 50; k++) {
      const addr = `00:00:00:00:${k.toString(16).padStart(2, '0')}:00`;
      const last = 4950 + k;
      expect(p.getState('f', BD, addr)?.current?.ifId).toBe(`eth1/${last}`);
      expect((await store.getEndpoint({ fabric: 'f', vnid: BD, addr }))?.current?.ifId).toBe(`eth1/${last}`);
    }
    await p.close();
    await store.close();
  });

  it('confirms stale and offsubnet only after their delays, through the watcher', async () => {
    clock = T0;
    const { store, p } = await setup();
    await p.submit([ip(103, '10.1.1.7'), ip(105, '10.1.1.7', { flags: ['ip'], ifId: tunnelTo(TEP[101]!), encap: '' }), ip(101, '10.9.9.9')]);
    await p.flush();
    expect(p.pendingChecks()).toBe(2);
    clock += 10_000;
    await p.runDueChecks();
    expect((await store.listFindings('f', 'offsubnet', { limit: 10 })).items.map((f) => f.addr)).toEqual(['10.9.9.9']);
    expect((await store.listFindings('f', 'stale', { limit: 10 })).items).toEqual([]);
    clock += 35_000;
    await p.runDueChecks();
    const stale = (await store.listFindings('f', 'stale', { limit: 10 })).items;
    expect(stale.map((f) => [f.addr, f.node, f.last.reason])).toEqual([['10.1.1.7', 105, 'remote']]);
    expect((await store.getEndpoint({ fabric: 'f', vnid: VRF, addr: '10.1.1.7' }))?.flags.stale).toEqual([105]);
    await p.close();
    await store.close();
  });

  it('a transient stale learn fixed before the delay is never reported', async () => {
    clock = T0;
    const { store, p } = await setup();
    await p.submit([ip(103, '10.1.1.8'), ip(105, '10.1.1.8', { flags: ['ip'], ifId: tunnelTo(TEP[101]!), encap: '' })]);
    clock += 5_000;
    await p.submit([ip(105, '10.1.1.8', { flags: ['ip'], ifId: tunnelTo(TEP[103]!), encap: '', status: 'modified', ts: clock })]);
    clock += 60_000;
    await p.runDueChecks();
    expect((await store.listFindings('f', 'stale', { limit: 10 })).items).toEqual([]);
    await p.close();
    await store.close();
  });

  it('takes a check off once its condition clears: not stored when it cleared before its batch, deleted after; armed anew, with its full delay, when it holds again', async () => {
    clock = T0;
    const { store, p } = await setup();
    const stale = (to: number, ts = clock) => ip(105, '10.1.1.9', { flags: ['ip'], ifId: tunnelTo(TEP[to]!), encap: '', status: 'modified', ts });
    // Stale and fixed within one batch (a move's burst of events): the check never reaches the store.
    await p.submit([ip(103, '10.1.1.9'), stale(101), stale(103, clock + 1)]);
    await p.flush();
    expect(await store.loadPendingChecks('f')).toEqual([]);
    // Stale long enough to be written, then fixed: the stored check is deleted.
    clock += 1_000;
    await p.submit([stale(101)]);
    await p.flush();
    expect((await store.loadPendingChecks('f')).map((c) => [c.addr, c.node, c.dueTs])).toEqual([['10.1.1.9', 105, clock + 45_000]]);
    clock += 1_000;
    await p.submit([stale(103)]);
    await p.flush();
    expect(await store.loadPendingChecks('f')).toEqual([]);
    // Cleared and armed again and again: still one queue item for the check (a move's burst flips
    // conditions; an item per flip would fill the queue).
    expect(p.pendingChecks()).toBe(1);
    for (let i = 0; i < 10; i++) await p.submit([stale(101), stale(103, clock + 1)]);
    await p.flush();
    expect(p.pendingChecks()).toBe(1);
    expect(await store.loadPendingChecks('f')).toEqual([]);
    // Stale again 30 s later: confirmed 45 s after that, not at the first check's due time.
    const first = clock - 1_000;
    clock = first + 30_000;
    await p.submit([stale(101)]);
    await p.flush();
    clock = first + 46_000;
    await p.runDueChecks();
    expect((await store.listFindings('f', 'stale', { limit: 10 })).items).toEqual([]);
    clock = first + 30_000 + 45_000;
    expect(await p.runDueChecks()).toBe(1);
    expect((await store.listFindings('f', 'stale', { limit: 10 })).items.map((f) => [f.addr, f.node])).toEqual([['10.1.1.9', 105]]);
    expect(await store.loadPendingChecks('f')).toEqual([]);
    await p.close();
    await store.close();
  });

  it('applies backpressure: submit waits while the queue is over capacity, and nothing is dropped', async () => {
    clock = T0;
    const { store, p } = await setup(':memory:', { queueCapacity: 100 });
    const batch = Array.from({ length: 1000 }, (_, i) => mac(101, `00:00:00:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`));
    let resolved = false;
    const pending = p.submit(batch).then(() => (resolved = true));
    expect(resolved).toBe(false);
    expect(p.queueDepths().reduce((a, b) => a + b, 0)).toBe(1000);
    await pending;
    await p.flush();
    expect(p.endpointCount('f')).toBe(1000);
    expect((await store.countEndpoints('f')).total).toBe(1000);
    await p.close();
    await store.close();
  });

  it('sync: learns that vanished during a gap get synthesised deletes; newer events win', async () => {
    clock = T0;
    const { p, store } = await setup();
    await p.submit([mac(101, '00:00:00:00:00:0a'), mac(101, '00:00:00:00:00:0b'), mac(102, '00:00:00:00:00:0c')]);
    clock += 1000;
    const epoch = await p.beginSync('f', null);
    // the re-read finds only 0a; 0c changes by a live event during the sync
    await p.submit([{ ...mac(101, '00:00:00:00:00:0a', { ts: clock }), fromQuery: true }, mac(103, '00:00:00:00:00:0c', { ts: clock + 1 })]);
    const { deleted } = await p.endSync('f', epoch);
    expect(deleted).toBe(2); // 0b on 101, and 0c's old learn on 102
    expect(p.getState('f', BD, '00:00:00:00:00:0b')?.current).toBeNull();
    expect(p.getState('f', BD, '00:00:00:00:00:0a')?.current?.node).toBe(101);
    expect(p.getState('f', BD, '00:00:00:00:00:0c')?.current?.node).toBe(103);
    await p.close();
    await store.close();
  });

  it('a restart loses nothing committed and re-arms pending confirmations', async () => {
    clock = T0;
    const dir = mkdtempSync(join(tmpdir(), 'ept-pipe-'));
    dirs.push(dir);
    const path = join(dir, 'ept.db');
    const a = await setup(path);
    await a.p.submit([ip(103, '10.1.1.9'), ip(105, '10.1.1.9', { flags: ['ip'], ifId: tunnelTo(TEP[101]!), encap: '' }), mac(101, '00:00:00:00:00:99')]);
    await a.p.close();
    await a.store.close();

    clock += 50_000;
    const b = await setup(path);
    expect(b.p.endpointCount('f')).toBe(2);
    expect(b.p.getState('f', BD, '00:00:00:00:00:99')?.current?.node).toBe(101);
    expect(b.p.pendingChecks()).toBe(1);
    clock += 45_000;
    await b.p.runDueChecks();
    expect((await b.store.listFindings('f', 'stale', { limit: 10 })).items.map((f) => f.addr)).toEqual(['10.1.1.9']);
    await b.p.close();
    await b.store.close();
  });
});

describe('retention', () => {
  it('forgets endpoints gone longer than the retention age, in memory and in the store', async () => {
    clock = T0;
    const { store, p } = await setup();
    await p.submit([mac(101, '00:00:00:00:00:e1'), mac(101, '00:00:00:00:00:e2')]);
    clock += 1000;
    await p.submit([mac(101, '00:00:00:00:00:e1', { status: 'deleted', ts: clock })]);
    clock += 10 * 86_400_000;
    const removed = await p.purgeDeleted('f', clock - 5 * 86_400_000);
    expect(removed).toBe(1);
    expect(p.getState('f', BD, '00:00:00:00:00:e1')).toBeUndefined();
    expect(await store.getEndpoint({ fabric: 'f', vnid: BD, addr: '00:00:00:00:00:e1' })).toBeNull();
    expect(p.getState('f', BD, '00:00:00:00:00:e2')?.current?.node).toBe(101);
    await p.close();
    await store.close();
  });
});

describe('durable watcher', () => {
  it('drops at load a stored check whose endpoint is not stored: it could never be confirmed', async () => {
    clock = T0;
    const dir = mkdtempSync(join(tmpdir(), 'ept-pipe-'));
    dirs.push(dir);
    const path = join(dir, 'ept.db');
    const store = await openSqliteStore({ path });
    const check = { fabric: 'f', vnid: VRF, addr: '10.1.1.40', kind: 'stale' as const, node: 105, dueTs: T0 + 45_000 };
    await store.writeBatch({ endpoints: [], history: [], findings: [], historyCap: 64, findingCap: 64, checksAdded: [check] });
    await store.close();
    const { store: again, p } = await setup(path);
    expect(p.pendingChecks()).toBe(0);
    await p.flush();
    expect(await again.loadPendingChecks('f')).toEqual([]);
    await p.close();
    await again.close();
  });

  it('a restart between a finding and its confirmation still confirms it, exactly once', async () => {
    clock = T0;
    const dir = mkdtempSync(join(tmpdir(), 'ept-watch-'));
    dirs.push(dir);
    const path = join(dir, 'ept.db');
    const a = await setup(path);
    await a.p.submit([ip(103, '10.1.1.20'), ip(105, '10.1.1.20', { flags: ['ip'], ifId: tunnelTo(TEP[101]!), encap: '' })]);
    await a.p.close();
    await a.store.close();
    const peek = await openSqliteStore({ path });
    expect(await peek.loadPendingChecks('f')).toHaveLength(1);
    await peek.close();

    // The restart happens after the check was due: it is confirmed at once, at its original due time.
    clock += 60_000;
    const b = await setup(path);
    expect(b.p.pendingChecks()).toBe(1);
    await b.p.runDueChecks();
    const stale = (await b.store.listFindings('f', 'stale', { limit: 10 })).items;
    expect(stale.map((f) => [f.addr, f.count])).toEqual([['10.1.1.20', 1]]);
    expect(await b.store.loadPendingChecks('f')).toEqual([]);
    await b.p.close();
    await b.store.close();

    // Another restart: nothing is pending, nothing is confirmed twice.
    clock += 60_000;
    const c = await setup(path);
    expect(c.p.pendingChecks()).toBe(0);
    await c.p.runDueChecks();
    expect((await c.store.listFindings('f', 'stale', { limit: 10 })).items.map((f) => f.count)).toEqual([1]);
    await c.p.close();
    await c.store.close();
  });

  it('re-reads the endpoint from the fabric before confirming: a learn the fabric no longer has is not reported', async () => {
    clock = T0;
    const { store, p } = await setup();
    const reads: string[] = [];
    // The "fabric" answers the targeted re-read: the stale remote learn on 105 is gone.
    p.setRecheck('f', async (vnid, addr) => {
      reads.push(`${vnid} ${addr}`);
      const epoch = await p.beginSync('f', null, { vnid, addr });
      await p.submit([{ ...ip(103, addr, { ts: clock }), fromQuery: true }]);
      await p.endSync('f', epoch);
    });
    await p.submit([ip(103, '10.1.1.21'), ip(105, '10.1.1.21', { flags: ['ip'], ifId: tunnelTo(TEP[101]!), encap: '' })]);
    await p.flush();
    clock += 46_000;
    await p.runDueChecks();
    expect(reads).toEqual([`${VRF} 10.1.1.21`]);
    expect((await store.listFindings('f', 'stale', { limit: 10 })).items).toEqual([]);
    expect(p.getState('f', VRF, '10.1.1.21')?.learns.find((l) => l.node === 105)?.present).toBe(false);
    await p.close();
    await store.close();
  });
});

describe('a slow store', () => {
  it('drops an event it cannot apply, names it in the log, and goes on with the next ones', async () => {
    clock = T0;
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (l: string) => lines.push(l) });
    const store = await openSqliteStore({ path: ':memory:' });
    const p = new EndpointPipeline({ store, logger, partitions: 1, now: () => clock });
    await p.attachFabric('f', labTables(), resolveSettings({}));
    // Sources refuse such a pcTag (apic-objects.ts); one that got through must not stall its partition.
    await p.submit([
      mac(101, '00:00:00:00:03:01'),
      mac(102, '00:00:00:00:03:01', { pcTag: 2 ** 30 }),
      // The same learns, one value out of range: nothing of it may be half-written.
      mac(101, '00:00:00:00:03:01', { pcTag: 2 ** 30, ifId: 'eth1/9' }),
      // A new endpoint whose first event cannot be applied is not kept.
      mac(101, '00:00:00:00:03:03', { pcTag: 2 ** 30 }),
      mac(101, '00:00:00:00:03:02'),
      // Right after a dropped event, the next event of that endpoint starts from what was packed.
      mac(101, '00:00:00:00:03:04'),
      mac(101, '00:00:00:00:03:04', { pcTag: 2 ** 30, ifId: 'eth1/9' }),
      mac(103, '00:00:00:00:03:04'),
    ]);
    await p.flush();
    expect(p.getState('f', BD, '00:00:00:00:03:04')?.learns.map((l) => [l.node, l.ifId, l.pcTag])).toEqual([101, 103].map((n) => [n, mac(n, '00:00:00:00:03:04').ifId, mac(n, '00:00:00:00:03:04').pcTag]));
    expect(lines.join('')).toMatch(/event dropped: it could not be applied/);
    expect(lines.join('')).toMatch(/"node":102/);
    expect(p.getState('f', BD, '00:00:00:00:03:01')?.learns.map((l) => l.node)).toEqual([101]);
    const before = mac(101, '00:00:00:00:03:01');
    expect(p.getState('f', BD, '00:00:00:00:03:01')?.learns[0]).toMatchObject({ ifId: before.ifId, pcTag: before.pcTag });
    expect(p.getState('f', BD, '00:00:00:00:03:01')?.current).toMatchObject({ ifId: before.ifId, pcTag: before.pcTag });
    expect(p.getState('f', BD, '00:00:00:00:03:03')).toBeUndefined();
    expect(p.getState('f', BD, '00:00:00:00:03:02')?.learns.map((l) => l.node)).toEqual([101]);
    expect((await store.countEndpoints('f')).total).toBe(3);
    await p.close();
    await store.close();
  });

  it('skips a stored endpoint it cannot hold (written by an older ept) and loads the others', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (l: string) => lines.push(l) });
    const store = await openSqliteStore({ path: ':memory:' });
    const good = endpointState({ fabric: 'f', addr: '00:00:00:00:04:01' });
    const bad = endpointState({ fabric: 'f', addr: '00:00:00:00:04:02' });
    bad.learns[0] = { ...bad.learns[0]!, pcTag: 2 ** 30 };
    await store.writeBatch({ endpoints: [good, bad], history: [], findings: [], historyCap: 8, findingCap: 8 });
    const p = new EndpointPipeline({ store, logger, partitions: 1, now: () => clock });
    expect(await p.attachFabric('f', labTables(), resolveSettings({}))).toBe(1);
    expect(lines.join('')).toMatch(/stored endpoint skipped: it cannot be held/);
    expect(lines.join('')).toMatch(/"addr":"00:00:00:00:04:02"/);
    expect(p.getState('f', good.vnid, good.addr)).toBeDefined();
    await p.close();
    await store.close();
  });

  it('keeps unwritten changes bounded: analysis waits for commits, then sources wait on the queue', async () => {
    clock = T0;
    const inner = await openSqliteStore({ path: ':memory:' });
    const store: Store = Object.create(inner) as Store;
    store.writeBatch = async (b) => {
      await new Promise((r) => setTimeout(r, 20));
      return inner.writeBatch(b);
    };
    const p = new EndpointPipeline({ store, logger: log, partitions: 2, batchSize: 500, queueCapacity: 2000, now: () => clock });
    await p.attachFabric('f', labTables(), resolveSettings({}));
    let maxUnwritten = 0;
    const probe = setInterval(() => (maxUnwritten = Math.max(maxUnwritten, p.unwrittenChanges())), 1);
    for (let i = 0; i < 20; i++) {
      const batch = Array.from({ length: 1000 }, (_, j) => mac(101, `00:00:00:0${(i % 10).toString(16)}:${(j >> 8).toString(16).padStart(2, '0')}:${(j & 255).toString(16).padStart(2, '0')}`, { ifId: `eth1/${i}` }));
      await p.submit(batch);
    }
    await p.flush();
    clearInterval(probe);
    // At most two batches' worth waits, plus one partition chunk (1024 observations, each a
    // history row and a changed endpoint) analysed before the pause takes effect.
    expect(maxUnwritten).toBeLessThanOrEqual(2 * 500 + 2 * 1024);
    expect((await inner.countEndpoints('f')).total).toBe(10_000);
    await p.close();
    await inner.close();
  });
});

describe('watcher re-arming', () => {
  it('a stale learn first seen with no local anywhere (315 s) that becomes a remote stale is confirmed at 45 s', async () => {
    clock = T0;
    const { store, p } = await setup();
    // The remote learn on 105 arrives first: no local anywhere yet -> no-local, 315 s.
    await p.submit([ip(105, '10.1.1.30', { flags: ['ip'], ifId: tunnelTo(TEP[101]!), encap: '' })]);
    await p.flush();
    clock += 1000;
    // Then the endpoint is learned locally on 103: 105 now points at the wrong node -> remote, 45 s.
    await p.submit([ip(103, '10.1.1.30', { ts: clock })]);
    await p.flush();
    clock += 46_000;
    await p.runDueChecks();
    const stale = (await store.listFindings('f', 'stale', { limit: 10 })).items;
    expect(stale.map((f) => [f.addr, f.node, f.last.reason])).toEqual([['10.1.1.30', 105, 'remote']]);
    // The superseded 315 s item does not report it again.
    clock += 300_000;
    await p.runDueChecks();
    expect((await store.listFindings('f', 'stale', { limit: 10 })).items.map((f) => f.count)).toEqual([1]);
    expect(await store.loadPendingChecks('f')).toEqual([]);
    await p.close();
    await store.close();
  });
});

describe('full re-read', () => {
  it('writes each endpoint the snapshot changed once, at the end, not at every batch', async () => {
    clock = T0;
    const inner = await openSqliteStore({ path: ':memory:' });
    const store: Store = Object.create(inner) as Store;
    let upserts = 0;
    store.writeBatch = (b) => {
      upserts += b.endpoints.length;
      return inner.writeBatch(b);
    };
    const p = new EndpointPipeline({ store, logger: log, partitions: 2, batchSize: 10, now: () => clock });
    await p.attachFabric('f', labTables(), resolveSettings({}));
    const epoch = await p.beginSync('f', null);
    // 20 endpoints learned on three nodes, each node's learns in its own page (as the APIC pages by dn)
    for (const node of [101, 102, 105]) {
      const page = Array.from({ length: 20 }, (_, i) => ({ ...mac(node, `00:00:00:00:01:${i.toString(16).padStart(2, '0')}`, { flags: node === 105 ? ['mac'] : ['local', 'mac'], ifId: node === 105 ? tunnelTo(TEP[101]!) : 'eth1/1' }), fromQuery: true }));
      await p.submit(page);
      await p.flush();
    }
    expect(upserts).toBe(0);
    expect((await inner.countEndpoints('f')).total).toBe(0);
    await p.endSync('f', epoch);
    expect(upserts).toBe(20);
    expect((await inner.countEndpoints('f')).total).toBe(20);
    expect((await inner.getEndpoint({ fabric: 'f', vnid: BD, addr: '00:00:00:00:01:00' }))?.learns.map((l) => l.node)).toEqual([101, 102, 105]);
    // A live event during no sync is written with its batch, as always.
    await p.submit([mac(103, '00:00:00:00:01:00', { ts: clock + 1 })]);
    await p.flush();
    expect(upserts).toBe(21);
    await p.close();
    await inner.close();
  });

  it('once a full re-read has read its MAC class, writes the MAC endpoints while the IP classes are read; the IPs at its end', async () => {
    clock = T0;
    const inner = await openSqliteStore({ path: ':memory:' });
    const store: Store = Object.create(inner) as Store;
    const written: string[] = [];
    store.writeBatch = (b) => {
      for (const e of b.endpoints) written.push(e.addr);
      return inner.writeBatch(b);
    };
    const p = new EndpointPipeline({ store, logger: log, partitions: 2, batchSize: 10, now: () => clock });
    await p.attachFabric('f', labTables(), resolveSettings({}));
    const macAddr = (i: number): string => `00:00:00:00:03:${i.toString(16).padStart(2, '0')}`;
    const epoch = await p.beginSync('f', null);
    await p.submit(Array.from({ length: 25 }, (_, i) => ({ ...mac(101, macAddr(i)), fromQuery: true })));
    await p.flush();
    expect(written).toEqual([]);
    p.classRead('f', epoch, 'mac');
    await p.submit(Array.from({ length: 15 }, (_, i) => ({ ...ip(101, `10.1.1.${100 + i}`), fromQuery: true })));
    await p.flush();
    // The MAC endpoints are written, each once; the IP endpoints wait for the re-read's end.
    expect(written.slice().sort()).toEqual(Array.from({ length: 25 }, (_, i) => macAddr(i)));
    // A MAC the re-read changes again after that (a queued page) is written again at the end.
    await p.submit([{ ...mac(102, macAddr(0), { flags: ['mac'], ifId: tunnelTo(TEP[101]!) }), fromQuery: true }]);
    await p.endSync('f', epoch);
    expect(written).toHaveLength(25 + 15 + 1);
    expect(written.slice(25, 40).every((a) => a.startsWith('10.1.1.'))).toBe(true);
    expect((await inner.getEndpoint({ fabric: 'f', vnid: BD, addr: macAddr(0) }))?.learns.map((l) => l.node)).toEqual([101, 102]);
    // A per-node re-read defers nothing: its changes are written with their batch, once.
    const partial = await p.beginSync('f', [101]);
    await p.submit([{ ...mac(101, macAddr(1), { ts: clock + 5, ifId: 'eth1/9' }), fromQuery: true }]);
    p.classRead('f', partial, 'mac');
    await p.endSync('f', partial);
    expect(written).toHaveLength(25 + 15 + 1 + 1);
    await p.close();
    await inner.close();
  });

  it.each([true, false])('overlaps a commit with the next batch only where the store keeps call order (%s); a failed batch goes with the last', async (inOrder) => {
    clock = T0;
    const inner = await openSqliteStore({ path: ':memory:' });
    const store = Object.create(inner) as Store & { writesInOrder: boolean };
    store.writesInOrder = inOrder;
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    store.writeBatch = async (b) => {
      const call = ++calls;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 10));
        if (call === 2) throw new Error('disk full (test)');
        return await inner.writeBatch(b);
      } finally {
        inFlight--;
      }
    };
    const p = new EndpointPipeline({ store, logger: log, partitions: 2, batchSize: 10, now: () => clock });
    await p.attachFabric('f', labTables(), resolveSettings({}));
    const epoch = await p.beginSync('f', null);
    const addr = (i: number): string => `00:00:00:00:02:${i.toString(16).padStart(2, '0')}`;
    await p.submit(Array.from({ length: 50 }, (_, i) => ({ ...mac(101, addr(i)), fromQuery: true })));
    await p.endSync('f', epoch);
    expect(maxInFlight).toBe(inOrder ? 2 : 1);
    expect(calls).toBeGreaterThanOrEqual(6);
    expect((await inner.countEndpoints('f')).total).toBe(50);
    for (let i = 0; i < 50; i++) expect((await inner.getEndpoint({ fabric: 'f', vnid: BD, addr: addr(i) }))?.learns.map((l) => l.node)).toEqual([101]);
    await p.close();
    await inner.close();
  });
});
