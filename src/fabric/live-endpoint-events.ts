// Endpoint events from the websocket: one batch per frame, stamped with the receipt time (APIC
// events carry no usable timestamp), submitted at once; too many batches waiting on the pipeline
// pause the websocket reader (backpressure) instead of growing memory.
import type { Observation } from '../core/types.js';
import { toObservation, type ApicObject } from '../protocols/apic-objects.js';
import type { EndpointSink } from '../pipeline/sink.js';
import type { EventRate } from './event-rate.js';

export interface LiveEndpointEventsOptions {
  fabric: string;
  sink: EndpointSink;
  rate: EventRate;
  now: () => number;
  /** Batches in flight at which the reader is paused. */
  maxInFlight: number;
  parseError: (where: string, reason: string) => void;
  /** The pipeline refused a batch: events are lost, which is a gap. */
  refused: (err: Error) => void;
}

/** What the reader can be asked to do for backpressure. */
export interface PausableReader {
  pause(): void;
  resume(): void;
}

export class LiveEndpointEvents {
  received = 0;
  processed = 0;
  private inFlight = 0;

  constructor(private readonly opts: LiveEndpointEventsOptions) {}

  /** Handles one frame read from reader. */
  onEvents(objects: ApicObject[], reader: PausableReader | null): void {
    const { fabric, now, rate } = this.opts;
    const ts = now();
    this.received += objects.length;
    rate.add(objects.length);
    const batch: Observation[] = [];
    for (const o of objects) {
      // Read from the frame's bytes already: only the receipt is ours to add.
      const obs = o.obs;
      if (obs) {
        obs.fabric = fabric;
        obs.ts = ts;
        batch.push(obs);
        continue;
      }
      const r = toObservation(fabric, o, ts);
      if (r.ok) batch.push(r.obs);
      else this.opts.parseError(o.attrs['dn'] ?? o.cls, r.reason);
    }
    if (batch.length) this.submit(batch, reader);
  }

  private submit(batch: Observation[], reader: PausableReader | null): void {
    const max = this.opts.maxInFlight;
    if (++this.inFlight === max) reader?.pause();
    this.opts.sink
      .submit(batch)
      .then(
        () => void (this.processed += batch.length),
        (err: unknown) => this.opts.refused(err instanceof Error ? err : new Error(String(err))),
      )
      .finally(() => {
        if (this.inFlight-- === max) reader?.resume();
      });
  }
}
