// The agent's services and dependencies against `ss` on this machine, and in a second network
// namespace. Other processes open and close sockets meanwhile, so the oracle is what two ss runs
// (before and after the scan) agree on.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/agent/host-files.js';
import { SocketScanner } from '../../src/agent/socket-scan.js';

const ss = findExecutable('ss');
const ownNetns = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1]);

/** `ss -Htlnp` / `ss -Hulnp` rows as "proto ip port" → pids. */
function ssServices(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [proto, flag] of [
    ['tcp', '-Htlnp'],
    ['udp', '-Hulnp'],
  ] as const) {
    for (const line of execFileSync(ss as string, [flag], { encoding: 'utf8' }).split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const local = f[3] as string;
      const i = local.lastIndexOf(':');
      let ip = local.slice(0, i).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
      if (ip === '*' || ip === '0.0.0.0' || ip === '::') ip = '*'; // ss prints * for a dual-stack [::]
      const pids = [...(f.slice(5).join(' ').matchAll(/pid=(\d+)/g))].map((m) => Number(m[1]));
      out.set(`${proto} ${ip} ${local.slice(i + 1)}`, pids);
    }
  }
  return out;
}

const key = (s: { proto: string; ip: string; port: number }) => `${s.proto} ${s.ip === '0.0.0.0' || s.ip === '::' ? '*' : s.ip} ${s.port}`;

describe.skipIf(!ss)('services and dependencies vs ss', () => {
  let tcp: Server;
  let udp: UdpSocket;
  let client: Socket;
  beforeAll(async () => {
    tcp = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    udp = createSocket('udp6');
    await new Promise<void>((r) => udp.bind(0, '::1', r));
    const port = (tcp.address() as { port: number }).port;
    client = createConnection(port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
  });
  afterAll(async () => {
    client.destroy();
    udp.close();
    await new Promise((r) => tcp.close(r));
  });

  it('lists what ss lists, with the same owning process', () => {
    const before = ssServices();
    const scan = new SocketScanner().scan();
    const after = ssServices();
    const mine = scan.services.services.filter((s) => s.netns === ownNetns);
    const agent = new Map(mine.map((s) => [key(s), s]));
    let compared = 0;
    for (const [k, pids] of before) {
      if (!after.has(k)) continue; // came and went during the scan
      const s = agent.get(k);
      expect(s, `agent misses ${k}`).toBeDefined();
      if (pids.length > 0) expect(pids, `owner of ${k}`).toContain(s?.pid);
      compared++;
    }
    for (const k of agent.keys()) expect(before.has(k) || after.has(k), `agent reports ${k} that ss does not`).toBe(true);
    expect(compared).toBeGreaterThanOrEqual(2);
    const tcpPort = (tcp.address() as { port: number }).port;
    expect(agent.get(`tcp 127.0.0.1 ${tcpPort}`)).toMatchObject({ pid: process.pid, exe: process.execPath });
    expect(agent.get(`udp ::1 ${udp.address().port}`)?.pid).toBe(process.pid);
    // The client side of our connection is a dependency; the accepted side (listener's port) is not.
    const deps = scan.dependencies.connections.filter((c) => c.pid === process.pid && c.remotePort === tcpPort);
    expect(deps).toEqual([expect.objectContaining({ proto: 'tcp', localIp: '127.0.0.1', localPort: client.localPort, remoteIp: '127.0.0.1' })]);
    expect(scan.dependencies.connections.some((c) => c.localPort === tcpPort && c.netns === ownNetns)).toBe(false);
  });
});

const isRoot = process.getuid?.() === 0;
const ip = findExecutable('ip');
describe.skipIf(!isRoot || !ip)('services in another network namespace (root)', () => {
  const ns = `ept-s-${process.pid}`;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    execFileSync(ip as string, ['netns', 'add', ns]);
    execFileSync(ip as string, ['-n', ns, 'link', 'set', 'lo', 'up']);
    child = spawn(ip as string, ['netns', 'exec', ns, process.execPath, '-e', "require('net').createServer().listen(4555,'127.0.0.1',()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child?.stdout?.once('data', () => r()));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    try {
      execFileSync(ip as string, ['netns', 'del', ns]);
    } catch {
      /* already gone */
    }
  });

  it('reports the listener with its namespace and process', () => {
    const scan = new SocketScanner().scan();
    expect(scan.namespaces).toBeGreaterThanOrEqual(2);
    const s = scan.services.services.find((x) => x.port === 4555 && x.pid === child?.pid);
    expect(s).toMatchObject({ proto: 'tcp', ip: '127.0.0.1', exe: process.execPath, user: 'root' });
    expect(s?.netns).not.toBe(ownNetns);
  });
});
