// Renders a simulated host into the endpoint objects leafs hold (epmMacEp, epmIpEp,
// epmRsMacEpToIpEpAtt), with the DN shapes and attributes of a real leaf (REFERENCE-aci.md).
import type { SimHost, SimLearn } from './endpoint-space.js';
import type { FabricTopology, SimMo } from './fabric-topology.js';
import { jsonAsIs } from '../core/json-text.js';

/** The endpoint classes the simulator generates. */
export const EP_CLASSES = ['epmMacEp', 'epmIpEp', 'epmRsMacEpToIpEpAtt'] as const;
export type EpClass = (typeof EP_CLASSES)[number];

export function isEpClass(cls: string): cls is EpClass {
  return cls === 'epmMacEp' || cls === 'epmIpEp' || cls === 'epmRsMacEpToIpEpAtt';
}

/** Which learns a class has on a node: the MAC class needs a MAC, the binding a local MAC and IP. */
export function learnHas(cls: EpClass, host: SimHost, l: SimLearn): boolean {
  if (cls === 'epmMacEp') return l.mac;
  if (cls === 'epmIpEp') return l.ip && host.ip !== '';
  return l.local && l.mac && l.ip && host.ip !== '';
}

/**
 * Marks the attributes of a rendering with its class: its keys are the renderer's, in its order
 * (copies made with a spread keep both), so renderedEntry can write them without looking them up.
 * A symbol: JSON, for-in and Object.keys do not see it.
 */
const RENDERED = Symbol('rendered');

type Rendered = Record<string, string> & { [RENDERED]?: EpClass };

/**
 * The imdata entry of a rendering (imdataEntry's text), from a template: ~2.5x faster than
 * JSON.stringify, which was a fifth of the simulator's time at 100K events/s. Null for other
 * objects, and for a rendering whose varying values would need escapes (names from a scenario):
 * the caller then serialises it generically. The values not checked here are constants of render().
 */
export function renderedEntry(mo: SimMo): string | null {
  const a = mo.attrs as Rendered;
  const cls = a[RENDERED];
  if (cls === undefined || !jsonAsIs(a['dn'] as string) || !jsonAsIs(a['status'] as string)) return null;
  if (cls === 'epmRsMacEpToIpEpAtt') {
    if (!jsonAsIs(a['tDn'] as string)) return null;
    return `{"${cls}":{"attributes":{"dn":"${a['dn']}","status":"${a['status']}","tDn":"${a['tDn']}","rType":"${a['rType']}","stateQual":"${a['stateQual']}","tCl":"${a['tCl']}","state":"${a['state']}","forceResolve":"${a['forceResolve']}","modTs":"${a['modTs']}","tType":"${a['tType']}","rn":"${a['rn']}","childAction":"${a['childAction']}"}}}`;
  }
  if (!jsonAsIs(a['addr'] as string) || !jsonAsIs(a['createTs'] as string) || !jsonAsIs(a['ifId'] as string)) return null;
  return `{"${cls}":{"attributes":{"dn":"${a['dn']}","status":"${a['status']}","addr":"${a['addr']}","createTs":"${a['createTs']}","name":"${a['name']}","pcTag":"${a['pcTag']}","flags":"${a['flags']}","modTs":"${a['modTs']}","ifId":"${a['ifId']}","rn":"${a['rn']}","childAction":"${a['childAction']}"}}}`;
}

export class EndpointRenderer {
  constructor(private readonly topo: FabricTopology) {}

  /** The learn's context, filled in by ctx (one object reused: a render asked for it 2-3 times per object). */
  private readonly c = { vrf: 0, bd: 0, encap: '', pcTag: 0 };

  /** The VRF, BD, encap and pcTag of a learn's EPG; valid until the next call. */
  private ctx(l: SimLearn): { readonly vrf: number; readonly bd: number; readonly encap: string; readonly pcTag: number } {
    const epg = this.topo.epgs[l.epg];
    const bd = epg ? this.topo.bds[epg.bd] : undefined;
    const c = this.c;
    c.vrf = bd?.vrf ?? 0;
    c.bd = bd?.vnid ?? 0;
    c.encap = epg?.encap ?? '';
    c.pcTag = epg?.pcTag ?? 0;
    return c;
  }

  macDn(host: SimHost, l: SimLearn): string {
    const c = this.ctx(l);
    const enc = l.local ? `/vlan-[${c.encap}]` : '';
    return `topology/pod-1/node-${l.node}/sys/ctx-[vxlan-${c.vrf}]/bd-[vxlan-${c.bd}]${enc}/db-ep/mac-${host.mac}`;
  }

  ipDn(host: SimHost, l: SimLearn): string {
    const c = this.ctx(l);
    const scope = l.local ? `/bd-[vxlan-${c.bd}]/vlan-[${c.encap}]` : '';
    return `topology/pod-1/node-${l.node}/sys/ctx-[vxlan-${c.vrf}]${scope}/db-ep/ip-[${host.ip}]`;
  }

  /** Renders one class's object for one learn (the caller checked learnHas). */
  render(cls: EpClass, host: SimHost, l: SimLearn): SimMo {
    if (cls === 'epmRsMacEpToIpEpAtt') {
      const tDn = this.ipDn(host, l);
      return {
        cls,
        attrs: {
          dn: `${this.macDn(host, l)}/rsmacEpToIpEpAtt-[${tDn}]`,
          status: '',
          tDn,
          rType: 'mo',
          stateQual: 'none',
          tCl: 'epmIpEp',
          state: 'formed',
          forceResolve: 'no',
          modTs: 'never',
          tType: 'mo',
          rn: '',
          childAction: '',
          [RENDERED]: cls,
        } as Rendered,
      };
    }
    const isMac = cls === 'epmMacEp';
    let flags: string;
    if (l.local) flags = isMac ? (l.vpc ? 'local,mac,vpc-attached' : 'local,mac') : l.vpc ? 'local,vpc-attached' : 'local';
    else flags = isMac ? 'mac' : 'ip';
    return {
      cls,
      attrs: {
        dn: isMac ? this.macDn(host, l) : this.ipDn(host, l),
        status: '',
        addr: isMac ? host.mac : host.ip,
        createTs: l.createTs,
        name: '',
        pcTag: String(this.ctx(l).pcTag),
        flags,
        modTs: 'never',
        ifId: l.ifId,
        rn: '',
        childAction: '',
        [RENDERED]: cls,
      } as Rendered,
    };
  }
}
