// Clears endpoints on the built-in APIC simulator (the demo fabric and tests): the simulated leaf
// drops the entry and relearns it only if the endpoint is really there, as a real leaf does.
import type { SimClearOutcome } from '../sim/index.js';
import type { ClearNodeResult } from '../store/store.js';
import type { ClearTarget, Remediator } from './remediator.js';

/** The part of the simulator this adapter needs. */
export interface ClearableSimulator {
  clearEndpoint(key: { vnid: number; addr: string }, node: number): SimClearOutcome;
}

const OUTPUT: Record<SimClearOutcome, string> = {
  relearned: 'cleared; the endpoint was learned again (it is still there)',
  removed: 'cleared; the entry is gone from this node',
  absent: 'no such endpoint entry on this node',
};

export class SimRemediator implements Remediator {
  constructor(private readonly sim: ClearableSimulator) {}

  async clear(t: ClearTarget): Promise<ClearNodeResult> {
    try {
      const outcome = this.sim.clearEndpoint({ vnid: t.vnid, addr: t.addr }, t.node);
      return { node: t.node, command: t.command, ok: true, output: `[simulator] ${OUTPUT[outcome]}` };
    } catch (err) {
      return { node: t.node, command: t.command, ok: false, output: '', error: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {}
}
