// The demo fabric: with no real fabric configured, `ept server` runs the built-in APIC simulator
// and tracks it as fabric "demo" (marked simulated everywhere), with background churn and a round
// of moves, off-subnet and stale learns every little while, so a newcomer sees findings at once.
import type { Logger } from 'pino';
import { startApicSimulator, type ApicSimulator, type ScenarioStep } from '../sim/index.js';
import type { FabricConfig, Store } from '../store/store.js';

export const DEMO_FABRIC = 'demo';

export interface DemoFabricOptions {
  store: Store;
  logger: Logger;
  leafs?: number;
  endpoints?: number;
  /** Background churn, events per second. */
  churn?: number;
  /** Time between rounds of scripted findings, ms. */
  roundMs?: number;
}

export interface DemoFabric {
  sim: ApicSimulator;
  close(): Promise<void>;
}

/** One round of the demo script: a move, an off-subnet learn, a stale learn; a flap every 5th. */
export function demoRound(round: number, leafs: number, endpoints: number): ScenarioStep[] {
  const leaf = (k: number): number => 101 + ((round * 7 + k) % leafs);
  const host = (k: number): number => (round * 7919 + k * 104729) % endpoints;
  const steps: ScenarioStep[] = [
    { op: 'move', host: host(1), leaf: leaf(1) },
    { op: 'offsubnet', ip: `192.0.2.${(round % 250) + 1}`, leaf: leaf(2) },
    { op: 'stale', host: host(2), leaf: leaf(3) },
  ];
  if (round % 5 === 4) steps.push({ op: 'flap', host: host(3), count: 2100, seconds: 50, between: [{ leaf: leaf(4) }, { leaf: leaf(5) }] });
  return steps;
}

export async function startDemoFabric(opts: DemoFabricOptions): Promise<DemoFabric> {
  const log = opts.logger.child({ component: 'demo' });
  const leafs = opts.leafs ?? 8;
  const endpoints = opts.endpoints ?? 2000;
  const sim = await startApicSimulator({ leafs, endpoints, seed: 7 });
  const existing = await opts.store.getFabric(DEMO_FABRIC);
  const config: FabricConfig = {
    name: DEMO_FABRIC,
    apic: { urls: [sim.url], username: sim.username, password: sim.password, verifyTls: true },
    settings: existing?.settings ?? {},
    autoStart: true,
    simulated: true,
    createdTs: existing?.createdTs ?? Date.now(),
  };
  await opts.store.putFabric(config);
  log.info({ url: sim.url, leafs, endpoints }, 'demo fabric: simulated APIC started (this is not a real fabric)');

  sim.startChurn(opts.churn ?? 5);
  let round = 0;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = sim.runScenario({ steps: demoRound(round++, leafs, endpoints) }).catch((err: unknown) => log.warn({ err }, 'demo round failed'));
  }, opts.roundMs ?? 15_000);
  timer.unref();
  return {
    sim,
    async close() {
      clearInterval(timer);
      await running;
      await sim.close();
    },
  };
}
