// The simulator's endpoint space: endpoint i (0..N-1) is a host with one MAC and one IP, placed
// deterministically from i and the seed. Nothing here is stored; every host is computed on demand.
import { type FabricTopology, intToV4, v4ToInt } from './fabric-topology.js';

/** One node's learn of a host (the node holds the MAC and/or IP objects described by it). */
export interface SimLearn {
  node: number;
  local: boolean;
  /** eth1/N, poN or tunnelN. */
  ifId: string;
  /** Local learn on a vPC port-channel (flag vpc-attached). */
  vpc: boolean;
  /** Which endpoint objects the node holds. */
  mac: boolean;
  ip: boolean;
  /** EPG index the learn is classified in (pcTag, encap, BD come from it). */
  epg: number;
  createTs: string;
}

/** A host: its addresses, EPG, and the learns every node holds for it. */
export interface SimHost {
  index: number;
  mac: string;
  /** '' when the host has no IP. */
  ip: string;
  epg: number;
  learns: SimLearn[];
}

/** Options of the endpoint space. */
export interface EndpointSpaceOptions {
  /** Number of procedurally generated hosts; default 1000. */
  endpoints?: number;
  /** Other leafs holding remote learns of each host; default 1. */
  remoteLearns?: number;
  /** Every n-th host has an IPv6 address instead of an IPv4 one; 0 = none; default 10. */
  ipv6Every?: number;
  /** Seed of the placement; default 1. */
  seed?: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const BASE_CREATE_TS = '2024-01-01T00:00:00.000+00:00';

/** Deterministic 32-bit mix of an index and the seed (murmur3 finaliser). */
export function mix(i: number, seed: number): number {
  let h = (i ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class EndpointSpace {
  readonly count: number;
  readonly remote: number;
  readonly ipv6Every: number;
  readonly seed: number;
  /** Number of attachment points: vPC pairs plus standalone leafs. */
  readonly attachments: number;
  private readonly macPrefix: string;

  constructor(
    readonly topo: FabricTopology,
    o: EndpointSpaceOptions,
  ) {
    this.count = o.endpoints ?? 1000;
    this.seed = o.seed ?? 1;
    this.ipv6Every = o.ipv6Every ?? 10;
    this.attachments = topo.pairs + (topo.leafs - 2 * topo.pairs);
    // A remote learn needs a leaf outside the local attachment.
    this.remote = Math.min(o.remoteLearns ?? 1, topo.leafs - 2);
    if (!Number.isInteger(this.count) || this.count < 0 || this.count > 2 ** 30) throw new Error(`endpoints: must be 0..2^30, got ${this.count}`);
    this.macPrefix = `02:${HEX[this.seed & 255]}:`;
  }

  get epgCount(): number {
    return this.topo.epgs.length;
  }

  epgOf(i: number): number {
    return i % this.topo.epgs.length;
  }

  /** Attachment index: < pairs is a vPC pair, otherwise a standalone leaf. */
  attachmentOf(i: number): number {
    return Math.floor(i / this.topo.epgs.length) % this.attachments;
  }

  macOf(i: number): string {
    return `${this.macPrefix}${HEX[(i >>> 24) & 255]}:${HEX[(i >>> 16) & 255]}:${HEX[(i >>> 8) & 255]}:${HEX[i & 255]}`;
  }

  ipOf(i: number): string {
    const g = this.epgOf(i);
    const epg = this.topo.epgs[g];
    const bd = epg ? this.topo.bds[epg.bd] : undefined;
    if (!epg || !bd) return '';
    const epgsPerBd = this.topo.epgs.length / this.topo.bds.length;
    const r = Math.floor(i / this.topo.epgs.length) * epgsPerBd + (g % epgsPerBd) + 2;
    if (this.ipv6Every > 0 && i % this.ipv6Every === this.ipv6Every - 1) {
      const hi = r >>> 16;
      const lo = (r & 0xffff).toString(16);
      return hi ? `2001:db8:1:${bd.v6Group}::${hi.toString(16)}:${lo}` : `2001:db8:1:${bd.v6Group}::${lo}`;
    }
    return intToV4(bd.v4Base + r);
  }

  /** Index of the generated host owning a MAC, -1 when none. */
  indexOfMac(mac: string): number {
    if (!mac.startsWith(this.macPrefix) || mac.length !== 17) return -1;
    const i = parseInt(mac.slice(6).replaceAll(':', ''), 16);
    return Number.isFinite(i) && i < this.count && this.macOf(i) === mac ? i : -1;
  }

  /** Index of the generated host owning an IP, -1 when none. */
  indexOfIp(ip: string): number {
    const epgsPerBd = this.topo.epgs.length / this.topo.bds.length;
    let b: number;
    let r: number;
    const v6 = /^2001:db8:1:([0-9a-f]+)::(?:([0-9a-f]+):)?([0-9a-f]+)$/.exec(ip);
    if (v6) {
      b = parseInt(v6[1] ?? '', 16) - 1;
      r = parseInt(v6[2] ?? '0', 16) * 65536 + parseInt(v6[3] ?? '', 16);
    } else {
      const n = v4ToInt(ip);
      const first = this.topo.bds[0];
      if (n < 0 || !first) return -1;
      b = Math.floor((n - first.v4Base) / 2 ** first.v4Bits);
      r = n - first.v4Base - b * 2 ** first.v4Bits;
    }
    if (!(b >= 0 && b < this.topo.bds.length) || !(r >= 2)) return -1;
    const g = b * epgsPerBd + ((r - 2) % epgsPerBd);
    const i = Math.floor((r - 2) / epgsPerBd) * this.topo.epgs.length + g;
    return i < this.count && this.ipOf(i) === ip ? i : -1;
  }

  /**
   * Writes the nodes holding learns of host i into out (locals first) and returns how many; the
   * first `locals(i)` are local. No allocation: used to count and filter a million hosts quickly.
   */
  nodesOf(i: number, out: Int32Array): number {
    const t = this.topo;
    const a = this.attachmentOf(i);
    let n = 0;
    let lo: number;
    let members: number;
    if (a < t.pairs) {
      lo = 2 * a;
      members = 2;
    } else {
      lo = 2 * t.pairs + (a - t.pairs);
      members = 1;
    }
    for (let m = 0; m < members; m++) out[n++] = t.leafId(lo + m);
    const cnt = t.leafs - members;
    const start = mix(i, this.seed) % cnt;
    for (let j = 0; j < this.remote; j++) {
      const x = (start + j) % cnt;
      out[n++] = t.leafId(x < lo ? x : x + members);
    }
    return n;
  }

  locals(i: number): number {
    return this.attachmentOf(i) < this.topo.pairs ? 2 : 1;
  }

  /** The host as generated (before any change). */
  host(i: number): SimHost {
    const t = this.topo;
    const epg = this.epgOf(i);
    const a = this.attachmentOf(i);
    const learns: SimLearn[] = [];
    const nodes = new Int32Array(2 + this.remote);
    const n = this.nodesOf(i, nodes);
    const locals = this.locals(i);
    const h = Math.floor(i / t.epgs.length);
    for (let k = 0; k < n; k++) {
      const node = nodes[k] ?? 0;
      const li = t.leafIndex(node);
      let ifId: string;
      if (k < locals) ifId = locals === 2 ? t.vpcPo(li, h % t.vpcsPerPair) : `eth1/${1 + (h % 48)}`;
      else if (locals === 2) ifId = t.tunnelToVip(li, a);
      else ifId = t.tunnelToLeaf(li, t.leafIndex(nodes[0] ?? 0));
      learns.push({ node, local: k < locals, ifId, vpc: k < locals && locals === 2, mac: true, ip: true, epg, createTs: BASE_CREATE_TS });
    }
    return { index: i, mac: this.macOf(i), ip: this.ipOf(i), epg, learns };
  }
}
