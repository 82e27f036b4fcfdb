// The APIC event websocket: keepalive, dispatch of event frames by subscription id, periodic
// subscriptionRefresh, and detection of gaps (after which the owner must re-read the state: the
// APIC has no replay).
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { EptError } from '../core/errors.js';
import { scanApicFrame } from '../protocols/apic-frame.js';
import { parseApicMessage, type ApicMessage, type ApicObject } from '../protocols/apic-objects.js';
import type { ApicGetter } from './apic-session.js';

/** Receives the objects of one event frame for a subscription. */
export type EventHandler = (objects: ApicObject[]) => void;

export interface ApicSocketOptions {
  /** ws(s)://<apic>/socket<token> */
  url: string;
  tls: { ca?: string; rejectUnauthorized: boolean };
  /** Used for subscriptionRefresh. */
  apic: ApicGetter;
  /** The APIC's subscription timeout, seconds (subscription_refresh_time). */
  subscriptionTimeoutSeconds: number;
  /** Share of the timeout after which subscriptions are refreshed (default 0.5). */
  refreshFraction?: number;
  /** Interval between websocket pings, ms (default 15 000). */
  pingIntervalMs?: number;
  /** Consecutive pings without a pong before the socket counts as dead (default 1). */
  pingRetries?: number;
  /** Time allowed to open the socket, ms (default 15 000). */
  openTimeoutMs?: number;
  logger: Logger;
  /** Called once when events may have been lost; the socket is closed by then. */
  onGap: (reason: string) => void;
}

/** Counters of the socket, for status and tests. */
export interface SocketStats {
  connected: boolean;
  frames: number;
  malformedFrames: number;
  unknownSubscriptionFrames: number;
  lastEventTs: number | null;
  lastRefreshTs: number | null;
}

export class ApicSocket {
  private ws: WebSocket | null = null;
  private readonly handlers = new Map<string, EventHandler>();
  private pingTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private missedPongs = 0;
  private ended = false;
  private readonly log: Logger;
  readonly stats: SocketStats = {
    connected: false,
    frames: 0,
    malformedFrames: 0,
    unknownSubscriptionFrames: 0,
    lastEventTs: null,
    lastRefreshTs: null,
  };

  constructor(private readonly opts: ApicSocketOptions) {
    this.log = opts.logger;
  }

  /** Opens the socket; rejects with EptError('apic_unreachable') when it cannot. */
  open(): Promise<void> {
    const shown = this.opts.url.replace(/socket.*$/, 'socket…');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.opts.url, { ...this.opts.tls, handshakeTimeout: this.opts.openTimeoutMs ?? 15_000 });
      this.ws = ws;
      const onOpenError = (err: Error): void => {
        this.ended = true;
        reject(new EptError('apic_unreachable', `websocket ${shown}: ${err.message}`, { url: shown }, { cause: err }));
      };
      ws.once('error', onOpenError);
      ws.once('open', () => {
        ws.off('error', onOpenError);
        this.stats.connected = true;
        this.wire(ws);
        resolve();
      });
    });
  }

  private wire(ws: WebSocket): void {
    ws.on('message', (data: WebSocket.RawData) => this.onFrame(data));
    ws.on('pong', () => (this.missedPongs = 0));
    ws.on('error', (err) => this.gap(`websocket error: ${err.message}`));
    ws.on('close', (code, reason) => this.gap(`websocket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
    const pingMs = this.opts.pingIntervalMs ?? 15_000;
    this.pingTimer = setInterval(() => this.ping(), pingMs);
    this.pingTimer.unref();
    const refreshMs = this.opts.subscriptionTimeoutSeconds * 1000 * (this.opts.refreshFraction ?? 0.5);
    this.refreshTimer = setInterval(() => void this.refreshAll(), refreshMs);
    this.refreshTimer.unref();
  }

  private ping(): void {
    const retries = this.opts.pingRetries ?? 1;
    if (this.missedPongs >= retries) {
      this.gap(`websocket keepalive: no pong to ${this.missedPongs} ping(s)`);
      return;
    }
    this.missedPongs++;
    this.ws?.ping();
  }

  /** Routes events of a subscription id to a handler. */
  subscribe(id: string, handler: EventHandler): void {
    this.handlers.set(id, handler);
  }

  get subscriptionCount(): number {
    return this.handlers.size;
  }

  private onFrame(data: WebSocket.RawData): void {
    this.stats.frames++;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    // Endpoint events are read from the bytes (apic-frame.ts); anything off that path, malformed
    // frames included, is parsed as text and reported as before. So is a frame the scanner fails
    // on (a bug in it must not stop the event stream).
    let message: ApicMessage | null;
    try {
      message = scanApicFrame(bytes);
    } catch (err) {
      this.log.error({ err, snippet: bytes.toString('utf8', 0, Math.min(bytes.length, 200)) }, 'websocket frame scanner failed; frame read as text');
      message = null;
    }
    if (!message) {
      const text = bytes.toString('utf8');
      const parsed = parseApicMessage(text);
      message = parsed.message;
      if (parsed.problems.length) {
        this.stats.malformedFrames++;
        this.log.warn({ problem: parsed.problems[0], snippet: text.slice(0, 200) }, 'malformed websocket frame');
        if (message.objects.length === 0) return;
      }
    }
    this.stats.lastEventTs = Date.now();
    // One frame can name several subscriptions of one handler: call each handler once.
    let first: EventHandler | undefined;
    let others: Set<EventHandler> | undefined;
    for (const id of message.subscriptionIds) {
      const h = this.handlers.get(id);
      if (!h || h === first) continue;
      if (!first) first = h;
      else (others ??= new Set()).add(h);
    }
    if (!first) {
      this.stats.unknownSubscriptionFrames++;
      return;
    }
    this.dispatch(first, message.objects);
    if (others) for (const h of others) this.dispatch(h, message.objects);
  }

  private dispatch(h: EventHandler, objects: ApicObject[]): void {
    try {
      h(objects);
    } catch (err) {
      this.log.error({ err }, 'websocket event handler failed');
    }
  }

  /** Refreshes every subscription now; a failure (including an unknown id) is a gap. */
  async refreshAll(): Promise<void> {
    for (const id of [...this.handlers.keys()]) {
      if (this.ended) return;
      try {
        await this.opts.apic.get(`/api/subscriptionRefresh.json?id=${encodeURIComponent(id)}`);
      } catch (err) {
        this.gap(`subscriptionRefresh of ${id} failed: ${(err as Error).message}`);
        return;
      }
    }
    this.stats.lastRefreshTs = Date.now();
  }

  /** Stops reading frames (backpressure); the kernel buffers, then TCP slows the APIC. */
  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  private gap(reason: string): void {
    if (this.ended) return;
    this.log.warn({ reason }, 'APIC event stream gap');
    this.shutdown();
    this.opts.onGap(reason);
  }

  private shutdown(): void {
    this.ended = true;
    this.stats.connected = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.pingTimer = this.refreshTimer = null;
    this.ws?.terminate();
  }

  /** Closes the socket without reporting a gap. */
  close(): void {
    if (this.ended) return;
    this.shutdown();
  }
}
