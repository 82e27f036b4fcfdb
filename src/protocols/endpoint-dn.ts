// Endpoint DNs (epmMacEp, epmIpEp) parsed by a scanner instead of a regular expression: every live
// event has one, and the regular expression's match array and seven substrings were ~10 % of the
// garbage per event in the fabric benchmark. The grammar is exactly ENDPOINT_DN_PATTERN (the test
// compares both on the fixtures and on thousands of mutated DNs).

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

/** Where the scanner is in the DN (module state: the parser is synchronous and not re-entered). */
let at = 0;

/** Whether s is at `at` (and then moves past it); compared by hand: ~13 % of a parse faster than startsWith(s, at). */
function lit(dn: string, s: string): boolean {
  const n = s.length;
  if (at + n > dn.length) return false;
  for (let i = 0; i < n; i++) if (dn.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  at += n;
  return true;
}

/**
 * The decimal number at `at` (one digit or more), or -1. Up to 15 digits the value is exact, as
 * Number() gives it; longer runs (never a real DN) are read by Number() too.
 */
function num(dn: string): number {
  const start = at;
  let v = 0;
  while (at < dn.length) {
    const c = dn.charCodeAt(at);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    at++;
  }
  if (at === start) return -1;
  return at - start > 15 ? Number(dn.slice(start, at)) : v;
}

/** The text up to the next ']' (one character or more), with `at` past the ']', or null. */
function bracketed(dn: string): string | null {
  const end = dn.indexOf(']', at);
  if (end <= at) return null;
  const s = dn.slice(at, end);
  at = end + 1;
  return s;
}

function isMacChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Parses an endpoint DN (MAC or IP); null when it is not one. */
export function parseEndpointDn(dn: string): EndpointDn | null {
  at = 0;
  if (!lit(dn, 'topology/pod-')) return null;
  const pod = num(dn);
  if (pod < 0 || !lit(dn, '/node-')) return null;
  const node = num(dn);
  if (node < 0 || !lit(dn, '/sys/')) return null;
  let vrf = OVERLAY_VRF_VNID;
  if (lit(dn, 'ctx-[vxlan-')) {
    vrf = num(dn);
    if (vrf < 0 || !lit(dn, ']')) return null;
  } else if (!lit(dn, 'inst-overlay-1')) return null;
  let bd = 0;
  if (lit(dn, '/bd-[vxlan-')) {
    bd = num(dn);
    if (bd < 0 || !lit(dn, ']')) return null;
  }
  let encap = '';
  if (lit(dn, '/vlan-[')) {
    const e = bracketed(dn);
    if (e === null) return null;
    encap = e;
  }
  if (!lit(dn, '/db-ep/')) return null;
  let kind: 'mac' | 'ip';
  let addr: string;
  if (lit(dn, 'mac-')) {
    if (at === dn.length) return null;
    for (let i = at; i < dn.length; i++) if (!isMacChar(dn.charCodeAt(i))) return null;
    kind = 'mac';
    addr = dn.slice(at);
  } else if (lit(dn, 'ip-[')) {
    const a = bracketed(dn);
    if (a === null || at !== dn.length) return null;
    kind = 'ip';
    addr = a;
  } else return null;
  // Node ids are 16-bit and VXLAN ids 24-bit: anything larger is not a DN a fabric sends.
  if (node > 0xffff || vrf > MAX_VNID || bd > MAX_VNID) return null;
  return { pod, node, vrf, bd, encap, kind, addr };
}
