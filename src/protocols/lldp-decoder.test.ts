import { describe, expect, it } from 'vitest';
import { decodeLldp, type LldpResult } from './lldp-decoder.js';
import { ascii, bytes, ipv4, ipv6, LLDP_END, lldpOrg, lldpTlv, mac, u16be, u32be } from './pcap-writer.testkit.js';

const MANDATORY = [...lldpTlv(1, [4, ...mac('00:01:30:f9:ad:a0')]), ...lldpTlv(2, [5, ...ascii('Ethernet1/7')]), ...lldpTlv(3, u16be(120))];
const decode = (...tlvs: number[][]): LldpResult => {
  const b = bytes(...tlvs);
  return decodeLldp(b, 0, b.length);
};

describe('decodeLldp', () => {
  it('decodes mandatory, system and management TLVs', () => {
    const r = decode(
      MANDATORY,
      lldpTlv(4, ascii('uplink to spine')),
      lldpTlv(5, ascii('leaf101')),
      lldpTlv(6, ascii('Cisco NX-OS(tm) aci\nline 2')),
      lldpTlv(7, [...u16be(0x0014), ...u16be(0x0004)]),
      lldpTlv(8, [5, 1, ...ipv4('10.0.0.1'), 2, ...u32be(83886080), 0]),
      lldpTlv(8, [17, 2, ...ipv6('2001:db8::1'), 3, ...u32be(7), 8, 0x2b, 6, 1, 4, 1, 9, 0x81, 0x00]),
      LLDP_END,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      chassisIdSubtype: 4,
      chassisId: '00:01:30:f9:ad:a0',
      portIdSubtype: 5,
      portId: 'Ethernet1/7',
      ttl: 120,
      portDescription: 'uplink to spine',
      systemName: 'leaf101',
      systemDescription: 'Cisco NX-OS(tm) aci\nline 2',
      capabilities: { availableBits: 0x14, enabledBits: 4, available: ['bridge', 'router'], enabled: ['bridge'] },
      managementAddresses: [
        { family: 1, address: '10.0.0.1', interfaceSubtype: 2, interfaceNumber: 83886080 },
        { family: 2, address: '2001:db8::1', interfaceSubtype: 3, interfaceNumber: 7, oid: '1.3.6.1.4.1.9.128' },
      ],
    });
  });

  it('decodes 802.1, 802.3 and LLDP-MED TLVs', () => {
    const r = decode(
      MANDATORY,
      lldpOrg(0x0080c2, 1, u16be(42)),
      lldpOrg(0x0080c2, 3, [...u16be(42), 4, ...ascii('web1')]),
      lldpOrg(0x0080c2, 3, [...u16be(43), 3, ...ascii('db1')]),
      lldpOrg(0x0080c2, 7, [0x03, ...u32be(369098752)]),
      lldpOrg(0x00120f, 1, [0x03, ...u16be(0x6c00), ...u16be(30)]),
      lldpOrg(0x00120f, 2, [0x0f, 1, 3, 0x51, ...u16be(130), ...u16be(125)]),
      lldpOrg(0x00120f, 4, u16be(9216)),
      lldpOrg(0x0012bb, 1, [...u16be(0x33), 3]),
      lldpOrg(0x0012bb, 2, [1, 0x40 | (100 >>> 7), ((100 & 0x7f) << 1) | 1, (5 << 6) | 46]),
      lldpOrg(0x0012bb, 10, ascii('IP Phone 8841')),
      lldpOrg(0x001234, 1, [9]),
      LLDP_END,
    );
    expect(r.ok && r.value).toMatchObject({
      pvid: 42,
      vlans: [{ vlan: 42, name: 'web1' }, { vlan: 43, name: 'db1' }],
      linkAggregation: { capable: true, enabled: true, portId: 369098752 },
      macPhy: { autonegSupported: true, autonegEnabled: true, advertised: 0x6c00, mauType: 30, speedMbps: 1000, duplex: 'full' },
      power: { support: 0x0f, psePair: 1, powerClass: 3, requestedDeciWatts: 130, allocatedDeciWatts: 125 },
      maxFrameSize: 9216,
      med: { capabilities: 0x33, deviceClass: 3, model: 'IP Phone 8841', policies: [{ application: 1, tagged: true, unknown: false, vlan: 100, priority: 5, dscp: 46 }] },
      unknownTlvs: 1,
    });
  });

  it.each([
    ['a TLV length past the end', [MANDATORY, [0x0a, 0x20, 0x41]], /length 32 runs past end/, MANDATORY.length, true],
    ['a missing End TLV', [MANDATORY], /without an End of LLDPDU/, MANDATORY.length, true],
    ['a lone header byte', [MANDATORY, [0x0a]], /TLV header past end/, MANDATORY.length, true],
    ['a first TLV that is not the Chassis ID', [lldpTlv(127, [0, 0x12, 0x0f, 4]), LLDP_END], /TLV 1 must be Chassis ID/, 0, false],
    ['a Port ID out of order', [lldpTlv(1, [4, ...mac('00:00:00:00:00:01')]), lldpTlv(3, u16be(1)), LLDP_END], /TLV 2 must be Port ID/, 9, false],
    ['an empty Chassis ID (zero-length loop bait)', [lldpTlv(1, []), LLDP_END], /Chassis ID length 0/, 0, false],
    ['a short Time To Live', [lldpTlv(1, [7, 65]), lldpTlv(2, [7, 65]), lldpTlv(3, [1]), LLDP_END], /Time To Live length 1/, 8, false],
    ['a management address longer than its TLV', [MANDATORY, lldpTlv(8, [30, 1, ...ipv4('1.2.3.4'), 2, 0, 0, 0, 1, 0]), LLDP_END], /runs past the TLV/, MANDATORY.length, false],
    ['an 802.3 max frame size with no value', [MANDATORY, lldpOrg(0x00120f, 4, []), LLDP_END], /Maximum Frame Size needs 2/, MANDATORY.length, false],
    ['a VLAN name longer than its TLV', [MANDATORY, lldpOrg(0x0080c2, 3, [0, 1, 20, 65]), LLDP_END], /VLAN name length 20/, MANDATORY.length, false],
  ])('rejects %s with its offset', (_name, tlvs, error, offset, short) => {
    const r = decode(...(tlvs as number[][]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(error as RegExp);
    expect(r.offset).toBe(offset);
    expect(r.short).toBe(short);
  });

  it('keeps the fields read before a failure', () => {
    const r = decode(MANDATORY, lldpTlv(5, ascii('sw1')), [0x0c, 0x40]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.partial).toMatchObject({ chassisId: '00:01:30:f9:ad:a0', systemName: 'sw1', ttl: 120 });
  });

  it('ends on random bytes without throwing (every TLV consumes its header)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: 1 + (rnd() % 200) }, rnd);
      const r = decodeLldp(b, 0, b.length);
      expect(typeof r.ok).toBe('boolean');
    }
  });

  it('decodes text, network-address and MAC ids of every subtype', () => {
    const ids = (chassis: number[], port: number[]) => decode(lldpTlv(1, chassis), lldpTlv(2, port), lldpTlv(3, u16be(0)), LLDP_END);
    expect(ids([5, 1, ...ipv4('192.0.2.7')], [3, ...mac('aa:bb:cc:00:00:01')])).toMatchObject({ value: { chassisId: '192.0.2.7', portId: 'aa:bb:cc:00:00:01', ttl: 0 } });
    expect(ids([7, ...ascii('chassis-x')], [4, 2, ...ipv6('fe80::1')])).toMatchObject({ value: { chassisId: 'chassis-x', portId: 'fe80::1' } });
    for (const sub of [1, 2, 5, 6, 7]) expect(ids([6, ...ascii('c')], [sub, ...ascii('eth0')])).toMatchObject({ value: { portIdSubtype: sub, portId: 'eth0' } });
  });
});
