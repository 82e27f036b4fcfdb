// Address normalisation and subnet matching. Pure.
import ipaddr from 'ipaddr.js';
import type { EndpointType } from './types.js';

const MAC_HEX = /^[0-9a-f]{12}$/;
/**
 * The other MAC forms, each whole: six pairs with one separator (- or :), three dotted quads, or
 * twelve digits. Separators anywhere else are not a MAC: 2001:db8:1:3::121 has twelve hex digits
 * too, and is an IPv6 address.
 */
const MAC_FORMS = /^(?:[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{12})$/;

/**
 * Normalises a MAC in any common form (aa:bb:.., AA-BB-.., aabb.ccdd.eeff, aabbccddeeff) to
 * lower-case colon form, or returns null.
 */
export function normalizeMac(input: string): string | null {
  // Fast path, the APIC's own form (AA:BB:CC:DD:EE:FF): one new string, no intermediate ones.
  if (isColonMac(input)) return ownCopy(input, true);
  const lower = input.toLowerCase();
  if (!MAC_FORMS.test(lower)) return null;
  return lower.replace(/[:.-]/g, '').replace(/(..)(?!$)/g, '$1:');
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isColonMac(s: string): boolean {
  if (s.length !== 17) return false;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    if (i % 3 === 2 ? c !== 58 : !isHex(c)) return false;
  }
  return true;
}

/**
 * A fresh flat copy of a short string (optionally lower-cased). Addresses come out of regex matches
 * on DNs, and V8 keeps a substring of 13+ characters as a slice that holds the whole DN (a binding
 * DN is ~250 bytes): a stored key must not pin its DN for the endpoint's lifetime.
 */
function ownCopy(s: string, lower = false): string {
  const codes = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    codes[i] = lower && c >= 65 && c <= 90 ? c + 32 : c;
  }
  return String.fromCharCode(...codes);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Normalises an IPv4 or IPv6 address to canonical text (RFC 5952 for IPv6), or null. fresh: the
 * input is a string of its own (not cut from a longer one), kept as it is when already canonical.
 */
export function normalizeIp(input: string, fresh = false): string | null {
  if (IPV4.test(input)) return fresh || input.length < 13 ? input : ownCopy(input);
  if (!input.includes(':')) return null;
  try {
    const a = ipaddr.parse(input);
    if (a.kind() === 'ipv6') return (a as ipaddr.IPv6).toRFC5952String();
  } catch {
    return null;
  }
  return null;
}

/** The endpoint type of a normalised address. */
export function addressType(addr: string): EndpointType {
  if (addr.length === 17 && addr[2] === ':' && addr[5] === ':' && MAC_HEX.test(addr.replaceAll(':', ''))) {
    return 'mac';
  }
  return addr.includes(':') ? 'ipv6' : 'ipv4';
}

/** A parsed subnet, fast to test against. */
export interface Prefix {
  /** The text as configured, e.g. 10.1.1.1/24. */
  text: string;
  v6: boolean;
  /** IPv4: network and mask as unsigned 32-bit; IPv6: network and mask as bigint. */
  net: number | bigint;
  mask: number | bigint;
}

/** A dotted quad (already validated) as an unsigned 32-bit number, without splitting it. */
export function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return (n * 256 + part) >>> 0;
}

function v6ToBig(ip: string): bigint {
  const bytes = ipaddr.IPv6.parse(ip).toByteArray();
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

// The last IPv6 address converted: an endpoint's learns on several nodes, checked against the
// subnets of its BDs one after the other, ask for the same address several times in a row.
let lastV6 = '';
let lastV6Big = 0n;

function v6Number(ip: string): bigint {
  if (ip !== lastV6) {
    lastV6Big = v6ToBig(ip);
    lastV6 = ip;
  }
  return lastV6Big;
}

/** Parses "addr/len" (a gateway address with its mask, as APIC subnets are written); null if invalid. */
export function parsePrefix(text: string): Prefix | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = text.slice(0, slash);
  const len = Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0) return null;
  if (IPV4.test(ip)) {
    if (len > 32) return null;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return { text, v6: false, net: (ipv4Number(ip) & mask) >>> 0, mask };
  }
  if (len > 128 || !ipaddr.IPv6.isValid(ip)) return null;
  const mask = len === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - len)) - 1n);
  return { text, v6: true, net: v6ToBig(ip) & mask, mask };
}

/** True when the normalised IP lies inside the prefix. */
export function prefixContains(p: Prefix, ip: string): boolean {
  const v6 = ip.includes(':');
  if (v6 !== p.v6) return false;
  if (!v6) return ((ipv4Number(ip) & (p.mask as number)) >>> 0) === p.net;
  return (v6Number(ip) & (p.mask as bigint)) === p.net;
}
