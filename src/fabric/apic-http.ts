// One HTTP(S) exchange with an APIC, with keep-alive agents, TLS settings and a hard timeout, so an
// APIC that accepts the connection and then hangs cannot hang ept.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { EptError } from '../core/errors.js';

/** TLS settings toward the APIC. */
export interface ApicTlsOptions {
  /** Verify the APIC certificate (default true). */
  verifyTls: boolean;
  /** PEM file of the CA that signed the APIC certificate. */
  caFile?: string;
}

/** The answer of one request: its body as bytes, and as text (decoded the first time it is read). */
export interface HttpAnswer {
  status: number;
  body: Buffer;
  readonly text: string;
  setCookie: string[];
}

function answer(status: number, body: Buffer, setCookie: string[]): HttpAnswer {
  let text: string | null = null;
  return {
    status,
    body,
    setCookie,
    get text(): string {
      text ??= body.toString('utf8');
      return text;
    },
  };
}

/** Options of one request. */
export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  body?: string;
  cookie?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Sockets per agent; also bounds the resends on stale kept-alive sockets. */
const MAX_SOCKETS = 8;
const MAX_STALE_RESENDS = MAX_SOCKETS;

/** Keep-alive agents for http and https, sharing the TLS settings. */
export class ApicAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  /** CA certificate text, when a caFile was given. */
  readonly ca: string | undefined;
  readonly rejectUnauthorized: boolean;

  constructor(tls: ApicTlsOptions) {
    this.ca = tls.caFile ? readCa(tls.caFile) : undefined;
    this.rejectUnauthorized = tls.verifyTls;
    this.http = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
    this.https = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ca: this.ca, rejectUnauthorized: tls.verifyTls });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new EptError('config_invalid', `apic.caFile ${file} cannot be read: ${(err as Error).message}`, { caFile: file }, { cause: err });
  }
}

/**
 * Sends one request to base+path. Network failures, timeouts and aborts reject with
 * EptError('apic_unreachable') naming the URL; any HTTP status resolves (the caller reads it).
 */
export function httpRequest(agents: ApicAgents, base: string, path: string, opts: HttpRequestOptions): Promise<HttpAnswer> {
  const url = new URL(path, base);
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.cookie) headers['cookie'] = opts.cookie;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(opts.body));
  }
  return new Promise((resolve, reject) => {
    const fail = (message: string, cause?: unknown): void => {
      reject(new EptError('apic_unreachable', `${opts.method} ${url.href}: ${message}`, { url: base }, { cause }));
    };
    // Every free socket of the agent's pool may have been closed while idle: one resend per socket.
    const send = (resends: number): void => {
      const req = (secure ? https : http).request(url, {
        method: opts.method,
        headers,
        agent: secure ? agents.https : agents.http,
        signal: opts.signal,
      });
      // Inactivity timeout: covers a hung connect, a hung answer and a stalled body alike.
      req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // Added by the bench engineer: a kept-alive socket the server closed while idle (its
        // keep-alive timeout) fails at once with ECONNRESET ("socket hang up") before the server
        // read the request, so sending it again is safe (the retry Node's http docs prescribe for
        // req.reusedSocket). Without it, a busy ept turned this race into a gap and a full resync
        // (seen at 1M endpoints in `ept bench fabric`). A fresh socket failing is a real failure.
        if (req.reusedSocket && err.code === 'ECONNRESET' && resends < MAX_STALE_RESENDS && !opts.signal?.aborted) send(resends + 1);
        else fail(err.message, err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err.message, err));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          resolve(answer(res.statusCode ?? 0, Buffer.concat(chunks), setCookie));
        });
      });
      req.end(opts.body);
    };
    send(0);
  });
}

/** The value of the APIC-cookie in Set-Cookie headers, if any. */
export function apicCookie(setCookie: string[]): string | undefined {
  for (const c of setCookie) {
    const m = /^APIC-cookie=([^;]*)/.exec(c);
    if (m?.[1]) return m[1];
  }
  return undefined;
}
