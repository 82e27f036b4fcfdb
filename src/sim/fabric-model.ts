// The simulator's fabric model: a procedural topology and endpoint space plus the changes made to it.
// Generated hosts are never stored; only hosts that changed (moves, deletes, new learns, injected
// stale or offsubnet learns) live in a Map, so a million endpoints cost almost nothing.
import { type EndpointType, vpcPseudoNode } from '../core/types.js';
import { EndpointRenderer, EP_CLASSES, type EpClass, learnHas } from './endpoint-render.js';
import { EndpointSpace, type EndpointSpaceOptions, type SimHost, type SimLearn } from './endpoint-space.js';
import { FabricTopology, type SimMo, type TopologyOptions } from './fabric-topology.js';

/** Options of the whole model: topology shape plus endpoint space. */
export interface FabricModelOptions extends TopologyOptions, EndpointSpaceOptions {}

/** Receives the events (objects with status created|modified|deleted) the model emits. */
export type ModelListener = (events: SimMo[]) => void;

/** One node's learn of an endpoint as the simulator knows it (ground truth). */
export interface TruthLearn {
  node: number;
  local: boolean;
  flags: string[];
  ifId: string;
  encap: string;
  pcTag: number;
  bd: number;
  vrf: number;
  /** Node or vPC pseudo-node a remote learn points at; 0 for local learns. */
  remote: number;
  /** The MAC an IP's local learn is bound to ('' for MACs and remote IPs). */
  mac: string;
}

/** Ground truth of one endpoint key (a MAC in a BD vnid, or an IP in a VRF vnid). */
export interface EndpointTruth {
  vnid: number;
  addr: string;
  type: EndpointType;
  learns: TruthLearn[];
}

export class FabricModel {
  readonly topo: FabricTopology;
  readonly space: EndpointSpace;
  readonly renderer: EndpointRenderer;
  private readonly overrides = new Map<number, SimHost>();
  private readonly extraByAddr = new Map<string, number[]>();
  private extraCount = 0;
  private readonly down = new Set<number>();
  private readonly listeners = new Set<ModelListener>();
  private readonly scratch: Int32Array;
  private staticByClass: Map<string, SimMo[]> | null = null;
  /** Bumped on every change. */
  version = 0;

  constructor(readonly options: FabricModelOptions = {}) {
    const tenants = options.tenants ?? 2;
    const bds = tenants * (options.vrfsPerTenant ?? 1) * (options.bdsPerVrf ?? 2);
    const endpoints = options.endpoints ?? 1000;
    this.topo = new FabricTopology(options, Math.ceil(endpoints / Math.max(1, bds)) + 1);
    this.space = new EndpointSpace(this.topo, options);
    this.renderer = new EndpointRenderer(this.topo);
    this.scratch = new Int32Array(2 + this.space.remote);
  }

  /** Number of host slots (generated plus added). */
  get total(): number {
    return this.space.count + this.extraCount;
  }

  /** Number of hosts currently changed from their generated state. */
  get changedHosts(): number {
    return this.overrides.size;
  }

  onEvents(l: ModelListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** The current state of host i (a fresh copy for generated hosts), undefined when out of range. */
  host(i: number): SimHost | undefined {
    const o = this.overrides.get(i);
    if (o) return o;
    return i >= 0 && i < this.space.count ? this.space.host(i) : undefined;
  }

  isUp(node: number): boolean {
    return !this.down.has(node);
  }

  downNodes(): number[] {
    return [...this.down];
  }

  /** Host indexes with this MAC or IP (generated and added). */
  findHosts(addr: string): number[] {
    const out = [...(this.extraByAddr.get(addr) ?? [])];
    const m = this.space.indexOfMac(addr);
    if (m >= 0) out.push(m);
    const ip = m >= 0 ? -1 : this.space.indexOfIp(addr);
    if (ip >= 0) out.push(ip);
    return out;
  }

  /** Adds a new host (index >= the generated count) with no learns yet. */
  addHost(mac: string, ip: string, epg: number): SimHost {
    const index = this.space.count + this.extraCount++;
    const host: SimHost = { index, mac, ip, epg, learns: [] };
    this.overrides.set(index, host);
    this.version++;
    for (const a of ip ? [mac, ip] : [mac]) {
      const list = this.extraByAddr.get(a) ?? [];
      list.push(index);
      this.extraByAddr.set(a, list);
    }
    return host;
  }

  /** Replaces a host's learns and emits the events a fabric would send for the change. */
  setHost(next: SimHost): number {
    const prev = this.host(next.index);
    this.overrides.set(next.index, next);
    this.version++;
    if (this.listeners.size === 0 || !prev) return 0;
    const events = this.diff(this.visibleObjects(prev), this.visibleObjects(next));
    this.emit(events);
    return events.length;
  }

  /**
   * A host's objects on visible nodes, keyed by class and node (a host has one learn per node, an
   * object's DN names both, node ids are 16-bit): a number, where keying by DN hashed two
   * ~100-character strings per object and move (a third of the churn's cost).
   */
  private visibleObjects(host: SimHost): Map<number, SimMo> {
    const m = new Map<number, SimMo>();
    for (let ci = 0; ci < EP_CLASSES.length; ci++) {
      const cls = EP_CLASSES[ci] as EpClass;
      for (const l of host.learns) {
        if (this.down.has(l.node) || !learnHas(cls, host, l)) continue;
        m.set(ci * 65536 + l.node, this.renderer.render(cls, host, l));
      }
    }
    return m;
  }

  /** The events between two renderings: by DN, deletes first, then creates and changes (same key and DN). */
  private diff(before: Map<number, SimMo>, after: Map<number, SimMo>): SimMo[] {
    const out: SimMo[] = [];
    for (const [k, mo] of before) {
      const dn = mo.attrs['dn'] ?? '';
      if (after.get(k)?.attrs['dn'] !== dn) out.push({ cls: mo.cls, attrs: { dn, status: 'deleted' } });
    }
    for (const [k, mo] of after) {
      const dn = mo.attrs['dn'] ?? '';
      let old = before.get(k);
      if (old && old.attrs['dn'] !== dn) old = undefined;
      if (!old) {
        // The rendering is this call's own: it becomes the event (no copy).
        mo.attrs['status'] = 'created';
        out.push(mo);
        continue;
      }
      let changed: Record<string, string> | null = null;
      for (const k in mo.attrs) {
        if (k === 'dn' || k === 'status' || mo.attrs[k] === old.attrs[k]) continue;
        changed ??= { dn, status: 'modified' };
        changed[k] = mo.attrs[k] ?? '';
      }
      if (changed) out.push({ cls: mo.cls, attrs: changed });
    }
    return out;
  }

  /** Hands events to every listener (the servers' websocket hubs). */
  emit(events: SimMo[]): void {
    if (events.length === 0) return;
    for (const l of this.listeners) l(events);
  }

  /** Takes a leaf down (its endpoint objects vanish) or brings it back (they return, as created events). */
  setLeafState(node: number, state: 'up' | 'down'): void {
    if (this.topo.leafIndex(node) < 0) throw new Error(`setLeafState: ${node} is not a leaf of the model`);
    const mo = this.topo.byDn.get(`topology/pod-1/node-${node}`);
    const wasDown = this.down.has(node);
    if ((state === 'down') === wasDown) return;
    if (state === 'down') this.down.add(node);
    else this.down.delete(node);
    this.version++;
    const fabricSt = state === 'down' ? 'inactive' : 'active';
    const modTs = new Date().toISOString().replace('Z', '+00:00');
    if (mo) Object.assign(mo.attrs, { fabricSt, modTs, adSt: state === 'down' ? 'off' : 'on' });
    const adSt = state === 'down' ? 'off' : 'on';
    this.emit([{ cls: 'fabricNode', attrs: { dn: `topology/pod-1/node-${node}`, status: 'modified', adSt, fabricSt, modTs, rn: '', childAction: '' } }]);
    if (state === 'up' && this.listeners.size > 0) this.emitNodeObjects(node);
  }

  private emitNodeObjects(node: number): void {
    const nodes = new Set([node]);
    let batch: SimMo[] = [];
    for (let i = 0; i < this.total; i++) {
      for (const cls of EP_CLASSES) {
        if (this.countObjects(i, cls, nodes) === 0) continue;
        this.renderObjects(i, cls, nodes, (mo) => {
          batch.push({ cls, attrs: { ...mo.attrs, status: 'created' } });
          return true;
        });
      }
      if (batch.length >= 1000) {
        this.emit(batch);
        batch = [];
      }
    }
    this.emit(batch);
  }

  /** Objects of an endpoint class host i has on visible nodes (restricted to `nodes` when given). */
  countObjects(i: number, cls: EpClass, nodes: ReadonlySet<number> | null): number {
    const o = this.overrides.get(i);
    if (o) {
      let c = 0;
      for (const l of o.learns) if (learnHas(cls, o, l) && !this.down.has(l.node) && (!nodes || nodes.has(l.node))) c++;
      return c;
    }
    if (i < 0 || i >= this.space.count) return 0;
    const n = cls === 'epmRsMacEpToIpEpAtt' ? this.space.locals(i) : this.space.nodesOf(i, this.scratch);
    if (!nodes && this.down.size === 0) return n;
    if (cls === 'epmRsMacEpToIpEpAtt') this.space.nodesOf(i, this.scratch);
    let c = 0;
    for (let k = 0; k < n; k++) {
      const node = this.scratch[k] ?? 0;
      if (!this.down.has(node) && (!nodes || nodes.has(node))) c++;
    }
    return c;
  }

  /** Renders host i's objects of a class (visible, restricted to `nodes`); stops when visit returns false. */
  renderObjects(i: number, cls: EpClass, nodes: ReadonlySet<number> | null, visit: (mo: SimMo) => boolean): boolean {
    const host = this.host(i);
    if (!host) return true;
    for (const l of host.learns) {
      if (!learnHas(cls, host, l) || this.down.has(l.node) || (nodes && !nodes.has(l.node))) continue;
      if (!visit(this.renderer.render(cls, host, l))) return false;
    }
    return true;
  }

  /** Configuration and topology objects of a class (tunnelIf excluded: see tunnel access). */
  staticObjects(cls: string): readonly SimMo[] {
    if (!this.staticByClass) {
      this.staticByClass = new Map();
      for (const mo of this.topo.objects) {
        const list = this.staticByClass.get(mo.cls) ?? [];
        list.push(mo);
        this.staticByClass.set(mo.cls, list);
      }
    }
    return this.staticByClass.get(cls) ?? [];
  }

  /** The node (or vPC pseudo-node) a leaf's tunnel points at; 0 for proxy, spine or unknown tunnels. */
  tunnelRemote(node: number, ifId: string): number {
    const i = this.topo.leafIndex(node);
    const t = Number(/^tunnel(\d+)$/.exec(ifId)?.[1] ?? 0) - 1;
    if (i < 0 || t < 3) return 0;
    const mo = this.topo.tunnelAt(this.tunnelOffset(i) + t);
    const dest = mo.attrs['dest'] ?? '';
    for (let k = 0; k < this.topo.pairs; k++) {
      if (this.topo.vip(k) === dest) return vpcPseudoNode(this.topo.leafId(2 * k), this.topo.leafId(2 * k + 1));
    }
    const p = dest.split('.');
    const id = Number(p[2]) * 256 + Number(p[3]);
    return this.topo.leafIndex(id) >= 0 ? id : 0;
  }

  private tunnelOffset(i: number): number {
    let s = 0;
    for (let j = 0; j < i; j++) s += this.topo.tunnelCount(j);
    return s;
  }

  /** The vnid a learn files the endpoint under: BD vnid for a MAC, VRF vnid for an IP. */
  learnVnids(l: SimLearn): { bd: number; vrf: number; encap: string; pcTag: number } {
    const epg = this.topo.epgs[l.epg];
    const bd = epg ? this.topo.bds[epg.bd] : undefined;
    return { bd: bd?.vnid ?? 0, vrf: bd?.vrf ?? 0, encap: epg?.encap ?? '', pcTag: epg?.pcTag ?? 0 };
  }

  /** What every visible node holds for one endpoint key, as ept should see it after a resync. */
  groundTruth(key: { vnid: number; addr: string }): EndpointTruth {
    const isMac = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(key.addr);
    const type: EndpointType = isMac ? 'mac' : key.addr.includes(':') ? 'ipv6' : 'ipv4';
    const learns: TruthLearn[] = [];
    for (const i of this.findHosts(key.addr)) {
      const host = this.host(i);
      if (!host) continue;
      for (const l of host.learns) {
        if (this.down.has(l.node) || !learnHas(isMac ? 'epmMacEp' : 'epmIpEp', host, l)) continue;
        const v = this.learnVnids(l);
        if ((isMac ? v.bd : v.vrf) !== key.vnid) continue;
        const mo = this.renderer.render(isMac ? 'epmMacEp' : 'epmIpEp', host, l);
        learns.push({
          node: l.node,
          local: l.local,
          flags: (mo.attrs['flags'] ?? '').split(','),
          ifId: l.ifId,
          encap: l.local ? v.encap : '',
          pcTag: v.pcTag,
          bd: v.bd,
          vrf: v.vrf,
          remote: l.local ? 0 : this.tunnelRemote(l.node, l.ifId),
          mac: !isMac && l.local && l.mac ? host.mac : '',
        });
      }
    }
    learns.sort((a, b) => a.node - b.node);
    return { vnid: key.vnid, addr: key.addr, type, learns };
  }
}
