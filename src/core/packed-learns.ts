// An endpoint's node learns and current location packed into one plain array of doubles, the form
// the pipeline keeps them in between events. A NodeLearn object costs ~160 bytes on the V8 heap (15
// tagged fields and a boxed time) and an endpoint has about four; a Location ~130 bytes with its
// time and MAC. Packed, a learn is ten unboxed doubles (80 bytes) and the location six, in one array
// per endpoint that the garbage collector does not have to trace. The analyses still work on
// objects: the pipeline unpacks an endpoint for an event and packs it after.
// Layout: [has current (0/1), node, ifId|encap, pcTag|rwBd, rwMac, ts, state ts, state deletedTs,
// learn 0 (LEARN_STRIDE), …]. The state's own two times are the holder's (the pipeline's held
// states read and write them there, unboxed): packing leaves them, and a new array takes them over.
import { EptError } from './errors.js';
import { formatMacNumber } from '../protocols/ethernet-addresses.js';
import { flagsText, internFlags, NO_FLAGS } from './intern.js';
import type { EndpointState, Location, NodeLearn } from './types.js';

/** Doubles per learn. */
export const LEARN_STRIDE = 10;
/** Doubles of the current location. */
const LOCATION = 6;
/** Where the state's own time and delete time are kept (see the layout). */
export const STATE_TS = 6;
export const STATE_DELETED_TS = 7;
/** Doubles before the first learn: the current location and the state's two times. */
export const HEAD = 8;

// Two small non-negative integers share a double: a + b * 2^26 (vnids are 24-bit, pcTags 16-bit).
const HALF = 2 ** 26;

/**
 * The two numbers pair() packed into x: low(x) is x % HALF and high(x) x / HALF rounded down,
 * without a floating-point remainder (which V8 computes by a library call: it made unpacking and
 * writing a state from the packed numbers slower than from objects).
 */
export function low(x: number): number {
  return x - Math.floor(x / HALF) * HALF;
}

export function high(x: number): number {
  return Math.floor(x / HALF);
}

/** A two-way table of values and their numbers (0 is the empty value). Grows; never shrinks. */
class ValueTable<T> {
  private readonly ids = new Map<string, number>();
  private readonly values: T[];
  /** The key (text) of each number. */
  private readonly keys: string[] = [''];
  /** textKey of each number's key; NaN until first asked for (keyOf). */
  private readonly textKeys: number[] = [0];

  constructor(empty: T) {
    this.values = [empty];
  }

  id(key: string, value: T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      if (id >= HALF) throw new EptError('internal', `more than ${HALF} distinct learn values: cannot pack ${JSON.stringify(key)}`);
      this.ids.set(key, id);
      this.values.push(value);
      this.keys.push(key);
      this.textKeys.push(NaN);
    }
    return id;
  }

  value(id: number): T {
    return this.values[id] as T;
  }

  key(id: number): string {
    return this.keys[id] as string;
  }

  /** textKey(key(id)), computed once per number. */
  keyOf(id: number): number {
    let k = this.textKeys[id] as number;
    if (Number.isNaN(k)) k = this.textKeys[id] = textKey(this.keys[id] as string);
    return k;
  }
}

/** Numbers of texts that are not lower-case colon MACs (textKey): the names and flag lists packed, as their tables hold them. */
const textIds = new Map<string, number>();

/**
 * A number standing for a text, equal for two texts exactly when they are equal: 0 for '', minus
 * the packed MAC code for a lower-case colon MAC, else a number >= 1 given to the text when first
 * seen. Encoders that refer to repeated strings by identity (store/endpoint-binary.ts) compare these
 * instead of strings read back from the packed numbers.
 */
export function textKey(s: string): number {
  if (s === '') return 0;
  const c = colonMacCode(s);
  if (c > 0) return -c;
  let k = textIds.get(s);
  if (k === undefined) {
    k = textIds.size + 1;
    textIds.set(s, k);
  }
  return k;
}

const flagSets = new ValueTable<readonly string[]>(NO_FLAGS);
const names = new ValueTable<string>('');
/** Binding MACs not in the APIC's colon form (tests, hand-made input): numbered, stored negative. */
const otherMacs = new ValueTable<string>('');

/** Numbers of flag lists by identity: lists are interned, so this skips a lookup by text per learn. */
const flagIds = new WeakMap<readonly string[], number>();

function flagsId(f: readonly string[]): number {
  if (f.length === 0) return 0;
  let id = flagIds.get(f);
  if (id === undefined) {
    const key = flagsText(f);
    id = flagSets.id(key, internFlags(key));
    flagIds.set(f, id);
  }
  return id;
}

function nameId(s: string): number {
  return s === '' ? 0 : names.id(s, s);
}

function pair(a: number, b: number, what: string): number {
  if (!(a >= 0 && a < HALF && b >= 0 && b < HALF && Number.isInteger(a) && Number.isInteger(b))) {
    throw new EptError('internal', `learn ${what} out of range for packing: ${a}, ${b}`);
  }
  return a + b * HALF;
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/** 1 + the MAC as a 48-bit number for a lower-case colon MAC, else 0. */
function colonMacCode(mac: string): number {
  if (mac.length !== 17) return 0;
  let n = 0;
  for (let i = 0; i < 17; i++) {
    const c = mac.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return 0;
    } else if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) n = n * 16 + hexValue(c);
    else return 0;
  }
  return n + 1;
}

/** 1 + the MAC as a 48-bit number for a lower-case colon MAC; -id for any other text; 0 for ''. */
function macCode(mac: string): number {
  if (mac === '') return 0;
  return colonMacCode(mac) || -otherMacs.id(mac, mac);
}

let lastMacCode = 0;
let lastMacText = '';

function macText(code: number): string {
  if (code === 0) return '';
  if (code === lastMacCode) return lastMacText;
  lastMacCode = code;
  lastMacText = code < 0 ? otherMacs.value(-code) : formatMacNumber(code - 1);
  return lastMacText;
}

function writeLearn(out: number[] | Float64Array, o: number, l: NodeLearn): void {
  out[o] = l.node;
  out[o + 1] = (l.present ? 1 : 0) + 2 * flagsId(l.flags);
  out[o + 2] = pair(nameId(l.ifId), nameId(l.encap), 'interface/encap');
  out[o + 3] = pair(l.pcTag, l.bd, 'pcTag/bd');
  out[o + 4] = pair(l.vrf, l.rwBd, 'vrf/binding bd');
  out[o + 5] = macCode(l.rwMac);
  out[o + 6] = l.remote;
  out[o + 7] = l.ts;
  out[o + 8] = l.seq;
  out[o + 9] = pair(l.seen, l.bindSeen, 'sync epochs');
}

function writeHead(out: number[] | Float64Array, current: Location | null): void {
  if (current === null) {
    for (let i = 0; i < LOCATION; i++) out[i] = 0;
    return;
  }
  out[0] = 1;
  out[1] = current.node;
  out[2] = pair(nameId(current.ifId), nameId(current.encap), 'location interface/encap');
  out[3] = pair(current.pcTag, current.rwBd, 'location pcTag/binding bd');
  out[4] = macCode(current.rwMac);
  out[5] = current.ts;
}

/** Packs learns and the current location into one array of doubles. */
export function packLearns(learns: readonly NodeLearn[], current: Location | null = null): number[] {
  const out = new Array<number>(HEAD + learns.length * LEARN_STRIDE);
  writeHead(out, current);
  out[STATE_TS] = 0;
  out[STATE_DELETED_TS] = 0;
  for (let i = 0; i < learns.length; i++) writeLearn(out, HEAD + i * LEARN_STRIDE, learns[i] as NodeLearn);
  return out;
}

/** Where repackLearns packs before copying: a value out of range throws before p is touched. */
let scratch = new Float64Array(HEAD + 8 * LEARN_STRIDE);

/**
 * Packs into p when the learns fit (the same number of learns, or fewer: p shrinks in place), else
 * into a new array of their size (growing p in place would give it room to spare: ~190 MB more
 * heap at a million endpoints). Either way p is left as it was when a value cannot be packed (the
 * error names it). With `only` (an index into learns), the other learns are known to be as p holds
 * them: the current location and that learn alone are packed.
 */
export function repackLearns(p: number[], learns: readonly NodeLearn[], current: Location | null = null, only = -1): number[] {
  const n = HEAD + learns.length * LEARN_STRIDE;
  if (scratch.length < n) scratch = new Float64Array(2 * n);
  if (p.length === n && only >= 0 && only < learns.length) {
    const o = HEAD + only * LEARN_STRIDE;
    writeHead(scratch, current);
    writeLearn(scratch, o, learns[only] as NodeLearn);
    for (let i = 0; i < LOCATION; i++) p[i] = scratch[i] as number;
    for (let i = o; i < o + LEARN_STRIDE; i++) p[i] = scratch[i] as number;
    return p;
  }
  if (p.length < n) {
    const q = packLearns(learns, current);
    q[STATE_TS] = p[STATE_TS] as number;
    q[STATE_DELETED_TS] = p[STATE_DELETED_TS] as number;
    return q;
  }
  writeHead(scratch, current);
  for (let i = 0; i < learns.length; i++) writeLearn(scratch, HEAD + i * LEARN_STRIDE, learns[i] as NodeLearn);
  if (p.length > n) p.length = n;
  for (let i = 0; i < LOCATION; i++) p[i] = scratch[i] as number;
  for (let i = HEAD; i < n; i++) p[i] = scratch[i] as number;
  return p;
}

/** The current location packLearns packed, as a new Location, or null. */
export function unpackCurrent(p: readonly number[]): Location | null {
  if (p[0] !== 1) return null;
  const names2 = p[2] as number;
  const tagBd = p[3] as number;
  return {
    node: p[1] as number,
    ifId: names.value(low(names2)),
    encap: names.value(high(names2)),
    pcTag: low(tagBd),
    rwMac: macText(p[4] as number),
    rwBd: high(tagBd),
    ts: p[5] as number,
  };
}

function blankLearn(): NodeLearn {
  return { node: 0, present: false, flags: NO_FLAGS, ifId: '', encap: '', pcTag: 0, bd: 0, vrf: 0, rwMac: '', rwBd: 0, remote: 0, ts: 0, seq: 0, seen: 0, bindSeen: 0 };
}

/**
 * The learns packLearns packed, as NodeLearn objects: new ones, or with `pool` the pool's objects
 * (grown as needed), overwritten by the next call with that pool. The pipeline unpacks an endpoint
 * for every event and packs it again in the same synchronous step: reusing the objects saves
 * ~1.3 KB of garbage per event (sampled in the fabric benchmark).
 */
export function unpackLearns(p: readonly number[], pool?: NodeLearn[]): NodeLearn[] {
  const n = (p.length - HEAD) / LEARN_STRIDE;
  const out = new Array<NodeLearn>(n);
  let rwMac = '';
  let rwCode = 0;
  for (let i = 0, o = HEAD; i < n; i++, o += LEARN_STRIDE) {
    const pf = p[o + 1] as number;
    const names2 = p[o + 2] as number;
    const tagBd = p[o + 3] as number;
    const vrfBd = p[o + 4] as number;
    const mac = p[o + 5] as number;
    const seen = p[o + 9] as number;
    // One MAC string for the learns of an endpoint that share a binding (the usual case).
    if (mac !== rwCode) {
      rwCode = mac;
      rwMac = macText(mac);
    }
    const fid = pf >>> 1;
    let l: NodeLearn;
    if (pool) {
      l = pool[i] ?? blankLearn();
      pool[i] = l;
    } else l = blankLearn();
    l.node = p[o] as number;
    l.present = (pf & 1) === 1;
    l.flags = fid === 0 ? NO_FLAGS : (flagSets.value(fid) as readonly string[]);
    l.ifId = names.value(low(names2));
    l.encap = names.value(high(names2));
    l.pcTag = low(tagBd);
    l.bd = high(tagBd);
    l.vrf = low(vrfBd);
    l.rwMac = rwMac;
    l.rwBd = high(vrfBd);
    l.remote = p[o + 6] as number;
    l.ts = p[o + 7] as number;
    l.seq = p[o + 8] as number;
    l.seen = low(seen);
    l.bindSeen = high(seen);
    out[i] = l;
  }
  return out;
}

/**
 * Reading packed values without unpacking (store/endpoint-binary.ts writes rows from the packed
 * numbers): the text of a name or flag-set number, and the textKey of a name, flag-set or MAC code.
 */
export const packedValues = {
  nameText: (id: number): string => names.key(id),
  nameKey: (id: number): number => names.keyOf(id),
  flagsText: (id: number): string => flagSets.key(id),
  flagsKey: (id: number): number => flagSets.keyOf(id),
  /** A MAC code's text: only for codes < 0 (other MAC forms); a code > 0 is 1 + the MAC's 48-bit value. */
  otherMacText: (code: number): string => otherMacs.key(-code),
  macKey: (code: number): number => (code > 0 ? -code : code === 0 ? 0 : otherMacs.keyOf(-code)),
};

/** The node of the packed current location, null when there is none (unpackCurrent(p)?.node without the object). */
export function currentNode(p: readonly number[]): number | null {
  return p[0] === 1 ? (p[1] as number) : null;
}

/** True when any packed learn is present. */
export function anyPresent(p: readonly number[]): boolean {
  for (let o = HEAD + 1; o < p.length; o += LEARN_STRIDE) if (((p[o] as number) & 1) === 1) return true;
  return false;
}

/** The highest sync epoch any packed learn was seen in. */
export function maxSeen(p: readonly number[]): number {
  let m = 0;
  for (let o = HEAD + 9; o < p.length; o += LEARN_STRIDE) {
    const v = p[o] as number;
    m = Math.max(m, low(v), high(v));
  }
  return m;
}

/**
 * False when no packed learn can get a delete at the end of a sync (see missedInSync in
 * analyses.ts, which decides on the unpacked learns): every learn in scope was seen by it or
 * changed since it began.
 */
export function mayMissInSync(p: readonly number[], isMac: boolean, epoch: number, nodes: ReadonlySet<number> | null, since: number): boolean {
  for (let o = HEAD; o < p.length; o += LEARN_STRIDE) {
    if (nodes && !nodes.has(p[o] as number)) continue;
    if ((p[o + 7] as number) >= since) continue;
    const seen = p[o + 9] as number;
    if (((p[o + 1] as number) & 1) === 1 && low(seen) < epoch) return true;
    if (!isMac && p[o + 5] !== 0 && high(seen) < epoch) return true;
  }
  return false;
}

/**
 * An endpoint state as the pipeline holds it: its learns and current location are in `packed`,
 * while `learns` is empty and `current` null. The pipeline hands such states to the store's
 * writeBatch, which reads them through anyPresent / unpackLearns / unpackCurrent
 * (store/endpoint-columns.ts, store/endpoint-codec.ts).
 */
export interface PackedEndpointState extends EndpointState {
  packed: number[];
}

export function isPacked(s: EndpointState): s is PackedEndpointState {
  return (s as Partial<PackedEndpointState>).packed !== undefined;
}
