// The endpoint page decoder thread runs from the compiled build only (a worker thread cannot load
// TypeScript sources): this suite drives dist/ — built by `npm run build`, which CI runs before the
// tests — against pages the simulator renders, and compares with decoding on the event loop.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointPage } from '../../src/fabric/endpoint-page.js';
import type { ThreadDecoder as Decoder } from '../../src/fabric/page-decoder.js';

const DIST = new URL('../../dist/fabric/page-decoder.js', import.meta.url);
const built = existsSync(fileURLToPath(DIST));
if (!built) console.warn('skipping the page decoder thread tests: dist/ is missing (run npm run build)');

type DecoderModule = { ThreadDecoder: new (idleStopMs?: number, inlineBelow?: number) => Decoder; inlineDecoder: Decoder };
type PageModule = { decodeEndpointPage: (fabric: string, url: string, text: string, ts: number) => EndpointPage };

const URL_ = '/api/class/epmIpEp.json?page-size=500&page=0';

/** A page as an APIC answers a class query: every shape of endpoint object, and some bad ones. */
function apicPage(n: number): string {
  const objs: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const node = 101 + (i % 6);
    const base = `topology/pod-1/node-${node}/sys/ctx-[vxlan-2654208]/bd-[vxlan-${15007713 + (i % 3)}]/vlan-[vlan-${100 + (i % 3)}]/db-ep`;
    const mac = `00:50:56:${[i >> 16, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
    const ip = i % 4 === 0 ? `2001:db8::${i.toString(16)}` : `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    if (i % 3 === 0) objs.push({ epmMacEp: { attributes: { dn: `${base}/mac-${mac}`, flags: i % 2 ? 'local,mac' : 'mac', ifId: `eth1/${1 + (i % 48)}`, encap: `vlan-${100 + (i % 3)}`, pcTag: String(49153 + (i % 5)), status: i % 10 === 0 ? 'deleted' : '' } } });
    else if (i % 3 === 1) objs.push({ epmIpEp: { attributes: { dn: `${base}/ip-[${ip}]`, flags: 'ip,local', ifId: 'po5', pcTag: 'any', status: 'modified' } } });
    else objs.push({ epmRsMacEpToIpEpAtt: { attributes: { dn: `${base}/mac-${mac}/rsmacEpToIpEpAtt-[${base}/ip-[${ip}]]` } } });
  }
  objs.push({ epmIpEp: { attributes: { dn: 'topology/pod-1/node-101/sys/db-ep/ip-[not-an-ip]' } } }, 42);
  return JSON.stringify({ totalCount: String(n + 2), imdata: objs });
}

describe.skipIf(!built)('endpoint page decoder thread (compiled build)', () => {
  let decoder: Decoder;
  let page: PageModule;
  let mod: DecoderModule;
  beforeAll(async () => {
    mod = (await import(DIST.href)) as DecoderModule;
    page = (await import(new URL('../../dist/fabric/endpoint-page.js', import.meta.url).href)) as PageModule;
    // Every page through the thread, however small.
    decoder = new mod.ThreadDecoder(5000, 0);
  });
  afterAll(async () => {
    await decoder.close();
  });

  it('gives the same page as decoding on the event loop, rejected objects and problems included', async () => {
    const text = apicPage(3000);
    const inThread = await decoder.decode('fab', URL_, text, 77);
    const inline = page.decodeEndpointPage('fab', URL_, text, 77);
    expect(inThread.observations).toHaveLength(3000);
    expect(inThread).toEqual(inline);
    expect(inThread.rejected).toEqual([{ where: 'topology/pod-1/node-101/sys/db-ep/ip-[not-an-ip]', reason: expect.any(String) as string }]);
    expect(inThread.problems).toHaveLength(1);
  });

  it('takes a page as bytes (moved to the thread, decoded there), a view into a larger buffer too (copied)', async () => {
    const text = apicPage(3000);
    const inline = page.decodeEndpointPage('fab', URL_, text, 77);
    expect(await decoder.decode('fab', URL_, Buffer.from(text), 77)).toEqual(inline);
    const big = Buffer.concat([Buffer.from('head'), Buffer.from(text)]);
    expect(await decoder.decode('fab', URL_, big.subarray(4), 77)).toEqual(inline);
    // The larger buffer was not moved away.
    expect(big.subarray(4).toString('utf8')).toBe(text);
  });

  it('a page given as bytes and lost with its thread is refused by URL (the read fails and is retried)', async () => {
    const d = new mod.ThreadDecoder(5000, 0);
    const inFlight = d.decode('fab', URL_, Buffer.from(apicPage(2000)), 1);
    // The expectation is attached before the close that rejects the page.
    const refused = expect(inFlight).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('epmIpEp.json') as string });
    await d.close();
    await refused;
  });

  it('answers pages in flight together, each with its own content', async () => {
    const texts = [10, 200, 1].map((n) => apicPage(n));
    const pages = await Promise.all(texts.map((t, i) => decoder.decode(`fab${i}`, URL_, t, i)));
    expect(pages.map((p) => p.observations.length)).toEqual([10, 200, 1]);
    expect(pages.map((p) => p.observations[0]?.fabric)).toEqual(['fab0', 'fab1', 'fab2']);
  });

  it('a page that is not a usable answer rejects with the EptError code and the URL', async () => {
    await expect(decoder.decode('fab', URL_, '{"imdata": [', 1)).rejects.toMatchObject({ name: 'EptError', code: 'parse_error', message: expect.stringContaining('epmIpEp.json') as string });
    await expect(decoder.decode('fab', URL_, JSON.stringify({ totalCount: '1', imdata: [{ error: { attributes: { code: '403', text: 'Token was invalid' } } }] }), 1)).rejects.toMatchObject({ code: 'apic_error' });
    // The thread keeps working after a bad page.
    expect((await decoder.decode('fab', URL_, apicPage(5), 1)).observations).toHaveLength(5);
  });

  it('pages keep being decoded (on the event loop) once the decoder is closed, those in flight included', async () => {
    const d = new mod.ThreadDecoder(5000, 0);
    const inFlight = d.decode('fab', URL_, apicPage(2000), 1);
    await d.close();
    expect((await inFlight).observations).toHaveLength(2000);
    const p = await d.decode('fab', URL_, apicPage(4), 1);
    expect(p.observations).toHaveLength(4);
    expect(d.running).toBe(false);
  });

  it('decodes small pages (a targeted re-read) on the event loop, without starting the thread', async () => {
    const d = new mod.ThreadDecoder();
    expect((await d.decode('fab', URL_, apicPage(3), 1)).observations).toHaveLength(3);
    expect([d.started, d.running]).toEqual([0, false]);
    expect((await d.decode('fab', URL_, apicPage(3000), 1)).observations).toHaveLength(3000);
    expect(d.started).toBe(1);
    await d.close();
  });

  it('stops an idle thread (its memory is given back) and starts one again for the next page', async () => {
    const d = new mod.ThreadDecoder(50, 0);
    expect((await d.decode('fab', URL_, apicPage(3), 1)).observations).toHaveLength(3);
    expect(d.running).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(d.running).toBe(false);
    expect((await d.decode('fab', URL_, apicPage(5), 1)).observations).toHaveLength(5);
    expect([d.started, d.running]).toEqual([2, true]);
    await d.close();
  });
});
