// Realistic test data for the store contract: endpoint states with learns on several nodes (local,
// vPC, remote), MAC/IPv4/IPv6 addresses, and the history rows and findings a worker would write.
import { addressType } from '../core/address.js';
import type { EndpointState, Finding, FindingKind, HistoryEvent, Location, NodeLearn } from '../core/types.js';
import { vpcPseudoNode } from '../core/types.js';
import type { WriteBatch } from './store.js';

/** Shape of an endpoint to build; everything else gets realistic defaults. */
export interface EndpointSpec {
  fabric?: string;
  vnid?: number;
  addr: string;
  ts?: number;
  /** Node of the local learn; 0 for none (deleted or remote-only). Default 101. */
  local?: number;
  /** Nodes holding a remote learn pointing at the local node. Default [103, 104]. */
  remotes?: number[];
  /** Learns are kept but none is present (the endpoint is gone from the fabric). */
  gone?: boolean;
  deletedTs?: number;
  offsubnet?: number[];
  stale?: number[];
  rapidUntil?: number;
}

export const T0 = 1_700_000_000_000;

function learn(node: number, ts: number, remote: number, present: boolean, addr: string): NodeLearn {
  const mac = addressType(addr) === 'mac';
  return {
    node,
    present,
    flags: remote ? ['cached'] : node > 0xffff ? ['local', 'vpc-attached'] : ['local'],
    ifId: remote ? 'tunnel5' : node > 0xffff ? 'po3' : 'eth1/12',
    encap: remote ? '' : 'vlan-1104',
    pcTag: 49153,
    bd: 15826915,
    vrf: 2981888,
    rwMac: mac ? '' : '00:50:56:9a:11:22',
    rwBd: mac ? 0 : 15826915,
    remote,
    ts,
    seq: 3,
    seen: 1,
    bindSeen: mac ? 0 : 1,
  };
}

function location(node: number, ts: number): Location {
  return { node, ifId: node > 0xffff ? 'po3' : 'eth1/12', encap: 'vlan-1104', pcTag: 49153, rwMac: '', rwBd: 0, ts };
}

/** Builds an EndpointState as a worker would hold it. */
export function endpointState(spec: EndpointSpec): EndpointState {
  const ts = spec.ts ?? T0;
  const local = spec.local ?? 101;
  const present = !spec.gone;
  const learns: NodeLearn[] = [];
  if (local) learns.push(learn(local, ts, 0, present, spec.addr));
  for (const r of spec.remotes ?? [103, 104]) learns.push(learn(r, ts - 5, local || vpcPseudoNode(101, 102), present, spec.addr));
  const hasLocal = local !== 0 && present;
  return {
    id: 0,
    fabric: spec.fabric ?? 'fab1',
    vnid: spec.vnid ?? (addressType(spec.addr) === 'mac' ? 15826915 : 2981888),
    addr: spec.addr,
    type: addressType(spec.addr),
    learns,
    current: hasLocal ? location(local, ts) : null,
    previous: hasLocal ? null : location(local || 101, ts - 60_000),
    deletedTs: hasLocal ? 0 : (spec.deletedTs ?? ts),
    flags: { offsubnet: spec.offsubnet ?? [], stale: spec.stale ?? [], rapidUntil: spec.rapidUntil ?? 0 },
    lastMove: null,
    rate: { bucketStart: Math.floor(ts / 15_000) * 15_000, counts: [0, 1, 2, 3] },
    rapidSkipped: 0,
    ts,
  };
}

/** A history row of an endpoint on a node. */
export function historyEvent(s: EndpointState, node: number, seq: number, ts: number): HistoryEvent {
  return {
    fabric: s.fabric,
    vnid: s.vnid,
    addr: s.addr,
    node,
    status: seq % 5 === 4 ? 'deleted' : seq === 0 ? 'created' : 'modified',
    ts,
    flags: seq % 2 ? ['local', 'vpc-attached'] : [],
    ifId: 'eth1/12',
    encap: 'vlan-1104',
    pcTag: 49153,
    rwMac: s.type === 'mac' ? '' : '00:50:56:9a:11:22',
    rwBd: s.type === 'mac' ? 0 : 15826915,
    remote: 0,
    seq,
  };
}

/** A finding about an endpoint. */
export function finding(s: EndpointState, kind: FindingKind, ts: number, node = 0): Finding {
  const f: Finding = { kind, fabric: s.fabric, vnid: s.vnid, addr: s.addr, type: s.type, ts, node };
  if (kind === 'move') {
    f.src = location(101, ts - 1000);
    f.dst = location(vpcPseudoNode(101, 102), ts);
  } else if (kind === 'stale') {
    f.reason = 'remote';
    f.remote = 104;
    f.expected = 101;
  } else if (kind === 'rapid') {
    f.rate = 4096;
  }
  return f;
}

/** A write batch with defaults for what a test does not care about. */
export function batch(parts: Partial<WriteBatch>): WriteBatch {
  return { endpoints: [], history: [], findings: [], historyCap: 64, findingCap: 8, ...parts };
}

/** n distinct addresses cycling through MAC, IPv4 and IPv6. */
export function addresses(n: number, offset = 0): string[] {
  const out: string[] = [];
  for (let i = offset; i < offset + n; i++) {
    const hex = (i & 0xffff).toString(16).padStart(4, '0');
    if (i % 3 === 0) out.push(`00:50:56:${hex.slice(0, 2)}:${hex.slice(2)}:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}`);
    else if (i % 3 === 1) out.push(`10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`);
    else out.push(`2001:db8::${(i & 0xffff).toString(16)}:${((i >> 16) & 0xffff).toString(16)}`);
  }
  return out;
}
