// The all-in-one pipeline: dispatcher, partition workers and watcher in one process.
// Implements EndpointSink for the sources. Workers own their partitions' endpoint state in memory
// (the truth) and write behind to the store in batched transactions.
import type { Logger } from 'pino';
import { applyObservation, confirmCheck, type ApplyResult, ownFlags, candidateChecks, missedInSync, newEndpointState, NO_ENDPOINT_FLAGS, NO_RATE, type AnalysisContext, type PendingCheck } from '../core/analyses.js';
import type { FabricTables } from '../core/fabric-tables.js';
import type { FabricSettings } from '../core/settings.js';
import { anyPresent, maxSeen, mayMissInSync, packLearns, repackLearns, STATE_DELETED_TS, STATE_TS, unpackCurrent, unpackLearns, type PackedEndpointState } from '../core/packed-learns.js';
import type { EndpointState, Finding, Location, NodeLearn, Observation, ObservationClass } from '../core/types.js';
import type { PendingCheckRecord, Store } from '../store/store.js';
import { DelayQueue } from './delay-queue.js';
import { HistoryBuffer } from '../store/history-buffer.js';
import { PIPELINE_DEFAULTS } from './pipeline-defaults.js';
import { EndpointIndex } from './endpoint-index.js';
import { partitionOf } from './partition.js';
import type { ConfirmMissing, EndpointSink, MissingLearn } from './sink.js';
import type { PipelineMetrics } from './pipeline-metrics.js';

export interface PipelineOptions {
  store: Store;
  logger: Logger;
  metrics?: PipelineMetrics;
  /** Number of partitions of the key space. */
  partitions?: number;
  /** Events held in queues before submit() waits (backpressure). */
  queueCapacity?: number;
  /** Events per write-behind transaction, at most. */
  batchSize?: number;
  /** Longest time a change waits before it is written, ms. */
  flushInterval?: number;
  /** Clock, ms (tests use fake time). */
  now?: () => number;
}

/** A delayed confirmation: a candidate of the analyses, or the end of a rapid hold time. */
type WatchCheck = PendingCheck | { kind: 'rapid-end'; node: 0; delay: number };

/** A check in the watcher's queue: the endpoint's state it is about, what to confirm, when. */
interface WatchItem {
  s: HeldState;
  check: WatchCheck;
  due: number;
}

/**
 * A check armed on an endpoint: one per kind and node. Kept on the state: a map keyed by
 * "fabric|vnid|addr|kind|node" strings cost a string and an entry per check, long-lived (45 s and
 * more) at thousands of checks per second. One queue item stands for it (queued: its due time); a
 * re-arm with an earlier time pushes another (the later one is then skipped), a re-arm after its
 * condition cleared moves `due` later and the item, when it comes up, is queued again for it.
 */
interface Armed {
  kind: WatchCheck['kind'];
  node: number;
  /** When it is to be confirmed. */
  due: number;
  /** Due time of the queue item that stands for it (<= due). */
  queued: number;
  /** Its condition no longer holds: it goes when its queue item comes up (unless armed again). */
  cleared: boolean;
  /** Index of its row in checksAdded while the batch it was added in is not handed over (batch), else -1. */
  added: number;
  /** That batch (EndpointPipeline.batchNo when armed). */
  batch: number;
}

/** A running (re)read: its scope and when it began. */
interface SyncScope {
  nodes: Set<number> | null;
  /** Only this endpoint (a targeted re-read), or the whole fabric. */
  key: { vnid: number; addr: string } | null;
  since: number;
}

const NO_LEARNS: NodeLearn[] = Object.freeze([]) as unknown as NodeLearn[];

/**
 * An endpoint as a partition holds it: its learns and current location packed
 * (core/packed-learns.ts), `learns` left empty and `current` null (expand/collapse work on a copy).
 * Write batches carry held states themselves: the store encodes them from the packed form, without
 * an unpacked copy. Its two times live in the packed array too (STATE_TS, STATE_DELETED_TS), read
 * and written through accessors: as fields they were boxed numbers, ~12 % of the live heap objects
 * (bench/heap-objects.mjs: 9.99 → 8.84 per endpoint key).
 */
class HeldState implements PackedEndpointState {
  id: number;
  readonly fabric: string;
  readonly vnid: number;
  readonly addr: string;
  readonly type: EndpointState['type'];
  learns: NodeLearn[] = NO_LEARNS;
  current: Location | null = null;
  previous: Location | null;
  flags: EndpointState['flags'];
  lastMove: EndpointState['lastMove'];
  rate: EndpointState['rate'];
  rapidSkipped: number;
  packed: number[];
  armed: Armed[] | null = null;

  /** A held state for a state with its learns. */
  constructor(s: EndpointState) {
    this.id = s.id;
    this.fabric = s.fabric;
    this.vnid = s.vnid;
    this.addr = s.addr;
    this.type = s.type;
    this.previous = s.previous;
    this.flags = s.flags;
    this.lastMove = s.lastMove;
    this.rate = s.rate;
    this.rapidSkipped = s.rapidSkipped;
    this.packed = packLearns(s.learns, s.current);
    this.ts = s.ts;
    this.deletedTs = s.deletedTs;
  }

  get ts(): number {
    return this.packed[STATE_TS] as number;
  }

  set ts(v: number) {
    this.packed[STATE_TS] = v;
  }

  get deletedTs(): number {
    return this.packed[STATE_DELETED_TS] as number;
  }

  set deletedTs(v: number) {
    this.packed[STATE_DELETED_TS] = v;
  }
}

function hold(s: EndpointState): HeldState {
  return new HeldState(s);
}

/** A plain EndpointState copy of a held state, with its learns unpacked (for the store and readers). */
function view(s: HeldState): EndpointState {
  return {
    id: s.id, fabric: s.fabric, vnid: s.vnid, addr: s.addr, type: s.type, learns: unpackLearns(s.packed), current: unpackCurrent(s.packed), previous: s.previous,
    deletedTs: s.deletedTs, flags: s.flags, lastMove: s.lastMove && { src: { ...s.lastMove.src }, dst: { ...s.lastMove.dst } }, rate: s.rate, rapidSkipped: s.rapidSkipped, ts: s.ts,
  };
}

/**
 * The NodeLearn objects expand() unpacks into: one endpoint is expanded at a time, and collapsed
 * in the same synchronous step (findings copy the learns they name).
 */
const learnPool: NodeLearn[] = [];

/**
 * The last endpoint packed after a change, with the objects it was packed from: they equal what
 * unpacking would give, so its next event (a move brings an endpoint several in a row) takes them
 * instead of unpacking again. Valid while its packed array is the one they were packed into and no
 * other endpoint has been expanded into learnPool since (expand and collapse clear it otherwise).
 */
const lastPacked: { s: HeldState | null; packed: number[]; learns: NodeLearn[]; current: Location | null } = { s: null, packed: [], learns: NO_LEARNS, current: null };

/**
 * The endpoint being analysed: expand() copies a held state's fields into it and unpacks its learns
 * and current location there; collapse() copies the fields back and packs the learns. Held states
 * (a million, long-lived) then never point at the short-lived learn objects: each such pointer from
 * an old object to a young one, even one taken back in the same step, is recorded for the next
 * young-generation collection to visit.
 */
const work: EndpointState = {
  id: 0, fabric: '', vnid: 0, addr: '', type: 'mac', learns: NO_LEARNS, current: null, previous: null,
  deletedTs: 0, flags: NO_ENDPOINT_FLAGS, lastMove: null, rate: NO_RATE, rapidSkipped: 0, ts: 0,
};

type LastMove = EndpointState['lastMove'];

function assignLocation(to: Location, from: Location): void {
  to.node = from.node;
  to.ifId = from.ifId;
  to.encap = from.encap;
  to.pcTag = from.pcTag;
  to.rwMac = from.rwMac;
  to.rwBd = from.rwBd;
  to.ts = from.ts;
}

/**
 * The last move a held state keeps: written into its own objects when it has them, else copied
 * into new ones. The analyses' objects are shared with the move's finding (written later); kept,
 * they made three objects per move that outlived the young generation (the locations alone were
 * ~23 % of what survived young-generation collections at 80K events/s). A held state's objects are
 * its own: nothing else refers to them (view() copies them).
 */
function keepLastMove(own: LastMove, m: LastMove): LastMove {
  if (m === null) return null;
  if (own === null) return { src: { ...m.src }, dst: { ...m.dst } };
  assignLocation(own.src, m.src);
  assignLocation(own.dst, m.dst);
  return own;
}

/** The held state's fields with its learns and current location unpacked, for the analyses (valid until collapse). */
function expand(s: HeldState): EndpointState {
  const w = work;
  w.id = s.id;
  w.fabric = s.fabric;
  w.vnid = s.vnid;
  w.addr = s.addr;
  w.type = s.type;
  w.previous = s.previous;
  w.deletedTs = s.deletedTs;
  w.flags = s.flags;
  w.lastMove = s.lastMove;
  w.rate = s.rate;
  w.rapidSkipped = s.rapidSkipped;
  w.ts = s.ts;
  if (lastPacked.s === s && lastPacked.packed === s.packed) {
    w.learns = lastPacked.learns;
    w.current = lastPacked.current;
  } else {
    w.learns = unpackLearns(s.packed, learnPool);
    w.current = unpackCurrent(s.packed);
  }
  lastPacked.s = null;
  return w;
}

/**
 * Copies what the analyses may have changed back into the held state, packing the learns and
 * current location when they may have changed (with `only`, the index of the one learn that did,
 * ApplyResult.learn), and drops the objects.
 */
function collapse(s: HeldState, changed: boolean, only = -1): void {
  const w = work;
  if (changed) {
    s.packed = repackLearns(s.packed, w.learns, w.current, only);
    lastPacked.s = s;
    lastPacked.packed = s.packed;
    lastPacked.learns = w.learns;
    lastPacked.current = w.current;
  }
  // Stored only when changed: an unchanged field keeps its slot clean (see work).
  if (s.previous !== w.previous) s.previous = w.previous;
  if (s.flags !== w.flags) s.flags = w.flags;
  if (s.lastMove !== w.lastMove) s.lastMove = keepLastMove(s.lastMove, w.lastMove);
  if (s.rate !== w.rate) s.rate = w.rate;
  s.deletedTs = w.deletedTs;
  s.rapidSkipped = w.rapidSkipped;
  s.ts = w.ts;
  w.learns = NO_LEARNS;
  w.current = null;
  w.previous = null;
  w.lastMove = null;
}

interface FabricContext {
  ctx: AnalysisContext;
  syncs: Map<number, SyncScope>;
  /**
   * While a full re-read runs, endpoints changed only by its snapshot are written once at its end
   * instead of at every batch (an endpoint learned on four nodes arrives in four pages).
   */
  deferred: Set<HeldState> | null;
  /** Deferred endpoints being written before the re-read's end (classRead); endSync waits for it. */
  early: Promise<void> | null;
}

/** Re-reads one endpoint from its source (a targeted APIC query) before a check is confirmed. */
export type Recheck = (vnid: number, addr: string) => Promise<void>;

/** Listener for findings once they are recorded (notifications, live UI). */
export type FindingListener = (f: Finding) => void;
/** Listener for requests to re-read an endpoint from its source (rapid hold time over). */
export type RefreshListener = (fabric: string, vnid: number, addr: string) => void;

interface Partition {
  queue: Observation[];
  head: number;
  states: EndpointIndex<HeldState>;
}

export class EndpointPipeline implements EndpointSink {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly partitions: Partition[];
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly flushInterval: number;
  private readonly fabrics = new Map<string, FabricContext>();
  private readonly watch = new DelayQueue<WatchItem>();
  private readonly findingListeners: FindingListener[] = [];
  private readonly refreshListeners: RefreshListener[] = [];
  private queued = 0;
  private draining = false;
  private waiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private dirty = new Set<HeldState>();
  /** History rows waiting for the next write, with their endpoint ids (WriteBatch.historyRows). */
  private history = new HistoryBuffer();
  /** A committed batch's buffer, emptied, for the next batch (columns of thousands of rows each). */
  private spareHistory: HistoryBuffer | null = null;
  private findings: Finding[] = [];
  /** The endpoint id of each finding (WriteBatch.findingIds). */
  private findingIds: number[] = [];
  private checksAdded: PendingCheckRecord[] = [];
  /** Numbers the batches handed to the store: a check armed in the current one is in checksAdded. */
  private batchNo = 0;
  private checksDone: PendingCheckRecord[] = [];
  private readonly rechecks = new Map<string, Recheck>();
  private flushTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  /** The due time watchTimer was set for. */
  private watchTimerDue = 0;
  /** Writes posted to the store and not settled (each promise never rejects), oldest first. */
  private inFlight: Promise<void>[] = [];
  /** A write waiting for a slot, if any. */
  private queuedWrite: Promise<void> | null = null;
  /** Writes in flight at once: 2 where the store applies batches in call order, else 1. */
  private readonly maxWrites: number;
  /** Analysis stopped because unwritten changes reached their bound; the next commit resumes it. */
  private pausedForWrite = false;
  private closed = false;
  readonly metrics: PipelineMetrics | undefined;

  constructor(opts: PipelineOptions) {
    this.store = opts.store;
    this.log = opts.logger.child({ component: 'pipeline' });
    this.now = opts.now ?? Date.now;
    this.metrics = opts.metrics;
    const p = Math.max(1, opts.partitions ?? 4);
    this.partitions = Array.from({ length: p }, () => ({ queue: [], head: 0, states: new EndpointIndex() }));
    this.capacity = opts.queueCapacity ?? PIPELINE_DEFAULTS.queueCapacity;
    this.batchSize = opts.batchSize ?? PIPELINE_DEFAULTS.batchSize;
    this.flushInterval = opts.flushInterval ?? 50;
    this.maxWrites = opts.store.writesInOrder === true ? 2 : 1;
  }

  // ---- fabric lifecycle ----

  /** Starts tracking a fabric: loads its endpoints from the store into the partitions. */
  async attachFabric(fabric: string, tables: FabricTables, settings: FabricSettings): Promise<number> {
    const f: FabricContext = { ctx: { tables, settings, epoch: 0 }, syncs: new Map(), deferred: null, early: null };
    this.fabrics.set(fabric, f);
    let loaded = 0;
    for await (const page of this.store.scanEndpoints(fabric)) {
      for (const stored of page) {
        let s: HeldState;
        try {
          s = hold(stored);
        } catch (err) {
          // A row an older ept wrote with a value now refused (an out-of-range pcTag, node or VXLAN
          // id): skipped and named; the next read of the fabric learns the endpoint afresh.
          this.log.error({ err, fabric, vnid: stored.vnid, addr: stored.addr }, 'stored endpoint skipped: it cannot be held');
          continue;
        }
        this.partitionFor(s.fabric, s.vnid, s.addr).states.set(s);
        // Stored learns carry the sync epochs of the previous process: the next sync must be newer,
        // or learns that vanished while ept was down would count as seen and never be deleted.
        f.ctx.epoch = Math.max(f.ctx.epoch, maxSeen(s.packed));
        loaded++;
      }
    }
    const now = this.now();
    for (const c of await this.store.loadPendingChecks(fabric)) {
      const check: WatchCheck = c.kind === 'rapid-end' ? { kind: c.kind, node: 0, delay: 0 } : { kind: c.kind, node: c.node, delay: 0 };
      const s = this.held(fabric, c.vnid, c.addr);
      // A check of an endpoint that is not stored (any more) can never be confirmed: it goes.
      if (s) this.arm(s, check, Math.max(c.dueTs, now), false);
      else this.checksDone.push({ ...c, dueTs: 0 });
    }
    for (const p of this.partitions) for (const s of p.states.ofFabric(fabric)) this.rescheduleChecks(s);
    this.log.info({ fabric, loaded, pendingChecks: this.watch.size }, 'fabric attached');
    return loaded;
  }

  /** Stops tracking a fabric; committed state stays in the store. */
  async detachFabric(fabric: string): Promise<void> {
    const f = this.fabrics.get(fabric);
    if (f) await this.writeDeferred(f);
    await this.flush();
    for (const p of this.partitions) p.states.dropFabric(fabric);
    this.fabrics.delete(fabric);
  }

  /** Sets how a fabric's endpoints are re-read before a delayed check is confirmed. */
  setRecheck(fabric: string, recheck: Recheck | null): void {
    if (recheck) this.rechecks.set(fabric, recheck);
    else this.rechecks.delete(fabric);
  }

  updateSettings(fabric: string, settings: FabricSettings): void {
    const f = this.fabrics.get(fabric);
    if (f) f.ctx.settings = settings;
  }

  /** Registers a listener for recorded findings; returns the function that removes it. */
  onFinding(l: FindingListener): () => void {
    this.findingListeners.push(l);
    return () => {
      const i = this.findingListeners.indexOf(l);
      if (i >= 0) this.findingListeners.splice(i, 1);
    };
  }

  onRefresh(l: RefreshListener): void {
    this.refreshListeners.push(l);
  }

  /** Number of endpoints held in memory for a fabric. */
  endpointCount(fabric?: string): number {
    let n = 0;
    for (const p of this.partitions) {
      n += fabric ? p.states.countOf(fabric) : p.states.size;
    }
    return n;
  }

  /** A copy of the in-memory (authoritative) state of an endpoint. */
  getState(fabric: string, vnid: number, addr: string): EndpointState | undefined {
    const s = this.held(fabric, vnid, addr);
    return s && view(s);
  }

  private held(fabric: string, vnid: number, addr: string): HeldState | undefined {
    return this.partitionFor(fabric, vnid, addr).states.get(fabric, vnid, addr);
  }

  /**
   * Retention: forgets endpoints with no learn left that went away before the given time, in
   * memory and in the store. Returns how many the store removed.
   */
  async purgeDeleted(fabric: string, before: number): Promise<number> {
    await this.flush();
    for (const p of this.partitions) {
      const gone = [...p.states.ofFabric(fabric)].filter((s) => !anyPresent(s.packed) && (s.deletedTs || s.ts) < before);
      for (const s of gone) p.states.delete(s);
    }
    return this.store.purgeDeleted(fabric, before);
  }

  queueDepths(): number[] {
    return this.partitions.map((p) => p.queue.length - p.head);
  }

  /** Changes analysed but not yet handed to the store (history rows plus changed endpoints). */
  unwrittenChanges(): number {
    return this.history.length + this.dirty.size;
  }

  pendingChecks(): number {
    return this.watch.size;
  }

  // ---- EndpointSink ----

  async submit(batch: Observation[]): Promise<void> {
    if (this.closed) return;
    for (const o of batch) {
      this.partitionFor(o.fabric, o.vnid, o.addr).queue.push(o);
      this.metrics?.received(o.fabric);
    }
    this.queued += batch.length;
    this.metrics?.setQueueDepth(this.queued);
    this.scheduleDrain();
    if (this.queued > this.capacity) await new Promise<void>((r) => this.waiters.push(r));
  }

  async beginSync(fabric: string, nodes: number[] | null, key?: { vnid: number; addr: string }): Promise<number> {
    await this.idle();
    const f = this.requireFabric(fabric);
    const epoch = ++f.ctx.epoch;
    // A full re-read supersedes syncs a gap interrupted before their end.
    if (!nodes && !key) {
      f.syncs.clear();
      f.deferred ??= new Set();
    }
    f.syncs.set(epoch, { nodes: nodes ? new Set(nodes) : null, key: key ?? null, since: this.now() });
    return epoch;
  }

  async endSync(fabric: string, epoch: number, confirm?: ConfirmMissing): Promise<{ deleted: number }> {
    await this.idle();
    const f = this.requireFabric(fabric);
    const sync = f.syncs.get(epoch);
    if (!sync) return { deleted: 0 };
    f.syncs.delete(epoch);
    if (!sync.nodes && !sync.key) await this.writeDeferred(f);
    let missing = this.collectMissing(fabric, epoch, sync);
    if (confirm && missing.length) {
      const gone = new Set((await confirm(missing.map(({ cls, node, vnid, addr }) => ({ cls, node, vnid, addr })))).map(missingKey));
      await this.idle();
      // Re-collect: events during the confirmation may have changed or re-learned some of them.
      missing = this.collectMissing(fabric, epoch, sync).filter((m) => gone.has(missingKey(m)));
    }
    if (missing.length) {
      this.log.info({ fabric, epoch, deletes: missing.length }, 'sync: deleting learns that vanished');
      await this.submit(missing);
    }
    await this.flush();
    return { deleted: missing.length };
  }

  classRead(fabric: string, epoch: number, cls: ObservationClass): void {
    const f = this.fabrics.get(fabric);
    const sync = f?.syncs.get(epoch);
    if (!f?.deferred || !sync || sync.nodes || sync.key || cls !== 'mac' || f.early) return;
    // Only MAC observations change a MAC endpoint, and the re-read's MAC class is in: its MAC
    // endpoints are written now, while the IP classes are read, rather than all at its end (the
    // 1M-endpoint build spent ~10 s writing a million rows after the last page). One a MAC
    // observation still queued changes again is deferred again, and written at the end.
    const deferred = f.deferred;
    f.early = this.writeDeferredWhere(deferred, (s) => s.type === 'mac').catch((err: unknown) => {
      this.log.error({ err, fabric }, 'writing the MAC endpoints of the re-read failed; they are written at its end');
    });
  }

  /** Writes the endpoints a full re-read deferred, a batch per transaction. */
  private async writeDeferred(f: FabricContext): Promise<void> {
    if (f.early) await f.early;
    f.early = null;
    const deferred = f.deferred;
    f.deferred = null;
    if (!deferred?.size) return;
    await this.writeDeferredWhere(deferred, () => true);
  }

  /** Moves the deferred endpoints that match to the write-behind, a batch per transaction. */
  private async writeDeferredWhere(deferred: Set<HeldState>, which: (s: HeldState) => boolean): Promise<void> {
    let n = 0;
    for (const s of deferred) {
      if (!which(s)) continue;
      deferred.delete(s);
      this.dirty.add(s);
      if (++n % this.batchSize !== 0) continue;
      // Encode the next batch while the store commits this one; a failed batch is pending again
      // and goes with the final write, which reports the failure if it persists.
      this.writeOut().catch(() => undefined);
      if (this.inFlight.length >= this.maxWrites) await this.inFlight[0];
    }
    await this.writeOut();
  }

  private collectMissing(fabric: string, epoch: number, sync: SyncScope): Observation[] {
    const now = this.now();
    const out: Observation[] = [];
    const missed = (s: HeldState): void => {
      // Unpack only the few endpoints that can have missed learns.
      if (!mayMissInSync(s.packed, s.type === 'mac', epoch, sync.nodes, sync.since)) return;
      for (const o of missedInSync(view(s), epoch, sync.nodes, sync.since, now)) out.push(o);
    };
    if (sync.key) {
      const s = this.held(fabric, sync.key.vnid, sync.key.addr);
      if (s) missed(s);
      return out;
    }
    for (const p of this.partitions) for (const s of p.states.ofFabric(fabric)) missed(s);
    return out;
  }

  async flush(): Promise<void> {
    await this.idle();
    await this.writeOut();
  }

  /** Runs due watcher items now (tests and shutdown use it; normally a timer does). */
  async runDueChecks(): Promise<number> {
    const due = this.watch.popDue(this.now()).filter((item) => this.standsFor(item) !== undefined);
    // Re-read each endpoint from the fabric first (not only ept's own state), a few at a time.
    const toRead = new Map<HeldState, WatchItem>();
    for (const item of due) if (item.check.kind !== 'rapid-end' && this.confirmsNow(item) && this.rechecks.has(item.s.fabric)) toRead.set(item.s, item);
    const items = [...toRead.values()];
    const worker = async (): Promise<void> => {
      for (let item = items.pop(); item; item = items.pop()) {
        try {
          await this.rechecks.get(item.s.fabric)?.(item.s.vnid, item.s.addr);
        } catch (err) {
          this.log.warn({ err, fabric: item.s.fabric, vnid: item.s.vnid, addr: item.s.addr }, 'recheck from the fabric failed; confirming on the current state');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECHECK_CONCURRENCY, items.length) }, worker));
    if (toRead.size) await this.idle();
    for (const item of due) this.confirm(item);
    this.armWatchTimer();
    if (due.length) await this.writeOut();
    return due.length;
  }

  async close(): Promise<void> {
    for (const f of this.fabrics.values()) await this.writeDeferred(f);
    await this.flush();
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.flushTimer = this.watchTimer = null;
  }

  // ---- processing ----

  private requireFabric(fabric: string): FabricContext {
    const f = this.fabrics.get(fabric);
    if (!f) throw new Error(`fabric ${fabric} is not attached to the pipeline`);
    return f;
  }

  private partitionFor(fabric: string, vnid: number, addr: string): Partition {
    return this.partitions[partitionOf(fabric, vnid, addr, this.partitions.length)] as Partition;
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    try {
      for (const p of this.partitions) {
        if (this.inFlight.length > 0 && this.history.length + this.dirty.size >= 2 * this.batchSize) {
          // The store is behind: stop analysing until it commits, so unwritten changes stay bounded
          // and the queues fill up, which slows the sources (backpressure) instead of growing memory.
          this.pausedForWrite = true;
          this.draining = false;
          return;
        }
        const end = Math.min(p.queue.length, p.head + DRAIN_CHUNK);
        // The head moves before the event is processed: an event that throws is not retried forever.
        while (p.head < end) this.process(p, p.queue[p.head++] as Observation);
        if (p.head === p.queue.length) {
          p.queue = [];
          p.head = 0;
        } else if (p.head > 65536) {
          p.queue = p.queue.slice(p.head);
          p.head = 0;
        }
      }
    } catch (err) {
      this.log.error({ err }, 'pipeline drain failed; continuing');
    }
    this.queued = this.partitions.reduce((n, p) => n + p.queue.length - p.head, 0);
    this.metrics?.setQueueDepth(this.queued);
    // A failed write has logged its error and kept its data for the next one.
    if (this.history.length + this.dirty.size >= this.batchSize) this.writeOut().catch(() => undefined);
    else this.armFlushTimer();
    if (this.queued <= this.capacity / 2) this.release(this.waiters);
    if (this.queued > 0) {
      setImmediate(() => this.drain());
      return;
    }
    this.draining = false;
    this.release(this.idleWaiters);
  }

  private release(list: (() => void)[]): void {
    if (!list.length) return;
    const l = list.splice(0);
    for (const r of l) r();
  }

  private idle(): Promise<void> {
    if (!this.draining && this.queued === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private process(p: Partition, o: Observation): void {
    const f = this.fabrics.get(o.fabric);
    if (!f) return;
    let s = p.states.get(o.fabric, o.vnid, o.addr);
    const created = !s;
    if (!s) {
      if (o.status === 'deleted') return;
      s = hold(newEndpointState(o));
      s.id = this.store.newEndpointId();
      p.states.set(s);
    }
    const now = this.now();
    // The learns are unpacked for the analyses and packed again after (they always change: the sync
    // epoch a learn was seen in is recorded even when nothing else changes).
    let r: ApplyResult;
    try {
      r = applyObservation(expand(s), o, f.ctx, now);
      collapse(s, true, r.learn);
    } catch (err) {
      // A value the packed form cannot hold (sources validate ranges, so a bug) or an analysis
      // error: the event is dropped and named; the endpoint keeps what was packed before the error
      // (repackLearns packs whole or not at all), and one this event created is forgotten.
      collapse(s, false);
      if (created) p.states.delete(s);
      this.log.error({ err, fabric: o.fabric, vnid: o.vnid, addr: o.addr, node: o.node, cls: o.cls }, 'event dropped: it could not be applied');
      return;
    }
    this.metrics?.processed(o.fabric);
    if (!r.changed) return;
    if (o.fromQuery && f.deferred) f.deferred.add(s);
    else this.dirty.add(s);
    if (s.armed !== null && r.evaluated) this.clearResolved(s, r.checks);
    if (r.history) this.history.pushLearn(s.fabric, s.vnid, s.addr, r.history, o.status, o.ts, s.id);
    // Indexed loops: the results' shared empty lists are frozen, and for-of over them allocated an iterator.
    for (let i = 0; i < r.findings.length; i++) this.record(r.findings[i] as Finding, s.id);
    for (let i = 0; i < r.checks.length; i++) this.schedule(s, r.checks[i] as PendingCheck, now);
    if (s.flags.rapidUntil > now && r.findings.some((x) => x.kind === 'rapid')) {
      this.schedule(s, { kind: 'rapid-end', node: 0, delay: (s.flags.rapidUntil - now) / 1000 }, now);
    }
    if (r.refresh) this.requestRefresh(s);
  }

  private record(f: Finding, endpointId: number): void {
    this.findings.push(f);
    this.findingIds.push(endpointId);
    this.metrics?.finding(f.fabric, f.kind);
    for (const l of this.findingListeners) {
      try {
        l(f);
      } catch (err) {
        this.log.error({ err }, 'finding listener failed');
      }
    }
  }

  private requestRefresh(s: HeldState): void {
    for (const l of this.refreshListeners) {
      try {
        l(s.fabric, s.vnid, s.addr);
      } catch (err) {
        this.log.error({ err }, 'refresh listener failed');
      }
    }
  }

  private schedule(s: HeldState, check: WatchCheck, now: number): void {
    this.arm(s, check, now + check.delay * 1000, true);
  }

  /**
   * Puts a check in the delayed queue, once per endpoint, kind and node. A check armed again with an
   * earlier due time moves up (a stale learn first seen with no local anywhere, 315 s, that becomes
   * a remote stale, 45 s); the later item is then skipped. persist writes it to the store.
   */
  private arm(s: HeldState, check: WatchCheck, due: number, persist: boolean): void {
    const armed = s.armed ?? (s.armed = []);
    const a = armedFor(armed, check);
    if (a !== undefined && !a.cleared && a.due <= due) return;
    const added = persist ? this.checksAdded.push(pendingRecord(s, check, due)) - 1 : -1;
    if (a === undefined) {
      armed.push({ kind: check.kind, node: check.node, due, queued: due, cleared: false, added, batch: this.batchNo });
      this.watch.push(due, { s, check, due });
    } else {
      if (!a.cleared) this.cancelAdded(a);
      a.cleared = false;
      a.due = due;
      a.added = added;
      a.batch = this.batchNo;
      if (due < a.queued) {
        a.queued = due;
        this.watch.push(due, { s, check, due });
      }
    }
    this.armWatchTimer();
  }

  /**
   * Marks the checks of an endpoint whose condition no longer holds (a remote learn updated a
   * moment after the move that made it stale) as cleared: they go when their queue item comes up,
   * and a check not handed to the store yet is never written (most are: conditions of a move clear
   * within its burst of events), else it is deleted. A condition that holds again is armed anew,
   * with its full delay: it is confirmed once it held that long.
   */
  private clearResolved(s: HeldState, holding: readonly PendingCheck[]): void {
    for (const a of s.armed as Armed[]) {
      if (a.cleared || a.kind === 'rapid-end') continue;
      let holds = false;
      for (let j = 0; j < holding.length && !holds; j++) {
        const c = holding[j] as PendingCheck;
        holds = c.kind === a.kind && c.node === a.node;
      }
      if (holds) continue;
      a.cleared = true;
      if (!this.cancelAdded(a)) this.checksDone.push(pendingRecord(s, a, 0));
    }
  }

  /** Withdraws a check's row from the batch not handed over yet; false when it is not there (written, or never added). */
  private cancelAdded(a: Armed): boolean {
    const i = a.added;
    a.added = -1;
    if (i < 0 || a.batch !== this.batchNo) return false;
    (this.checksAdded[i] as PendingCheckRecord).dueTs = CANCELLED;
    return true;
  }

  /** The armed check a queue item stands for, or undefined for an item superseded or forgotten. */
  private standsFor(item: WatchItem): Armed | undefined {
    const { s, check } = item;
    // An endpoint forgotten (retention, a fabric dropped), perhaps learned again since as a new state.
    if (!s.armed || this.held(s.fabric, s.vnid, s.addr) !== s) return undefined;
    const a = armedFor(s.armed, check);
    return a?.queued === item.due ? a : undefined;
  }

  /** Whether a due item is to be confirmed now (not cleared, not moved later by a re-arm). */
  private confirmsNow(item: WatchItem): boolean {
    const a = this.standsFor(item);
    return a !== undefined && !a.cleared && a.due <= item.due;
  }

  /** Takes a check off its endpoint. */
  private disarm(s: HeldState, a: Armed): void {
    const left = (s.armed ?? []).filter((x) => x !== a);
    s.armed = left.length ? left : null;
  }

  /** After a load from the store, pending conditions are scheduled again so no check is lost. */
  private rescheduleChecks(s: HeldState): void {
    const f = this.fabrics.get(s.fabric);
    if (!f) return;
    const now = this.now();
    const checks = candidateChecks(expand(s), f.ctx);
    collapse(s, false);
    for (const c of checks) {
      const flagged = (c.kind === 'offsubnet' ? s.flags.offsubnet : s.flags.stale).includes(c.node);
      if (!flagged) this.schedule(s, c, now);
    }
    if (s.flags.rapidUntil > 0) this.schedule(s, { kind: 'rapid-end', node: 0, delay: Math.max(0, (s.flags.rapidUntil - now) / 1000) }, now);
  }

  private confirm(item: WatchItem): void {
    const a = this.standsFor(item);
    if (!a) return;
    const s = item.s;
    if (a.cleared) {
      // Its row is gone already (clearResolved).
      this.disarm(s, a);
      return;
    }
    if (a.due > item.due) {
      // Armed again after its condition cleared: due later, its item goes back in the queue.
      a.queued = a.due;
      this.watch.push(a.due, { s, check: item.check, due: a.due });
      return;
    }
    this.disarm(s, a);
    this.checksDone.push(pendingRecord(s, item.check, 0));
    const f = this.fabrics.get(s.fabric);
    if (!f) return;
    const now = this.now();
    if (item.check.kind === 'rapid-end') {
      if (s.flags.rapidUntil && now >= s.flags.rapidUntil) {
        ownFlags(s).rapidUntil = 0;
        this.dirty.add(s);
        if (f.ctx.settings.refresh_rapid) this.requestRefresh(s);
      }
      return;
    }
    const finding = confirmCheck(expand(s), item.check, f.ctx, now);
    collapse(s, false);
    if (finding) {
      this.dirty.add(s);
      this.record(finding, s.id);
    }
  }

  private armWatchTimer(): void {
    if (this.closed) return;
    const due = this.watch.peekDue();
    // Most arms add a check due after the earliest one: the timer set for that one stays (a new
    // timer per armed check was a timer object and two list operations per event).
    if (this.watchTimer && due !== null && due === this.watchTimerDue) return;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
    if (due === null) return;
    this.watchTimerDue = due;
    const wait = Math.max(0, Math.min(due - this.now(), 2_147_000_000));
    this.watchTimer = setTimeout(() => {
      this.watchTimer = null;
      this.runDueChecks().catch((err: unknown) => this.log.error({ err }, 'watcher failed; continuing'));
    }, wait);
    this.watchTimer.unref();
  }

  private armFlushTimer(): void {
    if (this.flushTimer || this.closed) return;
    if (!this.hasPending()) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.writeOut().catch((err: unknown) => this.log.error({ err }, 'write-behind failed'));
    }, this.flushInterval);
  }

  /** Anything analysed and not yet handed to the store. */
  private hasPending(): boolean {
    return this.dirty.size > 0 || this.history.length > 0 || this.findings.length > 0 || this.checksAdded.length > 0 || this.checksDone.length > 0;
  }

  /**
   * Writes everything pending in one transaction. The batch is encoded now; its commit may overlap
   * the next batch's encoding where the store applies batches in call order (Store.writesInOrder),
   * at most maxWrites in flight. Resolves when this write and every earlier one have settled;
   * rejects when this write failed (its data is then pending again, for the next write).
   */
  private writeOut(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.inFlight.length >= this.maxWrites) {
      // Every slot is taken: one more write waits for the oldest and takes everything pending then.
      this.queuedWrite ??= (this.inFlight[0] as Promise<void>).then(() => {
        this.queuedWrite = null;
        return this.writeOut();
      });
      return this.queuedWrite;
    }
    const earlier = Promise.all(this.inFlight).then(() => undefined);
    if (!this.hasPending()) return earlier;
    const held = [...this.dirty.values()];
    const { findings, findingIds, checksDone } = this;
    // Checks armed and taken off again before this batch: never written.
    const checksAdded = this.checksAdded.filter((c) => c.dueTs !== CANCELLED);
    this.batchNo++;
    const taken = this.history;
    this.history = this.spareHistory ?? new HistoryBuffer(Math.max(1024, taken.length));
    this.spareHistory = null;
    this.dirty = new Set();
    this.findings = [];
    this.findingIds = [];
    this.checksAdded = [];
    this.checksDone = [];
    const settings = this.fabrics.values().next().value?.ctx.settings;
    const started = this.now();
    let committed: Promise<void>;
    try {
      committed = this.store.writeBatch({
        endpoints: held,
        // The columns themselves (the store reads them while it encodes; they stay for a retry).
        history: [],
        historyRows: taken,
        findings,
        findingIds,
        historyCap: settings?.max_per_node_endpoint_events ?? 64,
        findingCap: settings?.max_endpoint_events ?? 64,
        checksAdded,
        checksDone,
      });
    } catch (err) {
      committed = Promise.reject(err);
    }
    const done = committed.then(
      () => {
        if (this.metrics) {
          const at = this.now();
          this.metrics.committed(taken.length, held.length, at - started);
          this.metrics.commitLatency(taken, at);
        }
        // The store is done with the columns once the batch is committed.
        taken.clear();
        this.spareHistory ??= taken;
      },
      (err: unknown) => {
        // Keep the data: put it back so the next write retries it. Endpoint rows are encoded from
        // the live state when written, so a retry after a later batch never writes an older state.
        for (const s of held) this.dirty.add(s);
        this.history.prepend(taken);
        this.findings = findings.concat(this.findings);
        this.findingIds = findingIds.concat(this.findingIds);
        this.checksAdded = checksAdded.concat(this.checksAdded);
        // The rows of the batch being filled moved in checksAdded: no check may withdraw its row by
        // index any more (a check cleared now is deleted instead).
        this.batchNo++;
        this.checksDone = checksDone.concat(this.checksDone);
        this.log.error({ err }, 'store write failed; will retry');
        throw err;
      },
    );
    const settled: Promise<void> = done
      .catch(() => undefined)
      .then(() => {
        this.inFlight = this.inFlight.filter((w) => w !== settled);
        if (this.pausedForWrite) {
          this.pausedForWrite = false;
          this.scheduleDrain();
        }
      });
    this.inFlight.push(settled);
    return Promise.all([earlier, done]).then(() => undefined);
  }
}

/** Observations a partition analyses per turn of the event loop. */
const DRAIN_CHUNK = 1024;

/** Re-reads from the fabric in flight at once while confirming due checks. */
const RECHECK_CONCURRENCY = 8;

/** The check armed for the same kind and node as c, if any. */
function armedFor(armed: readonly Armed[], c: { kind: WatchCheck['kind']; node: number }): Armed | undefined {
  for (let i = 0; i < armed.length; i++) {
    const a = armed[i] as Armed;
    if (a.kind === c.kind && a.node === c.node) return a;
  }
  return undefined;
}

/** dueTs of a check's row that is not to be written (its check was taken off before its batch). */
const CANCELLED = -1;

function pendingRecord(s: HeldState, check: { kind: WatchCheck['kind']; node: number }, dueTs: number): PendingCheckRecord {
  return { fabric: s.fabric, vnid: s.vnid, addr: s.addr, kind: check.kind, node: check.node, dueTs };
}

function missingKey(m: MissingLearn): string {
  return `${m.cls}|${m.node}|${m.vnid}|${m.addr}`;
}
