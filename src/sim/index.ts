// The APIC simulator's public face: start one or more simulated APICs over one fabric model, drive
// scenarios and churn, inject faults, and read the ground truth ept should converge to.
import { readFile } from 'node:fs/promises';
import { ApicServer, type HttpFault } from './apic-server.js';
import type { SessionOptions } from './apic-sessions.js';
import { ChurnGenerator } from './churn.js';
import { clearEndpoint, type SimClearOutcome } from './endpoint-clear.js';
import { type EndpointTruth, FabricModel, type FabricModelOptions } from './fabric-model.js';
import { type ExpectedFinding, parseScenario, type Scenario, ScenarioRunner } from './scenario.js';

export { FabricModel } from './fabric-model.js';
export type { EndpointTruth, FabricModelOptions, TruthLearn } from './fabric-model.js';
export type { ExpectedFinding, Scenario, ScenarioStep } from './scenario.js';
export { parseScenario } from './scenario.js';
export type { HttpFault } from './apic-server.js';
export type { SimClearOutcome } from './endpoint-clear.js';

/** Options of startApicSimulator (model shape, sessions, listeners). */
export interface ApicSimulatorOptions extends FabricModelOptions, SessionOptions {
  /** Number of APICs (listening addresses) sharing the model, for failover tests; default 1. */
  apics?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Port of the first APIC; default 0 (ephemeral). The others always take ephemeral ports. */
  port?: number;
  /** HTTPS + wss with a self-signed certificate. */
  tls?: boolean;
  /** Login credentials; default admin / ept-sim. */
  username?: string;
  password?: string;
  /** Hosts the background churn moves; default min(endpoints, 10000). */
  churnPool?: number;
  /** ept's rapid threshold (events/min) used to state expected rapid findings; default 2048. */
  rapidThreshold?: number;
  /** Use this model instead of building one (several simulators over one fabric). */
  model?: FabricModel;
}

/** Counters of the simulator. */
export interface SimStats {
  /** Endpoint events delivered on websockets (imdata entries), and frames. */
  eventsSent: number;
  framesSent: number;
  /** Events that matched a subscription whose session had no open websocket. */
  eventsLost: number;
  queriesServed: number;
  objectsServed: number;
  openWebsockets: number;
  subscriptions: number;
  changedHosts: number;
  churnEvents: number;
  churnMoves: number;
}

/** A running simulator. */
export interface ApicSimulator {
  /** URL of the first APIC. */
  readonly url: string;
  /** URLs of every APIC of the cluster. */
  readonly urls: string[];
  readonly username: string;
  readonly password: string;
  readonly model: FabricModel;
  readonly servers: readonly ApicServer[];
  /** Runs a scenario (object, or JSON/YAML text) to its end. */
  runScenario(s: Scenario | string): Promise<void>;
  /** Starts (or retunes) background churn at this many endpoint events per second. */
  startChurn(eventsPerSecond: number): void;
  stopChurn(): void;
  /** Drops websockets (of one APIC or all); new ones are refused for holdOffMs while events go on. */
  dropWebsockets(opts?: { holdOffMs?: number; apic?: number }): void;
  /** Takes a leaf down (objects vanish, fabricNode inactive) or up (objects return, active). */
  setLeafState(node: number, state: 'up' | 'down'): void;
  /** Stops or restarts one APIC of the cluster (same port), for failover tests. */
  setApicState(apic: number, state: 'up' | 'down'): Promise<void>;
  /** Makes the next requests (or websocket frames) of one APIC (default all) fail. */
  injectFault(fault: HttpFault, apic?: number): void;
  /** Findings the scenarios run so far should make ept report. */
  expectedFindings(): ExpectedFinding[];
  /**
   * Clears an endpoint key on a node as `clear system internal epm endpoint …` does on a leaf: it
   * relearns when the endpoint is really there, and disappears from that node when it was stale.
   */
  clearEndpoint(key: { vnid: number; addr: string }, node: number): SimClearOutcome;
  /** Per-node learns of an endpoint key (MAC by BD vnid, IP by VRF vnid). */
  groundTruth(key: { vnid: number; addr: string }): EndpointTruth;
  stats(): SimStats;
  close(): Promise<void>;
}

/** Starts a simulated APIC (or cluster) on 127.0.0.1. */
export async function startApicSimulator(options: ApicSimulatorOptions = {}): Promise<ApicSimulator> {
  const model = options.model ?? new FabricModel(options);
  const servers: ApicServer[] = [];
  const count = Math.max(1, options.apics ?? 1);
  for (let i = 0; i < count; i++) {
    const s = new ApicServer({ ...options, model, port: i === 0 ? (options.port ?? 0) : 0, apicId: i + 1 });
    await s.start();
    servers.push(s);
  }
  const backlog = (): number => servers.reduce((n, s) => n + s.hub.bufferedBytes(), 0);
  const churn = new ChurnGenerator(model, { pool: options.churnPool, backlog });
  const pick = (apic: number | undefined): ApicServer[] => (apic === undefined ? servers : servers.filter((_, i) => i === apic));
  const dropWebsockets = (o: { holdOffMs?: number; apic?: number } = {}): void => {
    for (const s of pick(o.apic)) s.dropWebsockets(o.holdOffMs ?? 0);
  };
  const runner = new ScenarioRunner({
    model,
    dropWebsockets: (holdOffMs) => dropWebsockets({ holdOffMs }),
    startChurn: (eps) => churn.start(eps),
    rapidThreshold: options.rapidThreshold,
  });
  return {
    get url() {
      return servers[0]?.url ?? '';
    },
    get urls() {
      return servers.map((s) => s.url);
    },
    username: options.username ?? 'admin',
    password: options.password ?? 'ept-sim',
    model,
    servers,
    runScenario: (s) => runner.run(typeof s === 'string' ? parseScenario(s) : s),
    startChurn: (eps) => churn.start(eps),
    stopChurn: () => churn.stop(),
    dropWebsockets,
    setLeafState: (node, state) => model.setLeafState(node, state),
    async setApicState(apic, state) {
      const s = servers[apic];
      if (!s) throw new Error(`setApicState: no APIC ${apic} (have ${servers.length})`);
      if (state === 'down' && s.listening) await s.stop();
      if (state === 'up' && !s.listening) await s.start();
    },
    injectFault: (f, apic) => pick(apic).forEach((s) => s.injectFault(f)),
    expectedFindings: () => runner.findings(),
    groundTruth: (key) => model.groundTruth(key),
    clearEndpoint: (key, node) => clearEndpoint(model, key, node),
    stats: () => ({
      eventsSent: servers.reduce((n, s) => n + s.hub.eventsSent, 0),
      framesSent: servers.reduce((n, s) => n + s.hub.framesSent, 0),
      eventsLost: servers.reduce((n, s) => n + s.hub.eventsLost, 0),
      queriesServed: servers.reduce((n, s) => n + s.queriesServed, 0),
      objectsServed: servers.reduce((n, s) => n + s.objectsServed, 0),
      openWebsockets: servers.reduce((n, s) => n + s.hub.socketCount, 0),
      subscriptions: servers.reduce((n, s) => n + s.sessions.subscriptions.size, 0),
      changedHosts: model.changedHosts,
      churnEvents: churn.events,
      churnMoves: churn.moves,
    }),
    async close() {
      churn.stop();
      await Promise.all(servers.filter((s) => s.listening).map((s) => s.stop()));
    },
  };
}

/** Options of `ept sim fabric`. */
export interface SimFabricCommandOptions {
  port?: number;
  tls?: boolean;
  leafs?: number;
  endpoints?: number;
  /** Background churn, events per second (0 = none). */
  churn?: number;
  /** Path of a scenario file (JSON or YAML). */
  scenario?: string;
  seed?: number;
  /** Where the URL and credentials are written; default stdout. */
  print?: (line: string) => void;
  /** Resolves when the command should stop; default: on SIGINT or SIGTERM. */
  until?: Promise<void>;
}

/** Runs the simulator for the CLI: prints URL and credentials, runs until SIGINT. */
export async function runSimFabricCommand(o: SimFabricCommandOptions): Promise<void> {
  const print = o.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const scenario = o.scenario ? parseScenario(await readFile(o.scenario, 'utf8'), o.scenario) : null;
  const sim = await startApicSimulator({ port: o.port, tls: o.tls, leafs: o.leafs, endpoints: o.endpoints, seed: o.seed });
  print(`APIC simulator listening on ${sim.url}`);
  print(`credentials: ${sim.username} / ${sim.password}`);
  print(`fabric: ${sim.model.topo.leafs} leafs, ${sim.model.space.count} endpoints, seed ${sim.model.space.seed}`);
  try {
    if (o.churn) sim.startChurn(o.churn);
    if (scenario) {
      await sim.runScenario(scenario);
      print(`scenario done; expected findings: ${JSON.stringify(sim.expectedFindings())}`);
    }
    await (o.until ??
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }));
  } finally {
    await sim.close();
  }
}
