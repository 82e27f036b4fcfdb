// The endpoint model shared by every layer. Pure data: no I/O, no classes with hidden state.

/** What an endpoint key addresses: a MAC (keyed by BD vnid) or an IP (keyed by VRF vnid). */
export type EndpointType = 'mac' | 'ipv4' | 'ipv6';

/** The APIC class an observation came from. */
export type ObservationClass = 'mac' | 'ip' | 'binding';

/** Lifecycle carried by an APIC event; query results (no status) are 'created'. */
export type ObservationStatus = 'created' | 'modified' | 'deleted';

/**
 * One learn event for one endpoint on one node, normalised from an APIC object (or a host agent).
 * Optional fields are absent when the event did not carry them (APIC 'modified' events carry only
 * the changed attributes).
 */
export interface Observation {
  fabric: string;
  cls: ObservationClass;
  /** Leaf node id that reported the learn. */
  node: number;
  /** Key vnid: BD vnid for a MAC, VRF vnid for an IP and for a binding. */
  vnid: number;
  /** Normalised address: MAC lower-case aa:bb:cc:dd:ee:ff; IP in canonical text form. */
  addr: string;
  status: ObservationStatus;
  /** Event time, ms since epoch. */
  ts: number;
  flags?: readonly string[];
  ifId?: string;
  encap?: string;
  pcTag?: number;
  /** BD vnid from the DN (absent for IPs learned without a BD in the DN). */
  bd?: number;
  /** VRF vnid from the DN. */
  vrf?: number;
  /** For a binding: the MAC the IP resolves to. */
  mac?: string;
  /**
   * Set when the observation comes from a (re)read of a class rather than a live event: it then
   * states presence as of ts (the query's start) and never overrides a newer event.
   */
  fromQuery?: boolean;
}

/** A vPC pair is one pseudo-node: (higher id << 16) | lower id, as EPT and the APIC do. */
export function vpcPseudoNode(a: number, b: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  return hi * 65536 + lo;
}

/** Splits a vPC pseudo-node back into its members; a plain node returns itself. */
export function nodeMembers(node: number): number[] {
  return node > 0xffff ? [Math.floor(node / 65536), node % 65536] : [node];
}

/** Whether n is node itself or, for a vPC pseudo-node, one of its members (nodeMembers(node).includes(n), without the list). */
export function isNodeMember(node: number, n: number): boolean {
  return node > 0xffff ? Math.floor(node / 65536) === n || node % 65536 === n : node === n;
}

/** The state one node holds for one endpoint (merged from its events). */
export interface NodeLearn {
  node: number;
  /** False once the node deleted its learn (kept for history and relearn rules). */
  present: boolean;
  flags: readonly string[];
  ifId: string;
  encap: string;
  pcTag: number;
  bd: number;
  vrf: number;
  /** For an IP: the MAC and BD of the binding on this node ('' / 0 when none). */
  rwMac: string;
  rwBd: number;
  /** Node (or vPC pseudo-node) a non-local learn points at; 0 when none. */
  remote: number;
  /** Time of the last change, ms. */
  ts: number;
  /** Events seen for this endpoint on this node; the history slot is seq mod the history cap. */
  seq: number;
  /** Sync epoch in which the learn (and, for an IP, the binding) was last seen; see EndpointSink. */
  seen: number;
  bindSeen: number;
}

/** Where an endpoint is learned locally (what a move compares). */
export interface Location {
  /** Node id, or the vPC pseudo-node when learned on a vPC. */
  node: number;
  ifId: string;
  encap: string;
  pcTag: number;
  /** For an IP: MAC and BD it resolves to. */
  rwMac: string;
  rwBd: number;
  ts: number;
}

/** Kinds of finding ept reports about fabric endpoints. */
export type FindingKind = 'move' | 'offsubnet' | 'stale' | 'rapid';

/** Sub-kinds of stale. */
export type StaleReason = 'multiple-local' | 'remote' | 'no-local';

/** A finding produced by the analyses. offsubnet and stale need confirmation by the watcher. */
export interface Finding {
  kind: FindingKind;
  fabric: string;
  vnid: number;
  addr: string;
  type: EndpointType;
  ts: number;
  /** Node the finding is about (offsubnet/stale); 0 for endpoint-wide findings. */
  node: number;
  /** move: where it came from and went to. */
  src?: Location;
  dst?: Location;
  /** stale: the reason and the node the stale learn points at (remote learns). */
  reason?: StaleReason;
  remote?: number;
  /** Where the endpoint is expected to be at the time of the finding. */
  expected?: number;
  /** rapid: the measured rate, events per minute. */
  rate?: number;
  /** Learn details of the node concerned (offsubnet/stale). */
  learn?: NodeLearn;
}

/** One row of an endpoint's history on one node. */
export interface HistoryEvent {
  fabric: string;
  vnid: number;
  addr: string;
  node: number;
  status: ObservationStatus;
  ts: number;
  flags: readonly string[];
  ifId: string;
  encap: string;
  pcTag: number;
  rwMac: string;
  rwBd: number;
  remote: number;
  /** The node's event counter for this endpoint (see NodeLearn.seq). */
  seq: number;
}

/** Endpoint-wide flags kept in the current state. */
export interface EndpointFlags {
  /** Nodes with a confirmed offsubnet learn. */
  offsubnet: number[];
  /** Nodes with a confirmed stale learn. */
  stale: number[];
  /** Rapid until this time (ms), 0 when not rapid. */
  rapidUntil: number;
}

/** The current state of one endpoint, as the owning worker holds it and the store persists it. */
export interface EndpointState {
  /**
   * The store's number for this endpoint (its row id in SQLite), given once by Store.newEndpointId
   * when the endpoint is first seen; 0 until then, and for stores that key rows by address only.
   */
  id: number;
  fabric: string;
  vnid: number;
  addr: string;
  type: EndpointType;
  learns: NodeLearn[];
  /** The current local location, null when no node holds a local learn. */
  current: Location | null;
  /** The last location before the latest delete (for the 60 s relearn rule). */
  previous: Location | null;
  /** When the endpoint lost its last local learn, 0 when it has one. */
  deletedTs: number;
  flags: EndpointFlags;
  /** Last recorded move, to skip recording the same src/dst twice. */
  lastMove: { src: Location; dst: Location } | null;
  /** Rapid-rule counters: events in the current 15 s buckets (oldest first). */
  rate: RateWindow;
  /** Events counted but not stored while rapid. */
  rapidSkipped: number;
  /** Last time anything changed, ms. */
  ts: number;
}

/** Four 15-second buckets of event counts, the sliding minute the rapid rule measures. */
export interface RateWindow {
  /** Start of the newest bucket, ms (a multiple of 15 000). */
  bucketStart: number;
  counts: [number, number, number, number];
}

/** Key of an endpoint within a fabric. */
export interface EndpointKey {
  fabric: string;
  vnid: number;
  addr: string;
}

export function endpointKeyString(k: EndpointKey): string {
  return `${k.fabric}|${k.vnid}|${k.addr}`;
}
