import { describe, expect, it } from 'vitest';
import { missedInSync } from './analyses.js';
import { internFlags } from './intern.js';
import { anyPresent, HEAD, LEARN_STRIDE, maxSeen, mayMissInSync, packLearns, repackLearns, STATE_DELETED_TS, STATE_TS, unpackCurrent, unpackLearns } from './packed-learns.js';
import type { EndpointState, Location, NodeLearn } from './types.js';

const T0 = 1_700_000_000_123;

function learn(over: Partial<NodeLearn> = {}): NodeLearn {
  return {
    node: 101, present: true, flags: internFlags('ip,local,vpc-attached'), ifId: 'po3', encap: 'vlan-101', pcTag: 49153, bd: 15007713, vrf: 2654208,
    rwMac: '00:50:56:aa:bb:0c', rwBd: 15007713, remote: 0, ts: T0, seq: 7, seen: 3, bindSeen: 2, ...over,
  };
}

describe('packed learns', () => {
  it('round-trips every field, including extremes', () => {
    const learns = [
      learn(),
      learn({ node: 4000, present: false, flags: [], ifId: '', encap: '', pcTag: 0, bd: 0, vrf: 0, rwMac: '', rwBd: 0, ts: 0, seq: 0, seen: 0, bindSeen: 0 }),
      learn({ node: 105, flags: ['ip'], ifId: 'tunnel7', remote: vpcRemote(), rwMac: 'ff:ff:ff:ff:ff:ff', rwBd: 2 ** 24 - 1, vrf: 2 ** 24 - 1, pcTag: 65535, seq: 2 ** 40, seen: 2 ** 26 - 1, bindSeen: 2 ** 26 - 1 }),
      learn({ node: 106, rwMac: '00:00:00:00:00:00', ts: 8.64e15 }),
      learn({ node: 107, rwMac: 'not-a-mac form' }),
    ];
    const p = packLearns(learns);
    expect(p).toHaveLength(HEAD + learns.length * LEARN_STRIDE);
    expect(unpackLearns(p)).toEqual(learns);
    expect(unpackCurrent(p)).toBeNull();
  });

  it('round-trips the current location with the learns', () => {
    const vpc: Location = { node: vpcRemote(), ifId: 'vpc-po3', encap: 'vlan-101', pcTag: 49153, rwMac: '00:50:56:aa:bb:0c', rwBd: 15007713, ts: T0 };
    const plain: Location = { node: 101, ifId: 'eth1/1', encap: '', pcTag: 0, rwMac: '', rwBd: 0, ts: 0 };
    for (const current of [vpc, plain]) {
      const p = packLearns([learn()], current);
      expect(unpackCurrent(p)).toEqual(current);
      expect(unpackLearns(p)).toEqual([learn()]);
    }
    const p = packLearns([learn()], vpc);
    expect(repackLearns(p, [learn()], null)).toBe(p);
    expect(unpackCurrent(p)).toBeNull();
    expect(() => packLearns([], { ...vpc, rwBd: -5 })).toThrow(/location pcTag\/binding bd out of range/);
  });

  it('gives back shared flag lists and one MAC string for learns that share a binding', () => {
    const u = unpackLearns(packLearns([learn(), learn({ node: 102 })]));
    expect(u[0]?.flags).toBe(internFlags('ip,local,vpc-attached'));
    expect(Object.isFrozen(u[0]?.flags)).toBe(true);
    expect(u[0]?.rwMac).toBe(u[1]?.rwMac);
  });

  it('repacks in place when the learns fit (the array shrinks when there are fewer), into a new exact array when they grew', () => {
    const p = packLearns([learn()]);
    const same = repackLearns(p, [learn({ seq: 8, ifId: 'eth1/9' })]);
    expect(same).toBe(p);
    expect(unpackLearns(same)[0]).toMatchObject({ seq: 8, ifId: 'eth1/9' });
    const grown = repackLearns(p, [learn(), learn({ node: 102 })]);
    expect(grown).not.toBe(p);
    expect(unpackLearns(grown).map((l) => l.node)).toEqual([101, 102]);
    expect(grown).toEqual(packLearns([learn(), learn({ node: 102 })]));
    const shrunk = repackLearns(grown, [learn({ node: 103 })]);
    expect(shrunk).toBe(grown);
    expect(shrunk).toEqual(packLearns([learn({ node: 103 })]));
    // A value out of range leaves the array as it was.
    const two = packLearns([learn(), learn({ node: 102 })]);
    expect(() => repackLearns(two, [learn({ pcTag: 2 ** 30 })])).toThrow(/out of range/);
    expect(two).toEqual(packLearns([learn(), learn({ node: 102 })]));
  });

  it("keeps the holder's two times through every way of repacking", () => {
    const times = (p: number[]): number[] => [p[STATE_TS] as number, p[STATE_DELETED_TS] as number];
    const loc: Location = { node: 101, ifId: 'po3', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: T0 };
    let p = packLearns([learn(), learn({ node: 102 })], loc);
    expect(times(p)).toEqual([0, 0]);
    p[STATE_TS] = T0 + 5;
    p[STATE_DELETED_TS] = T0 - 7;
    p = repackLearns(p, [learn({ seq: 9 }), learn({ node: 102 })], null, 0); // one learn
    expect(times(p)).toEqual([T0 + 5, T0 - 7]);
    p = repackLearns(p, [learn({ seq: 10 }), learn({ node: 103 })], loc); // all, same size
    expect(times(p)).toEqual([T0 + 5, T0 - 7]);
    p = repackLearns(p, [learn(), learn({ node: 102 }), learn({ node: 104 })], loc); // grown: a new array
    expect(times(p)).toEqual([T0 + 5, T0 - 7]);
    p = repackLearns(p, [learn({ node: 104 })], null); // shrunk in place
    expect(times(p)).toEqual([T0 + 5, T0 - 7]);
    expect(unpackLearns(p).map((l) => l.node)).toEqual([104]);
    expect(unpackCurrent(p)).toBeNull();
  });

  it('repacks only the current location and the one learn named, leaving the others as packed', () => {
    const learns = [learn(), learn({ node: 102, ifId: 'po4' }), learn({ node: 103, ifId: 'tunnel3', remote: 101 })];
    const loc: Location = { node: 101, ifId: 'po3', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: T0 };
    const p = packLearns(learns, loc);
    const changed = [learns[0]!, learn({ node: 102, ifId: 'eth1/7', seq: 9, present: false }), learns[2]!];
    const moved = { ...loc, node: 102, ifId: 'eth1/7' };
    const full = repackLearns([...p], changed, moved);
    const one = repackLearns(p, changed, moved, 1);
    expect(one).toBe(p);
    expect(one).toEqual(full);
    // Named learn only: a change elsewhere is not packed (the caller vouches there is none).
    const q = repackLearns([...p], [learn({ seq: 99 }), ...changed.slice(1)], moved, 1);
    expect(unpackLearns(q)[0]?.seq).toBe(7);
    // A value out of range leaves the array as it was.
    const before = [...p];
    expect(() => repackLearns(p, [changed[0]!, learn({ node: 102, pcTag: 2 ** 30 }), changed[2]!], moved, 1)).toThrow(/out of range/);
    expect(p).toEqual(before);
  });

  it('refuses values it cannot pack exactly, naming them', () => {
    expect(() => packLearns([learn({ bd: 2 ** 26 })])).toThrow(/pcTag\/bd out of range/);
    expect(() => packLearns([learn({ pcTag: -1 })])).toThrow(/out of range/);
    expect(() => packLearns([learn({ seen: 1.5 })])).toThrow(/sync epochs out of range/);
  });

  it('answers presence and the newest sync epoch without unpacking', () => {
    expect(anyPresent(packLearns([learn({ present: false }), learn({ node: 102 })]))).toBe(true);
    expect(anyPresent(packLearns([learn({ present: false })]))).toBe(false);
    expect(anyPresent(packLearns([]))).toBe(false);
    expect(maxSeen(packLearns([learn({ seen: 4, bindSeen: 9 }), learn({ node: 102, seen: 6, bindSeen: 1 })]))).toBe(9);
  });

  it('mayMissInSync is never false where missedInSync finds a delete (random learns)', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let agreeing = 0;
    for (let i = 0; i < 2000; i++) {
      const type = rnd(2) ? 'mac' : 'ipv4';
      const learns = Array.from({ length: 1 + rnd(4) }, (_, k) =>
        learn({ node: 101 + k, present: rnd(2) === 1, rwMac: rnd(2) ? '' : '00:00:00:00:00:01', ts: T0 + rnd(3) * 1000, seen: rnd(4), bindSeen: rnd(4) }),
      );
      const s = { fabric: 'f', vnid: 1, addr: type === 'mac' ? '00:00:00:00:00:09' : '10.0.0.1', type, learns } as unknown as EndpointState;
      const epoch = 1 + rnd(3);
      const nodes = rnd(2) ? null : new Set([101, 103]);
      const since = T0 + 1000;
      const missed = missedInSync(s, epoch, nodes, since, T0 + 5000).length > 0;
      const may = mayMissInSync(packLearns(learns), type === 'mac', epoch, nodes, since);
      expect(may).toBe(missed);
      if (missed) agreeing++;
    }
    expect(agreeing).toBeGreaterThan(100);
  });
});

function vpcRemote(): number {
  return 102 * 65536 + 101;
}
