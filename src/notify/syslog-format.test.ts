import { describe, expect, it } from 'vitest';
import { escapeParamValue, formatRfc3164, formatRfc5424, octetCountingFrame } from './syslog-format.js';
import type { Notification } from './notification.js';

const names = { tenant: '', vrf: '', bd: '', epg: '', node: '', srcNode: '', dstNode: '' };
const note = (summary: string): Notification => ({
  finding: {
    kind: 'rapid',
    fabric: 'f',
    vnid: 1,
    addr: '10.0.0.1',
    type: 'ipv4',
    ts: Date.UTC(2025, 0, 1),
    node: 0,
    rate: 4000,
  },
  names,
  suppressed: 0,
  summary,
});
const header = { facility: 23, severity: 4, hostname: 'host name', procId: '42' };

describe('syslog formats', () => {
  it('escapes exactly ", \\ and ]', () => {
    expect(escapeParamValue('a"b\\c]d[e=f')).toBe('a\\"b\\\\c\\]d[e=f');
  });

  it('uses NILVALUE-safe header fields and marks UTF-8 messages with a BOM', () => {
    const ascii = formatRfc5424(note('plain'), header);
    expect(ascii).toBe(
      '<188>1 2025-01-01T00:00:00.000Z hostname ept 42 rapid [ept@32473 fabric="f" kind="rapid" type="ipv4" addr="10.0.0.1" vnid="1" rate="4000"] plain',
    );
    expect(formatRfc5424(note('café'), { ...header, hostname: '' })).toMatch(
      /^<188>1 \S+ - ept 42 rapid \[.*\] \ufeffcafé$/,
    );
  });

  it('keeps RFC 3164 messages within 1024 bytes', () => {
    const n = note('x'.repeat(2000));
    n.finding.ts = new Date(2025, 0, 1, 12, 0, 0).getTime(); // local time, as RFC 3164 has it
    const m = formatRfc3164(n, { ...header, hostname: 'leaf.example.com' });
    expect(Buffer.byteLength(m)).toBe(1024);
    expect(m).toMatch(/^<188>Jan {2}1 12:00:00 leaf ept\[42\]: x+$/);
  });

  it('frames with the byte length, not the character length', () => {
    expect(octetCountingFrame('é').toString()).toBe('2 é');
  });
});
