import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanApicFrame } from './apic-frame.js';
import { ENDPOINT_CLASSES, parseApicMessage, toObservation, type ApicMessage } from './apic-objects.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/apic/', import.meta.url));

/**
 * What a message says: endpoint objects as the observation they give (toObservation's result, read
 * from the attributes or, where the scanner read it from the bytes, its obs with fabric and ts set),
 * other objects as they are.
 */
function meaning(m: ApicMessage): unknown {
  return {
    ...m,
    objects: m.objects.map((o) => {
      if (!(o.cls in ENDPOINT_CLASSES)) return o;
      return { cls: o.cls, read: o.obs ? { ok: true, obs: { ...o.obs, fabric: 'f', ts: 5 } } : toObservation('f', o, 5) };
    }),
  };
}

/** The reference: the frame parsed as text. */
function reference(frame: Buffer): unknown {
  const { message, problems } = parseApicMessage(frame.toString('utf8'));
  return problems.length ? null : meaning(message);
}

/** The scanner's reading (null off its path), in the reference's terms. */
function scanned(frame: Buffer): unknown {
  const m = scanApicFrame(frame);
  return m && meaning(m);
}

/** Every APIC answer in the fixtures: files that are one, and answers nested in recorded event lists. */
function fixtureFrames(): [string, Buffer][] {
  if (!existsSync(FIXTURES)) return [];
  const out: [string, Buffer][] = [];
  const walk = (name: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(`${name}[${i}]`, x));
    else if (typeof v === 'object' && v !== null) {
      if ('imdata' in v) out.push([name, Buffer.from(JSON.stringify(v))]);
      else for (const [k, x] of Object.entries(v)) walk(`${name}.${k}`, x);
    }
  };
  for (const n of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const raw = readFileSync(`${FIXTURES}${n}`);
    let v: unknown;
    try {
      v = JSON.parse(raw.toString('utf8'));
    } catch {
      // JSON lines (records of EPT's own tables): no APIC answers in them.
      continue;
    }
    if (typeof v === 'object' && v !== null && 'imdata' in v) out.push([n, raw]);
    else walk(n, v);
  }
  return out;
}

const MAC_EVENT = (node: number, mac: string, extra = ''): string =>
  `{"epmMacEp":{"attributes":{"dn":"topology/pod-1/node-${node}/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/mac-${mac}","status":"modified","addr":"${mac}","createTs":"2026-11-22T10:00:00.000+00:00","name":"","pcTag":"49153","flags":"local,mac,vpc-attached","modTs":"never","ifId":"po5","rn":"","childAction":"","encap":"vlan-101","lcC":"learned"${extra}}}}`;
const IP_EVENT = `{"epmIpEp":{"attributes":{"dn":"topology/pod-1/node-102/sys/ctx-[vxlan-2654208]/db-ep/ip-[10.1.2.3]","status":"created","flags":"ip","ifId":"tunnel7","pcTag":"any","addr":"10.1.2.3"}}}`;
const BINDING_EVENT = `{"epmRsMacEpToIpEpAtt":{"attributes":{"dn":"topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/mac-00:00:00:00:00:06/rsmacEpToIpEpAtt-[topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/ip-[10.1.2.3]]","status":"deleted","tDn":"x"}}}`;
const BD_EVENT = `{"fvBD":{"attributes":{"dn":"uni/tn-t1/BD-bd1","seg":"15007713","status":"modified"}}}`;
const frameOf = (entries: string[], ids = '["72057598352687113"]'): Buffer => Buffer.from(`{"subscriptionId":${ids},"imdata":[${entries.join(',')}]}`);
const SAMPLE = frameOf([MAC_EVENT(101, '00:00:00:00:00:06'), IP_EVENT, BINDING_EVENT, BD_EVENT]);

describe('scanApicFrame', () => {
  it('reads every websocket event fixture as the text parser does, endpoint objects cut to the kept attributes', () => {
    const frames = fixtureFrames();
    if (frames.length === 0) return void console.warn('skipped: ../shared/fixtures/apic is not beside the project');
    let read = 0;
    for (const [name, frame] of frames) {
      const got = scanned(frame);
      const ref = reference(frame);
      if (got === null) continue;
      read++;
      expect(got, name).toEqual(ref);
    }
    // The websocket events (a subscription id, no children) are all on the scanner's path.
    const events = frames.filter(([, b]) => b.includes('"subscriptionId"') && !b.includes('"children"'));
    expect(events.length).toBeGreaterThan(20);
    for (const [name, frame] of events) expect(scanApicFrame(frame), name).not.toBeNull();
    // Every endpoint object that gives an observation is read straight into it.
    for (const [name, frame] of events) {
      for (const o of scanApicFrame(frame)!.objects) {
        if (o.cls in ENDPOINT_CLASSES && !o.obs) expect(toObservation('f', o, 5).ok, `${name}: ${o.attrs['dn']}`).toBe(false);
      }
    }
    expect(read).toBeGreaterThanOrEqual(events.length);
  });

  it('reads endpoint objects into the observations the text parser gives, without their attributes', () => {
    const got = scanApicFrame(SAMPLE) as ApicMessage;
    const ref = parseApicMessage(SAMPLE.toString('utf8')).message;
    expect(got.subscriptionIds).toEqual(['72057598352687113']);
    expect(got.objects.map((o) => o.cls)).toEqual(['epmMacEp', 'epmIpEp', 'epmRsMacEpToIpEpAtt', 'fvBD']);
    for (let i = 0; i < 3; i++) {
      const o = got.objects[i]!;
      expect(o.attrs).toEqual({});
      expect({ ok: true, obs: { ...o.obs, fabric: 'f', ts: 5 } }).toEqual(toObservation('f', ref.objects[i]!, 5));
    }
    expect(got.objects[0]?.obs).toMatchObject({ cls: 'mac', addr: '00:00:00:00:00:06', encap: 'vlan-101', pcTag: 49153, flags: ['local', 'mac', 'vpc-attached'] });
    expect(got.objects[2]?.obs).toMatchObject({ cls: 'binding', addr: '10.1.2.3', mac: '00:00:00:00:00:06', status: 'deleted' });
    expect(got.objects[3]).toEqual(ref.objects[3]);
  });

  it('leaves to toObservation the endpoint objects off the direct reading, with their kept attributes', () => {
    const mac = (dn: string, extra = ''): string => `{"epmMacEp":{"attributes":{"dn":"${dn}","status":"created","pcTag":"49153","flags":"local,mac","ifId":"eth1/1"${extra}}}}`;
    const base = 'topology/pod-1/node-101/sys/ctx-[vxlan-1]/bd-[vxlan-2]/vlan-[vlan-5]/db-ep/mac-';
    const cases: [string, RegExp | null][] = [
      [mac(`${base}00:00:00:00:00:0G`), /dn does not parse/], // not a MAC character
      [mac(`${base}000000000001`), null], // a MAC in another form: normalised by toObservation
      [mac(`${base}00:00:00:00:00:01`, ',"pcTag":"1e3"'), null], // a pcTag Number() reads
      [mac(`${base}00:00:00:00:00:01`, ',"pcTag":"70000"'), /pcTag is not a 16-bit class id/],
      [mac('topology/pod-1/node-101/sys/ctx-[vxlan-1]/db-ep/ip-[10.0.0.1]'), /dn does not parse/], // an IP DN in a MAC class
      [`{"epmIpEp":{"attributes":{"dn":"topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[10.0.0.300]","status":"created"}}}`, /bad address/],
      [`{"epmIpEp":{"attributes":{"dn":"topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[é]","status":"created"}}}`, /bad address/], // a non-ASCII DN
      [`{"epmRsMacEpToIpEpAtt":{"attributes":{"dn":"${base}00:00:00:00:00:01/rsmacEpToIpEpAtt-[x]","status":"created"}}}`, /binding dn does not parse/],
    ];
    for (const [entry, reason] of cases) {
      const f = frameOf([entry]);
      const o = (scanApicFrame(f) as ApicMessage).objects[0]!;
      expect(o.obs, entry).toBeUndefined();
      expect(o.attrs['dn'], entry).toBeDefined();
      const r = toObservation('f', o, 5);
      if (reason) expect(r.ok ? '' : r.reason, entry).toMatch(reason);
      else expect(r.ok, entry).toBe(true);
      expect(scanned(f), entry).toEqual(reference(f));
    }
  });

  it('reads a DN with a very long number as the text parser does, without throwing', () => {
    const f = frameOf([`{"epmIpEp":{"attributes":{"dn":"topology/pod-${'1'.repeat(300_000)}/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[10.0.0.1]","status":"created"}}}`]);
    const got = scanned(f);
    expect(got === reference(f) || JSON.stringify(got) === JSON.stringify(reference(f))).toBe(true);
    expect((scanApicFrame(f) as ApicMessage).objects[0]?.obs).toMatchObject({ cls: 'ip', node: 1, addr: '10.0.0.1' });
  });

  it('decodes UTF-8, keeps the last of repeated keys, allows whitespace and a string subscription id', () => {
    const f = Buffer.from(`  { "subscriptionId" : "7" , "imdata" : [ { "epmIpEp" : { "attributes" : { "dn" : "topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[é]" , "flags" : "a", "flags": "b" } } } ] , "_ts" : -1.5e+3 }\n`);
    const got = scanApicFrame(f) as ApicMessage;
    expect(scanned(f)).toEqual(reference(f));
    expect(got.subscriptionIds).toEqual(['7']);
    expect(got.objects[0]?.attrs).toEqual({ dn: 'topology/pod-1/node-1/sys/ctx-[vxlan-1]/db-ep/ip-[é]', flags: 'b' });
  });

  it('leaves to the text parser what is off its path', () => {
    const off = [
      frameOf([MAC_EVENT(101, '00:00:00:00:00:06', ',"ifId":"p\\u006f5"')]), // escaped kept value
      frameOf([MAC_EVENT(101, '00:00:00:00:00:06', ',"d\\u006e":"x"')]), // escaped key that spells dn
      frameOf([MAC_EVENT(101, '00:00:00:00:00:06', ',"pcTag":49153')]), // a kept attribute that is not a string
      Buffer.from(`{"subscriptionId":["1"],"imdata":[{"epmMacEp":{"attributes":{"dn":"x"},"children":[]}}]}`),
      Buffer.from(`{"subscriptionId":["1"],"imdata":[{"epmMacEp":{"attributes":{"dn":"x"}},"fvBD":{"attributes":{}}}]}`),
      Buffer.from(`{"subscriptionId":["1"],"imdata":[{"error":{"attributes":{"code":"400","text":"bad"}}}]}`),
      Buffer.from(`{"subscriptionId":[1],"imdata":[]}`),
      Buffer.from(`{"totalCount":true,"imdata":[]}`), // a count that is neither a number nor a string
      Buffer.from(`{"subscriptionId":["1"]}`),
      Buffer.from(`[]`),
      Buffer.from(``),
      Buffer.from(`{"subscriptionId":["1"],"imdata":[]} x`),
    ];
    for (const f of off) expect(scanApicFrame(f), f.toString()).toBeNull();
    // The text parser then reads or reports them as before: an error answer, a malformed frame.
    expect(parseApicMessage(off[5]!.toString()).message.error).toEqual({ code: '400', text: 'bad' });
    expect(parseApicMessage(off[8]!.toString()).problems[0]?.message).toMatch(/imdata/);
  });

  it('reads a count as the text parser does', () => {
    for (const f of [`{"totalCount":"1","imdata":[]}`, `{"imdata":[${IP_EVENT}],"totalCount":2e0}`, `{"totalCount":"x","imdata":[]}`, `{"totalCount":"\u00a01","imdata":[]}`, '{"totalCount":"\\u0031","imdata":[]}'].map((t) => Buffer.from(t))) {
      const got = scanned(f);
      expect(got, f.toString()).not.toBeNull();
      expect(got).toEqual(reference(f));
    }
  });

  it('refuses every truncation of a frame', () => {
    for (let n = 0; n < SAMPLE.length; n++) expect(scanApicFrame(SAMPLE.subarray(0, n)), String(n)).toBeNull();
    expect(scanApicFrame(SAMPLE)).not.toBeNull();
  });

  it('accepts a mutated frame only where JSON.parse accepts it, and then reads what it reads', () => {
    let x = 12345;
    const rnd = (k: number): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % k;
    };
    const alphabet = Buffer.from('{}[]:,"\\ \t\n0123456789-+.eEtrufalsnbu/abcdefxyzé\u0001');
    let accepted = 0;
    let direct = 0;
    let refusedValid = 0;
    for (let i = 0; i < 30_000; i++) {
      const b = Buffer.from(SAMPLE);
      const edits = 1 + rnd(3);
      let m: Buffer = b;
      for (let e = 0; e < edits; e++) {
        const at = rnd(m.length);
        const c = alphabet.subarray(rnd(alphabet.length), undefined).subarray(0, 1);
        const kind = rnd(3);
        m = kind === 0 ? Buffer.concat([m.subarray(0, at), c, m.subarray(at + 1)]) : kind === 1 ? Buffer.concat([m.subarray(0, at), c, m.subarray(at)]) : Buffer.concat([m.subarray(0, at), m.subarray(at + 1)]);
      }
      const got = scanned(m);
      const ref = reference(m);
      if (got) {
        accepted++;
        if (scanApicFrame(m)!.objects.some((o) => o.obs)) direct++;
        expect(ref, m.toString()).not.toBeNull();
        expect(got, m.toString()).toEqual(ref);
      } else if (ref) refusedValid++;
    }
    // Both outcomes occur: the property is not vacuous.
    expect(accepted).toBeGreaterThan(1000);
    expect(direct).toBeGreaterThan(500);
    expect(accepted - direct).toBeGreaterThan(0);
    expect(refusedValid).toBeGreaterThan(0);
  });
});
