// Collects module documents on their own intervals and reports the ones whose hash changed. Only
// the latest document of each module is kept: while the server is down, retries (with backoff)
// carry the newest state, never a backlog. The first report waits for every source and is full.
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { MODULE_SCHEMAS, type AgentReport, type AgentReportAnswer, type ModuleDocument, type ModuleName } from '../protocols/agent-report.js';
import type { PostResult } from './agent-client.js';
import { stableHash } from './stable-hash.js';

export type ModuleDocuments = { [M in ModuleName]?: ModuleDocument<M> };

/** A discovery source: produces one or more module documents per pass. */
export interface ModuleSource {
  /** For logs. */
  name: string;
  intervalMs: number;
  collect(): Promise<ModuleDocuments>;
}

export interface ReporterOptions {
  hostId: string;
  sources: ModuleSource[];
  send(report: AgentReport): Promise<PostResult<AgentReportAnswer>>;
  logger: Logger;
  /**
   * A report with no documents is sent when nothing changed for this long, so the server can tell
   * a quiet host from a dead one (default 60 s).
   */
  heartbeatMs?: number;
  /** Retry delays when the server does not take a report. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

const ALL = Object.keys(MODULE_SCHEMAS) as ModuleName[];

export class Reporter {
  private readonly latest = new Map<ModuleName, { hash: string; body: unknown }>();
  private readonly sentHash = new Map<ModuleName, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private sendTimer: NodeJS.Timeout | undefined;
  private sending = false;
  private started = false;
  private stopped = false;
  private backoffMs: number;
  private seq = 0;
  private lastSentTs = 0;
  /** Reports the server took. */
  reportsSent = 0;
  lastError: string | undefined;

  constructor(private readonly o: ReporterOptions) {
    this.backoffMs = o.minBackoffMs ?? 1000;
  }

  /** Collects every source once, sends the full report, then polls each source on its interval. */
  async start(): Promise<void> {
    await Promise.all(this.o.sources.map((s) => this.runSource(s)));
    this.started = true;
    for (const s of this.o.sources) {
      const loop = () => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          void this.runSource(s).then(() => !this.stopped && loop());
        }, s.intervalMs);
        this.timers.add(t);
      };
      loop();
    }
    const hb = this.o.heartbeatMs ?? 60_000;
    const beat = setInterval(() => {
      const now = (this.o.now ?? Date.now)();
      if (!this.sending && this.lastError === undefined && now - this.lastSentTs >= hb) void this.send(true);
    }, Math.max(1000, Math.floor(hb / 4)));
    this.timers.add(beat);
    this.scheduleSend(0);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t); // clears intervals too
    this.timers.clear();
    clearTimeout(this.sendTimer);
  }

  /** Modules whose latest document the server does not have. */
  dirtyModules(): ModuleName[] {
    return ALL.filter((m) => {
      const l = this.latest.get(m);
      return l !== undefined && l.hash !== this.sentHash.get(m);
    });
  }

  /** Collects one source now (also used by tests and after a resend request). */
  async runSource(s: ModuleSource): Promise<void> {
    let docs: ModuleDocuments;
    try {
      docs = await s.collect();
    } catch (err) {
      this.o.logger.error({ err, source: s.name }, 'discovery pass failed');
      return;
    }
    let changed = false;
    for (const m of Object.keys(docs) as ModuleName[]) {
      const body = docs[m];
      if (body === undefined) continue;
      if (!Value.Check(MODULE_SCHEMAS[m], body)) {
        const e = Value.Errors(MODULE_SCHEMAS[m], body).First();
        this.o.logger.error({ module: m, path: e?.path, error: e?.message }, 'document does not match its schema; not sent');
        continue;
      }
      const hash = stableHash(body);
      if (this.latest.get(m)?.hash === hash) continue;
      this.latest.set(m, { hash, body });
      changed = true;
    }
    // While backing off from a failed send, a change waits for the retry instead of hammering the server.
    if (changed && this.started && this.lastError === undefined) this.scheduleSend(0);
  }

  private scheduleSend(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.sendTimer);
    this.sendTimer = setTimeout(() => void this.send(), ms);
  }

  /** Sends the changed modules; with heartbeat, also when none changed (an empty report). */
  private async send(heartbeat = false): Promise<void> {
    if (this.sending || this.stopped) return;
    const modules = this.dirtyModules();
    if (modules.length === 0 && !heartbeat) return;
    this.sending = true;
    const documents: Record<string, unknown> = {};
    for (const m of modules) documents[m] = this.latest.get(m);
    const full = modules.length > 0 && ALL.every((m) => modules.includes(m) || !this.latest.has(m));
    const report = { hostId: this.o.hostId, seq: ++this.seq, full, ts: (this.o.now ?? Date.now)(), documents } as AgentReport;
    let result: PostResult<AgentReportAnswer>;
    try {
      result = await this.o.send(report);
    } catch (err) {
      result = { ok: false, error: (err as Error).message };
    } finally {
      this.sending = false;
    }
    if (this.stopped) return;
    if (!result.ok) {
      this.lastError = result.error;
      this.o.logger.warn({ error: result.error, retryMs: this.backoffMs, seq: report.seq }, 'report not delivered; will retry');
      this.scheduleSend(this.jitter(this.backoffMs));
      this.backoffMs = Math.min(this.backoffMs * 2, this.o.maxBackoffMs ?? 60_000);
      return;
    }
    this.lastError = undefined;
    this.lastSentTs = (this.o.now ?? Date.now)();
    this.backoffMs = this.o.minBackoffMs ?? 1000;
    this.reportsSent++;
    for (const m of modules) {
      const sent = documents[m] as { hash: string };
      this.sentHash.set(m, sent.hash);
    }
    for (const m of result.value.resend) if ((ALL as string[]).includes(m)) this.sentHash.delete(m as ModuleName);
    if (this.dirtyModules().length > 0) this.scheduleSend(0);
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.8 + Math.random() * 0.4));
  }
}
