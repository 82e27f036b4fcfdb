import { describe, expect, it } from 'vitest';
import { decodeNdp } from './ndp-decoder.js';
import { icmp6Packet, ipv6, mac, u16be, u32be } from './pcap-writer.testkit.js';

const decode = (pkt: number[]) => decodeNdp(Uint8Array.from(pkt), 0, pkt.length);

describe('decodeNdp', () => {
  it('decodes a neighbor solicitation with its source link-layer address', () => {
    const ns = icmp6Packet('fe80::1', 'ff02::1:ff00:2', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('2001:db8::2'), 1, 1, ...mac('00:50:56:00:00:01')]);
    expect(decode(ns)).toEqual({
      ok: true,
      value: { type: 'ns', srcIp: 'fe80::1', dstIp: 'ff02::1:ff00:2', hopLimit: 255, checksumOk: true, targetIp: '2001:db8::2', sourceMac: '00:50:56:00:00:01', prefixes: [] },
    });
  });

  it('decodes a neighbor advertisement (flags, target link-layer address) and DAD from ::', () => {
    const na = icmp6Packet('2001:db8::2', 'fe80::1', [136, 0, 0, 0, 0x60, 0, 0, 0, ...ipv6('2001:db8::2'), 2, 1, ...mac('00:50:56:00:00:02')]);
    expect(decode(na)).toMatchObject({ ok: true, value: { type: 'na', router: false, solicited: true, override: true, targetMac: '00:50:56:00:00:02' } });
    const dad = icmp6Packet('::', 'ff02::1:ff00:9', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('fe80::9')]);
    expect(decode(dad)).toMatchObject({ ok: true, value: { type: 'ns', srcIp: '::', targetIp: 'fe80::9' } });
  });

  it('decodes a router advertisement with prefix, MTU and source link-layer options, and an RS', () => {
    const prefix = [3, 4, 64, 0xc0, ...u32be(2592000), ...u32be(604800), 0, 0, 0, 0, ...ipv6('2001:db8:1::')];
    const ra = icmp6Packet('fe80::1', 'ff02::1', [134, 0, 0, 0, 64, 0x40, ...u16be(1800), 0, 0, 0, 0, 0, 0, 0, 0, ...prefix, 5, 1, 0, 0, ...u32be(9000), 1, 1, ...mac('00:00:0c:9f:f0:01')]);
    expect(decode(ra)).toMatchObject({
      ok: true,
      value: { type: 'ra', curHopLimit: 64, managed: false, otherConfig: true, routerLifetime: 1800, mtu: 9000, sourceMac: '00:00:0c:9f:f0:01', prefixes: [{ prefix: '2001:db8:1::', length: 64, onLink: true, autonomous: true, validLifetime: 2592000, preferredLifetime: 604800 }] },
    });
    expect(decode(icmp6Packet('fe80::5', 'ff02::2', [133, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({ ok: true, value: { type: 'rs', checksumOk: true } });
  });

  it('returns null for other IPv6 traffic', () => {
    expect(decode(icmp6Packet('fe80::1', 'fe80::2', [128, 0, 0, 0, 0, 1, 0, 1]))).toBeNull();
  });

  it('rejects a zero-length option (the option-loop trap), a hop limit other than 255 and short packets', () => {
    const zero = icmp6Packet('fe80::1', 'ff02::1', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('fe80::2'), 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(decode(zero)).toMatchObject({ ok: false, offset: 40 + 24 + 1, short: false });
    expect(decode(icmp6Packet('fe80::1', 'ff02::1', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('fe80::2')], 64))).toMatchObject({ ok: false, offset: 7 });
    const long = icmp6Packet('fe80::1', 'ff02::1', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('fe80::2'), 1, 3, 0, 0, 0, 0, 0, 0]);
    expect(decode(long)).toMatchObject({ ok: false, short: true });
    expect(decode(icmp6Packet('fe80::1', 'ff02::1', [136, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({ ok: false, short: true });
    expect(decodeNdp(Uint8Array.from(zero), 0, 30)).toMatchObject({ ok: false, short: true, offset: 0 });
  });

  it('flags a wrong ICMPv6 checksum without failing', () => {
    const ns = icmp6Packet('fe80::1', 'ff02::1', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('fe80::2')]);
    ns[40 + 3] = (ns[40 + 3] as number) ^ 1;
    expect(decode(ns)).toMatchObject({ ok: true, value: { checksumOk: false } });
  });
});
