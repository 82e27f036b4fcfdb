// Bug: FabricStatus.parseErrors ("since start") added the current websocket's malformed-frame count,
// so every reconnect silently dropped the frames counted on the sockets before it (found by
// test/integration/fabric-faults.test.ts: the count went down after a resync).
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FabricTables } from '../../src/core/fabric-tables.js';
import { DEFAULT_SETTINGS } from '../../src/core/settings.js';
import { FabricSubscriber } from '../../src/fabric/fabric-subscriber.js';
import { RecordingSink } from '../../src/fabric/recording-sink.testkit.js';
import { startApicSimulator, type ApicSimulator } from '../../src/sim/index.js';

let sim: ApicSimulator | null = null;
let sub: FabricSubscriber | null = null;
afterEach(async () => {
  await sub?.stop();
  await sim?.close();
});

describe('regression: parseErrors reset on reconnect', () => {
  it('a malformed frame stays counted after the websocket is replaced', async () => {
    sim = await startApicSimulator({ leafs: 4, endpoints: 100, seed: 5 });
    const s = sim;
    sub = new FabricSubscriber({
      config: { name: 'f', apic: { urls: [s.url], username: s.username, password: s.password, verifyTls: true }, settings: {}, autoStart: true, simulated: true, createdTs: 0 },
      settings: DEFAULT_SETTINGS,
      tables: new FabricTables(),
      sink: new RecordingSink(),
      saveObjects: async () => undefined,
      logger: pino({ level: 'silent' }),
      timing: { pageSize: 100, requestTimeoutMs: 1000, backoffInitialMs: 50, backoffMaxMs: 300 },
    });
    const f = sub;
    f.start();
    await vi.waitFor(() => expect(f.status().state).toBe('running'), { timeout: 10_000 });
    s.injectFault({ kind: 'ws-truncate', count: 1 });
    await s.runScenario({ steps: [{ op: 'move', host: 3, leaf: 104 }] });
    await vi.waitFor(() => expect(f.status().parseErrors).toBe(1), { timeout: 5000 });
    s.dropWebsockets();
    await vi.waitFor(() => expect(f.counters.fullSyncs).toBe(2), { timeout: 10_000 });
    expect(f.status().parseErrors).toBe(1);
  });
});
