// The same ARP capture through Debian's arpwatch and through `ept replay pcap` gives the same set of
// reports. The capture is built here and covers every report kind arpwatch makes from a file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arpwatchUnavailable, emptyNetns, parseArpwatch, runArpwatch, tupleSet, type ReportTuple } from '../../src/bench/arpwatch-runner.js';
import { runCli } from '../../src/cli/main.js';
import { arpPacket, ethernet, writePcap, type TestFrame } from '../../src/protocols/pcap-writer.testkit.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const D = '02:00:00:00:00:0d';
const E = '02:00:00:00:00:0e';
const DAY = 86_400;

/** The scenario: each frame is (seconds after start, Ethernet source, ARP op, sender MAC, sender IP). */
function scenario(): TestFrame[] {
  const frames: TestFrame[] = [];
  let t = 1_700_000_000;
  const arp = (dt: number, eth: string, op: number, sha: string, spa: string) => {
    t += dt;
    frames.push({ tsSec: t, tsFrac: 250_000, data: ethernet('ff:ff:ff:ff:ff:ff', eth, 0x0806, [...arpPacket({ op, sha, spa, tha: '00:00:00:00:00:00', tpa: '10.0.0.254' }), ...new Array<number>(18).fill(0)]) });
  };
  arp(1, A, 1, A, '10.0.0.1'); // new station
  arp(1, A, 1, A, '10.0.0.1'); // nothing
  arp(1, B, 2, B, '10.0.0.1'); // changed ethernet address A -> B
  arp(1, A, 2, A, '10.0.0.1'); // flip flop B -> A
  arp(1, C, 2, C, '10.0.0.1'); // changed A -> C
  arp(1, B, 2, B, '10.0.0.1'); // reused old ethernet address (B is third)
  arp(1, D, 1, C, '10.0.0.2'); // ethernet mismatch: ARP says C, the frame came from D
  arp(1, D, 1, D, '192.168.5.5'); // outside 10/8: a bogon when the segment's subnets are known
  arp(1, D, 1, D, '0.0.0.0'); // address probe: ignored
  arp(1, E, 3, E, '10.0.0.9'); // RARP: ignored
  arp(1, 'ff:ff:ff:ff:ff:ff', 1, 'ff:ff:ff:ff:ff:ff', '10.0.0.10'); // broadcast MAC: ignored
  arp(1, E, 1, E, '10.0.0.3'); // new station
  arp(200 * DAY, E, 1, E, '10.0.0.3'); // new activity (idle more than six months)
  arp(1, A, 1, A, '10.0.0.1'); // reused old (A is third after B, C)
  for (let i = 0; i < 40; i++) arp(1, i % 2 ? A : D, 2, i % 2 ? A : D, `10.0.1.${i % 20}`); // new stations, then changes
  return frames;
}

async function eptReplay(file: string, extra: string[] = []): Promise<{ code: number; tuples: ReportTuple[]; lines: Record<string, unknown>[] }> {
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: () => {}, isTty: false, env: { server: undefined, token: undefined } };
  const code = await runCli(['replay', 'pcap', file, '--site', 'lab', '--rapid-threshold', '0', '--json', ...extra], io);
  const lines = out.join('\n').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const tuples = lines.map((l) => ({ kind: l['kind'] as string, ip: l['ip'] as string, mac: l['mac'] as string, ...(l['previousMac'] ? { previousMac: l['previousMac'] as string } : {}) }));
  return { code, tuples, lines };
}

const unavailable = arpwatchUnavailable();
let dir = '';
let capture = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ept-replay-'));
  capture = join(dir, 'arp.pcap');
  writeFileSync(capture, writePcap(scenario()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ept replay pcap', () => {
  it('prints one JSON finding per line with kind, ip, mac, previousMac and ts', async () => {
    const r = await eptReplay(capture);
    expect(r.code).toBe(0);
    const changed = r.lines.find((l) => l['kind'] === 'changed_ethernet_address');
    expect(changed).toEqual({ kind: 'changed_ethernet_address', ip: '10.0.0.1', mac: B, previousMac: A, ts: 1_700_000_003_250 });
    const kinds = new Set(r.tuples.map((t) => t.kind));
    for (const k of ['new_station', 'new_activity', 'changed_ethernet_address', 'flip_flop', 'reused_old_ethernet_address', 'ethernet_mismatch']) expect(kinds).toContain(k);
    expect(kinds).not.toContain('bogon');
  });

  it('reports a bogon, and only that, for an IP outside every --subnet', async () => {
    const r = await eptReplay(capture, ['--subnet', '10.0.0.0/8']);
    const about = r.tuples.filter((t) => t.ip === '192.168.5.5');
    expect(about).toEqual([{ kind: 'bogon', ip: '192.168.5.5', mac: D }]);
  });

  it('fails with the byte offset on a truncated capture', async () => {
    const cut = join(dir, 'cut.pcap');
    const whole = writePcap(scenario());
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const err: string[] = [];
    const code = await runCli(['replay', 'pcap', cut, '--site', 'lab'], { out: () => {}, err: (s) => err.push(s), isTty: false, env: { server: undefined, token: undefined } });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/parse_error: .*cut\.pcap: truncated record.* at offset \d+/);
  });
});

describe.skipIf(unavailable !== null)(`arpwatch comparison${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('gives the same set of reports as arpwatch -r for the same capture', async () => {
    const ns = emptyNetns();
    try {
      const aw = runArpwatch(capture, dir, ns.name);
      expect(aw.status, aw.stderr).toBe(0);
      const theirs = tupleSet(parseArpwatch(aw.stdout, aw.stderr));
      // arpwatch 2.1a15 reading a file knows no local network, so it never reports a bogon
      // (checked: not even with -n); ept without --subnet behaves the same.
      const ours = tupleSet((await eptReplay(capture)).tuples);
      expect(theirs.length).toBeGreaterThan(25);
      expect(ours).toEqual(theirs);
    } finally {
      ns.remove();
    }
  });
});
