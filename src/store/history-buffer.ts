// History rows waiting for their write batch, held as columns: numbers in one Float64Array, strings
// and flag lists as references in one array. A row waits a batch's fill and its commit (hundreds of
// ms under load), long enough to outlive a young-generation GC: held as HistoryEvent objects
// (~200 bytes each), they were the largest part of what the scavenger copied and promoted. The
// pipeline hands the buffer to the store (WriteBatch.historyRows): SQLite's encoder reads the
// columns row by row; PostgreSQL takes HistoryEvent objects (events()).
import type { HistoryEvent, NodeLearn, ObservationStatus } from '../core/types.js';

/** What a row takes from the learn an event changed (a HistoryEvent has the same fields). */
type LearnValues = Pick<NodeLearn, 'node' | 'pcTag' | 'rwBd' | 'remote' | 'seq' | 'flags' | 'ifId' | 'encap' | 'rwMac'>;

/** Numbers per row: vnid, node, ts, pcTag, rwBd, remote, seq, endpoint id. */
const NUMS = 8;
/** References per row: fabric, addr, status, flags, ifId, encap, rwMac. */
const REFS = 7;

export class HistoryBuffer {
  private nums = new Float64Array(0);
  private refs: (string | readonly string[])[] = [];
  private count = 0;

  constructor(capacity = 1024) {
    this.allocate(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** History events with their endpoint ids (0 or none: the store finds the endpoint by key), as columns. */
  static from(events: readonly HistoryEvent[], ids?: readonly number[]): HistoryBuffer {
    const b = new HistoryBuffer(events.length);
    for (let i = 0; i < events.length; i++) b.push(events[i] as HistoryEvent, ids?.[i] ?? 0);
    return b;
  }

  // Row i's fields.
  ep(i: number): number {
    return this.nums[i * NUMS + 7] as number;
  }
  vnid(i: number): number {
    return this.nums[i * NUMS] as number;
  }
  node(i: number): number {
    return this.nums[i * NUMS + 1] as number;
  }
  ts(i: number): number {
    return this.nums[i * NUMS + 2] as number;
  }
  pcTag(i: number): number {
    return this.nums[i * NUMS + 3] as number;
  }
  rwBd(i: number): number {
    return this.nums[i * NUMS + 4] as number;
  }
  remote(i: number): number {
    return this.nums[i * NUMS + 5] as number;
  }
  seq(i: number): number {
    return this.nums[i * NUMS + 6] as number;
  }
  fabric(i: number): string {
    return this.refs[i * REFS] as string;
  }
  addr(i: number): string {
    return this.refs[i * REFS + 1] as string;
  }
  status(i: number): ObservationStatus {
    return this.refs[i * REFS + 2] as ObservationStatus;
  }
  flags(i: number): readonly string[] {
    return this.refs[i * REFS + 3] as readonly string[];
  }
  ifId(i: number): string {
    return this.refs[i * REFS + 4] as string;
  }
  encap(i: number): string {
    return this.refs[i * REFS + 5] as string;
  }
  rwMac(i: number): string {
    return this.refs[i * REFS + 6] as string;
  }

  /** Appends a row of the endpoint numbered ep (0: the store finds it by key). */
  push(h: HistoryEvent, ep: number): void {
    this.pushLearn(h.fabric, h.vnid, h.addr, h, h.status, h.ts, ep);
  }

  /** The row of an event that changed learn l of endpoint (fabric, vnid, addr): l's values after it. */
  pushLearn(fabric: string, vnid: number, addr: string, l: LearnValues, status: ObservationStatus, ts: number, ep: number): void {
    if ((this.count + 1) * NUMS > this.nums.length) this.grow(2 * this.count + 1);
    const o = this.count * NUMS;
    const nums = this.nums;
    nums[o] = vnid;
    nums[o + 1] = l.node;
    nums[o + 2] = ts;
    nums[o + 3] = l.pcTag;
    nums[o + 4] = l.rwBd;
    nums[o + 5] = l.remote;
    nums[o + 6] = l.seq;
    nums[o + 7] = ep;
    const q = this.count * REFS;
    const refs = this.refs;
    refs[q] = fabric;
    refs[q + 1] = addr;
    refs[q + 2] = status;
    refs[q + 3] = l.flags;
    refs[q + 4] = l.ifId;
    refs[q + 5] = l.encap;
    refs[q + 6] = l.rwMac;
    this.count++;
  }

  /** The rows as HistoryEvent objects, with the endpoint id of each (WriteBatch.history, historyIds). */
  events(): { history: HistoryEvent[]; ids: number[] } {
    const history = new Array<HistoryEvent>(this.count);
    const ids = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) {
      history[i] = {
        fabric: this.fabric(i), vnid: this.vnid(i), addr: this.addr(i), node: this.node(i), status: this.status(i), ts: this.ts(i), flags: this.flags(i),
        ifId: this.ifId(i), encap: this.encap(i), pcTag: this.pcTag(i), rwMac: this.rwMac(i), rwBd: this.rwBd(i), remote: this.remote(i), seq: this.seq(i),
      };
      ids[i] = this.ep(i);
    }
    return { history, ids };
  }

  /** The event time of each row, in order. */
  times(): number[] {
    const out = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ts(i);
    return out;
  }

  /** Empties the buffer for reuse, keeping its columns (their old references are overwritten as rows come). */
  clear(): void {
    this.count = 0;
  }

  /** Puts the rows of earlier before this buffer's own (a failed write's rows, retried first). */
  prepend(earlier: HistoryBuffer): void {
    if (earlier.count === 0) return;
    const { nums, refs, count } = this;
    this.allocate(earlier.count + count);
    this.append(earlier.nums, earlier.refs, earlier.count);
    this.append(nums, refs, count);
  }

  private grow(capacity: number): void {
    const { nums, refs, count } = this;
    this.allocate(capacity);
    this.append(nums, refs, count);
  }

  /** Empty columns for capacity rows. */
  private allocate(capacity: number): void {
    const n = Math.max(1, capacity);
    this.nums = new Float64Array(n * NUMS);
    this.refs = new Array<string>(n * REFS).fill('');
    this.count = 0;
  }

  /** Copies count rows of other columns after this buffer's rows (there is room). */
  private append(nums: Float64Array, refs: readonly (string | readonly string[])[], count: number): void {
    this.nums.set(nums.subarray(0, count * NUMS), this.count * NUMS);
    for (let i = 0, q = this.count * REFS; i < count * REFS; i++, q++) this.refs[q] = refs[i] as string;
    this.count += count;
  }
}
