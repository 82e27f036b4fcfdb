// The Store.hosts part of the Store contract (called from runStoreContract, inside its describe, so it
// runs against every adapter; the caller closes the store after each test).
import { expect, it } from 'vitest';
import { newIpTrack } from '../core/arp-rules.js';
import type { Store } from './store.js';

export function hostStoreContract(open: () => Promise<Store>): void {
  it('hosts: issues, finds by token hash, lists and revokes agents', async () => {
    const { hosts } = await open();
    await hosts.putAgent({ id: 'a1', name: 'web', site: 'dc1', tokenHash: 'h1', hostId: null, createdTs: 1, revokedTs: null });
    await hosts.putAgent({ id: 'a2', name: 'db', site: 'dc1', tokenHash: 'h2', hostId: null, createdTs: 2, revokedTs: null });
    expect((await hosts.getAgentByToken('h2'))?.name).toBe('db');
    expect(await hosts.getAgentByToken('nope')).toBeNull();
    expect(await hosts.revokeAgent('a1', 10)).toBe(true);
    expect(await hosts.revokeAgent('zz', 10)).toBe(false);
    const list = await hosts.listAgents();
    expect(list.map((a) => [a.id, a.revokedTs])).toEqual([
      ['a1', 10],
      ['a2', null],
    ]);
  });

  it('hosts: keeps the latest document per module and a capped history', async () => {
    const { hosts } = await open();
    await hosts.putHost({ hostId: 'h1', agentId: 'a1', site: 'dc1', lastSeq: 3, lastTs: 5, resend: ['services'] });
    expect(await hosts.getHost('h1')).toEqual({ hostId: 'h1', agentId: 'a1', site: 'dc1', lastSeq: 3, lastTs: 5, resend: ['services'] });
    for (let i = 1; i <= 5; i++) await hosts.putHostDocuments([{ hostId: 'h1', module: 'host', hash: `x${i}`, ts: i, body: { n: i } }], 3);
    await hosts.putHostDocuments([{ hostId: 'h1', module: 'services', hash: 's', ts: 9, body: { services: [] } }], 3);
    const latest = await hosts.hostDocuments('h1');
    expect(latest.map((d) => [d.module, d.hash, d.seq])).toEqual([
      ['host', 'x5', 5],
      ['services', 's', 1],
    ]);
    expect((await hosts.hostDocumentHistory('h1', 'host', 10)).map((d) => d.body)).toEqual([{ n: 5 }, { n: 4 }, { n: 3 }]);
    expect((await hosts.latestDocuments('services')).map((d) => d.hostId)).toEqual(['h1']);
    expect((await hosts.listHosts()).map((h) => h.hostId)).toEqual(['h1']);
  });

  it('hosts: stores tracking states and pages findings newest first', async () => {
    const { hosts } = await open();
    const t = newIpTrack();
    t.macs.push(42);
    t.times.push(7);
    await hosts.saveIpTracks('dc1', [{ ip: '10.0.0.1', track: t }]);
    expect(await hosts.loadIpTracks('dc1')).toEqual([{ ip: '10.0.0.1', track: t }]);
    expect(await hosts.loadIpTracks('dc2')).toEqual([]);
    await hosts.addHostFindings([
      { site: 'dc1', kind: 'new_station', ip: '10.0.0.1', mac: '02:00:00:00:00:01', ts: 1 },
      { site: 'dc1', kind: 'flip_flop', ip: '10.0.0.1', mac: '02:00:00:00:00:02', previousMac: '02:00:00:00:00:01', ts: 2 },
      { site: 'dc1', kind: 'new_station', ip: '10.0.0.2', mac: '02:00:00:00:00:03', ts: 3 },
      { site: 'dc2', kind: 'new_station', ip: '10.0.0.9', mac: '02:00:00:00:00:09', ts: 4 },
    ]);
    const p1 = await hosts.listHostFindings('dc1', { limit: 2 });
    expect(p1.items.map((f) => f.ts)).toEqual([3, 2]);
    expect(p1.nextCursor).not.toBeNull();
    const p2 = await hosts.listHostFindings('dc1', { limit: 2, cursor: p1.nextCursor as string });
    expect(p2.items.map((f) => f.ts)).toEqual([1]);
    expect(p2.nextCursor).toBeNull();
    expect((await hosts.listHostFindings('dc1', { limit: 10, kind: 'flip_flop' })).items[0]?.previousMac).toBe('02:00:00:00:00:01');
    expect((await hosts.listHostFindings('dc1', { limit: 10, ip: '10.0.0.2' })).items).toHaveLength(1);
  });
}
