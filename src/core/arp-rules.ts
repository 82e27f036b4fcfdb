// arpwatch's rules for one IP address, as pure functions over a small per-IP state: new station,
// new activity, changed ethernet address, flip flop, reused old ethernet address — plus ept's rapid
// rule (too many MAC changes per minute). The state is mutated in place: this runs once per captured
// ARP frame, and allocating a new state per frame would cost more than the rule itself.

/** Kinds of host-side finding (arpwatch's reports, rapid, and the fabric/host cross-view). */
export type HostFindingKind =
  | 'new_station'
  | 'new_activity'
  | 'changed_ethernet_address'
  | 'flip_flop'
  | 'reused_old_ethernet_address'
  | 'bogon'
  | 'ethernet_mismatch'
  | 'rapid'
  | 'host_mismatch';

export const HOST_FINDING_KINDS: readonly HostFindingKind[] = [
  'new_station',
  'new_activity',
  'changed_ethernet_address',
  'flip_flop',
  'reused_old_ethernet_address',
  'bogon',
  'ethernet_mismatch',
  'rapid',
  'host_mismatch',
];

/** The rule kinds applyArpRule can return. */
export type ArpRuleKind = 'new_station' | 'new_activity' | 'changed_ethernet_address' | 'flip_flop' | 'reused_old_ethernet_address';

/** Thresholds of the rules. */
export interface ArpRuleOptions {
  /** Idle time after which a known pair is reported as new activity (arpwatch: six months of 30 days). */
  newActivityMs: number;
  /** MAC changes per minute above which the IP is rapid (0 disables the rule). */
  rapidThreshold: number;
  /** How long change reports of a rapid IP are counted instead of reported, ms. */
  rapidHoldMs: number;
}

export const DEFAULT_ARP_RULES: Readonly<ArpRuleOptions> = Object.freeze({
  newActivityMs: 180 * 86_400_000,
  rapidThreshold: 10,
  rapidHoldMs: 600_000,
});

/**
 * What is known of one IP: its MACs, most recent first (arpwatch's elist), with the time each was
 * last seen; and the rapid-rule counters.
 */
export interface IpTrack {
  macs: number[];
  times: number[];
  /** Start of the current one-minute change window, ms. */
  windowStart: number;
  /** MAC changes in the current window. */
  changes: number;
  /** Rapid until this time (ms), 0 when not rapid. */
  rapidUntil: number;
  /** Change reports suppressed while rapid. */
  rapidSkipped: number;
  /** The last ethernet mismatch reported (sender MAC, frame MAC), so a repeating one is reported once. */
  mismatchSender: number;
  mismatchFrame: number;
  /** The MAC last reported as a bogon (-1 none): a bogon is reported once per MAC, not per frame. */
  bogonMac: number;
}

export function newIpTrack(): IpTrack {
  return { macs: [], times: [], windowStart: 0, changes: 0, rapidUntil: 0, rapidSkipped: 0, mismatchSender: -1, mismatchFrame: -1, bogonMac: -1 };
}

/** The outcome of one frame: the report kind (or null) and, for a change, the MAC it replaced. */
export interface ArpVerdict {
  kind: ArpRuleKind | null;
  previousMac: number;
  /** Set when this frame made the IP rapid (report 'rapid' with the rate). */
  rapidStart: boolean;
  rate: number;
}

export function newArpVerdict(): ArpVerdict {
  return { kind: null, previousMac: -1, rapidStart: false, rate: 0 };
}

/**
 * Applies one (mac, ts) sighting of an IP to its track and fills `out` (reused per call). Follows
 * arpwatch's ent_add(): the usual case (same MAC as the latest) only refreshes the time.
 */
export function applyArpRule(t: IpTrack, mac: number, ts: number, o: ArpRuleOptions, out: ArpVerdict): ArpVerdict {
  out.kind = null;
  out.previousMac = -1;
  out.rapidStart = false;
  const { macs, times } = t;
  const n = macs.length;
  if (n > 0 && macs[0] === mac) {
    if (ts - (times[0] as number) > o.newActivityMs) out.kind = 'new_activity';
    times[0] = ts;
    return out;
  }
  if (n === 0) {
    macs.push(mac);
    times.push(ts);
    out.kind = 'new_station';
    return out;
  }
  out.previousMac = macs[0] as number;
  let i = 1;
  while (i < n && macs[i] !== mac) i++;
  if (i === n) out.kind = 'changed_ethernet_address';
  else if (i === 1) out.kind = 'flip_flop';
  else out.kind = 'reused_old_ethernet_address';
  // Move the MAC to the front (a new one is inserted there), shifting the more recent ones down.
  if (i === n) {
    macs.push(mac);
    times.push(ts);
  }
  for (let j = i; j > 0; j--) {
    macs[j] = macs[j - 1] as number;
    times[j] = times[j - 1] as number;
  }
  macs[0] = mac;
  times[0] = ts;
  return countChange(t, ts, o, out);
}

/** The rapid rule: counts a MAC change; past the threshold the IP is rapid and its change reports are held. */
function countChange(t: IpTrack, ts: number, o: ArpRuleOptions, out: ArpVerdict): ArpVerdict {
  if (o.rapidThreshold <= 0) return out;
  if (ts - t.windowStart >= 60_000) {
    t.windowStart = ts;
    t.changes = 0;
  }
  t.changes++;
  if (t.rapidUntil > ts) {
    t.rapidSkipped++;
    out.kind = null;
    return out;
  }
  if (t.rapidUntil !== 0) t.rapidUntil = 0;
  if (t.changes > o.rapidThreshold) {
    t.rapidUntil = ts + o.rapidHoldMs;
    t.rapidSkipped = 0;
    out.rapidStart = true;
    out.rate = t.changes;
    out.kind = null;
  }
  return out;
}
