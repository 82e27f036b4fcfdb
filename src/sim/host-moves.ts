// State changes of simulated hosts the way a fabric makes them: a move replaces the local learns and
// re-points every remote learn at the new location (except the ones told to stay stale).
import type { SimHost, SimLearn } from './endpoint-space.js';
import type { FabricModel } from './fabric-model.js';

/** Where a host is attached: a leaf port, or a vPC interface of a pair. */
export type Placement = { leaf: number; port?: string } | { vpc: number; vpcIf?: number };

/** The leaf ids of a placement (one, or both vPC members). */
export function placementNodes(model: FabricModel, p: Placement): number[] {
  const t = model.topo;
  if ('leaf' in p) {
    if (t.leafIndex(p.leaf) < 0) throw new Error(`placement: ${p.leaf} is not a leaf (leafs are 101..${t.leafId(t.leafs - 1)})`);
    return [p.leaf];
  }
  const i = t.leafIndex(p.vpc);
  if (i < 0 || t.pairOf(i) < 0) throw new Error(`placement: ${p.vpc} is not a member of a vPC pair`);
  return [t.leafId(i & ~1), t.leafId(i | 1)];
}

/** The placement of generated attachment a (vPC pair or standalone leaf). */
export function attachmentPlacement(model: FabricModel, a: number, port: string): Placement {
  const t = model.topo;
  if (a < t.pairs) return { vpc: t.leafId(2 * a), vpcIf: 0 };
  return { leaf: t.leafId(2 * t.pairs + (a - t.pairs)), port };
}

let lastMs = -1;
let lastTs = '';

/** The APIC's timestamp text for now (the same text within a millisecond: churn makes many moves per ms). */
function nowTs(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastTs = new Date(ms).toISOString().replace('Z', '+00:00');
  }
  return lastTs;
}

/** The tunnel a leaf uses toward a placement. */
function tunnelToward(model: FabricModel, node: number, members: number[]): string {
  const t = model.topo;
  const i = t.leafIndex(node);
  const first = t.leafIndex(members[0] ?? 0);
  return members.length === 2 ? t.tunnelToVip(i, t.pairOf(first)) : t.tunnelToLeaf(i, first);
}

/** Options of a move. */
export interface MoveOptions {
  /** Nodes whose remote learns keep pointing at the old location (stale injection). */
  staleNodes?: number[];
  /** EPG the new local learn is classified in (default: the host's). */
  epg?: number;
  /** Remote learns for a host that has none yet (a new learn); default the model's remoteLearns. */
  remotes?: number;
}

/** The host after moving (or first learning) it at a placement. */
export function placeHost(model: FabricModel, host: SimHost, p: Placement, o: MoveOptions = {}): SimHost {
  const t = model.topo;
  const members = placementNodes(model, p);
  const epg = o.epg ?? host.epg;
  const ts = nowTs();
  const learns: SimLearn[] = members.map((node) => {
    const ifId = 'leaf' in p ? (p.port ?? 'eth1/1') : t.vpcPo(t.leafIndex(node), p.vpcIf ?? 0);
    const old = host.learns.find((l) => l.node === node && l.local);
    return { node, local: true, ifId, vpc: members.length === 2, mac: true, ip: host.ip !== '', epg, createTs: old?.createTs ?? ts };
  });
  let remotes = host.learns.filter((l) => !l.local && !members.includes(l.node));
  if (host.learns.length === 0) {
    const want = Math.min(o.remotes ?? model.space.remote, t.leafs - members.length);
    const nodes: number[] = [];
    for (let i = 0; i < t.leafs && nodes.length < want; i++) if (!members.includes(t.leafId(i))) nodes.push(t.leafId(i));
    remotes = nodes.map((node) => ({ node, local: false, ifId: '', vpc: false, mac: true, ip: host.ip !== '', epg, createTs: ts }));
  }
  const stale = new Set(o.staleNodes ?? []);
  for (const r of remotes) {
    if (stale.has(r.node)) learns.push(r);
    else learns.push({ ...r, ifId: tunnelToward(model, r.node, members), epg });
  }
  learns.sort((a, b) => Number(b.local) - Number(a.local) || a.node - b.node);
  return { ...host, epg, learns };
}

/** The host with every learn gone (the endpoint left the fabric). */
export function deleteHost(host: SimHost): SimHost {
  return { ...host, learns: [] };
}

/** Node (vPC pseudo-node for a pair) of a host's current local learn, 0 when none. */
export function localNode(host: SimHost): number {
  const locals = host.learns.filter((l) => l.local).map((l) => l.node);
  if (locals.length === 2) {
    const [a = 0, b = 0] = locals;
    return Math.max(a, b) * 65536 + Math.min(a, b);
  }
  return locals[0] ?? 0;
}
