// Test support: an EndpointSink that records what it receives and keeps the learns it was told
// about, with the beginSync/endSync semantics of the port (learns in scope not seen or changed since
// beginSync are deleted by endSync).
import type { Observation } from '../core/types.js';
import type { EndpointSink } from '../pipeline/sink.js';

interface Learn {
  obs: Observation;
  /** Sync epoch in which it was last seen or changed. */
  epoch: number;
}

export class RecordingSink implements EndpointSink {
  readonly learns = new Map<string, Learn>();
  readonly batches: Observation[][] = [];
  readonly syncs: { fabric: string; nodes: number[] | null; epoch: number; deleted?: number; key?: { vnid: number; addr: string } }[] = [];
  private epoch = 0;
  /** Resolved before each submit completes; lets a test hold the pipeline (backpressure). */
  gate: Promise<void> = Promise.resolve();

  static key(o: Pick<Observation, 'cls' | 'node' | 'vnid' | 'addr'>): string {
    return `${o.cls}|${o.node}|${o.vnid}|${o.addr}`;
  }

  async submit(batch: Observation[]): Promise<void> {
    await this.gate;
    this.batches.push(batch);
    for (const o of batch) {
      const k = RecordingSink.key(o);
      const prev = this.learns.get(k);
      // A query result never overrides a newer event.
      if (o.fromQuery && prev && prev.obs.ts > o.ts) {
        prev.epoch = this.epoch;
        continue;
      }
      if (o.status === 'deleted') this.learns.delete(k);
      else this.learns.set(k, { obs: prev && o.status === 'modified' ? { ...prev.obs, ...o } : o, epoch: this.epoch });
    }
  }

  async beginSync(fabric: string, nodes: number[] | null, key?: { vnid: number; addr: string }): Promise<number> {
    this.epoch++;
    this.syncs.push({ fabric, nodes, epoch: this.epoch, key });
    return this.epoch;
  }

  async endSync(fabric: string, epoch: number): Promise<{ deleted: number }> {
    const sync = this.syncs.find((s) => s.epoch === epoch && s.fabric === fabric);
    let deleted = 0;
    for (const [k, l] of this.learns) {
      if (l.epoch >= epoch) continue;
      if (sync?.nodes && !sync.nodes.includes(l.obs.node)) continue;
      if (sync?.key && (sync.key.vnid !== l.obs.vnid || sync.key.addr !== l.obs.addr)) continue;
      this.learns.delete(k);
      deleted++;
    }
    if (sync) sync.deleted = deleted;
    return { deleted };
  }

  async flush(): Promise<void> {}

  /** Every observation received, in order. */
  all(): Observation[] {
    return this.batches.flat();
  }
}
