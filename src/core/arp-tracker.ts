// Host-side endpoint tracking for one site: arpwatch's checks in front of the per-IP rules
// (arp-rules.ts). Pure and in-memory: the caller feeds sightings and receives findings through a
// callback; the server's HostTracking persists states and findings, `ept replay` just prints them.
// Finding objects are built only when something is reported, so the per-frame path allocates nothing.
import { formatIpv4Number, formatMacNumber } from '../protocols/ethernet-addresses.js';
import {
  applyArpRule,
  DEFAULT_ARP_RULES,
  newArpVerdict,
  newIpTrack,
  type ArpRuleOptions,
  type ArpVerdict,
  type HostFindingKind,
  type IpTrack,
} from './arp-rules.js';
import { ipv4Number as ipv4FromText, SubnetSet } from './arp-subnets.js';

/** One host-side finding. */
export interface HostFinding {
  site: string;
  kind: HostFindingKind;
  ip: string;
  mac: string;
  /** The MAC it had before (changes); for ethernet_mismatch, the Ethernet source of the frame. */
  previousMac?: string;
  ts: number;
  /** The agent host that saw it (absent for a replayed capture). */
  hostId?: string;
  iface?: string;
  /** rapid: MAC changes in the last minute. */
  rate?: number;
  /** host_mismatch: what disagreed. */
  detail?: Record<string, unknown>;
}

/** Where a sighting came from (agents); copied into its findings. */
export interface SightingSource {
  hostId?: string;
  iface?: string;
}

export type FindingSink = (f: HostFinding) => void;

/** Options of a HostTracker. */
export interface HostTrackerOptions {
  site: string;
  /** The segment's subnets (bogon rule); none: nothing is a bogon. */
  subnets?: SubnetSet;
  rules?: Partial<ArpRuleOptions>;
  /** Record the keys of changed tracks (for write-behind to a store). */
  trackDirty?: boolean;
}

const ALL_ONES = 0xffffffffffff;

/** The tracker of one site. */
export class HostTracker {
  readonly site: string;
  readonly rules: ArpRuleOptions;
  readonly subnets: SubnetSet;
  private readonly v4 = new Map<number, IpTrack>();
  private readonly v6 = new Map<string, IpTrack>();
  private readonly verdict: ArpVerdict = newArpVerdict();
  /** IPs (text) whose track changed since the last takeDirty(). */
  private readonly dirty: Set<string> | null;

  constructor(o: HostTrackerOptions) {
    this.site = o.site;
    this.rules = { ...DEFAULT_ARP_RULES, ...o.rules };
    this.subnets = o.subnets ?? new SubnetSet();
    this.dirty = o.trackDirty ? new Set() : null;
  }

  /** Number of IPs tracked. */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /**
   * One ARP sighting: sender IP and MAC from the ARP body, frameMac the Ethernet source (-1 when the
   * capture gives none). Mirrors arpwatch's process_ether(): 0.0.0.0 (address probes) and broadcast
   * MACs are ignored, a bogon is reported and not tracked further, a frame whose MACs disagree is
   * reported as ethernet mismatch and not tracked.
   */
  observeV4(ip: number, mac: number, frameMac: number, ts: number, emit: FindingSink, src?: SightingSource, subnets: SubnetSet = this.subnets): void {
    if (ip === 0 || mac === 0 || mac === ALL_ONES || frameMac === 0 || frameMac === ALL_ONES) return;
    let t = this.v4.get(ip);
    if (subnets.isBogonV4(ip)) {
      t ??= this.addV4(ip);
      if (t.bogonMac !== mac) {
        t.bogonMac = mac;
        this.markDirty(t, ip);
        emit(this.finding('bogon', formatIpv4Number(ip), mac, -1, ts, src));
      }
      return;
    }
    if (frameMac !== -1 && frameMac !== mac) {
      t ??= this.addV4(ip);
      if (t.mismatchSender !== mac || t.mismatchFrame !== frameMac) {
        t.mismatchSender = mac;
        t.mismatchFrame = frameMac;
        this.markDirty(t, ip);
        emit(this.finding('ethernet_mismatch', formatIpv4Number(ip), mac, frameMac, ts, src));
      }
      return;
    }
    t ??= this.addV4(ip);
    const v = applyArpRule(t, mac, ts, this.rules, this.verdict);
    if (this.dirty) this.dirty.add(formatIpv4Number(ip));
    if (v.kind !== null) emit(this.finding(v.kind, formatIpv4Number(ip), mac, v.previousMac, ts, src));
    if (v.rapidStart) emit({ ...this.finding('rapid', formatIpv4Number(ip), mac, v.previousMac, ts, src), rate: v.rate });
  }

  /** One IPv6 Neighbor Discovery sighting (normalised address); the same rules as ARP. */
  observeV6(ip: string, mac: number, frameMac: number, ts: number, emit: FindingSink, src?: SightingSource, subnets: SubnetSet = this.subnets): void {
    if (ip === '::' || mac === 0 || mac === ALL_ONES) return;
    let t = this.v6.get(ip);
    if (!t) {
      t = newIpTrack();
      this.v6.set(ip, t);
    }
    this.dirty?.add(ip);
    if (subnets.isBogonV6(ip)) {
      if (t.bogonMac !== mac) {
        t.bogonMac = mac;
        emit(this.finding('bogon', ip, mac, -1, ts, src));
      }
      return;
    }
    if (frameMac !== -1 && frameMac !== mac) {
      if (t.mismatchSender !== mac || t.mismatchFrame !== frameMac) {
        [t.mismatchSender, t.mismatchFrame] = [mac, frameMac];
        emit(this.finding('ethernet_mismatch', ip, mac, frameMac, ts, src));
      }
      return;
    }
    const v = applyArpRule(t, mac, ts, this.rules, this.verdict);
    if (v.kind !== null) emit(this.finding(v.kind, ip, mac, v.previousMac, ts, src));
    if (v.rapidStart) emit({ ...this.finding('rapid', ip, mac, v.previousMac, ts, src), rate: v.rate });
  }

  /** A sighting with text addresses (agent observations): ip normalised, mac lower-case colon form. */
  observe(ip: string, mac: string, ts: number, emit: FindingSink, src?: SightingSource, subnets?: SubnetSet): void {
    const m = parseInt(mac.replaceAll(':', ''), 16);
    if (ip.includes(':')) this.observeV6(ip, m, -1, ts, emit, src, subnets);
    else this.observeV4(ipv4FromText(ip), m, -1, ts, emit, src, subnets);
  }

  /** The track of an IP (text), or undefined. */
  get(ip: string): IpTrack | undefined {
    return ip.includes(':') ? this.v6.get(ip) : this.v4.get(ipv4FromText(ip));
  }

  /** Restores a stored track (takeover after a restart). */
  load(ip: string, t: IpTrack): void {
    if (ip.includes(':')) this.v6.set(ip, t);
    else this.v4.set(ipv4FromText(ip), t);
  }

  /** The changed tracks since the last call, for one batched write. */
  takeDirty(): { ip: string; track: IpTrack }[] {
    if (!this.dirty || this.dirty.size === 0) return [];
    const out: { ip: string; track: IpTrack }[] = [];
    for (const ip of this.dirty) {
      const t = this.get(ip);
      if (t) out.push({ ip, track: t });
    }
    this.dirty.clear();
    return out;
  }

  private addV4(ip: number): IpTrack {
    const t = newIpTrack();
    this.v4.set(ip, t);
    return t;
  }

  private markDirty(_t: IpTrack, ip: number): void {
    this.dirty?.add(formatIpv4Number(ip));
  }

  private finding(kind: HostFindingKind, ip: string, mac: number, prev: number, ts: number, src?: SightingSource): HostFinding {
    const f: HostFinding = { site: this.site, kind, ip, mac: formatMacNumber(mac), ts };
    if (prev >= 0) f.previousMac = formatMacNumber(prev);
    if (src?.hostId !== undefined) f.hostId = src.hostId;
    if (src?.iface !== undefined) f.iface = src.iface;
    return f;
  }
}
