// The fabric subscriber against the APIC simulator: build, live events, gaps, leaf down/up,
// failover, TLS and faults, checked against the simulator's ground truth.
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FabricTables } from '../../src/core/fabric-tables.js';
import { DEFAULT_SETTINGS } from '../../src/core/settings.js';
import { queryClass } from '../../src/fabric/apic-query.js';
import { ApicSession } from '../../src/fabric/apic-session.js';
import { FabricSubscriber } from '../../src/fabric/fabric-subscriber.js';
import { RecordingSink } from '../../src/fabric/recording-sink.testkit.js';
import { startApicSimulator, type ApicSimulator, type ApicSimulatorOptions } from '../../src/sim/index.js';

interface Harness {
  sim: ApicSimulator;
  sub: FabricSubscriber;
  sink: RecordingSink;
  tables: FabricTables;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.sub.stop();
    await h.sim.close();
  }
});

async function harness(
  simOpts: ApicSimulatorOptions = {},
  apic: { verifyTls?: boolean } = {},
  timing: { subscriptionTimeoutSeconds?: number } = {},
): Promise<Harness> {
  const sim = await startApicSimulator({ leafs: 4, endpoints: 300, seed: 7, ...simOpts });
  const sink = new RecordingSink();
  const tables = new FabricTables();
  const sub = new FabricSubscriber({
    config: {
      name: 'sim',
      apic: { urls: sim.urls, username: sim.username, password: sim.password, verifyTls: apic.verifyTls ?? true },
      settings: {},
      autoStart: true,
      simulated: true,
      createdTs: 0,
    },
    settings: DEFAULT_SETTINGS,
    tables,
    sink,
    saveObjects: async () => undefined,
    logger: pino({ level: 'silent' }),
    timing: { pageSize: 100, requestTimeoutMs: 1000, backoffInitialMs: 50, backoffMaxMs: 300, ...timing },
  });
  const h = { sim, sub, sink, tables };
  open.push(h);
  return h;
}

async function running(sub: FabricSubscriber, fullSyncs = 1): Promise<void> {
  await vi.waitFor(
    () => {
      expect(sub.counters.fullSyncs).toBe(fullSyncs);
      expect(sub.status().state).toBe('running');
    },
    { timeout: 10_000, interval: 20 },
  );
}

/** totalCount of a class as the simulator announces it. */
async function classCount(sim: ApicSimulator, cls: string): Promise<number> {
  const s = new ApicSession({ urls: [sim.url], username: sim.username, password: sim.password, logger: pino({ level: 'silent' }) });
  try {
    const first = await queryClass(s, cls, { pageSize: 1 }).next();
    return first.done ? 0 : first.value.totalCount;
  } finally {
    s.close();
  }
}

/** Every MAC/IP learn the sink holds agrees with the simulator, and none is missing. */
async function expectMatchesTruth(h: Harness): Promise<void> {
  const learns = [...h.sink.learns.values()].map((l) => l.obs).filter((o) => o.cls !== 'binding');
  for (const o of learns) {
    const truth = h.sim.groundTruth({ vnid: o.vnid, addr: o.addr });
    expect(truth.learns.map((l) => l.node), `${o.cls} ${o.vnid} ${o.addr} on ${o.node}`).toContain(o.node);
  }
  const total = (await classCount(h.sim, 'epmMacEp')) + (await classCount(h.sim, 'epmIpEp'));
  expect(learns.length).toBe(total);
}

describe('subscriber against the simulator', () => {
  it('builds the fabric: tables and every endpoint learn, matching the ground truth', async () => {
    const h = await harness();
    h.sub.start();
    await running(h.sub);
    expect(h.tables.allNodes().filter((n) => n.role === 'leaf')).toHaveLength(4);
    expect(h.tables.vpcPeer(101)).toBe(102);
    const st = h.sub.status();
    expect(st.build?.classes['epmMacEp']?.done).toBe(true);
    expect(st.build?.classes['epmMacEp']?.read).toBe(st.build?.classes['epmMacEp']?.total);
    expect(st.parseErrors).toBe(0);
    expect(h.sink.syncs).toHaveLength(1);
    await expectMatchesTruth(h);
  });

  it('follows live moves and stays equal to the ground truth', async () => {
    const h = await harness();
    h.sub.start();
    await running(h.sub);
    h.sim.startChurn(500);
    await vi.waitFor(() => expect(h.sub.status().eventsReceived).toBeGreaterThan(100), { timeout: 5000 });
    h.sim.stopChurn();
    const sent = (): number => h.sim.stats().eventsSent;
    await vi.waitFor(() => expect(h.sub.status().eventsReceived).toBe(sent()), { timeout: 5000 });
    expect(h.sub.status().eventRate).toBeGreaterThan(0);
    await expectMatchesTruth(h);
    expect(h.sub.counters.fullSyncs).toBe(1);
  });

  it('a websocket drop with lost events resyncs and converges', async () => {
    const h = await harness();
    h.sub.start();
    await running(h.sub);
    h.sim.startChurn(300);
    h.sim.dropWebsockets({ holdOffMs: 300 });
    await vi.waitFor(() => expect(h.sim.stats().eventsLost).toBeGreaterThan(0), { timeout: 5000 });
    h.sim.stopChurn();
    await running(h.sub, 2);
    expect(h.sub.counters.gaps).toBeGreaterThanOrEqual(1);
    await expectMatchesTruth(h);
  });

  it('leaf down then up: only that leaf is re-read, not the fabric', async () => {
    const h = await harness();
    h.sub.start();
    await running(h.sub);
    h.sim.setLeafState(103, 'down');
    await vi.waitFor(() => expect(h.tables.node(103)?.fabricSt).toBe('inactive'));
    h.sim.setLeafState(103, 'up');
    await vi.waitFor(() => expect(h.sub.counters.nodeResyncs).toBe(1), { timeout: 5000 });
    expect(h.sink.syncs.map((s) => s.nodes)).toEqual([null, [103]]);
    expect(h.sub.counters.fullSyncs).toBe(1);
    await expectMatchesTruth(h);
  });

  it('fails over to the second APIC when the first goes down', async () => {
    const h = await harness({ apics: 2 });
    h.sub.start();
    await running(h.sub);
    expect(h.sub.status().subscription.apic).toBe(h.sim.urls[0]);
    await h.sim.setApicState(0, 'down');
    await running(h.sub, 2);
    expect(h.sub.status().subscription.apic).toBe(h.sim.urls[1]);
  });

  it('TLS: verification rejects the self-signed simulator; verifyTls false connects', async () => {
    const strict = await harness({ tls: true });
    strict.sub.start();
    await vi.waitFor(() => expect(strict.sub.status().state).toBe('error'), { timeout: 5000 });
    expect(strict.sub.status().lastError?.message).toMatch(/self[- ]signed|unable to verify/i);
    const lax = await harness({ tls: true }, { verifyTls: false });
    lax.sub.start();
    await running(lax.sub);
  });

  it('keeps tokens and subscriptions alive past their timeouts', async () => {
    const h = await harness({ subscriptionTimeoutSeconds: 2, refreshTimeoutSeconds: 2 }, {}, { subscriptionTimeoutSeconds: 2 });
    h.sub.start();
    await running(h.sub);
    await new Promise((r) => setTimeout(r, 3500));
    h.sim.startChurn(200);
    await vi.waitFor(() => expect(h.sub.status().eventsReceived).toBeGreaterThan(20), { timeout: 3000 });
    h.sim.stopChurn();
    expect(h.sub.counters.gaps).toBe(0);
    expect(h.sub.status().subscription.lastRefreshTs).not.toBeNull();
  });

  it('recovers from a hung query, a malformed page and a broken frame', async () => {
    const h = await harness();
    // The first build fails on a malformed page, the second on a hung one; the third completes.
    h.sim.injectFault({ kind: 'malformed', count: 1, path: '/api/class/epmMacEp.json?page-size=100&page=1' });
    h.sim.injectFault({ kind: 'hang', count: 1, path: '/api/class/epmIpEp.json?page-size=100&page=0' });
    h.sub.start();
    await vi.waitFor(() => expect(h.sub.status().lastError?.message).toMatch(/epmMacEp.*malformed page/), { timeout: 5000 });
    await vi.waitFor(() => expect(h.sub.status().lastError?.message).toMatch(/epmIpEp.*no answer within 1000 ms/), { timeout: 5000 });
    await running(h.sub);
    expect(h.sink.syncs.map((x) => x.deleted)).toEqual([undefined, undefined, 0]);
    await expectMatchesTruth(h);
    h.sim.injectFault({ kind: 'ws-truncate', count: 1 });
    h.sim.startChurn(200);
    await vi.waitFor(() => expect(h.sub.status().parseErrors).toBe(1), { timeout: 5000 });
    h.sim.stopChurn();
    expect(h.sub.status().state).toBe('running');
    expect(h.sub.counters.gaps).toBe(0);
  });
});
