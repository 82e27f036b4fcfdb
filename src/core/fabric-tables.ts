// Derived fabric tables (nodes, TEPs, vPC pairs, tunnels, names, EPGs, subnets), built from APIC
// managed objects by apply(). Pure: the subscriber feeds it, the analyses read it.
import { parsePrefix, prefixContains, type Prefix } from './address.js';
import { vpcPseudoNode } from './types.js';

/** The MO classes the tables are built from (REFERENCE-aci.md, "Topology and naming"). */
export const TABLE_CLASSES = [
  'fabricNode',
  'topSystem',
  'fabricExplicitGEp',
  'fabricAutoGEp',
  'fabricNodePEp',
  'fabricProtPol',
  'tunnelIf',
  'vpcRsVpcConf',
  'fvCtx',
  'fvBD',
  'fvSvcBD',
  'fvAEPg',
  'l3extInstP',
  'mgmtInB',
  'vnsEPpInfo',
  'fvRsBd',
  'vnsRsEPpInfoToBD',
  'mgmtRsMgmtBD',
  'fvSubnet',
  'fvIpAttr',
  'l3extOut',
  'l3extRsEctx',
  'l3extExtEncapAllocator',
  'vnsLIfCtx',
  'vnsRsLIfCtxToBD',
] as const;

export type TableClass = (typeof TABLE_CLASSES)[number];

/** A stored managed object: class, dn and its string attributes. */
export interface MoRow {
  cls: string;
  dn: string;
  attrs: Record<string, string>;
}

/** A fabric node as the tables know it. */
export interface NodeInfo {
  id: number;
  pod: number;
  name: string;
  role: string;
  tep: string;
  fabricSt: string;
  state: string;
  /** vPC peer node id, 0 when none. */
  peer: number;
}

/** An EPG (or external EPG) looked up by (VRF vnid, pcTag). */
export interface EpgInfo {
  dn: string;
  /** BD vnid, 0 when unknown. */
  bd: number;
}

const NODE_DN = /^topology\/pod-(\d+)\/node-(\d+)/;
const TUNNEL_DN = /^topology\/pod-\d+\/node-(\d+)\/sys\/tunnel-\[([^\]]+)\]/;
const VPC_CONF_DN = /^topology\/pod-\d+\/node-(\d+)\/sys\/vpc\/inst\/dom-\d+\/if-(\d+)\//;

function num(v: string | undefined): number {
  if (!v) return 0;
  const m = /(\d+)$/.exec(v);
  return m ? Number(m[1]) : 0;
}

/** Parent DN: the part before the last "/" that is not inside brackets. */
export function parentDn(dn: string): string {
  let depth = 0;
  for (let i = dn.length - 1; i >= 0; i--) {
    const c = dn[i];
    if (c === ']') depth++;
    else if (c === '[') depth--;
    else if (c === '/' && depth === 0) return dn.slice(0, i);
  }
  return '';
}

/** The fabric's derived tables. */
export class FabricTables {
  private readonly rows = new Map<string, MoRow>();
  private dirty = true;
  private nodes = new Map<number, NodeInfo>();
  private tepToNode = new Map<string, number>();
  /** node -> tunnel interface -> what it resolves to (resolved when the tables are rebuilt). */
  private tunnels = new Map<number, Map<string, { remote: number; proxy: boolean }>>();
  /** node -> port-channel -> vPC interface name (vpc-343). */
  private vpcIfs = new Map<number, Map<string, string>>();
  private names = new Map<number, string>();
  /** By epgKey(vrf, pcTag): a number, no key string per lookup (this runs for every learn event). */
  private epgs = new Map<number, EpgInfo>();
  private subnets = new Map<number, Prefix[]>();
  private bdVrf = new Map<number, number>();
  /** Bumped on every change, so caches elsewhere can tell when to refresh. */
  version = 0;

  /** Applies one object (query result or event). Returns false for a class the tables ignore. */
  apply(cls: string, attrs: Record<string, string>): boolean {
    if (!(TABLE_CLASSES as readonly string[]).includes(cls)) return false;
    const dn = attrs['dn'];
    if (!dn) return false;
    if (attrs['status'] === 'deleted') {
      this.rows.delete(dn);
    } else {
      const prev = this.rows.get(dn);
      const merged = { ...(prev && prev.cls === cls ? prev.attrs : {}), ...attrs };
      delete merged['status'];
      this.rows.set(dn, { cls, dn, attrs: merged });
    }
    this.dirty = true;
    this.version++;
    return true;
  }

  /** Replaces every object of the given classes (after a full re-read of them). */
  replaceClasses(classes: readonly string[], rows: Iterable<MoRow>): void {
    const set = new Set(classes);
    for (const [dn, r] of this.rows) if (set.has(r.cls)) this.rows.delete(dn);
    for (const r of rows) this.rows.set(r.dn, r);
    this.dirty = true;
    this.version++;
  }

  /** One stored object by dn (the merged attributes, for persisting a partial 'modified' event). */
  // Added by the fabric subscriber: it saves the merged row after apply(), not the partial event.
  row(dn: string): MoRow | undefined {
    return this.rows.get(dn);
  }

  /** Every stored object, for persisting the tables. */
  snapshot(): MoRow[] {
    return [...this.rows.values()];
  }

  /** Rebuilds tables from stored objects. */
  static fromRows(rows: Iterable<MoRow>): FabricTables {
    const t = new FabricTables();
    for (const r of rows) t.rows.set(r.dn, r);
    return t;
  }

  get objectCount(): number {
    return this.rows.size;
  }

  // ---- lookups used by the analyses ----

  node(id: number): NodeInfo | undefined {
    this.refresh();
    return this.nodes.get(id);
  }

  allNodes(): NodeInfo[] {
    this.refresh();
    return [...this.nodes.values()];
  }

  /** vPC peer of a node, 0 when none. */
  vpcPeer(id: number): number {
    this.refresh();
    return this.nodes.get(id)?.peer ?? 0;
  }

  /** The node (or vPC pseudo-node) owning a TEP address, 0 when unknown. */
  nodeByTep(tep: string): number {
    this.refresh();
    return this.tepToNode.get(stripMask(tep)) ?? 0;
  }

  /** Resolves (node, tunnel interface) to the remote node, and whether it is a proxy tunnel. */
  tunnel(node: number, ifId: string): { remote: number; proxy: boolean } | undefined {
    this.refresh();
    // Nested maps, no key string per lookup: this runs for every remote learn event.
    return this.tunnels.get(node)?.get(ifId);
  }

  /** Maps a port-channel on a vPC member to its vPC interface name (vpc-343), or returns it unchanged. */
  vpcInterface(node: number, ifId: string): string {
    this.refresh();
    return this.vpcIfs.get(node)?.get(ifId) ?? ifId;
  }

  /** DN of a VRF or BD vnid ('' when unknown). */
  vnidName(vnid: number): string {
    this.refresh();
    return this.names.get(vnid) ?? '';
  }

  /** VRF vnid of a BD vnid (0 when unknown). */
  bdVrfOf(bd: number): number {
    this.refresh();
    return this.bdVrf.get(bd) ?? 0;
  }

  epg(vrf: number, pcTag: number): EpgInfo | undefined {
    this.refresh();
    return this.epgs.get(epgKey(vrf, pcTag));
  }

  subnetsOf(bd: number): readonly Prefix[] {
    this.refresh();
    return this.subnets.get(bd) ?? [];
  }

  /** True when an IP lies in one of the BD's subnets. */
  bdContains(bd: number, ip: string): boolean {
    for (const p of this.subnetsOf(bd)) if (prefixContains(p, ip)) return true;
    return false;
  }

  // ---- rebuilding the indexes from rows ----

  private refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const byCls = new Map<string, MoRow[]>();
    for (const r of this.rows.values()) {
      let list = byCls.get(r.cls);
      if (!list) byCls.set(r.cls, (list = []));
      list.push(r);
    }
    const of = (c: string): MoRow[] => byCls.get(c) ?? [];
    this.buildNodes(of);
    this.buildTunnels(of);
    this.buildNames(of);
    this.buildEpgs(of);
    this.buildSubnets(of);
  }

  private buildNodes(of: (c: string) => MoRow[]): void {
    const nodes = new Map<number, NodeInfo>();
    const get = (dn: string): NodeInfo | undefined => {
      const m = NODE_DN.exec(dn);
      if (!m) return undefined;
      const id = Number(m[2]);
      let n = nodes.get(id);
      if (!n) {
        n = { id, pod: Number(m[1]), name: '', role: '', tep: '', fabricSt: '', state: '', peer: 0 };
        nodes.set(id, n);
      }
      return n;
    };
    for (const r of of('fabricNode')) {
      const n = get(r.dn);
      if (!n) continue;
      n.name = r.attrs['name'] ?? n.name;
      n.role = r.attrs['role'] ?? n.role;
      n.fabricSt = r.attrs['fabricSt'] ?? n.fabricSt;
    }
    this.tepToNode = new Map();
    for (const r of of('topSystem')) {
      const n = get(r.dn);
      if (!n) continue;
      n.tep = stripMask(r.attrs['address'] ?? '');
      n.state = r.attrs['state'] ?? n.state;
      n.name ||= r.attrs['name'] ?? '';
      n.role ||= r.attrs['role'] ?? '';
      if (n.tep) this.tepToNode.set(n.tep, n.id);
    }
    const groups = new Map<string, number[]>();
    for (const r of [...of('fabricNodePEp')]) {
      const g = parentDn(r.dn);
      const id = Number(r.attrs['id'] ?? num(r.dn));
      if (!id) continue;
      const list = groups.get(g) ?? [];
      list.push(id);
      groups.set(g, list);
    }
    for (const cls of ['fabricExplicitGEp', 'fabricAutoGEp']) {
      for (const r of of(cls)) {
        const members = groups.get(r.dn) ?? [];
        const [a, b] = members;
        if (members.length !== 2 || a === undefined || b === undefined) continue;
        const pseudo = vpcPseudoNode(a, b);
        const vip = stripMask(r.attrs['virtualIp'] ?? '');
        if (vip) this.tepToNode.set(vip, pseudo);
        const na = nodes.get(a);
        const nb = nodes.get(b);
        if (na) na.peer = b;
        if (nb) nb.peer = a;
      }
    }
    this.nodes = nodes;
  }

  private buildTunnels(of: (c: string) => MoRow[]): void {
    this.tunnels = new Map();
    for (const r of of('tunnelIf')) {
      const m = TUNNEL_DN.exec(r.dn);
      if (!m) continue;
      const proxy = (r.attrs['type'] ?? '').includes('proxy');
      const remote = proxy ? 0 : (this.tepToNode.get(stripMask(r.attrs['dest'] ?? '')) ?? 0);
      nested(this.tunnels, Number(m[1])).set(r.attrs['id'] ?? m[2] ?? '', Object.freeze({ remote, proxy }));
    }
    this.vpcIfs = new Map();
    for (const r of of('vpcRsVpcConf')) {
      const m = VPC_CONF_DN.exec(r.dn);
      const po = r.attrs['tSKey'];
      if (m?.[2] && po) nested(this.vpcIfs, Number(m[1])).set(po, `vpc-${m[2]}`);
    }
  }

  private buildNames(of: (c: string) => MoRow[]): void {
    this.names = new Map();
    this.bdVrf = new Map();
    for (const r of of('fvCtx')) this.names.set(num(r.attrs['scope']), r.dn);
    for (const cls of ['fvBD', 'fvSvcBD']) {
      for (const r of of(cls)) {
        const seg = num(r.attrs['seg']);
        this.names.set(seg, r.dn);
        this.bdVrf.set(seg, num(r.attrs['scope']));
      }
    }
    for (const r of of('l3extExtEncapAllocator')) this.names.set(num(r.attrs['extEncap']), r.dn);
  }

  /** BD vnid by BD dn. */
  private bdVnidByDn(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.rows.values()) {
      if (r.cls === 'fvBD' || r.cls === 'fvSvcBD') m.set(r.dn, num(r.attrs['seg']));
    }
    return m;
  }

  /** Owner dn (EPG, service context, BD) -> BD vnid, through the relation objects. */
  private ownerBd(of: (c: string) => MoRow[]): Map<string, number> {
    const bdByDn = this.bdVnidByDn();
    const owner = new Map<string, number>(bdByDn);
    for (const cls of ['fvRsBd', 'vnsRsEPpInfoToBD', 'mgmtRsMgmtBD', 'vnsRsLIfCtxToBD']) {
      for (const r of of(cls)) {
        const bd = bdByDn.get(r.attrs['tDn'] ?? '');
        if (bd) owner.set(parentDn(r.dn), bd);
      }
    }
    return owner;
  }

  private buildEpgs(of: (c: string) => MoRow[]): void {
    const owner = this.ownerBd(of);
    this.epgs = new Map();
    for (const cls of ['fvAEPg', 'l3extInstP', 'mgmtInB', 'vnsEPpInfo']) {
      for (const r of of(cls)) {
        const pcTag = num(r.attrs['pcTag']);
        const vrf = num(r.attrs['scope']);
        // pcTags are 16-bit and vnids 24-bit: anything else matches no learn (events are checked).
        if (!pcTag || !vrf || pcTag > 0xffff || vrf > 0xffffff) continue;
        this.epgs.set(epgKey(vrf, pcTag), { dn: r.dn, bd: owner.get(r.dn) ?? 0 });
      }
    }
  }

  private buildSubnets(of: (c: string) => MoRow[]): void {
    const owner = this.ownerBd(of);
    this.subnets = new Map();
    const add = (ownerDn: string, ip: string | undefined): void => {
      const bd = owner.get(ownerDn);
      const p = ip ? parsePrefix(ip) : null;
      if (!bd || !p) return;
      const list = this.subnets.get(bd) ?? [];
      list.push(p);
      this.subnets.set(bd, list);
    };
    for (const r of of('fvSubnet')) add(parentDn(r.dn), r.attrs['ip']);
    for (const r of of('fvIpAttr')) {
      if (r.attrs['usefvSubnet'] === 'yes') continue;
      const i = r.dn.indexOf('/crtrn/');
      if (i > 0) add(r.dn.slice(0, i), r.attrs['ip']);
    }
  }
}

function stripMask(ip: string): string {
  const i = ip.indexOf('/');
  return i < 0 ? ip : ip.slice(0, i);
}

function nested<V>(outer: Map<number, Map<string, V>>, key: number): Map<string, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

/** One number for (VRF vnid, pcTag): 24 + 16 bits, exact in a double. */
function epgKey(vrf: number, pcTag: number): number {
  return vrf * 65536 + pcTag;
}
