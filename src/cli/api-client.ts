// The CLI's client of the ept HTTP API (global fetch). Errors come back as EptError with the
// server's stable code, so the CLI prints "ept: <code>: <message>".
import { EptError, type ErrorCode } from '../core/errors.js';

/** How to reach and authenticate to a server. */
export interface ApiClientOptions {
  server: string;
  token?: string;
  /** Logs in with these when no token is given. */
  user?: string;
  password?: string;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

export class ApiClient {
  private token: string | undefined;
  readonly server: string;

  constructor(private readonly opts: ApiClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.token = opts.token;
  }

  /** Exchanges username and password for a token (also used for later requests). */
  async login(username: string, password: string): Promise<{ token: string; expiresAt: string; role: string }> {
    const r = await this.send<{ token: string; expiresAt: string; role: string }>('POST', '/api/v1/auth/login', { username, password }, false);
    this.token = r.token;
    return r;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** An authenticated request; logs in first with user/password when there is no token yet. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.token && this.opts.user && this.opts.password) await this.login(this.opts.user, this.opts.password);
    if (!this.token) throw new EptError('unauthorized', 'no token: pass --token, set EPT_TOKEN, or give --user and --password');
    return this.send<T>(method, path, body, true);
  }

  /** An unauthenticated GET (healthz). */
  getPublic<T>(path: string): Promise<T> {
    return this.send<T>('GET', path, undefined, false);
  }

  private async send<T>(method: string, path: string, body: unknown, auth: boolean): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.token) headers['authorization'] = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.server + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
      throw new EptError('unreachable', `cannot reach the ept server at ${this.server}: ${why}`, undefined, { cause: err });
    }
    const text = await res.text();
    if (res.status === 204) return undefined as T;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new EptError('parse_error', `${method} ${path}: the server answered ${res.status} with non-JSON: ${text.slice(0, 120)}`);
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      throw new EptError((e?.code ?? 'internal') as ErrorCode, e?.message ?? `HTTP ${res.status}`, e?.details);
    }
    return json as T;
  }
}

/** Encodes a path segment (IPv6 addresses, names). */
export function seg(s: string | number): string {
  return encodeURIComponent(String(s));
}

/** Builds a query string from defined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
