import { describe, expect, it } from 'vitest';
import { HostTracker, type HostFinding } from './arp-tracker.js';
import { ipv4Number, macNumber, SubnetSet } from './arp-subnets.js';

const M = (n: number) => macNumber(`02:00:00:00:00:${n.toString(16).padStart(2, '0')}`);
const IP = ipv4Number('10.0.0.1');

function run(t: HostTracker, seq: [number, number][], frameMac?: number[]): HostFinding[] {
  const out: HostFinding[] = [];
  seq.forEach(([mac, ts], i) => t.observeV4(IP, M(mac), frameMac?.[i] ?? M(mac), ts, (f) => out.push(f)));
  return out;
}
const kinds = (fs: HostFinding[]) => fs.map((f) => [f.kind, f.mac.slice(-2), f.previousMac?.slice(-2)]);

describe('HostTracker (arpwatch rules)', () => {
  it('new station, changed, flip flop, reused old address, in arpwatch order', () => {
    const t = new HostTracker({ site: 's', rules: { rapidThreshold: 0 } });
    const f = run(t, [[1, 1], [1, 2], [2, 3], [1, 4], [3, 5], [2, 6], [2, 7]]);
    expect(kinds(f)).toEqual([
      ['new_station', '01', undefined],
      ['changed_ethernet_address', '02', '01'],
      ['flip_flop', '01', '02'],
      ['changed_ethernet_address', '03', '01'],
      ['reused_old_ethernet_address', '02', '03'],
    ]);
  });

  it('new activity after six months idle, not before', () => {
    const t = new HostTracker({ site: 's' });
    const day = 86_400_000;
    expect(kinds(run(t, [[1, 0], [1, 180 * day], [1, 361 * day]]))).toEqual([
      ['new_station', '01', undefined],
      ['new_activity', '01', undefined],
    ]);
  });

  it('ethernet mismatch once per pair and not tracked; bogon once per MAC outside the subnets; 0.0.0.0 and broadcast ignored', () => {
    const t = new HostTracker({ site: 's', subnets: new SubnetSet(['10.0.0.0/24']) });
    const out: HostFinding[] = [];
    const emit = (f: HostFinding) => out.push(f);
    t.observeV4(IP, M(1), M(9), 1, emit);
    t.observeV4(IP, M(1), M(9), 2, emit);
    const bogon = ipv4Number('10.0.1.1');
    t.observeV4(bogon, M(2), M(2), 3, emit);
    t.observeV4(bogon, M(2), M(2), 4, emit);
    t.observeV4(0, M(3), M(3), 5, emit);
    t.observeV4(ipv4Number('10.0.0.2'), 0xffffffffffff, 0xffffffffffff, 6, emit);
    expect(out.map((f) => [f.kind, f.ip, f.mac.slice(-2), f.previousMac?.slice(-2)])).toEqual([
      ['ethernet_mismatch', '10.0.0.1', '01', '09'],
      ['bogon', '10.0.1.1', '02', undefined],
    ]);
    expect(t.get('10.0.0.1')?.macs).toEqual([]);
  });

  it('rapid: past the threshold of changes per minute one rapid finding, then changes are held for the hold time', () => {
    const t = new HostTracker({ site: 's', rules: { rapidThreshold: 3, rapidHoldMs: 60_000 } });
    const seq: [number, number][] = [];
    for (let i = 0; i < 8; i++) seq.push([1 + (i % 2), 1000 + i]);
    const f = run(t, seq);
    expect(f.map((x) => x.kind)).toEqual(['new_station', 'changed_ethernet_address', 'flip_flop', 'flip_flop', 'rapid']);
    expect(f[4]?.rate).toBe(4);
    expect(t.get('10.0.0.1')?.rapidSkipped).toBe(3);
    // After the hold time, changes are reported again.
    expect(kinds(run(t, [[3, 200_000]]))).toEqual([['changed_ethernet_address', '03', '02']]);
  });

  it('IPv6 ND sightings follow the same rules; :: is ignored; a bogon against IPv6 subnets', () => {
    const t = new HostTracker({ site: 's', subnets: new SubnetSet(['2001:db8::/64']) });
    const out: HostFinding[] = [];
    const emit = (f: HostFinding) => out.push(f);
    t.observeV6('2001:db8::5', M(1), -1, 1, emit);
    t.observeV6('2001:db8::5', M(2), -1, 2, emit);
    t.observeV6('::', M(2), -1, 3, emit);
    t.observeV6('fe80::1', M(3), -1, 4, emit);
    t.observeV6('2001:db9::1', M(4), -1, 5, emit);
    expect(out.map((f) => [f.kind, f.ip])).toEqual([
      ['new_station', '2001:db8::5'],
      ['changed_ethernet_address', '2001:db8::5'],
      ['new_station', 'fe80::1'],
      ['bogon', '2001:db9::1'],
    ]);
  });

  it('rejects a malformed subnet with its text', () => {
    expect(() => new SubnetSet(['10.0.0.0/33'])).toThrow(/'10.0.0.0\/33'/);
  });
});
