// The host agent end to end, in network namespaces: a 'switch' namespace (Linux bridge, lldpd
// speaking LLDP and CDP on three ports) and three host namespaces cabled to it, each running the
// real agent as its own process with its own hostname, PID namespace and /proc. Host 1 serves TCP
// 8443, host 2 keeps a connection to it, host 3 sends datagrams to both. The real server (startServer,
// SQLite in a temp dir) must then show, through its HTTP API: three hosts, the switch (lldpd's system
// name) with three ports and each host on its own port, host 1's service with its process, the
// dependency edge host 2 -> host 1:8443, and each host's ARP neighbours. Needs root, iproute2,
// tcpdump, lldpd and unshare; skipped with the reason otherwise. Traffic stays inside the lab's
// namespaces and on 127.0.0.1 (the agents reach the server through a unix-socket relay).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main/server.js';
import { labMissing, NetnsLab, type HostProcess } from '../support/netns-lab.js';

const missing = labMissing();
if (missing) console.warn(`netns-e2e.test.ts skipped: ${missing}`);

const TAG = String(process.pid);
const PASSWORD = 'netns-e2e-pass';
const SERVICE_PORT = 8443;
const NODE_EXE = realpathSync(process.execPath);

interface Neighbour {
  ip: string;
  mac: string;
  iface: string;
  source: string;
}
interface SwitchLink {
  iface: string;
  protocol: string;
  portId: string;
  systemName?: string;
}
interface HostDetail {
  hostId: string;
  modules: Record<string, { body: Record<string, unknown> } | undefined>;
}
interface Topology {
  switches: { name: string; ports: string[] }[];
  links: { hostId: string; nic: string; switchName: string; portId: string; protocol: string }[];
  hosts: { hostId: string; hostname: string; nics: { name: string; mac: string; ips: { addr: string }[] }[] }[];
}
interface Service {
  hostId: string;
  proto: string;
  ip: string;
  port: number;
  pid?: number;
  exe?: string;
  clients: { hostId: string | null; ip: string; pid?: number }[];
}
interface Dependency {
  client: { hostId: string; ip: string; port: number; pid?: number; exe?: string };
  server: { hostId: string | null; ip: string; port: number; proto: string; exe?: string };
}

describe.skipIf(missing !== '')('agents in network namespaces behind an lldpd switch', { timeout: 70_000 }, () => {
  const lab = new NetnsLab(TAG, 3);
  const [h1, h2] = lab.hosts as [(typeof lab.hosts)[0], (typeof lab.hosts)[0]];
  const hostId = (i: number) => `e2e-h${i}-${TAG}`;
  let dataDir = '';
  let relayPath = '';
  const procs: HostProcess[] = [];
  let server: RunningServer | undefined;
  let relay: Server | undefined;
  let token = '';
  let startedAt = 0;

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server?.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  beforeAll(async () => {
    startedAt = Date.now();
    dataDir = mkdtempSync(join(tmpdir(), 'ept-netns-e2e-'));
    relayPath = join(dataDir, 'server.sock');
    server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent', demo: false, adminPassword: PASSWORD, tokenTtl: 3600, partitions: 2, batchSize: 2000, queueCapacity: 20_000 });
    token = (await api<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: PASSWORD })).token;
    // A path socket is the same file in every network namespace: the agents' only way to the server.
    const port = Number(new URL(server.url).port);
    relay = createServer((c) => {
      const up = connect(port, '127.0.0.1');
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => relay?.listen(relayPath, r));

    lab.build();
    // The switch is configured and announcing before any agent captures, so no host ever sees it unnamed.
    await lab.startSwitch();

    const workloads: Record<number, { name: string; script: string }[]> = {
      1: [{ name: 'server', script: `require('net').createServer((s)=>{s.on('error',()=>{});s.pipe(s)}).listen(${SERVICE_PORT},'0.0.0.0')` }],
      // Keeps one connection open (retrying until host 1 listens), with a little traffic on it.
      2: [
        {
          name: 'client',
          script: `const net=require('net');(function go(){const s=net.connect(${SERVICE_PORT},'${h1.ip}');let t;s.on('connect',()=>{t=setInterval(()=>s.write('ping'),1000)});s.on('data',()=>{});s.on('error',()=>{});s.on('close',()=>{clearInterval(t);setTimeout(go,200)})})()`,
        },
      ],
      // Talks to both others (ARP both ways), nothing connected.
      3: [{ name: 'pinger', script: `const d=require('dgram').createSocket('udp4');const go=()=>{d.send('x',9,'${h1.ip}');d.send('x',9,'${h2.ip}')};go();setInterval(go,2000)` }],
    };
    const tokens = await Promise.all(lab.hosts.map((_, i) => api<{ token: string }>('POST', '/api/v1/agents', { name: `e2e-h${i + 1}` })));
    const started = await Promise.all(
      lab.hosts.map((h, i) =>
        lab.startHost(h, { hostname: `e2e-h${i + 1}`, hostId: hostId(i + 1), token: tokens[i]?.token ?? '', serverSocket: relayPath, pollMs: 1000, workloads: workloads[i + 1] ?? [] }),
      ),
    );
    procs.push(...started);
  }, 45_000);

  afterAll(async () => {
    await lab.destroy();
    await new Promise((r) => (relay ? relay.close(r) : r(undefined)));
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true }); // with the relay's socket
    // Nothing of the lab may outlive the test.
    for (const ns of [lab.switchNs, ...lab.hosts.map((h) => h.ns)]) expect(NetnsLab.namespaceExists(ns), `namespace ${ns} left behind`).toBe(false);
  }, 20_000);

  /** Polls the API until `ready` holds (at most 60 s since setup began, counting it); the last state explains a timeout. */
  async function until<T>(what: string, read: () => Promise<T>, ready: (v: T) => boolean): Promise<T> {
    const end = Math.max(startedAt + 60_000, Date.now() + 5_000);
    let v = await read();
    while (!ready(v)) {
      if (Date.now() > end) {
        const logs = procs.map((p, i) => `h${i + 1}: ${p.stderr().slice(-1500)}`).join('\n');
        throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 3000)}\nagent stderr:\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 250));
      v = await read();
    }
    return v;
  }

  const hostDetail = (i: number) => api<HostDetail>('GET', `/api/v1/hosts/${hostId(i)}`);

  it('lists the three hosts, each with its own hostname and only its own interfaces', async () => {
    const hosts = await until(
      'three hosts',
      () => api<{ items: { hostId: string; hostname: string }[] }>('GET', '/api/v1/hosts'),
      (v) => [1, 2, 3].every((i) => v.items.some((h) => h.hostId === hostId(i) && h.hostname === `e2e-h${i}`)),
    );
    expect(hosts.items.map((h) => h.hostId).sort()).toEqual([hostId(1), hostId(2), hostId(3)]);
    for (const [i, h] of lab.hosts.entries()) {
      const d = await hostDetail(i + 1);
      const ifs = (d.modules.interfaces?.body as { interfaces: { name: string; mac: string; addresses: { addr: string }[] }[] }).interfaces;
      // The namespace's own view: lo and its one NIC, with its address and MAC, nothing of the machine's.
      expect(ifs.map((x) => x.name).sort()).toEqual(['eth0', 'lo']);
      expect(ifs.find((x) => x.name === 'eth0')).toMatchObject({ mac: h.mac, addresses: expect.arrayContaining([expect.objectContaining({ addr: h.ip })]) });
    }
  });

  it("shows the switch by lldpd's system name with three ports, each host on its own port, over LLDP and CDP", async () => {
    const topo = await until(
      'the switch with three ports and three links',
      () => api<Topology>('GET', '/api/v1/topology'),
      (t) => t.links.filter((l) => l.switchName === lab.switchName).length === 3,
    );
    expect(topo.switches).toEqual([{ name: lab.switchName, ports: ['swp1', 'swp2', 'swp3'] }]);
    for (const [i, h] of lab.hosts.entries()) {
      expect(topo.links).toContainEqual(expect.objectContaining({ hostId: hostId(i + 1), nic: 'eth0', switchName: lab.switchName, portId: h.switchPort }));
    }
    // Both protocols reached every host, and both name the same switch and port.
    for (const [i, h] of lab.hosts.entries()) {
      const links = await until(
        `LLDP and CDP links of host ${i + 1}`,
        async () => ((await hostDetail(i + 1)).modules.switchLinks?.body.links as SwitchLink[] | undefined) ?? [],
        (v) => new Set(v.map((l) => l.protocol)).size === 2,
      );
      for (const protocol of ['lldp', 'cdp']) {
        expect(links, `${protocol} on host ${i + 1}`).toContainEqual(expect.objectContaining({ iface: 'eth0', protocol, portId: h.switchPort, systemName: lab.switchName }));
      }
    }
  });

  it("shows host 1's TCP service with its process, and host 2 as its client", async () => {
    const svc = await until(
      'the service on host 1 with its client',
      () => api<{ items: Service[] }>('GET', `/api/v1/services?port=${SERVICE_PORT}`),
      (v) => v.items.some((s) => s.hostId === hostId(1) && s.clients.some((c) => c.hostId === hostId(2))),
    );
    // Only host 1 listens on the port: the other hosts' agents do not see host 1's sockets.
    expect(svc.items).toHaveLength(1);
    expect(svc.items[0]).toMatchObject({ hostId: hostId(1), proto: 'tcp', ip: '0.0.0.0', port: SERVICE_PORT, pid: procs[0]?.pids.server, exe: NODE_EXE });
    expect(svc.items[0]?.clients).toEqual([expect.objectContaining({ hostId: hostId(2), ip: h2.ip, pid: procs[1]?.pids.client })]);
  });

  it('shows the dependency edge host 2 -> host 1:8443', async () => {
    const deps = await until(
      'the dependency host 2 -> host 1',
      () => api<{ items: Dependency[] }>('GET', `/api/v1/dependencies?server=${hostId(1)}&port=${SERVICE_PORT}`),
      (v) => v.items.length > 0,
    );
    expect(deps.items).toHaveLength(1);
    expect(deps.items[0]).toMatchObject({
      client: { hostId: hostId(2), ip: h2.ip, pid: procs[1]?.pids.client, exe: NODE_EXE },
      server: { hostId: hostId(1), ip: h1.ip, port: SERVICE_PORT, proto: 'tcp', exe: NODE_EXE },
    });
    // The accepted side on host 1 is not an outbound dependency of host 1.
    const fromH1 = await api<{ items: Dependency[] }>('GET', `/api/v1/dependencies?client=${hostId(1)}`);
    expect(fromH1.items.filter((d) => d.server.port === SERVICE_PORT || d.client.port === SERVICE_PORT)).toEqual([]);
  });

  it("has each host's ARP neighbours: the other hosts' IP and MAC", async () => {
    for (const [i, h] of lab.hosts.entries()) {
      const others = lab.hosts.filter((o) => o !== h);
      const d = await until(
        `host ${i + 1}'s neighbours`,
        () => hostDetail(i + 1),
        (v) => others.every((o) => ((v.modules.neighbours?.body.neighbours as Neighbour[] | undefined) ?? []).some((n) => n.ip === o.ip && n.mac === o.mac)),
      );
      const ns = d.modules.neighbours?.body.neighbours as Neighbour[];
      for (const o of others) expect(ns).toContainEqual(expect.objectContaining({ ip: o.ip, mac: o.mac, iface: 'eth0' }));
      // Nothing from outside the lab's subnet reached the host's ARP table.
      expect(ns.filter((n) => !n.ip.includes(':')).every((n) => n.ip.startsWith('10.254.1.'))).toBe(true);
    }
  });
});
