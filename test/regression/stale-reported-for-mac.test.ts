// Bug: stale was analysed for MAC endpoints too, so a remote learn left pointing at the old leaf
// was reported twice (the IP and its MAC) and an e2e run against the simulator showed MAC stale
// findings its oracle (and EPT, REFERENCE-aci.md "Stale (IP)") does not have. Stale is IP only.
import { describe, expect, it } from 'vitest';
import { applyObservation, candidateChecks, newEndpointState, type AnalysisContext } from '../../src/core/analyses.js';
import { resolveSettings } from '../../src/core/settings.js';
import type { Observation } from '../../src/core/types.js';
import { BD, EPG_TAG, labTables, TEP, tunnelTo, VRF } from '../support/lab-fabric.js';

const T0 = 1_700_000_000_000;
const ctx: AnalysisContext = { tables: labTables(), settings: resolveSettings({}), epoch: 1 };

function learn(cls: 'mac' | 'ip', node: number, local: boolean, ts: number, dest = ''): Observation {
  const addr = cls === 'mac' ? '00:00:00:00:00:5a' : '10.1.1.90';
  return {
    fabric: 'f',
    cls,
    node,
    vnid: cls === 'mac' ? BD : VRF,
    addr,
    status: 'created',
    ts,
    flags: local ? ['local', cls] : [cls],
    ifId: local ? 'eth1/1' : tunnelTo(dest),
    pcTag: EPG_TAG,
    vrf: VRF,
    bd: BD,
    encap: local ? 'vlan-101' : '',
  };
}

describe('regression: stale reported for a MAC', () => {
  for (const cls of ['mac', 'ip'] as const) {
    it(`${cls}: local on 103, remote on 105 still pointing at 101`, () => {
      const s = newEndpointState(learn(cls, 103, true, T0));
      applyObservation(s, learn(cls, 103, true, T0), ctx, T0);
      const r = applyObservation(s, learn(cls, 105, false, T0 + 1, TEP[101] ?? ''), ctx, T0 + 1);
      const stale = [...r.checks, ...candidateChecks(s, ctx)].filter((c) => c.kind === 'stale');
      if (cls === 'mac') expect(stale).toEqual([]);
      else expect(stale[0]).toMatchObject({ kind: 'stale', node: 105, reason: 'remote' });
    });
  }
});
