// Scenarios: scripted fabric events (learns, moves, deletes, offsubnet and stale learns, flapping,
// leaf down/up, websocket drops, waits) read from JSON or YAML, run against the model, with the
// findings ept is expected to report kept as ground truth.
import { parse as parseYaml } from 'yaml';
import { normalizeIp, normalizeMac, parsePrefix, prefixContains } from '../core/address.js';
import { intToV4 } from './fabric-topology.js';
import type { SimHost } from './endpoint-space.js';
import type { FabricModel } from './fabric-model.js';
import { deleteHost, localNode, type Placement, placeHost, placementNodes } from './host-moves.js';

/** Where a step acts: a host by index or by one of its addresses. */
export interface HostRef {
  host?: number;
  addr?: string;
}

/** Where a step puts a host: leaf (+port) or vPC pair by a member id (+vPC interface index). */
export interface PlaceRef {
  leaf?: number;
  port?: string;
  vpc?: number;
  vpcIf?: number;
}

/** One scenario step. */
export type ScenarioStep =
  | ({ op: 'learn'; mac?: string; ip?: string; epg?: number } & PlaceRef)
  | ({ op: 'move' } & HostRef & PlaceRef)
  | ({ op: 'delete' } & HostRef)
  | ({ op: 'offsubnet'; ip?: string; mac?: string; epg?: number } & PlaceRef)
  | ({ op: 'stale'; staleNodes?: number[] } & HostRef & PlaceRef)
  | ({ op: 'flap'; count: number; seconds: number; between: [PlaceRef, PlaceRef] } & HostRef)
  | { op: 'leafDown' | 'leafUp'; node: number }
  | { op: 'dropWebsockets'; holdOffMs?: number }
  | { op: 'wait'; ms?: number; seconds?: number };

/** A scenario file. */
export interface Scenario {
  name?: string;
  steps: ScenarioStep[];
  /** Background churn to start after the steps, events per second. */
  churn?: number;
}

/** A finding the simulator expects ept to report, in ept's terms (src/core/types.ts). */
export interface ExpectedFinding {
  kind: 'move' | 'offsubnet' | 'stale' | 'rapid';
  vnid: number;
  addr: string;
  node?: number;
  reason?: 'multiple-local' | 'remote' | 'no-local';
}

const OPS = new Set(['learn', 'move', 'delete', 'offsubnet', 'stale', 'flap', 'leafDown', 'leafUp', 'dropWebsockets', 'wait']);

/** Parses a scenario from JSON or YAML text; errors name the source and the step. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON or YAML: ${(err as Error).message}`);
  }
  const s = raw as Partial<Scenario> | null;
  if (!s || typeof s !== 'object' || !Array.isArray(s.steps)) throw new Error(`${source}: expected an object with a "steps" array`);
  s.steps.forEach((step, i) => {
    const where = `${source}: step ${i + 1}`;
    if (!step || typeof step !== 'object' || !OPS.has((step as { op?: string }).op ?? '')) {
      throw new Error(`${where}: "op" must be one of ${[...OPS].join(', ')}`);
    }
    const st = step as ScenarioStep & HostRef & PlaceRef;
    const needsHost = st.op === 'move' || st.op === 'delete' || st.op === 'stale' || st.op === 'flap';
    if (needsHost && st.host === undefined && st.addr === undefined) throw new Error(`${where} (${st.op}): "host" or "addr" is required`);
    const needsPlace = st.op === 'move' || st.op === 'stale' || st.op === 'learn' || st.op === 'offsubnet';
    if (needsPlace && st.leaf === undefined && st.vpc === undefined) throw new Error(`${where} (${st.op}): "leaf" or "vpc" is required`);
    if (st.op === 'flap' && (!(st.count > 0) || !(st.seconds > 0) || !Array.isArray(st.between) || st.between.length !== 2)) {
      throw new Error(`${where} (flap): needs count > 0, seconds > 0 and "between" with two placements`);
    }
    if ((st.op === 'leafDown' || st.op === 'leafUp') && typeof st.node !== 'number') throw new Error(`${where} (${st.op}): "node" is required`);
  });
  return s as Scenario;
}

/** What the runner needs from the simulator besides the model. */
export interface ScenarioContext {
  model: FabricModel;
  dropWebsockets(holdOffMs: number): void;
  startChurn(eventsPerSecond: number): void;
  /** ept's rapid threshold, events per minute (default 2048). */
  rapidThreshold?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ScenarioRunner {
  private readonly expected = new Map<string, ExpectedFinding>();
  /** Last local location per host and when it was deleted (for the 60 s relearn rule). */
  private readonly last = new Map<number, { node: number; ifId: string; epg: number; deletedMs: number }>();
  private added = 0;

  constructor(private readonly ctx: ScenarioContext) {}

  /** The findings the steps run so far should make ept report. */
  findings(): ExpectedFinding[] {
    return [...this.expected.values()];
  }

  async run(s: Scenario): Promise<void> {
    for (const step of s.steps) await this.step(step);
    if (s.churn) this.ctx.startChurn(s.churn);
  }

  async step(st: ScenarioStep): Promise<void> {
    const m = this.ctx.model;
    switch (st.op) {
      case 'learn':
      case 'offsubnet': {
        const host = this.newHost(st.op, st.mac, st.ip, st.epg ?? 0);
        this.apply(placeHost(m, host, placement(st)));
        return;
      }
      case 'move':
        this.apply(placeHost(m, this.hostOf(st), placement(st)));
        return;
      case 'stale': {
        const host = this.hostOf(st);
        const p = placement(st);
        const members = placementNodes(m, p);
        const stale = st.staleNodes ?? host.learns.filter((l) => !l.local && !members.includes(l.node)).slice(0, 1).map((l) => l.node);
        if (stale.length === 0) throw new Error(`stale: host ${host.index} has no remote learn to leave stale`);
        this.apply(placeHost(m, host, p, { staleNodes: stale }));
        const vrf = this.vnids(host).vrf;
        if (host.ip) for (const node of stale) this.add({ kind: 'stale', vnid: vrf, addr: host.ip, node, reason: 'remote' });
        return;
      }
      case 'delete':
        this.apply(deleteHost(this.hostOf(st)));
        return;
      case 'flap':
        return this.flap(st);
      case 'leafDown':
      case 'leafUp':
        m.setLeafState(st.node, st.op === 'leafDown' ? 'down' : 'up');
        return;
      case 'dropWebsockets':
        this.ctx.dropWebsockets(st.holdOffMs ?? 0);
        return;
      case 'wait':
        await sleep(st.ms ?? (st.seconds ?? 0) * 1000);
        return;
    }
  }

  private add(f: ExpectedFinding): void {
    this.expected.set(`${f.kind}|${f.vnid}|${f.addr}|${f.node ?? ''}|${f.reason ?? ''}`, f);
  }

  private vnids(host: SimHost): { bd: number; vrf: number } {
    const epg = this.ctx.model.topo.epgs[host.epg];
    const bd = epg ? this.ctx.model.topo.bds[epg.bd] : undefined;
    return { bd: bd?.vnid ?? 0, vrf: bd?.vrf ?? 0 };
  }

  private hostOf(ref: HostRef): SimHost {
    const m = this.ctx.model;
    let i = ref.host;
    if (i === undefined && ref.addr) i = m.findHosts(normalizeMac(ref.addr) ?? normalizeIp(ref.addr) ?? ref.addr)[0];
    const host = i === undefined ? undefined : m.host(i);
    if (!host) throw new Error(`scenario: no host ${ref.host ?? ref.addr}`);
    return host;
  }

  private newHost(op: 'learn' | 'offsubnet', macIn: string | undefined, ipIn: string | undefined, epg: number): SimHost {
    const m = this.ctx.model;
    const def = m.topo.epgs[epg];
    const bd = def ? m.topo.bds[def.bd] : undefined;
    if (!def || !bd) throw new Error(`${op}: no EPG ${epg} (the model has ${m.topo.epgs.length})`);
    const n = ++this.added;
    const mac = macIn ? normalizeMac(macIn) : `02:fe:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    if (!mac) throw new Error(`${op}: bad MAC ${macIn}`);
    // New learns take addresses from the top of the BD subnet, away from the generated hosts.
    const ip = ipIn ? normalizeIp(ipIn) : op === 'learn' ? intToV4(bd.v4Base + 2 ** bd.v4Bits - 1 - n) : `10.255.${(n >> 8) & 255}.${n & 255}`;
    if (!ip) throw new Error(`${op}: bad IP ${ipIn}`);
    return m.addHost(mac, ip, epg);
  }

  /** Applies a host change and records the move/offsubnet findings it implies. */
  private apply(next: SimHost): number {
    const m = this.ctx.model;
    const prev = m.host(next.index);
    const before = prev ? this.last.get(next.index) ?? this.locationOf(prev) : undefined;
    const events = m.setHost(next);
    const now = Date.now();
    const node = localNode(next);
    const { bd, vrf } = this.vnids(next);
    if (node === 0) {
      if (before && before.node) this.last.set(next.index, { ...before, deletedMs: now });
      return events;
    }
    const ifId = next.learns.find((l) => l.local)?.ifId ?? '';
    const here = { node, ifId, epg: next.epg, deletedMs: 0 };
    const relearnable = before && before.node !== 0 && (before.deletedMs === 0 || now - before.deletedMs <= 60_000);
    if (before && relearnable && (before.node !== node || before.ifId !== ifId || before.epg !== next.epg)) {
      this.add({ kind: 'move', vnid: bd, addr: next.mac, node });
      if (next.ip) this.add({ kind: 'move', vnid: vrf, addr: next.ip, node });
    }
    this.last.set(next.index, here);
    if (next.ip && !this.inBdSubnets(next)) {
      // Every node's learn counts, remote ones too: they carry the EPG's pcTag (REFERENCE-aci.md,
      // Offsubnet: "per node, latest learn"; EPT checks every node's latest event).
      for (const l of next.learns) if (l.ip) this.add({ kind: 'offsubnet', vnid: vrf, addr: next.ip, node: l.node });
    }
    return events;
  }

  private locationOf(h: SimHost): { node: number; ifId: string; epg: number; deletedMs: number } {
    return { node: localNode(h), ifId: h.learns.find((l) => l.local)?.ifId ?? '', epg: h.epg, deletedMs: 0 };
  }

  private inBdSubnets(h: SimHost): boolean {
    const m = this.ctx.model;
    const epg = m.topo.epgs[h.epg];
    const bd = epg ? m.topo.bds[epg.bd] : undefined;
    if (!bd) return true;
    return m
      .staticObjects('fvSubnet')
      .filter((s) => (s.attrs['dn'] ?? '').startsWith(`${bd.dn}/subnet-`))
      .some((s) => {
        const p = parsePrefix(s.attrs['ip'] ?? '');
        return p !== null && prefixContains(p, h.ip);
      });
  }

  private async flap(st: Extract<ScenarioStep, { op: 'flap' }>): Promise<void> {
    const m = this.ctx.model;
    const start = this.hostOf(st);
    const places = st.between.map(placement);
    let macEvents = 0;
    let ipEvents = 0;
    const macTail = `/mac-${start.mac}`;
    const off = m.onEvents((evs) => {
      for (const e of evs) {
        const dn = e.attrs['dn'] ?? '';
        if (e.cls === 'epmMacEp' && dn.endsWith(macTail)) macEvents++;
        else if (start.ip && e.cls !== 'epmMacEp' && dn.includes(`ip-[${start.ip}]`)) ipEvents++;
      }
    });
    const intervalMs = (st.seconds * 1000) / st.count;
    const began = Date.now();
    try {
      for (let k = 0; k < st.count; k++) {
        const due = began + k * intervalMs - Date.now();
        if (due > 4) await sleep(due);
        this.apply(placeHost(m, m.host(start.index) ?? start, places[k % 2] as Placement));
      }
    } finally {
      off();
    }
    const threshold = this.ctx.rapidThreshold ?? 2048;
    const perMinute = (n: number): number => (st.seconds <= 60 ? n : (n * 60) / st.seconds);
    const { bd, vrf } = this.vnids(start);
    if (perMinute(macEvents) > threshold) this.add({ kind: 'rapid', vnid: bd, addr: start.mac });
    if (start.ip && perMinute(ipEvents) > threshold) this.add({ kind: 'rapid', vnid: vrf, addr: start.ip });
  }
}

function placement(p: PlaceRef): Placement {
  if (p.vpc !== undefined) return p.vpcIf === undefined ? { vpc: p.vpc } : { vpc: p.vpc, vpcIf: p.vpcIf };
  if (p.leaf === undefined) throw new Error('scenario: a placement needs "leaf" or "vpc"');
  return p.port === undefined ? { leaf: p.leaf } : { leaf: p.leaf, port: p.port };
}
