import { describe, expect, it } from 'vitest';
import { parseQuery, runQuery } from './apic-query.js';
import { FabricModel } from './fabric-model.js';

function page(model: FabricModel, cls: string, size: number, n: number): string[] {
  const q = parseQuery(`class/${cls}.json`, new URLSearchParams({ 'page-size': String(size), page: String(n), 'order-by': `${cls}.dn` }));
  const out: string[] = [];
  runQuery(model, q).page((mo) => out.push(mo.attrs['dn'] ?? ''));
  return out;
}

function whole(model: FabricModel, cls: string): string[] {
  return page(model, cls, 1_000_000, 0);
}

describe('class paging in the simulator', () => {
  const model = new FabricModel({ leafs: 6, vpcPairs: 2, endpoints: 300, remoteLearns: 2, seed: 7 });

  it('pages in any order give exactly the whole class (sequential pages resume where the last ended)', () => {
    const all = whole(model, 'epmMacEp');
    const size = 37;
    const pages = Math.ceil(all.length / size);
    const forward = Array.from({ length: pages }, (_, p) => page(model, 'epmMacEp', size, p)).flat();
    expect(forward).toEqual(all);
    const order = [5, 2, 2, 9, 0, 7, 1, 3, 4, 6, 8, ...Array.from({ length: Math.max(0, pages - 10) }, (_, i) => i + 10)].filter((p) => p < pages);
    const byPage = new Map(order.map((p) => [p, page(model, 'epmMacEp', size, p)]));
    expect([...byPage.keys()].sort((a, b) => a - b).flatMap((p) => byPage.get(p) ?? [])).toEqual(all);
  });

  it('sees a change to the model between pages (count and resume point are dropped)', () => {
    const before = whole(model, 'epmIpEp');
    const first = page(model, 'epmIpEp', 50, 0);
    const second = page(model, 'epmIpEp', 50, 1);
    const h = model.host(0)!;
    model.setHost({ ...h, learns: h.learns.slice(0, 1) });
    // Next page right after the change, with no other query in between.
    const third = page(model, 'epmIpEp', 50, 2);
    const q = parseQuery('class/epmIpEp.json', new URLSearchParams({ 'page-size': '50', page: '0' }));
    const total = runQuery(model, q).total;
    const after = whole(model, 'epmIpEp');
    expect(after.length).toBeLessThan(before.length);
    expect(total).toBe(after.length);
    expect(first).toEqual(before.slice(0, 50));
    expect(second).toEqual(before.slice(50, 100));
    expect(third).toEqual(after.slice(100, 150));
  });
});
