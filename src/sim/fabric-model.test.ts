// The simulator's objects against the real-format fixtures and against ept's own parsers: what the
// simulator serves must parse exactly like an APIC's payload.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FabricTables } from '../core/fabric-tables.js';
import { normalizeIp } from '../core/address.js';
import { toObservation } from '../protocols/apic-objects.js';
import { EndpointRenderer, EP_CLASSES, learnHas, renderedEntry } from './endpoint-render.js';
import { imdataEntry } from './apic-query.js';
import type { SimHost } from './endpoint-space.js';
import { attachmentPlacement, placeHost } from './host-moves.js';
import { FabricModel } from './fabric-model.js';
import type { SimMo } from './fabric-topology.js';

const FIX = '/work/shared/fixtures/apic';
type Entry = Record<string, { attributes: Record<string, string> }>;
function fixtureAttrs(file: string, cls: string): Record<string, string> {
  const text = readFileSync(`${FIX}/${file}`, 'utf8');
  const raw = JSON.parse(text) as { imdata?: Entry[]; events?: { event: { imdata: Entry[] } }[] };
  const all = raw.imdata ?? raw.events?.flatMap((e) => e.event.imdata) ?? [];
  const hit = all.find((e) => e[cls]);
  if (!hit) throw new Error(`${file} has no ${cls}`);
  return hit[cls]?.attributes ?? {};
}

function objectsOf(model: FabricModel, cls: string): SimMo[] {
  const out: SimMo[] = [];
  if ((EP_CLASSES as readonly string[]).includes(cls)) {
    for (let i = 0; i < model.total; i++) {
      model.renderObjects(i, cls as (typeof EP_CLASSES)[number], null, (mo) => {
        out.push(mo);
        return true;
      });
    }
  } else if (cls === 'tunnelIf') {
    for (let n = 0; n < model.topo.tunnelTotal; n++) out.push(model.topo.tunnelAt(n));
  } else out.push(...model.staticObjects(cls));
  return out;
}

const keys = (a: Record<string, string>): string[] => Object.keys(a).sort();

describe('FabricModel payloads', () => {
  const model = new FabricModel({ leafs: 6, vpcPairs: 2, endpoints: 400, remoteLearns: 2 });

  it('gives endpoint objects exactly the attribute set of the fixtures, all strings', () => {
    const cases: [string, string][] = [
      ['epmMacEp', 'ep_worker_func_ep_handle_event_create_known_mac_ep.json'],
      ['epmIpEp', 'ep_worker_func_ep_handle_event_create_known_local_ip_ep.json'],
      ['epmRsMacEpToIpEpAtt', 'ep_worker_func_ep_handle_event_create_known_rw_diff_ep.json'],
    ];
    for (const [cls, file] of cases) {
      const want = keys(fixtureAttrs(file, cls));
      const objs = objectsOf(model, cls);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        expect(keys(o.attrs)).toEqual(want);
        expect(Object.values(o.attrs).every((v) => typeof v === 'string')).toBe(true);
      }
    }
  });

  it('writes imdata entries of renderings from a template with exactly the text JSON.stringify gives', () => {
    const generic = (mo: SimMo): string => `{"${mo.cls}":{"attributes":${JSON.stringify(mo.attrs)}}}`;
    let fast = 0;
    for (const cls of EP_CLASSES) {
      for (const mo of objectsOf(model, cls)) {
        expect(imdataEntry(mo)).toBe(generic(mo));
        // As events: the rendering marked created, and copies made with a spread.
        const created = { cls: mo.cls, attrs: { ...mo.attrs, status: 'created' } };
        expect(imdataEntry(created)).toBe(generic(created));
        if (renderedEntry(mo) !== null) fast++;
      }
    }
    expect(fast).toBeGreaterThan(1000);
    // Values that need escapes (a scenario's names) take the generic path; other objects too.
    const host = model.host(5) as SimHost;
    const odd = { ...host, learns: host.learns.map((l) => ({ ...l, ifId: 'eth1/1 "uplink" \\ é' })) };
    for (const cls of EP_CLASSES) {
      for (const l of odd.learns) {
        if (!learnHas(cls, odd, l)) continue;
        const mo = model.renderer.render(cls, odd, l);
        if (cls !== 'epmRsMacEpToIpEpAtt') expect(renderedEntry(mo)).toBeNull();
        expect(imdataEntry(mo)).toBe(generic(mo));
        expect(JSON.parse(imdataEntry(mo))).toEqual(JSON.parse(generic(mo)));
      }
    }
    const plain = { cls: 'epmMacEp', attrs: { dn: 'x', status: 'modified', ifId: 'eth1/2' } };
    expect(renderedEntry(plain)).toBeNull();
    expect(imdataEntry(plain)).toBe(generic(plain));
  });

  it('covers the fixture attributes of configuration and topology classes', () => {
    const tunnel = JSON.parse(readFileSync(`${FIX}/ep_tunnels.json`, 'utf8').split('\n')[0] ?? '{}') as Record<string, string>;
    delete tunnel['node'];
    delete tunnel['fabric'];
    const node = JSON.parse(readFileSync(`${FIX}/ep_nodes.json`, 'utf8').split('\n')[0] ?? '{}') as Record<string, string>;
    delete node['fabric'];
    delete node['peer'];
    const cases: [string, Record<string, string>][] = [
      ['tunnelIf', tunnel],
      ['topSystem', node],
      ['fvSubnet', fixtureAttrs('rebuild_subnets_db.json', 'fvSubnet')],
      ['fvRsBd', fixtureAttrs('handle_name_event_update_epg_bd.json', 'fvRsBd')],
      ['fabricProtPol', fixtureAttrs('start_workers.json', 'fabricProtPol')],
      ['fvBD', fixtureAttrs('handle_name_event_new_bd.json', 'fvBD')],
      ['fvCtx', fixtureAttrs('handle_name_event_new_ctx.json', 'fvCtx')],
      ['fvAEPg', fixtureAttrs('handle_name_event_new_epg.json', 'fvAEPg')],
    ];
    for (const [cls, fix] of cases) {
      const objs = objectsOf(model, cls);
      expect(objs.length, cls).toBeGreaterThan(0);
      for (const o of objs) {
        for (const k of Object.keys(fix)) expect(o.attrs, `${cls}.${k}`).toHaveProperty(k);
        expect(Object.values(o.attrs).every((v) => typeof v === 'string')).toBe(true);
      }
    }
    const tun = objectsOf(model, 'tunnelIf');
    expect(tun.filter((t) => t.attrs['type']?.includes('proxy')).map((t) => t.attrs['type'])).toContain('physical,proxy-acast-v4');
    expect(objectsOf(model, 'vpcRsVpcConf')[0]?.attrs['dn']).toBe('topology/pod-1/node-101/sys/vpc/inst/dom-1/if-343/rsvpcConf');
  });

  it('serves endpoint DNs that ept parses to the host, node and vnid the model meant', () => {
    for (let i = 0; i < model.total; i += 7) {
      const host = model.host(i);
      if (!host) continue;
      for (const cls of EP_CLASSES) {
        model.renderObjects(i, cls, null, (mo) => {
          const r = toObservation('f', { cls: mo.cls, attrs: mo.attrs }, 0);
          expect(r.ok, mo.attrs['dn']).toBe(true);
          if (!r.ok) return false;
          const epg = model.topo.epgs[host.epg];
          const bd = model.topo.bds[epg?.bd ?? 0];
          expect(r.obs.addr).toBe(cls === 'epmMacEp' ? host.mac : normalizeIp(host.ip));
          expect(r.obs.vnid).toBe(cls === 'epmMacEp' ? bd?.vnid : bd?.vrf);
          if (cls === 'epmRsMacEpToIpEpAtt') expect(r.obs.mac).toBe(host.mac);
          return true;
        });
      }
    }
  });

  it('builds topology ept resolves: tunnels to TEPs and vPC VIPs, vPC ports, EPGs and subnets', () => {
    const tables = new FabricTables();
    for (const cls of ['fabricNode', 'topSystem', 'fabricExplicitGEp', 'fabricNodePEp', 'vpcRsVpcConf', 'fvCtx', 'fvBD', 'fvAEPg', 'fvRsBd', 'fvSubnet', 'tunnelIf']) {
      for (const mo of objectsOf(model, cls)) tables.apply(cls, mo.attrs);
    }
    expect(tables.vpcPeer(101)).toBe(102);
    expect(tables.vpcPeer(105)).toBe(0);
    for (let i = 0; i < model.total; i += 3) {
      const host = model.host(i);
      for (const l of host?.learns ?? []) {
        if (l.local) {
          if (l.vpc) expect(tables.vpcInterface(l.node, l.ifId)).toMatch(/^vpc-34\d$/);
          continue;
        }
        const t = tables.tunnel(l.node, l.ifId);
        expect(t?.proxy).toBe(false);
        expect(t?.remote).toBe(model.tunnelRemote(l.node, l.ifId));
        const local = host?.learns.filter((x) => x.local).map((x) => x.node) ?? [];
        const want = local.length === 2 ? Math.max(...local) * 65536 + Math.min(...local) : local[0];
        expect(t?.remote).toBe(want);
      }
      const epg = model.topo.epgs[host?.epg ?? 0];
      const bd = model.topo.bds[epg?.bd ?? 0];
      expect(tables.epg(bd?.vrf ?? 0, epg?.pcTag ?? 0)?.bd).toBe(bd?.vnid);
      expect(tables.bdContains(bd?.vnid ?? 0, normalizeIp(host?.ip ?? '') ?? '')).toBe(true);
    }
  });

  it('maps addresses back to hosts and states ground truth per node', () => {
    for (const i of [0, 9, 19, 399]) {
      const h = model.host(i);
      expect(model.findHosts(h?.mac ?? '')).toEqual([i]);
      expect(model.findHosts(h?.ip ?? '')).toEqual([i]);
      expect(normalizeIp(h?.ip ?? '')).toBe(h?.ip);
    }
    const h = model.host(5);
    const epg = model.topo.epgs[h?.epg ?? 0];
    const vrf = model.topo.bds[epg?.bd ?? 0]?.vrf ?? 0;
    const truth = model.groundTruth({ vnid: vrf, addr: h?.ip ?? '' });
    expect(truth.learns.length).toBe(h?.learns.length);
    expect(truth.learns.filter((l) => l.local).every((l) => l.mac === h?.mac && l.remote === 0)).toBe(true);
    expect(truth.learns.filter((l) => !l.local).every((l) => l.remote > 0)).toBe(true);
    expect(model.groundTruth({ vnid: vrf + 1, addr: h?.ip ?? '' }).learns).toEqual([]);
  });

  it('is deterministic per seed', () => {
    const a = new FabricModel({ endpoints: 50, seed: 3, leafs: 8 });
    const b = new FabricModel({ endpoints: 50, seed: 3, leafs: 8 });
    const c = new FabricModel({ endpoints: 50, seed: 4, leafs: 8 });
    expect(a.host(17)).toEqual(b.host(17));
    expect(a.host(17)?.learns).not.toEqual(c.host(17)?.learns);
  });
});

describe('FabricModel events', () => {
  it('emits, for each host change, the events of a diff by DN: deletes first, then creates and changes', () => {
    const model = new FabricModel({ leafs: 8, endpoints: 300, seed: 3 });
    const emitted: SimMo[][] = [];
    model.onEvents((e) => emitted.push(e));
    const renderer = new EndpointRenderer(model.topo);
    const byDn = (h: SimHost): Map<string, SimMo> => {
      const m = new Map<string, SimMo>();
      for (const cls of EP_CLASSES) {
        for (const l of h.learns) {
          if (!model.isUp(l.node) || !learnHas(cls, h, l)) continue;
          const mo = renderer.render(cls, h, l);
          m.set(mo.attrs['dn'] ?? '', mo);
        }
      }
      return m;
    };
    // The reference: objects matched by DN.
    const reference = (before: Map<string, SimMo>, after: Map<string, SimMo>): SimMo[] => {
      const out: SimMo[] = [];
      for (const [dn, mo] of before) if (!after.has(dn)) out.push({ cls: mo.cls, attrs: { dn, status: 'deleted' } });
      for (const [dn, mo] of after) {
        const old = before.get(dn);
        if (!old) {
          out.push({ cls: mo.cls, attrs: { ...mo.attrs, status: 'created' } });
          continue;
        }
        const changed: Record<string, string> = { dn, status: 'modified' };
        for (const k in mo.attrs) if (k !== 'dn' && k !== 'status' && mo.attrs[k] !== old.attrs[k]) changed[k] = mo.attrs[k] ?? '';
        if (Object.keys(changed).length > 2) out.push({ cls: mo.cls, attrs: changed });
      }
      return out;
    };
    model.setLeafState(model.topo.leafId(5), 'down');
    let sameNodeReplaced = 0;
    for (let k = 0; k < 300; k++) {
      const i = (k * 7) % 300;
      const prev = model.host(i) as SimHost;
      const stale = k % 5 === 0 ? [model.topo.leafId(k % 8)] : [];
      const next = placeHost(model, prev, attachmentPlacement(model, k % model.space.attachments, `eth1/${1 + (k % 48)}`), { staleNodes: stale });
      const expected = reference(byDn(prev), byDn(next));
      const before = emitted.length;
      model.setHost(next);
      expect(emitted.length > before ? emitted[emitted.length - 1] : []).toEqual(expected);
      const nodeOf = (mo: SimMo): string => `${mo.cls} ${/node-(\d+)/.exec(mo.attrs['dn'] ?? '')?.[1]}`;
      const deleted = new Set(expected.filter((e) => e.attrs['status'] === 'deleted').map(nodeOf));
      if (expected.some((e) => e.attrs['status'] === 'created' && deleted.has(nodeOf(e)))) sameNodeReplaced++;
    }
    // Moves onto nodes that held the host's remote learns: same class and node, a new DN.
    expect(sameNodeReplaced).toBeGreaterThan(0);
  });
});
