// What a leaf does when an operator clears an endpoint from its EPM tables: the entry is removed,
// and comes back only if the endpoint is still really there (a local host relearns at once; a
// remote learn that points where the host is relearns from its traffic). A stale remote learn, or
// one with no local learn anywhere, is gone for good. The model emits the events the APIC would.
import { learnHas, type EpClass } from './endpoint-render.js';
import type { SimHost, SimLearn } from './endpoint-space.js';
import type { FabricModel } from './fabric-model.js';
import { localNode } from './host-moves.js';

/** What a clear did on one node. */
export type SimClearOutcome = 'relearned' | 'removed' | 'absent';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Clears one endpoint key (MAC by BD vnid, IP by VRF vnid) on one node of the model. */
export function clearEndpoint(model: FabricModel, key: { vnid: number; addr: string }, node: number): SimClearOutcome {
  if (!model.isUp(node)) return 'absent';
  const isMac = MAC_RE.test(key.addr);
  const cls: EpClass = isMac ? 'epmMacEp' : 'epmIpEp';
  for (const i of model.findHosts(key.addr)) {
    const host = model.host(i);
    if (!host) continue;
    const at = host.learns.findIndex((l) => {
      const v = model.learnVnids(l);
      return l.node === node && learnHas(cls, host, l) && (isMac ? v.bd : v.vrf) === key.vnid && (isMac ? host.mac : host.ip) === key.addr;
    });
    const l = host.learns[at];
    if (!l) continue;
    if (stillValid(model, host, l)) {
      relearn(model, host, l, isMac);
      return 'relearned';
    }
    const kept: SimLearn = isMac ? { ...l, mac: false } : { ...l, ip: false };
    const learns = host.learns.filter((_, k) => k !== at);
    if (kept.mac || kept.ip) learns.splice(at, 0, kept);
    model.setHost({ ...host, learns });
    return 'removed';
  }
  return 'absent';
}

/** A local learn, or a remote one pointing at the host's current local node (or vPC pair). */
function stillValid(model: FabricModel, host: SimHost, l: SimLearn): boolean {
  if (l.local) return true;
  const here = localNode(host);
  return here !== 0 && model.tunnelRemote(l.node, l.ifId) === here;
}

/** The entry is removed and learned again: a delete then a create of the same objects. */
function relearn(model: FabricModel, host: SimHost, l: SimLearn, isMac: boolean): void {
  const classes: EpClass[] = isMac ? ['epmMacEp'] : ['epmIpEp', 'epmRsMacEpToIpEpAtt'];
  const objects = classes.filter((c) => learnHas(c, host, l)).map((c) => model.renderer.render(c, host, l));
  model.emit(objects.map((mo) => ({ cls: mo.cls, attrs: { dn: mo.attrs['dn'] ?? '', status: 'deleted' } })));
  model.emit(objects.map((mo) => ({ cls: mo.cls, attrs: { ...mo.attrs, status: 'created' } })));
}
