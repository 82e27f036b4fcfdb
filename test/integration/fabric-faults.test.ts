// Bad input through the whole chain (APIC -> subscriber -> pipeline -> SQLite): failed logins,
// APIC error answers, malformed and hanging pages, truncated websocket frames, unparseable DNs and
// unknown classes. The fabric shows 'error' with the reason through FabricManager.status, keeps
// retrying, recovers, counts what it could not parse, and still tracks everything else correctly.
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FabricManager } from '../../src/main/fabric-manager.js';
import { MiniApic } from '../../src/fabric/mini-apic.testkit.js';
import { EndpointPipeline } from '../../src/pipeline/endpoint-pipeline.js';
import { placeHost } from '../../src/sim/host-moves.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { BD, EPG_TAG, labObjects, VRF } from '../support/lab-fabric.js';
import { allHosts, expectMatchesTruth, FABRIC, FAST_TIMING, settle, startE2e, tempDir, waitRunning, type E2e } from '../support/fabric-e2e.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function e2e(): Promise<E2e> {
  const h = await startE2e();
  cleanups.push(() => h.close());
  return h;
}

/** Samples the status every few ms and keeps every distinct error message and state seen. */
function watchStatus(h: E2e): { errors: Set<string>; states: Set<string>; stop(): void } {
  const errors = new Set<string>();
  const states = new Set<string>();
  const t = setInterval(() => {
    h.ept.manager
      .status(FABRIC)
      .then((s) => {
        if (s?.lastError) errors.add(s.lastError.message);
        if (s) states.add(s.state);
      })
      .catch(() => undefined);
  }, 3);
  return { errors, states, stop: () => clearInterval(t) };
}

describe('bad APIC input through the chain', () => {
  it('a refused login, an APIC error answer, an HTTP 500, a malformed page and a hung query: error, retry, recover', async () => {
    const h = await e2e();
    // Queue the faults before the first request reaches the simulator: each build attempt hits the next.
    await h.stopEpt();
    h.sim.injectFault({ kind: 'apic-error', count: 1, path: '/api/aaaLogin.json', status: 401, code: '401', text: 'Username or password is incorrect - FAILED local authentication' });
    h.sim.injectFault({ kind: 'apic-error', count: 1, path: '/api/class/fvBD.json?page-size=100&page=0', status: 400, code: '121', text: 'simulated APIC overload' });
    h.sim.injectFault({ kind: 'http-500', count: 1, path: '/api/class/epmMacEp.json?page-size=100&page=0' });
    h.sim.injectFault({ kind: 'malformed', count: 1, path: '/api/class/epmMacEp.json?page-size=100&page=1' });
    h.sim.injectFault({ kind: 'hang', count: 1, path: '/api/class/epmIpEp.json?page-size=100&page=0' });
    await h.reopen();
    const seen = watchStatus(h);
    cleanups.push(async () => seen.stop());
    await waitRunning(h, 0, 15_000);
    seen.stop();
    const errors = [...seen.errors].join('\n');
    expect(seen.states.has('error')).toBe(true);
    expect(errors).toMatch(/Username or password is incorrect/);
    expect(errors).toMatch(/fvBD.*APIC error 121: simulated APIC overload/);
    expect(errors).toMatch(/epmMacEp.*page=0.*500/);
    expect(errors).toMatch(/epmMacEp.*page=1.*malformed page/);
    expect(errors).toMatch(/epmIpEp.*no answer within 1000 ms/);
    // Recovered: the build is complete and equals the ground truth.
    await settle(h);
    expect(await expectMatchesTruth(h)).toBeGreaterThan(200);
    const st = await h.status();
    expect(st.state).toBe('running');
    expect(st.lastError).not.toBeNull(); // the last failure stays visible after recovery
  });

  it('truncated websocket frames and unparseable DNs in events and in answers are counted; the rest is tracked', async () => {
    const h = await e2e();
    await waitRunning(h);
    const m = h.sim.model;
    // A frame cut in the middle: the whole frame is lost and counted; no gap, no resync.
    h.sim.injectFault({ kind: 'ws-truncate', count: 1 });
    await h.sim.runScenario({ steps: [{ op: 'move', host: 20, leaf: 105 }] });
    await vi.waitFor(async () => expect((await h.status()).parseErrors).toBe(1), { timeout: 5000 });
    // An event whose DN does not parse.
    m.emit([{ cls: 'epmMacEp', attrs: { dn: 'topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep/mac-not-a-mac', status: 'created', flags: 'local,mac' } }]);
    await vi.waitFor(async () => expect((await h.status()).parseErrors).toBe(2), { timeout: 5000 });
    // A host whose IP is not an address: its IP and binding objects do not parse (live, and in
    // every later read), its MAC does.
    const bad = m.addHost('02:fe:00:00:99:01', '10.1.2.999', 0);
    m.setHost(placeHost(m, bad, { leaf: 104, port: 'eth1/20' }));
    // A good move after all that is still tracked.
    await h.sim.runScenario({ steps: [{ op: 'move', host: 21, leaf: 103, port: 'eth1/21' }] });
    await settle(h, false); // the truncated frame's events were sent, never received
    const st = await h.status();
    expect(st.state).toBe('running');
    // ip on 104 + remote ip on another leaf + binding on 104 = 3 bad objects
    expect(st.parseErrors).toBe(2 + 3);

    // A resync reads the bad objects again from the class answers: counted again, build completes.
    const gapStart = Date.now();
    h.sim.dropWebsockets();
    await waitRunning(h, gapStart);
    await settle(h, false);
    expect((await h.status()).parseErrors).toBe(5 + 3);
    // Host 20's move lost in the truncated frame was recovered by the resync, host 21's is tracked;
    // everything except the bad IP equals the ground truth.
    const goodHosts = allHosts(h.sim).filter((x) => x.index !== bad.index);
    expect(await expectMatchesTruth(h, goodHosts)).toBeGreaterThan(200);
    expect(h.ept.pipeline.getState(FABRIC, 15007744, '02:fe:00:00:99:01')?.current?.node).toBe(104);
  });

  it('an unknown class and a bad DN inside a class answer and a websocket frame (a small real APIC)', async () => {
    const apic = new MiniApic();
    for (const { cls, attrs } of labObjects()) apic.put(cls, attrs);
    const macDn = (node: number, mac: string): string => `topology/pod-1/node-${node}/sys/ctx-[vxlan-${VRF}]/bd-[vxlan-${BD}]/vlan-[vlan-101]/db-ep/mac-${mac}`;
    const good = (node: number, mac: string): Record<string, string> => ({ dn: macDn(node, mac), addr: mac, flags: 'local,mac', ifId: 'eth1/3', pcTag: String(EPG_TAG) });
    const page = {
      totalCount: '4',
      imdata: [
        { epmMacEp: { attributes: good(101, '00:00:00:00:aa:01') } },
        { fooUnknownEp: { attributes: { dn: 'topology/pod-1/node-101/sys/foo-1' } } },
        { epmMacEp: { attributes: { ...good(101, '00:00:00:00:aa:02'), dn: 'topology/pod-1/node-101/sys/what/ever' } } },
        { epmMacEp: { attributes: good(103, '00:00:00:00:aa:03') } },
      ],
    };
    apic.override.set('/api/class/epmMacEp.json?page-size=100&page=0', JSON.stringify(page));
    const url = await apic.listen();
    cleanups.push(() => apic.close());
    const tmp = tempDir('ept-faults-');
    cleanups.push(async () => tmp.remove());
    const store = await openSqliteStore({ path: `${tmp.dir}/ept.db` });
    const pipeline = new EndpointPipeline({ store, logger: pino({ level: 'silent' }) });
    const manager = new FabricManager({ store, pipeline, logger: pino({ level: 'silent' }), timing: FAST_TIMING });
    cleanups.push(async () => {
      await manager.stopAll();
      await pipeline.close();
      await store.close();
    });
    await store.putFabric({ name: 'mini', apic: { urls: [url], username: 'admin', password: 'pw', verifyTls: true }, settings: {}, autoStart: true, simulated: false, createdTs: Date.now() });
    await manager.start('mini');
    await vi.waitFor(async () => expect((await manager.status('mini'))?.state).toBe('running'), { timeout: 10_000 });
    await pipeline.flush();
    expect((await manager.status('mini'))?.parseErrors).toBe(2);
    expect((await store.getEndpoint({ fabric: 'mini', vnid: BD, addr: '00:00:00:00:aa:01' }))?.current?.node).toBe(101);
    expect((await store.getEndpoint({ fabric: 'mini', vnid: BD, addr: '00:00:00:00:aa:03' }))?.current?.node).toBe(103);

    // The same on the websocket: one frame, an unknown class between two good events.
    const ids = apic.idsOf('epmMacEp');
    apic.sendRaw(
      JSON.stringify({
        subscriptionId: ids,
        imdata: [
          { epmMacEp: { attributes: { ...good(104, '00:00:00:00:aa:01'), status: 'created' } } },
          { barUnknown: { attributes: { dn: 'x', status: 'created' } } },
          { epmMacEp: { attributes: { dn: macDn(101, '00:00:00:00:aa:01'), status: 'deleted' } } },
        ],
      }),
    );
    await vi.waitFor(async () => expect((await manager.status('mini'))?.parseErrors).toBe(3), { timeout: 5000 });
    await pipeline.flush();
    const moved = await store.getEndpoint({ fabric: 'mini', vnid: BD, addr: '00:00:00:00:aa:01' });
    expect(moved?.current?.node).toBe(104);
    expect(moved?.learns.filter((l) => l.present).map((l) => l.node)).toEqual([104]);
    expect((await store.listFindings('mini', 'move', { limit: 10 })).items.map((r) => r.addr)).toEqual(['00:00:00:00:aa:01']);
    expect((await manager.status('mini'))?.state).toBe('running');
  });
});
