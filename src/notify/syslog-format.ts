// Syslog message formats: RFC 5424 (with the finding's fields as structured data) and RFC 3164
// (BSD), plus RFC 6587 octet-counting framing for stream transports. Pure.
import type { Finding } from '../core/types.js';
import type { FindingNames, Notification } from './notification.js';

/**
 * SD-ID of ept's structured data element. 32473 is the private enterprise number RFC 5612 sets
 * aside for examples and documentation: ept has no registered number, and using a real one that is
 * not ours would be worse.
 */
export const SD_ID = 'ept@32473';
export const APP_NAME = 'ept';

/** Header fields common to both formats. */
export interface SyslogHeader {
  facility: number;
  severity: number;
  hostname: string;
  /** PROCID (RFC 5424) / the pid in TAG[pid] (RFC 3164). */
  procId: string;
}

/** PRI value: facility * 8 + severity. */
export function pri(facility: number, severity: number): number {
  return facility * 8 + severity;
}

/** Escapes an SD-PARAM value: '"', '\' and ']' take a backslash (RFC 5424 6.3.3). */
export function escapeParamValue(v: string): string {
  return v.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** RFC 5424 header fields are PRINTUSASCII without spaces, or the NILVALUE "-". */
function headerField(v: string, max: number): string {
  const clean = v.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean || '-';
}

function locationParams(prefix: 'src' | 'dst', f: Finding, name: string, out: [string, string][]): void {
  const l = f[prefix];
  if (!l) return;
  out.push([`${prefix}Node`, String(l.node)]);
  if (name) out.push([`${prefix}NodeName`, name]);
  if (l.ifId) out.push([`${prefix}If`, l.ifId]);
  if (l.encap) out.push([`${prefix}Encap`, l.encap]);
  if (l.pcTag) out.push([`${prefix}PcTag`, String(l.pcTag)]);
  if (l.rwMac) out.push([`${prefix}Mac`, l.rwMac]);
}

/** The finding's fields as SD-PARAMs (name, value), empty ones left out. */
export function findingParams(f: Finding, names: FindingNames, suppressed: number): [string, string][] {
  const out: [string, string][] = [
    ['fabric', f.fabric],
    ['kind', f.kind],
    ['type', f.type],
    ['addr', f.addr],
    ['vnid', String(f.vnid)],
  ];
  if (f.node) out.push(['node', String(f.node)]);
  if (names.node) out.push(['nodeName', names.node]);
  for (const k of ['tenant', 'vrf', 'bd', 'epg'] as const) if (names[k]) out.push([k, names[k]]);
  locationParams('src', f, names.srcNode, out);
  locationParams('dst', f, names.dstNode, out);
  if (f.reason) out.push(['reason', f.reason]);
  if (f.remote !== undefined) out.push(['remote', String(f.remote)]);
  if (f.expected !== undefined) out.push(['expected', String(f.expected)]);
  if (f.rate !== undefined) out.push(['rate', String(f.rate)]);
  if (f.learn) {
    if (f.learn.ifId) out.push(['learnIf', f.learn.ifId]);
    if (f.learn.encap) out.push(['learnEncap', f.learn.encap]);
    if (f.learn.flags.length) out.push(['learnFlags', f.learn.flags.join(',')]);
  }
  if (suppressed) out.push(['suppressed', String(suppressed)]);
  return out;
}

/** Renders an RFC 5424 message: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG. */
export function formatRfc5424(n: Notification, h: SyslogHeader): string {
  const f = n.finding;
  const sd = `[${SD_ID}${findingParams(f, n.names, n.suppressed)
    .map(([k, v]) => ` ${k}="${escapeParamValue(v)}"`)
    .join('')}]`;
  const ts = new Date(f.ts).toISOString();
  // MSG is MSG-ANY unless it needs UTF-8, which RFC 5424 marks with a BOM.
  const msg = /[^\p{ASCII}]/u.test(n.summary) ? `\ufeff${n.summary}` : n.summary;
  return `<${pri(h.facility, h.severity)}>1 ${ts} ${headerField(h.hostname, 255)} ${APP_NAME} ${headerField(h.procId, 128)} ${headerField(f.kind, 32)} ${sd} ${msg}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 3164 TIMESTAMP: "Mmm dd hh:mm:ss" in local time, the day padded with a space. */
export function rfc3164Timestamp(ts: number): string {
  const d = new Date(ts);
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Renders an RFC 3164 message: <PRI>TIMESTAMP HOSTNAME TAG[pid]: MSG, at most 1024 bytes. */
export function formatRfc3164(n: Notification, h: SyslogHeader): string {
  // The BSD HOSTNAME is the bare host name, without domain.
  const host = headerField(h.hostname.split('.')[0] ?? '', 255);
  const line = `<${pri(h.facility, h.severity)}>${rfc3164Timestamp(n.finding.ts)} ${host} ${APP_NAME}[${headerField(h.procId, 32)}]: ${n.summary.replace(/[\r\n]+/g, ' ')}`;
  const buf = Buffer.from(line);
  return buf.length <= 1024
    ? line
    : buf
        .subarray(0, 1024)
        .toString()
        .replace(/\ufffd$/, '');
}

/** RFC 6587 octet-counting frame: "<length> <message>". */
export function octetCountingFrame(msg: string): Buffer {
  const body = Buffer.from(msg);
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}
