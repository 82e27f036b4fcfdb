// Endpoint DNs (epmMacEp, epmIpEp) parsed by a scanner instead of a regular expression: every live
// event has one, and the regular expression's match array and seven substrings were ~10 % of the
// garbage per event in the fabric benchmark. The scanner reads character codes from an array, so a
// websocket frame's endpoint DNs are read from its bytes without becoming strings at all
// (apic-frame.ts); a DN string is copied into such an array first. The grammar is exactly
// ENDPOINT_DN_PATTERN (the test compares both on the fixtures and on thousands of mutated DNs).

/** Parts of an endpoint DN. */
export interface EndpointDn {
  pod: number;
  node: number;
  vrf: number;
  bd: number;
  encap: string;
  /** 'mac' or 'ip' and the raw address text. */
  kind: 'mac' | 'ip';
  addr: string;
}

/** The grammar, as a regular expression (the reference the scanner is tested against). */
export const ENDPOINT_DN_PATTERN =
  /^topology\/pod-(\d+)\/node-(\d+)\/sys\/(?:ctx-\[vxlan-(\d+)\]|inst-overlay-1)(?:\/bd-\[vxlan-(\d+)\])?(?:\/vlan-\[([^\]]+)\])?\/db-ep\/(?:mac-([0-9A-Fa-f:]+)|ip-\[([^\]]+)\])$/;

/** The VRF vnid of the infra overlay (inst-overlay-1 in DNs), fixed in ACI. */
export const OVERLAY_VRF_VNID = 16777199;

const MAX_VNID = 0xffffff;

/**
 * What scanEndpointDn found: the numbers, and where the encap and the address are in the scanned
 * codes (encapStart = encapEnd when the DN has no encap). Overwritten by the next scan.
 */
export const dnParts = { pod: 0, node: 0, vrf: 0, bd: 0, encapStart: 0, encapEnd: 0, mac: false, addrStart: 0, addrEnd: 0 };

/** Character codes as the scanner reads them: the bytes of a frame, or a string's UTF-16 units. */
type Codes = Uint8Array | Uint16Array;

/** Where the scanner is and where the DN ends (module state: the scanner is synchronous, not re-entered). */
let at = 0;
let end = 0;

/** Whether the ASCII text s is at `at` (and then moves past it). */
function lit(c: Codes, s: string): boolean {
  const n = s.length;
  if (at + n > end) return false;
  for (let i = 0; i < n; i++) if (c[at + i] !== s.charCodeAt(i)) return false;
  at += n;
  return true;
}

/**
 * The decimal number at `at` (one digit or more), or -1. Up to 15 digits the value is exact, as
 * Number() gives it; longer runs (never a real DN) are read by Number() too.
 */
function num(c: Codes): number {
  const start = at;
  let v = 0;
  while (at < end) {
    const d = c[at] as number;
    if (d < 48 || d > 57) break;
    v = v * 10 + (d - 48);
    at++;
  }
  if (at === start) return -1;
  if (at - start <= 15) return v;
  // Built a character at a time: a spread of a long run would overflow the call stack.
  let digits = '';
  for (let i = start; i < at; i++) digits += String.fromCharCode(c[i] as number);
  return Number(digits);
}

/** The end of the text up to the next ']' (one character or more), with `at` past the ']', or -1. */
function bracketed(c: Codes): number {
  for (let i = at; i < end; i++) {
    if (c[i] !== 0x5d) continue;
    if (i === at) return -1;
    at = i + 1;
    return i;
  }
  return -1;
}

function isMacChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Scans the endpoint DN in c[start, stop) into dnParts; false when it is not one. */
export function scanEndpointDn(c: Codes, start: number, stop: number): boolean {
  at = start;
  end = stop;
  if (!lit(c, 'topology/pod-')) return false;
  const pod = num(c);
  if (pod < 0 || !lit(c, '/node-')) return false;
  const node = num(c);
  if (node < 0 || !lit(c, '/sys/')) return false;
  let vrf = OVERLAY_VRF_VNID;
  if (lit(c, 'ctx-[vxlan-')) {
    vrf = num(c);
    if (vrf < 0 || !lit(c, ']')) return false;
  } else if (!lit(c, 'inst-overlay-1')) return false;
  let bd = 0;
  if (lit(c, '/bd-[vxlan-')) {
    bd = num(c);
    if (bd < 0 || !lit(c, ']')) return false;
  }
  let encapStart = 0;
  let encapEnd = 0;
  if (lit(c, '/vlan-[')) {
    encapStart = at;
    encapEnd = bracketed(c);
    if (encapEnd < 0) return false;
  }
  if (!lit(c, '/db-ep/')) return false;
  let mac: boolean;
  let addrStart: number;
  let addrEnd: number;
  if (lit(c, 'mac-')) {
    if (at === end) return false;
    for (let i = at; i < end; i++) if (!isMacChar(c[i] as number)) return false;
    mac = true;
    addrStart = at;
    addrEnd = end;
  } else if (lit(c, 'ip-[')) {
    addrStart = at;
    addrEnd = bracketed(c);
    if (addrEnd < 0 || at !== end) return false;
    mac = false;
  } else return false;
  // Node ids are 16-bit and VXLAN ids 24-bit: anything larger is not a DN a fabric sends.
  if (node > 0xffff || vrf > MAX_VNID || bd > MAX_VNID) return false;
  const p = dnParts;
  p.pod = pod;
  p.node = node;
  p.vrf = vrf;
  p.bd = bd;
  p.encapStart = encapStart;
  p.encapEnd = encapEnd;
  p.mac = mac;
  p.addrStart = addrStart;
  p.addrEnd = addrEnd;
  return true;
}

/** A string's UTF-16 code units, for the scanner (grown as needed, reused). */
let units = new Uint16Array(256);

/** Parses an endpoint DN (MAC or IP); null when it is not one. */
export function parseEndpointDn(dn: string): EndpointDn | null {
  if (dn.length > units.length) units = new Uint16Array(dn.length * 2);
  for (let i = 0; i < dn.length; i++) units[i] = dn.charCodeAt(i);
  if (!scanEndpointDn(units, 0, dn.length)) return null;
  const p = dnParts;
  const encap = p.encapEnd > p.encapStart ? dn.slice(p.encapStart, p.encapEnd) : '';
  return { pod: p.pod, node: p.node, vrf: p.vrf, bd: p.bd, encap, kind: p.mac ? 'mac' : 'ip', addr: dn.slice(p.addrStart, p.addrEnd) };
}
