import { describe, expect, it } from 'vitest';
import { internFlags } from '../core/intern.js';
import { packLearns, type PackedEndpointState } from '../core/packed-learns.js';
import { vpcPseudoNode, type EndpointState, type Location, type NodeLearn } from '../core/types.js';
import { decodeEndpointBinary, encodeEndpointBinary, StateBytes, writeEndpointBinary } from './endpoint-binary.js';
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

describe('endpoint binary codec (SQLite, format 2)', () => {
  const states = (): EndpointState[] => {
    const vpc = endpointState({ addr: '2001:db8::5', local: vpcPseudoNode(101, 102), offsubnet: [103], stale: [104, 105], rapidUntil: T0 + 1 });
    vpc.lastMove = { src: { ...vpc.current!, node: 101, ts: T0 - 1 }, dst: vpc.current! };
    vpc.rapidSkipped = 17;
    vpc.rate = { bucketStart: T0 - 5000, counts: [1, 0, 3, 2] };
    const odd = endpointState({ addr: '10.0.0.9', local: 101, remotes: [102, 103] });
    const l0 = odd.learns[0] as NodeLearn;
    odd.learns[0] = { ...l0, ifId: 'eth1/1 "uplink" \\ é', encap: 'vlan-4094', rwMac: 'weird\tmac', flags: internFlags('local,svi,vpc-attached') };
    odd.learns[1] = { ...(odd.learns[1] as NodeLearn), present: false, flags: [], ifId: '', encap: '', rwMac: '', pcTag: 65535, bd: 2 ** 24 - 1, vrf: 0, seq: 2 ** 40, seen: 2 ** 26 - 1, bindSeen: 0, ts: 8.64e15 };
    odd.current = { ...odd.current!, ifId: 'eth1/1 "uplink" \\ é', rwMac: 'ff:ff:ff:ff:ff:ff', ts: 0 };
    const gone = endpointState({ addr: 'aa:bb:cc:dd:ee:ff', local: 0, remotes: [], gone: true });
    const remoteOnly = endpointState({ addr: '10.0.0.10', local: 0, remotes: [104] });
    return [vpc, odd, gone, remoteOnly];
  };

  it('round-trips every field, held packed or not, to the same bytes', () => {
    for (const s of states()) {
      const bytes = encodeEndpointBinary(s);
      expect(encodeEndpointBinary(held(s))).toEqual(bytes);
      expect(decodeEndpointState(s, s.type, bytes)).toEqual(s);
      expect(decodeEndpointBinary(s, s.type, bytes, 7)).toEqual({ ...s, id: 7 });
    }
  });

  it('writes a packed state to the same bytes as its learns, whichever strings repeat across fields (random states)', () => {
    // Texts that collide across fields: a flag list, names and binding MACs with the same text,
    // colon MACs (upper- and lower-case), non-ASCII, empty; repeated within and across learns.
    const texts = ['', 'local', 'local,mac', 'eth1/1', 'vlan-5', 'tunnel7', '00:50:56:9a:11:22', 'AA:BB:CC:DD:EE:FF', 'ff:ff:ff:ff:ff:ff', 'é/1', 'a"b\\c'];
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const text = (): string => texts[rnd(texts.length)] as string;
    const loc = (): Location => ({ node: 100 + rnd(5), ifId: text(), encap: text(), pcTag: rnd(70000), rwMac: text(), rwBd: rnd(3), ts: T0 - rnd(1000) });
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const s = endpointState({ addr: '10.0.0.9', local: rnd(2) ? 101 : 0, remotes: [] });
      s.learns = Array.from({ length: rnd(7) }, (_, j) => ({
        node: 101 + j, present: rnd(2) === 1, flags: internFlags(text()), ifId: text(), encap: text(), pcTag: rnd(65536), bd: rnd(2 ** 24), vrf: rnd(2 ** 24),
        rwMac: text(), rwBd: rnd(2 ** 24), remote: rnd(3) ? 0 : 102, ts: T0 - rnd(10 ** 6), seq: rnd(1000), seen: rnd(5), bindSeen: rnd(5),
      }));
      s.current = rnd(3) ? loc() : null;
      s.previous = rnd(2) ? loc() : null;
      s.lastMove = rnd(2) ? { src: loc(), dst: loc() } : null;
      const bytes = encodeEndpointBinary(s);
      expect(encodeEndpointBinary(held(s))).toEqual(bytes);
      expect(decodeEndpointBinary(s, s.type, bytes)).toEqual({ ...s, learns: s.learns.map((l) => ({ ...l, flags: internFlags(l.flags.join(',')) })) });
      compared++;
    }
    expect(compared).toBe(2000);
  });

  it('is less than half the size of the JSON text for a state with several learns', () => {
    const s = endpointState({ addr: '10.0.0.9', local: vpcPseudoNode(101, 102), remotes: [103, 104, 105, 106] });
    const bytes = encodeEndpointBinary(held(s));
    expect(bytes.length * 2).toBeLessThan(Buffer.byteLength(encodeEndpointState(s)));
  });

  it('writes many states into one buffer, each readable at its offset', () => {
    const w = new StateBytes(16);
    const all = states();
    const at = all.map((s) => writeEndpointBinary(w, held(s)));
    all.forEach((s, i) => {
      const [off, len] = at[i]!;
      expect(decodeEndpointBinary(s, s.type, w.bytes.subarray(off, off + len))).toEqual(s);
    });
  });

  it('refuses damaged bytes with a store_error naming the endpoint and what is wrong', () => {
    const key = { fabric: 'f', vnid: 1, addr: '10.0.0.1' };
    const s = states()[1]!;
    const bytes = encodeEndpointBinary(s);
    const cases: [Uint8Array, RegExp][] = [
      [bytes.subarray(0, bytes.length - 1), /ends in the middle/],
      [Uint8Array.from([...bytes, 0]), /1 bytes are left over/],
      [Uint8Array.from([6]), /unknown format/],
      // Format, ts 0, one learn, node 1, present, then a reference to string 5 of none.
      [Uint8Array.from([4, 0, 2, 2, 2, 10]), /string reference 5 is out of range/],
      [Uint8Array.from([4, 0, 2, 2, 2, 2, 20, 0xff]), /string runs past its end/],
      [Uint8Array.from([4, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]), /too long/],
    ];
    for (const [b, why] of cases) {
      expect(() => decodeEndpointState(key, 'ipv4', b)).toThrow(why);
      expect(() => decodeEndpointState(key, 'ipv4', b)).toThrow(/f\/1\/10\.0\.0\.1/);
    }
  });

  it('refuses a value it cannot encode instead of storing something else', () => {
    const s = endpointState({ addr: '10.0.0.9', local: 101, remotes: [] });
    s.learns[0] = { ...(s.learns[0] as NodeLearn), pcTag: 1.5 };
    expect(() => encodeEndpointBinary(s)).toThrow(/1\.5 is not an integer/);
  });
});
