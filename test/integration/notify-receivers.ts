// Real in-process receivers for the notification tests: syslog over UDP/TCP/TLS, SMTP with
// STARTTLS and AUTH, and an HTTP webhook listener. All on 127.0.0.1, port 0.
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as httpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as netServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as tlsServer } from 'node:tls';
import selfsigned from 'selfsigned';
import { SMTPServer } from 'smtp-server';
import { FabricTables } from '../../src/core/fabric-tables.js';
import type { Finding, Location, NodeLearn } from '../../src/core/types.js';

// Kept before any test fakes the timers: waiting for real I/O needs real time.
const realSetTimeout = globalThis.setTimeout;

let cert: { key: string; cert: string; caFile: string } | null = null;

/** A self-signed certificate for 127.0.0.1 and localhost (made once), its PEM also in a file. */
export function testCertificate(): { key: string; cert: string; caFile: string } {
  if (!cert) {
    const pems = selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
      days: 2,
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    const caFile = join(mkdtempSync(join(tmpdir(), 'ept-notify-')), 'ca.pem');
    writeFileSync(caFile, pems.cert);
    cert = { key: pems.private, cert: pems.cert, caFile };
  }
  return cert;
}

/** Waits until check() is true, in real time even under fake timers; fails after timeoutMs. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => realSetTimeout(r, 2));
  }
}

/** Lets real I/O run for ms of real time (under fake timers too). */
export function realDelay(ms: number): Promise<void> {
  return new Promise((r) => realSetTimeout(r, ms));
}

export interface SyslogReceiver {
  port: number;
  messages: string[];
  close(): Promise<void>;
}

export async function udpSyslog(): Promise<SyslogReceiver> {
  const sock = createSocket('udp4');
  const messages: string[] = [];
  sock.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, messages, close: () => new Promise((r) => sock.close(() => r())) };
}

/** Splits an RFC 6587 octet-counted stream; a malformed frame is recorded as an error. */
function octetCounted(sock: Socket, messages: string[], errors: string[]): void {
  let buf = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const sp = buf.indexOf(0x20);
      if (sp < 0) return;
      const lenText = buf.subarray(0, sp).toString();
      if (!/^[1-9]\d*$/.test(lenText)) {
        errors.push(`bad frame length ${JSON.stringify(lenText)}`);
        sock.destroy();
        return;
      }
      const len = Number(lenText);
      if (buf.length < sp + 1 + len) return;
      messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      buf = buf.subarray(sp + 1 + len);
    }
  });
  sock.on('error', () => undefined);
}

export interface StreamSyslogReceiver extends SyslogReceiver {
  errors: string[];
  connections: number;
  /** Closes every open connection from the server side. */
  dropConnections(): void;
}

export async function streamSyslog(tls: boolean): Promise<StreamSyslogReceiver> {
  const messages: string[] = [];
  const errors: string[] = [];
  const sockets = new Set<Socket>();
  const r: StreamSyslogReceiver = {
    port: 0,
    messages,
    errors,
    connections: 0,
    close: async () => undefined,
    dropConnections: () => sockets.forEach((s) => s.destroy()),
  };
  const onSocket = (s: Socket) => {
    r.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    octetCounted(s, messages, errors);
  };
  const c = testCertificate();
  const server: Server = tls ? tlsServer({ key: c.key, cert: c.cert }, onSocket) : netServer(onSocket);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  r.port = (server.address() as AddressInfo).port;
  r.close = () =>
    new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      server.close(() => res());
    });
  return r;
}

/** A mail as the SMTP server received it, headers unfolded and body decoded. */
export interface ReceivedMail {
  from: string;
  to: string[];
  secure: boolean;
  user: string | undefined;
  headers: Map<string, string>;
  subject: string;
  text: string;
}

function decodeWord(v: string): string {
  return v.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQp(data.replace(/_/g, ' ')),
  );
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const m = /^=([0-9A-F]{2})/i.exec(text.slice(i, i + 3));
    if (m) {
      bytes.push(parseInt(m[1]!, 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function parseMail(raw: string): { headers: Map<string, string>; subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n(?=[ \t])/g, '');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const body = raw.slice(split + 4);
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    enc === 'quoted-printable'
      ? decodeQp(body)
      : enc === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return { headers, subject: decodeWord(headers.get('subject') ?? ''), text: text.replace(/\r\n/g, '\n') };
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP server offering STARTTLS; with auth set, AUTH PLAIN/LOGIN is required after TLS. */
export async function smtpReceiver(
  opts: { auth?: { user: string; pass: string }; host?: string; port?: number } = {},
): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const c = testCertificate();
  const server = new SMTPServer({
    key: c.key,
    cert: c.cert,
    secure: false,
    authOptional: !opts.auth,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass)
        cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => {
        const m = parseMail(Buffer.concat(chunks).toString('utf8'));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address),
          secure: session.secure,
          user: session.user as string | undefined,
          ...m,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((r) => server.close(() => r())) };
}

export interface WebhookRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when it arrived (fake time under fake timers). */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  requests: WebhookRequest[];
  /** Status to answer request number i (0-based); default 200. */
  status: (i: number) => number;
  close(): Promise<void>;
}

export async function webhookReceiver(status: (i: number) => number = () => 200): Promise<WebhookReceiver> {
  const r: WebhookReceiver = { url: '', requests: [], status, close: async () => undefined };
  const server = httpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const i = r.requests.length;
      r.requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      res.statusCode = r.status(i);
      res.end('ok');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ept`;
  r.close = () =>
    new Promise<void>((res) => {
      server.closeAllConnections();
      server.close(() => res());
    });
  return r;
}

// ---- a small named fabric and findings in it ----

export const VRF_VNID = 2949120;
export const BD_VNID = 15925206;
export const EPG_PCTAG = 32770;

/** Tables of a fabric with leaves 101-103, tenant acme, VRF prod, BD web, EPG shop/web. */
export function labTables(): FabricTables {
  const t = new FabricTables();
  for (const id of [101, 102, 103])
    t.apply('fabricNode', {
      dn: `topology/pod-1/node-${id}`,
      name: `leaf${id}`,
      role: 'leaf',
      fabricSt: 'active',
    });
  t.apply('fvCtx', { dn: 'uni/tn-acme/ctx-prod', scope: String(VRF_VNID) });
  t.apply('fvBD', { dn: 'uni/tn-acme/BD-web', seg: String(BD_VNID), scope: String(VRF_VNID) });
  t.apply('fvAEPg', { dn: 'uni/tn-acme/ap-shop/epg-web', pcTag: String(EPG_PCTAG), scope: String(VRF_VNID) });
  t.apply('fvRsBd', { dn: 'uni/tn-acme/ap-shop/epg-web/rsbd', tDn: 'uni/tn-acme/BD-web' });
  return t;
}

export function location(node: number, ifId: string, ts: number): Location {
  return { node, ifId, encap: 'vlan-100', pcTag: EPG_PCTAG, rwMac: '', rwBd: 0, ts };
}

/** A MAC move in BD web from leaf101 to leaf102. */
export function macMove(fabric: string, addr: string, ts: number, from = 101, to = 102): Finding {
  return {
    kind: 'move',
    fabric,
    vnid: BD_VNID,
    addr,
    type: 'mac',
    ts,
    node: 0,
    src: location(from, 'eth1/1', ts - 1000),
    dst: location(to, 'eth1/2', ts),
  };
}

/** A stale remote learn of an IP in VRF prod on leaf103 pointing at leaf101. */
export function ipStale(fabric: string, addr: string, ts: number): Finding {
  const learn: NodeLearn = {
    node: 103,
    present: true,
    flags: ['ip'],
    ifId: 'tunnel5',
    encap: '',
    pcTag: EPG_PCTAG,
    bd: BD_VNID,
    vrf: VRF_VNID,
    rwMac: '',
    rwBd: 0,
    remote: 101,
    ts,
    seq: 1,
    seen: 0,
    bindSeen: 0,
  };
  return {
    kind: 'stale',
    fabric,
    vnid: VRF_VNID,
    addr,
    type: 'ipv4',
    ts,
    node: 103,
    reason: 'remote',
    remote: 101,
    expected: 102,
    learn,
  };
}
