// `ept decode pcap FILE [--json]` end to end: ept's own captures written to a temp dir, plus every
// shared third-party capture (no crash, no hang, exit 0).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/main.js';
import { arpPacket, ascii, cdpPdu, ethernet, LLDP_END, lldpOrg, lldpTlv, mac, snapFrame, u16be, writePcap, writePcapng } from '../../src/protocols/pcap-writer.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'ept-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(...t.replace(/\n$/, '').split('\n')), err: (t) => stderr.push(t), isTty: false, env: { server: undefined, token: undefined } };
}

const lldp = ethernet('01:80:c2:00:00:0e', '00:00:5e:00:53:01', 0x88cc, [
  ...lldpTlv(1, [4, ...mac('00:00:5e:00:53:00')]),
  ...lldpTlv(2, [5, ...ascii('eth1/5')]),
  ...lldpTlv(3, u16be(120)),
  ...lldpTlv(5, ascii('leaf-201')),
  ...lldpOrg(0x0080c2, 1, u16be(10)),
  ...LLDP_END,
]);
const cdp = snapFrame('01:00:0c:cc:cc:cc', '00:00:5e:00:53:02', 0x00000c, 0x2000, cdpPdu(2, 180, [[1, ascii('sw-x')], [3, ascii('Gi0/1')]]));
const arp = ethernet('ff:ff:ff:ff:ff:ff', '00:00:5e:00:53:03', 0x0806, arpPacket({ op: 1, sha: '00:00:5e:00:53:03', spa: '192.0.2.3', tha: '00:00:00:00:00:00', tpa: '192.0.2.1' }));
const badArp = ethernet('ff:ff:ff:ff:ff:ff', '00:00:5e:00:53:04', 0x0806, arpPacket({ op: 1, sha: '00:00:5e:00:53:04', spa: '192.0.2.4', tha: '00:00:00:00:00:00', tpa: '192.0.2.1', hlen: 14 }));
const frames = [lldp, cdp, arp, badArp].map((data, i) => ({ data, tsSec: 1_700_000_000 + i, tsFrac: 250 }));

function write(name: string, content: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('ept decode pcap', () => {
  it.each([
    ['pcap', writePcap(frames)],
    ['pcapng', writePcapng(frames)],
  ])('prints one JSON object per frame (%s)', async (_n, content) => {
    const io = captureIo();
    expect(await runCli(['decode', 'pcap', write(`a.${_n}`, content), '--json'], io)).toBe(0);
    const rows = io.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.frame, r.protocol])).toEqual([
      [1, 'lldp'],
      [2, 'cdp'],
      [3, 'arp'],
      [4, 'malformed'],
    ]);
    expect(rows[0]).toMatchObject({ ts: '1700000000.000250000', chassisId: '00:00:5e:00:53:00', portId: 'eth1/5', systemName: 'leaf-201', pvid: 10, scope: 'nearest-bridge' });
    expect(rows[1]).toMatchObject({ deviceId: 'sw-x', portId: 'Gi0/1' });
    expect(rows[2]).toMatchObject({ op: 'request', senderIp: '192.0.2.3', targetIp: '192.0.2.1' });
    expect(rows[3]).toMatchObject({ layer: 'arp', error: 'ARP hardware address length 14, expected 6', offset: 18 });
  });

  it('prints a readable table with a summary', async () => {
    const io = captureIo();
    expect(await runCli(['decode', 'pcap', write('b.pcap', writePcap(frames))], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/FRAME\s+TIME\s+PROTO\s+SOURCE\s+DETAILS/);
    expect(io.stdout[1]).toMatch(/^\s+1\s+1700000000\.000250\s+lldp\s+00:00:5e:00:53:01\s+chassis=00:00:5e:00:53:00 port=eth1\/5 ttl=120 system=leaf-201 pvid=10/);
    expect(io.stdout[4]).toMatch(/malformed .*arp: ARP hardware address length 14, expected 6 \(frame offset 18\)/);
    expect(io.stdout.at(-1)).toBe('4 frames: lldp 1, cdp 1, arp 1, malformed 1');
  });

  it('fails with parse_error and the offset when the file is cut inside a record', async () => {
    const full = writePcap(frames);
    const io = captureIo();
    expect(await runCli(['decode', 'pcap', write('cut.pcap', full.subarray(0, full.length - 3)), '--json'], io)).toBe(1);
    expect(io.stdout).toHaveLength(3);
    const lastRecord = full.length - (16 + badArp.length);
    expect(io.stderr.join('')).toMatch(new RegExp(`^ept: parse_error: .*cut\\.pcap: truncated record: \\d+ bytes left at end of stream at offset ${lastRecord}`));
  });

  it('fails with parse_error for a file that is not a capture or does not exist', async () => {
    const io = captureIo();
    expect(await runCli(['decode', 'pcap', write('x.txt', new TextEncoder().encode('hello world, not a pcap'))], io)).toBe(1);
    expect(io.stderr.join('')).toMatch(/ept: parse_error: .*not a pcap or pcapng file \(magic 0x68656c6c\) at offset 0/);
    const io2 = captureIo();
    expect(await runCli(['decode', 'pcap', join(dir, 'missing.pcap')], io2)).toBe(1);
    expect(io2.stderr.join('')).toMatch(/ept: parse_error: .*missing\.pcap: cannot read: ENOENT/);
  });

  const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/pcap');
  const shared = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.pcap')) : [];
  if (shared.length === 0) console.warn(`decode-cli: shared captures skipped: none in ${FIXTURES}`);
  it.skipIf(shared.length === 0).each(shared.length ? shared : ['none'])(
    'decodes shared capture %s without crashing or hanging',
    async (name) => {
      const io = captureIo();
      expect(await runCli(['decode', 'pcap', join(FIXTURES, name), '--json'], io)).toBe(0);
      expect(io.stdout.length).toBeGreaterThan(0);
      for (const l of io.stdout) expect(JSON.parse(l)).toHaveProperty('protocol');
    },
    10_000,
  );
});
