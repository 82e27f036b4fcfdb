import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { bodyText, classQueryPath, pagedQuery, queryClass, subscribeClass, type PageBody, type QueryPage } from './apic-query.js';
import type { ApicGetter } from './apic-session.js';
import { ApicSession } from './apic-session.js';
import { MiniApic } from './mini-apic.testkit.js';

let a: MiniApic;
let s: ApicSession;

beforeEach(async () => {
  a = new MiniApic();
  await a.listen();
  s = new ApicSession({ urls: [a.url], username: 'admin', password: 'pw', logger: pino({ level: 'silent' }) });
  for (let i = 7; i >= 1; i--) a.put('fvBD', { dn: `uni/tn-t/BD-bd${i}`, seg: String(15000000 + i) });
});

afterEach(async () => {
  s.close();
  await a.close();
});

async function collect(it: AsyncIterable<QueryPage>): Promise<QueryPage[]> {
  const out: QueryPage[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('pagedQuery: pages are asked for and decoded ahead of the one read', () => {
  /** An APIC of `total` objects (shrinking to `shrinkTo` after the first page) that logs requests. */
  function fakeApic(total: number, shrinkTo = total): ApicGetter & { log: string[] } {
    const log: string[] = [];
    return {
      log,
      get(path: string): Promise<string> {
        const page = Number(/[?&]page=(\d+)/.exec(path)?.[1]);
        const size = Number(/page-size=(\d+)/.exec(path)?.[1]);
        const count = page === 0 ? total : shrinkTo;
        log.push(`get ${page}`);
        const n = Math.max(0, Math.min(size, count - page * size));
        return Promise.resolve(JSON.stringify({ totalCount: String(count), imdata: Array.from({ length: n }, () => ({ fvBD: { attributes: { dn: 'x' } } })) }));
      },
    };
  }

  async function run(apic: ApicGetter & { log: string[] }, pageSize: number): Promise<number[]> {
    const pages: number[] = [];
    const decode = async (url: string, body: PageBody) => {
      const text = bodyText(body);
      const page = Number(/[?&]page=(\d+)/.exec(url)?.[1]);
      apic.log.push(`decode ${page}`);
      // Decoding takes a while (a thread, in the build): the next answer can arrive meanwhile.
      await new Promise((r) => setTimeout(r, 5));
      const m = JSON.parse(text) as { totalCount: string; imdata: unknown[] };
      return { value: m.imdata.length, entries: m.imdata.length, totalCount: Number(m.totalCount) };
    };
    for await (const p of pagedQuery(apic, 'fvBD', { pageSize }, decode)) pages.push(p.value);
    return pages;
  }

  it('once totalCount is known, asks for the next pages before the caller reads them, and never past the last page', async () => {
    const apic = fakeApic(45);
    expect(await run(apic, 10)).toEqual([10, 10, 10, 10, 5]);
    // Page 0 tells totalCount; then PAGES_AHEAD (2) pages are asked for and decoded at once, and
    // each page read asks for one more while the caller works on it.
    expect(apic.log.slice(0, 6)).toEqual(['get 0', 'decode 0', 'get 1', 'get 2', 'decode 1', 'decode 2']);
    expect(apic.log.filter((l) => l.startsWith('get'))).toEqual(['get 0', 'get 1', 'get 2', 'get 3', 'get 4']);
  });

  it('an exact last page asks for nothing more', async () => {
    const apic = fakeApic(20);
    expect(await run(apic, 10)).toEqual([10, 10]);
    expect(apic.log.filter((l) => l.startsWith('get'))).toEqual(['get 0', 'get 1']);
  });

  it('a class that shrinks while it is paged ends at its short page; the page asked for past it is dropped', async () => {
    const apic = fakeApic(35, 12);
    expect(await run(apic, 10)).toEqual([10, 2]);
    expect(apic.log).toEqual(['get 0', 'decode 0', 'get 1', 'get 2', 'decode 1', 'decode 2']);
  });

  it('an early request that fails is not an unhandled rejection when its page is never read', async () => {
    const apic = fakeApic(50);
    const get = apic.get.bind(apic);
    apic.get = (path: string) => (path.includes('page=2') ? Promise.reject(new EptError('apic_unreachable', 'down')) : get(path));
    const decode = (url: string, body: PageBody) => {
      const m = JSON.parse(bodyText(body)) as { totalCount: string; imdata: unknown[] };
      if (url.includes('page=1&')) throw new EptError('parse_error', 'bad page 1');
      return { value: 0, entries: m.imdata.length, totalCount: Number(m.totalCount) };
    };
    await expect(async () => {
      for await (const _ of pagedQuery(apic, 'fvBD', { pageSize: 10 }, decode)) void _;
    }).rejects.toThrow('bad page 1');
  });
});

describe('queryClass', () => {
  it('pages through a class in dn order with page-size, page and order-by', async () => {
    const pages = await collect(queryClass(s, 'fvBD', { pageSize: 3 }));
    expect(pages.map((p) => p.objects.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.read)).toEqual([3, 6, 7]);
    expect(pages.every((p) => p.totalCount === 7)).toBe(true);
    expect(pages.flatMap((p) => p.objects.map((o) => o.attrs['dn']))).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `uni/tn-t/BD-bd${i}`));
    const queries = a.requests.filter((r) => r.startsWith('/api/class/fvBD'));
    expect(queries).toEqual([0, 1, 2].map((p) => `/api/class/fvBD.json?page-size=3&page=${p}&order-by=fvBD.dn`));
  });

  it('stops after an exact last page without asking for an empty one', async () => {
    a.remove('fvBD', 'uni/tn-t/BD-bd7');
    const pages = await collect(queryClass(s, 'fvBD', { pageSize: 3 }));
    expect(pages.map((p) => p.objects.length)).toEqual([3, 3]);
  });

  it('passes query-target-filter', async () => {
    const pages = await collect(queryClass(s, 'fvBD', { filter: 'wcard(fvBD.dn,"bd3")' }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.objects.map((o) => o.attrs['dn'])).toEqual(['uni/tn-t/BD-bd3']);
    expect(a.requests.at(-1)).toContain('query-target-filter=wcard(fvBD.dn%2C%22bd3%22)');
  });

  it('a page that is not JSON is a parse_error naming the URL and the reason', async () => {
    a.override.set('/api/class/fvBD.json?page-size=3&page=1', '{"totalCount":"7","imdata":[{"fvBD":');
    const it = queryClass(s, 'fvBD', { pageSize: 3 });
    expect((await it.next()).value?.objects).toHaveLength(3);
    const err = (await it.next().catch((e: unknown) => e)) as EptError;
    expect(err).toBeInstanceOf(EptError);
    expect(err.code).toBe('parse_error');
    expect(err.message).toContain('/api/class/fvBD.json?page-size=3&page=1');
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('a page without totalCount or imdata is a parse_error', async () => {
    a.override.set('/api/class/fvBD.json', '{"imdata":[]}');
    await expect(collect(queryClass(s, 'fvBD'))).rejects.toThrow(/totalCount missing/);
    a.override.set('/api/class/fvBD.json', '{"totalCount":"1"}');
    await expect(collect(queryClass(s, 'fvBD'))).rejects.toThrow(/imdata is missing/);
  });

  it('keeps the good objects of a page and reports the bad entries', async () => {
    a.override.set('/api/class/fvBD.json', JSON.stringify({ totalCount: '2', imdata: [{ fvBD: { attributes: { dn: 'uni/tn-t/BD-x' } } }, { fvBD: {} }] }));
    const [page] = await collect(queryClass(s, 'fvBD'));
    expect(page?.objects).toHaveLength(1);
    expect(page?.problems[0]?.message).toBe('missing attributes');
    expect(page?.read).toBe(2);
  });

  it('an APIC error in a query is apic_error', async () => {
    await expect(collect(queryClass(s, 'noSuchClass'))).resolves.toHaveLength(1);
    a.override.set('/api/class/fvBD.json', JSON.stringify({ totalCount: '1', imdata: [{ error: { attributes: { code: '122', text: 'unknown class' } } }] }));
    await expect(collect(queryClass(s, 'fvBD'))).rejects.toMatchObject({ code: 'apic_error', details: { code: '122' } });
  });

  it('can be aborted between pages', async () => {
    const ac = new AbortController();
    const it = queryClass(s, 'fvBD', { pageSize: 3, signal: ac.signal });
    await it.next();
    ac.abort(new Error('stop now'));
    await expect(it.next()).rejects.toThrow('stop now');
  });
});

describe('subscribeClass', () => {
  it('returns the subscriptionId and asks for one object only', async () => {
    const sub = await subscribeClass(s, 'fvBD');
    expect(sub.cls).toBe('fvBD');
    expect(a.subs.has(sub.subscriptionId)).toBe(true);
    expect(a.requests.at(-1)).toBe(classQueryPath('fvBD', { subscription: 'yes', 'page-size': 1, page: 0 }));
  });

  it('an answer without subscriptionId is a parse_error', async () => {
    a.override.set('/api/class/fvBD.json', '{"totalCount":"0","imdata":[]}');
    await expect(subscribeClass(s, 'fvBD')).rejects.toThrow(/no subscriptionId/);
  });
});
