// One simulated APIC: HTTP or HTTPS server speaking the APIC REST API (aaaLogin, aaaRefresh, class
// and mo queries, subscriptions, subscriptionRefresh) and the /socket<token> websocket, with fault
// injection. Several ApicServers over one FabricModel act as an APIC cluster.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { WebSocketServer } from 'ws';
import { ApicQueryError, imdataEntry, parseQuery, runQuery } from './apic-query.js';
import { SessionStore, type SessionOptions, type SimSession } from './apic-sessions.js';
import type { FabricModel } from './fabric-model.js';
import { WebsocketHub } from './websocket-hub.js';

/** Options of one simulated APIC. */
export interface ApicServerOptions extends SessionOptions {
  model: FabricModel;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (ephemeral). */
  port?: number;
  /** Serve HTTPS (and wss) with a self-signed certificate. */
  tls?: boolean;
  username?: string;
  password?: string;
  /** Name of this APIC in answers (node id 1, 2, 3...). */
  apicId?: number;
}

/** A fault the next matching requests suffer. */
export type HttpFault =
  | { kind: 'http-500'; count?: number; path?: string }
  | { kind: 'apic-error'; count?: number; path?: string; status?: number; code?: string; text?: string }
  | { kind: 'hang'; count?: number; path?: string }
  | { kind: 'malformed'; count?: number; path?: string }
  | { kind: 'ws-truncate'; count?: number };

let certCache: { key: string; cert: string } | null = null;

/** A self-signed certificate for 127.0.0.1/localhost, made once per process. */
export function simCertificate(): { key: string; cert: string } {
  if (!certCache) {
    const pems = selfsigned.generate([{ name: 'commonName', value: 'apic-sim' }], {
      days: 365,
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    certCache = { key: pems.private, cert: pems.cert };
  }
  return certCache;
}

function apicError(res: ServerResponse, status: number, code: string, text: string): void {
  const body = JSON.stringify({ totalCount: '1', imdata: [{ error: { attributes: { code, text } } }] });
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

function tokenOf(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)APIC-cookie=([^;]+)/i.exec(cookie);
  if (m) return m[1];
  const h = req.headers['apic-cookie'];
  return typeof h === 'string' ? h : undefined;
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class ApicServer {
  readonly sessions: SessionStore;
  readonly hub: WebsocketHub;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly faults: HttpFault[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly sockets = new Set<Duplex>();
  private holdOffUntil = 0;
  private port = 0;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribeModel: (() => void) | null = null;
  queriesServed = 0;
  objectsServed = 0;

  constructor(private readonly o: ApicServerOptions) {
    this.sessions = new SessionStore(o);
    this.hub = new WebsocketHub(this.sessions);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) apicError(res, 500, '500', `simulator error: ${(err as Error).message}`);
        else res.destroy();
      });
    };
    this.server = o.tls ? createHttpsServer(simCertificate(), handler) : createHttpServer(handler);
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Base URL (http[s]://host:port). */
  get url(): string {
    return `${this.o.tls ? 'https' : 'http'}://${this.o.host ?? '127.0.0.1'}:${this.port}`;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Starts listening (again, on the same port after stop()). */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port || this.o.port || 0, this.o.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.unsubscribeModel = this.o.model.onEvents((ev) => this.hub.dispatch(ev));
    this.timer = setInterval(() => this.sessions.expire(), 1000);
    this.timer.unref();
  }

  /** Stops serving: closes the listener, every connection and websocket (an APIC going down). */
  async stop(): Promise<void> {
    this.unsubscribeModel?.();
    this.unsubscribeModel = null;
    if (this.timer) clearInterval(this.timer);
    this.hub.dropAll();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Drops every websocket; with holdOffMs, new websocket connections are refused for that long. */
  dropWebsockets(holdOffMs = 0): void {
    this.holdOffUntil = Date.now() + holdOffMs;
    this.hub.dropAll();
  }

  /** Makes the next `count` (default 1) matching requests, or websocket frames, fail. */
  injectFault(f: HttpFault): void {
    if (f.kind === 'ws-truncate') this.hub.truncateNext += f.count ?? 1;
    else this.faults.push({ ...f, count: f.count ?? 1 });
  }

  private takeFault(path: string): HttpFault | undefined {
    const i = this.faults.findIndex((f) => f.kind !== 'ws-truncate' && (!f.path || path.includes(f.path)));
    const f = this.faults[i];
    if (!f) return undefined;
    f.count = (f.count ?? 1) - 1;
    if (f.count <= 0) this.faults.splice(i, 1);
    return f;
  }

  private applyFault(f: HttpFault, res: ServerResponse): void {
    switch (f.kind) {
      case 'http-500':
        res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>500 Internal Server Error</body></html>');
        return;
      case 'apic-error':
        apicError(res, f.status ?? 400, f.code ?? '100', f.text ?? 'simulated APIC error');
        return;
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"totalCount":"1","imdata":[{"fvCtx":{"attrib');
        return;
      case 'ws-truncate':
        return;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    if (!path.startsWith('/api/')) return apicError(res, 404, '404', `no such path ${path}`);
    const fault = this.takeFault(path + url.search);
    if (fault) return this.applyFault(fault, res);
    if (path === '/api/aaaLogin.json') return this.login(req, res);
    const s = this.sessions.check(tokenOf(req));
    if (typeof s === 'string') {
      const text =
        s === 'expired'
          ? 'Token was invalid (Error: Token timeout)'
          : 'Need a valid webtoken cookie (named APIC-Cookie) or a signed request with signature in the cookie.';
      return apicError(res, 403, '403', text);
    }
    if (path === '/api/aaaRefresh.json') {
      this.sessions.refresh(s);
      return this.sendLogin(res, 'aaaLogin', s);
    }
    if (path === '/api/aaaLogout.json') {
      this.sessions.logout(s.token);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"totalCount":"0","imdata":[]}');
    }
    if (path === '/api/subscriptionRefresh.json') {
      const id = url.searchParams.get('id') ?? '';
      const rt = Number(url.searchParams.get('refresh-timeout') ?? 0) || null;
      if (!this.sessions.refreshSubscription(id, rt)) return apicError(res, 400, '400', `subscription ${id} does not exist`);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"totalCount":"0","imdata":[]}');
    }
    this.query(s, path.slice(5), url.searchParams, res);
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return apicError(res, 400, '400', 'aaaLogin needs POST');
    let name: unknown;
    let pwd: unknown;
    try {
      const body = JSON.parse(await readBody(req)) as { aaaUser?: { attributes?: { name?: unknown; pwd?: unknown } } };
      name = body.aaaUser?.attributes?.name;
      pwd = body.aaaUser?.attributes?.pwd;
    } catch {
      return apicError(res, 400, '400', 'Failed to parse login request');
    }
    if (typeof name !== 'string' || typeof pwd !== 'string') return apicError(res, 400, '400', 'Failed to parse login request: aaaUser.attributes.name and pwd are required');
    if (name !== (this.o.username ?? 'admin') || pwd !== (this.o.password ?? 'ept-sim')) {
      return apicError(res, 401, '401', 'Username or password is incorrect - FAILED local authentication');
    }
    this.sendLogin(res, 'aaaLogin', this.sessions.login(name));
  }

  private sendLogin(res: ServerResponse, cls: string, s: SimSession): void {
    const attrs = {
      token: s.token,
      siteFingerprint: 'sim',
      refreshTimeoutSeconds: String(this.sessions.refreshTimeoutSeconds),
      maximumLifetimeSeconds: String(this.sessions.maximumLifetimeSeconds),
      guiIdleTimeoutSeconds: '1200',
      restTimeoutSeconds: '90',
      creationTime: String(Math.floor(s.createdMs / 1000)),
      firstLoginTime: String(Math.floor(s.createdMs / 1000)),
      userName: s.user,
      remoteUser: 'false',
      unixUserId: '15374',
      sessionId: s.token.slice(0, 24),
      lastName: '',
      firstName: '',
      version: '5.2(7g)',
      buildTime: 'Mon Jan 01 00:00:00 UTC 2024',
      node: `topology/pod-1/node-${this.o.apicId ?? 1}`,
    };
    const cookie = `APIC-cookie=${s.token}; path=/; HttpOnly${this.o.tls ? '; secure' : ''}`;
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': cookie });
    res.end(JSON.stringify({ totalCount: '1', imdata: [{ [cls]: { attributes: attrs, children: [] } }] }));
  }

  private query(s: SimSession, path: string, params: URLSearchParams, res: ServerResponse): void {
    let q;
    let result;
    try {
      q = parseQuery(path, params);
      result = runQuery(this.o.model, q);
    } catch (err) {
      if (err instanceof ApicQueryError) return apicError(res, err.status, err.apicCode, err.message);
      throw err;
    }
    this.queriesServed++;
    const sub = q.subscription ? this.sessions.subscribe(s.token, q) : null;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"totalCount":"${result.total}",${sub ? `"subscriptionId":"${sub.id}",` : ''}"imdata":[`);
    let chunk: string[] = [];
    let first = true;
    result.page((mo) => {
      chunk.push(imdataEntry(mo));
      this.objectsServed++;
      if (chunk.length >= 1000) {
        res.write((first ? '' : ',') + chunk.join(','));
        first = false;
        chunk = [];
      }
    });
    if (chunk.length > 0) res.write((first ? '' : ',') + chunk.join(','));
    res.end(']}');
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const m = /^\/socket(.+)$/.exec(new URL(req.url ?? '/', 'http://sim').pathname);
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!m?.[1]) return refuse(404, 'Not Found');
    if (Date.now() < this.holdOffUntil) return refuse(503, 'Service Unavailable');
    const token = decodeURIComponent(m[1]);
    if (typeof this.sessions.check(token) === 'string') return refuse(403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.hub.add(token, ws));
  }
}
