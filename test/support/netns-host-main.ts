// One simulated host of the network-namespace end-to-end test (test/integration/netns-e2e.test.ts).
// Started by the test as
//   ip netns exec NS unshare --uts --pid --mount-proc --kill-child=SIGTERM -- \
//     node --import test/support/netns-ts-loader.mjs test/support/netns-host-main.ts
// with the HostMainConfig JSON in EPT_NETNS_HOST (not argv: the agent reports command lines, and the
// token is in there),
// so it is PID 1 of its own PID namespace, with its own hostname, network namespace, /sys and /proc:
// the agent sees exactly what it would see on a separate machine (its interfaces, its neighbours, the
// sockets of its own processes). It runs the host's workloads as children, a local relay to the ept
// server, and the real agent (startAgent), and prints one JSON line `{"ready":true,...}` on stdout.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';

export interface HostMainConfig {
  hostname: string;
  hostId: string;
  token: string;
  /** Unix socket in the root namespace relaying to the ept server (a path socket crosses namespaces). */
  serverSocket: string;
  /** The NIC to capture LLDP/CDP/ARP on. */
  iface: string;
  /** Poll interval of every agent module, ms. */
  pollMs: number;
  /** Node scripts run as separate processes of this host (the services and clients under test). */
  workloads: { name: string; script: string }[];
}

const cfg = JSON.parse(process.env.EPT_NETNS_HOST ?? '{}') as HostMainConfig;
delete process.env.EPT_NETNS_HOST; // the workloads do not inherit the token
const children: ChildProcess[] = [];
let agent: RunningAgent | undefined;

async function main(): Promise<void> {
  execFileSync('hostname', [cfg.hostname]); // own UTS namespace (unshare --uts)
  // The agent's HTTP goes to 127.0.0.1 of this namespace; the relay carries it over the unix socket.
  const relay = createServer((c) => {
    const up = connect(cfg.serverSocket);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.pipe(up).pipe(c);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const pids: Record<string, number> = {};
  for (const w of cfg.workloads) {
    const c = spawn(process.execPath, ['-e', w.script], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(c);
    pids[w.name] = c.pid ?? -1;
  }
  const p = cfg.pollMs;
  agent = await startAgent({
    server: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    token: cfg.token,
    logger: pino({ level: 'warn', base: { host: cfg.hostname } }, pino.destination(2)),
    hostId: cfg.hostId,
    captureIfaces: [cfg.iface],
    // lldpd's socket lives in the /run shared with the machine: only the capture speaks for this host.
    lldpcli: false,
    intervals: { host: p, interfaces: p, neighbours: p, switchLinks: p, sockets: p, capabilities: p },
    minBackoffMs: 200,
  });
  process.stdout.write(`${JSON.stringify({ ready: true, hostId: agent.hostId, pids })}\n`);
}

async function stop(): Promise<void> {
  for (const c of children) c.kill('SIGKILL');
  await agent?.stop();
  process.exit(0); // PID 1 leaving takes every other process of the namespace with it
}

// PID 1 gets no default signal handling: without these handlers SIGTERM would be ignored.
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
main().catch((err: unknown) => {
  process.stderr.write(`netns-host-main ${cfg.hostname}: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
