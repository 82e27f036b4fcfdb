import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_DN_PATTERN, OVERLAY_VRF_VNID, parseEndpointDn, type EndpointDn } from './endpoint-dn.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/apic/', import.meta.url));

/** The reference: the grammar's regular expression and the same range checks. */
function byPattern(dn: string): EndpointDn | null {
  const m = ENDPOINT_DN_PATTERN.exec(dn);
  if (!m) return null;
  const mac = m[6];
  const node = Number(m[2]);
  const vrf = m[3] ? Number(m[3]) : OVERLAY_VRF_VNID;
  const bd = m[4] ? Number(m[4]) : 0;
  if (node > 0xffff || vrf > 0xffffff || bd > 0xffffff) return null;
  return { pod: Number(m[1]), node, vrf, bd, encap: m[5] ?? '', kind: mac ? 'mac' : 'ip', addr: mac ?? m[7] ?? '' };
}

/** Every endpoint DN in the fixtures (the MAC and IP halves of bindings too). */
function fixtureDns(): string[] {
  if (!existsSync(FIXTURES)) return [];
  const out: string[] = [];
  for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))) {
    for (const m of readFileSync(`${FIXTURES}${f}`, 'utf8').matchAll(/"(?:dn|tDn)"\s*:\s*"([^"]*db-ep[^"]*)"/g)) {
      const dn = m[1] as string;
      const i = dn.indexOf('/rsmacEpToIpEpAtt-[');
      if (i < 0) out.push(dn);
      else out.push(dn.slice(0, i), dn.slice(i + 19, -1));
    }
  }
  return out;
}

const BASE = [
  'topology/pod-1/node-101/sys/ctx-[vxlan-2916352]/bd-[vxlan-15007704]/vlan-[vlan-101]/db-ep/mac-00:00:40:01:01:01',
  'topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/db-ep/ip-[10.1.3.106]',
  'topology/pod-2/node-201/sys/inst-overlay-1/bd-[vxlan-16777209]/db-ep/ip-[20.0.0.95]',
  'topology/pod-1/node-101/sys/ctx-[vxlan-1]/bd-[vxlan-2]/vlan-[vxlan-8000]/db-ep/ip-[2001:db8::1]',
  'topology/pod-1/node-65535/sys/ctx-[vxlan-16777215]/db-ep/mac-AA:bb:CC:dd:EE:ff',
];

/** Seeded mutations: a character replaced, inserted or removed, or two parts swapped. */
function mutations(dn: string, n: number, seed: number): string[] {
  let x = seed;
  const rnd = (k: number): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % k;
  };
  const alphabet = '0123456789abcdefgABCDEFGxz:/[]-.vlanipmcdb é';
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = rnd(dn.length + 1);
    const c = alphabet[rnd(alphabet.length)] as string;
    const op = rnd(4);
    if (op === 0) out.push(dn.slice(0, p) + c + dn.slice(p + 1));
    else if (op === 1) out.push(dn.slice(0, p) + c + dn.slice(p));
    else if (op === 2) out.push(dn.slice(0, p) + dn.slice(p + 1));
    else out.push(dn.slice(0, p) + '9'.repeat(1 + rnd(20)) + dn.slice(p));
  }
  return out;
}

describe('parseEndpointDn (scanner)', () => {
  it('agrees with the grammar on every fixture DN', () => {
    const dns = fixtureDns();
    if (existsSync(FIXTURES)) expect(dns.length).toBeGreaterThan(10);
    for (const dn of dns) {
      expect(parseEndpointDn(dn)).toEqual(byPattern(dn));
      expect(parseEndpointDn(dn)).not.toBeNull();
    }
  });

  it('agrees with the grammar on thousands of mutated DNs, accepted or not', () => {
    let accepted = 0;
    let rejected = 0;
    const all = [...BASE, ...fixtureDns().slice(0, 20)];
    all.forEach((base, k) => {
      for (const dn of mutations(base, 2000, k + 1)) {
        const want = byPattern(dn);
        expect(parseEndpointDn(dn), dn).toEqual(want);
        if (want) accepted++;
        else rejected++;
      }
    });
    // Both sides of the grammar are exercised.
    expect(accepted).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
  });

  it('reads a DN with a very long digit run as the grammar does, without throwing', () => {
    const long = '1'.repeat(300_000);
    for (const dn of [`topology/pod-${long}/node-1/sys/inst-overlay-1/db-ep/ip-[1.1.1.1]`, `topology/pod-1/node-${long}/sys/inst-overlay-1/db-ep/ip-[1.1.1.1]`]) {
      expect(parseEndpointDn(dn)).toEqual(byPattern(dn));
    }
    expect(parseEndpointDn(`topology/pod-${long}/node-1/sys/inst-overlay-1/db-ep/ip-[1.1.1.1]`)?.pod).toBe(Number(long));
  });

  it('rejects out-of-range node and VXLAN ids and empty parts', () => {
    for (const dn of [
      'topology/pod-1/node-65536/sys/ctx-[vxlan-1]/db-ep/ip-[1.1.1.1]',
      'topology/pod-1/node-1/sys/ctx-[vxlan-16777216]/db-ep/ip-[1.1.1.1]',
      'topology/pod-1/node-1/sys/ctx-[vxlan-1]/bd-[vxlan-99999999999999999999]/db-ep/ip-[1.1.1.1]',
      'topology/pod-1/node-1/sys/ctx-[vxlan-1]/vlan-[]/db-ep/ip-[1.1.1.1]',
      'topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[]',
      'topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/mac-',
      'topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[1.1.1.1]/x',
    ]) {
      expect(parseEndpointDn(dn), dn).toBeNull();
      expect(byPattern(dn), dn).toBeNull();
    }
  });
});
