import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FabricTables, TABLE_CLASSES } from '../core/fabric-tables.js';
import { vpcPseudoNode } from '../core/types.js';
import { ENDPOINT_CLASSES, parseApicMessage, parseApicValue, parseEndpointDn, toObservation, type ApicObject, type ParseProblem } from './apic-objects.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/apic/', import.meta.url));
const haveFixtures = existsSync(FIXTURES);

describe('parseEndpointDn', () => {
  it('parses MAC, IP and overlay DNs with node, VRF, BD and encap', () => {
    expect(parseEndpointDn('topology/pod-1/node-101/sys/ctx-[vxlan-2916352]/bd-[vxlan-15007704]/vlan-[vlan-101]/db-ep/mac-00:00:40:01:01:01')).toEqual({
      pod: 1, node: 101, vrf: 2916352, bd: 15007704, encap: 'vlan-101', kind: 'mac', addr: '00:00:40:01:01:01',
    });
    expect(parseEndpointDn('topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/db-ep/ip-[10.1.3.106]')).toMatchObject({ vrf: 2654208, bd: 0, encap: '', kind: 'ip', addr: '10.1.3.106' });
    expect(parseEndpointDn('topology/pod-2/node-201/sys/inst-overlay-1/bd-[vxlan-16777209]/db-ep/ip-[20.0.0.95]')).toMatchObject({ pod: 2, node: 201, vrf: 16777199, bd: 16777209 });
    expect(parseEndpointDn('topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep/ip-[2001:db8::1]')).toMatchObject({ kind: 'ip', addr: '2001:db8::1' });
  });

  it('rejects what is not an endpoint DN', () => {
    for (const dn of ['', 'uni/tn-ag/BD-bd1', 'topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep', 'topology/pod-1/node-x/sys/ctx-[vxlan-1]/db-ep/ip-[1.1.1.1]', 'topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep/mac-zz:00']) {
      expect(parseEndpointDn(dn)).toBeNull();
    }
  });
});

describe('toObservation', () => {
  const obj = (cls: string, attrs: Record<string, string>): ApicObject => ({ cls, attrs });

  it('keys a MAC by BD, an IP and a binding by VRF and the IP; pcTag any is 0', () => {
    const mac = toObservation('f', obj('epmMacEp', { dn: 'topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/mac-AA:BB:CC:DD:EE:FF', flags: 'local,mac', ifId: 'eth1/1', pcTag: 'any' }), 5);
    expect(mac).toEqual({ ok: true, obs: { fabric: 'f', cls: 'mac', node: 101, vnid: 15007713, addr: 'aa:bb:cc:dd:ee:ff', status: 'created', ts: 5, vrf: 2654208, bd: 15007713, encap: 'vlan-101', flags: ['local', 'mac'], ifId: 'eth1/1', pcTag: 0 } });
    const bind = toObservation('f', obj('epmRsMacEpToIpEpAtt', {
      dn: 'topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15728629]/vlan-[vlan-101]/db-ep/mac-aa:bb:cc:dd:ee:00/rsmacEpToIpEpAtt-[topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15728629]/vlan-[vlan-101]/db-ep/ip-[10.1.1.105]]',
      status: 'deleted',
    }), 5);
    expect(bind).toMatchObject({ ok: true, obs: { cls: 'binding', vnid: 2654208, addr: '10.1.1.105', mac: 'aa:bb:cc:dd:ee:00', bd: 15728629, status: 'deleted' } });
  });

  it('a modified event carries only what changed; a delete carries no attributes', () => {
    const m = toObservation('f', obj('epmIpEp', { dn: 'topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep/ip-[10.0.0.1]', status: 'modified', flags: 'ip,local' }), 1);
    expect(m.ok && m.obs.ifId).toBeUndefined();
    expect(m.ok && m.obs.flags).toEqual(['ip', 'local']);
    const d = toObservation('f', obj('epmIpEp', { dn: 'topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep/ip-[10.0.0.1]', status: 'deleted', flags: 'ip' }), 1);
    expect(d.ok && d.obs.flags).toBeUndefined();
  });

  it('gives a reason for unknown classes, missing and unparseable DNs and bad addresses', () => {
    expect(toObservation('f', obj('fvBD', { dn: 'uni/tn-a/BD-b' }), 1)).toEqual({ ok: false, reason: 'not an endpoint class: fvBD' });
    expect(toObservation('f', obj('epmMacEp', {}), 1)).toEqual({ ok: false, reason: 'epmMacEp without dn' });
    expect(toObservation('f', obj('epmIpEp', { dn: 'garbage' }), 1)).toEqual({ ok: false, reason: 'epmIpEp dn does not parse: garbage' });
    expect(toObservation('f', obj('epmIpEp', { dn: 'topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[999.1.1.1]' }), 1).ok).toBe(false);
    expect(toObservation('f', obj('epmRsMacEpToIpEpAtt', { dn: 'topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/mac-aa:bb:cc:dd:ee:ff/rsmacEpToIpEpAtt-[x]' }), 1).ok).toBe(false);
  });

  it('refuses numbers no fabric sends: VXLAN ids over 24 bits, node ids over 16, pcTags that are not 16-bit class ids', () => {
    const dn = 'topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/db-ep/mac-AA:BB:CC:DD:EE:FF';
    expect(toObservation('f', obj('epmMacEp', { dn, pcTag: '49153' }), 1).ok).toBe(true);
    expect(toObservation('f', obj('epmMacEp', { dn: dn.replace('vxlan-15007713', 'vxlan-16777216') }), 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/dn does not parse/) });
    expect(toObservation('f', obj('epmMacEp', { dn: dn.replace('node-101', 'node-65536') }), 1).ok).toBe(false);
    for (const pcTag of ['65536', '-1', '1.5', 'x12']) {
      expect(toObservation('f', obj('epmMacEp', { dn, pcTag }), 1)).toEqual({ ok: false, reason: `epmMacEp pcTag is not a 16-bit class id: ${pcTag} (${dn})` });
    }
    // A deleted object's pcTag is not read.
    expect(toObservation('f', obj('epmMacEp', { dn, pcTag: 'x12', status: 'deleted' }), 1).ok).toBe(true);
  });
});

describe('parseApicMessage', () => {
  it('reports malformed payloads and keeps the good entries', () => {
    expect(parseApicMessage('{"imdata": [').problems[0]?.message).toMatch(/^not valid JSON/);
    expect(parseApicMessage('[]').problems).toEqual([{ where: 'payload', message: 'top level is not a JSON object' }]);
    expect(parseApicMessage('{"totalCount":"1"}').problems).toEqual([{ where: 'payload', message: 'imdata is missing or not an array' }]);
    const mixed = parseApicMessage('{"totalCount":"3","imdata":[{"fvBD":{"attributes":{"dn":"uni/tn-a/BD-b"}}},{"a":{},"b":{}},{"fvCtx":{}}]}');
    expect(mixed.message.objects.map((o) => o.cls)).toEqual(['fvBD']);
    expect(mixed.message.totalCount).toBe(3);
    expect(mixed.problems.map((p) => p.where)).toEqual(['imdata[1]', 'imdata[2].fvCtx']);
  });

  it('surfaces APIC errors', () => {
    const r = parseApicMessage('{"totalCount":"1","imdata":[{"error":{"attributes":{"code":"403","text":"Token was invalid"}}}]}');
    expect(r.message.error).toEqual({ code: '403', text: 'Token was invalid' });
  });
});

/** Every APIC payload in a fixture file: plain answers/events, or {"events":[{url, event}]} wrappers. */
function payloadsOf(raw: unknown): unknown[] {
  const r = raw as { imdata?: unknown; events?: { event?: unknown }[] };
  if (Array.isArray(r.imdata)) return [raw];
  if (Array.isArray(r.events)) return r.events.filter((e) => e && typeof e === 'object' && 'event' in e).map((e) => e.event);
  return [];
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.trim().startsWith('{') && l.trim().endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!haveFixtures)('shared fixtures (../shared/fixtures/apic)', () => {
  const files = haveFixtures ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')) : [];

  it('every APIC payload parses; every endpoint object becomes an observation; every other object is a table class or named as ignored', () => {
    let endpoints = 0;
    let tableObjects = 0;
    const ignored = new Set<string>();
    for (const f of files) {
      const text = readFileSync(FIXTURES + f, 'utf8');
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        continue; // JSON-lines tables, checked below
      }
      for (const payload of payloadsOf(raw)) {
        const problems: ParseProblem[] = [];
        const msg = parseApicValue(payload, problems);
        expect(problems, f).toEqual([]);
        const tables = new FabricTables();
        for (const o of msg.objects) {
          if (ENDPOINT_CLASSES[o.cls]) {
            const r = toObservation('fab', o, 1);
            expect(r.ok, `${f}: ${JSON.stringify(r)}`).toBe(true);
            if (r.ok) {
              const p = parseEndpointDn(o.attrs['dn']!.split('/rsmacEpToIpEpAtt-[')[0]!);
              expect(r.obs.node, f).toBe(p?.node);
            }
            endpoints++;
          } else if ((TABLE_CLASSES as readonly string[]).includes(o.cls)) {
            expect(tables.apply(o.cls, o.attrs), f).toBe(true);
            tableObjects++;
          } else {
            ignored.add(o.cls);
          }
        }
      }
    }
    expect(endpoints).toBeGreaterThan(30);
    expect(tableObjects).toBeGreaterThan(20);
    expect([...ignored].sort()).toEqual(['firmwareCtrlrRunning']);
  });

  it('endpoint history records: every DN parses to the record’s address, VRF and BD', () => {
    let n = 0;
    for (const f of files.filter((x) => x.includes('get_last_events') || x === 'ep_stale.json')) {
      const text = readFileSync(FIXTURES + f, 'utf8');
      const records = f === 'ep_stale.json' ? jsonLines(text).flatMap((r) => r['events'] as Record<string, string>[]) : (JSON.parse(text) as { events: Record<string, string>[] }).events;
      for (const rec of records) {
        const p = parseEndpointDn(rec['dn']!);
        expect(p, `${f}: ${rec['dn']}`).not.toBeNull();
        if (rec['vrf']) expect(String(p?.vrf)).toBe(rec['vrf']);
        if (rec['bd'] && p?.bd) expect(String(p.bd)).toBe(rec['bd']);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it('lab fabric tables: every tunnel resolves to the node or vPC pair owning its destination TEP', () => {
    const nodes = jsonLines(readFileSync(FIXTURES + 'ep_nodes.json', 'utf8'));
    const tunnels = jsonLines(readFileSync(FIXTURES + 'ep_tunnels.json', 'utf8'));
    const t = new FabricTables();
    for (const n of nodes) {
      if (n['role'] === 'vpc') {
        const members = n['nodes'] as { id: string }[];
        t.apply('fabricExplicitGEp', { dn: String(n['dn']), id: String(n['id']), virtualIp: `${String(n['address'])}/32` });
        for (const m of members) t.apply('fabricNodePEp', { dn: `${String(n['dn'])}/nodepep-${m.id}`, id: m.id });
      } else {
        t.apply('topSystem', { dn: String(n['dn']), id: String(n['id']), address: String(n['address']), role: String(n['role']), name: String(n['name']) });
      }
    }
    for (const tu of tunnels) t.apply('tunnelIf', { dn: String(tu['dn']), id: String(tu['id']), dest: String(tu['dest']), type: String(tu['type']) });
    const owner = new Map<string, number>();
    for (const n of nodes) {
      if (n['role'] === 'vpc') {
        const [a, b] = (n['nodes'] as { id: string }[]).map((m) => Number(m.id));
        owner.set(String(n['address']), vpcPseudoNode(a!, b!));
        expect(vpcPseudoNode(a!, b!)).toBe(Number(n['id'])); // EPT's own pseudo-node ids
      } else owner.set(String(n['address']), Number(n['id']));
    }
    let resolved = 0;
    for (const tu of tunnels) {
      const r = t.tunnel(Number(tu['node']), String(tu['id']));
      expect(r).toBeDefined();
      if (String(tu['type']).includes('proxy')) expect(r).toEqual({ remote: 0, proxy: true });
      else if (owner.has(String(tu['dest']))) {
        expect(r?.remote, `${String(tu['node'])} ${String(tu['id'])}`).toBe(owner.get(String(tu['dest'])));
        resolved++;
      }
    }
    expect(resolved).toBeGreaterThan(20);
    expect(t.vpcPeer(101)).toBe(102);
    expect(t.vpcPeer(104)).toBe(103);
  });

  it('naming and subnet events build the tables: EPG -> BD -> subnets, uSeg IP attributes', () => {
    const t = new FabricTables();
    const load = (f: string): void => {
      for (const payload of payloadsOf(JSON.parse(readFileSync(FIXTURES + f, 'utf8')))) {
        for (const o of parseApicValue(payload, []).objects) t.apply(o.cls, o.attrs);
      }
    };
    load('handle_name_event_new_bd.json');
    load('handle_name_event_update_epg_bd.json');
    load('rebuild_subnets_db.json');
    t.apply('fvBD', { dn: 'uni/tn-ag/BD-bd1', seg: '15007713', scope: '2654208' });
    expect(t.vnidName(14680100)).toBe('uni/tn-ag/BD-bd5');
    expect(t.epg(2654208, 60104)).toEqual({ dn: 'uni/tn-ag/ap-app/epg-e2', bd: 15007713 });
    // bd1 gets subnets from service-graph contexts bound to it (vnsRsLIfCtxToBD)
    expect(t.subnetsOf(15007713).map((p) => p.text)).toContain('15.1.1.1/24');
    expect(t.bdContains(15007713, '15.1.1.77')).toBe(true);
    expect(t.bdContains(15007713, '16.1.1.77')).toBe(false);
  });
});
