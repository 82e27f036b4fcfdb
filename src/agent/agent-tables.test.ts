import { describe, expect, it } from 'vitest';
import type { LldpNeighbor } from '../protocols/lldp-types.js';
import { NeighbourTable } from './neighbour-table.js';
import { stableHash } from './stable-hash.js';
import { linkFromLldp, SwitchLinkTable } from './switch-link-table.js';

describe('stableHash', () => {
  it('ignores array and key order and lastSeenTs, not content', () => {
    const a = { links: [{ a: 1, b: [2, 3], lastSeenTs: 5 }, { a: 2 }] };
    const b = { links: [{ a: 2 }, { lastSeenTs: 9, b: [3, 2], a: 1 }] };
    expect(stableHash(a)).toBe(stableHash(b));
    expect(stableHash(a)).toHaveLength(64);
    expect(stableHash({ links: [{ a: 1 }] })).not.toBe(stableHash({ links: [{ a: 2 }] }));
  });
});

const lldp = (ttl: number): LldpNeighbor => ({ chassisIdSubtype: 4, chassisId: '00:11:22:33:44:55', portIdSubtype: 5, portId: 'Eth1/1', ttl, managementAddresses: [], vlans: [{ vlan: 10, name: 'v10' }], pvid: 10, unknownTlvs: 0 });

describe('SwitchLinkTable', () => {
  it('keeps a link for its TTL, and a TTL-0 frame removes it', () => {
    const t = new SwitchLinkTable();
    expect(t.ingest(linkFromLldp('eth0', lldp(120), 0), 0)).toBe(true);
    expect(t.ingest(linkFromLldp('eth0', lldp(120), 1000), 1000)).toBe(false); // refresh, not new
    expect(t.document(120_000).links).toMatchObject([{ iface: 'eth0', portId: 'Eth1/1', pvid: 10, vlans: [{ id: 10, name: 'v10' }] }]);
    expect(t.document(121_001).links).toEqual([]);
    t.ingest(linkFromLldp('eth0', lldp(120), 200_000), 200_000);
    expect(t.ingest(linkFromLldp('eth0', lldp(0), 201_000), 201_000)).toBe(true);
    expect(t.document(201_000).links).toEqual([]);
  });
});

describe('NeighbourTable', () => {
  it('ages captured entries and keeps kernel entries first-seen time stable', () => {
    const t = new NeighbourTable({ maxAgeMs: 1000 });
    t.observe('eth0', '10.0.0.5', '02:00:00:00:00:05', 0);
    const kernel = [{ ip: '10.0.0.1', mac: '02:00:00:00:00:01', iface: 'eth0', state: 'REACHABLE' }];
    const d1 = t.document(kernel, 500);
    expect(d1.neighbours.map((n) => [n.ip, n.source, n.lastSeenTs])).toEqual([
      ['10.0.0.1', 'arp', 500],
      ['10.0.0.5', 'capture', 0],
    ]);
    const d2 = t.document(kernel, 1500);
    expect(d2.neighbours.map((n) => [n.ip, n.lastSeenTs])).toEqual([['10.0.0.1', 500]]);
  });
});
