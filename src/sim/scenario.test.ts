import { describe, expect, it } from 'vitest';
import { FabricModel } from './fabric-model.js';
import type { SimMo } from './fabric-topology.js';
import { parseScenario, ScenarioRunner } from './scenario.js';

function setup(): { model: FabricModel; runner: ScenarioRunner; events: SimMo[]; drops: number[]; churn: number[] } {
  const model = new FabricModel({ leafs: 6, vpcPairs: 1, endpoints: 100, remoteLearns: 2 });
  const events: SimMo[] = [];
  model.onEvents((e) => events.push(...e));
  const drops: number[] = [];
  const churn: number[] = [];
  const runner = new ScenarioRunner({ model, dropWebsockets: (ms) => drops.push(ms), startChurn: (r) => churn.push(r), rapidThreshold: 100 });
  return { model, runner, events, drops, churn };
}

const vnids = (model: FabricModel, epg: number): { bd: number; vrf: number } => {
  const bd = model.topo.bds[model.topo.epgs[epg]?.bd ?? 0];
  return { bd: bd?.vnid ?? 0, vrf: bd?.vrf ?? 0 };
};

describe('scenarios', () => {
  it('parses YAML and JSON and names the bad step', () => {
    const s = parseScenario('steps:\n  - op: learn\n    leaf: 101\n  - op: wait\n    ms: 1\n');
    expect(s.steps).toHaveLength(2);
    expect(parseScenario('{"steps":[{"op":"leafDown","node":101}]}').steps[0]).toEqual({ op: 'leafDown', node: 101 });
    expect(() => parseScenario('steps:\n  - op: move\n    leaf: 101\n', 'x.yaml')).toThrow(/x.yaml: step 1 \(move\): "host" or "addr"/);
    expect(() => parseScenario('steps:\n  - op: jump\n')).toThrow(/"op" must be one of/);
    expect(() => parseScenario('{')).toThrow(/not valid JSON or YAML/);
  });

  it('learn creates local objects on a vPC pair with a binding, and remote learns toward the VIP', async () => {
    const { model, runner, events } = setup();
    await runner.run({ steps: [{ op: 'learn', vpc: 101, vpcIf: 1, mac: '02:FE:00:00:aa:01', ip: '20.0.0.200', epg: 0 }] });
    const created = events.filter((e) => e.attrs['status'] === 'created');
    const locals = created.filter((e) => e.cls === 'epmIpEp' && e.attrs['flags'] === 'local,vpc-attached');
    expect(locals.map((e) => e.attrs['ifId']).sort()).toEqual(['po2', 'po3']);
    expect(created.filter((e) => e.cls === 'epmRsMacEpToIpEpAtt')).toHaveLength(2);
    const remote = created.find((e) => e.cls === 'epmIpEp' && e.attrs['flags'] === 'ip');
    expect(remote?.attrs['dn']).toMatch(/^topology\/pod-1\/node-10[3-6]\/sys\/ctx-\[vxlan-\d+\]\/db-ep\/ip-\[20\.0\.0\.200\]$/);
    const truth = model.groundTruth({ vnid: vnids(model, 0).vrf, addr: '20.0.0.200' });
    expect(truth.learns.filter((l) => !l.local).every((l) => l.remote === 102 * 65536 + 101)).toBe(true);
    expect(runner.findings()).toEqual([]);
  });

  it('move, delete and relearn give the expected move findings', async () => {
    const { model, runner, events } = setup();
    const h = model.host(10);
    await runner.run({ steps: [{ op: 'move', host: 10, leaf: 106, port: 'eth1/20' }] });
    const v = vnids(model, h?.epg ?? 0);
    expect(runner.findings()).toEqual([
      { kind: 'move', vnid: v.bd, addr: h?.mac, node: 106 },
      { kind: 'move', vnid: v.vrf, addr: h?.ip, node: 106 },
    ]);
    events.length = 0;
    await runner.run({ steps: [{ op: 'delete', addr: h?.ip }] });
    expect(events.every((e) => e.attrs['status'] === 'deleted')).toBe(true);
    expect(model.groundTruth({ vnid: v.bd, addr: h?.mac ?? '' }).learns).toEqual([]);
  });

  it('offsubnet learn is stated for each node holding the IP, local and remote', async () => {
    const { model, runner } = setup();
    await runner.run({ steps: [{ op: 'offsubnet', ip: '10.99.0.5', epg: 1, vpc: 102 }] });
    const v = vnids(model, 1);
    expect(runner.findings()).toEqual([
      { kind: 'offsubnet', vnid: v.vrf, addr: '10.99.0.5', node: 101 },
      { kind: 'offsubnet', vnid: v.vrf, addr: '10.99.0.5', node: 102 },
      { kind: 'offsubnet', vnid: v.vrf, addr: '10.99.0.5', node: 103 },
      { kind: 'offsubnet', vnid: v.vrf, addr: '10.99.0.5', node: 104 },
    ]);
  });

  it('stale remote learn keeps pointing at the old leaf', async () => {
    const { model, runner } = setup();
    const i = 20;
    const h = model.host(i);
    const oldLocal = h?.learns.find((l) => l.local)?.node ?? 0;
    const staleNode = h?.learns.find((l) => !l.local && l.node !== 106)?.node ?? 0;
    const target = [103, 104, 105, 106].find((n) => n !== oldLocal && n !== staleNode) ?? 0;
    await runner.run({ steps: [{ op: 'stale', host: i, leaf: target, staleNodes: [staleNode] }] });
    const v = vnids(model, h?.epg ?? 0);
    expect(runner.findings()).toContainEqual({ kind: 'stale', vnid: v.vrf, addr: h?.ip, node: staleNode, reason: 'remote' });
    const truth = model.groundTruth({ vnid: v.vrf, addr: h?.ip ?? '' });
    const oldTarget = oldLocal <= 102 ? 102 * 65536 + 101 : oldLocal;
    expect(truth.learns.find((l) => l.node === staleNode)?.remote).toBe(oldTarget);
    expect(truth.learns.filter((l) => !l.local && l.node !== staleNode).every((l) => l.remote === target)).toBe(true);
  });

  it('rapid flapping moves the host N times in T seconds and states rapid', async () => {
    const { model, runner, events } = setup();
    const h = model.host(30);
    await runner.run({ steps: [{ op: 'flap', host: 30, count: 40, seconds: 0.2, between: [{ leaf: 105 }, { leaf: 106 }] }] });
    const v = vnids(model, h?.epg ?? 0);
    expect(runner.findings()).toContainEqual({ kind: 'rapid', vnid: v.bd, addr: h?.mac });
    expect(runner.findings()).toContainEqual({ kind: 'rapid', vnid: v.vrf, addr: h?.ip });
    expect(events.filter((e) => e.cls === 'epmMacEp' && e.attrs['status'] === 'created' && e.attrs['flags'] === 'local,mac').length).toBeGreaterThanOrEqual(39);
  });

  it('leaf down/up, websocket drop, wait and churn steps reach the simulator', async () => {
    const { model, runner, events, drops, churn } = setup();
    await runner.run({ steps: [{ op: 'leafDown', node: 104 }, { op: 'dropWebsockets', holdOffMs: 50 }, { op: 'wait', ms: 5 }, { op: 'leafUp', node: 104 }], churn: 500 });
    expect(events.filter((e) => e.cls === 'fabricNode').map((e) => e.attrs['fabricSt'])).toEqual(['inactive', 'active']);
    expect(events.some((e) => e.cls === 'epmMacEp' && e.attrs['dn']?.includes('/node-104/') && e.attrs['status'] === 'created')).toBe(true);
    expect(drops).toEqual([50]);
    expect(churn).toEqual([500]);
    expect(model.isUp(104)).toBe(true);
  });
});
