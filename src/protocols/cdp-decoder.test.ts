import { describe, expect, it } from 'vitest';
import { cdpChecksumOk, decodeCdp } from './cdp-decoder.js';
import { ascii, bytes, cdpPdu, ipv4, ipv6, u16be, u32be } from './pcap-writer.testkit.js';

const addrs = (...ips: string[]) => [...u32be(ips.length), ...ips.flatMap((ip) => (ip.includes(':') ? [2, 8, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd, ...u16be(16), ...ipv6(ip)] : [1, 1, 0xcc, ...u16be(4), ...ipv4(ip)]))];

describe('decodeCdp', () => {
  it('decodes the TLVs ept uses and verifies the checksum', () => {
    const pdu = cdpPdu(2, 180, [
      [0x01, ascii('leaf101.example')],
      [0x02, addrs('10.1.1.1', '2001:db8::5')],
      [0x03, ascii('Ethernet1/12')],
      [0x04, u32be(0x29)],
      [0x05, ascii('Cisco NX-OS\nVersion 14.2')],
      [0x06, ascii('N9K-C93180YC-EX')],
      [0x09, ascii('VTPDOM')],
      [0x0a, u16be(300)],
      [0x0b, [0]],
      [0x0e, [1, ...u16be(210)]],
      [0x11, u32be(9216)],
      [0x14, ascii('leaf101')],
      [0x16, addrs('192.0.2.10')],
      [0x1a, [0, 0, 0, 0]],
    ]);
    const r = decodeCdp(pdu, 0, pdu.length);
    expect(r).toEqual({
      ok: true,
      value: {
        version: 2,
        ttl: 180,
        checksum: (pdu[2] as number) * 256 + (pdu[3] as number),
        checksumOk: true,
        deviceId: 'leaf101.example',
        addresses: ['10.1.1.1', '2001:db8::5'],
        portId: 'Ethernet1/12',
        capabilities: { bits: 0x29, names: ['router', 'switch', 'igmp'] },
        softwareVersion: 'Cisco NX-OS\nVersion 14.2',
        platform: 'N9K-C93180YC-EX',
        vtpDomain: 'VTPDOM',
        nativeVlan: 300,
        duplex: 'half',
        voiceVlan: 210,
        mtu: 9216,
        systemName: 'leaf101',
        managementAddresses: ['192.0.2.10'],
        unknownTlvs: 1,
      },
    });
  });

  it('reports a bad checksum without failing the decode', () => {
    const pdu = cdpPdu(2, 180, [[0x01, ascii('sw')]]);
    pdu[3] = (pdu[3] as number) ^ 0xff;
    expect(decodeCdp(pdu, 0, pdu.length)).toMatchObject({ ok: true, value: { checksumOk: false, deviceId: 'sw' } });
  });

  it('accepts the Cisco odd-length checksum (last byte as a signed char) and the RFC 1071 one', () => {
    // Odd-length PDU whose last byte is >= 0x80: compute both variants by hand.
    const body = bytes([2, 180, 0, 0], [0, 1, 0, 5, 0x90]);
    let sum = 0;
    for (let i = 0; i + 1 < body.length; i += 2) sum += ((body[i] as number) << 8) | (body[i + 1] as number);
    const fold = (s: number) => {
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return s;
    };
    const set = (c: number) => {
      body[2] = c >>> 8;
      body[3] = c & 0xff;
      return cdpChecksumOk(body, 0, body.length);
    };
    expect(set(~fold(sum + 0x90 - 0x100) & 0xffff)).toBe(true);
    expect(set(~fold(sum + 0x9000) & 0xffff)).toBe(true);
    expect(set(~fold(sum + 0x90 - 0x100 + 1) & 0xffff)).toBe(false);
  });

  it.each([
    ['a TLV length under its header (zero-length loop)', [0, 1, 0, 0], /shorter than its header/, 6, false],
    ['a TLV length past the end', [0, 1, 0, 40, 65], /runs past end of CDP PDU/, 6, true],
    ['a partial TLV header', [0, 1], /TLV header past end/, 4, true],
    ['an address count larger than the list', [0, 2, 0, 8, 0, 0, 0, 9], /address 1 of 9 past end/, 4, false],
    ['a native VLAN with one byte', [0, 0x0a, 0, 5, 1], /Native VLAN length 1/, 4, false],
  ])('rejects %s', (_n, tlvBytes, error, offset, short) => {
    const pdu = bytes([2, 180, 0, 0], tlvBytes as number[]);
    const r = decodeCdp(pdu, 0, pdu.length);
    expect(r).toMatchObject({ ok: false, offset, short });
    if (!r.ok) expect(r.error).toMatch(error as RegExp);
  });

  it('rejects a PDU shorter than its header', () => {
    expect(decodeCdp(Uint8Array.of(2, 180), 0, 2)).toMatchObject({ ok: false, short: true, offset: 0 });
  });
});
