// Websocket frames of endpoint events read straight from their bytes. JSON.parse of a frame built
// every attribute of every object (about twenty strings per endpoint event, of which the analyses
// read six) and needed the frame as a string first: together ~45 % of the garbage per event and
// ~1.4 us of CPU in the fabric benchmark. This scanner checks the whole frame's JSON syntax, keeps
// of an endpoint object (ENDPOINT_CLASSES) only the attributes toObservation reads, and decodes any
// other object with JSON.parse, as before. It answers null for anything off its path (a syntax
// error, an escape or a non-string in a kept attribute, an entry with children or more than one
// class, a subscription id that is not a string): the caller then parses the frame the ordinary
// way, which reports the problem as it always did. Whatever it accepts, JSON.parse accepts and
// reads the same (apic-frame.test.ts checks both on the fixtures and on mutated frames).
// An endpoint object goes one step further: its observation is read from the bytes (fuse), DN and
// address included, so the event's DN never becomes a string (the DN strings, the attribute
// objects and the parsed DNs were a quarter of the event loop's garbage at 60K events/s); what
// that reading does not take is kept as attributes for toObservation, which gives the same result.
import { normalizeIp } from '../core/address.js';
import { intern, internFlags } from '../core/intern.js';
import type { Observation, ObservationClass, ObservationStatus } from '../core/types.js';
import { ENDPOINT_CLASSES, parseApicValue, type ApicMessage, type ApicObject, type ParseProblem } from './apic-objects.js';
import { dnParts, scanEndpointDn } from './endpoint-dn.js';

/** The attributes of an endpoint object that ept reads (toObservation). */
export const ENDPOINT_EVENT_ATTRS: readonly string[] = ['dn', 'status', 'flags', 'ifId', 'pcTag', 'encap'];

const ENDPOINT_CLASS_SET = new Set(Object.keys(ENDPOINT_CLASSES));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** 1 for the bytes a string may hold as they are: printable ASCII but the quote and the backslash. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x7f; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/** Thrown inside the scanner when the frame leaves its path; never escapes scanApicFrame. */
class OffPath extends Error {}
const OFF = new OffPath();

/** Canonical strings for short ASCII values (flags, interface, encap, pcTag, status): no new string per event. */
class ShortStrings {
  private readonly byHash = new Map<number, string>();

  get(b: Buffer, s: number, e: number): string {
    let h = e - s;
    for (let i = s; i < e; i++) h = Math.imul(h ^ (b[i] as number), 16777619);
    const hit = this.byHash.get(h);
    if (hit !== undefined && hit.length === e - s) {
      let same = true;
      for (let i = 0; i < hit.length; i++) {
        if (hit.charCodeAt(i) !== b[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    const str = b.toString('latin1', s, e);
    if (this.byHash.size < 8192) this.byHash.set(h, str);
    return str;
  }
}

const shortStrings = new ShortStrings();

/** Whether the bytes at s spell w (ASCII). */
function same(b: Buffer, s: number, w: string): boolean {
  for (let i = 0; i < w.length; i++) if (b[s + i] !== w.charCodeAt(i)) return false;
  return true;
}

/** Per key of an endpoint object's attributes: its slot (0-5) in ENDPOINT_EVENT_ATTRS, or -1. */
function attrSlot(b: Buffer, s: number, e: number): number {
  const n = e - s;
  // dn, status, flags, ifId, pcTag, encap: told apart by length and first byte.
  switch (n) {
    case 2:
      return b[s] === 0x64 && b[s + 1] === 0x6e ? 0 : -1;
    case 4:
      return same(b, s, 'ifId') ? 3 : -1;
    case 5:
      if (b[s] === 0x66) return same(b, s, 'flags') ? 2 : -1;
      if (b[s] === 0x70) return same(b, s, 'pcTag') ? 4 : -1;
      if (b[s] === 0x65) return same(b, s, 'encap') ? 5 : -1;
      return -1;
    case 6:
      return same(b, s, 'status') ? 1 : -1;
    default:
      return -1;
  }
}

class Scanner {
  p = 0;
  /** Set by str(): whether the string just read had an escape or a byte above 0x7f. */
  escaped = false;
  wide = false;

  constructor(
    readonly b: Buffer,
    readonly end: number,
  ) {}

  ws(): number {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.p = p;
    if (p >= this.end) throw OFF;
    return b[p] as number;
  }

  expect(c: number): void {
    if (this.ws() !== c) throw OFF;
    this.p++;
  }

  /** Consumes an object's or array's opening byte; true when it closes at once (closing byte consumed). */
  enter(open: number, close: number): boolean {
    this.expect(open);
    if (this.ws() !== close) return false;
    this.p++;
    return true;
  }

  /** Reads a string at p (the opening quote); returns the index of its closing quote, p past it. */
  str(): number {
    const b = this.b;
    const end = this.end;
    let p = this.p + 1;
    let escaped = false;
    let wide = false;
    for (;;) {
      if (p >= end) throw OFF;
      const c = b[p] as number;
      // One table lookup for the bytes a string is mostly made of.
      if (PLAIN[c] === 1) {
        p++;
        continue;
      }
      if (c === QUOTE) break;
      if (c < 0x20) throw OFF;
      if (c === BACKSLASH) {
        escaped = true;
        const x = b[p + 1];
        if (x === 0x75) {
          for (let k = 2; k < 6; k++) {
            const h = b[p + k] as number;
            if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) throw OFF;
          }
          p += 6;
          continue;
        }
        if (x !== QUOTE && x !== BACKSLASH && x !== 0x2f && x !== 0x62 && x !== 0x66 && x !== 0x6e && x !== 0x72 && x !== 0x74) throw OFF;
        p += 2;
        continue;
      }
      if (c > 0x7f) wide = true;
      p++;
    }
    this.escaped = escaped;
    this.wide = wide;
    this.p = p + 1;
    return p;
  }

  /** A string value as text (escapes decoded by JSON.parse, UTF-8 decoded). */
  text(s: number, e: number): string {
    if (this.escaped) return JSON.parse(this.b.toString('utf8', s - 1, e + 1)) as string;
    return this.wide ? this.b.toString('utf8', s, e) : this.b.toString('latin1', s, e);
  }

  /** Skips one value of any kind, checking its syntax. */
  skip(): void {
    const c = this.ws();
    if (c === QUOTE) {
      this.str();
      return;
    }
    if (c === 0x7b) {
      if (this.enter(0x7b, 0x7d)) return;
      for (;;) {
        if (this.ws() !== QUOTE) throw OFF;
        this.str();
        this.expect(0x3a);
        this.skip();
        if (this.sep(0x7d)) return;
      }
    }
    if (c === 0x5b) {
      if (this.enter(0x5b, 0x5d)) return;
      for (;;) {
        this.skip();
        if (this.sep(0x5d)) return;
      }
    }
    if (c === 0x74) return this.word('true');
    if (c === 0x66) return this.word('false');
    if (c === 0x6e) return this.word('null');
    this.number();
  }

  /** After a member: true at the closing byte (consumed), false at a comma (consumed). */
  sep(close: number): boolean {
    const c = this.ws();
    this.p++;
    if (c === close) return true;
    if (c !== 0x2c) throw OFF;
    return false;
  }

  word(w: string): void {
    for (let i = 0; i < w.length; i++) if (this.b[this.p + i] !== w.charCodeAt(i)) throw OFF;
    this.p += w.length;
  }

  /** A JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  number(): void {
    const b = this.b;
    let p = this.p;
    const digit = (i: number): boolean => {
      const c = b[i];
      return c !== undefined && c >= 0x30 && c <= 0x39 && i < this.end;
    };
    if (b[p] === 0x2d) p++;
    if (b[p] === 0x30) p++;
    else if (digit(p)) while (digit(p)) p++;
    else throw OFF;
    if (b[p] === 0x2e) {
      p++;
      if (!digit(p)) throw OFF;
      while (digit(p)) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      if (!digit(p)) throw OFF;
      while (digit(p)) p++;
    }
    this.p = p;
  }
}

/** Slots of the kept attributes (their index in ENDPOINT_EVENT_ATTRS). */
const DN = 0;
const STATUS = 1;
const FLAGS = 2;
const IF_ID = 3;
const PC_TAG = 4;
const ENCAP = 5;

/** Where each kept attribute's value is in the frame (start, end; -1 when absent), and whether it is wide. */
const spans = new Int32Array(ENDPOINT_EVENT_ATTRS.length * 2);
const wideAt = new Uint8Array(ENDPOINT_EVENT_ATTRS.length);

/** Reads an endpoint object's attributes: the kept ones' places into spans (the last of a repeated key). */
function endpointSpans(sc: Scanner): void {
  const b = sc.b;
  spans.fill(-1);
  if (sc.enter(0x7b, 0x7d)) return;
  for (;;) {
    if (sc.ws() !== QUOTE) throw OFF;
    const ks = sc.p + 1;
    const ke = sc.str();
    // An escaped key may spell a kept one: the ordinary way.
    if (sc.escaped) throw OFF;
    const slot = attrSlot(b, ks, ke);
    sc.expect(0x3a);
    if (slot < 0) sc.skip();
    else {
      if (sc.ws() !== QUOTE) throw OFF;
      const vs = sc.p + 1;
      const ve = sc.str();
      if (sc.escaped) throw OFF;
      spans[2 * slot] = vs;
      spans[2 * slot + 1] = ve;
      wideAt[slot] = sc.wide ? 1 : 0;
    }
    if (sc.sep(0x7d)) return;
  }
}

/** The kept attribute of a slot as text, undefined when absent: the DN is long and its own, the others repeat. */
function spanText(b: Buffer, slot: number): string | undefined {
  const s = spanStart(slot);
  if (s < 0) return undefined;
  const e = spanEnd(slot);
  if (wideAt[slot]) return b.toString('utf8', s, e);
  return slot === DN ? b.toString('latin1', s, e) : shortStrings.get(b, s, e);
}

/** An endpoint object's attributes, the kept ones only (for what fuse leaves to toObservation). */
function spanAttrs(b: Buffer): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (let slot = 0; slot < ENDPOINT_EVENT_ATTRS.length; slot++) {
    const v = spanText(b, slot);
    if (v !== undefined) attrs[ENDPOINT_EVENT_ATTRS[slot] as string] = v;
  }
  return attrs;
}

/** Where the kept attribute of a slot starts (-1 when absent) and ends. */
function spanStart(slot: number): number {
  return spans[2 * slot] as number;
}

function spanEnd(slot: number): number {
  return spans[2 * slot + 1] as number;
}

/** Whether the kept attribute of a slot is present and spells w. */
function spanIs(b: Buffer, slot: number, w: string): boolean {
  const s = spanStart(slot);
  return s >= 0 && spanEnd(slot) - s === w.length && same(b, s, w);
}

const BINDING_SEP = '/rsmacEpToIpEpAtt-[';
/** Character codes of a MAC being lower-cased (reused). */
const macCodes: number[] = new Array<number>(17).fill(0);

/** The lower-case colon MAC at b[s, e) (the APIC's form, either case), or null for any other form. */
function macAt(b: Buffer, s: number, e: number): string | null {
  if (e - s !== 17) return null;
  for (let i = 0; i < 17; i++) {
    const c = b[s + i] as number;
    if (i % 3 === 2) {
      if (c !== 58) return null;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return null;
    macCodes[i] = c >= 65 && c <= 70 ? c + 32 : c;
  }
  return String.fromCharCode.apply(null, macCodes);
}

/** The normalised IP at b[s, e), or null. */
function ipAt(b: Buffer, s: number, e: number): string | null {
  return normalizeIp(b.toString('latin1', s, e), true);
}

/** The status of an event as toObservation reads it. */
function statusOf(b: Buffer): ObservationStatus {
  return spanIs(b, STATUS, 'deleted') ? 'deleted' : spanIs(b, STATUS, 'modified') ? 'modified' : 'created';
}

/** A pcTag of digits (at most five), 'any' or '' as toObservation reads it; NaN for anything else (left to it). */
function pcTagAt(b: Buffer, s: number, e: number): number {
  if (e === s || (e - s === 3 && same(b, s, 'any'))) return 0;
  if (e - s > 5) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i] as number;
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  return v <= 0xffff ? v : NaN;
}

/**
 * The observation an endpoint object gives (toObservation's reading, with fabric '' and ts 0 for
 * the receiver to set), straight from the bytes: no DN string, no attributes object. Null when
 * anything is off the common path (a DN that does not parse, a MAC in another form, a non-ASCII
 * DN, an odd pcTag): toObservation then reads the attributes and gives the reason, as always.
 */
function fuse(b: Buffer, cls: ObservationClass): Observation | null {
  const dnS = spanStart(DN);
  const dnE = spanEnd(DN);
  if (dnS < 0 || wideAt[DN]) return null;
  const status = statusOf(b);
  if (cls === 'binding') {
    if (dnE - dnS < 2 || b[dnE - 1] !== 0x5d) return null;
    const i = b.indexOf(BINDING_SEP, dnS, 'latin1');
    if (i < 0 || i >= dnE) return null;
    if (!scanEndpointDn(b, dnS, i) || !dnParts.mac) return null;
    const node = dnParts.node;
    const bd = dnParts.bd;
    const mac = macAt(b, dnParts.addrStart, dnParts.addrEnd);
    const ipStart = i + BINDING_SEP.length;
    if (mac === null || ipStart > dnE - 1 || !scanEndpointDn(b, ipStart, dnE - 1) || dnParts.mac) return null;
    const ip = ipAt(b, dnParts.addrStart, dnParts.addrEnd);
    if (ip === null) return null;
    const vrf = dnParts.vrf;
    return {
      fabric: '', cls, node, vnid: vrf, addr: ip, status, ts: 0,
      flags: undefined, ifId: undefined, encap: undefined, pcTag: undefined, bd, vrf, mac, fromQuery: undefined,
    };
  }
  if (!scanEndpointDn(b, dnS, dnE) || dnParts.mac !== (cls === 'mac')) return null;
  const p = dnParts;
  const addr = p.mac ? macAt(b, p.addrStart, p.addrEnd) : ipAt(b, p.addrStart, p.addrEnd);
  if (addr === null) return null;
  const live = status !== 'deleted';
  let pcTag: number | undefined;
  if (live && spanStart(PC_TAG) >= 0) {
    pcTag = pcTagAt(b, spanStart(PC_TAG), spanEnd(PC_TAG));
    if (Number.isNaN(pcTag)) return null;
  }
  // The event's encap when it has one, else the DN's.
  let encap: string | undefined;
  if (live && spanStart(ENCAP) >= 0 && spanEnd(ENCAP) > spanStart(ENCAP)) encap = spanText(b, ENCAP);
  else if (p.encapEnd > p.encapStart) encap = shortStrings.get(b, p.encapStart, p.encapEnd);
  const flags = live ? spanText(b, FLAGS) : undefined;
  const ifId = live ? spanText(b, IF_ID) : undefined;
  return {
    fabric: '',
    cls,
    node: p.node,
    vnid: cls === 'mac' ? p.bd : p.vrf,
    addr,
    status,
    ts: 0,
    flags: flags !== undefined ? internFlags(flags) : undefined,
    ifId: ifId !== undefined ? intern(ifId) : undefined,
    encap: encap !== undefined ? intern(encap) : undefined,
    pcTag,
    bd: p.bd || undefined,
    vrf: p.vrf,
    mac: undefined,
    fromQuery: undefined,
  };
}

/** The attributes of an endpoint object read into its observation (apic-objects.ts: ApicObject.obs). */
const FUSED_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** One imdata entry: {"<class>": {"attributes": {...}}}, added to objects; false for an error answer. */
function entry(sc: Scanner, objects: ApicObject[]): boolean {
  const start = sc.ws();
  if (start !== 0x7b) throw OFF;
  const from = sc.p;
  sc.p++;
  if (sc.ws() !== QUOTE) throw OFF;
  const cs = sc.p + 1;
  const ce = sc.str();
  if (sc.escaped || sc.wide) throw OFF;
  const cls = shortStrings.get(sc.b, cs, ce);
  sc.expect(0x3a);
  let obj: ApicObject;
  if (ENDPOINT_CLASS_SET.has(cls)) {
    // One member, "attributes"; children or any other member: the ordinary way.
    if (sc.enter(0x7b, 0x7d) || sc.ws() !== QUOTE) throw OFF;
    const ks = sc.p + 1;
    const ke = sc.str();
    sc.expect(0x3a);
    if (sc.escaped || ke - ks !== 10 || !same(sc.b, ks, 'attributes')) throw OFF;
    endpointSpans(sc);
    if (!sc.sep(0x7d)) throw OFF;
    const obs = fuse(sc.b, ENDPOINT_CLASSES[cls] as ObservationClass);
    obj = obs ? { cls, attrs: FUSED_ATTRS, obs } : { cls, attrs: spanAttrs(sc.b) };
  } else {
    sc.skip();
    // Any other class (rare on the endpoint sockets): decoded as JSON.parse reads it.
    const problems: ParseProblem[] = [];
    const o = parseApicValue({ imdata: [JSON.parse(sc.b.toString('utf8', from, sc.p) + '}')] }, problems);
    if (problems.length) throw OFF;
    if (o.error) return false;
    obj = o.objects[0] as ApicObject;
  }
  if (!sc.sep(0x7d)) throw OFF;
  objects.push(obj);
  return true;
}

/**
 * Reads an APIC websocket frame from its bytes; null when the frame is off the scanner's path (see
 * above), for the caller to parse as text.
 */
export function scanApicFrame(frame: Buffer): ApicMessage | null {
  const sc = new Scanner(frame, frame.length);
  const message: ApicMessage = { subscriptionIds: [], objects: [] };
  let imdata = false;
  try {
    if (sc.enter(0x7b, 0x7d)) return null;
    for (;;) {
      if (sc.ws() !== QUOTE) throw OFF;
      const ks = sc.p + 1;
      const ke = sc.str();
      const key = sc.escaped ? '' : sc.b.toString('latin1', ks, ke);
      sc.expect(0x3a);
      if (key === 'imdata') {
        if (imdata) throw OFF;
        imdata = true;
        if (!sc.enter(0x5b, 0x5d)) {
          for (;;) {
            if (!entry(sc, message.objects)) return null;
            if (sc.sep(0x5d)) break;
          }
        }
      } else if (key === 'subscriptionId') {
        if (message.subscriptionIds.length) throw OFF;
        const c = sc.ws();
        if (c === QUOTE) {
          const s = sc.p + 1;
          message.subscriptionIds.push(sc.text(s, sc.str()));
        } else {
          if (!sc.enter(0x5b, 0x5d)) {
            for (;;) {
              if (sc.ws() !== QUOTE) throw OFF;
              const s = sc.p + 1;
              message.subscriptionIds.push(sc.text(s, sc.str()));
              if (sc.sep(0x5d)) break;
            }
          }
        }
      } else if (key === 'totalCount') {
        // Not in websocket events as documented, but read as the text parser reads it (Number()).
        if (sc.ws() === QUOTE) {
          const s = sc.p + 1;
          message.totalCount = Number(sc.text(s, sc.str()));
        } else {
          const s = sc.p;
          sc.number();
          message.totalCount = Number(frame.toString('latin1', s, sc.p));
        }
      } else if (key === '') {
        // An escaped key may spell one of the above: the ordinary way.
        throw OFF;
      } else sc.skip();
      if (sc.sep(0x7d)) break;
    }
    // Only whitespace may follow.
    while (sc.p < sc.end) {
      const c = frame[sc.p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return null;
      sc.p++;
    }
  } catch (err) {
    if (err === OFF || err instanceof SyntaxError) return null;
    throw err;
  }
  return imdata ? message : null;
}
