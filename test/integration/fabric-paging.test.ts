// A class is read with offset paging (page-size + page, order-by dn), the only paging the APIC
// offers: an object deleted before a page boundary while the class is read shifts the next object
// into a page already read, so that object is never returned. A resync must not take such an
// object for gone: the learns a re-read missed are confirmed by querying their addresses before any
// delete is synthesised (src/fabric/fabric-sync.ts confirmMissing).
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FabricTables } from '../../src/core/fabric-tables.js';
import { resolveSettings } from '../../src/core/settings.js';
import { queryClass } from '../../src/fabric/apic-query.js';
import { ApicSession } from '../../src/fabric/apic-session.js';
import { readEndpointClasses, readTableClasses, type SyncContext } from '../../src/fabric/fabric-sync.js';
import { EndpointPipeline } from '../../src/pipeline/endpoint-pipeline.js';
import type { EndpointSink } from '../../src/pipeline/sink.js';
import { deleteHost } from '../../src/sim/host-moves.js';
import { startApicSimulator, type ApicSimulator } from '../../src/sim/index.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { eptView, hostKeys, truthView } from '../support/fabric-e2e.js';

const log = pino({ level: 'silent' });
let sim: ApicSimulator | null = null;
let session: ApicSession | null = null;
afterEach(async () => {
  session?.close();
  await sim?.close();
});

async function setup(): Promise<{ s: ApicSimulator; apic: ApicSession }> {
  sim = await startApicSimulator({ leafs: 4, endpoints: 100, seed: 9 });
  session = new ApicSession({ urls: [sim.url], username: sim.username, password: sim.password, logger: log });
  return { s: sim, apic: session };
}

/** A host whose MAC objects are among the given DNs. */
function hostOn(s: ApicSimulator, dns: Set<string | undefined>) {
  const hosts = [...Array(100).keys()].map((i) => s.model.host(i));
  const h = hosts.find((x) => x?.learns.some((l) => dns.has(s.model.renderer.macDn(x, l))));
  if (!h) throw new Error('no host on page 0');
  return h;
}

describe('class read while the class changes', () => {
  it('offset paging alone skips an object that shifts across a page boundary', async () => {
    const { s, apic } = await setup();
    const pages = queryClass(apic, 'epmMacEp', { pageSize: 50 });
    const first = await pages.next();
    const seen = new Set((first.done ? [] : first.value.objects).map((o) => o.attrs['dn']));
    s.model.setHost(deleteHost(hostOn(s, seen)));
    for await (const p of pages) for (const o of p.objects) seen.add(o.attrs['dn']);
    const missing: string[] = [];
    for await (const p of queryClass(apic, 'epmMacEp', { pageSize: 1000 })) for (const o of p.objects) if (!seen.has(o.attrs['dn'])) missing.push(o.attrs['dn'] ?? '');
    expect(missing.length).toBeGreaterThan(0);
  });

  /** Reads the fabric twice; during the second read a host on its first page is deleted (no websocket, so its delete event is not seen). Returns the endpoints whose state differs from the simulator's. */
  async function resyncWithShift(useConfirm: boolean): Promise<{ wrong: string[]; deleted: number }> {
    const { s, apic } = await setup();
    const store = await openSqliteStore({ path: ':memory:' });
    const tables = new FabricTables();
    const pipeline = new EndpointPipeline({ store, logger: log });
    await pipeline.attachFabric('f', tables, resolveSettings({}));
    let afterFirstPage: (() => void) | null = null;
    let submits = 0;
    const sink: EndpointSink = {
      submit: async (b) => {
        await pipeline.submit(b);
        if (++submits === 1) afterFirstPage?.();
      },
      beginSync: (f, n) => pipeline.beginSync(f, n),
      endSync: (f, e, c) => pipeline.endSync(f, e, useConfirm ? c : undefined),
      flush: () => pipeline.flush(),
    };
    const ctx: SyncContext = { fabric: 'f', apic, sink, pageSize: 50, signal: new AbortController().signal, now: Date.now, progress: null, parseError: () => undefined, submitted: () => undefined };
    await readTableClasses(ctx, tables, async () => undefined);
    await readEndpointClasses(ctx, null);

    let victim = -1;
    afterFirstPage = () => {
      const dns: string[] = [];
      for (let i = 0; i < 100; i++) {
        const h = s.model.host(i);
        for (const l of h?.learns ?? []) if (h && l.mac) dns.push(s.model.renderer.macDn(h, l));
      }
      const h = hostOn(s, new Set(dns.sort().slice(0, 50)));
      victim = h.index;
      s.model.setHost(deleteHost(h));
    };
    submits = 0;
    const { deleted } = await readEndpointClasses(ctx, null);
    await pipeline.flush();
    expect(victim).toBeGreaterThanOrEqual(0);
    const wrong: string[] = [];
    for (let i = 0; i < 100; i++) {
      const h = s.model.host(i);
      if (!h || i === victim) continue;
      for (const key of hostKeys(s, h)) {
        const got = eptView(pipeline.getState('f', key.vnid, key.addr));
        if (JSON.stringify(got) !== JSON.stringify(truthView(s.groundTruth(key)))) wrong.push(`${key.vnid} ${key.addr}`);
      }
    }
    await pipeline.close();
    await store.close();
    return { wrong, deleted };
  }

  it('without confirmation, a resync deletes a learn that paging skipped (the hazard)', async () => {
    const r = await resyncWithShift(false);
    expect(r.wrong.length).toBeGreaterThan(0);
    expect(r.deleted).toBeGreaterThan(0);
  });

  it('with confirmation, the resync deletes nothing that is still on the fabric', async () => {
    const r = await resyncWithShift(true);
    expect(r.wrong).toEqual([]);
    // What it did delete is the victim's IP learns, read after the victim was gone (really gone).
  });
});
