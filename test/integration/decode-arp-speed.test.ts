// Throughput of the ARP hot path (pcap reader -> link demux -> ARP decoder) on a synthetic
// 1M-frame capture fed in 256 KiB chunks like a pipe. Prints frames/s; asserts correctness only.
import { describe, expect, it } from 'vitest';
import { decodeArp } from '../../src/protocols/arp-decoder.js';
import { ETHERTYPE_ARP, newLinkFrame, parseLink } from '../../src/protocols/ethernet-frame.js';
import { PcapStreamReader } from '../../src/protocols/pcap-reader.js';
import { arpPacket, ethernet, writePcap } from '../../src/protocols/pcap-writer.testkit.js';

const FRAMES = 1_000_000;

function syntheticCapture(): Uint8Array {
  const frame = ethernet('ff:ff:ff:ff:ff:ff', '00:00:5e:00:53:01', 0x0806, arpPacket({ op: 1, sha: '00:00:5e:00:53:01', spa: '10.0.0.1', tha: '00:00:00:00:00:00', tpa: '10.0.0.254' }));
  const header = writePcap([]);
  const rec = 16 + frame.length;
  const out = new Uint8Array(header.length + FRAMES * rec);
  out.set(header, 0);
  const one = writePcap([{ data: frame }]).subarray(header.length);
  for (let i = 0; i < FRAMES; i++) {
    const o = header.length + i * rec;
    out.set(one, o);
    // Distinct senders: MAC and IP low bytes follow the frame index.
    const arp = o + 16 + 14;
    out[arp + 12] = (i >>> 8) & 0xff;
    out[arp + 13] = i & 0xff;
    out[arp + 16] = (i >>> 8) & 0xff;
    out[arp + 17] = i & 0xff;
  }
  return out;
}

describe('ARP decoding throughput', () => {
  it('decodes 1M ARP frames and reports frames/s', () => {
    const file = syntheticCapture();
    const reader = new PcapStreamReader();
    const link = newLinkFrame();
    let arps = 0;
    let ipSum = 0;
    const t0 = process.hrtime.bigint();
    for (let o = 0; o < file.length; o += 256 * 1024) {
      reader.push(file.subarray(o, o + 256 * 1024));
      for (let p = reader.next(); p !== null; p = reader.next()) {
        if (!p.ok) throw new Error(p.error);
        if (parseLink(p.linkType, p.data, p.start, p.start + p.capLen, link) !== null || link.etherType !== ETHERTYPE_ARP) continue;
        const a = decodeArp(p.data, link.payloadStart, link.payloadEnd);
        if (!a.ok) continue;
        arps++;
        ipSum += a.senderIp & 0xffff;
      }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    expect(reader.finish()).toBeNull();
    expect(arps).toBe(FRAMES);
    let expectedSum = 0;
    for (let i = 0; i < FRAMES; i++) expectedSum += i & 0xffff;
    expect(ipSum).toBe(expectedSum);
    console.log(`ARP decode: ${FRAMES} frames in ${seconds.toFixed(3)} s = ${Math.round(FRAMES / seconds).toLocaleString('en-US')} frames/s (pcap reader + link demux + ARP, 256 KiB chunks)`);
  }, 60_000);
});
