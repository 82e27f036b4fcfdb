// The web UI end to end: a real server tracking the APIC simulator, driven in Debian's chromium.
// An operator logs in, finds an endpoint by MAC in Cisco notation, opens it, watches a move the
// simulator makes appear in the moves table without a reload, filters the table, gets validation
// on a bad setting, tests an APIC connection, and a viewer sees no admin action.
// Screenshots of the main pages go to docs/screenshots/ when EPT_UPDATE_SCREENSHOTS=1.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, FABRIC, HAS_CHROMIUM, CHROMIUM, VIEWER, logIn, newPage, startUi, type UiHarness } from './ui-harness.js';

if (!HAS_CHROMIUM) console.warn(`web UI e2e tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const SHOTS = process.env['EPT_UPDATE_SCREENSHOTS'] === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : join(tmpdir(), 'ept-ui-shots');

/** Cisco dotted, upper-case form of a colon MAC: 02:0b:00:00:00:05 -> 020B.0000.0005. */
function ciscoMac(mac: string): string {
  const hex = mac.replaceAll(':', '').toUpperCase();
  return `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`;
}

describe.skipIf(!HAS_CHROMIUM)('web UI against a live fabric', () => {
  let h: UiHarness;
  let page: Page;
  const problems: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startUi();
    // Something to look at: a move, an off-subnet and a stale learn before the operator arrives.
    await h.sim.runScenario({ steps: [{ op: 'move', host: 3, leaf: 102, port: 'eth1/33' }, { op: 'offsubnet', leaf: 103 }, { op: 'stale', host: 6, leaf: 104 }] });
    page = await newPage(h, problems);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('logs in and shows the fabric on the dashboard with its state and counts', async () => {
    await logIn(page, 'admin', ADMIN_PASSWORD);
    const card = page.getByRole('article', { name: FABRIC });
    await card.getByText('running').waitFor();
    await expect(card.getByRole('row', { name: /Moves/ }).getByRole('cell').first().textContent()).resolves.toMatch(/^[1-9]/);
    await shot('dashboard');
  });

  it('finds an endpoint by a MAC typed in Cisco notation and opens its page', async () => {
    const host = h.sim.model.host(5);
    if (!host) throw new Error('simulator has no host 5');
    const box = page.getByRole('combobox', { name: /Search endpoints/ });
    await box.fill(ciscoMac(host.mac)); // upper case, Cisco dotted
    const option = page.getByRole('option', { name: new RegExp(host.mac) });
    await option.waitFor();
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.getByRole('heading', { name: 'Current location' }).waitFor();
    await expect(page.locator('h1').textContent()).resolves.toContain(host.mac);
    await page.getByRole('heading', { name: 'Per node' }).waitFor();
    await page.locator('.timeline li').first().waitFor();
    // The IP of the host links to its MAC through the binding.
    await box.fill(host.ip);
    await page.getByRole('option', { name: new RegExp(host.ip.replaceAll('.', '\\.')) }).first().click();
    await page.getByRole('link', { name: host.mac }).waitFor();
    await shot('endpoint');
  });

  it('shows a move in the moves table live when the simulator moves the endpoint', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('article', { name: FABRIC }).getByRole('link', { name: 'Moves' }).click();
    await page.getByText('● live').waitFor();
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const mover = h.sim.model.host(17);
    if (!mover) throw new Error('simulator has no host 17');
    const row = page.locator(`tr[data-addr="${mover.mac}"]`);
    expect(await row.count()).toBe(0);
    await h.sim.runScenario({ steps: [{ op: 'move', host: 17, leaf: 101, port: 'eth1/44' }] });
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toContain('eth1/44');
    // The same document: the row came over the live stream, not from a reload.
    await expect(page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).resolves.toBe(42);
    await shot('moves');
  });

  it('filters the moves table by address prefix, and the stale table rejects a bad node id', async () => {
    const mover = h.sim.model.host(17);
    const filter = page.getByRole('form', { name: 'Filter moves' });
    await filter.getByLabel('Address prefix').fill(mover?.mac.toUpperCase().replaceAll(':', '-') ?? '');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(async () => page.locator('tbody tr[data-addr]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-addr')))).toEqual([mover?.mac]);
    await filter.getByLabel('Address prefix').fill('ff:ee:dd');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('No moves records match the filter.').waitFor();
    // A move record is per endpoint: no node filter here; the stale table has one.
    expect(await filter.getByLabel('Node').count()).toBe(0);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('article', { name: FABRIC }).getByRole('link', { name: 'Stale' }).click();
    const stale = page.getByRole('form', { name: 'Filter stale' });
    await stale.getByLabel('Node').fill('leaf-1');
    await stale.getByRole('button', { name: 'Apply filter' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Node must be a node id');
  });

  it('validates a setting, then saves a valid one', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const threshold = page.getByLabel('rapid_threshold');
    await threshold.fill('10');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Must be at least 512').waitFor();
    await threshold.scrollIntoViewIfNeeded();
    await expect(threshold.getAttribute('aria-invalid')).resolves.toBe('true');
    await shot('settings');
    const before = await h.api<{ overrides: Record<string, unknown> }>('GET', `/api/v1/fabrics/${FABRIC}/settings`);
    expect(before.overrides['rapid_threshold']).toBeUndefined();
    await threshold.fill('4096');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved and applied.').waitFor();
    const after = await h.api<{ overrides: Record<string, unknown> }>('GET', `/api/v1/fabrics/${FABRIC}/settings`);
    expect(after.overrides['rapid_threshold']).toBe(4096);
  });

  it('tests an APIC connection before adding a fabric', async () => {
    await page.goto('/fabrics/new');
    await page.getByLabel('APIC URLs').fill(h.sim.url);
    await page.getByLabel('Username').fill(h.sim.username);
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByText(/^Test connection:/).textContent()).resolves.not.toContain('Logged in');
    await page.getByLabel('Password', { exact: true }).fill(h.sim.password);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(`Test connection: Logged in to ${h.sim.url}`).waitFor();
    await page.getByRole('button', { name: 'Add fabric' }).click();
    await page.getByText('Enter at least one APIC URL').or(page.getByText('Letters, digits')).first().waitFor();
    await shot('fabric-form');
  });

  it('shows a viewer no admin action', async () => {
    const viewer = await newPage(h, problems);
    await logIn(viewer, VIEWER.username, VIEWER.password);
    await viewer.getByRole('article', { name: FABRIC }).waitFor();
    expect(await viewer.getByRole('link', { name: 'Add fabric' }).count()).toBe(0);
    await viewer.goto(`/fabrics/${FABRIC}`);
    await viewer.getByRole('heading', { name: 'Overview' }).waitFor();
    for (const name of ['Start', 'Stop', 'Edit']) expect(await viewer.getByRole('button', { name, exact: true }).or(viewer.getByRole('link', { name, exact: true })).count()).toBe(0);
    await viewer.getByRole('link', { name: 'Settings' }).click();
    await viewer.getByLabel('rapid_threshold').waitFor();
    await expect(viewer.getByLabel('rapid_threshold').isDisabled()).resolves.toBe(true);
    expect(await viewer.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    await viewer.goto('/fabrics');
    await viewer.getByRole('cell', { name: FABRIC }).waitFor();
    expect(await viewer.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await viewer.context().close();
  });

  it('logged no console error and no uncaught exception', () => {
    expect(problems).toEqual([]);
  });
});
