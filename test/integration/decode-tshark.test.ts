// ept's frame decoders against tshark, field by field, on the shared third-party captures (LLDP and
// CDP from several vendors, mixed, and malformed ones). tshark is the oracle; skipped when absent.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, type DecodedFrame } from '../../src/protocols/pcap-frame-decoder.js';
import { readPcapFile } from '../../src/protocols/pcap-reader.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/pcap');
const files = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];
const tshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();
const skipReason = files.length === 0 ? `no captures in ${FIXTURES}` : !tshark ? 'tshark is not installed (apt-get install tshark)' : '';
if (skipReason) console.warn(`decode-tshark: skipped: ${skipReason}`);

type Fields = Map<string, string[]>;

/** Every leaf field of a tshark -T json --no-duplicate-keys frame, in document order. */
function flatten(node: unknown, out: Fields = new Map()): Fields {
  if (node === null || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item === 'string') out.set(k, [...(out.get(k) ?? []), item]);
      else flatten(item, out);
    }
  }
  return out;
}

function tsharkFrames(file: string): Fields[] {
  const json = execFileSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys'], { timeout: 20_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  return (JSON.parse(json) as { _source: { layers: unknown } }[]).map((p) => flatten(p._source.layers));
}

const one = (t: Fields, k: string) => t.get(k)?.[0];
const all = (t: Fields, k: string) => t.get(k) ?? [];
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

function compareLldp(t: Fields, f: DecodedFrame & { protocol: 'lldp' }): void {
  const chassis = one(t, 'lldp.chassis.id.mac') ?? one(t, 'lldp.chassis.id.ip4') ?? one(t, 'lldp.chassis.id.ip6') ?? one(t, 'lldp.chassis.id');
  expect(f.chassisId).toBe(chassis);
  expect(f.chassisIdSubtype).toBe(num(one(t, 'lldp.chassis.subtype')));
  expect(f.portId).toBe(one(t, 'lldp.port.id.mac') ?? one(t, 'lldp.port.id.ip4') ?? one(t, 'lldp.port.id.ip6') ?? one(t, 'lldp.port.id'));
  expect(f.portIdSubtype).toBe(num(one(t, 'lldp.port.subtype')));
  expect(f.ttl).toBe(num(one(t, 'lldp.time_to_live')));
  expect(f.systemName).toBe(one(t, 'lldp.tlv.system.name'));
  expect(f.systemDescription).toBe(one(t, 'lldp.tlv.system.desc'));
  expect(f.portDescription).toBe(one(t, 'lldp.port.desc'));
  expect(f.capabilities?.availableBits).toBe(num(one(t, 'lldp.tlv.system_cap')));
  expect(f.capabilities?.enabledBits).toBe(num(one(t, 'lldp.tlv.enable_system_cap')));
  expect(f.managementAddresses.map((m) => m.address)).toEqual([...all(t, 'lldp.mgn.addr.ip4'), ...all(t, 'lldp.mgn.addr.ip6'), ...all(t, 'lldp.mgn.addr.hex')]);
  expect(f.managementAddresses.map((m) => m.interfaceNumber)).toEqual(all(t, 'lldp.mgn.interface.number').map(Number));
  expect(f.pvid).toBe(num(one(t, 'lldp.ieee.802_1.port_vlan.id')));
  expect(f.vlans).toEqual(all(t, 'lldp.ieee.802_1.vlan.id').map((id, i) => ({ vlan: Number(id), name: all(t, 'lldp.ieee.802_1.vlan.name')[i] })));
  expect(f.maxFrameSize).toBe(num(one(t, 'lldp.ieee.802_3.max_frame_size')));
  expect(f.macPhy?.mauType).toBe(num(one(t, 'lldp.ieee.802_3.pmd_mau_type')));
  expect(f.macPhy?.advertised).toBe(num(one(t, 'lldp.ieee.802_3.pmd_auto_neg_advertised_caps')));
  const an = (k: string) => (t.has(k) ? one(t, k) === '1' : undefined);
  expect(f.macPhy?.autonegSupported).toBe(an('lldp.ieee.802_3.mac_phy_auto_neg_status.supported'));
  expect(f.macPhy?.autonegEnabled).toBe(an('lldp.ieee.802_3.mac_phy_auto_neg_status.enabled'));
  expect(f.linkAggregation?.capable).toBe(an('lldp.ieee.802_3.aggregation_status.cap'));
  expect(f.linkAggregation?.portId).toBe(num(one(t, 'lldp.ieee.802_3.aggregated_port_id')));
  // MAU 16 is 100BASE-TX full duplex (IANA-MAU-MIB), the type these captures carry.
  if (f.macPhy?.mauType === 16) expect([f.macPhy.speedMbps, f.macPhy.duplex]).toEqual([100, 'full']);
}

function compareCdp(t: Fields, f: DecodedFrame & { protocol: 'cdp' }): void {
  expect(f.version).toBe(num(one(t, 'cdp.version')));
  expect(f.ttl).toBe(num(one(t, 'cdp.ttl')));
  expect(f.checksum).toBe(num(one(t, 'cdp.checksum')));
  expect(f.checksumOk).toBe(one(t, 'cdp.checksum.status') === '1');
  expect(f.deviceId).toBe(one(t, 'cdp.deviceid'));
  expect(f.portId).toBe(one(t, 'cdp.portid'));
  expect(f.platform).toBe(one(t, 'cdp.platform'));
  // tshark splits the version text into one field per line.
  expect(f.softwareVersion?.split('\n')).toEqual(t.get('cdp.software_version'));
  expect(f.nativeVlan).toBe(num(one(t, 'cdp.native_vlan')));
  expect(f.duplex).toBe(t.has('cdp.duplex') ? (one(t, 'cdp.duplex') === '1' ? 'full' : 'half') : undefined);
  expect(f.vtpDomain).toBe(one(t, 'cdp.vtp_management_domain'));
  expect(f.capabilities?.bits).toBe(num(one(t, 'cdp.capabilities')));
  expect(f.mtu).toBe(num(one(t, 'cdp.mtu')));
  expect([...f.addresses, ...f.managementAddresses].sort()).toEqual(all(t, 'cdp.nrgyz.ip_address').sort());
}

function compareArp(t: Fields, f: DecodedFrame): void {
  if (one(t, 'arp.hw.size') !== '6') {
    // tshark shows any hardware length; ept needs 6-byte MACs and rejects the frame.
    expect(f).toMatchObject({ protocol: 'malformed', layer: 'arp' });
    return;
  }
  expect(f).toMatchObject({
    protocol: 'arp',
    op: one(t, 'arp.opcode') === '1' ? 'request' : 'reply',
    senderMac: one(t, 'arp.src.hw_mac'),
    senderIp: one(t, 'arp.src.proto_ipv4'),
    targetMac: one(t, 'arp.dst.hw_mac'),
    targetIp: one(t, 'arp.dst.proto_ipv4'),
  });
}

describe.skipIf(skipReason !== '')('ept decoders vs tshark', () => {
  it.each(files.length ? files : ['none'])(
    '%s',
    (name) => {
      const path = join(FIXTURES, name);
      const expected = tsharkFrames(path);
      const { packets, error } = readPcapFile(readFileSync(path));
      expect(error).toBeNull();
      expect(packets).toHaveLength(expected.length);
      const d = new FrameDecoder();
      packets.forEach((p, i) => {
        const t = expected[i] as Fields;
        const f = d.decode(p, i + 1);
        expect(f.ts).toBe(one(t, 'frame.time_epoch'));
        const layers = (one(t, 'frame.protocols') ?? '').split(':');
        const ctx = `${name} frame ${i + 1}`;
        if (t.has('_ws.malformed')) {
          expect(f.protocol, ctx).toBe('malformed');
          return;
        }
        if (layers.includes('arp')) return compareArp(t, f);
        if (layers.includes('lldp')) {
          expect(f.protocol, ctx).toBe('lldp');
          if (f.protocol !== 'lldp') return;
          // tshark: "Packet size limited during capture"; ept: truncated, with the fields before the cut.
          expect(f.truncated !== undefined, ctx).toBe(t.has('_ws.short'));
          return compareLldp(t, f);
        }
        if (layers.includes('cdp')) {
          expect(f.protocol, ctx).toBe('cdp');
          if (f.protocol === 'cdp') compareCdp(t, f);
          return;
        }
        expect(f.protocol, ctx).toBe('unknown');
      });
    },
    20_000,
  );
});
