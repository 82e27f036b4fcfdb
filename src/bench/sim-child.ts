// The APIC simulator as a child process of the fabric benchmark, so the simulator's CPU and memory
// are not counted on ept's side. Driven over the IPC channel (see sim-protocol.ts); exits when the
// parent goes away.
import { startApicSimulator, type ApicSimulator } from '../sim/index.js';
import type { SimProcessStats, SimReply, SimRequest, SimStarted } from './sim-protocol.js';

let sim: ApicSimulator | null = null;

function reply(r: SimReply): void {
  process.send?.(r);
}

function requireSim(): ApicSimulator {
  if (!sim) throw new Error('simulator not started');
  return sim;
}

function stats(): SimProcessStats {
  const s = requireSim();
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    ...s.stats(),
    backlogBytes: s.servers.reduce((n, srv) => n + srv.hub.bufferedBytes(), 0),
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function handle(req: SimRequest): Promise<unknown> {
  switch (req.op) {
    case 'start': {
      if (sim) throw new Error('simulator already started');
      const t0 = performance.now();
      sim = await startApicSimulator({ leafs: req.leafs, endpoints: req.endpoints, remoteLearns: req.remoteLearns, churnPool: req.churnPool, seed: req.seed });
      const started: SimStarted = {
        url: sim.url,
        username: sim.username,
        password: sim.password,
        leafs: sim.model.topo.leafs,
        hosts: sim.model.space.count,
        buildMs: performance.now() - t0,
      };
      return started;
    }
    case 'churn':
      if (req.eventsPerSecond > 0) requireSim().startChurn(req.eventsPerSecond);
      else requireSim().stopChurn();
      return null;
    case 'stats':
      return stats();
    case 'close':
      await sim?.close();
      sim = null;
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (msg: SimRequest) => {
  handle(msg).then(
    (value) => reply({ id: msg.id, ok: true, value }),
    (err: unknown) => reply({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
// The parent died or closed the channel: nothing left to serve.
process.on('disconnect', () => process.exit(0));
