// Binary encoding of an EndpointState for the SQLite store (format 2): the fields of format 1
// (endpoint-codec.ts) as zigzag varints, times as differences to the state's time, and strings
// (flags, interfaces, encaps, binding MACs) each once per state, later uses by number. A state
// with six learns takes ~280 bytes against ~710 of JSON: endpoint rows at a million endpoints fill
// fewer pages, so a write batch dirties (and the WAL and checkpoints copy) fewer of them, and the
// encoding allocates nothing per field. All states of a write batch go into one buffer (StateBytes),
// which moves to the writer thread without a copy.
// Layout: 2, ts, learns: n, then per learn node, present, flags$, ifId$, encap$, pcTag, bd, vrf,
// rwMac$, rwBd, remote, ts-δ, seq, seen, bindSeen; current and previous location (0 | 1 node ifId$
// encap$ pcTag rwMac$ rwBd ts-δ); deletedTs; offsubnet n, nodes; stale n, nodes; rapidUntil;
// last move (0 | 1 src dst); bucketStart, c0..c3; rapidSkipped. $ is a string reference: 0 = '',
// k <= known = the k-th string already in this state, known + 1 = a new string (length, UTF-8).
import { EptError } from '../core/errors.js';
import { intern, internFlags, flagsText } from '../core/intern.js';
import { HEAD, LEARN_STRIDE, high, isPacked, low, packedValues, textKey, type PackedEndpointState } from '../core/packed-learns.js';
import type { EndpointFlags, EndpointKey, EndpointState, EndpointType, Location, NodeLearn, RateWindow } from '../core/types.js';
import { NO_ENDPOINT_FLAGS, NO_RATE } from '../core/analyses.js';

export const BINARY_FORMAT = 2;

const encoder = new TextEncoder();
/** Character codes of 0-9a-f. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A growing byte buffer the states of one batch are written into, one after another. */
export class StateBytes {
  bytes: Uint8Array;
  pos = 0;
  /** The strings of the state being written (references are per state). */
  private known: string[] = [];
  /** The same by textKey, for states written from packed numbers (ref()). */
  private keys: number[] = [];

  constructor(size = 64 * 1024) {
    this.bytes = new Uint8Array(size);
  }

  private room(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + n));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
  }

  /** A zigzag varint of a safe integer (at most 8 bytes for the values a state holds). */
  int(v: number): void {
    if (this.pos + 8 > this.bytes.length) this.room(8);
    const b = this.bytes;
    let pos = this.pos;
    // 32-bit integers (nearly every value: times are differences) with bit operations: z < 2^32.
    if ((v | 0) === v) {
      let z = v >= 0 ? v * 2 : -v * 2 - 1;
      while (z >= 128) {
        b[pos++] = (z & 127) | 128;
        z >>>= 7;
      }
      b[pos] = z;
      this.pos = pos + 1;
      return;
    }
    if (!Number.isSafeInteger(v)) throw new EptError('internal', `endpoint state: ${v} is not an integer the store can encode`);
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    while (z >= 128) {
      const q = Math.floor(z / 128);
      b[pos++] = z - q * 128 + 128;
      z = q;
    }
    b[pos] = z;
    this.pos = pos + 1;
  }

  str(s: string): void {
    if (s === '') return this.int(0);
    const k = this.known.indexOf(s);
    if (k >= 0) return this.int(k + 1);
    this.known.push(s);
    this.int(this.known.length);
    this.text(s);
  }

  /**
   * str() for a string known by its textKey (core/packed-learns.ts): writes its reference and
   * returns true, or, for a string new in this state, its new-string reference and returns false;
   * the caller then writes the string itself (text(), mac()). The same bytes as str().
   */
  ref(key: number): boolean {
    if (key === 0) {
      this.int(0);
      return true;
    }
    const k = this.keys.indexOf(key);
    if (k >= 0) {
      this.int(k + 1);
      return true;
    }
    this.keys.push(key);
    this.int(this.keys.length);
    return false;
  }

  /** A new string's length and UTF-8 bytes. */
  text(s: string): void {
    // ASCII (every name ept sees from an APIC) is copied by hand; anything else through TextEncoder.
    let ascii = true;
    for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 128;
    if (ascii) {
      this.int(s.length);
      this.room(s.length);
      for (let i = 0; i < s.length; i++) this.bytes[this.pos++] = s.charCodeAt(i);
      return;
    }
    const utf8 = encoder.encode(s);
    this.int(utf8.length);
    this.room(utf8.length);
    this.bytes.set(utf8, this.pos);
    this.pos += utf8.length;
  }

  /** text() of a 48-bit MAC in its lower-case colon form, from the number. */
  mac(v: number): void {
    this.int(17);
    this.room(17);
    const b = this.bytes;
    const hi = Math.floor(v / 0x100000000);
    const lo = v >>> 0;
    this.hex2((hi >>> 8) & 0xff);
    b[this.pos++] = 58;
    this.hex2(hi & 0xff);
    for (let shift = 24; shift >= 0; shift -= 8) {
      b[this.pos++] = 58;
      this.hex2((lo >>> shift) & 0xff);
    }
  }

  private hex2(x: number): void {
    this.bytes[this.pos++] = HEX_DIGITS[x >>> 4] as number;
    this.bytes[this.pos++] = HEX_DIGITS[x & 15] as number;
  }

  /** Starts a state: its string references start afresh. */
  begin(): number {
    this.known.length = 0;
    this.keys.length = 0;
    return this.pos;
  }
}

/**
 * A location; its strings by str(), or, for a state written from packed numbers (keyed), by
 * textKey (StateBytes.ref): one state's strings are referred to one way only.
 */
function writeLocation(w: StateBytes, l: Location | null, ts: number, keyed: boolean): void {
  if (l === null) return w.int(0);
  w.int(1);
  w.int(l.node);
  writeStr(w, l.ifId, keyed);
  writeStr(w, l.encap, keyed);
  w.int(l.pcTag);
  writeStr(w, l.rwMac, keyed);
  w.int(l.rwBd);
  w.int(l.ts - ts);
}

function writeStr(w: StateBytes, s: string, keyed: boolean): void {
  if (!keyed) w.str(s);
  else if (!w.ref(textKey(s))) w.text(s);
}

/** A list of node ids: its length, then the ids. */
function writeNodes(w: StateBytes, nodes: readonly number[]): void {
  w.int(nodes.length);
  for (let i = 0; i < nodes.length; i++) w.int(nodes[i] as number);
}

/** A packed name (interface, encap) by number. */
function packedName(w: StateBytes, id: number): void {
  if (!w.ref(packedValues.nameKey(id))) w.text(packedValues.nameText(id));
}

/** A packed binding MAC by code (0: none; > 0: 1 + the MAC; < 0: another form, by number). */
function packedMac(w: StateBytes, code: number): void {
  if (w.ref(packedValues.macKey(code))) return;
  if (code > 0) w.mac(code - 1);
  else w.text(packedValues.otherMacText(code));
}

/** The fields after the current location, the same for both ways of writing a state. */
function writeRest(w: StateBytes, s: EndpointState, keyed: boolean): void {
  const ts = s.ts;
  writeLocation(w, s.previous, ts, keyed);
  w.int(s.deletedTs);
  writeNodes(w, s.flags.offsubnet);
  writeNodes(w, s.flags.stale);
  w.int(s.flags.rapidUntil);
  if (s.lastMove === null) w.int(0);
  else {
    w.int(1);
    writeLocation(w, s.lastMove.src, ts, keyed);
    writeLocation(w, s.lastMove.dst, ts, keyed);
  }
  w.int(s.rate.bucketStart);
  const counts = s.rate.counts;
  for (let i = 0; i < counts.length; i++) w.int(counts[i] as number);
  w.int(s.rapidSkipped);
}

/**
 * A held state's bytes read straight from its packed numbers (core/packed-learns.ts): no learn
 * objects, flag texts or MAC strings, and repeated strings found by number. The same bytes as
 * writing its unpacked learns (checked in endpoint-codec.test.ts).
 */
function writePackedEndpoint(w: StateBytes, s: PackedEndpointState): void {
  const p = s.packed;
  const ts = s.ts;
  w.int(BINARY_FORMAT);
  w.int(ts);
  w.int((p.length - HEAD) / LEARN_STRIDE);
  for (let o = HEAD; o < p.length; o += LEARN_STRIDE) {
    const pf = p[o + 1] as number;
    const names2 = p[o + 2] as number;
    const tagBd = p[o + 3] as number;
    const vrfBd = p[o + 4] as number;
    const seen = p[o + 9] as number;
    w.int(p[o] as number);
    w.int(pf & 1);
    const fid = pf >>> 1;
    if (!w.ref(packedValues.flagsKey(fid))) w.text(packedValues.flagsText(fid));
    packedName(w, low(names2));
    packedName(w, high(names2));
    w.int(low(tagBd));
    w.int(high(tagBd));
    w.int(low(vrfBd));
    packedMac(w, p[o + 5] as number);
    w.int(high(vrfBd));
    w.int(p[o + 6] as number);
    w.int((p[o + 7] as number) - ts);
    w.int(p[o + 8] as number);
    w.int(low(seen));
    w.int(high(seen));
  }
  // The current location: [has, node, ifId|encap, pcTag|rwBd, rwMac, ts].
  if (p[0] !== 1) w.int(0);
  else {
    const names2 = p[2] as number;
    const tagBd = p[3] as number;
    w.int(1);
    w.int(p[1] as number);
    packedName(w, low(names2));
    packedName(w, high(names2));
    w.int(low(tagBd));
    packedMac(w, p[4] as number);
    w.int(high(tagBd));
    w.int((p[5] as number) - ts);
  }
  writeRest(w, s, true);
}

/** Appends the state (without its key) to w; returns its [offset, length] in w.bytes. */
export function writeEndpointBinary(w: StateBytes, s: EndpointState): [number, number] {
  const start = w.begin();
  if (isPacked(s)) {
    writePackedEndpoint(w, s);
    return [start, w.pos - start];
  }
  const learns = s.learns;
  const ts = s.ts;
  w.int(BINARY_FORMAT);
  w.int(ts);
  w.int(learns.length);
  for (let i = 0; i < learns.length; i++) {
    const l = learns[i] as NodeLearn;
    w.int(l.node);
    w.int(l.present ? 1 : 0);
    w.str(l.flags.length === 0 ? '' : flagsText(l.flags));
    w.str(l.ifId);
    w.str(l.encap);
    w.int(l.pcTag);
    w.int(l.bd);
    w.int(l.vrf);
    w.str(l.rwMac);
    w.int(l.rwBd);
    w.int(l.remote);
    w.int(l.ts - ts);
    w.int(l.seq);
    w.int(l.seen);
    w.int(l.bindSeen);
  }
  writeLocation(w, s.current, ts, false);
  writeRest(w, s, false);
  return [start, w.pos - start];
}

/** One state on its own (tests, tools). */
export function encodeEndpointBinary(s: EndpointState): Uint8Array {
  const w = new StateBytes(512);
  const [off, len] = writeEndpointBinary(w, s);
  return w.bytes.slice(off, off + len);
}

/** Reads what StateBytes wrote; every read is bounds-checked, and damaged bytes throw (fail()). */
export class StateReader {
  private pos = 0;
  private readonly known: string[] = [];

  constructor(
    private readonly b: Uint8Array,
    private readonly fail: (why: string) => never,
  ) {}

  int(): number {
    let z = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.b.length) this.fail('it ends in the middle of a number');
      const c = this.b[this.pos++] as number;
      z += (c & 127) * scale;
      if (c < 128) break;
      scale *= 128;
      if (scale > 2 ** 56) this.fail('a number is too long');
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  count(max: number, what: string): number {
    const n = this.int();
    if (n < 0 || n > max) this.fail(`${what} count ${n} is out of range`);
    return n;
  }

  str(): string {
    const k = this.int();
    if (k === 0) return '';
    if (k >= 1 && k <= this.known.length) return this.known[k - 1] as string;
    if (k !== this.known.length + 1) this.fail(`string reference ${k} is out of range`);
    const len = this.int();
    if (len < 0 || this.pos + len > this.b.length) this.fail('a string runs past its end');
    let s: string;
    try {
      s = decoder.decode(this.b.subarray(this.pos, this.pos + len));
    } catch {
      this.fail('a string is not UTF-8');
    }
    this.pos += len;
    this.known.push(s);
    return s;
  }

  /** True when every byte has been read. */
  done(): boolean {
    return this.pos >= this.b.length;
  }

  end(): void {
    if (this.pos !== this.b.length) this.fail(`${this.b.length - this.pos} bytes are left over`);
  }
}

function readLocation(r: StateReader, ts: number): Location | null {
  const has = r.int();
  if (has === 0) return null;
  return { node: r.int(), ifId: intern(r.str()), encap: intern(r.str()), pcTag: r.int(), rwMac: r.str(), rwBd: r.int(), ts: ts + r.int() };
}

/** A list writeNodes wrote. */
function readNodes(r: StateReader, what: string): number[] {
  return Array.from({ length: r.count(4096, what) }, () => r.int());
}

/** What a stored state holds (either format), besides the key, type and id of its row. */
export interface StoredParts {
  learns: NodeLearn[];
  current: Location | null;
  previous: Location | null;
  deletedTs: number;
  offsubnet: number[];
  stale: number[];
  rapidUntil: number;
  lastMove: EndpointState['lastMove'];
  bucketStart: number;
  counts: [number, number, number, number];
  rapidSkipped: number;
  ts: number;
}

/**
 * The state of a row. Empty flags and an idle rate window become the shared instances, as new
 * endpoints have them.
 */
export function storedState(key: EndpointKey, type: EndpointType, id: number, p: StoredParts): EndpointState {
  const { offsubnet, stale, rapidUntil, bucketStart, counts } = p;
  const flags: EndpointFlags = offsubnet.length || stale.length || rapidUntil ? { offsubnet, stale, rapidUntil } : NO_ENDPOINT_FLAGS;
  const rate: RateWindow = bucketStart || counts.some((c) => c !== 0) ? { bucketStart, counts } : NO_RATE;
  return {
    id, fabric: key.fabric, vnid: key.vnid, addr: key.addr, type, learns: p.learns, current: p.current, previous: p.previous,
    deletedTs: p.deletedTs, flags, lastMove: p.lastMove, rate, rapidSkipped: p.rapidSkipped, ts: p.ts,
  };
}

/** Decodes a state writeEndpointBinary wrote, given the key, type and id from its row. */
export function decodeEndpointBinary(key: EndpointKey, type: EndpointType, bytes: Uint8Array, id = 0): EndpointState {
  const fail = (why: string): never => {
    throw new EptError('store_error', `endpoint ${key.fabric}/${key.vnid}/${key.addr}: stored state is damaged: ${why}`);
  };
  const r = new StateReader(bytes, fail);
  if (r.int() !== BINARY_FORMAT) fail('unknown format');
  const ts = r.int();
  const n = r.count(4096, 'learn');
  const learns: NodeLearn[] = [];
  for (let i = 0; i < n; i++) {
    learns.push({
      node: r.int(),
      present: r.int() === 1,
      flags: internFlags(r.str()),
      ifId: intern(r.str()),
      encap: intern(r.str()),
      pcTag: r.int(),
      bd: r.int(),
      vrf: r.int(),
      rwMac: r.str(),
      rwBd: r.int(),
      remote: r.int(),
      ts: ts + r.int(),
      seq: r.int(),
      seen: r.int(),
      bindSeen: r.int(),
    });
  }
  const current = readLocation(r, ts);
  const previous = readLocation(r, ts);
  const deletedTs = r.int();
  const offsubnet = readNodes(r, 'offsubnet node');
  const stale = readNodes(r, 'stale node');
  const rapidUntil = r.int();
  let lastMove: EndpointState['lastMove'] = null;
  if (r.int() === 1) {
    const src = readLocation(r, ts);
    const dst = readLocation(r, ts);
    if (!src || !dst) fail('a last move without both locations');
    lastMove = { src: src as Location, dst: dst as Location };
  }
  const bucketStart = r.int();
  const counts: [number, number, number, number] = [r.int(), r.int(), r.int(), r.int()];
  const rapidSkipped = r.int();
  r.end();
  return storedState(key, type, id, { learns, current, previous, deletedTs, offsubnet, stale, rapidUntil, lastMove, bucketStart, counts, rapidSkipped, ts });
}
