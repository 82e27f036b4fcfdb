import { describe, expect, it } from 'vitest';
import { vpcPseudoNode } from '../core/types.js';
import { decodeEndpointState, encodeEndpointState } from './endpoint-codec.js';
import { endpointState, T0 } from './store-fixtures.js';

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

  it('refuses an unknown format with a store_error naming the endpoint', () => {
    expect(() => decodeEndpointState({ fabric: 'f', vnid: 1, addr: '10.0.0.1' }, 'ipv4', '[2]')).toThrow(/f\/1\/10\.0\.0\.1/);
  });
});
