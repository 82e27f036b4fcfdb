// The port through which sources (APIC subscriber, agents, pcap replay) hand observations to the
// pipeline. Owned by the sources; implemented by the dispatcher.
import type { Observation, ObservationClass } from '../core/types.js';

/** A learn a re-read did not return (a candidate for a synthesised delete). */
export interface MissingLearn {
  cls: ObservationClass;
  node: number;
  vnid: number;
  addr: string;
}

/**
 * Asks the source whether missing learns are really gone (a paged re-read can skip objects that
 * shift between pages while it runs). Resolves to those still absent.
 */
export type ConfirmMissing = (missing: MissingLearn[]) => Promise<MissingLearn[]>;

export interface EndpointSink {
  /**
   * Queues observations for analysis, keeping per-endpoint order. The promise resolves once they are
   * queued; awaiting it is the backpressure (a full queue makes it wait, never drops).
   */
  submit(batch: Observation[]): Promise<void>;
  /**
   * Starts a (re)read of the endpoint classes of a fabric, for all nodes (null) or the given ones,
   * and for every endpoint or only the one given by key (a targeted re-read). Observations with
   * fromQuery set are submitted after this. Returns the sync epoch.
   */
  beginSync(fabric: string, nodes: number[] | null, key?: { vnid: number; addr: string }): Promise<number>;
  /**
   * Ends the re-read: learns on the nodes in scope that were neither seen by it nor changed by an
   * event since beginSync are deleted (synthesised deletes), after confirm (when given) says they
   * are really gone. Resolves when that is applied.
   */
  endSync(fabric: string, epoch: number, confirm?: ConfirmMissing): Promise<{ deleted: number }>;
  /**
   * Optional: says that one class of a re-read has been submitted in full. A sink may then write
   * what the rest of the re-read cannot change (MAC endpoints once the MAC class is read) while the
   * other classes are read, instead of at endSync.
   */
  classRead?(fabric: string, epoch: number, cls: ObservationClass): void;
  /** Resolves when everything submitted so far is analysed and committed. */
  flush(): Promise<void>;
}
