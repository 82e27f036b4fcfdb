// The procedural fabric topology of the simulator: nodes, TEPs, vPC pairs, tunnels and the tenant
// configuration (VRFs, BDs, EPGs, subnets). Everything is derived from the options, so two
// simulators built with the same options agree object for object.

/** One managed object as the simulator serves it: class and string attributes (dn included). */
export interface SimMo {
  cls: string;
  attrs: Record<string, string>;
}

/** Options for the fabric's shape (all optional; defaults give a small 4-leaf fabric). */
export interface TopologyOptions {
  /** Number of leafs, ids 101..; default 4. */
  leafs?: number;
  /** Number of spines; default 2. */
  spines?: number;
  /** Number of APIC controllers (node ids 1..); default 3. */
  controllers?: number;
  /** Leaf pairs (101+102, 103+104, ...) configured as vPC domains; default floor(leafs/2). */
  vpcPairs?: number;
  /** vPC interfaces per pair (vpc ids 343..); default 4. */
  vpcsPerPair?: number;
  tenants?: number;
  vrfsPerTenant?: number;
  bdsPerVrf?: number;
  epgsPerBd?: number;
}

/** Fixed time stamp used on configuration objects, in the APIC's format. */
export const SIM_TS = '2024-01-01T00:00:00.000+00:00';

const PROXY = [
  { dest: '10.0.104.65', type: 'physical,proxy-acast-v4' },
  { dest: '10.0.104.66', type: 'physical,proxy-acast-mac' },
  { dest: '10.0.104.64', type: 'physical,proxy-acast-v6' },
] as const;

/** TEP address of a node: 10.0.<id/256>.<id%256>, so controllers 1..3 are 10.0.0.1..3 as on APICs. */
export function nodeTep(node: number): string {
  return `10.0.${node >> 8}.${node & 255}`;
}

/** An EPG of the model with everything an endpoint needs to know about it. */
export interface EpgDef {
  index: number;
  dn: string;
  pcTag: number;
  encap: string;
  bd: number;
}

/** A BD of the model with its subnets (v4 base as an unsigned int, v6 group). */
export interface BdDef {
  index: number;
  dn: string;
  vnid: number;
  vrf: number;
  v4Base: number;
  v4Bits: number;
  v6Group: string;
}

/** The fabric's nodes, pairs and configuration. */
export class FabricTopology {
  readonly leafs: number;
  readonly spines: number;
  readonly controllers: number;
  readonly pairs: number;
  readonly vpcsPerPair: number;
  readonly spineBase: number;
  readonly bds: BdDef[] = [];
  readonly epgs: EpgDef[] = [];
  readonly vrfVnids: number[] = [];
  /** Configuration and topology objects (not endpoints, not tunnels), in creation order. */
  readonly objects: SimMo[] = [];
  readonly byDn = new Map<string, SimMo>();
  private readonly tunnelStart: number[] = [];

  constructor(o: TopologyOptions, hostsPerBd: number) {
    this.leafs = positive(o.leafs ?? 4, 'leafs');
    this.spines = positive(o.spines ?? 2, 'spines');
    this.controllers = positive(o.controllers ?? 3, 'controllers');
    this.pairs = Math.min(o.vpcPairs ?? Math.floor(this.leafs / 2), Math.floor(this.leafs / 2));
    this.vpcsPerPair = positive(o.vpcsPerPair ?? 4, 'vpcsPerPair');
    this.spineBase = this.leafs <= 99 ? 201 : 1001;
    if (this.leafs > 900) throw new Error('leafs: at most 900 are supported');
    this.buildNodes();
    this.buildConfig(o, hostsPerBd);
    let sum = 0;
    for (let i = 0; i < this.leafs; i++) {
      this.tunnelStart.push(sum);
      sum += this.tunnelCount(i);
    }
    this.tunnelStart.push(sum);
  }

  leafId(i: number): number {
    return 101 + i;
  }

  leafIndex(node: number): number {
    const i = node - 101;
    return i >= 0 && i < this.leafs ? i : -1;
  }

  /** Pair index of a leaf index, -1 when the leaf is not in a vPC pair. */
  pairOf(i: number): number {
    return i < this.pairs * 2 ? i >> 1 : -1;
  }

  /** Virtual IP of vPC pair k. */
  vip(k: number): string {
    return `10.0.${240 + ((k + 32) >> 8)}.${(k + 32) & 255}`;
  }

  /** The po a vPC member uses for vPC j of its pair (the two members number them differently). */
  vpcPo(i: number, j: number): string {
    return `po${j + 1 + (i & 1)}`;
  }

  /** Tunnel id on leaf index i toward leaf index j. */
  tunnelToLeaf(i: number, j: number): string {
    return `tunnel${4 + (j < i ? j : j - 1)}`;
  }

  /** Tunnel id on leaf index i toward the VIP of pair k. */
  tunnelToVip(i: number, k: number): string {
    const own = this.pairOf(i);
    return `tunnel${3 + this.leafs + (own >= 0 && k > own ? k - 1 : k)}`;
  }

  tunnelCount(i: number): number {
    return 3 + (this.leafs - 1) + (this.pairs - (this.pairOf(i) >= 0 ? 1 : 0)) + this.spines + this.controllers;
  }

  /** Total tunnelIf objects of the fabric. */
  get tunnelTotal(): number {
    return this.tunnelStart[this.leafs] ?? 0;
  }

  /** The n-th tunnelIf of the fabric (leaf by leaf), built on demand. */
  tunnelAt(n: number): SimMo {
    let lo = 0;
    let hi = this.leafs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.tunnelStart[mid] ?? 0) <= n) lo = mid;
      else hi = mid - 1;
    }
    return this.tunnel(lo, n - (this.tunnelStart[lo] ?? 0));
  }

  private tunnel(i: number, t: number): SimMo {
    const node = this.leafId(i);
    let dest: string;
    let type = 'physical';
    const proxy = PROXY[t];
    const own = this.pairOf(i);
    const afterLeafs = 3 + this.leafs - 1;
    const afterVips = afterLeafs + this.pairs - (own >= 0 ? 1 : 0);
    if (proxy) {
      dest = proxy.dest;
      type = proxy.type;
    } else if (t < afterLeafs) {
      const j = t - 3;
      dest = nodeTep(this.leafId(j < i ? j : j + 1));
    } else if (t < afterVips) {
      const k = t - afterLeafs;
      dest = this.vip(own >= 0 && k >= own ? k + 1 : k);
    } else if (t < afterVips + this.spines) {
      dest = nodeTep(this.spineBase + t - afterVips);
    } else {
      dest = nodeTep(1 + t - afterVips - this.spines);
    }
    const id = `tunnel${t + 1}`;
    return {
      cls: 'tunnelIf',
      attrs: {
        dn: `topology/pod-1/node-${node}/sys/tunnel-[${id}]`,
        status: '',
        src: `${nodeTep(node)}/32`,
        dest,
        operSt: 'up',
        tType: 'ivxlan',
        type,
        id,
      },
    };
  }

  private add(cls: string, attrs: Record<string, string>): void {
    const mo = { cls, attrs: { ...attrs, status: '' } };
    this.objects.push(mo);
    this.byDn.set(attrs['dn'] ?? '', mo);
  }

  private addNode(id: number, role: 'leaf' | 'spine' | 'controller'): void {
    const name = `sim-${role}${id}`;
    const base = `topology/pod-1/node-${id}`;
    const common = { childAction: '', modTs: SIM_TS, id, name, role };
    this.add('fabricNode', {
      ...common,
      dn: base,
      adSt: 'on',
      fabricSt: role === 'controller' ? 'unknown' : 'active',
      model: role === 'controller' ? 'APIC-SERVER-M3' : role === 'leaf' ? 'N9K-C93180YC-FX' : 'N9K-C9336PQ',
      nodeType: 'unspecified',
      serial: `SIM${String(id).padStart(8, '0')}`,
      vendor: 'Cisco Systems, Inc',
      version: role === 'controller' ? '5.2(7g)' : 'n9000-15.2(7g)',
    } as unknown as Record<string, string>);
    this.add('topSystem', {
      ...common,
      dn: `${base}/sys`,
      address: nodeTep(id),
      fabricDomain: 'sim',
      inbMgmtAddr: '0.0.0.0',
      oobMgmtAddr: `192.168.${id >> 8}.${id & 255}`,
      podId: '1',
      serial: `SIM${String(id).padStart(8, '0')}`,
      state: 'in-service',
      systemUpTime: '00:01:00:00.000',
    } as unknown as Record<string, string>);
  }

  private buildNodes(): void {
    for (let c = 1; c <= this.controllers; c++) this.addNode(c, 'controller');
    for (let i = 0; i < this.leafs; i++) this.addNode(this.leafId(i), 'leaf');
    for (let s = 0; s < this.spines; s++) this.addNode(this.spineBase + s, 'spine');
    for (const mo of this.objects) for (const k of Object.keys(mo.attrs)) mo.attrs[k] = String(mo.attrs[k]);
    this.add('fabricProtPol', { dn: 'uni/fabric/protpol', childAction: '', descr: '', lcOwn: 'local', modTs: SIM_TS, monPolDn: 'uni/fabric/monfab-default', name: 'default', ownerKey: '', ownerTag: '', pairT: 'explicit', uid: '0' });
    for (let k = 0; k < this.pairs; k++) {
      const g = `uni/fabric/protpol/expgep-vpc-domain-${k + 1}`;
      this.add('fabricExplicitGEp', { dn: g, childAction: '', id: String(k + 1), name: `vpc-domain-${k + 1}`, virtualIp: `${this.vip(k)}/32`, modTs: SIM_TS });
      for (const i of [2 * k, 2 * k + 1]) {
        const id = this.leafId(i);
        this.add('fabricNodePEp', { dn: `${g}/nodepep-${id}`, childAction: '', id: String(id), peerIp: `${nodeTep(this.leafId(i ^ 1))}/32`, podId: '1', modTs: SIM_TS });
        for (let j = 0; j < this.vpcsPerPair; j++) {
          this.add('vpcRsVpcConf', {
            dn: `topology/pod-1/node-${id}/sys/vpc/inst/dom-${k + 1}/if-${343 + j}/rsvpcConf`,
            childAction: '',
            tSKey: this.vpcPo(i, j),
            tDn: `sys/aggr-[${this.vpcPo(i, j)}]`,
            state: 'formed',
            modTs: SIM_TS,
          });
        }
      }
    }
  }

  private buildConfig(o: TopologyOptions, hostsPerBd: number): void {
    const tenants = positive(o.tenants ?? 2, 'tenants');
    const vrfs = positive(o.vrfsPerTenant ?? 1, 'vrfsPerTenant');
    const bdsPerVrf = positive(o.bdsPerVrf ?? 2, 'bdsPerVrf');
    const epgsPerBd = positive(o.epgsPerBd ?? 2, 'epgsPerBd');
    // Every BD gets an IPv4 subnet big enough for its share of the endpoints (at least a /24).
    const v4Bits = Math.max(8, Math.ceil(Math.log2(hostsPerBd + 3)));
    if (tenants * vrfs * bdsPerVrf * 2 ** v4Bits > 2 ** 27) throw new Error('endpoints: too many for the address plan');
    for (let t = 0; t < tenants; t++) {
      const tn = `uni/tn-sim${t + 1}`;
      this.add('fvTenant', { dn: tn, name: `sim${t + 1}`, childAction: '', modTs: SIM_TS });
      this.add('fvAp', { dn: `${tn}/ap-app`, name: 'app', childAction: '', modTs: SIM_TS });
      for (let v = 0; v < vrfs; v++) {
        const vrfIndex = t * vrfs + v;
        const vrfVnid = 2097152 + 32768 * (vrfIndex + 1);
        this.vrfVnids.push(vrfVnid);
        const vrfDn = `${tn}/ctx-vrf${v + 1}`;
        this.add('fvCtx', { dn: vrfDn, name: `vrf${v + 1}`, pcTag: String(16386 + vrfIndex), scope: String(vrfVnid), seg: String(vrfVnid), childAction: '', modTs: SIM_TS });
        for (let b = 0; b < bdsPerVrf; b++) this.addBd(tn, vrfIndex, vrfVnid, b, bdsPerVrf, epgsPerBd, v4Bits);
      }
    }
  }

  private addBd(tn: string, vrfIndex: number, vrfVnid: number, b: number, bdsPerVrf: number, epgsPerBd: number, v4Bits: number): void {
    const index = vrfIndex * bdsPerVrf + b;
    const vnid = 15007744 + 32 * index;
    const dn = `${tn}/BD-bd${index + 1}`;
    const v4Base = (((20 << 24) >>> 0) + index * 2 ** v4Bits) >>> 0;
    const bd: BdDef = { index, dn, vnid, vrf: vrfVnid, v4Base, v4Bits, v6Group: (index + 1).toString(16) };
    this.bds.push(bd);
    this.add('fvBD', { dn, name: `bd${index + 1}`, bcastP: '225.0.0.16', pcTag: String(32770 + index), scope: String(vrfVnid), seg: String(vnid), childAction: '', modTs: SIM_TS });
    const subnet = (ip: string): void =>
      this.add('fvSubnet', { dn: `${dn}/subnet-[${ip}]`, ip, ctrl: '', descr: '', lcOwn: 'local', monPolDn: 'uni/tn-common/monepg-default', name: '', nameAlias: '', preferred: 'no', scope: 'private', uid: '15374', virtual: 'no', childAction: '', modTs: SIM_TS });
    subnet(`${intToV4(v4Base + 1)}/${32 - v4Bits}`);
    subnet(`2001:db8:1:${bd.v6Group}::1/64`);
    for (let g = 0; g < epgsPerBd; g++) {
      const ei = index * epgsPerBd + g;
      const epgDn = `${tn}/ap-app/epg-epg${ei + 1}`;
      this.epgs.push({ index: ei, dn: epgDn, pcTag: 49153 + ei, encap: `vlan-${101 + (ei % 3900)}`, bd: index });
      this.add('fvAEPg', { dn: epgDn, name: `epg${ei + 1}`, pcTag: String(49153 + ei), scope: String(vrfVnid), isAttrBasedEPg: 'no', childAction: '', modTs: SIM_TS });
      this.add('fvRsBd', { dn: `${epgDn}/rsbd`, childAction: '', forceResolve: 'yes', lcOwn: 'local', modTs: SIM_TS, monPolDn: 'uni/tn-common/monepg-default', rType: 'mo', state: 'formed', stateQual: 'none', tCl: 'fvBD', tContextDn: '', tDn: dn, tRn: `BD-bd${index + 1}`, tType: 'name', tnFvBDName: `bd${index + 1}`, uid: '0' });
    }
  }
}

export function intToV4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function v4ToInt(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4) return -1;
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function positive(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: must be a positive integer, got ${v}`);
  return v;
}
