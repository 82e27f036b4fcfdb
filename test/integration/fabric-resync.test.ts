// End to end through gaps: a websocket drop with endpoint changes made while ept was blind, and a
// process restart while churn runs. After each, ept's state (memory and SQLite) must equal the
// simulator's ground truth, and the finding records must be neither lost nor duplicated.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EndpointState } from '../../src/core/types.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { FindingRecord } from '../../src/store/store.js';
import { confirmAll, expectedKeys, expectMatchesTruth, FABRIC, hostKeys, settle, startE2e, storedFindings, waitRunning, type E2e } from '../support/fabric-e2e.js';
import type { SimHost } from '../../src/sim/endpoint-space.js';

const open: E2e[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function fabric(churnPool?: number): Promise<E2e> {
  const h = await startE2e({ sim: { churnPool } });
  open.push(h);
  await waitRunning(h);
  return h;
}

const countsOf = (m: Map<string, FindingRecord>): Record<string, number> => Object.fromEntries([...m].map(([k, r]) => [k, r.count]));

describe('ept through gaps, against the simulator', () => {
  it('websocket drop with changes during the gap: resync converges, findings kept, gap moves reported once', async () => {
    const h = await fabric();
    await h.sim.runScenario({
      steps: [
        { op: 'move', host: 8, leaf: 104, port: 'eth1/30' },
        { op: 'stale', host: 10, leaf: 105 },
        { op: 'offsubnet', leaf: 103, epg: 1 },
      ],
    });
    await settle(h);
    await confirmAll(h);
    const before = await storedFindings(h.ept.store);
    expect([...before.keys()].sort()).toEqual(expectedKeys(h.sim.expectedFindings()));

    const gapStart = Date.now();
    const lostBefore = h.sim.stats().eventsLost;
    h.sim.dropWebsockets({ holdOffMs: 700 });
    await h.sim.runScenario({
      steps: [
        { op: 'move', host: 8, leaf: 105, port: 'eth1/31' }, // moved again while ept is blind
        { op: 'move', host: 16, vpc: 101, vpcIf: 3 },
        { op: 'move', host: 0, leaf: 103, port: 'eth1/5' },
        { op: 'move', host: 9, leaf: 103, port: 'eth1/44' }, // IPv6 host, port move
        { op: 'delete', host: 17 },
        { op: 'learn', leaf: 104, epg: 3 },
      ],
    });
    expect(h.sim.stats().eventsLost - lostBefore).toBeGreaterThan(10);
    await waitRunning(h, gapStart);
    await settle(h, false);
    await confirmAll(h);

    // State: every endpoint of the fabric, in memory and in the store, equals the ground truth.
    expect(await expectMatchesTruth(h)).toBeGreaterThan(200);
    expect(h.sim.groundTruth({ vnid: 15007776, addr: h.sim.model.host(17)?.mac ?? '' }).learns).toEqual([]);

    // Findings: exactly the oracle's; those from before the gap unchanged but for one more move
    // of each endpoint that moved in the gap (a move record is per endpoint); each gap move once.
    const after = await storedFindings(h.ept.store);
    expect([...after.keys()].sort()).toEqual(expectedKeys(h.sim.expectedFindings()));
    const gapMovers = new Set([8, 16, 0, 9].flatMap((i) => hostKeys(h.sim, h.sim.model.host(i) as SimHost).map((k) => `${k.vnid}|${k.addr}`)));
    expect(gapMovers.size).toBe(8);
    let moved = 0;
    for (const [k, r] of after) {
      const was = before.get(k);
      const gapMove = r.kind === 'move' && gapMovers.has(`${r.vnid}|${r.addr}`);
      if (gapMove) moved++;
      expect(r.count, k).toBe(was ? was.count + (gapMove ? 1 : 0) : 1);
      if (was) expect(r.firstTs, k).toBe(was.firstTs);
    }
    expect(moved).toBe(8);
    for (const k of before.keys()) expect(after.has(k), k).toBe(true);
    // Host 8 moved from 103 to 104 before the gap and to 105 during it: one record, two moves.
    const m8 = [...after.values()].filter((r) => r.kind === 'move' && r.addr === h.sim.model.host(8)?.mac);
    expect(m8.map((r) => [r.node, r.count, r.last.src?.node, r.last.dst?.node])).toEqual([[0, 2, 104, 105]]);
    expect((await h.status()).parseErrors).toBe(0);
  });

  it('restart mid-stream: nothing committed is lost, and the rebuild converges to the ground truth', async () => {
    // Churn moves hosts 0, 3, 6, ... (a pool of 40 over 120); the scenario uses others.
    const h = await fabric(40);
    await h.sim.runScenario({ steps: [{ op: 'stale', host: 13, leaf: 105 }, { op: 'move', host: 31, leaf: 103 }, { op: 'offsubnet', leaf: 105, epg: 2 }] });
    await settle(h);
    await confirmAll(h);
    const findingsBefore = await storedFindings(h.ept.store);
    expect(findingsBefore.size).toBeGreaterThan(4);

    h.sim.startChurn(400);
    await vi.waitFor(async () => expect((await h.status()).eventsReceived).toBeGreaterThan(200), { timeout: 5000 });
    // Stop like a process going down mid-stream: pipeline and store close while the subscriber
    // is still receiving, then the subscriber goes.
    const e = h.ept;
    const lostBefore = h.sim.stats().eventsLost;
    await e.pipeline.close();
    await e.store.close();
    await e.manager.stopAll();
    await h.stopEpt();

    // What was committed: read the file as it was left.
    const snap = await openSqliteStore({ path: h.dbPath });
    const committed: EndpointState[] = [];
    for await (const page of snap.scanEndpoints(FABRIC)) committed.push(...page);
    const findingsCommitted = await storedFindings(snap);
    await snap.close();
    expect(committed.length).toBeGreaterThan(200);
    for (const [k, r] of findingsBefore) expect(findingsCommitted.get(k)?.count, k).toBe(r.count);

    // Churn goes on while ept is down, then a new process starts on the same file. The churn
    // stops before the new build reads the fabric: a class read while objects are deleted loses
    // the objects that shift across a page boundary (offset paging, see fabric-paging.test.ts),
    // a separate, known problem this test must not mix up with restart.
    await new Promise((r) => setTimeout(r, 200));
    h.sim.stopChurn();
    const e2 = await h.reopen();
    // Changes ept could not see while it was down.
    expect(h.sim.stats().eventsLost - lostBefore).toBeGreaterThan(20);
    expect(e2.pipeline.endpointCount(FABRIC)).toBeGreaterThanOrEqual(committed.length);
    await waitRunning(h);
    await settle(h);
    await confirmAll(h);

    for (const s of committed) {
      expect(await e2.store.getEndpoint(s), `${s.vnid} ${s.addr}`).not.toBeNull();
    }
    const findingsAfter = await storedFindings(e2.store);
    for (const [k, r] of findingsCommitted) {
      expect(findingsAfter.get(k)?.count, k).toBeGreaterThanOrEqual(r.count);
      expect(findingsAfter.get(k)?.firstTs, k).toBe(r.firstTs);
    }
    // The scenario's hosts were not churned: their records are exactly as before the restart
    // (a confirmed stale flag survives and is not reported again).
    expect(countsOf(findingsAfter)).toMatchObject(countsOf(findingsBefore));
    expect(await expectMatchesTruth(h)).toBeGreaterThan(200);
  });
});
