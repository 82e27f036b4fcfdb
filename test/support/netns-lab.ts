// A small lab of network namespaces for the agent end-to-end test: a 'switch' namespace (a Linux
// bridge with one veth port per host, lldpd speaking LLDP and CDP on the ports) and host namespaces,
// each cabled to one switch port. Every name carries the test's pid; `destroy()` removes all of it
// (processes, namespaces, and with them the bridge and the veths) and is safe after a partial setup.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, readTextOr, runCommand } from '../../src/agent/host-files.js';
import type { HostMainConfig } from './netns-host-main.js';

export const LAB_TOOLS = ['ip', 'tcpdump', 'lldpd', 'lldpcli', 'unshare', 'hostname'] as const;
const tool = Object.fromEntries(LAB_TOOLS.map((t) => [t, findExecutable(t)])) as Record<(typeof LAB_TOOLS)[number], string | undefined>;

/** Why the lab cannot run here ('' when it can). */
export function labMissing(): string {
  const why = [process.getuid?.() !== 0 ? 'not root' : '', ...LAB_TOOLS.filter((t) => !tool[t]).map((t) => `no ${t}`)].filter(Boolean);
  return why.join(', ');
}

const SUPPORT = new URL('.', import.meta.url).pathname;

export interface LabHost {
  ns: string;
  /** The host's NIC (inside its namespace) and the switch port it is cabled to. */
  iface: string;
  switchPort: string;
  ip: string;
  mac: string;
}

export interface HostProcess {
  child: ChildProcess;
  /** Pids (in the host's own PID namespace) of its workloads, by name. */
  pids: Record<string, number>;
  stderr(): string;
}

export class NetnsLab {
  readonly switchNs: string;
  readonly switchName: string;
  readonly hosts: LabHost[] = [];
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private dir = '';
  readonly lldpSocket: string;

  constructor(
    private readonly tag: string,
    hostCount: number,
    private readonly subnet = '10.254.1',
  ) {
    this.switchNs = `eptsw-${tag}`;
    this.switchName = `ept-sw-${tag}`;
    // lldpcli is setuid _lldpd: its socket and the configuration lldpd hands it must be reachable by that user.
    this.lldpSocket = join(tmpdir(), `${this.switchNs}.lldpd.sock`);
    for (let i = 1; i <= hostCount; i++) this.hosts.push({ ns: `epth${i}-${tag}`, iface: 'eth0', switchPort: `swp${i}`, ip: `${subnet}.${i}`, mac: '' });
  }

  /** Namespaces, bridge, veths, addresses. */
  build(): void {
    this.dir = mkdtempSync(join(tmpdir(), 'ept-netns-'));
    chmodSync(this.dir, 0o755);
    this.addNs(this.switchNs);
    this.ip('-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    this.ip('-n', this.switchNs, 'link', 'set', 'br0', 'up');
    for (const h of this.hosts) {
      this.addNs(h.ns);
      // Both ends are created directly inside their namespaces: no name is ever taken in the root one.
      this.ip('link', 'add', h.switchPort, 'netns', this.switchNs, 'type', 'veth', 'peer', 'name', h.iface, 'netns', h.ns);
      this.ip('-n', this.switchNs, 'link', 'set', h.switchPort, 'master', 'br0', 'up');
      this.ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      this.ip('-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', h.iface);
      this.ip('-n', h.ns, 'link', 'set', h.iface, 'up');
      h.mac = (JSON.parse(this.ip('-n', h.ns, '-j', 'link', 'show', h.iface)) as { address: string }[])[0]?.address ?? '';
      if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(h.mac)) throw new Error(`${h.ns}: no MAC address read for ${h.iface}`);
    }
  }

  /**
   * lldpd in the switch namespace on every port, LLDP and CDPv1 both forced (-l -cc: by default
   * lldpd sends LLDP only when it has an LLDP peer or no peer at all, and a forced CDP counts as a
   * peer), configured before its first frame (-O: lldpd stays paused until the file is applied):
   * system name, port id = interface name, one announcement per second.
   */
  async startSwitch(): Promise<void> {
    const conf = join(this.dir, 'lldpd.conf');
    writeFileSync(conf, [`configure system hostname ${this.switchName}`, 'configure lldp portidsubtype ifname', 'configure lldp tx-interval 1', ''].join('\n'));
    const ports = this.hosts.map((h) => h.switchPort).join(',');
    this.spawn(['netns', 'exec', this.switchNs, tool.lldpd as string, '-d', '-l', '-cc', '-u', this.lldpSocket, '-I', ports, '-O', conf, '-S', 'ept e2e switch'], 'ignore');
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await runCommand([tool.ip as string, 'netns', 'exec', this.switchNs, tool.lldpcli as string, '-u', this.lldpSocket, '-f', 'json0', 'show', 'chassis'], 2000);
      if (r.ok && r.stdout.includes(this.switchName)) return;
      if (Date.now() > end) throw new Error(`lldpd in ${this.switchNs} did not come up with its configuration: ${r.ok ? r.stdout.slice(0, 300) : r.error}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /** Starts one host: its own UTS, PID and mount namespaces inside its network namespace. */
  async startHost(h: LabHost, c: Omit<HostMainConfig, 'iface'>, timeoutMs = 20_000): Promise<HostProcess> {
    const main: HostMainConfig = { ...c, iface: h.iface };
    const argv = ['netns', 'exec', h.ns, tool.unshare as string, '--uts', '--pid', '--mount-proc', '--kill-child=SIGTERM', '--', process.execPath, '--import', join(SUPPORT, 'netns-ts-loader.mjs'), join(SUPPORT, 'netns-host-main.ts')];
    const child = this.spawn(argv, 'pipe', { EPT_NETNS_HOST: JSON.stringify(main) });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString('utf8')).slice(-8192);
    });
    const pids = await new Promise<Record<string, number>>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`host ${h.ns} not ready in ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (!line) return;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { pids: Record<string, number> }).pids);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`host ${h.ns} exited (${code}) before ready; stderr: ${err}`));
      });
    });
    return { child, pids, stderr: () => err };
  }

  /** Stops every process and removes the namespaces (with the bridge and the veths in them). */
  async destroy(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const hard = setTimeout(() => p.kill('SIGKILL'), 3000);
            p.once('exit', () => {
              clearTimeout(hard);
              resolve();
            });
            // `unshare --fork` ignores SIGTERM while it waits: the host's PID 1 (its child) gets it.
            for (const kid of (readTextOr(`/proc/${p.pid}/task/${p.pid}/children`) ?? '').split(' ').filter(Boolean)) {
              try {
                process.kill(Number(kid), 'SIGTERM');
              } catch {
                /* already gone */
              }
            }
            p.kill('SIGTERM');
          }),
      ),
    );
    for (const ns of this.namespaces.splice(0).reverse()) {
      // Whatever still runs in our own namespaces (lldpd's privilege-separated child, a stray tcpdump) is ours.
      const pids = () => {
        try {
          return this.ip('netns', 'pids', ns).split('\n').filter(Boolean).map(Number);
        } catch {
          return []; // namespace already gone
        }
      };
      for (const pid of pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* exited meanwhile */
        }
      }
      for (let i = 0; i < 40 && pids().length > 0; i++) await new Promise((r) => setTimeout(r, 50)); // until reaped
      try {
        this.ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.lldpSocket, { force: true });
    rmSync(`${this.lldpSocket}.lock`, { force: true }); // left when lldpd had to be killed
  }

  /** Whether a network namespace of this name exists (the cleanup check). */
  static namespaceExists(ns: string): boolean {
    return execFileSync(tool.ip as string, ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .some((l) => l.split(' ')[0] === ns);
  }

  private addNs(ns: string): void {
    this.ip('netns', 'add', ns);
    this.namespaces.push(ns);
  }

  private ip(...args: string[]): string {
    return execFileSync(tool.ip as string, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  private spawn(ipArgs: string[], stdio: 'ignore' | 'pipe', env: Record<string, string> = {}): ChildProcess {
    const p = spawn(tool.ip as string, ipArgs, { stdio: ['ignore', stdio, stdio], env: { ...process.env, ...env } });
    p.on('error', () => {});
    this.processes.push(p);
    return p;
  }
}
