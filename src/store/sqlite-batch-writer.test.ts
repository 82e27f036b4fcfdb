import { describe, expect, it } from 'vitest';
import { historyOrder } from './sqlite-batch-writer.js';

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
