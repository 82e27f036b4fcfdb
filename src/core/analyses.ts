// The endpoint analyses: a pure function from (state, observation) to (new state, findings,
// checks to confirm later). Semantics follow EPT (REFERENCE-aci.md); see docs/analyses.md.
import { addressType } from './address.js';
import type { FabricTables } from './fabric-tables.js';
import { NO_FLAGS } from './intern.js';
import type { FabricSettings } from './settings.js';
import {
  isNodeMember,
  nodeMembers,
  vpcPseudoNode,
  type EndpointFlags,
  type EndpointState,
  type Finding,
  type Location,
  type NodeLearn,
  type Observation,
  type RateWindow,
  type StaleReason,
} from './types.js';

/** What the analyses read besides the endpoint itself. */
export interface AnalysisContext {
  tables: FabricTables;
  settings: FabricSettings;
  /** Current sync epoch of the fabric (see EndpointSink.beginSync). */
  epoch: number;
}

/** A finding that must still hold after a delay before it is reported. */
export interface PendingCheck {
  kind: 'offsubnet' | 'stale';
  node: number;
  reason?: StaleReason;
  /** Seconds to wait before confirming. */
  delay: number;
}

/** The outcome of one observation. */
export interface ApplyResult {
  /** The state changed and must be written. */
  changed: boolean;
  /**
   * The learn whose new values, with the event's status and time, make the history row to store;
   * null when nothing is stored (no change, or rapid). (The row is written from it at once: a
   * HistoryEvent object per event was garbage the moment it was copied into the pipeline's columns.)
   */
  history: NodeLearn | null;
  /** Findings reported now (move, rapid). */
  findings: Finding[];
  /** Candidates to confirm after a delay (offsubnet, stale). */
  checks: PendingCheck[];
  /**
   * The candidates were evaluated on the new state (a change analysed): checks holds every
   * unflagged candidate there is, so a check armed before and not among them no longer holds.
   */
  evaluated: boolean;
  /** The endpoint just stopped being rapid: refresh it from the APIC. */
  refresh: boolean;
  /**
   * The index in s.learns of the one learn this event changed, every other learn left as it was
   * (the pipeline then packs that learn alone); -1 when learns were added (or nothing is known).
   */
  learn: number;
}

const BUCKET_MS = 15_000;
/** The empty findings and checks of a result (most events have none): replaced before a push (add). */
const NO_FINDINGS = Object.freeze([]) as unknown as Finding[];
const NO_CHECKS = Object.freeze([]) as unknown as PendingCheck[];

function addFinding(r: ApplyResult, f: Finding): void {
  if (r.findings === NO_FINDINGS) r.findings = [f];
  else r.findings.push(f);
}
const OFFSUBNET_SKIP = ['loopback', 'vtep', 'svi', 'psvi', 'cached', 'static'];
const STALE_SKIP = ['bounce-to-proxy', 'loopback', 'vtep', 'svi', 'psvi', 'cached', 'static'];

/** Shared until an endpoint gets its first flag (copy on write: see ownFlags). */
export const NO_ENDPOINT_FLAGS: EndpointFlags = Object.freeze({ offsubnet: Object.freeze([]) as unknown as number[], stale: Object.freeze([]) as unknown as number[], rapidUntil: 0 });
/** Shared until an endpoint gets its first live event (copy on write in rollRate). */
export const NO_RATE: RateWindow = Object.freeze({ bucketStart: 0, counts: Object.freeze([0, 0, 0, 0]) }) as unknown as RateWindow;

/** The endpoint's own flags object, replacing the shared empty one before it is changed. */
export function ownFlags(s: EndpointState): EndpointFlags {
  if (s.flags === NO_ENDPOINT_FLAGS) s.flags = { offsubnet: [], stale: [], rapidUntil: 0 };
  return s.flags;
}

export function newEndpointState(obs: Observation): EndpointState {
  return {
    id: 0,
    fabric: obs.fabric,
    vnid: obs.vnid,
    addr: obs.addr,
    type: addressType(obs.addr),
    learns: [],
    current: null,
    previous: null,
    deletedTs: 0,
    flags: NO_ENDPOINT_FLAGS,
    lastMove: null,
    rate: NO_RATE,
    rapidSkipped: 0,
    ts: obs.ts,
  };
}

function newLearn(node: number, ts: number): NodeLearn {
  return {
    node,
    present: false,
    flags: NO_FLAGS,
    ifId: '',
    encap: '',
    pcTag: 0,
    bd: 0,
    vrf: 0,
    rwMac: '',
    rwBd: 0,
    remote: 0,
    ts,
    seq: 0,
    seen: 0,
    bindSeen: 0,
  };
}

/** True when the learn is local to its node. */
export function isLocal(l: NodeLearn): boolean {
  return l.present && l.flags.includes('local');
}

/** The node a non-local learn points at, from its flags and interface (REFERENCE-aci.md, Location). */
export function resolveRemote(l: NodeLearn, tables: FabricTables): number {
  if (!l.present || l.flags.includes('local')) return 0;
  if (l.flags.includes('cached') || l.flags.includes('vtep') || l.ifId === 'unspecified' || l.ifId === '') return 0;
  if (l.flags.includes('peer-attached')) return tables.vpcPeer(l.node);
  if (l.ifId.startsWith('tunnel')) return tables.tunnel(l.node, l.ifId)?.remote ?? 0;
  return 0;
}

/** The node a local learn's location is on: a vPC-attached learn is on the pair's pseudo-node. */
function locationNode(l: NodeLearn, tables: FabricTables): number {
  if (!l.flags.includes('vpc-attached')) return l.node;
  const peer = tables.vpcPeer(l.node);
  return peer ? vpcPseudoNode(l.node, peer) : l.node;
}

/** The location a local learn stands for. */
export function locationOf(l: NodeLearn, tables: FabricTables): Location {
  return {
    node: locationNode(l, tables),
    ifId: tables.vpcInterface(l.node, l.ifId),
    encap: l.encap,
    pcTag: l.pcTag,
    rwMac: l.rwMac,
    rwBd: l.rwBd,
    ts: l.ts,
  };
}

/** The latest local learn across nodes, or null. */
export function currentLocation(s: EndpointState, tables: FabricTables): Location | null {
  const best = currentLearn(s);
  return best ? locationOf(best, tables) : null;
}

/** The newest local learn: the one the current location stands for. */
function currentLearn(s: EndpointState): NodeLearn | null {
  let best: NodeLearn | null = null;
  for (const l of s.learns) if (isLocal(l) && (!best || l.ts > best.ts)) best = l;
  return best;
}

/** True when locationOf(l) would equal loc field by field. */
function isLocationOf(loc: Location, l: NodeLearn, tables: FabricTables): boolean {
  if (loc.ts !== l.ts || loc.encap !== l.encap || loc.pcTag !== l.pcTag || loc.rwMac !== l.rwMac || loc.rwBd !== l.rwBd) return false;
  return loc.node === locationNode(l, tables) && loc.ifId === tables.vpcInterface(l.node, l.ifId);
}

/** True when two locations differ in what a move compares. */
export function locationsDiffer(a: Location, b: Location, isIp: boolean): boolean {
  if (a.node !== b.node || a.ifId !== b.ifId || a.encap !== b.encap || a.pcTag !== b.pcTag) return true;
  if (!isIp) return false;
  // An IP whose binding is not yet known is incomplete, not moved.
  if (a.rwMac && b.rwMac && a.rwMac !== b.rwMac) return true;
  return a.rwBd !== 0 && b.rwBd !== 0 && a.rwBd !== b.rwBd;
}

function sameLocation(a: Location, b: Location): boolean {
  return !locationsDiffer(a, b, true) && a.rwMac === b.rwMac && a.rwBd === b.rwBd;
}

function rollRate(s: EndpointState, now: number): number {
  const start = now - (now % BUCKET_MS);
  if (s.rate === NO_RATE) s.rate = { bucketStart: 0, counts: [0, 0, 0, 0] };
  const r = s.rate;
  const shift = Math.min(4, Math.max(0, Math.round((start - r.bucketStart) / BUCKET_MS)));
  if (shift > 0) {
    for (let i = 0; i < 4; i++) r.counts[i] = i + shift < 4 ? (r.counts[i + shift] as number) : 0;
    r.bucketStart = start;
  }
  r.counts[3]++;
  return r.counts[0] + r.counts[1] + r.counts[2] + r.counts[3];
}

function mergeObservation(l: NodeLearn, obs: Observation): void {
  if (obs.cls === 'binding') {
    if (obs.status === 'deleted') {
      l.rwMac = '';
      l.rwBd = 0;
    } else {
      l.rwMac = obs.mac ?? l.rwMac;
      l.rwBd = obs.bd ?? l.rwBd;
    }
    return;
  }
  if (obs.status === 'deleted') {
    l.present = false;
    l.flags = NO_FLAGS;
    l.remote = 0;
    return;
  }
  l.present = true;
  if (obs.flags) l.flags = obs.flags;
  if (obs.ifId !== undefined) l.ifId = obs.ifId;
  if (obs.encap !== undefined) l.encap = obs.encap;
  if (obs.pcTag !== undefined) l.pcTag = obs.pcTag;
  if (obs.bd !== undefined) l.bd = obs.bd;
  if (obs.vrf !== undefined) l.vrf = obs.vrf;
}

// Flag lists are interned (internFlags), so equal lists are usually the same array.
function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Applies one observation to an endpoint's state (mutating it) and runs the analyses.
 * processedAt is used only when the observation carries no time.
 */
export function applyObservation(s: EndpointState, obs: Observation, ctx: AnalysisContext, processedAt: number): ApplyResult {
  const { tables, settings } = ctx;
  // Rules are timed by the event, not by when it was processed, so a backlog changes nothing.
  const now = obs.ts || processedAt;
  let at = -1;
  for (let i = 0; i < s.learns.length && at < 0; i++) if ((s.learns[i] as NodeLearn).node === obs.node) at = i;
  let l = at >= 0 ? s.learns[at] : undefined;
  // Only l changes below (a new learn is appended: then every index is new to the packed form).
  const result: ApplyResult = { changed: false, history: null, findings: NO_FINDINGS, checks: NO_CHECKS, evaluated: false, refresh: false, learn: at };
  if (obs.fromQuery && l && l.ts > obs.ts) {
    // A live event newer than this snapshot already set the learn: keep it, just mark it seen.
    if (obs.cls === 'binding') l.bindSeen = ctx.epoch;
    else l.seen = ctx.epoch;
    return result;
  }
  if (!l) {
    if (obs.status === 'deleted') return result;
    l = newLearn(obs.node, obs.ts);
    // An exact-size array: push (and spread) reserve room for many more learns on every endpoint.
    const learns: NodeLearn[] = new Array<NodeLearn>(s.learns.length + 1);
    for (let i = 0; i < s.learns.length; i++) learns[i] = s.learns[i] as NodeLearn;
    learns[s.learns.length] = l;
    s.learns = learns;
  }
  if (obs.cls === 'binding') l.bindSeen = ctx.epoch;
  else l.seen = ctx.epoch;
  // Every live event counts toward the rapid rate, changed or not (as EPT counts them).
  const rate = obs.fromQuery ? 0 : rollRate(s, now);

  // What a change is compared on (field by field: this runs for every event).
  const { present, flags, ifId, encap, pcTag, rwMac, rwBd, remote } = l;
  mergeObservation(l, obs);
  if (obs.cls === 'binding' && l.rwMac) {
    // One MAC string per endpoint, not one per node's binding.
    for (const x of s.learns) if (x !== l && x.rwMac === l.rwMac) l.rwMac = x.rwMac;
  }
  l.remote = resolveRemote(l, tables);
  if (
    l.present === present && sameFlags(l.flags, flags) && l.ifId === ifId && l.encap === encap && l.pcTag === pcTag &&
    l.rwMac === rwMac && l.rwBd === rwBd && l.remote === remote
  ) {
    return result;
  }
  l.seq++;
  l.ts = obs.ts;
  s.ts = obs.ts;
  result.changed = true;

  const wasRapid = s.flags.rapidUntil > 0;
  if (wasRapid && now >= s.flags.rapidUntil) {
    ownFlags(s).rapidUntil = 0;
    result.refresh = settings.refresh_rapid;
  }
  if (s.flags.rapidUntil > 0) {
    s.rapidSkipped++;
    s.current = currentLocation(s, tables);
    return result;
  }
  if (settings.analyze_rapid && rate > settings.rapid_threshold) {
    ownFlags(s).rapidUntil = now + settings.rapid_holdtime * 1000;
    addFinding(result, baseFinding(s, 'rapid', now, 0, { rate }));
    s.current = currentLocation(s, tables);
    return result;
  }
  result.history = l;
  analyseMove(s, ctx, now, result);
  result.checks = candidateChecks(s, ctx, true);
  result.evaluated = true;
  clearResolvedFlags(s, ctx);
  return result;
}

function baseFinding(s: EndpointState, kind: Finding['kind'], ts: number, node: number, extra: Partial<Finding>): Finding {
  return { kind, fabric: s.fabric, vnid: s.vnid, addr: s.addr, type: s.type, ts, node, ...extra };
}

function analyseMove(s: EndpointState, ctx: AnalysisContext, now: number, result: ApplyResult): void {
  const old = s.current;
  // Most events leave the current location as it was (a remote learn changed): keep the object.
  const best = currentLearn(s);
  const cur = best === null ? null : old !== null && isLocationOf(old, best, ctx.tables) ? old : locationOf(best, ctx.tables);
  s.current = cur;
  if (!cur) {
    if (old) {
      s.previous = old;
      s.deletedTs = now;
    }
    return;
  }
  let src = old;
  if (!src && s.previous && now - s.deletedTs <= ctx.settings.relearn_window * 1000) src = s.previous;
  s.deletedTs = 0;
  if (!old) s.previous = null;
  if (!src || !ctx.settings.analyze_move) return;
  if (!locationsDiffer(src, cur, s.type !== 'mac')) return;
  const last = s.lastMove;
  if (last && sameLocation(last.src, src) && sameLocation(last.dst, cur)) return;
  s.lastMove = { src, dst: cur };
  addFinding(result, baseFinding(s, 'move', cur.ts, cur.node, { src, dst: cur }));
}

/**
 * Offsubnet and stale conditions that hold now, per node. Used to schedule and to confirm.
 * unflaggedOnly leaves out the conditions the endpoint is already flagged for.
 */
export function candidateChecks(s: EndpointState, ctx: AnalysisContext, unflaggedOnly = false): PendingCheck[] {
  let out = NO_CHECKS;
  const { settings, tables } = ctx;
  if (s.type === 'mac') return out;
  if (settings.analyze_offsubnet) {
    for (const l of s.learns) {
      if (!isOffsubnet(s, l, tables)) continue;
      if (unflaggedOnly && s.flags.offsubnet.includes(l.node)) continue;
      out = withCheck(out, { kind: 'offsubnet', node: l.node, delay: settings.offsubnet_delay });
    }
  }
  // Stale is an IP analysis (REFERENCE-aci.md "Stale (IP)"; EPT skips MACs): a MAC's remote learns
  // follow the IP's, so flagging both would report every stale endpoint twice.
  if (settings.analyze_stale) {
    for (const l of s.learns) {
      const reason = staleReason(s, l, ctx);
      if (!reason || (unflaggedOnly && s.flags.stale.includes(l.node))) continue;
      const delay = reason === 'no-local' ? settings.stale_no_local_delay : settings.stale_delay;
      out = withCheck(out, { kind: 'stale', node: l.node, reason, delay });
    }
  }
  return out;
}

/** The list with c added (a new list in place of the shared empty one). */
function withCheck(out: PendingCheck[], c: PendingCheck): PendingCheck[] {
  if (out === NO_CHECKS) return [c];
  out.push(c);
  return out;
}

/** True when any of the flags is in the list (loops: this runs for every learn of every event). */
function hasAny(flags: readonly string[], list: readonly string[]): boolean {
  for (let i = 0; i < flags.length; i++) if (list.includes(flags[i] as string)) return true;
  return false;
}

function isOffsubnet(s: EndpointState, l: NodeLearn, tables: FabricTables): boolean {
  if (!l.present || l.pcTag <= 1) return false;
  if (hasAny(l.flags, OFFSUBNET_SKIP)) return false;
  const epg = tables.epg(l.vrf || s.vnid, l.pcTag);
  if (!epg || !epg.bd) return false;
  return !tables.bdContains(epg.bd, s.addr);
}

function staleReason(s: EndpointState, l: NodeLearn, ctx: AnalysisContext): StaleReason | null {
  if (!l.present) return null;
  if (hasAny(l.flags, STALE_SKIP)) return null;
  if (l.ifId.startsWith('tunnel') && ctx.tables.tunnel(l.node, l.ifId)?.proxy) return null;
  const cur = s.current;
  if (!cur) {
    return l.remote !== 0 && ctx.settings.stale_no_local ? 'no-local' : null;
  }
  if (isLocal(l)) {
    return !isNodeMember(cur.node, l.node) && ctx.settings.stale_multiple_local ? 'multiple-local' : null;
  }
  if (l.remote === 0 || l.remote === cur.node || isNodeMember(cur.node, l.remote)) return null;
  // Bounce exception: the node pointed at itself bounces traffic on to the current location.
  // (Reached only by a remote learn pointing away from the current location: rare enough to allocate.)
  for (const rn of nodeMembers(l.remote)) {
    const target = s.learns.find((x) => x.node === rn);
    if (target?.present && target.flags.includes('bounce') && (target.remote === cur.node || isNodeMember(cur.node, target.remote))) return null;
  }
  return 'remote';
}

function isFlagged(s: EndpointState, c: PendingCheck): boolean {
  return (c.kind === 'offsubnet' ? s.flags.offsubnet : s.flags.stale).includes(c.node);
}

/** Drops confirmed flags whose condition no longer holds. */
function clearResolvedFlags(s: EndpointState, ctx: AnalysisContext): void {
  if (!s.flags.offsubnet.length && !s.flags.stale.length) return;
  const now = candidateChecks(s, ctx);
  const holds = (kind: PendingCheck['kind'], node: number): boolean => now.some((c) => c.kind === kind && c.node === node);
  const own = ownFlags(s);
  own.offsubnet = own.offsubnet.filter((n) => holds('offsubnet', n));
  own.stale = own.stale.filter((n) => holds('stale', n));
}

/**
 * Confirms a delayed check against the current state: if it still holds, flags the endpoint and
 * returns the finding to record; otherwise null.
 */
export function confirmCheck(s: EndpointState, check: PendingCheck, ctx: AnalysisContext, now: number): Finding | null {
  const holds = candidateChecks(s, ctx).find((c) => c.kind === check.kind && c.node === check.node);
  if (!holds || isFlagged(s, holds)) return null;
  const learn = s.learns.find((l) => l.node === check.node);
  if (holds.kind === 'offsubnet') {
    ownFlags(s).offsubnet.push(check.node);
    return baseFinding(s, 'offsubnet', now, check.node, { learn: learn ? { ...learn } : undefined });
  }
  ownFlags(s).stale.push(check.node);
  return baseFinding(s, 'stale', now, check.node, {
    reason: holds.reason,
    remote: learn?.remote ?? 0,
    expected: s.current?.node ?? 0,
    learn: learn ? { ...learn } : undefined,
  });
}

/**
 * Ends a sync: learns in scope that were not seen in this epoch (and not changed by an event since
 * the sync began) get a synthesised delete. Returns the observations to apply.
 */
export function missedInSync(s: EndpointState, epoch: number, nodes: Set<number> | null, since: number, now: number): Observation[] {
  const out: Observation[] = [];
  for (const l of s.learns) {
    if (nodes && !nodes.has(l.node)) continue;
    if (l.ts >= since) continue;
    const base = { fabric: s.fabric, node: l.node, vnid: s.vnid, addr: s.addr, status: 'deleted' as const, ts: now };
    // Seen by this sync or by a later one (epochs only grow): present, keep it.
    if (l.present && l.seen < epoch) out.push({ ...base, cls: s.type === 'mac' ? 'mac' : 'ip' });
    if (s.type !== 'mac' && l.rwMac && l.bindSeen < epoch) out.push({ ...base, cls: 'binding' });
  }
  return out;
}
