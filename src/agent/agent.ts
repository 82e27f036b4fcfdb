// The host agent: wires the discovery sources, the capture, the reporter and the observation
// batcher. `startAgent` runs until `stop()`; `collectOnce` gives one pass of every document.
import type { Logger } from 'pino';
import type { AgentReport } from '../protocols/agent-report.js';
import { parseIpNeighJson, parseProcNetArp, type NeighbourEntry } from '../protocols/proc-net-arp.js';
import { parseLldpcliJson0 } from '../protocols/proc-lldpcli.js';
import { AgentClient } from './agent-client.js';
import { Capabilities } from './capabilities.js';
import { handleCapturedFrame } from './capture-handler.js';
import { FrameCapture } from './frame-capture.js';
import { collectHost, readMachineId } from './host-facts.js';
import { findExecutable, readTextOr, runCommand } from './host-files.js';
import { captureCandidates, collectInterfaces } from './interfaces-module.js';
import { NeighbourTable } from './neighbour-table.js';
import { ObservationBatcher } from './observation-batcher.js';
import { Reporter, type ModuleDocuments, type ModuleSource } from './reporter.js';
import { SocketScanner } from './socket-scan.js';
import { linkFromLldpcli, SwitchLinkTable } from './switch-link-table.js';

/** Poll intervals, ms. */
export interface AgentIntervals {
  host: number;
  interfaces: number;
  neighbours: number;
  switchLinks: number;
  sockets: number;
  capabilities: number;
}

export const DEFAULT_INTERVALS: AgentIntervals = { host: 3_600_000, interfaces: 60_000, neighbours: 30_000, switchLinks: 30_000, sockets: 15_000, capabilities: 60_000 };

export interface AgentOptions {
  server: string;
  token: string;
  logger: Logger;
  /** Interfaces to capture on; default: physical interfaces that are up (followed as they change). */
  captureIfaces?: string[];
  /** false: no tcpdump at all. */
  capture?: boolean;
  /** false: do not ask lldpd. */
  lldpcli?: boolean;
  /** Put before tcpdump, ip and lldpcli (e.g. ['ip', 'netns', 'exec', 'ns1']). */
  commandPrefix?: string[];
  intervals?: Partial<AgentIntervals>;
  /** Override the host id (default: /etc/machine-id). */
  hostId?: string;
  minBackoffMs?: number;
}

export interface RunningAgent {
  hostId: string;
  reporter: Reporter;
  capture: FrameCapture | undefined;
  observations: ObservationBatcher;
  stop(): Promise<void>;
}

/** The parts shared by a running agent and a one-shot pass. */
function buildSources(o: AgentOptions, caps: Capabilities, links: SwitchLinkTable, neighbours: NeighbourTable, onInterfaces: (names: string[]) => void) {
  const prefix = o.commandPrefix ?? [];
  const iv = { ...DEFAULT_INTERVALS, ...o.intervals };
  const scanner = new SocketScanner();
  const isRoot = process.getuid?.() === 0;
  const lldpcli = o.lldpcli === false ? undefined : findExecutable('lldpcli');
  const ipCmd = findExecutable('ip');
  caps.set('ip', 'interfaces', ipCmd ? undefined : 'iproute2 (ip) not found: no interface addresses, IPv6 neighbours only from capture');
  caps.set('root', 'services', isRoot ? undefined : "not root: sockets of other users' processes are reported without their process");
  const sources: ModuleSource[] = [
    { name: 'host', intervalMs: iv.host, collect: () => Promise.resolve({ host: collectHost() }) },
    {
      name: 'interfaces',
      intervalMs: iv.interfaces,
      async collect() {
        const errors: string[] = [];
        const doc = await collectInterfaces({ ipCommand: [...prefix, ipCmd ?? 'ip'] }, errors);
        if (errors.length) o.logger.warn({ errors }, 'interfaces: partly read');
        onInterfaces(captureCandidates(doc));
        return { interfaces: doc };
      },
    },
    {
      name: 'neighbours',
      intervalMs: iv.neighbours,
      async collect() {
        return { neighbours: neighbours.document(await kernelNeighbours(prefix, ipCmd, o.logger), Date.now()) };
      },
    },
    {
      name: 'switchLinks',
      intervalMs: iv.switchLinks,
      async collect() {
        if (lldpcli) {
          const r = await runCommand([...prefix, lldpcli, '-f', 'json0', 'show', 'neighbors', 'details'], 5000);
          // lldpd not running is normal (the capture is the main source): nothing to report then.
          if (r.ok) {
            try {
              links.setLldpd(parseLldpcliJson0(r.stdout).map((n) => linkFromLldpcli(n, Date.now())));
            } catch (err) {
              o.logger.warn({ error: (err as Error).message }, 'lldpcli: output is not JSON');
            }
          } else links.setLldpd([]);
        }
        return { switchLinks: links.document(Date.now()) };
      },
    },
    {
      name: 'sockets',
      intervalMs: iv.sockets,
      collect() {
        const s = scanner.scan();
        if (s.errors.length) o.logger.warn({ errors: s.errors }, 'sockets: lines skipped');
        const why = s.unreadablePids > 0 && !isRoot ? `${s.unreadablePids} processes not readable without root: their sockets have no owner` : undefined;
        caps.set('unreadable-pids', 'dependencies', why);
        return Promise.resolve({ services: s.services, dependencies: s.dependencies });
      },
    },
    { name: 'capabilities', intervalMs: iv.capabilities, collect: () => Promise.resolve({ capabilities: caps.document() }) },
  ];
  return sources;
}

/** `ip -j neigh` (IPv4 + IPv6, with states); /proc/net/arp when ip is missing or fails. */
async function kernelNeighbours(prefix: string[], ipCmd: string | undefined, logger: Logger): Promise<NeighbourEntry[]> {
  if (ipCmd) {
    const r = await runCommand([...prefix, ipCmd, '-j', 'neigh', 'show']);
    if (r.ok) {
      try {
        return parseIpNeighJson(r.stdout);
      } catch (err) {
        logger.warn({ error: (err as Error).message }, 'ip -j neigh: not JSON; using /proc/net/arp');
      }
    } else logger.warn({ error: r.error }, 'ip -j neigh failed; using /proc/net/arp');
  }
  return parseProcNetArp(readTextOr('/proc/net/arp') ?? '');
}

/** One pass of every source (no capture, nothing sent): for `ept agent --once`. */
export async function collectOnce(o: AgentOptions): Promise<ModuleDocuments> {
  const caps = new Capabilities();
  caps.set('capture', 'switchLinks', 'one-shot run: no capture');
  const sources = buildSources(o, caps, new SwitchLinkTable(), new NeighbourTable(), () => {});
  const docs: ModuleDocuments = {};
  for (const s of sources) Object.assign(docs, await s.collect());
  return docs;
}

/** Starts the agent: the first (full) report is under way when this resolves. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const hostId = (o.hostId ?? readMachineId()).slice(0, 128);
  const log = o.logger.child({ component: 'agent', hostId });
  const client = new AgentClient({ server: o.server, token: o.token });
  const caps = new Capabilities();
  const links = new SwitchLinkTable();
  const neighbours = new NeighbourTable();
  const observations = new ObservationBatcher({ hostId, send: (b) => client.observations(b), logger: log.child({ part: 'observations' }) });
  let capture: FrameCapture | undefined;
  const tcpdump = o.capture === false ? undefined : findExecutable('tcpdump');
  const isRoot = process.getuid?.() === 0;
  if (o.capture === false) caps.set('capture', 'switchLinks', 'capture disabled (--no-capture): no LLDP/CDP from ept, no passive ARP/ND');
  else if (!tcpdump) caps.set('capture', 'switchLinks', 'tcpdump not found: no LLDP/CDP capture and no passive ARP/ND (install tcpdump)');
  else if (!isRoot) caps.set('capture', 'switchLinks', 'not root: tcpdump cannot capture (run as root, or with CAP_NET_RAW and CAP_NET_ADMIN)');
  const sources = buildSources(o, caps, links, neighbours, (auto) => {
    if (!capture || o.captureIfaces) return;
    capture.setInterfaces(auto);
    caps.set('capture-ifaces', 'switchLinks', auto.length === 0 ? 'no physical interface is up: nothing to capture on' : undefined);
  });
  // Capture problems (an interface tcpdump refuses) are restated on every capabilities pass.
  const capsSource = sources.find((s) => s.name === 'capabilities');
  if (capsSource) {
    const collect = capsSource.collect;
    capsSource.collect = () => {
      caps.clearPrefix('capture-on-');
      for (const [itf, why] of capture?.problems() ?? []) caps.set(`capture-on-${itf}`, 'switchLinks', `${itf}: ${why}`);
      return collect();
    };
  }
  const reporter = new Reporter({ hostId, sources, send: (r: AgentReport) => client.report(r), logger: log, minBackoffMs: o.minBackoffMs });
  const linkSource = sources.find((s) => s.name === 'switchLinks');
  let linkTimer: NodeJS.Timeout | undefined;
  if (tcpdump && isRoot) {
    capture = new FrameCapture({
      tcpdumpPath: tcpdump,
      commandPrefix: o.commandPrefix,
      logger: log.child({ part: 'capture' }),
      onFrame: (iface, f) =>
        handleCapturedFrame(iface, f, {
          links,
          neighbours,
          observe: (ob) => observations.add(ob),
          now: Date.now,
          linksChanged: () => {
            linkTimer ??= setTimeout(() => {
              linkTimer = undefined;
              if (linkSource) void reporter.runSource(linkSource);
            }, 1000);
          },
        }),
    });
    if (o.captureIfaces) capture.setInterfaces(o.captureIfaces);
  }
  await reporter.start();
  log.info({ server: o.server, capture: capture !== undefined }, 'agent started');
  return {
    hostId,
    reporter,
    capture,
    observations,
    async stop() {
      reporter.stop();
      clearTimeout(linkTimer);
      observations.stop();
      await capture?.stop();
    },
  };
}
