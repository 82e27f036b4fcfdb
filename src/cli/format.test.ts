import { describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { endpointFlags, formatEndpoints, formatFabrics, formatFindings, formatLocation, formatNode, formatSettings, formatStatus, formatTime, parseSetting, type EndpointItem, type StatusLike } from './format.js';

const ep: EndpointItem = {
  fabric: 'fab1',
  vnid: 15000001,
  addr: '00:50:56:aa:bb:01',
  type: 'mac',
  current: { node: 102 * 65536 + 101, ifId: 'vpc-343', encap: 'vlan-101', pcTag: 49153, rwMac: '' },
  flags: { offsubnet: [], stale: [103], rapidUntil: 0 },
  deletedTs: 0,
  learnCount: 3,
  ts: Date.UTC(2024, 4, 1, 12, 0, 0),
};

describe('formatting', () => {
  it('formats times, vPC pseudo-nodes and locations', () => {
    expect(formatTime(Date.UTC(2024, 4, 1, 12, 0, 0, 123))).toBe('2024-05-01 12:00:00Z');
    expect(formatTime(0)).toBe('-');
    expect(formatNode(102 * 65536 + 101)).toBe('101+102');
    expect(formatNode(101)).toBe('101');
    expect(formatLocation(ep.current)).toBe('node 101+102 vpc-343 vlan-101 pcTag 49153');
    expect(formatLocation({ node: 101, ifId: 'eth1/1', encap: 'vlan-5', pcTag: 1, rwMac: 'aa:aa:aa:aa:aa:aa' })).toBe('node 101 eth1/1 vlan-5 pcTag 1 mac aa:aa:aa:aa:aa:aa');
    expect(formatLocation(null)).toBe('-');
  });

  it('names endpoint flags', () => {
    expect(endpointFlags(ep)).toBe('stale(103)');
    expect(endpointFlags({ flags: { offsubnet: [101], stale: [], rapidUntil: 2000 }, deletedTs: 5 }, 1000)).toBe('offsubnet(101) rapid deleted');
    expect(endpointFlags({ flags: { offsubnet: [], stale: [], rapidUntil: 500 }, deletedTs: 0 }, 1000)).toBe('-');
  });

  it('renders endpoint tables with one row per endpoint', () => {
    const text = formatEndpoints([ep, { ...ep, addr: '00:50:56:aa:bb:02' }], true);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/fabric.*vnid.*address.*type.*location.*learns.*flags.*changed/);
    expect(text).toContain('00:50:56:aa:bb:02');
    expect(text.match(/stale\(103\)/g)).toHaveLength(2);
    expect(formatEndpoints([])).toBe('no endpoints');
  });

  it('renders fabrics, status, findings and settings', () => {
    const fab = { name: 'fab1', state: 'running', simulated: false, autoStart: true, apic: { urls: ['https://a'], username: 'u', verifyTls: true, passwordSet: true }, settings: {}, createdTs: 1 };
    expect(formatFabrics([fab])).toMatch(/fab1\s*│\s*running\s*│\s*https:\/\/a/);
    expect(formatFabrics([])).toBe('no fabrics configured');
    const status: StatusLike = {
      fabric: 'fab1', state: 'building', simulated: true,
      build: { classes: { fvAEPg: { read: 5, total: 5, done: true }, epmMacEp: { read: 1, total: 9, done: false } }, startedTs: 1, finishedTs: null },
      lastError: null, subscription: { connected: true, apic: 'https://a', subscriptions: 12, lastEventTs: null, reconnects: 0 },
      eventRate: 2.5, eventsReceived: 10, eventsProcessed: 9, parseErrors: 0,
    };
    const s = formatStatus(status);
    expect(s).toContain('building (simulated)');
    expect(s).toContain('connected, 12 subscriptions, 0 reconnects');
    expect(s).toContain('1/2 classes');
    expect(s).toContain('10 received, 9 processed, 2.5/s');
    const f = formatFindings('move', [{ vnid: 1, addr: 'a', count: 3, lastTs: 0, details: { node: 102, nodeName: 'leaf-102', ifId: 'eth1/7', encap: 'vlan-2', pcTag: 5, epg: 'uni/tn-t/ap-a/epg-e', from: { node: 101, ifId: 'eth1/1', encap: 'vlan-2', pcTag: 5 } } }]);
    expect(f).toContain('102 leaf-102');
    expect(f).toContain('uni/tn-t/ap-a/epg-e');
    expect(f).toContain('node 101 eth1/1');
    expect(formatFindings('stale', [{ vnid: 1, addr: 'a', count: 1, lastTs: 0, details: { node: 103, reason: 'remote', remote: 104, pcTag: 7 } }])).toMatch(/remote -> 104/);
    expect(formatFindings('rapid', [])).toBe('no rapid records');
    const st = formatSettings({ settings: { analyze_move: false, stale_delay: 45 }, overridden: ['analyze_move'] }, [{ name: 'analyze_move', default: true }, { name: 'stale_delay', default: 45 }]);
    expect(st).toMatch(/analyze_move\s*│\s*false\s*│\s*true\s*│\s*yes/);
    expect(st).toMatch(/stale_delay\s*│\s*45\s*│\s*45\s*│\s*│/);
  });

  it('parses --set values', () => {
    expect(parseSetting('analyze_move=false')).toEqual(['analyze_move', false]);
    expect(parseSetting('stale_delay = 60')).toEqual(['stale_delay', 60]);
    expect(parseSetting('stale_delay=null')).toEqual(['stale_delay', null]);
    expect(parseSetting('x=abc')).toEqual(['x', 'abc']);
    expect(() => parseSetting('novalue')).toThrow(EptError);
    expect(() => parseSetting('=1')).toThrow('--set =1: expected name=value');
  });
});
