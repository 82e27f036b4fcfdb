// Mail subjects and bodies for single findings and digests. Pure.
import type { FindingKind, Location } from '../core/types.js';
import type { Digest, Notification } from './notification.js';

const SUBJECT_MAX = 200;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function loc(l: Location, name: string): string {
  return [
    name ? `${name} (node ${l.node})` : `node ${l.node}`,
    l.ifId,
    l.encap,
    l.pcTag ? `pcTag ${l.pcTag}` : '',
    l.rwMac ? `mac ${l.rwMac}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** "Label: value" lines describing one notification. */
export function detailLines(n: Notification): string[] {
  const f = n.finding;
  const rows: [string, string | number | undefined][] = [
    ['Fabric', f.fabric],
    ['Kind', f.kind],
    ['Endpoint', `${f.type} ${f.addr} (vnid ${f.vnid})`],
    ['Time', new Date(f.ts).toISOString()],
    ['Tenant', n.names.tenant],
    ['VRF', n.names.vrf],
    ['BD', n.names.bd],
    ['EPG', n.names.epg],
    ['Node', f.node ? (n.names.node ? `${n.names.node} (node ${f.node})` : `node ${f.node}`) : ''],
    ['From', f.src ? loc(f.src, n.names.srcNode) : ''],
    ['To', f.dst ? loc(f.dst, n.names.dstNode) : ''],
    ['Reason', f.reason],
    ['Points to', f.remote === undefined ? '' : f.remote ? `node ${f.remote}` : 'proxy'],
    ['Expected', f.expected ? `node ${f.expected}` : ''],
    ['Rate', f.rate === undefined ? '' : `${f.rate} events/min`],
    ['Suppressed', n.suppressed ? `${n.suppressed} similar notifications held back by the rate limit` : ''],
  ];
  return rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`);
}

/** Subject and text of the mail for one notification. */
export function singleMail(n: Notification): { subject: string; text: string } {
  return {
    subject: clip(`[ept] ${n.summary}`, SUBJECT_MAX),
    text: `${n.summary}\n\n${detailLines(n).join('\n')}\n`,
  };
}

function countsText(counts: Record<FindingKind, number>): string {
  return (Object.entries(counts) as [FindingKind, number][])
    .filter(([, c]) => c > 0)
    .map(([k, c]) => `${c} ${k}`)
    .join(', ');
}

/** Subject and text of a digest mail: counts first, then the first items in full. */
export function digestMail(d: Digest): { subject: string; text: string } {
  const total = Object.values(d.counts).reduce((a, b) => a + b, 0);
  const subject = clip(
    `[ept] ${d.fabric}: ${total} finding${total === 1 ? '' : 's'} (${countsText(d.counts) || 'none'})`,
    SUBJECT_MAX,
  );
  const lines = [
    `Fabric ${d.fabric}, ${new Date(d.from).toISOString()} to ${new Date(d.to).toISOString()}`,
    '',
    'Findings notified:',
    ...(Object.entries(d.counts) as [FindingKind, number][]).map(([k, c]) => `  ${k}: ${c}`),
    `  total: ${total}`,
  ];
  if (d.suppressed) lines.push(`Held back by the per-endpoint rate limit: ${d.suppressed}`);
  lines.push('', `First ${d.items.length} of ${total}:`, '');
  for (const n of d.items) lines.push(`${new Date(n.finding.ts).toISOString()} ${n.summary}`);
  if (total > d.items.length) lines.push('', `… and ${total - d.items.length} more.`);
  return { subject, text: `${lines.join('\n')}\n` };
}
