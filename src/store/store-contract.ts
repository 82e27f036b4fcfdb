// The Store contract: one suite every Store adapter must pass. Run it from the adapter's test file:
//   runStoreContract('sqlite (memory)', () => openSqliteStore({ path: ':memory:' }));
import { afterEach, describe, expect, it } from 'vitest';
import { vpcPseudoNode, type EndpointState } from '../core/types.js';
import type { FabricConfig, Store } from './store.js';
import { hostStoreContract } from './host-store-contract.js';
import { addresses, batch, endpointState, finding, historyEvent, T0 } from './store-fixtures.js';

/** Options of the contract suite. */
export interface StoreContractOptions {
  /** Closes the store and opens it again on the same data; enables the durability tests. */
  reopen?: (store: Store) => Promise<Store>;
}

function fabricConfig(name: string, createdTs = T0): FabricConfig {
  return {
    name,
    apic: { urls: ['https://10.0.0.1'], username: 'admin', password: 'secret', verifyTls: true },
    settings: { analyze_move: false } as FabricConfig['settings'],
    autoStart: true,
    simulated: false,
    createdTs,
    notifications: {},
  };
}

const keyOf = (s: EndpointState): string => `${s.fabric}|${s.vnid}|${s.addr}`;

/**
 * The stored state equals the written one; its id is the one written (or, for a state written
 * without one, whatever the store gave it), or 0 from a store that keys rows by address only.
 */
function expectSameState(got: EndpointState | null, want: EndpointState): void {
  expect(got).not.toBeNull();
  expect({ ...got!, id: 0 }).toEqual({ ...want, id: 0 });
  if (want.id > 0) expect([want.id, 0]).toContain(got!.id);
}

export function runStoreContract(name: string, makeStore: () => Promise<Store>, options: StoreContractOptions = {}): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const open = async (): Promise<Store> => (store = await makeStore());
    afterEach(async () => {
      await store.close();
    });

    it('puts, replaces, lists and deletes fabrics', async () => {
      await open();
      expect(await store.getFabric('fab1')).toBeNull();
      await store.putFabric(fabricConfig('fab2'));
      await store.putFabric(fabricConfig('fab1'));
      await store.putFabric({ ...fabricConfig('fab1'), autoStart: false });
      expect(await store.getFabric('fab1')).toEqual({ ...fabricConfig('fab1'), autoStart: false });
      expect((await store.listFabrics()).map((f) => f.name)).toEqual(['fab1', 'fab2']);
      expect(await store.deleteFabric('fab1')).toBe(true);
      expect(await store.deleteFabric('fab1')).toBe(false);
      expect((await store.listFabrics()).map((f) => f.name)).toEqual(['fab2']);
    });

    it('saves fabric objects: upsert, delete by status, replace classes, per fabric', async () => {
      await open();
      const node = (id: number, role = 'leaf') => ({
        cls: 'fabricNode',
        dn: `topology/pod-1/node-${id}`,
        attrs: { dn: `topology/pod-1/node-${id}`, id: String(id), role },
      });
      const bd = { cls: 'fvBD', dn: 'uni/tn-t1/BD-bd1', attrs: { dn: 'uni/tn-t1/BD-bd1', seg: '15826915' } };
      await store.saveFabricObjects('fab1', [node(101), node(102), bd]);
      await store.saveFabricObjects('fab2', [node(201)]);
      await store.saveFabricObjects('fab1', [node(102, 'spine'), { ...node(101), attrs: { ...node(101).attrs, status: 'deleted' } }]);
      const sortDn = (rows: { dn: string }[]) => rows.map((r) => r.dn).sort();
      let rows = await store.loadFabricObjects('fab1');
      expect(sortDn(rows)).toEqual(['topology/pod-1/node-102', 'uni/tn-t1/BD-bd1']);
      expect(rows.find((r) => r.dn.endsWith('node-102'))).toEqual(node(102, 'spine'));
      await store.saveFabricObjects('fab1', [node(105)], ['fabricNode']);
      rows = await store.loadFabricObjects('fab1');
      expect(sortDn(rows)).toEqual(['topology/pod-1/node-105', 'uni/tn-t1/BD-bd1']);
      expect(sortDn(await store.loadFabricObjects('fab2'))).toEqual(['topology/pod-1/node-201']);
    });

    it('round-trips endpoint states exactly and upserts them', async () => {
      await open();
      const [mac, v4, v6] = addresses(3) as [string, string, string];
      const states = [
        endpointState({ addr: mac, local: 101 }),
        endpointState({ addr: v4, local: vpcPseudoNode(101, 102), remotes: [103] }),
        endpointState({ addr: v6, local: 0, gone: true, deletedTs: T0 - 10 }),
      ];
      // Two numbered as the pipeline numbers them, one written by key only (id 0).
      states[0]!.id = store.newEndpointId();
      states[1]!.id = store.newEndpointId();
      expect(states[1]!.id).toBeGreaterThan(states[0]!.id);
      await store.writeBatch(batch({ endpoints: states }));
      for (const s of states) expectSameState(await store.getEndpoint(s), s);
      const moved = { ...states[0]!, current: { ...states[0]!.current!, node: 102 }, ts: T0 + 5 };
      const movedByKey = { ...states[2]!, ts: T0 + 6 };
      await store.writeBatch(batch({ endpoints: [moved, movedByKey] }));
      expectSameState(await store.getEndpoint(moved), moved);
      expectSameState(await store.getEndpoint(movedByKey), movedByKey);
      expect(await store.getEndpoint({ fabric: 'fab1', vnid: 1, addr: mac })).toBeNull();
      expect(await store.getEndpoint({ fabric: 'other', vnid: moved.vnid, addr: mac })).toBeNull();
      expect(await store.countEndpoints('fab1')).toEqual({ total: 3, active: 2 });
    });

    it('caps history per endpoint and node by slot, newest first', async () => {
      await open();
      const s = endpointState({ addr: '10.1.1.1' });
      const rows = [];
      for (let seq = 0; seq < 20; seq++) rows.push(historyEvent(s, 101, seq, T0 + seq * 10));
      for (let seq = 0; seq < 3; seq++) rows.push(historyEvent(s, 102, seq, T0 + seq * 10 + 5));
      s.id = store.newEndpointId();
      // By endpoint id (as the pipeline writes), then by key only; rows in any order within a batch
      // (two rows for one slot in a batch: the higher seq wins).
      await store.writeBatch(batch({ endpoints: [s], history: rows.slice(0, 10).reverse(), historyIds: rows.slice(0, 10).map(() => s.id), historyCap: 8 }));
      expect((await store.history(s, 100)).filter((h) => h.node === 101).map((h) => h.seq)).toEqual([9, 8, 7, 6, 5, 4, 3, 2]);
      await store.writeBatch(batch({ history: rows.slice(10), historyCap: 8 }));
      const all = await store.history(s, 100);
      expect(all.filter((h) => h.node === 101).map((h) => h.seq)).toEqual([19, 18, 17, 16, 15, 14, 13, 12]);
      expect(all.filter((h) => h.node === 102)).toEqual([rows[22], rows[21], rows[20]]);
      expect(all.map((h) => h.ts)).toEqual([...all.map((h) => h.ts)].sort((a, b) => b - a));
      expect(all.find((h) => h.seq === 19 && h.node === 101)).toEqual(rows[19]);
      // A batch retried after a later one (older events for the same slots, by id and by key) leaves the newer events.
      await store.writeBatch(batch({ history: rows.slice(4, 10), historyIds: rows.slice(4, 10).map(() => s.id), historyCap: 8 }));
      await store.writeBatch(batch({ history: rows.slice(8, 10), historyCap: 8 }));
      expect((await store.history(s, 100)).filter((h) => h.node === 101).map((h) => h.seq)).toEqual([19, 18, 17, 16, 15, 14, 13, 12]);
      expect(await store.history(s, 3)).toHaveLength(3);
      expect(await store.history({ ...s, addr: '10.1.1.2' }, 10)).toEqual([]);
    });

    it('pages endpoints by keyset with no duplicates or gaps, even with writes between pages', async () => {
      await open();
      const states = addresses(120).map((addr, i) => endpointState({ addr, vnid: 1000 + (i % 2) }));
      await store.writeBatch(batch({ endpoints: states }));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listEndpoints('fab1', { limit: 7, cursor });
        expect(page.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.items.map(keyOf));
        cursor = page.nextCursor ?? undefined;
        if (pages++ === 3) {
          // A write landing before the cursor must not shift later pages.
          await store.writeBatch(batch({ endpoints: [endpointState({ addr: '0.0.0.1', vnid: 1000 })] }));
        }
      } while (cursor);
      expect(pages).toBe(Math.ceil(120 / 7));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(states.map(keyOf).sort());
      const ordered = states.map((s) => [s.addr, s.vnid] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
      expect(seen).toEqual(ordered.map(([addr, vnid]) => `fab1|${vnid}|${addr}`));
      const exact = await store.listEndpoints('fab1', { limit: 121 });
      expect(exact.items).toHaveLength(121);
      expect(exact.nextCursor).toBeNull();
    });

    it('lists across fabrics, merging pages, when fabric is null', async () => {
      await open();
      const addrs = addresses(10);
      const states = ['fa', 'fb', 'fc'].flatMap((fabric) => addrs.map((addr) => endpointState({ fabric, addr, vnid: 7 })));
      await store.writeBatch(batch({ endpoints: states }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listEndpoints(null, { limit: 4, cursor });
        seen.push(...page.items.map(keyOf));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
      const first = [...addrs].sort()[0];
      expect(seen.slice(0, 3)).toEqual([`fa|7|${first}`, `fb|7|${first}`, `fc|7|${first}`]);
      const found = await store.listEndpoints(null, { limit: 10, search: addrs[1] });
      expect(found.items.map((s) => s.fabric)).toEqual(['fa', 'fb', 'fc']);
    });

    it('filters endpoints by case-insensitive address prefix, type and flag', async () => {
      await open();
      const now = Date.now();
      const states = [
        endpointState({ addr: 'aa:bb:cc:00:00:01' }),
        endpointState({ addr: 'aa:bb:cd:00:00:02', offsubnet: [101] }),
        endpointState({ addr: '10.1.1.1', stale: [103] }),
        endpointState({ addr: '10.1.10.1', rapidUntil: now + 600_000 }),
        endpointState({ addr: '10.2.1.1', rapidUntil: now - 1000 }),
        endpointState({ addr: '2001:db8::1', local: 0, gone: true }),
        endpointState({ addr: '2001:db8::a', local: 0, remotes: [103] }),
      ];
      await store.writeBatch(batch({ endpoints: states }));
      const addrs = async (q: Parameters<Store['listEndpoints']>[1]) =>
        (await store.listEndpoints('fab1', q)).items.map((s) => s.addr);
      expect(await addrs({ limit: 50, search: 'AA:BB:C' })).toEqual(['aa:bb:cc:00:00:01', 'aa:bb:cd:00:00:02']);
      expect(await addrs({ limit: 50, search: 'aa:bb:cc' })).toEqual(['aa:bb:cc:00:00:01']);
      expect(await addrs({ limit: 50, search: '10.1.1' })).toEqual(['10.1.1.1', '10.1.10.1']);
      expect(await addrs({ limit: 50, search: '2001:DB8::' })).toEqual(['2001:db8::1', '2001:db8::a']);
      expect(await addrs({ limit: 50, search: '10.3' })).toEqual([]);
      expect(await addrs({ limit: 50, type: 'ipv4' })).toEqual(['10.1.1.1', '10.1.10.1', '10.2.1.1']);
      expect(await addrs({ limit: 50, type: 'mac', search: 'aa:bb:cd' })).toEqual(['aa:bb:cd:00:00:02']);
      expect(await addrs({ limit: 50, flag: 'offsubnet' })).toEqual(['aa:bb:cd:00:00:02']);
      expect(await addrs({ limit: 50, flag: 'stale' })).toEqual(['10.1.1.1']);
      expect(await addrs({ limit: 50, flag: 'rapid' })).toEqual(['10.1.10.1']);
      expect(await addrs({ limit: 50, flag: 'deleted' })).toEqual(['2001:db8::1', '2001:db8::a']);
      expect(await addrs({ limit: 50, flag: 'active' })).toHaveLength(5);
      expect(await addrs({ limit: 50, flag: 'active', type: 'ipv6' })).toEqual([]);
      // Clearing a flag removes the endpoint from the flag's listing.
      await store.writeBatch(batch({ endpoints: [endpointState({ addr: 'aa:bb:cd:00:00:02' })] }));
      expect(await addrs({ limit: 50, flag: 'offsubnet' })).toEqual([]);
      expect(await store.countEndpoints('fab1')).toEqual({ total: 7, active: 5 });
      expect(await store.countEndpoints('nope')).toEqual({ total: 0, active: 0 });
    });

    it('rejects a bad cursor or limit with bad_request', async () => {
      await open();
      await expect(store.listEndpoints('fab1', { limit: 10, cursor: 'garbage!' })).rejects.toMatchObject({ code: 'bad_request' });
      await expect(store.listFindings('fab1', 'move', { limit: 10, cursor: 'WzFd' })).rejects.toMatchObject({ name: 'EptError', code: 'bad_request' });
      await expect(store.listEndpoints('fab1', { limit: 0 })).rejects.toMatchObject({ code: 'bad_request' });
      await expect(store.writeBatch(batch({ historyCap: 0 }))).rejects.toMatchObject({ code: 'bad_request' });
    });

    it('scans every endpoint of a fabric in pages', async () => {
      await open();
      const states = addresses(55).map((addr) => endpointState({ addr }));
      await store.writeBatch(batch({ endpoints: [...states, endpointState({ fabric: 'fab2', addr: '10.9.9.9' })] }));
      const pages: number[] = [];
      const seen = new Set<string>();
      for await (const page of store.scanEndpoints('fab1', 10)) {
        pages.push(page.length);
        for (const s of page) seen.add(keyOf(s));
      }
      expect(pages).toEqual([10, 10, 10, 10, 10, 5]);
      expect(seen).toEqual(new Set(states.map(keyOf)));
      const none = [];
      for await (const page of store.scanEndpoints('empty')) none.push(page);
      expect(none).toEqual([]);
    });

    it('records findings: one record per (kind, endpoint, node), per endpoint for moves, with count, times and capped events', async () => {
      await open();
      const s = endpointState({ addr: '10.1.1.1' });
      // Moves to two nodes in turn: one record (node 0), each event keeping its own node.
      const moves = Array.from({ length: 12 }, (_, i) => finding(s, 'move', T0 + i * 1000, i % 2 ? 102 : 101));
      await store.writeBatch(batch({ endpoints: [s], findings: moves.slice(0, 5), findingCap: 4 }));
      await store.writeBatch(batch({ findings: [...moves.slice(5), finding(s, 'stale', T0, 104)], findingCap: 4 }));
      const recs = await store.findingsForEndpoint(s);
      expect(recs.map((r) => r.kind)).toEqual(['move', 'stale']);
      const move = recs[0]!;
      expect(move).toMatchObject({ fabric: 'fab1', kind: 'move', vnid: s.vnid, addr: s.addr, type: 'ipv4', node: 0, count: 12 });
      expect(move.firstTs).toBe(T0);
      expect(move.lastTs).toBe(T0 + 11_000);
      expect(move.last).toEqual(moves[11]);
      expect(move.events).toEqual([moves[11], moves[10], moves[9], moves[8]]);
      expect(move.last.node).toBe(102);
      expect(recs[1]).toMatchObject({ node: 104, count: 1, last: { reason: 'remote', remote: 104 } });
      // An older finding arriving late counts but does not replace the latest.
      await store.writeBatch(batch({ findings: [finding(s, 'move', T0 - 5000)], findingCap: 4 }));
      const again = (await store.findingsForEndpoint(s))[0]!;
      expect(again).toMatchObject({ count: 13, firstTs: T0 - 5000, lastTs: T0 + 11_000, last: moves[11] });
      expect(again.events).toHaveLength(4);
    });

    it('records findings by endpoint id before the endpoint row is written (a build writes rows at its end)', async () => {
      await open();
      const s = { ...endpointState({ addr: '10.1.1.2' }), id: store.newEndpointId() };
      await store.writeBatch(batch({ history: [historyEvent(s, 101, 0, T0)], historyIds: [s.id], findings: [finding(s, 'move', T0)], findingIds: [s.id] }));
      await store.writeBatch(batch({ endpoints: [s], findings: [finding(s, 'move', T0 + 1000)], findingIds: [s.id] }));
      const [rec] = await store.findingsForEndpoint(s);
      expect(rec).toMatchObject({ kind: 'move', count: 2, firstTs: T0, lastTs: T0 + 1000 });
      expect((await store.listFindings('fab1', 'move', { limit: 10 })).items.map((r) => r.addr)).toEqual([s.addr]);
      expect(await store.history(s, 10)).toHaveLength(1);
    });

    it('lists findings newest first with keyset pages, search, node and since; counts them', async () => {
      await open();
      const states = addresses(30).map((addr) => endpointState({ addr }));
      const findings = states.map((s, i) => finding(s, 'stale', T0 + (i % 10) * 1000, 101 + (i % 3)));
      await store.writeBatch(batch({ endpoints: states, findings: [...findings, finding(states[0]!, 'move', T0)] }));
      const seen: string[] = [];
      let cursor: string | undefined;
      let lastTs = Infinity;
      do {
        const page = await store.listFindings('fab1', 'stale', { limit: 4, cursor });
        for (const r of page.items) {
          expect(r.lastTs).toBeLessThanOrEqual(lastTs);
          lastTs = r.lastTs;
          seen.push(`${r.vnid}|${r.addr}|${r.node}`);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
      const byNode = await store.listFindings('fab1', 'stale', { limit: 100, node: 102 });
      expect(byNode.items).toHaveLength(10);
      expect(byNode.items.every((r) => r.node === 102)).toBe(true);
      const since = await store.listFindings('fab1', 'stale', { limit: 100, since: T0 + 8000 });
      expect(since.items.map((r) => r.lastTs).sort()).toEqual([T0 + 8000, T0 + 8000, T0 + 8000, T0 + 9000, T0 + 9000, T0 + 9000]);
      const search = await store.listFindings('fab1', 'stale', { limit: 100, search: '2001:DB8::' });
      expect(search.items.map((r) => r.addr).sort()).toEqual(states.filter((s) => s.type === 'ipv6').map((s) => s.addr).sort());
      expect(await store.countFindings('fab1')).toEqual({ move: 1, offsubnet: 0, stale: 30, rapid: 0 });
      expect(await store.countFindings('fab1', T0 + 9000)).toEqual({ move: 0, offsubnet: 0, stale: 3, rapid: 0 });
      expect((await store.listFindings('fab2', 'stale', { limit: 10 })).items).toEqual([]);
    });

    it('pages findings in every sort and order, each record exactly once, with cursors bound to their sort', async () => {
      await open();
      // Ties on purpose: counts 1-3, four distinct times, two nodes per address for some, and one
      // address under two vnids, so only the (vnid, addr, node) tie-break makes the order total.
      const states = [...addresses(14).map((addr) => endpointState({ addr })), endpointState({ addr: addresses(2)[1]!, vnid: 2_999_999 })];
      const findings = states.flatMap((s, i) =>
        (i % 2 === 0 ? [101, 102] : [103]).flatMap((node) => Array.from({ length: 1 + ((i + node) % 3) }, (_, k) => finding(s, 'stale', T0 + (i % 4) * 1000 - k * 10, node))),
      );
      await store.writeBatch(batch({ endpoints: states, findings: [...findings, finding(states[0]!, 'move', T0)] }));
      const all = (await store.listFindings('fab1', 'stale', { limit: 1000 })).items;
      expect(all).toHaveLength(23);
      expect(new Set(all.map((r) => r.count))).toEqual(new Set([1, 2, 3]));
      const id = (r: { vnid: number; addr: string; node: number }) => `${r.vnid}|${r.addr}|${r.node}`;
      const keyOf: Record<'lastTs' | 'count' | 'addr', (r: (typeof all)[number]) => (string | number)[]> = {
        lastTs: (r) => [r.lastTs, r.vnid, r.addr, r.node],
        count: (r) => [r.count, r.lastTs, r.vnid, r.addr, r.node],
        addr: (r) => [r.addr, r.vnid, r.node],
      };
      const cmp = (a: (string | number)[], b: (string | number)[]): number => {
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as string | number) < (b[i] as string | number) ? -1 : 1;
        return 0;
      };
      for (const sort of ['lastTs', 'count', 'addr'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const expected = [...all].sort((a, b) => cmp(keyOf[sort](a), keyOf[sort](b)) * (order === 'asc' ? 1 : -1)).map(id);
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.listFindings('fab1', 'stale', { limit: 4, sort, order, ...(cursor ? { cursor } : {}) });
            seen.push(...page.items.map(id));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(seen, `${sort} ${order}`).toEqual(expected);
        }
      }
      // Filters combine with a sort; a cursor only continues the sort and order that made it.
      const byNode = await store.listFindings('fab1', 'stale', { limit: 100, node: 101, sort: 'count', order: 'asc' });
      expect(byNode.items.map((r) => r.count)).toEqual([...byNode.items.map((r) => r.count)].sort());
      expect(byNode.items.every((r) => r.node === 101)).toBe(true);
      const first = await store.listFindings('fab1', 'stale', { limit: 2, sort: 'count' });
      await expect(store.listFindings('fab1', 'stale', { limit: 2, sort: 'addr', cursor: first.nextCursor ?? '' })).rejects.toMatchObject({ code: 'bad_request' });
      await expect(store.listFindings('fab1', 'stale', { limit: 2, sort: 'count', order: 'asc', cursor: first.nextCursor ?? '' })).rejects.toMatchObject({ code: 'bad_request' });
    });

    it('purges deleted endpoints older than the cutoff with their history and findings', async () => {
      await open();
      const old = endpointState({ addr: '10.0.0.1', local: 0, gone: true, deletedTs: T0 - 100_000 });
      const recent = endpointState({ addr: '10.0.0.2', local: 0, gone: true, deletedTs: T0 });
      const remoteOnly = endpointState({ addr: '10.0.0.3', local: 0, remotes: [103], deletedTs: T0 - 100_000 });
      const live = endpointState({ addr: '10.0.0.4', ts: T0 - 200_000 });
      const otherFabric = { ...old, fabric: 'fab2' };
      const all = [old, recent, remoteOnly, live, otherFabric];
      await store.writeBatch(
        batch({
          endpoints: all,
          history: all.map((s) => historyEvent(s, 101, 1, T0)),
          findings: all.map((s) => finding(s, 'stale', T0, 103)),
        }),
      );
      expect(await store.purgeDeleted('fab1', T0 - 50_000)).toBe(1);
      expect(await store.getEndpoint(old)).toBeNull();
      expect(await store.history(old, 10)).toEqual([]);
      expect(await store.findingsForEndpoint(old)).toEqual([]);
      for (const s of [recent, remoteOnly, live, otherFabric]) {
        expectSameState(await store.getEndpoint(s), s);
        expect(await store.history(s, 10)).toHaveLength(1);
        expect(await store.findingsForEndpoint(s)).toHaveLength(1);
      }
      expect(await store.countFindings('fab1')).toMatchObject({ stale: 3 });
      expect(await store.purgeDeleted('fab1', T0 - 50_000)).toBe(0);
      expect(await store.purgeDeleted('fab1', T0 + 1)).toBe(1);
    });

    it('deletes a fabric with everything stored for it', async () => {
      await open();
      const a = endpointState({ addr: '10.0.0.1' });
      const b = { ...a, fabric: 'fab2' };
      await store.putFabric(fabricConfig('fab1'));
      await store.putFabric(fabricConfig('fab2'));
      await store.saveFabricObjects('fab1', [{ cls: 'fvCtx', dn: 'uni/tn-t/ctx-v', attrs: { scope: '2981888' } }]);
      await store.saveFabricObjects('fab2', [{ cls: 'fvCtx', dn: 'uni/tn-t/ctx-v', attrs: { scope: '2981888' } }]);
      await store.writeBatch(
        batch({ endpoints: [a, b], history: [historyEvent(a, 101, 0, T0), historyEvent(b, 101, 0, T0)], findings: [finding(a, 'move', T0), finding(b, 'move', T0)] }),
      );
      expect(await store.deleteFabric('fab1')).toBe(true);
      expect(await store.getFabric('fab1')).toBeNull();
      expect(await store.loadFabricObjects('fab1')).toEqual([]);
      expect(await store.getEndpoint(a)).toBeNull();
      expect(await store.history(a, 10)).toEqual([]);
      expect(await store.findingsForEndpoint(a)).toEqual([]);
      expect(await store.countEndpoints('fab1')).toEqual({ total: 0, active: 0 });
      expectSameState(await store.getEndpoint(b), b);
      expect(await store.history(b, 10)).toHaveLength(1);
      expect(await store.findingsForEndpoint(b)).toHaveLength(1);
      expect(await store.loadFabricObjects('fab2')).toHaveLength(1);
    });

    it('keeps pending checks: added and completed in write batches, per fabric, deleted with the fabric', async () => {
      await open();
      const c = (fabric: string, addr: string, kind: 'offsubnet' | 'stale' | 'rapid-end', node: number, dueTs: number) => ({ fabric, vnid: 1, addr, kind, node, dueTs });
      await store.writeBatch(batch({ checksAdded: [c('fab1', '10.0.0.1', 'stale', 101, T0 + 45_000), c('fab1', '10.0.0.2', 'offsubnet', 102, T0 + 10_000), c('fab2', '10.0.0.1', 'rapid-end', 0, T0)] }));
      expect(await store.loadPendingChecks('fab1')).toEqual([c('fab1', '10.0.0.2', 'offsubnet', 102, T0 + 10_000), c('fab1', '10.0.0.1', 'stale', 101, T0 + 45_000)]);
      // re-adding the same check moves its due time; completing removes it
      await store.writeBatch(batch({ checksAdded: [c('fab1', '10.0.0.1', 'stale', 101, T0 + 90_000)], checksDone: [c('fab1', '10.0.0.2', 'offsubnet', 102, 0)] }));
      expect(await store.loadPendingChecks('fab1')).toEqual([c('fab1', '10.0.0.1', 'stale', 101, T0 + 90_000)]);
      await store.putFabric(fabricConfig('fab2'));
      await store.deleteFabric('fab2');
      expect(await store.loadPendingChecks('fab2')).toEqual([]);
    });

    it('returns notifications {} for a fabric stored without them, and keeps them when set', async () => {
      await open();
      const { notifications: _, ...old } = fabricConfig('old');
      await store.putFabric(old);
      expect((await store.getFabric('old'))?.notifications).toEqual({});
      await store.putFabric({ ...fabricConfig('new'), notifications: { notify_move_webhook: true, webhook_url: 'http://127.0.0.1:9/x' } });
      expect((await store.listFabrics()).find((f) => f.name === 'new')?.notifications).toEqual({ notify_move_webhook: true, webhook_url: 'http://127.0.0.1:9/x' });
    });

    it('records clears newest first, per fabric and per endpoint, in keyset pages; deleted with the fabric', async () => {
      await open();
      const clear = (fabric: string, addr: string, ts: number) => ({
        fabric,
        vnid: 7,
        addr,
        nodes: [101, 102],
        who: 'admin',
        reason: 'stale learn',
        ts,
        dryRun: false,
        outcome: 'ok' as const,
        results: [{ node: 101, command: 'clear system internal epm endpoint key vrf t:v ip ' + addr, ok: true, output: '' }],
      });
      const a = await store.addClear(clear('fab1', '10.0.0.1', T0));
      const b = await store.addClear(clear('fab1', '10.0.0.2', T0 + 1));
      const c = await store.addClear(clear('fab1', '10.0.0.1', T0 + 2));
      await store.addClear(clear('fab2', '10.0.0.1', T0 + 3));
      expect(b.id).toBeGreaterThan(a.id);
      expect(a).toEqual({ ...clear('fab1', '10.0.0.1', T0), id: a.id });
      const p1 = await store.listClears('fab1', { limit: 2 });
      expect(p1.items).toEqual([c, b]);
      expect(p1.nextCursor).not.toBeNull();
      const p2 = await store.listClears('fab1', { limit: 2, cursor: p1.nextCursor ?? '' });
      expect(p2).toEqual({ items: [a], nextCursor: null });
      expect((await store.listClears('fab1', { limit: 10, endpoint: { vnid: 7, addr: '10.0.0.1' } })).items).toEqual([c, a]);
      expect((await store.listClears('fab1', { limit: 10, endpoint: { vnid: 8, addr: '10.0.0.1' } })).items).toEqual([]);
      await expect(store.listClears('fab1', { limit: 2, cursor: 'nonsense' })).rejects.toMatchObject({ code: 'bad_request' });
      await store.putFabric(fabricConfig('fab1'));
      await store.deleteFabric('fab1');
      expect((await store.listClears('fab1', { limit: 10 })).items).toEqual([]);
      expect((await store.listClears('fab2', { limit: 10 })).items).toHaveLength(1);
    });

    it('keeps an audit log newest first, filtered by fabric, paged, surviving fabric deletion', async () => {
      await open();
      const e = (fabric: string | null, action: string, ts: number) => ({ ts, who: 'admin', action, fabric, outcome: 'ok' as const, details: { changed: ['x'] } });
      const a = await store.addAudit(e('fab1', 'fabric.create', T0));
      const b = await store.addAudit(e(null, 'user.create', T0 + 1));
      const c = await store.addAudit(e('fab1', 'fabric.delete', T0 + 2));
      expect(a).toEqual({ ...e('fab1', 'fabric.create', T0), id: a.id });
      expect((await store.listAudit({ limit: 10 })).items).toEqual([c, b, a]);
      const p1 = await store.listAudit({ limit: 1, fabric: 'fab1' });
      expect(p1.items).toEqual([c]);
      expect((await store.listAudit({ limit: 1, fabric: 'fab1', cursor: p1.nextCursor ?? '' })).items).toEqual([a]);
      await store.putFabric(fabricConfig('fab1'));
      await store.deleteFabric('fab1');
      expect((await store.listAudit({ limit: 10, fabric: 'fab1' })).items).toHaveLength(2);
    });

    it('stores users and tokens, and drops expired tokens', async () => {
      await open();
      expect(await store.countUsers()).toBe(0);
      await store.putUser({ username: 'admin', role: 'admin', passwordHash: 'scrypt$abc' });
      await store.putUser({ username: 'ro', role: 'viewer', passwordHash: 'scrypt$def' });
      await store.putUser({ username: 'ro', role: 'admin', passwordHash: 'scrypt$xyz' });
      expect(await store.getUser('ro')).toEqual({ username: 'ro', role: 'admin', passwordHash: 'scrypt$xyz' });
      expect(await store.getUser('nobody')).toBeNull();
      expect(await store.countUsers()).toBe(2);
      await store.putToken({ tokenHash: 'h1', username: 'admin', expiresTs: T0 });
      await store.putToken({ tokenHash: 'h2', username: 'ro', expiresTs: T0 + 1000 });
      expect(await store.getToken('h1')).toEqual({ tokenHash: 'h1', username: 'admin', expiresTs: T0 });
      await store.deleteExpiredTokens(T0);
      expect(await store.getToken('h1')).toBeNull();
      expect(await store.getToken('h2')).toEqual({ tokenHash: 'h2', username: 'ro', expiresTs: T0 + 1000 });
    });

    const reopen = options.reopen;
    it.skipIf(!reopen)('keeps everything committed across a close and reopen', async () => {
      await open();
      const s = endpointState({ addr: 'aa:bb:cc:dd:ee:ff' });
      await store.putFabric(fabricConfig('fab1'));
      await store.putUser({ username: 'admin', role: 'admin', passwordHash: 'h' });
      await store.saveFabricObjects('fab1', [{ cls: 'fvBD', dn: 'uni/tn-t/BD-b', attrs: { seg: '1' } }]);
      await store.writeBatch(batch({ endpoints: [s], history: [historyEvent(s, 101, 0, T0)], findings: [finding(s, 'move', T0)] }));
      store = await reopen!(store);
      expect(await store.getFabric('fab1')).toEqual(fabricConfig('fab1'));
      expect(await store.getUser('admin')).toMatchObject({ role: 'admin' });
      expect(await store.loadFabricObjects('fab1')).toHaveLength(1);
      expectSameState(await store.getEndpoint(s), s);
      expect(await store.history(s, 10)).toEqual([historyEvent(s, 101, 0, T0)]);
      expect((await store.findingsForEndpoint(s))[0]).toMatchObject({ count: 1, last: finding(s, 'move', T0) });
    });

    hostStoreContract(open);
  });
}
