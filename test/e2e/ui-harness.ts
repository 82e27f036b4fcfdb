// Setup of the browser tests: the real server (startServer, SQLite in a temp dir) with a fabric on
// the APIC simulator added through the API, the built UI, and Debian's chromium driven by
// playwright-core. Never downloads a browser: without /usr/bin/chromium the tests are skipped.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { startServer, type RunningServer } from '../../src/main/server.js';
import { startApicSimulator, type ApicSimulator } from '../../src/sim/index.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const ADMIN_PASSWORD = 'secret123';
export const VIEWER = { username: 'olivia', password: 'viewer-pass-1' };
export const FABRIC = 'lab';

const ROOT = new URL('../../', import.meta.url).pathname;
const WEB = join(ROOT, 'web');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const fresh = (): boolean => {
  const index = join(WEB, 'dist', 'index.html');
  const sources = Math.max(newest(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs);
  return existsSync(index) && statSync(index).mtimeMs >= sources;
};

/**
 * Builds web/dist when it is missing or older than the UI sources, so the tests see this code.
 * Test files run in parallel processes: a lock directory makes one build while the others wait
 * (a build empties web/dist, which would break a server already serving it).
 */
export async function ensureUiBuilt(): Promise<void> {
  if (fresh()) return;
  const lock = join(WEB, '.e2e-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Held by another test process; a lock older than two minutes is left over from a crash.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`web UI build lock ${lock} held for over 2 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!fresh()) await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface UiHarness {
  server: RunningServer;
  sim: ApicSimulator;
  browser: Browser;
  /** Calls the API as admin. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startUi(): Promise<UiHarness> {
  await ensureUiBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'ept-ui-'));
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent', demo: false, adminPassword: ADMIN_PASSWORD, tokenTtl: 3600, partitions: 2, batchSize: 2000, queueCapacity: 20_000 });
  const sim = await startApicSimulator({ leafs: 4, endpoints: 200, seed: 11 });
  let token = '';
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(server.url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  token = (await api<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).token;
  await api('POST', '/api/v1/users', { ...VIEWER, role: 'viewer' });
  await api('POST', '/api/v1/fabrics', {
    name: FABRIC,
    apic: { urls: [sim.url], username: sim.username, password: sim.password, verifyTls: true },
    settings: { offsubnet_delay: 0, stale_delay: 0 },
  });
  const deadline = Date.now() + 20_000;
  while ((await api<{ state: string }>('GET', `/api/v1/fabrics/${FABRIC}/status`)).state !== 'running') {
    if (Date.now() > deadline) throw new Error(`fabric ${FABRIC} did not reach running in 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    server,
    sim,
    browser,
    api,
    async close() {
      await browser.close();
      await server.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page at laptop size that records console errors and uncaught exceptions. */
export async function newPage(h: UiHarness, problems: string[]): Promise<Page> {
  const ctx = await h.browser.newContext({ viewport: { width: 1366, height: 800 }, baseURL: h.server.url });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}
