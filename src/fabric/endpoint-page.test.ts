import { describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { internFlags } from '../core/intern.js';
import { toObservation, type ApicObject } from '../protocols/apic-objects.js';
import { decodeEndpointPage, fromColumns, fromPortableError, toColumns, toPortableError } from './endpoint-page.js';

const URL = '/api/class/epmMacEp.json?page-size=10&page=0';
const MAC_DN = 'topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/mac-00:50:56:AA:BB:01';
const IP_DN = 'topology/pod-1/node-102/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/ip-[10.1.1.10]';
const IP6_DN = 'topology/pod-1/node-103/sys/ctx-[vxlan-2654208]/db-ep/ip-[2001:DB8:0:0::10]';
const BINDING_DN = `${MAC_DN}/rsmacEpToIpEpAtt-[${IP_DN}]`;

function page(objects: unknown[], totalCount: number | string = objects.length): string {
  return JSON.stringify({ totalCount: String(totalCount), imdata: objects });
}

const mac = (attrs: Record<string, string>) => ({ epmMacEp: { attributes: { dn: MAC_DN, flags: 'local,mac,vpc-attached', ifId: 'po5', encap: 'vlan-101', pcTag: '49153', status: '', ...attrs } } });
const ip = (dn: string, attrs: Record<string, string> = {}) => ({ epmIpEp: { attributes: { dn, flags: 'ip', ifId: 'tunnel7', pcTag: 'any', ...attrs } } });
const binding = { epmRsMacEpToIpEpAtt: { attributes: { dn: BINDING_DN, tCl: 'epmIpEp' } } };

describe('decodeEndpointPage', () => {
  const text = page([
    mac({}),
    mac({ status: 'deleted', flags: '', pcTag: '' }),
    ip(IP_DN),
    ip(IP6_DN, { status: 'modified', ifId: 'eth1/7' }),
    binding,
    ip('topology/pod-1/node-101/sys/db-ep/ip-[nonsense]'),
    { epmMacEp: { attributes: { dn: MAC_DN.replace('AA', 'ZZ') } } },
    'not an object',
  ]);

  it('gives the observations toObservation gives, stamped with the page time and marked as read from a query', () => {
    const p = decodeEndpointPage('fab', URL, text, 1234);
    const raw = (JSON.parse(text) as { imdata: unknown[] }).imdata.slice(0, 5) as Record<string, { attributes: Record<string, string> }>[];
    const expected = raw.map((o) => {
      const [cls, v] = Object.entries(o)[0]!;
      const r = toObservation('fab', { cls, attrs: v.attributes } as ApicObject, 1234);
      if (!r.ok) throw new Error(r.reason);
      return { ...r.obs, fromQuery: true };
    });
    expect(p.observations).toEqual(expected);
    expect(p.observations.map((o) => o.cls)).toEqual(['mac', 'mac', 'ip', 'ip', 'binding']);
    // Two objects whose DN does not parse are rejected by name; the string entry is a page problem.
    expect(p.rejected.map((r) => r.where)).toEqual(['topology/pod-1/node-101/sys/db-ep/ip-[nonsense]', MAC_DN.replace('AA', 'ZZ')]);
    expect(p.rejected[0]!.reason).toMatch(/dn|address/);
    expect(p.problems).toHaveLength(1);
    expect(p.entries).toBe(8);
    expect(p.totalCount).toBe(8);
  });

  it('crosses threads as columns without changing an observation; flag lists come back interned', () => {
    const p = decodeEndpointPage('fab', URL, text, 1234);
    const c = toColumns('fab', p);
    // What a postMessage does to it.
    const back = fromColumns(structuredClone(c, { transfer: [c.nums.buffer as ArrayBuffer] }));
    expect(back).toEqual(p);
    expect(back.observations[0]!.flags).toBe(internFlags('local,mac,vpc-attached'));
    // Every observation has the same fields in the same order (one hidden class for the analyses).
    const shape = Object.keys(p.observations[0]!).join();
    for (const o of back.observations) expect(Object.keys(o).join()).toBe(shape);
  });

  it('refuses a page that is not a usable answer, naming the URL', () => {
    const bad = (t: string) => () => decodeEndpointPage('fab', URL, t, 1);
    expect(bad('{"imdata": [')).toThrow(/epmMacEp\.json.*malformed page: not valid JSON/);
    expect(bad('{"imdata": []}')).toThrow(/totalCount missing/);
    expect(bad(page([{ error: { attributes: { code: '400', text: 'Unable to process the query' } } }]))).toThrow(/APIC error 400: Unable to process the query/);
    try {
      bad('nope')();
    } catch (err) {
      expect(err).toBeInstanceOf(EptError);
      expect((err as EptError).code).toBe('parse_error');
    }
  });

  it('an error keeps its code, message and details across threads', () => {
    const e = fromPortableError(structuredClone(toPortableError(new EptError('apic_error', 'x: APIC error 400', { url: 'x', code: '400' }))));
    expect(e).toBeInstanceOf(EptError);
    expect([e.code, e.message, e.details]).toEqual(['apic_error', 'x: APIC error 400', { url: 'x', code: '400' }]);
    expect(toPortableError(new TypeError('boom'))).toEqual({ code: 'internal', message: 'boom' });
  });
});
