// The `ept` executable: server, simulator and client subcommands.
import { Command, CommanderError } from 'commander';
import { EptError } from '../core/errors.js';
import { loadServerConfig, type ServerConfig, type ServerFlags } from '../config/server-config.js';
import type { SimFabricCommandOptions } from '../sim/index.js';
import { addClientCommands } from './client-commands.js';
import { processIo, type CliIo } from './cli-io.js';

/** What the CLI needs from the rest of ept (tests pass their own). */
export interface CliDeps {
  startServer(config: ServerConfig): Promise<{ close(): Promise<void>; url: string }>;
  runSimFabricCommand(options: SimFabricCommandOptions): Promise<void>;
}

// Loaded on use, so client commands do not pay for loading the server and simulator.
export const defaultDeps: CliDeps = {
  async startServer(config) {
    const m = await import('../main/server.js');
    return m.startServer(config);
  },
  async runSimFabricCommand(options) {
    const m = await import('../sim/index.js');
    return m.runSimFabricCommand(options);
  },
};

/** Waits for SIGINT/SIGTERM, then closes the server. */
function closeOnSignal(server: { close(): Promise<void> }, io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      io.err(`ept: ${sig}: shutting down`);
      server.close().then(resolve, (err: unknown) => {
        io.err(`ept: internal: shutdown failed: ${(err as Error).message}`);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export function buildProgram(io: CliIo, deps: CliDeps = defaultDeps): Command {
  const program = new Command('ept')
    .description('endpoint tracker for Cisco ACI fabrics')
    .option('--server <url>', 'ept server URL (EPT_SERVER; default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (EPT_TOKEN)')
    .option('--user <name>', 'log in with this user instead of a token')
    .option('--password <password>', 'password for --user')
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('server')
    .description('run the ept server (API, UI, fabric subscribers, workers) in this process')
    .option('--data-dir <dir>', 'data directory (EPT_DATA_DIR; default ./data)')
    .option('--host <addr>', 'listen address (EPT_HOST; default 127.0.0.1, use 0.0.0.0 to expose)')
    .option('--port <port>', 'listen port (EPT_PORT; default 8080)')
    .option('--config <file>', 'YAML or JSON config file (EPT_CONFIG)')
    .option('--no-demo', 'do not start the simulated demo fabric when no fabric is configured')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (EPT_LOG_LEVEL)')
    .action(async (o: ServerFlags, cmd: Command) => {
      const config = loadServerConfig({ flags: serverFlags(o, cmd) });
      const server = await deps.startServer(config);
      io.err(`ept: listening on ${server.url}`);
      await closeOnSignal(server, io);
    });

  program
    .command('sim')
    .description('simulators')
    .command('fabric')
    .description('run a simulated APIC (REST + websocket) for demos and tests')
    .option('--port <port>', 'listen port (0 picks one)', '0')
    .option('--tls', 'HTTPS and wss with a self-signed certificate')
    .option('--leafs <n>', 'number of leafs', '4')
    .option('--endpoints <n>', 'number of endpoints', '1000')
    .option('--churn <eps>', 'background churn, endpoint events per second', '0')
    .option('--scenario <file>', 'scenario to run (JSON or YAML)')
    .option('--seed <n>', 'seed of the generated fabric', '1')
    .action(async (o: { port: string; tls?: boolean; leafs: string; endpoints: string; churn: string; scenario?: string; seed: string }) => {
      await deps.runSimFabricCommand({
        port: intOption('--port', o.port, 0, 65535),
        tls: o.tls === true,
        leafs: intOption('--leafs', o.leafs, 1, 4000),
        endpoints: intOption('--endpoints', o.endpoints, 0, 10_000_000),
        churn: intOption('--churn', o.churn, 0, 10_000_000),
        scenario: o.scenario,
        seed: intOption('--seed', o.seed, 0, 2 ** 31),
      });
    });

  program
    .command('bench')
    .description('benchmarks (bench/RESULTS.md records them)')
    .command('fabric')
    .description('simulated fabric in a child process: build time, sustained events/s, latency, memory')
    .option('--endpoints <n>', 'hosts of the simulated fabric, each a MAC and an IP endpoint in ept (500000 = 1M endpoints)', '500000')
    .option('--leafs <n>', 'number of leafs', '200')
    .option('--duration <s>', 'seconds of each measured throughput window', '20')
    .option('--churn-pool <n>', 'hosts the churn moves', '100000')
    .option('--seed <n>', 'seed of the generated fabric', '1')
    .option('--cache-mib <n>', "SQLite page cache, MiB (default: the store's, as the server uses)")
    .option('--page-size <n>', "objects per APIC query page (default: the subscriber's, as the server uses)")
    .option('--batch-size <n>', 'write-behind batch (default: the server\'s)')
    .option('--queue-capacity <n>', 'pipeline queue capacity (default: the server\'s)')
    .action(async (o: { endpoints: string; leafs: string; duration: string; churnPool: string; seed: string; cacheMib?: string; pageSize?: string; batchSize?: string; queueCapacity?: string }, cmd: Command) => {
      const m = await import('../bench/bench-command.js');
      const code = await m.runFabricBenchCommand(
        {
          endpoints: intOption('--endpoints', o.endpoints, 1, 10_000_000),
          leafs: intOption('--leafs', o.leafs, 2, 4000),
          duration: intOption('--duration', o.duration, 1, 3600),
          churnPool: intOption('--churn-pool', o.churnPool, 1, 10_000_000),
          seed: intOption('--seed', o.seed, 0, 2 ** 31),
          cacheMiB: o.cacheMib === undefined ? undefined : intOption('--cache-mib', o.cacheMib, 1, 65536),
          pageSize: o.pageSize === undefined ? undefined : intOption('--page-size', o.pageSize, 100, 100_000),
          batchSize: o.batchSize === undefined ? undefined : intOption('--batch-size', o.batchSize, 1, 100_000),
          queueCapacity: o.queueCapacity === undefined ? undefined : intOption('--queue-capacity', o.queueCapacity, 100, 10_000_000),
          json: cmd.optsWithGlobals<{ json?: boolean }>().json === true,
        },
        io,
      );
      if (code !== 0) throw new EptError('internal', `benchmark exited with code ${code}`);
    });

  // `ept decode pcap`: ept's own LLDP/CDP/ARP/NDP decoders over a capture file (added with the host agent).
  program
    .command('decode')
    .description('decode captured frames with ept\'s own decoders')
    .command('pcap')
    .description('decode LLDP, CDP, ARP and IPv6 ND frames of a pcap or pcapng file (- reads stdin)')
    .argument('<file>', 'capture file, e.g. from tcpdump -w')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const m = await import('./decode-pcap-command.js');
      await m.runDecodePcap(file, cmd.optsWithGlobals<{ json?: boolean }>().json === true, io);
    });

  // `ept bench replay`: ept replay pcap against arpwatch -r on one generated capture.
  const benchCmd = program.commands.find((c) => c.name() === 'bench');
  benchCmd
    ?.command('replay')
    .description('frames/s of `ept replay pcap` against arpwatch -r on the same generated ARP capture')
    .option('--frames <n>', 'ARP frames in the capture', '3000000')
    .option('--ips <n>', 'distinct IPs', '50000')
    .option('--change-every <n>', 'one IP in this many changes its MAC', '50')
    .option('--no-arpwatch', 'do not run arpwatch')
    .action(async (o: { frames: string; ips: string; changeEvery: string; arpwatch: boolean }, cmd: Command) => {
      const m = await import('../bench/replay-bench.js');
      const code = await m.runReplayBench(
        {
          frames: intOption('--frames', o.frames, 1, 100_000_000),
          ips: intOption('--ips', o.ips, 1, 16_000_000),
          changeEvery: intOption('--change-every', o.changeEvery, 1, 16_000_000),
          arpwatch: o.arpwatch,
          json: cmd.optsWithGlobals<{ json?: boolean }>().json === true,
        },
        io,
      );
      if (code !== 0) throw new EptError('internal', `benchmark exited with code ${code}`);
    });

  // `ept replay pcap`: host-side endpoint tracking (arpwatch's reports) of an offline capture, in-process.
  program
    .command('replay')
    .description('replay captured traffic through ept\'s host-side tracking, in this process')
    .command('pcap')
    .description('ARP and IPv6 ND frames of a pcap or pcapng file (- reads stdin) -> arpwatch\'s kinds of report')
    .argument('<file>', 'capture file, e.g. from tcpdump -w')
    .requiredOption('--site <name>', 'site (segment) the capture was taken on')
    .option('--subnet <cidr>', "the segment's subnet (repeatable); IPs outside all of them are bogons", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--rapid-threshold <n>', 'MAC changes per minute above which an IP is rapid (0: off)', '10')
    .action(async (file: string, o: { site: string; subnet: string[]; rapidThreshold: string }, cmd: Command) => {
      const m = await import('./replay-command.js');
      await m.runReplayPcap(
        file,
        { site: o.site, subnets: o.subnet, rapidThreshold: intOption('--rapid-threshold', o.rapidThreshold, 0, 1_000_000), json: cmd.optsWithGlobals<{ json?: boolean }>().json === true },
        io,
      );
    });

  // `ept agent`: the host agent (src/agent/). --server/--token are the program's global options.
  program
    .command('agent')
    .description('run the host agent: discover this host and report to the ept server (docs/agent.md)')
    .option('--capture-iface <names>', 'comma-separated interfaces to capture LLDP/CDP/ARP/ND on (default: physical interfaces that are up)')
    .option('--no-capture', 'do not run tcpdump (no LLDP/CDP capture, no passive ARP/ND)')
    .option('--no-lldpcli', 'do not read neighbours from lldpd')
    .option('--once', 'print one pass of every document as JSON and exit (nothing is sent)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
    .action(async (o: { captureIface?: string; capture: boolean; lldpcli: boolean; once?: boolean; logLevel: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<{ server?: string; token?: string }>();
      const m = await import('../agent/agent-command.js');
      const stopSignal = new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      await m.runAgentCommand(
        {
          server: g.server ?? io.env.server,
          token: g.token ?? io.env.token,
          ...(o.captureIface ? { captureIfaces: o.captureIface.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
          capture: o.capture,
          lldpcli: o.lldpcli,
          once: o.once === true,
          logLevel: o.logLevel,
        },
        { out: (t) => io.out(t), err: (t) => io.err(t), stopSignal },
      );
    });

  addClientCommands(program, io);
  return program;
}

/** Parses an integer option or fails with a message naming it. */
function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new EptError('config_invalid', `${name}: must be an integer between ${min} and ${max}, got '${raw}'`);
  return n;
}

/** Only flags given on the command line: commander fills --no-demo's default, which must not override EPT_DEMO. */
export function serverFlags(o: ServerFlags, cmd: Command): ServerFlags {
  const flags: ServerFlags = {};
  for (const k of ['dataDir', 'host', 'port', 'logLevel', 'config'] as const) if (o[k] !== undefined) flags[k] = o[k] as string;
  if (cmd.getOptionValueSource('demo') === 'cli') flags.demo = o.demo === true;
  return flags;
}

/** Runs the CLI; returns the exit code. Errors print "ept: <code>: <message>". */
export async function runCli(argv: string[], io: CliIo = processIo(), deps: CliDeps = defaultDeps): Promise<number> {
  try {
    await buildProgram(io, deps).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander printed its own message
    if (err instanceof EptError) io.err(`ept: ${err.code}: ${err.message}`);
    else io.err(`ept: internal: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}

// Run when executed (bin/ept.js imports dist/cli/main.js).
if (process.argv[1] && /(?:^|[\\/])(ept(\.js)?|main\.(js|ts))$/.test(process.argv[1])) {
  process.exitCode = await runCli(process.argv.slice(2));
}
