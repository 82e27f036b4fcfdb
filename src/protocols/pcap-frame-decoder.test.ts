import { describe, expect, it } from 'vitest';
import { newLinkFrame, parseLink } from './ethernet-frame.js';
import { FrameDecoder } from './pcap-frame-decoder.js';
import { readPcapFile, type PcapPacket } from './pcap-reader.js';
import { arpPacket, ascii, bytes, cdpPdu, ethernet, icmp6Packet, ipv6, LLDP_END, lldpTlv, mac, snapFrame, u16be, writePcap } from './pcap-writer.testkit.js';

const LLDPDU = [...lldpTlv(1, [4, ...mac('00:00:00:00:00:0a')]), ...lldpTlv(2, [7, ...ascii('p1')]), ...lldpTlv(3, u16be(120)), ...lldpTlv(5, ascii('sw-a')), ...LLDP_END];
const ARP = arpPacket({ op: 1, sha: '00:11:22:33:44:55', spa: '10.0.0.5', tha: '00:00:00:00:00:00', tpa: '10.0.0.1' });

function decodeAll(frames: { data: Uint8Array; origLen?: number }[], linkType = 1) {
  const { packets, error } = readPcapFile(writePcap(frames, { linkType }));
  expect(error).toBeNull();
  const d = new FrameDecoder();
  return packets.map((p: PcapPacket, i) => d.decode(p, i + 1));
}

describe('FrameDecoder', () => {
  it('recognises LLDP at all three multicast destinations and by ethertype elsewhere', () => {
    const out = decodeAll(['01:80:c2:00:00:0e', '01:80:c2:00:00:03', '01:80:c2:00:00:00', '00:aa:bb:cc:dd:ee'].map((d) => ({ data: ethernet(d, '00:00:00:00:00:0a', 0x88cc, LLDPDU) })));
    expect(out.map((f) => [f.protocol, 'scope' in f ? f.scope : undefined])).toEqual([
      ['lldp', 'nearest-bridge'],
      ['lldp', 'nearest-non-tpmr-bridge'],
      ['lldp', 'nearest-customer-bridge'],
      ['lldp', undefined],
    ]);
    expect(out[0]).toMatchObject({ frame: 1, src: '00:00:00:00:00:0a', chassisId: '00:00:00:00:00:0a', portId: 'p1', systemName: 'sw-a', ttl: 120 });
  });

  it('decodes CDP in 802.3 + SNAP, ARP behind 802.1Q and QinQ tags, and NDP', () => {
    const cdp = cdpPdu(2, 180, [[1, ascii('sw-b')], [3, ascii('Gi1/0/1')]]);
    const qinq = bytes(mac('ff:ff:ff:ff:ff:ff'), mac('00:11:22:33:44:55'), [0x88, 0xa8, 0, 100, 0x81, 0, 0, 200], u16be(0x0806), ARP);
    const ns = icmp6Packet('fe80::1', 'ff02::1:ff00:2', [135, 0, 0, 0, 0, 0, 0, 0, ...ipv6('fe80::2')]);
    const out = decodeAll([
      { data: snapFrame('01:00:0c:cc:cc:cc', '00:0b:be:18:9a:41', 0x00000c, 0x2000, cdp) },
      { data: ethernet('ff:ff:ff:ff:ff:ff', '00:11:22:33:44:55', 0x0806, ARP, [30]) },
      { data: qinq },
      { data: ethernet('33:33:ff:00:00:02', '00:11:22:33:44:55', 0x86dd, ns) },
      { data: ethernet('00:11:22:33:44:56', '00:11:22:33:44:55', 0x0800, new Array<number>(46).fill(0)) },
      { data: snapFrame('01:00:0c:cc:cc:cc', '00:0b:be:18:9a:41', 0x00000c, 0x2004, [1, 2, 3]) },
    ]);
    expect(out[0]).toMatchObject({ protocol: 'cdp', deviceId: 'sw-b', portId: 'Gi1/0/1', checksumOk: true });
    expect(out[1]).toMatchObject({ protocol: 'arp', vlanTags: [30], op: 'request', senderMac: '00:11:22:33:44:55', senderIp: '10.0.0.5', targetIp: '10.0.0.1' });
    expect(out[2]).toMatchObject({ protocol: 'arp', vlanTags: [100, 200] });
    expect(out[3]).toMatchObject({ protocol: 'ndp', type: 'ns', targetIp: 'fe80::2' });
    expect(out[4]).toMatchObject({ protocol: 'unknown', etherType: '0x0800' });
    expect(out[5]).toMatchObject({ protocol: 'unknown', snap: '0x00000c/0x2004' });
  });

  it('reads Linux cooked captures (SLL and SLL2)', () => {
    const sll = bytes(u16be(0), u16be(1), u16be(6), mac('00:11:22:33:44:55'), [0, 0], u16be(0x0806), ARP);
    const sll2 = bytes(u16be(0x88cc), [0, 0, 0, 0, 0, 3], u16be(1), [0, 6], mac('00:00:00:00:00:0a'), [0, 0], LLDPDU);
    expect(decodeAll([{ data: sll }], 113)[0]).toMatchObject({ protocol: 'arp', src: '00:11:22:33:44:55', senderIp: '10.0.0.5' });
    expect(decodeAll([{ data: sll2 }], 276)[0]).toMatchObject({ protocol: 'lldp', src: '00:00:00:00:00:0a', systemName: 'sw-a' });
    const llc = bytes(u16be(0), u16be(1), u16be(6), mac('00:0b:be:18:9a:41'), [0, 0], u16be(0x0004), [0xaa, 0xaa, 3, 0, 0, 0x0c, 0x20, 0], cdpPdu(1, 60, [[1, ascii('r1')]]));
    expect(decodeAll([{ data: llc }], 113)[0]).toMatchObject({ protocol: 'cdp', deviceId: 'r1' });
  });

  it('tells a capture cut by its snap length (truncated) from a malformed frame', () => {
    const full = ethernet('01:80:c2:00:00:0e', '00:00:00:00:00:0a', 0x88cc, LLDPDU);
    const cut = full.subarray(0, full.length - 6);
    const [truncated, malformed] = decodeAll([{ data: cut, origLen: full.length }, { data: cut }]);
    expect(truncated).toMatchObject({ protocol: 'lldp', portId: 'p1', truncated: { offset: 14 + 18 } });
    expect(malformed).toMatchObject({ protocol: 'malformed', layer: 'lldp', offset: 14 + 18 });
  });

  it('reports link-layer faults as malformed with the offset', () => {
    const out = decodeAll([{ data: Uint8Array.of(1, 2, 3) }, { data: bytes(mac('01:00:0c:cc:cc:cc'), mac('00:00:00:00:00:01'), u16be(400), [0xaa, 0xaa, 3]) }]);
    expect(out[0]).toMatchObject({ protocol: 'malformed', layer: 'link', offset: 3 });
    expect(out[1]).toMatchObject({ protocol: 'malformed', layer: 'link', offset: 12, error: expect.stringMatching(/802.3 length 400/) });
  });

  it('bounds the number of VLAN tags', () => {
    const tags = new Array<number>(20).fill(0).flatMap(() => [0x81, 0x00, 0, 1]);
    const frame = bytes(mac('ff:ff:ff:ff:ff:ff'), mac('00:00:00:00:00:01'), tags, u16be(0x0806), ARP);
    const l = newLinkFrame();
    expect(parseLink(1, frame, 0, frame.length, l)).toMatchObject({ ok: false, error: 'more than 8 VLAN tags' });
  });
});
