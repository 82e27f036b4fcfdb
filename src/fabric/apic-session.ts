// An authenticated session with one APIC of a cluster: login with failover across the configured
// URLs, aaaRefresh before the token idles out, a fresh login before its maximum lifetime.
import type { Logger } from 'pino';
import { EptError } from '../core/errors.js';
import { parseApicMessage } from '../protocols/apic-objects.js';
import { ApicAgents, apicCookie, httpRequest, type HttpAnswer } from './apic-http.js';

/** Something that can GET an APIC path and return the body of a successful answer. */
export interface ApicGetter {
  get(path: string, signal?: AbortSignal): Promise<string>;
  /** The same answer as bytes (large pages go to the decoder thread without becoming a string here). */
  getBody?(path: string, signal?: AbortSignal): Promise<Buffer>;
}

export interface ApicSessionOptions {
  /** APIC URLs (https://host[:port]), tried in order. */
  urls: string[];
  username: string;
  password: string;
  /** Verify the APIC certificate (default true). */
  verifyTls?: boolean;
  /** PEM file of the CA that signed the APIC certificate. */
  caFile?: string;
  /** Upper bound of a session before a fresh login, seconds (the fabric's session_timeout). */
  sessionTimeoutSeconds?: number;
  /** Timeout of one request, ms (default 30 000). */
  requestTimeoutMs?: number;
  logger: Logger;
  /**
   * Called after a login the owner did not ask for (lifetime renewal, token expired under a
   * request, failed aaaRefresh): subscriptions of the old session are gone, so it is a gap.
   */
  onRenewed?: (reason: string) => void;
}

interface LoginInfo {
  token: string;
  refreshTimeoutSeconds: number;
  maximumLifetimeSeconds: number;
}

export class ApicSession implements ApicGetter {
  private readonly agents: ApicAgents;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private index = 0;
  private token: string | null = null;
  private cookie: string | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private loginInFlight: Promise<string> | null = null;
  private closed = false;
  /** Logins done since creation (for status and tests). */
  logins = 0;
  refreshes = 0;

  constructor(private readonly opts: ApicSessionOptions) {
    if (opts.urls.length === 0) throw new EptError('config_invalid', 'apic.urls is empty: at least one APIC URL is needed');
    this.log = opts.logger;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    const verifyTls = opts.verifyTls ?? true;
    if (!verifyTls) this.log.warn({ urls: opts.urls }, 'TLS verification toward the APIC is off: the APIC identity is not checked');
    this.agents = new ApicAgents({ verifyTls, caFile: opts.caFile });
  }

  /** The APIC URL in use (the last one that worked). */
  get url(): string {
    return this.opts.urls[this.index] ?? '';
  }

  get loggedIn(): boolean {
    return this.token !== null;
  }

  /** Websocket URL of the current session: ws(s)://<apic>/socket<token>. */
  socketUrl(): string {
    if (!this.token) throw new EptError('internal', 'socketUrl() before login');
    const u = new URL(this.url);
    const proto = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${u.host}/socket${this.token}`;
  }

  /** TLS options for the websocket, the same as for REST. */
  socketTls(): { ca?: string; rejectUnauthorized: boolean } {
    return this.agents.ca ? { ca: this.agents.ca, rejectUnauthorized: this.agents.rejectUnauthorized } : { rejectUnauthorized: this.agents.rejectUnauthorized };
  }

  /** Logs in, trying the remembered URL first and then the others in order. Returns the URL. */
  login(): Promise<string> {
    this.loginInFlight ??= this.loginAll(this.index).finally(() => (this.loginInFlight = null));
    return this.loginInFlight;
  }

  /** Logs in starting from the URL after the current one (the current one is suspect). */
  failover(): Promise<string> {
    this.dropToken();
    this.loginInFlight ??= this.loginAll((this.index + 1) % this.opts.urls.length).finally(() => (this.loginInFlight = null));
    return this.loginInFlight;
  }

  private async loginAll(start: number): Promise<string> {
    const urls = this.opts.urls;
    const failures: string[] = [];
    let apicError: EptError | null = null;
    for (let k = 0; k < urls.length; k++) {
      const i = (start + k) % urls.length;
      const url = urls[i] ?? '';
      try {
        const info = await this.loginOne(url);
        this.index = i;
        this.accept(info);
        this.log.info({ apic: url }, 'logged in to APIC');
        return url;
      } catch (err) {
        const e = err as Error;
        failures.push(`${url} (${e.message})`);
        if (err instanceof EptError && err.code === 'apic_error') apicError = err;
        this.log.warn({ apic: url, err: e.message }, 'APIC login failed');
      }
    }
    this.dropToken();
    // An APIC that answered with an error (bad credentials) is the useful message, not "unreachable".
    if (apicError && failures.length === 1) throw apicError;
    const code = apicError ? 'apic_error' : 'apic_unreachable';
    throw new EptError(code, `login failed on every APIC: ${failures.join('; ')}`, { urls, failures });
  }

  private async loginOne(url: string): Promise<LoginInfo> {
    const body = JSON.stringify({ aaaUser: { attributes: { name: this.opts.username, pwd: this.opts.password } } });
    const ans = await httpRequest(this.agents, url, '/api/aaaLogin.json', { method: 'POST', body, timeoutMs: this.timeoutMs });
    return this.readLogin(url, '/api/aaaLogin.json', ans);
  }

  private readLogin(url: string, path: string, ans: HttpAnswer): LoginInfo {
    const { text } = checkAnswer(url, path, ans);
    const { message, problems } = parseApicMessage(text);
    const attrs = message.objects[0]?.cls === 'aaaLogin' ? message.objects[0].attrs : undefined;
    const token = apicCookie(ans.setCookie) ?? attrs?.['token'];
    if (!attrs || !token) {
      const why = problems[0]?.message ?? 'no imdata[0].aaaLogin.attributes.token';
      throw new EptError('parse_error', `${url}${path}: unusable login answer: ${why}`, { url });
    }
    return {
      token,
      refreshTimeoutSeconds: positive(attrs['refreshTimeoutSeconds'], 600),
      maximumLifetimeSeconds: positive(attrs['maximumLifetimeSeconds'], 86_400),
    };
  }

  private accept(info: LoginInfo): void {
    this.token = info.token;
    this.cookie = `APIC-cookie=${info.token}`;
    this.logins++;
    this.schedule(info);
  }

  private schedule(info: LoginInfo): void {
    this.clearTimers();
    if (this.closed) return;
    // Refresh at half the idle timeout: one lost refresh still leaves time for the next.
    const refreshMs = Math.max(1, info.refreshTimeoutSeconds / 2) * 1000;
    this.refreshTimer = setInterval(() => void this.backgroundRefresh(), refreshMs);
    this.refreshTimer.unref();
    const lifetime = Math.min(info.maximumLifetimeSeconds, this.opts.sessionTimeoutSeconds ?? Infinity);
    this.renewTimer = setTimeout(() => void this.renew('session lifetime reached'), lifetime * 900);
    this.renewTimer.unref();
  }

  /** GET /api/aaaRefresh.json; keeps the token alive (and takes a new one if the APIC sends it). */
  async refresh(): Promise<void> {
    const path = '/api/aaaRefresh.json';
    const ans = await httpRequest(this.agents, this.url, path, { method: 'GET', cookie: this.cookie ?? '', timeoutMs: this.timeoutMs });
    const info = this.readLogin(this.url, path, ans);
    this.token = info.token;
    this.cookie = `APIC-cookie=${info.token}`;
    this.refreshes++;
  }

  private async backgroundRefresh(): Promise<void> {
    if (this.closed || !this.token) return;
    try {
      await this.refresh();
    } catch (err) {
      this.log.warn({ apic: this.url, err: (err as Error).message }, 'aaaRefresh failed; logging in again');
      await this.renew(`aaaRefresh failed: ${(err as Error).message}`);
    }
  }

  private async renew(reason: string): Promise<void> {
    if (this.closed) return;
    try {
      await this.login();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'APIC session renewal failed');
    }
    this.opts.onRenewed?.(reason);
  }

  /**
   * GETs a path on the current APIC and returns the body. A rejected token (401/403) gets one fresh
   * login and a retry; APIC errors become EptError('apic_error'); network failures and timeouts
   * EptError('apic_unreachable'), and the next login starts with the next URL.
   */
  async get(path: string, signal?: AbortSignal): Promise<string> {
    return checkAnswer(this.url, path, await this.answer(path, signal)).text;
  }

  async getBody(path: string, signal?: AbortSignal): Promise<Buffer> {
    return checkAnswer(this.url, path, await this.answer(path, signal)).body;
  }

  private async answer(path: string, signal?: AbortSignal): Promise<HttpAnswer> {
    if (!this.token) await this.login();
    let ans = await this.send(path, signal);
    if (ans.status === 401 || ans.status === 403) {
      this.log.info({ apic: this.url, status: ans.status }, 'APIC rejected the token; logging in again');
      await this.login();
      this.opts.onRenewed?.(`token rejected (HTTP ${ans.status})`);
      ans = await this.send(path, signal);
    }
    return ans;
  }

  private async send(path: string, signal?: AbortSignal): Promise<HttpAnswer> {
    const url = this.url;
    try {
      return await httpRequest(this.agents, url, path, { method: 'GET', cookie: this.cookie ?? '', timeoutMs: this.timeoutMs, signal });
    } catch (err) {
      // Only a real network failure makes the APIC suspect, not our own abort.
      if (!signal?.aborted && this.url === url) this.index = (this.index + 1) % this.opts.urls.length;
      if (!signal?.aborted) this.dropToken();
      throw err;
    }
  }

  private dropToken(): void {
    this.token = null;
    this.cookie = null;
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.refreshTimer = this.renewTimer = null;
  }

  close(): void {
    this.closed = true;
    this.dropToken();
    this.agents.destroy();
  }
}

/** Returns a 200 answer; turns anything else into EptError('apic_error'). */
export function checkAnswer(url: string, path: string, ans: HttpAnswer): HttpAnswer {
  if (ans.status === 200) {
    // Some APIC errors come back with 200; imdata[0].error is the signal (a short answer).
    if (ans.body.length < 4096 && ans.text.includes('"error"')) throwIfApicError(url, path, ans);
    return ans;
  }
  throwIfApicError(url, path, ans);
  throw new EptError('apic_error', `${url}${path}: HTTP ${ans.status}: ${snippet(ans.text)}`, { url, status: ans.status });
}

function throwIfApicError(url: string, path: string, ans: HttpAnswer): void {
  const { message } = parseApicMessage(ans.text);
  if (message.error) {
    const { code, text } = message.error;
    throw new EptError('apic_error', `${url}${path}: APIC error ${code}: ${text}`, { url, status: ans.status, code, text });
  }
}

function snippet(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function positive(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
