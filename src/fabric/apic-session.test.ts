import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import selfsigned from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EptError } from '../core/errors.js';
import { ApicSession } from './apic-session.js';
import { MiniApic } from './mini-apic.testkit.js';

function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }), lines };
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  while (closers.length) await closers.pop()?.();
});

async function apic(opts: ConstructorParameters<typeof MiniApic>[0] = {}): Promise<MiniApic> {
  const a = new MiniApic(opts);
  await a.listen();
  closers.push(() => a.close());
  return a;
}

function session(urls: string[], extra: Partial<ConstructorParameters<typeof ApicSession>[0]> = {}): ApicSession {
  const s = new ApicSession({ urls, username: 'admin', password: 'pw', requestTimeoutMs: 2000, logger: captureLogger().logger, ...extra });
  closers.push(() => s.close());
  return s;
}

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A server that accepts connections and never answers. */
async function hungUrl(): Promise<string> {
  const socks: net.Socket[] = [];
  const srv = net.createServer((s) => void socks.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => {
    socks.forEach((s) => s.destroy());
    return new Promise<void>((r) => srv.close(() => r()));
  });
  return `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
}

describe('ApicSession login', () => {
  it('fails over across URLs in order and remembers the one that works', async () => {
    const a = await apic();
    const dead = await deadUrl();
    const s = session([dead, a.url]);
    expect(await s.login()).toBe(a.url);
    expect(s.url).toBe(a.url);
    expect(s.socketUrl()).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/socket tok1`.replace(' ', '')));
    await s.login();
    // The remembered URL is tried first: no second attempt on the dead one.
    expect(a.logins).toBe(2);
    expect(await s.get('/api/class/fvBD.json')).toContain('"imdata"');
  });

  it('names every URL tried when none answers', async () => {
    const d1 = await deadUrl();
    const d2 = await deadUrl();
    const err = await session([d1, d2]).login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EptError);
    expect((err as EptError).code).toBe('apic_unreachable');
    expect((err as EptError).message).toContain(d1);
    expect((err as EptError).message).toContain(d2);
  });

  it('turns an APIC error answer into apic_error with code and text', async () => {
    const a = await apic({ password: 'other' });
    const err = (await session([a.url]).login().catch((e: unknown) => e)) as EptError;
    expect(err.code).toBe('apic_error');
    expect(err.details).toMatchObject({ code: '401', text: expect.stringContaining('FAILED local authentication') });
  });

  it('times out on a hung APIC and fails over to the next', async () => {
    const a = await apic();
    const hung = await hungUrl();
    const s = session([hung, a.url], { requestTimeoutMs: 200 });
    const t0 = Date.now();
    expect(await s.login()).toBe(a.url);
    expect(Date.now() - t0).toBeLessThan(2000);
    const only = session([hung], { requestTimeoutMs: 200 });
    await expect(only.login()).rejects.toThrow(/no answer within 200 ms/);
  });

  it('a GET that hangs rejects with apic_unreachable, and the next login starts with the next URL', async () => {
    const a = await apic();
    const b = await apic();
    const s = session([a.url, b.url], { requestTimeoutMs: 200 });
    await s.login();
    a.hang = ['/api/class/'];
    await expect(s.get('/api/class/fvBD.json')).rejects.toMatchObject({ code: 'apic_unreachable' });
    expect(await s.login()).toBe(b.url);
    expect(a.logins).toBe(1);
  });
});

describe('ApicSession keepalive', () => {
  it('refreshes the token before refreshTimeoutSeconds and logs in again before the lifetime ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    const a = await apic({ refreshTimeoutSeconds: 60, maximumLifetimeSeconds: 1000 });
    const renewed: string[] = [];
    const s = session([a.url], { sessionTimeoutSeconds: 300, onRenewed: (r) => void renewed.push(r) });
    await s.login();
    await vi.advanceTimersByTimeAsync(31_000);
    await vi.waitFor(() => expect(a.refreshes).toBe(1));
    // session_timeout (300 s) is below the APIC lifetime: renewed at 90 % of it.
    await vi.advanceTimersByTimeAsync(240_000);
    await vi.waitFor(() => expect(renewed).toEqual(['session lifetime reached']));
    expect(a.logins).toBe(2);
  });

  it('logs in again when the APIC rejects the token, and retries the request', async () => {
    const a = await apic();
    const renewed: string[] = [];
    const s = session([a.url], { onRenewed: (r) => void renewed.push(r) });
    await s.login();
    a.expireTokens();
    expect(await s.get('/api/class/fvBD.json')).toContain('totalCount');
    expect(a.logins).toBe(2);
    expect(renewed[0]).toMatch(/token rejected/);
  });

  it('a failed aaaRefresh leads to a fresh login', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    const a = await apic({ refreshTimeoutSeconds: 20 });
    const renewed: string[] = [];
    const s = session([a.url], { onRenewed: (r) => void renewed.push(r) });
    await s.login();
    a.expireTokens();
    await vi.advanceTimersByTimeAsync(10_500);
    await vi.waitFor(() => expect(renewed).toHaveLength(1));
    expect(renewed[0]).toMatch(/aaaRefresh failed/);
    expect(a.logins).toBe(2);
  });
});

describe('ApicSession TLS', () => {
  let tls: { key: string; cert: string };
  beforeAll(() => {
    const pems = selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    tls = { key: pems.private, cert: pems.cert };
  });

  it('verifies certificates by default: a self-signed APIC is rejected', async () => {
    const a = await apic({ tls });
    const err = (await session([a.url]).login().catch((e: unknown) => e)) as EptError;
    expect(err.code).toBe('apic_unreachable');
    expect(err.message).toMatch(/self[- ]signed/i);
  });

  it('accepts the APIC when its CA is given in caFile', async () => {
    const a = await apic({ tls });
    const dir = mkdtempSync(join(tmpdir(), 'ept-ca-'));
    writeFileSync(join(dir, 'ca.pem'), tls.cert);
    const s = session([a.url], { caFile: join(dir, 'ca.pem') });
    expect(await s.login()).toBe(a.url);
    expect(s.socketUrl()).toMatch(/^wss:\/\//);
  });

  it('with verifyTls false connects and logs a warning', async () => {
    const a = await apic({ tls });
    const { logger, lines } = captureLogger();
    const s = session([a.url], { verifyTls: false, logger });
    expect(await s.login()).toBe(a.url);
    expect(lines.some((l) => l.includes('"level":40') && l.includes('TLS verification'))).toBe(true);
  });

  it('an unreadable caFile is a config error naming the file', () => {
    expect(() => session(['https://127.0.0.1:1'], { caFile: '/nonexistent/ca.pem' })).toThrow(/apic.caFile \/nonexistent\/ca.pem/);
  });
});
