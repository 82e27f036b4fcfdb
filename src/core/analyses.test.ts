import { describe, expect, it } from 'vitest';
import { BD, EPG_TAG, labTables, TEP, tunnelTo, UNKNOWN_BD_EPG_TAG, VIP_101_102, VRF, PROXY_TEP } from '../../test/support/lab-fabric.js';
import { applyObservation, confirmCheck, missedInSync, newEndpointState, type AnalysisContext } from './analyses.js';
import { resolveSettings } from './settings.js';
import { isNodeMember, nodeMembers, vpcPseudoNode, type EndpointState, type Observation } from './types.js';

const tables = labTables();
const ctx = (over: Record<string, number | boolean> = {}): AnalysisContext => ({ tables, settings: resolveSettings(over), epoch: 1 });
const T0 = 1_700_000_000_000;

function ip(node: number, over: Partial<Observation> = {}): Observation {
  return { fabric: 'f', cls: 'ip', node, vnid: VRF, addr: '10.1.1.5', status: 'created', ts: T0, flags: ['ip', 'local'], ifId: 'eth1/1', pcTag: EPG_TAG, vrf: VRF, bd: BD, encap: 'vlan-101', ...over };
}
function remoteIp(node: number, dest: string, over: Partial<Observation> = {}): Observation {
  return ip(node, { flags: ['ip'], ifId: tunnelTo(dest), encap: '', ...over });
}
function bind(node: number, mac: string, over: Partial<Observation> = {}): Observation {
  return { fabric: 'f', cls: 'binding', node, vnid: VRF, addr: '10.1.1.5', status: 'created', ts: T0, mac, bd: BD, vrf: VRF, ...over };
}
function mac(node: number, over: Partial<Observation> = {}): Observation {
  return { fabric: 'f', cls: 'mac', node, vnid: BD, addr: '00:00:00:00:00:aa', status: 'created', ts: T0, flags: ['local', 'mac'], ifId: 'eth1/1', pcTag: EPG_TAG, vrf: VRF, bd: BD, encap: 'vlan-101', ...over };
}

/** Applies observations in order at increasing times; returns all results. */
function run(obs: Observation[], c = ctx(), start?: EndpointState) {
  const s = start ?? newEndpointState(obs[0] as Observation);
  const results = obs.map((o, i) => applyObservation(s, { ...o, ts: o.ts + i }, c, o.ts + i));
  return { s, results, findings: results.flatMap((r) => r.findings), checks: results.flatMap((r) => r.checks) };
}

describe('move', () => {
  it('reports a MAC moving to another leaf', () => {
    const { s, findings } = run([mac(101), mac(103, { ts: T0 + 1000 })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'move', src: { node: 101, ifId: 'eth1/1' }, dst: { node: 103 } });
    expect(s.current?.node).toBe(103);
  });

  it('reports a port move on the same leaf and an encap or pcTag change', () => {
    expect(run([mac(101), mac(101, { ifId: 'eth1/2', status: 'modified' })]).findings).toHaveLength(1);
    expect(run([mac(101), mac(101, { encap: 'vlan-102', status: 'modified' })]).findings).toHaveLength(1);
    expect(run([mac(101), mac(101, { pcTag: 32772, status: 'modified' })]).findings).toHaveLength(1);
  });

  it('treats a vPC pair as one node: learns on both members are not a move', () => {
    const vpc = { flags: ['local', 'mac', 'vpc-attached'], ifId: 'po3' };
    const { s, findings } = run([mac(101, vpc), mac(102, { ...vpc, ifId: 'po4' })]);
    expect(findings).toHaveLength(0);
    expect(s.current).toMatchObject({ node: vpcPseudoNode(101, 102), ifId: 'vpc-343' });
  });

  it('reports an IP whose MAC changes, but not an IP whose binding arrives late', () => {
    const late = run([ip(101), bind(101, '00:00:00:00:00:aa')]);
    expect(late.findings).toHaveLength(0);
    expect(late.s.current?.rwMac).toBe('00:00:00:00:00:aa');
    const changed = run([ip(101), bind(101, '00:00:00:00:00:aa'), bind(101, '00:00:00:00:00:bb')]);
    expect(changed.findings).toHaveLength(1);
    expect(changed.findings[0]?.dst?.rwMac).toBe('00:00:00:00:00:bb');
  });

  it('a relearn within 60 s of a delete is compared with the old location; after 60 s it is new', () => {
    const c = ctx();
    const s = newEndpointState(mac(101));
    applyObservation(s, mac(101), c, T0);
    applyObservation(s, mac(101, { status: 'deleted', ts: T0 + 1 }), c, T0 + 1);
    expect(s.current).toBeNull();
    const soon = applyObservation(s, mac(103, { ts: T0 + 30_000 }), c, T0 + 30_000);
    expect(soon.findings.map((f) => f.kind)).toEqual(['move']);

    const s2 = newEndpointState(mac(101));
    applyObservation(s2, mac(101), c, T0);
    applyObservation(s2, mac(101, { status: 'deleted', ts: T0 + 1 }), c, T0 + 1);
    const late = applyObservation(s2, mac(103, { ts: T0 + 61_000 }), c, T0 + 61_000);
    expect(late.findings).toHaveLength(0);
  });

  it('does not record the same src/dst twice in a row', () => {
    const c = ctx();
    const { s, findings } = run([mac(101), mac(101, { status: 'deleted' }), mac(103)], c);
    expect(findings).toHaveLength(1);
    // The endpoint vanishes again and its previous location is put back to 101 (as after a
    // resync that re-reads the old learn): the same 101 -> 103 transition is not recorded twice.
    applyObservation(s, mac(103, { status: 'deleted', ts: T0 + 10 }), c, T0 + 10);
    s.previous = findings[0]!.src!;
    expect(applyObservation(s, mac(103, { ts: T0 + 20 }), c, T0 + 20).findings).toHaveLength(0);
    s.previous = { ...findings[0]!.src!, ifId: 'eth1/9' };
    applyObservation(s, mac(103, { status: 'deleted', ts: T0 + 30 }), c, T0 + 30);
    s.previous = { ...findings[0]!.src!, ifId: 'eth1/9' };
    expect(applyObservation(s, mac(103, { ts: T0 + 40 }), c, T0 + 40).findings).toHaveLength(1);
  });

  it('is off when analyze_move is false', () => {
    expect(run([mac(101), mac(103)], ctx({ analyze_move: false })).findings).toHaveLength(0);
  });
});

describe('offsubnet', () => {
  it('flags an IP outside its BD subnets, per node, after confirmation', () => {
    const c = ctx();
    const { s, checks } = run([ip(101, { addr: '10.9.9.9' })], c);
    expect(checks).toEqual([{ kind: 'offsubnet', node: 101, delay: 10 }]);
    const f = confirmCheck(s, checks[0]!, c, T0 + 10_000);
    expect(f).toMatchObject({ kind: 'offsubnet', node: 101, addr: '10.9.9.9' });
    expect(s.flags.offsubnet).toEqual([101]);
    expect(confirmCheck(s, checks[0]!, c, T0 + 20_000)).toBeNull(); // not twice
  });

  it('does not flag an IP inside a subnet (IPv4 and IPv6)', () => {
    expect(run([ip(101)]).checks).toHaveLength(0);
    expect(run([ip(101, { addr: '2001:db8:1::5' })]).checks).toHaveLength(0);
    expect(run([ip(101, { addr: '2001:db8:2::5' })]).checks.map((c) => c.kind)).toEqual(['offsubnet']);
  });

  it('skips unknown EPGs, EPGs without a known BD, pcTag <= 1 and loopback/vtep/svi/psvi/cached/static', () => {
    expect(run([ip(101, { addr: '10.9.9.9', pcTag: 12345 })]).checks).toHaveLength(0);
    expect(run([ip(101, { addr: '10.9.9.9', pcTag: UNKNOWN_BD_EPG_TAG })]).checks).toHaveLength(0);
    expect(run([ip(101, { addr: '10.9.9.9', pcTag: 1 })]).checks).toHaveLength(0);
    for (const flag of ['loopback', 'vtep', 'svi', 'psvi', 'cached', 'static']) {
      expect(run([ip(101, { addr: '10.9.9.9', flags: ['ip', 'local', flag] })]).checks).toHaveLength(0);
    }
  });

  it('is not confirmed when the learn is fixed before the delay, and flags clear when it is fixed later', () => {
    const c = ctx();
    const { s, checks } = run([ip(101, { addr: '10.9.9.9' })], c);
    applyObservation(s, ip(101, { addr: '10.9.9.9', pcTag: 12345, status: 'modified', ts: T0 + 5 }), c, T0 + 5);
    expect(confirmCheck(s, checks[0]!, c, T0 + 10_000)).toBeNull();
    applyObservation(s, ip(101, { addr: '10.9.9.9', status: 'modified', ts: T0 + 20_000 }), c, T0 + 20_000);
    expect(confirmCheck(s, checks[0]!, c, T0 + 30_000)).not.toBeNull();
    applyObservation(s, ip(101, { addr: '10.9.9.9', pcTag: 12345, status: 'modified', ts: T0 + 40_000 }), c, T0 + 40_000);
    expect(s.flags.offsubnet).toEqual([]);
  });
});

describe('stale', () => {
  it('remote stale: a remote learn pointing at a node that is not the current one', () => {
    const c = ctx();
    const { s, checks } = run([ip(103), remoteIp(105, TEP[101]!)], c);
    expect(checks).toEqual([{ kind: 'stale', node: 105, reason: 'remote', delay: 45 }]);
    expect(confirmCheck(s, checks[0]!, c, T0 + 45_000)).toMatchObject({ kind: 'stale', node: 105, remote: 101, expected: 103 });
  });

  it('no stale when the remote learn points at the current node or at its vPC pair', () => {
    expect(run([ip(103), remoteIp(105, TEP[103]!)]).checks).toHaveLength(0);
    const vpc = { flags: ['ip', 'local', 'vpc-attached'], ifId: 'po3' };
    expect(run([ip(101, vpc), remoteIp(105, VIP_101_102)]).checks).toHaveLength(0);
    // pointing at one member of the pair where the endpoint is vPC-attached is not stale either
    expect(run([ip(101, vpc), remoteIp(105, TEP[102]!)]).checks).toHaveLength(0);
  });

  it('bounce exception: the node pointed at bounces to the current location', () => {
    const bounce = remoteIp(101, TEP[103]!, { flags: ['ip', 'bounce'] });
    expect(run([ip(103), bounce, remoteIp(105, TEP[101]!)]).checks).toHaveLength(0);
    const noBounce = remoteIp(101, TEP[103]!);
    expect(run([ip(103), noBounce, remoteIp(105, TEP[101]!)]).checks.map((c) => c.node)).toEqual([105]);
  });

  it('multiple-local: another node (not the vPC peer) claims a local learn', () => {
    const { checks } = run([ip(101), ip(103, { ts: T0 + 5 })]);
    const stale = checks.filter((c) => c.kind === 'stale');
    expect(stale).toEqual([{ kind: 'stale', node: 101, reason: 'multiple-local', delay: 45 }]);
    expect(run([ip(101), ip(103)], ctx({ stale_multiple_local: false })).checks.filter((c) => c.kind === 'stale')).toHaveLength(0);
  });

  it('no-local: remote learns with no local anywhere, confirmed after 315 s', () => {
    const { checks } = run([remoteIp(105, TEP[101]!)]);
    expect(checks).toEqual([{ kind: 'stale', node: 105, reason: 'no-local', delay: 315 }]);
    expect(run([remoteIp(105, TEP[101]!)], ctx({ stale_no_local: false })).checks).toHaveLength(0);
  });

  it('skips bounce-to-proxy, cached, vtep, svi, static and proxy tunnels', () => {
    for (const flag of ['bounce-to-proxy', 'loopback', 'vtep', 'svi', 'psvi', 'cached', 'static']) {
      expect(run([ip(103), remoteIp(105, TEP[101]!, { flags: ['ip', flag] })]).checks).toHaveLength(0);
    }
    expect(run([ip(103), remoteIp(105, PROXY_TEP)]).checks).toHaveLength(0);
  });

  it('a stale flag clears when the remote learn is corrected', () => {
    const c = ctx();
    const { s, checks } = run([ip(103), remoteIp(105, TEP[101]!)], c);
    confirmCheck(s, checks[0]!, c, T0 + 45_000);
    expect(s.flags.stale).toEqual([105]);
    applyObservation(s, remoteIp(105, TEP[103]!, { status: 'modified', ts: T0 + 50_000 }), c, T0 + 50_000);
    expect(s.flags.stale).toEqual([]);
  });
});

describe('rapid', () => {
  it('marks an endpoint rapid above the threshold, then counts instead of storing, then asks for a refresh', () => {
    const c = ctx({ rapid_threshold: 512, rapid_holdtime: 60 });
    const s = newEndpointState(mac(101));
    let findings = 0;
    let stored = 0;
    for (let i = 0; i < 600; i++) {
      const r = applyObservation(s, mac(101, { ifId: i % 2 ? 'eth1/1' : 'eth1/2', ts: T0 + i }), c, T0 + i);
      findings += r.findings.filter((f) => f.kind === 'rapid').length;
      if (r.history) stored++;
    }
    expect(findings).toBe(1);
    expect(stored).toBe(512); // the 513th event trips the rule
    expect(s.rapidSkipped).toBe(600 - 513);
    expect(s.flags.rapidUntil).toBe(T0 + 512 + 60_000);
    const after = applyObservation(s, mac(105, { ts: T0 + 61_000 }), c, T0 + 61_000);
    expect(after.refresh).toBe(true);
    expect(after.history).not.toBeNull();
  });

  it('events spread over more than a minute do not trip it', () => {
    const c = ctx({ rapid_threshold: 512 });
    const s = newEndpointState(mac(101));
    let rapid = 0;
    for (let i = 0; i < 1000; i++) {
      rapid += applyObservation(s, mac(101, { ifId: i % 2 ? 'eth1/1' : 'eth1/2', ts: T0 + i * 200 }), c, T0 + i * 200).findings.filter((f) => f.kind === 'rapid').length;
    }
    expect(rapid).toBe(0);
  });
});

describe('sync', () => {
  it('a query snapshot older than a live event does not override it', () => {
    const c = ctx();
    const s = newEndpointState(mac(101));
    applyObservation(s, mac(103, { ts: T0 + 100 }), c, T0 + 100);
    const r = applyObservation(s, mac(103, { status: 'deleted', ts: T0 + 50, fromQuery: true }), c, T0 + 200);
    expect(r.changed).toBe(false);
    expect(s.current?.node).toBe(103);
  });

  it('learns not seen in a sync epoch get synthesised deletes, only on the nodes in scope', () => {
    const c = ctx();
    const s = newEndpointState(ip(101));
    applyObservation(s, ip(101), c, T0);
    applyObservation(s, bind(101, '00:00:00:00:00:aa'), c, T0 + 1);
    applyObservation(s, remoteIp(105, TEP[101]!, { ts: T0 + 2 }), c, T0 + 2);
    const c2 = { ...c, epoch: 2 };
    applyObservation(s, { ...remoteIp(105, TEP[101]!, { ts: T0 + 10 }), fromQuery: true }, c2, T0 + 10);
    const all = missedInSync(s, 2, null, T0 + 5, T0 + 20);
    expect(all.map((o) => `${o.node}:${o.cls}`).sort()).toEqual(['101:binding', '101:ip']);
    expect(missedInSync(s, 2, new Set([105]), T0 + 5, T0 + 20)).toEqual([]);
  });
});

describe('isNodeMember', () => {
  it('answers as nodeMembers(node).includes(n), for plain nodes and vPC pseudo-nodes', () => {
    const nodes = [0, 101, 102, 65535, vpcPseudoNode(101, 102), vpcPseudoNode(1, 65535), vpcPseudoNode(201, 202)];
    for (const node of nodes) for (const n of [0, 1, 101, 102, 201, 202, 65535, node]) expect(isNodeMember(node, n), `${node} ${n}`).toBe(nodeMembers(node).includes(n));
    expect(isNodeMember(vpcPseudoNode(101, 102), 102)).toBe(true);
    expect(isNodeMember(vpcPseudoNode(101, 102), 103)).toBe(false);
  });
});
