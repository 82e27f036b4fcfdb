import { describe, expect, it } from 'vitest';
import { decodeArp } from './arp-decoder.js';
import { formatIpv4Number, formatMacNumber } from './ethernet-addresses.js';
import { arpPacket } from './pcap-writer.testkit.js';

describe('decodeArp', () => {
  it('decodes requests and replies into numeric addresses', () => {
    const b = Uint8Array.from(arpPacket({ op: 2, sha: 'fe:dc:ba:98:76:54', spa: '10.0.0.1', tha: '00:11:22:33:44:55', tpa: '10.0.0.200' }));
    const r = decodeArp(b, 0, b.length);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.op).toBe(2);
    expect([formatMacNumber(r.senderMac), formatIpv4Number(r.senderIp), formatMacNumber(r.targetMac), formatIpv4Number(r.targetIp)]).toEqual(['fe:dc:ba:98:76:54', '10.0.0.1', '00:11:22:33:44:55', '10.0.0.200']);
    expect(r.senderMac).toBe(0xfedcba987654);
  });

  it('rejects a hardware address length other than 6 (the too-long THA case)', () => {
    const b = Uint8Array.from(arpPacket({ op: 1, sha: '30:30:30:30:30:30', spa: '48.48.48.48', tha: '30:30:30:30:30:30', tpa: '48.48.48.48', hlen: 14 }));
    expect(decodeArp(b, 0, b.length)).toEqual({ ok: false, error: 'ARP hardware address length 14, expected 6', offset: 4, short: false });
  });

  it('rejects other protocol lengths and types, and short packets', () => {
    const good = arpPacket({ op: 1, sha: '00:00:00:00:00:01', spa: '1.1.1.1', tha: '00:00:00:00:00:00', tpa: '1.1.1.2' });
    const withByte = (i: number, v: number) => Uint8Array.from(good.map((x, j) => (j === i ? v : x)));
    expect(decodeArp(withByte(5, 16), 0, 28)).toMatchObject({ ok: false, offset: 5, error: 'ARP protocol address length 16, expected 4' });
    expect(decodeArp(withByte(2, 0x86), 0, 28)).toMatchObject({ ok: false, offset: 2 });
    expect(decodeArp(withByte(1, 32), 0, 28)).toMatchObject({ ok: false, offset: 0 });
    expect(decodeArp(Uint8Array.from(good), 0, 27)).toMatchObject({ ok: false, short: true });
    expect(decodeArp(Uint8Array.from(good), 0, 5)).toMatchObject({ ok: false, short: true });
  });
});
