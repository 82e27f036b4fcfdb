// The switch-link capture end to end: two network namespaces joined by a veth pair; lldpd in one
// sends LLDP and CDP, tcpdump in the other (run through `ip netns exec`) feeds ept's decoders. ARP and
// ND from the sender become neighbour sightings. Root, tcpdump and lldpd are required.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import pino from 'pino';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCapturedFrame } from '../../src/agent/capture-handler.js';
import { FrameCapture } from '../../src/agent/frame-capture.js';
import { findExecutable, runCommand } from '../../src/agent/host-files.js';
import { NeighbourTable } from '../../src/agent/neighbour-table.js';
import type { Observation } from '../../src/agent/observation-batcher.js';
import { linkFromLldpcli, SwitchLinkTable } from '../../src/agent/switch-link-table.js';
import { NeighboursDocument, SwitchLinksDocument } from '../../src/protocols/agent-report.js';
import { parseLldpcliJson0 } from '../../src/protocols/proc-lldpcli.js';
import { waitFor } from './agent-receiver.js';

const tools = { ip: findExecutable('ip'), tcpdump: findExecutable('tcpdump'), lldpd: findExecutable('lldpd'), lldpcli: findExecutable('lldpcli') };
const missing = [process.getuid?.() !== 0 ? 'not root' : '', ...Object.entries(tools).filter(([, p]) => !p).map(([n]) => `no ${n}`)].filter(Boolean);
if (missing.length) console.warn(`agent-capture.test.ts skipped: ${missing.join(', ')}`);

const A = `ept-a-${process.pid}`;
const B = `ept-b-${process.pid}`;
const ifA = `epa${process.pid}`.slice(0, 15);
const ifB = `epb${process.pid}`.slice(0, 15);
const sockA = `/tmp/${A}.sock`;
const sockB = `/tmp/${B}.sock`;
const ip = (...args: string[]) => execFileSync(tools.ip as string, args, { encoding: 'utf8' });

describe.skipIf(missing.length > 0)('LLDP/CDP/ARP/ND capture between two namespaces', () => {
  const daemons: ChildProcess[] = [];
  const links = new SwitchLinkTable();
  const neighbours = new NeighbourTable();
  const sightings: Observation[] = [];
  let capture: FrameCapture | undefined;
  let macA = '';
  let hasVlan = false;
  const vlanIf = `${ifA}.100`.slice(0, 15);

  beforeAll(async () => {
    ip('netns', 'add', A);
    ip('netns', 'add', B);
    ip('link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB);
    ip('link', 'set', ifA, 'netns', A);
    ip('link', 'set', ifB, 'netns', B);
    try {
      // lldpd announces the VLANs of the port's VLAN sub-interfaces (kernels without 8021q cannot).
      ip('-n', A, 'link', 'add', 'link', ifA, 'name', vlanIf, 'type', 'vlan', 'id', '100');
      ip('-n', A, 'link', 'set', vlanIf, 'up');
      hasVlan = true;
    } catch {
      console.warn('agent-capture.test.ts: no VLAN support in this kernel; VLAN fields not checked');
    }
    for (const [ns, itf] of [[A, ifA], [B, ifB]] as const) ip('-n', ns, 'link', 'set', itf, 'up');
    ip('-n', A, 'addr', 'add', '10.213.0.1/24', 'dev', ifA);
    ip('-n', B, 'addr', 'add', '10.213.0.2/24', 'dev', ifB);
    ip('-n', A, 'addr', 'add', 'fd99::1/64', 'dev', ifA, 'nodad');
    ip('-n', B, 'addr', 'add', 'fd99::2/64', 'dev', ifB, 'nodad');
    macA = ip('-n', A, '-j', 'link', 'show', ifA).match(/"address":"([0-9a-f:]{17})"/)?.[1] ?? '';

    capture = new FrameCapture({
      commandPrefix: [tools.ip as string, 'netns', 'exec', B],
      tcpdumpPath: tools.tcpdump,
      logger: pino({ level: 'silent' }),
      restartDelayMs: 200,
      onFrame: (iface, f) => handleCapturedFrame(iface, f, { links, neighbours, observe: (o) => sightings.push(o), linksChanged: () => {}, now: Date.now }),
    });
    capture.setInterfaces([ifB]);
    await new Promise((r) => setTimeout(r, 1000)); // tcpdump attaching its filter

    // Sender: LLDP + CDPv1 (-cc) from A; receiver lldpd in B for the lldpcli cross-check.
    const lldpd = (ns: string, sock: string, itf: string, extra: string[]) => {
      const p = spawn(tools.ip as string, ['netns', 'exec', ns, tools.lldpd as string, '-d', ...extra, '-u', sock, '-I', itf, '-L', '', '-S', 'ept test switch'], { stdio: 'ignore' });
      daemons.push(p);
    };
    lldpd(A, sockA, ifA, ['-l', '-cc']); // -l: keep sending LLDP although the forced CDP counts as a peer
    lldpd(B, sockB, ifB, ['-c']);
    // Announce every second so the test does not wait for the 30 s default interval.
    for (let i = 0; i < 50; i++) {
      const r = await runCommand([tools.ip as string, 'netns', 'exec', A, tools.lldpcli as string, '-u', sockA, 'configure', 'lldp', 'tx-interval', '1']);
      if (r.ok) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    // ARP and ND from A to B: a UDP datagram makes A's kernel resolve B.
    for (const [fam, dst] of [['udp4', '10.213.0.2'], ['udp6', 'fd99::2']] as const) {
      execFileSync(tools.ip as string, ['netns', 'exec', A, process.execPath, '-e', `const s=require('dgram').createSocket('${fam}');s.send('x',9,'${dst}',()=>setTimeout(()=>s.close(),300))`]);
    }
  }, 30_000);

  afterAll(async () => {
    await capture?.stop();
    for (const d of daemons) d.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const ns of [A, B]) {
      // Anything still running in our own namespaces (lldpd's privilege-separated child) is ours.
      try {
        for (const pid of ip('netns', 'pids', ns).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* namespace already gone */
      }
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    }
  });

  it('reports the LLDP neighbour with chassis, port, system, management address, TTL and VLAN', async () => {
    await waitFor(() => links.document(Date.now()).links.some((l) => l.protocol === 'lldp' && (!hasVlan || l.vlans.length > 0)), 15_000, 'an LLDP link');
    const doc = links.document(Date.now());
    expect(Value.Check(SwitchLinksDocument, doc)).toBe(true);
    const l = doc.links.find((x) => x.protocol === 'lldp');
    expect(l).toMatchObject({ iface: ifB, source: 'capture', chassisId: macA, systemDescription: 'ept test switch', portDescription: ifA });
    expect([120, 4]).toContain(l?.ttl); // 120 at start, 4 (tx-interval 1 × hold 4) once reconfigured
    expect(l?.mgmtAddresses).toContain('10.213.0.1');
    if (hasVlan) expect(l?.vlans).toContainEqual({ id: 100, name: vlanIf });
    expect(l?.capabilities.length).toBeGreaterThan(0);
  });

  it('reports the CDP neighbour (lldpd -cc)', async () => {
    await waitFor(() => links.document(Date.now()).links.some((l) => l.protocol === 'cdp'), 15_000, 'a CDP link');
    const c = links.document(Date.now()).links.find((x) => x.protocol === 'cdp');
    expect(c).toMatchObject({ iface: ifB, source: 'capture', portId: ifA });
    expect(c?.mgmtAddresses).toContain('10.213.0.1');
    expect(c?.chassisId.length).toBeGreaterThan(0);
  });

  it("agrees with lldpd's own view (lldpcli json0 in the receiving namespace)", async () => {
    let fromLldpd: ReturnType<typeof linkFromLldpcli>[] = [];
    await waitFor(
      () => {
        const out = execFileSync(tools.ip as string, ['netns', 'exec', B, tools.lldpcli as string, '-u', sockB, '-f', 'json0', 'show', 'neighbors', 'details'], { encoding: 'utf8' });
        fromLldpd = parseLldpcliJson0(out).map((n) => linkFromLldpcli(n, Date.now()));
        return fromLldpd.some((l) => l.protocol === 'lldp');
      },
      15_000,
      'lldpd in B to see A',
    );
    const viaLldpd = fromLldpd.find((l) => l.protocol === 'lldp');
    const viaCapture = links.document(Date.now()).links.find((l) => l.protocol === 'lldp');
    expect(viaLldpd).toMatchObject({ source: 'lldpd', iface: ifB, chassisId: viaCapture?.chassisId, portId: viaCapture?.portId, systemName: viaCapture?.systemName });
    if (hasVlan) expect(viaLldpd?.vlans).toContainEqual({ id: 100, name: vlanIf });
  });

  it('turns captured ARP and ND into neighbour sightings', async () => {
    await waitFor(() => sightings.some((s) => s.kind === 'arp') && sightings.some((s) => s.kind === 'nd' && s.ip === 'fd99::1'), 10_000, 'ARP and ND sightings');
    expect(sightings).toContainEqual(expect.objectContaining({ iface: ifB, kind: 'arp', ip: '10.213.0.1', mac: macA }));
    expect(sightings).toContainEqual(expect.objectContaining({ iface: ifB, kind: 'nd', ip: 'fd99::1', mac: macA }));
    const doc = neighbours.document([], Date.now());
    expect(Value.Check(NeighboursDocument, doc)).toBe(true);
    expect(doc.neighbours).toContainEqual(expect.objectContaining({ ip: '10.213.0.1', mac: macA, source: 'capture' }));
  });
});
