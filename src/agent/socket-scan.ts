// Services and dependencies from the kernel's socket tables, in every network namespace: one pid per
// namespace (deduplicated by the inode of /proc/<pid>/ns/net) gives the tables, the fd links of every
// process map socket inodes (global across namespaces) to their owner.
import { readdirSync } from 'node:fs';
import { endianness } from 'node:os';
import type { ModuleDocument } from '../protocols/agent-report.js';
import { formatCmdline, parsePasswd, parseStatusUid } from '../protocols/proc-host-facts.js';
import {
  parseProcNetSockets,
  ProcAddressDecoder,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  UDP_CONNECTED,
  UDP_UNCONNECTED,
  type ProcSocket,
  type SocketProto,
} from '../protocols/proc-net-sockets.js';
import { redactCmdline } from './cmdline-redact.js';
import { readLinkOr, readTextOr } from './host-files.js';

export type Service = ModuleDocument<'services'>['services'][number];
export type Connection = ModuleDocument<'dependencies'>['connections'][number];

export interface SocketScanOptions {
  /** Root of procfs (tests point it elsewhere). */
  procRoot?: string;
  passwdPath?: string;
}

/** One pass: both documents plus what it cost and what it could not see. */
export interface SocketScan {
  services: ModuleDocument<'services'>;
  dependencies: ModuleDocument<'dependencies'>;
  namespaces: number;
  sockets: number;
  /** Pids whose fds could not be read (other users' processes without root). */
  unreadablePids: number;
  errors: string[];
}

interface Owner {
  pid?: number;
  exe?: string;
  cmdline?: string;
  user?: string;
}

const TABLES: [string, SocketProto][] = [
  ['tcp', 'tcp'],
  ['tcp6', 'tcp'],
  ['udp', 'udp'],
  ['udp6', 'udp'],
];

/** Scans sockets; reuses its address cache between passes. */
export class SocketScanner {
  private readonly proc: string;
  private readonly passwdPath: string;
  private readonly decoder = new ProcAddressDecoder(endianness() === 'LE');

  constructor(o: SocketScanOptions = {}) {
    this.proc = o.procRoot ?? '/proc';
    this.passwdPath = o.passwdPath ?? '/etc/passwd';
  }

  scan(): SocketScan {
    const errors: string[] = [];
    const pids = this.pids();
    const namespaces = this.namespaces(pids);
    const { owners, unreadable } = this.socketOwners(pids);
    const users = parsePasswd(readTextOr(this.passwdPath) ?? '');
    const procInfo = new Map<number, Owner>();
    const ownerOf = (inode: number): Owner => {
      const pid = owners.get(inode);
      if (pid === undefined) return {};
      let o = procInfo.get(pid);
      if (!o) procInfo.set(pid, (o = this.processInfo(pid, users)));
      return o;
    };
    const services: Service[] = [];
    const connections: Connection[] = [];
    let sockets = 0;
    for (const [netns, pid] of namespaces) {
      const rows: ProcSocket[] = [];
      for (const [file, proto] of TABLES) {
        const text = readTextOr(`${this.proc}/${pid}/net/${file}`);
        if (text === undefined) continue; // no IPv6 in this kernel, or the pid exited
        const r = parseProcNetSockets(text, proto, this.decoder, `${this.proc}/${pid}/net/${file}`);
        errors.push(...r.errors);
        for (const s of r.sockets) rows.push(s);
      }
      sockets += rows.length;
      classify(rows, netns, ownerOf, services, connections);
    }
    return { services: { services }, dependencies: { connections }, namespaces: namespaces.size, sockets, unreadablePids: unreadable, errors };
  }

  private pids(): number[] {
    const out: number[] = [];
    for (const name of readdirSync(this.proc)) {
      const c = name.charCodeAt(0);
      if (c >= 48 && c <= 57) out.push(Number(name));
    }
    return out;
  }

  /** netns inode → the first pid seen in it. Unreadable ns links (no root) are skipped. */
  private namespaces(pids: number[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const pid of pids) {
      const link = readLinkOr(`${this.proc}/${pid}/ns/net`);
      if (!link) continue;
      const ino = Number(link.slice(link.indexOf('[') + 1, -1));
      if (Number.isInteger(ino) && !out.has(ino)) out.set(ino, pid);
    }
    return out;
  }

  /** socket inode → pid. A socket shared after fork keeps its first (lowest) pid. */
  private socketOwners(pids: number[]): { owners: Map<number, number>; unreadable: number } {
    const owners = new Map<number, number>();
    let unreadable = 0;
    for (const pid of pids) {
      const dir = `${this.proc}/${pid}/fd`;
      let fds: string[];
      try {
        fds = readdirSync(dir);
      } catch {
        unreadable++;
        continue;
      }
      for (const fd of fds) {
        const link = readLinkOr(`${dir}/${fd}`);
        if (link === undefined || !link.startsWith('socket:[')) continue;
        const ino = Number(link.slice(8, -1));
        if (!owners.has(ino)) owners.set(ino, pid);
      }
    }
    return { owners, unreadable };
  }

  private processInfo(pid: number, users: Map<number, string>): Owner {
    const o: Owner = { pid };
    const exe = readLinkOr(`${this.proc}/${pid}/exe`);
    if (exe) o.exe = exe.slice(0, 1024);
    const cmd = readTextOr(`${this.proc}/${pid}/cmdline`);
    if (cmd) o.cmdline = formatCmdline(redactCmdline(cmd)).slice(0, 4096); // no secrets to the server
    const uid = parseStatusUid(readTextOr(`${this.proc}/${pid}/status`) ?? '');
    if (uid !== undefined) o.user = (users.get(uid) ?? String(uid)).slice(0, 64);
    return o;
  }
}

/**
 * TCP LISTEN and unconnected bound UDP are services; ESTABLISHED TCP and connected UDP whose local
 * port is not a service port of the namespace are outbound dependencies (the inbound side of a
 * connection has the listener's port). TIME_WAIT (inode 0, no owner) is neither.
 */
function classify(rows: ProcSocket[], netns: number, ownerOf: (inode: number) => Owner, services: Service[], connections: Connection[]): void {
  const tcpPorts = new Set<number>();
  const udpPorts = new Set<number>();
  const seen = new Set<string>();
  for (const s of rows) {
    const isService = s.proto === 'tcp' ? s.state === TCP_LISTEN : s.state === UDP_UNCONNECTED && s.remotePort === 0;
    if (!isService) continue;
    (s.proto === 'tcp' ? tcpPorts : udpPorts).add(s.localPort);
    const key = `${s.proto} ${s.localIp} ${s.localPort}`;
    if (seen.has(key)) continue; // SO_REUSEPORT: one service, several sockets
    seen.add(key);
    services.push({ proto: s.proto, ip: s.localIp, port: s.localPort, netns, ...ownerOf(s.inode) });
  }
  for (const s of rows) {
    const established = s.proto === 'tcp' ? s.state === TCP_ESTABLISHED : s.state === UDP_CONNECTED;
    if (!established || s.inode === 0) continue;
    if ((s.proto === 'tcp' ? tcpPorts : udpPorts).has(s.localPort)) continue;
    connections.push({ proto: s.proto, localIp: s.localIp, localPort: s.localPort, remoteIp: s.remoteIp, remotePort: s.remotePort, netns, ...ownerOf(s.inode) });
  }
}
