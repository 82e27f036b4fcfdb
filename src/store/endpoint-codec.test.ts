import { describe, expect, it } from 'vitest';
import { internFlags } from '../core/intern.js';
import { packLearns, type PackedEndpointState } from '../core/packed-learns.js';
import { vpcPseudoNode, type EndpointState, type NodeLearn } from '../core/types.js';
import { decodeEndpointState, encodeEndpointState } from './endpoint-codec.js';
import { endpointColumns } from './endpoint-columns.js';
import { endpointState, T0 } from './store-fixtures.js';

/** The state as the pipeline holds it: learns and current location packed, the fields emptied. */
function held(s: EndpointState): PackedEndpointState {
  return { ...s, learns: [], current: null, packed: packLearns(s.learns, s.current) };
}

describe('endpoint codec', () => {
  it('round-trips every field, including a last move, flags and a vPC location', () => {
    const s = endpointState({ addr: '2001:db8::5', local: vpcPseudoNode(101, 102), offsubnet: [103], stale: [104, 105], rapidUntil: T0 + 1 });
    s.lastMove = { src: { ...s.current!, node: 101, ts: T0 - 1 }, dst: s.current! };
    s.learns[0]!.flags = ['local', 'vpc-attached', 'svi'];
    s.rapidSkipped = 17;
    const text = encodeEndpointState(s);
    expect(text).not.toContain('2001:db8::5'); // the key lives in the row's columns
    expect(decodeEndpointState(s, s.type, text)).toEqual(s);
  });

  it('round-trips a deleted endpoint with no learns', () => {
    const s = endpointState({ addr: 'aa:bb:cc:dd:ee:ff', local: 0, remotes: [], gone: true });
    expect(decodeEndpointState(s, 'mac', encodeEndpointState(s))).toEqual(s);
  });

  it('encodes a state held packed to the same text as its unpacked form, and derives the same columns', () => {
    const vpc = endpointState({ addr: '2001:db8::5', local: vpcPseudoNode(101, 102), offsubnet: [103], stale: [104, 105], rapidUntil: T0 + 1 });
    vpc.lastMove = { src: { ...vpc.current!, node: 101, ts: T0 - 1 }, dst: vpc.current! };
    const odd = endpointState({ addr: '10.0.0.9', local: 101, remotes: [102, 103] });
    const l0 = odd.learns[0] as NodeLearn;
    // Names that need JSON escapes, a binding MAC not in colon form, extremes of every packed field.
    odd.learns[0] = { ...l0, ifId: 'eth1/1 "uplink" \\ é', encap: 'vlan-4094', rwMac: 'weird\tmac', flags: internFlags('local,svi,vpc-attached') };
    odd.learns[1] = { ...(odd.learns[1] as NodeLearn), present: false, flags: [], ifId: '', encap: '', rwMac: '', pcTag: 65535, bd: 2 ** 24 - 1, vrf: 0, seq: 2 ** 40, seen: 2 ** 26 - 1, bindSeen: 0, ts: 8.64e15 };
    odd.current = { ...odd.current!, ifId: 'eth1/1 "uplink" \\ é', rwMac: 'ff:ff:ff:ff:ff:ff' };
    const gone = endpointState({ addr: 'aa:bb:cc:dd:ee:ff', local: 0, remotes: [], gone: true });
    const remoteOnly = endpointState({ addr: '10.0.0.10', local: 0, remotes: [104] });
    for (const s of [vpc, odd, gone, remoteOnly]) {
      const h = held(s);
      const text = encodeEndpointState(h);
      expect(text).toBe(encodeEndpointState(s));
      expect(decodeEndpointState(s, s.type, text)).toEqual(s);
      expect(endpointColumns(h)).toEqual(endpointColumns(s));
    }
    expect(endpointColumns(held(gone))).toMatchObject({ deleted: 1, curNode: 0 });
    expect(endpointColumns(held(remoteOnly))).toMatchObject({ deleted: 1, goneTs: 0 });
  });

  it('refuses an unknown format with a store_error naming the endpoint', () => {
    expect(() => decodeEndpointState({ fabric: 'f', vnid: 1, addr: '10.0.0.1' }, 'ipv4', '[2]')).toThrow(/f\/1\/10\.0\.0\.1/);
  });
});
