// Syslog channel against real UDP, TCP and TLS listeners: exact RFC 5424 / RFC 3164 fields.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { toNotification } from '../../src/notify/finding-names.js';
import {
  resolveNotificationSettings,
  type NotificationSettings,
} from '../../src/notify/notification-settings.js';
import { SyslogNotifier } from '../../src/notify/syslog-notifier.js';
import {
  BD_VNID,
  ipStale,
  labTables,
  macMove,
  streamSyslog,
  testCertificate,
  udpSyslog,
  until,
} from './notify-receivers.js';

const logger = pino({ level: 'silent' });
const HOST = 'ept-test.example.com';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function notifier(s: Partial<NotificationSettings>): SyslogNotifier {
  const n = new SyslogNotifier({
    settings: resolveNotificationSettings({ syslog_server: '127.0.0.1', ...s }),
    logger,
    hostname: HOST,
  });
  cleanup.push(() => n.close());
  return n;
}

/** Parses an RFC 5424 message, SD-PARAM escapes included, independently of the formatter. */
function parse5424(msg: string) {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(msg);
  if (!m) throw new Error(`not RFC 5424: ${msg}`);
  let i = m[0].length;
  expect(msg[i]).toBe('[');
  const idEnd = msg.indexOf(' ', i);
  const sdId = msg.slice(i + 1, idEnd);
  i = idEnd;
  const params = new Map<string, string>();
  while (msg[i] === ' ') {
    const eq = msg.indexOf('=', i);
    const name = msg.slice(i + 1, eq);
    expect(msg[eq + 1]).toBe('"');
    let v = '';
    let j = eq + 2;
    for (; msg[j] !== '"'; j++) {
      if (msg[j] === '\\') j++;
      else if (msg[j] === ']') throw new Error(`unescaped ] in ${name}`);
      v += msg[j];
    }
    params.set(name, v);
    i = j + 1;
  }
  expect(msg[i]).toBe(']');
  expect(msg[i + 1]).toBe(' ');
  return {
    pri: Number(m[1]),
    version: m[2],
    timestamp: m[3],
    hostname: m[4],
    appName: m[5],
    procId: m[6],
    msgId: m[7],
    sdId,
    params,
    msg: msg.slice(i + 2),
  };
}

describe('syslog over UDP, RFC 5424', () => {
  it('delivers the header fields and the finding as structured data', async () => {
    const rx = await udpSyslog();
    cleanup.push(() => rx.close());
    const ts = Date.UTC(2025, 2, 4, 5, 6, 7, 89);
    const f = macMove('fab1', 'aa:bb:cc:00:00:01', ts);
    const n = notifier({
      syslog_port: rx.port,
      syslog_facility: 'local7',
      syslog_severity: 'warning',
      syslog_severity_move: 'notice',
    });
    const r = await n.send(toNotification(f, labTables()));
    expect(r).toEqual({ ok: true, channel: 'syslog', attempts: 1 });
    await until(() => rx.messages.length === 1, 2000, 'udp datagram');
    const p = parse5424(rx.messages[0]!);
    expect(p.pri).toBe(23 * 8 + 5);
    expect(p.version).toBe('1');
    expect(p.timestamp).toBe('2025-03-04T05:06:07.089Z');
    expect(p.hostname).toBe(HOST);
    expect(p.appName).toBe('ept');
    expect(p.procId).toBe(String(process.pid));
    expect(p.msgId).toBe('move');
    expect(p.sdId).toBe('ept@32473');
    expect(Object.fromEntries(p.params)).toEqual({
      fabric: 'fab1',
      kind: 'move',
      type: 'mac',
      addr: 'aa:bb:cc:00:00:01',
      vnid: String(BD_VNID),
      tenant: 'acme',
      vrf: 'uni/tn-acme/ctx-prod',
      bd: 'uni/tn-acme/BD-web',
      epg: 'uni/tn-acme/ap-shop/epg-web',
      srcNode: '101',
      srcNodeName: 'leaf101',
      srcIf: 'eth1/1',
      srcEncap: 'vlan-100',
      srcPcTag: '32770',
      dstNode: '102',
      dstNodeName: 'leaf102',
      dstIf: 'eth1/2',
      dstEncap: 'vlan-100',
      dstPcTag: '32770',
    });
    expect(p.msg).toBe(
      '[fab1] move: mac aa:bb:cc:00:00:01 in uni/tn-acme/ap-shop/epg-web moved from leaf101 (node 101) eth1/1 vlan-100 to leaf102 (node 102) eth1/2 vlan-100',
    );
  });

  it('escapes ", \\ and ] in SD-PARAM values', async () => {
    const rx = await udpSyslog();
    cleanup.push(() => rx.close());
    const f = macMove('fab"1', 'aa:bb:cc:00:00:02', Date.now());
    f.src!.ifId = 'po[1]"x\\y';
    const r = await notifier({ syslog_port: rx.port }).send(toNotification(f, undefined));
    expect(r.ok).toBe(true);
    await until(() => rx.messages.length === 1, 2000, 'udp datagram');
    const raw = rx.messages[0]!;
    expect(raw).toContain('srcIf="po[1\\]\\"x\\\\y"');
    expect(raw).toContain('fabric="fab\\"1"');
    const p = parse5424(raw);
    expect(p.params.get('srcIf')).toBe('po[1]"x\\y');
    expect(p.params.get('fabric')).toBe('fab"1');
    // Without tables the names are absent, not empty strings.
    expect(p.params.has('tenant')).toBe(false);
  });
});

describe('syslog over TCP, RFC 6587 octet counting', () => {
  it('frames RFC 3164 messages on one connection', async () => {
    const rx = await streamSyslog(false);
    cleanup.push(() => rx.close());
    const ts = new Date(2025, 0, 5, 3, 4, 5).getTime(); // a single-digit day: padded with a space
    const n = notifier({
      syslog_port: rx.port,
      syslog_protocol: 'tcp',
      syslog_format: 'rfc3164',
      syslog_facility: 'local4',
      syslog_severity: 'err',
    });
    const tables = labTables();
    expect((await n.send(toNotification(macMove('fab1', 'aa:bb:cc:00:00:03', ts), tables))).ok).toBe(true);
    expect((await n.send(toNotification(ipStale('fab1', '10.1.1.9', ts), tables))).ok).toBe(true);
    await until(() => rx.messages.length === 2, 2000, 'two tcp frames');
    expect(rx.errors).toEqual([]);
    expect(rx.connections).toBe(1);
    const head = `<${20 * 8 + 3}>Jan  5 03:04:05 ept-test ept[${process.pid}]: `;
    expect(rx.messages[0]).toBe(
      `${head}[fab1] move: mac aa:bb:cc:00:00:03 in uni/tn-acme/ap-shop/epg-web moved from leaf101 (node 101) eth1/1 vlan-100 to leaf102 (node 102) eth1/2 vlan-100`,
    );
    expect(rx.messages[1]).toBe(
      `${head}[fab1] stale: ipv4 10.1.1.9 in uni/tn-acme/ap-shop/epg-web stale (remote) on leaf103 (node 103), points to node 101, expected node 102`,
    );
  });

  it('answers a failed result (not an exception) when nothing listens', async () => {
    const rx = await streamSyslog(false);
    const port = rx.port;
    await rx.close();
    const n = notifier({ syslog_port: port, syslog_protocol: 'tcp' });
    const r = await n.send(toNotification(macMove('fab1', 'aa:bb:cc:00:00:04', Date.now()), undefined));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(`tcp://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('reconnects after the server drops the connection', async () => {
    const rx = await streamSyslog(false);
    cleanup.push(() => rx.close());
    const n = notifier({ syslog_port: rx.port, syslog_protocol: 'tcp' });
    const note = toNotification(macMove('fab1', 'aa:bb:cc:00:00:05', Date.now()), undefined);
    expect((await n.send(note)).ok).toBe(true);
    await until(() => rx.messages.length === 1, 2000, 'first frame');
    rx.dropConnections();
    // A message written before the client sees the close is lost, as with any syslog over TCP;
    // the next ones go over a new connection.
    for (let i = 0; i < 20 && rx.messages.length < 2; i++) {
      await n.send(note);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(rx.messages.length).toBeGreaterThanOrEqual(2);
    expect(rx.connections).toBe(2);
  });
});

describe('syslog over TLS, RFC 5425', () => {
  it('verifies the server against syslog_ca_file and delivers', async () => {
    const rx = await streamSyslog(true);
    cleanup.push(() => rx.close());
    const n = notifier({
      syslog_port: rx.port,
      syslog_protocol: 'tls',
      syslog_ca_file: testCertificate().caFile,
    });
    const r = await n.send(toNotification(ipStale('fab1', '10.1.1.10', Date.UTC(2025, 5, 6)), labTables()));
    expect(r).toEqual({ ok: true, channel: 'syslog', attempts: 1 });
    await until(() => rx.messages.length === 1, 2000, 'tls frame');
    const p = parse5424(rx.messages[0]!);
    expect(p.pri).toBe(23 * 8 + 4);
    expect(p.msgId).toBe('stale');
    expect(p.params.get('reason')).toBe('remote');
    expect(p.params.get('remote')).toBe('101');
    expect(p.params.get('nodeName')).toBe('leaf103');
    expect(p.params.get('learnIf')).toBe('tunnel5');
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const rx = await streamSyslog(true);
    cleanup.push(() => rx.close());
    const r = await notifier({ syslog_port: rx.port, syslog_protocol: 'tls' }).send(
      toNotification(ipStale('fab1', '10.1.1.11', Date.now()), undefined),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/self[- ]signed/i);
    expect(rx.messages).toEqual([]);
  });
});
