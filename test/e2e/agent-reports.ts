// Agent reports for the browser tests, valid per src/protocols/agent-report.ts (checked here with
// the same schema the server uses, so a drift fails loudly in the test, not silently as a 400).
import { Value } from '@sinclair/typebox/value';
import { AgentReport, type ModuleDocument } from '../../src/protocols/agent-report.js';

export interface NicSpec {
  name: string;
  mac: string;
  ips: string[];
  /** LLDP neighbour heard on this NIC. */
  lldp?: { switchName: string; portId: string; portDescription?: string; chassisId: string };
}

export interface HostSpec {
  hostId: string;
  hostname: string;
  nics: NicSpec[];
  listen?: { proto: 'tcp' | 'udp'; port: number; exe: string; pid: number }[];
  connect?: { remoteIp: string; remotePort: number; exe: string; pid: number; localPort: number }[];
  neighbours?: { ip: string; mac: string; iface: string }[];
  missing?: { module: string; reason: string }[];
}

const NOW = Date.now();
let hashes = 0;
const hash = (): string => `h${(++hashes).toString(16).padStart(12, '0')}`;

export function hostDocuments(s: HostSpec): AgentReport['documents'] {
  const host: ModuleDocument<'host'> = {
    hostname: s.hostname,
    machineId: s.hostId,
    os: { name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-26-amd64' },
    cpu: { model: 'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz', cores: 16 },
    memoryBytes: 64 * 2 ** 30,
    bootTs: NOW - 12 * 86_400_000,
    agentVersion: '0.1.0',
  };
  const interfaces: ModuleDocument<'interfaces'> = {
    interfaces: [
      { name: 'lo', mac: '', mtu: 65536, operState: 'unknown', carrier: true, kind: 'loopback', addresses: [{ addr: '127.0.0.1', prefixLen: 8, family: 'ipv4' }] },
      ...s.nics.map((n) => ({
        name: n.name,
        mac: n.mac,
        mtu: 9000,
        operState: 'up',
        carrier: true,
        speedMbps: 25_000,
        duplex: 'full',
        kind: 'ether',
        addresses: n.ips.map((addr) => ({ addr, prefixLen: addr.includes(':') ? 64 : 24, family: addr.includes(':') ? ('ipv6' as const) : ('ipv4' as const) })),
      })),
    ],
    gateways: s.nics[0]?.ips[0] ? [{ gateway: s.nics[0].ips[0].replace(/\.\d+$/, '.1'), iface: s.nics[0].name, family: 'ipv4' }] : [],
  };
  const switchLinks: ModuleDocument<'switchLinks'> = {
    links: s.nics
      .filter((n) => n.lldp)
      .map((n) => {
        const l = n.lldp as NonNullable<NicSpec['lldp']>;
        return {
          iface: n.name,
          protocol: 'lldp' as const,
          source: 'capture' as const,
          chassisId: l.chassisId,
          portId: l.portId,
          systemName: l.switchName,
          systemDescription: 'Cisco Nexus Operating System (NX-OS) Software 10.3(4a)',
          ...(l.portDescription ? { portDescription: l.portDescription } : {}),
          mgmtAddresses: ['192.0.2.10'],
          capabilities: ['bridge', 'router'],
          vlans: [{ id: 110, name: 'app' }],
          pvid: 110,
          mau: { autoneg: true, mauType: 0, speedMbps: 25_000, duplex: 'full' },
          maxFrameSize: 9216,
          ttl: 120,
          lastSeenTs: NOW,
        };
      }),
  };
  const services: ModuleDocument<'services'> = {
    services: [
      { proto: 'tcp', ip: '0.0.0.0', port: 22, netns: 4026531840, pid: 612, exe: '/usr/sbin/sshd', user: 'root' },
      ...(s.listen ?? []).map((l) => ({ proto: l.proto, ip: '0.0.0.0', port: l.port, netns: 4026531840, pid: l.pid, exe: l.exe, user: 'www-data' })),
    ],
  };
  const local = s.nics[0]?.ips[0] ?? '127.0.0.1';
  const dependencies: ModuleDocument<'dependencies'> = {
    connections: (s.connect ?? []).map((c) => ({ proto: 'tcp' as const, localIp: local, localPort: c.localPort, remoteIp: c.remoteIp, remotePort: c.remotePort, netns: 4026531840, pid: c.pid, exe: c.exe })),
  };
  const neighbours: ModuleDocument<'neighbours'> = {
    neighbours: (s.neighbours ?? []).map((n) => ({ ...n, state: 'REACHABLE', source: 'arp' as const, lastSeenTs: NOW })),
  };
  const capabilities: ModuleDocument<'capabilities'> = { missing: s.missing ?? [] };
  return {
    host: { hash: hash(), body: host },
    interfaces: { hash: hash(), body: interfaces },
    switchLinks: { hash: hash(), body: switchLinks },
    services: { hash: hash(), body: services },
    dependencies: { hash: hash(), body: dependencies },
    neighbours: { hash: hash(), body: neighbours },
    capabilities: { hash: hash(), body: capabilities },
  };
}

/** A report; the first (seq 1) of a host is full. Throws when it does not match the wire schema. */
export function agentReport(hostId: string, seq: number, documents: AgentReport['documents']): AgentReport {
  const r: AgentReport = { hostId, seq, full: seq === 1, ts: Date.now(), documents };
  if (!Value.Check(AgentReport, r)) {
    const e = Value.Errors(AgentReport, r).First();
    throw new Error(`test report of ${hostId} does not match the agent report schema: ${e?.path} ${e?.message}`);
  }
  return r;
}

/** n generated rack hosts, 50 per switch, each listening on 9100 and scraping the next one. */
export function rackHosts(n: number): HostSpec[] {
  const ip = (i: number) => `10.${20 + Math.floor(i / 250)}.${i % 250}.${10 + (i % 7)}`;
  return Array.from({ length: n }, (_, i) => {
    const id = `rack-node-${String(i).padStart(4, '0')}`;
    const sw = `rack-sw-${String(Math.floor(i / 50) + 1).padStart(2, '0')}`;
    return {
      hostId: id,
      hostname: id,
      nics: [{ name: 'ens1f0', mac: `02:aa:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`, ips: [ip(i)], lldp: { switchName: sw, portId: `Ethernet1/${(i % 50) + 1}`, chassisId: `00:de:ad:00:00:${(Math.floor(i / 50) + 1).toString(16).padStart(2, '0')}` } }],
      listen: [{ proto: 'tcp', port: 9100, exe: '/usr/bin/prometheus-node-exporter', pid: 900 }],
      connect: [{ remoteIp: ip((i + 1) % n), remotePort: 9100, exe: '/usr/bin/curl', pid: 4000 + i, localPort: 40_000 + (i % 20_000) }],
    };
  });
}
