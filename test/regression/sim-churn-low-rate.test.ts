// Bug: churn below 50 events/s produced nothing, because the per-tick budget cap (rate * 0.02)
// stayed below one event, so the demo fabric showed no live events.
import { afterEach, describe, expect, it } from 'vitest';
import { ChurnGenerator } from '../../src/sim/churn.js';
import { FabricModel } from '../../src/sim/fabric-model.js';

let churn: ChurnGenerator | null = null;
afterEach(() => churn?.stop());

describe('simulator churn at a low rate', () => {
  it('produces events at 5 events/s', async () => {
    churn = new ChurnGenerator(new FabricModel({ leafs: 4, endpoints: 100 }));
    churn.start(5);
    await new Promise((r) => setTimeout(r, 1500));
    // Each move emits several events, so moves stay at or below the event rate.
    expect(churn.moves).toBeGreaterThan(0);
    expect(churn.moves).toBeLessThan(20);
  });
});
