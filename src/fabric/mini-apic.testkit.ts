// Test support for src/fabric: a small real APIC (HTTP or HTTPS + websocket on 127.0.0.1, port 0)
// speaking the REST and event formats of REFERENCE-aci.md, with knobs to misbehave (hang, send
// malformed pages, drop sockets, expire tokens). Not a simulator: the tests decide the content.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

type Attrs = Record<string, string>;

export interface MiniApicOptions {
  tls?: { key: string; cert: string };
  username?: string;
  password?: string;
  refreshTimeoutSeconds?: number;
  maximumLifetimeSeconds?: number;
}

interface Subscription {
  cls: string;
  filter: string | null;
}

export class MiniApic {
  readonly server: http.Server;
  readonly wss: WebSocketServer;
  /** Class -> dn -> attributes. */
  readonly data = new Map<string, Map<string, Attrs>>();
  readonly subs = new Map<string, Subscription>();
  readonly tokens = new Set<string>();
  readonly sockets = new Set<WebSocket>();
  readonly requests: string[] = [];
  logins = 0;
  refreshes = 0;
  subscriptionRefreshes = 0;
  /** Paths (prefix match) that are accepted and never answered. */
  hang: string[] = [];
  /** Raw answer text for paths (prefix match), e.g. a malformed page. */
  override = new Map<string, string>();
  private nextId = 1;
  private readonly conns = new Set<Socket>();

  constructor(private readonly opts: MiniApicOptions = {}) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
    this.server.on('connection', (c: Socket) => {
      this.conns.add(c);
      c.on('close', () => this.conns.delete(c));
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const token = (req.url ?? '').replace(/^\/socket/, '');
      if (!this.tokens.has(token)) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return this.url;
  }

  get url(): string {
    const port = (this.server.address() as AddressInfo).port;
    return `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    for (const c of this.conns) c.destroy();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Sets an object in the data (no event). */
  put(cls: string, attrs: Attrs): void {
    let m = this.data.get(cls);
    if (!m) this.data.set(cls, (m = new Map()));
    m.set(attrs['dn'] ?? '', attrs);
  }

  remove(cls: string, dn: string): void {
    this.data.get(cls)?.delete(dn);
  }

  /** Changes the data and sends the event to every subscription of the class. */
  event(cls: string, attrs: Attrs & { status: 'created' | 'modified' | 'deleted' }): void {
    const dn = attrs['dn'] ?? '';
    if (attrs.status === 'deleted') this.remove(cls, dn);
    else this.put(cls, { ...(this.data.get(cls)?.get(dn) ?? {}), ...attrs, status: '' });
    const ids = [...this.subs].filter(([, s]) => s.cls === cls && (!s.filter || matches(s.filter, cls, attrs))).map(([id]) => id);
    if (ids.length) this.sendRaw(JSON.stringify({ subscriptionId: ids, imdata: [{ [cls]: { attributes: attrs } }] }));
  }

  /** Subscription ids of a class. */
  idsOf(cls: string): string[] {
    return [...this.subs].filter(([, s]) => s.cls === cls).map(([id]) => id);
  }

  sendRaw(text: string): void {
    for (const ws of this.sockets) ws.send(text);
  }

  /** Drops every websocket and forgets the subscriptions (as an APIC does). */
  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
    this.subs.clear();
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = req.url ?? '';
    this.requests.push(path);
    if (this.hang.some((h) => path.startsWith(h))) return;
    const raw = [...this.override].find(([p]) => path.startsWith(p));
    if (raw) return void res.end(raw[1]);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.route(req, res, path, Buffer.concat(chunks).toString()));
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: string): void {
    const u = new URL(path, 'http://x');
    if (u.pathname === '/api/aaaLogin.json') return this.login(res, body);
    const token = /APIC-cookie=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return error(res, 403, '403', 'Token was invalid (Error: Token timeout)');
    if (u.pathname === '/api/aaaRefresh.json') {
      this.refreshes++;
      return json(res, { imdata: [{ aaaLogin: { attributes: this.loginAttrs(token) } }] });
    }
    if (u.pathname === '/api/subscriptionRefresh.json') {
      this.subscriptionRefreshes++;
      if (!this.subs.has(u.searchParams.get('id') ?? '')) return error(res, 400, '400', 'subscription not found');
      return json(res, { totalCount: '0', imdata: [] });
    }
    const m = /^\/api\/class\/(\w+)\.json$/.exec(u.pathname);
    if (!m?.[1]) return error(res, 400, '400', `unknown path ${u.pathname}`);
    this.classQuery(res, m[1], u.searchParams);
  }

  private login(res: http.ServerResponse, body: string): void {
    const a = (JSON.parse(body) as { aaaUser: { attributes: { name: string; pwd: string } } }).aaaUser.attributes;
    if (a.name !== (this.opts.username ?? 'admin') || a.pwd !== (this.opts.password ?? 'pw')) {
      return error(res, 401, '401', 'Username or password is incorrect - FAILED local authentication');
    }
    this.logins++;
    const token = `tok${this.logins}x${Math.random().toString(36).slice(2)}`;
    this.tokens.add(token);
    res.setHeader('set-cookie', `APIC-cookie=${token}; path=/; HttpOnly`);
    json(res, { totalCount: '1', imdata: [{ aaaLogin: { attributes: this.loginAttrs(token) } }] });
  }

  private loginAttrs(token: string): Attrs {
    return {
      token,
      refreshTimeoutSeconds: String(this.opts.refreshTimeoutSeconds ?? 600),
      maximumLifetimeSeconds: String(this.opts.maximumLifetimeSeconds ?? 86400),
    };
  }

  private classQuery(res: http.ServerResponse, cls: string, q: URLSearchParams): void {
    const filter = q.get('query-target-filter');
    const all = [...(this.data.get(cls)?.values() ?? [])]
      .filter((a) => !filter || matches(filter, cls, a))
      .sort((x, y) => ((x['dn'] ?? '') < (y['dn'] ?? '') ? -1 : 1));
    const size = Number(q.get('page-size') ?? all.length);
    const page = Number(q.get('page') ?? 0);
    const slice = all.slice(page * size, page * size + size);
    const out: Record<string, unknown> = { totalCount: String(all.length), imdata: slice.map((a) => ({ [cls]: { attributes: a } })) };
    if (q.get('subscription') === 'yes') {
      const id = String(7205759800000 + this.nextId++);
      this.subs.set(id, { cls, filter });
      out['subscriptionId'] = id;
    }
    json(res, out);
  }
}

function json(res: http.ServerResponse, body: unknown): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

function error(res: http.ServerResponse, status: number, code: string, text: string): void {
  res.statusCode = status;
  json(res, { totalCount: '1', imdata: [{ error: { attributes: { code, text } } }] });
}

/** Evaluates the subset of APIC filters ept sends: eq, wcard (substring), and, or. */
export function matches(filter: string, cls: string, attrs: Attrs): boolean {
  const f = filter.trim();
  const m = /^(\w+)\((.*)\)$/s.exec(f);
  if (!m) throw new Error(`bad filter ${filter}`);
  const [, op, inner = ''] = m;
  if (op === 'and' || op === 'or') {
    const parts = splitArgs(inner).map((p) => matches(p, cls, attrs));
    return op === 'and' ? parts.every(Boolean) : parts.some(Boolean);
  }
  const [prop = '', quoted = ''] = splitArgs(inner);
  const value = quoted.replace(/^"|"$/g, '');
  const attr = attrs[prop.split('.')[1] ?? ''] ?? '';
  if (op === 'eq') return attr === value;
  if (op === 'wcard') return attr.includes(value);
  throw new Error(`unsupported filter op ${op}`);
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
