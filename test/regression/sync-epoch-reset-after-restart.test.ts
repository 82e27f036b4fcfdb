// Bug: the sync epoch restarted at 0 in a new process while the learns loaded from the store kept
// the epochs of the previous one, so the first resync after a restart took every stored learn for
// "seen" and never deleted the ones that vanished while ept was down (found by the restart test in
// test/integration/fabric-resync.test.ts: a host that moved during the downtime stayed local on
// its old leaf too).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/core/settings.js';
import type { Observation } from '../../src/core/types.js';
import { EndpointPipeline } from '../../src/pipeline/endpoint-pipeline.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { BD, EPG_TAG, labTables, VRF } from '../support/lab-fabric.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MAC = '00:00:00:00:00:77';
function learn(node: number, ts: number): Observation {
  return { fabric: 'f', cls: 'mac', node, vnid: BD, addr: MAC, status: 'created', ts, flags: ['local', 'mac'], ifId: 'eth1/1', pcTag: EPG_TAG, vrf: VRF, bd: BD, encap: 'vlan-101', fromQuery: true };
}

async function open(path: string): Promise<{ p: EndpointPipeline; close(): Promise<void> }> {
  const store = await openSqliteStore({ path });
  const p = new EndpointPipeline({ store, logger: pino({ level: 'silent' }) });
  await p.attachFabric('f', labTables(), resolveSettings({}));
  return { p, close: async () => (await p.close(), await store.close()) };
}

/** One full sync that reads the given learns. */
async function sync(p: EndpointPipeline, obs: Observation[]): Promise<number> {
  const epoch = await p.beginSync('f', null);
  await p.submit(obs);
  return (await p.endSync('f', epoch)).deleted;
}

describe('regression: sync epoch reset after a restart', () => {
  it('the first resync of a new process deletes a learn that vanished while it was down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ept-epoch-'));
    dirs.push(dir);
    const path = join(dir, 'ept.db');
    const a = await open(path);
    await sync(a.p, [learn(101, Date.now() - 10_000)]);
    expect(a.p.getState('f', BD, MAC)?.current?.node).toBe(101);
    await a.close();

    // Down time: the endpoint moved from 101 to 103. The new process's build reads only 103.
    const b = await open(path);
    expect(await sync(b.p, [learn(103, Date.now())])).toBe(1);
    const s = b.p.getState('f', BD, MAC);
    expect(s?.learns.filter((l) => l.present).map((l) => l.node)).toEqual([103]);
    expect(s?.current?.node).toBe(103);
    await b.close();
  });
});
