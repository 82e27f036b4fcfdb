// Host-side endpoint tracking on the server: agent ARP/ND observations go to the partition that owns
// (site, ip) — the same partitionOf as the fabric pipeline, so per-IP order is kept and a partition
// can move to another worker — through that partition's HostTracker, and each request's changed
// states and findings are written in one batch per kind.
import { HostTracker, type FindingSink, type HostFinding } from '../core/arp-tracker.js';
import type { ArpRuleOptions } from '../core/arp-rules.js';
import { SubnetSet } from '../core/arp-subnets.js';
import { normalizeIp } from '../core/address.js';
import { partitionOf } from '../pipeline/partition.js';
import type { AgentObservations } from '../protocols/agent-report.js';
import type { HostStore } from '../store/host-store.js';

/** Options of HostTracking. */
export interface HostTrackingOptions {
  hosts: HostStore;
  partitions: number;
  rules?: Partial<ArpRuleOptions>;
  /** Live feed of host findings (notifications, UI). */
  onFinding?: (f: HostFinding) => void;
}

export class HostTracking {
  /** partition -> site -> tracker. */
  private readonly trackers: Map<string, HostTracker>[];
  private readonly loaded = new Map<string, Promise<void>>();
  /** Requests are applied one at a time, so the batches of two requests never interleave. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: HostTrackingOptions) {
    this.trackers = Array.from({ length: o.partitions }, () => new Map());
  }

  private tracker(partition: number, site: string): HostTracker {
    const p = this.trackers[partition] as Map<string, HostTracker>;
    let t = p.get(site);
    if (!t) {
      t = new HostTracker({ site, rules: this.o.rules ?? {}, trackDirty: true });
      p.set(site, t);
    }
    return t;
  }

  /** Loads a site's stored states once (takeover after a restart). */
  private loadSite(site: string): Promise<void> {
    let p = this.loaded.get(site);
    if (!p) {
      p = this.o.hosts.loadIpTracks(site).then((rows) => {
        for (const r of rows) this.tracker(partitionOf(site, 0, r.ip, this.o.partitions), site).load(r.ip, r.track);
      });
      this.loaded.set(site, p);
    }
    return p;
  }

  /**
   * Tracks one batch of observations of a host. `subnets` maps an interface to its subnets (the
   * host's interfaces document), for the bogon rule. Returns the findings (already stored).
   */
  observe(site: string, batch: AgentObservations, subnets: ReadonlyMap<string, SubnetSet>): Promise<HostFinding[]> {
    const run = this.chain.then(() => this.apply(site, batch, subnets));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async apply(site: string, batch: AgentObservations, subnets: ReadonlyMap<string, SubnetSet>): Promise<HostFinding[]> {
    await this.loadSite(site);
    const findings: HostFinding[] = [];
    const emit: FindingSink = (f) => findings.push(f);
    const touched = new Set<HostTracker>();
    const none = new SubnetSet();
    for (const ob of batch.observations) {
      const ip = normalizeIp(ob.ip);
      if (!ip) continue;
      const t = this.tracker(partitionOf(site, 0, ip, this.o.partitions), site);
      touched.add(t);
      t.observe(ip, ob.mac, ob.ts, emit, { hostId: batch.hostId, iface: ob.iface }, subnets.get(ob.iface) ?? none);
    }
    const states = [...touched].flatMap((t) => t.takeDirty());
    await this.o.hosts.saveIpTracks(site, states);
    await this.o.hosts.addHostFindings(findings);
    for (const f of findings) this.o.onFinding?.(f);
    return findings;
  }

  /** Records a finding made outside the ARP rules (the cross-view host_mismatch). */
  async record(f: HostFinding): Promise<void> {
    await this.o.hosts.addHostFindings([f]);
    this.o.onFinding?.(f);
  }
}
