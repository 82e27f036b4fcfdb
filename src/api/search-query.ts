// Normalises what a person types into a search box to the stored address form (MACs lower-case
// colon form, IPv6 canonical), so "0050.56aa.bb01", "00-50-56-AA-BB-01" and prefixes of them match.
import { normalizeIp, normalizeMac } from '../core/address.js';

const IPV4_PREFIX = /^\d{1,3}(\.\d{0,3}){0,3}$/;
const HEX_GROUPS = /^[0-9a-f]+([.:-][0-9a-f]*)*$/;

/** Re-inserts colons every two hex digits: "005056a" -> "00:50:56:a". */
function colonize(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/**
 * The address prefix to search for. Full MACs and IPs are normalised; partial MACs written with
 * '-' or Cisco dots, or as more than 4 bare hex digits (longer than any IPv6 group), become colon
 * form; IPv4 and IPv6 prefixes stay as typed (lower-case). Returns '' for blank input.
 */
export function normalizeSearch(input: string): string {
  const q = input.trim().toLowerCase();
  if (!q) return '';
  const mac = normalizeMac(q);
  if (mac) return mac;
  const ip = normalizeIp(q);
  if (ip) return ip;
  if (IPV4_PREFIX.test(q) || !HEX_GROUPS.test(q)) return q;
  if (q.includes('-')) return colonize(q.replaceAll('-', ''));
  if (q.includes('.')) return colonize(q.replaceAll('.', ''));
  if (!q.includes(':') && q.length > 4) return colonize(q);
  return q;
}
