// Background churn: hosts from a fixed pool move back and forth between their generated attachment
// and the next one, at a target number of endpoint events per second. The pool bounds the memory
// the changes take; the websocket backlog bounds how far the generator runs ahead of the sockets.
import { mix } from './endpoint-space.js';
import type { FabricModel } from './fabric-model.js';
import { attachmentPlacement, placeHost } from './host-moves.js';

/** Options of the churn generator. */
export interface ChurnOptions {
  /** Number of hosts that move (spread over the endpoint space); default min(endpoints, 10000). */
  pool?: number;
  /** Bytes queued on the websockets above which the generator pauses; default 32 MiB. */
  maxBacklogBytes?: number;
  /** Reads the websocket backlog. */
  backlog?: () => number;
}

export class ChurnGenerator {
  private timer: NodeJS.Timeout | null = null;
  private budget = 0;
  private last = 0;
  private n = 0;
  private readonly pool: number;
  private readonly stride: number;
  /** Events the churn produced (objects changed), and moves made. */
  events = 0;
  moves = 0;

  constructor(
    private readonly model: FabricModel,
    private readonly o: ChurnOptions = {},
  ) {
    this.pool = Math.max(1, Math.min(o.pool ?? 10000, model.space.count));
    this.stride = Math.max(1, Math.floor(model.space.count / this.pool));
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts (or retunes) the churn at eventsPerSecond. */
  start(eventsPerSecond: number): void {
    if (!(eventsPerSecond > 0)) throw new Error(`churn: events per second must be > 0, got ${eventsPerSecond}`);
    this.stop();
    this.last = performance.now();
    this.budget = 0;
    this.timer = setInterval(() => this.tick(eventsPerSecond), 10);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Makes one move; returns the events it produced. */
  step(): number {
    if (this.model.space.count === 0 || this.model.topo.leafs < 2) return 0;
    const i = ((mix(this.n++, this.model.space.seed + 7) % this.pool) * this.stride) % this.model.space.count;
    const host = this.model.host(i);
    if (!host) return 0;
    const sp = this.model.space;
    const base = sp.attachmentOf(i);
    const alt = (base + 1) % sp.attachments;
    const atBase = host.learns.some((l) => l.local && l.node === attachmentNode(this.model, base));
    const port = `eth1/${1 + (this.n % 48)}`;
    const next = placeHost(this.model, host, attachmentPlacement(this.model, atBase ? alt : base, port));
    const ev = this.model.setHost(next);
    this.moves++;
    this.events += ev;
    return ev;
  }

  private tick(rate: number): void {
    const now = performance.now();
    // The cap bounds bursts after a stall; it is at least 2 so that low rates still reach one event.
    this.budget = Math.min(this.budget + (rate * (now - this.last)) / 1000, Math.max(rate * 0.02, 2));
    this.last = now;
    const max = this.o.maxBacklogBytes ?? 32 << 20;
    let guard = 0;
    while (this.budget >= 1 && guard++ < 100000) {
      if (this.o.backlog && (guard & 63) === 0 && this.o.backlog() > max) break;
      this.budget -= Math.max(1, this.step());
    }
  }
}

function attachmentNode(model: FabricModel, a: number): number {
  const t = model.topo;
  return a < t.pairs ? t.leafId(2 * a) : t.leafId(2 * t.pairs + (a - t.pairs));
}
