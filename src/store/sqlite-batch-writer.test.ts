import { describe, expect, it, vi } from 'vitest';
import type { Finding, Location } from '../core/types.js';
import { findingJson, historyOrder } from './sqlite-batch-writer.js';
import { endpointState, finding, T0 } from './store-fixtures.js';

/** The order by comparator: rows with an id, by id, then by index. */
function reference(ids: readonly number[]): number[] {
  return ids
    .map((id, i) => [id, i] as const)
    .filter(([id]) => id > 0)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i);
}

describe('historyOrder', () => {
  it('orders rows by endpoint id and then arrival, skipping rows without an id', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const [n, maxId] of [[1, 3], [7, 2], [5000, 700], [4096, 2 ** 30], [3000, 1]] as const) {
      const ids = Array.from({ length: n }, () => (rnd(10) === 0 ? 0 : 1 + rnd(maxId)));
      const withIds = ids.filter((id) => id > 0).length;
      expect([...historyOrder((i) => ids[i] ?? 0, n, withIds)]).toEqual(reference(ids));
    }
  });

  it('falls back to a comparator for ids too large to pack with the index', () => {
    const ids = [2 ** 50, 5, 2 ** 50, 0, 3, 2 ** 50 - 1];
    expect([...historyOrder((i) => ids[i] ?? 0, ids.length, 5)]).toEqual(reference(ids));
  });

  it('orders nothing when no row has an id', () => {
    expect([...historyOrder(() => 0, 3, 0)]).toEqual([]);
  });
});

describe('findingJson', () => {
  const loc = (node: number, ifId: string, rwMac = ''): Location => ({ node, ifId, encap: 'vlan-101', pcTag: 49153, rwMac, rwBd: rwMac ? 15826915 : 0, ts: T0 + node });

  it('writes the text JSON.stringify gives, for moves from the template and for everything else', () => {
    const s = endpointState({ addr: '10.0.0.9' });
    const move = (src: Location, dst: Location): Finding => ({ ...finding(s, 'move', T0, dst.node), src, dst });
    const moves = [
      move(loc(101, 'eth1/1'), loc(102, 'po3', '00:50:56:9a:11:22')),
      move(loc(0x650066, 'po3'), loc(103, 'eth1/48')),
      { ...move(loc(101, 'eth1/1'), loc(102, 'eth1/2')), fabric: 'a "quoted" fabric' },
      move(loc(101, 'eth1/1 "uplink" \\ é'), loc(102, 'eth1/2')),
      move({ ...loc(101, 'eth1/1'), extra: 1 } as Location, loc(102, 'eth1/2')),
      { ...move(loc(101, 'eth1/1'), loc(102, 'eth1/2')), rate: 3 },
      { ...move(loc(101, 'eth1/1'), loc(102, 'eth1/2')), ts: Number.NaN },
    ];
    const others = [finding(s, 'stale', T0, 104), finding(s, 'offsubnet', T0, 101), finding(s, 'rapid', T0)];
    const want = [...moves, ...others].map((f) => JSON.stringify(f));
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      expect([...moves, ...others].map((f) => findingJson(f))).toEqual(want);
      // The two plain moves took the template; the five others and the three non-moves did not.
      expect(stringify).toHaveBeenCalledTimes(8);
    } finally {
      stringify.mockRestore();
    }
  });
});
