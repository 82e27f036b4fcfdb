import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCmdline, parseBootTime, parseCpuinfo, parseMeminfoTotal, parseOsRelease, parsePasswd, parseStatusUid } from './proc-host-facts.js';
import { parseIpAddrJson } from './proc-ip-addr.js';
import { parseLldpcliJson0 } from './proc-lldpcli.js';
import { parseIpNeighJson, parseProcNetArp } from './proc-net-arp.js';
import { parseProcNetIpv6Route, parseProcNetRoute } from './proc-net-route.js';
import { parseSysNetInterface } from './proc-sys-net.js';

describe('neighbour tables', () => {
  it('/proc/net/arp keeps complete and permanent entries, drops incomplete', () => {
    const text =
      'IP address       HW type     Flags       HW address            Mask     Device\n' +
      '192.0.2.1        0x1         0x2         02:FC:00:00:00:05     *        eth0\n' +
      '192.0.2.9        0x1         0x0         00:00:00:00:00:00     *        eth0\n' +
      '192.0.2.7        0x1         0x6         02:fc:00:00:00:07     *        eth1\n';
    expect(parseProcNetArp(text)).toEqual([
      { ip: '192.0.2.1', mac: '02:fc:00:00:00:05', iface: 'eth0', state: 'COMPLETE' },
      { ip: '192.0.2.7', mac: '02:fc:00:00:00:07', iface: 'eth1', state: 'PERMANENT' },
    ]);
  });

  it('ip -j neigh keeps entries with a lladdr, IPv6 included', () => {
    const text = JSON.stringify([
      { dst: '192.0.2.1', dev: 'eth0', lladdr: '02:fc:00:00:00:05', state: ['STALE'] },
      { dst: 'fd00::1', dev: 'eth0', state: ['FAILED'] },
      { dst: 'fe80::1', dev: 'eth0', lladdr: '02:FC:00:00:00:06', router: null, state: ['REACHABLE'] },
    ]);
    expect(parseIpNeighJson(text)).toEqual([
      { ip: '192.0.2.1', mac: '02:fc:00:00:00:05', iface: 'eth0', state: 'STALE' },
      { ip: 'fe80::1', mac: '02:fc:00:00:00:06', iface: 'eth0', state: 'REACHABLE' },
    ]);
    expect(() => parseIpNeighJson('not json')).toThrow(SyntaxError);
  });
});

describe('routes', () => {
  it('/proc/net/route: default gateway in host byte order', () => {
    const text =
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      'eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n' +
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
    expect(parseProcNetRoute(text)).toEqual([{ gateway: '192.0.2.1', iface: 'eth0', family: 'ipv4', metric: 100 }]);
  });

  it('/proc/net/ipv6_route: default route with a next hop, network byte order', () => {
    const text =
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n' +
      'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n' +
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n';
    expect(parseProcNetIpv6Route(text)).toEqual([{ gateway: 'fe80::1', iface: 'eth0', family: 'ipv6', metric: 1024 }]);
  });
});

describe('interfaces', () => {
  it('ip -j addr: addresses by interface', () => {
    const text = JSON.stringify([{ ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.0.2.2', prefixlen: 24 }, { family: 'inet6', local: 'fd00::2', prefixlen: 64 }] }, { ifname: 'ifb0', addr_info: [] }]);
    const m = parseIpAddrJson(text);
    expect(m.get('eth0')).toEqual([
      { addr: '192.0.2.2', prefixLen: 24, family: 'ipv4' },
      { addr: 'fd00::2', prefixLen: 64, family: 'ipv6' },
    ]);
    expect(m.get('ifb0')).toEqual([]);
  });

  it('sysfs: kinds, unknown speed, down links without duplex', () => {
    const base = { hasDevice: false, hasBonding: false, hasBridge: false };
    expect(parseSysNetInterface('eth0', { ...base, hasDevice: true, address: '02:FC:00:00:00:01\n', carrier: '1\n', mtu: '1500\n', operstate: 'up\n', speed: '10000\n', duplex: 'full\n', type: '1\n', master: 'bond0' })).toEqual({
      name: 'eth0',
      mac: '02:fc:00:00:00:01',
      mtu: 1500,
      operState: 'up',
      carrier: true,
      speedMbps: 10000,
      duplex: 'full',
      kind: 'physical',
      master: 'bond0',
    });
    expect(parseSysNetInterface('lo', { ...base, type: '772', speed: '-1' })).toMatchObject({ kind: 'loopback', carrier: false });
    expect(parseSysNetInterface('lo', { ...base, type: '772', speed: '-1' }).speedMbps).toBeUndefined();
    expect(parseSysNetInterface('bond0', { ...base, hasBonding: true }).kind).toBe('bond');
    expect(parseSysNetInterface('eth0.100', { ...base, uevent: 'DEVTYPE=vlan\nINTERFACE=eth0.100\n' }).kind).toBe('vlan');
    expect(parseSysNetInterface('veth1', base).kind).toBe('virtual');
  });
});

describe('host facts', () => {
  it('os-release, cpuinfo, meminfo, stat, status, passwd, cmdline', () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n')).toEqual({ name: 'Debian GNU/Linux', version: '12 (bookworm)' });
    expect(parseCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n')).toEqual({ model: 'AMD EPYC', cores: 2 });
    expect(parseMeminfoTotal('MemTotal:       24684084 kB\nMemFree: 1 kB\n')).toBe(24684084 * 1024);
    expect(parseBootTime('cpu  1 2 3\nbtime 1700000000\n')).toBe(1700000000);
    expect(parseStatusUid('Name:\tx\nUid:\t1000\t1000\t1000\t1000\n')).toBe(1000);
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\n#c\nmysql:x:105:111::/nonexistent:/bin/false\n').get(105)).toBe('mysql');
    expect(formatCmdline('nginx\0-g\0daemon off;\0')).toBe('nginx -g daemon off;');
  });
});

describe('lldpcli json0', () => {
  // Recorded from lldpd 1.0.16 (`lldpcli -f json0 show neighbors details`) receiving from another lldpd;
  // the vlan entry was added by hand in lldpd's json0 form (this kernel has no 8021q to make lldpd send one).
  const recorded = readFileSync(new URL('./proc-lldpcli.fixture.json', import.meta.url), 'utf8');

  it('parses a real neighbour', () => {
    expect(parseLldpcliJson0(recorded)).toEqual([
      {
        iface: 'xb0',
        via: 'LLDP',
        chassisId: 'fe:54:e7:d0:e5:f2',
        chassisIdType: 'mac',
        portId: 'fe:54:e7:d0:e5:f2',
        portIdType: 'mac',
        systemName: 'vm',
        systemDescription: 'test switch desc',
        portDescription: 'xa0',
        mgmtAddresses: ['10.99.0.1', 'fe80::fc54:e7ff:fed0:e5f2'],
        capabilities: ['station'],
        vlans: [{ id: 100, name: 'xa0.100', pvid: false }],
        ttl: 120,
        autoneg: { supported: false, enabled: false, current: '10GbaseT - Four-pair Category 6A or better, full duplex mode only' },
      },
    ]);
  });

  it('an empty answer and odd shapes give no neighbours, not a throw', () => {
    expect(parseLldpcliJson0('{"lldp":[{}]}')).toEqual([]);
    expect(parseLldpcliJson0('{"lldp":[{"interface":[{"name":"x"}]}]}')).toEqual([]);
    expect(parseLldpcliJson0('{}')).toEqual([]);
  });
});
