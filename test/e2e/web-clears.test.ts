// The web UI's server-side sorting and endpoint clears, end to end against a live fabric in
// Debian's chromium: a finding table sorted by count through the server (the request carries
// sort=count, the rows on screen follow the server's order), an admin's dry-run clear from the
// endpoint page recorded in the fabric's Cleared table (filtered by address, refreshed by polling),
// and a viewer who sees the clears but no Clear button.
// Screenshots go to docs/screenshots/ when EPT_UPDATE_SCREENSHOTS=1.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, CHROMIUM, FABRIC, HAS_CHROMIUM, VIEWER, logIn, newPage, startUi, type UiHarness } from './ui-harness.js';

if (!HAS_CHROMIUM) console.warn(`web UI e2e tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const SHOTS = process.env['EPT_UPDATE_SCREENSHOTS'] === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : join(tmpdir(), 'ept-ui-shots');

interface Item {
  vnid: number;
  addr: string;
  type: string;
  node: number;
  count: number;
}
interface Clear {
  id: number;
  addr: string;
  reason: string;
  outcome: string;
  dryRun: boolean;
  who: string;
}

/** The Count column of the table on screen, top to bottom, with each row's address. */
async function countsOnScreen(page: Page): Promise<{ addr: string; count: number }[]> {
  return page.locator('table.data').evaluate((t) => {
    const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
    const col = heads.findIndex((h) => h.startsWith('Count'));
    return [...t.querySelectorAll('tbody tr[data-addr]')].map((tr) => ({ addr: tr.getAttribute('data-addr') ?? '', count: Number(tr.children[col]?.textContent) }));
  });
}

describe.skipIf(!HAS_CHROMIUM)('web UI: server sorting and endpoint clears', () => {
  let h: UiHarness;
  let page: Page;
  const problems: string[] = [];
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  const moves = (q: string) => h.api<{ items: Item[]; nextCursor: string | null }>('GET', `/api/v1/fabrics/${FABRIC}/moves?${q}`);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startUi();
    // Moves with different counts: a move record is per (endpoint, destination node), so host 3
    // moves between ports of leaf 102 three times, host 4 twice, host 5 once.
    const wait = { op: 'wait' as const, ms: 300 };
    await h.sim.runScenario({
      steps: [
        { op: 'move', host: 3, leaf: 102, port: 'eth1/31' },
        { op: 'move', host: 4, leaf: 103, port: 'eth1/32' },
        { op: 'move', host: 5, leaf: 104, port: 'eth1/33' },
        wait,
        { op: 'move', host: 3, leaf: 102, port: 'eth1/34' },
        { op: 'move', host: 4, leaf: 103, port: 'eth1/35' },
        wait,
        { op: 'move', host: 3, leaf: 102, port: 'eth1/36' },
      ],
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const counts = new Set((await moves('limit=100')).items.map((i) => i.count));
      if (counts.has(1) && counts.has(3)) break;
      if (Date.now() > deadline) throw new Error(`moves with counts 1 and 3 did not appear in 15 s (counts: ${[...counts].join(',')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    page = await newPage(h, problems);
    page.setDefaultTimeout(10_000);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('sorts the moves table by count on the server, both ways', async () => {
    await logIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`/fabrics/${FABRIC}/moves`);
    await page.locator('tbody tr[data-addr]').first().waitFor();
    const header = page.getByRole('button', { name: /^Count/ });
    for (const order of ['desc', 'asc'] as const) {
      const request = page.waitForRequest((r) => r.url().includes(`/api/v1/fabrics/${FABRIC}/moves?`) && new URL(r.url()).searchParams.get('sort') === 'count');
      await header.click();
      const url = new URL((await request).url());
      expect(url.searchParams.get('order')).toBe(order);
      await expect(page.getByRole('columnheader', { name: /^Count/ }).getAttribute('aria-sort')).resolves.toBe(order === 'asc' ? 'ascending' : 'descending');
      // What the server answers for the same query, in the same order, is what the table shows.
      const server = (await moves(`sort=count&order=${order}&limit=50`)).items.map((i) => ({ addr: i.addr, count: i.count }));
      await expect.poll(() => countsOnScreen(page)).toEqual(server);
      const counts = server.map((s) => s.count);
      expect(counts).toEqual([...counts].sort((a, b) => (order === 'asc' ? a - b : b - a)));
      expect(new Set(counts).size).toBeGreaterThan(1);
    }
  });

  it('runs a dry-run clear from the endpoint page as admin and finds it in the Cleared table', async () => {
    const host = h.sim.model.host(3);
    const item = (await moves('limit=100')).items.find((i) => i.addr === host?.mac);
    if (!host || !item) throw new Error('no move record of host 3');
    await page.goto(`/fabrics/${FABRIC}/endpoints/${item.vnid}/${encodeURIComponent(item.addr)}`);
    await page.getByRole('heading', { name: 'Per node' }).waitFor();
    await page.getByText('Never cleared.').waitFor();
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    const form = page.getByRole('form', { name: 'Clear endpoint' });
    // Nothing picked and no reason: both are refused before anything is sent.
    await form.getByRole('button', { name: 'Run dry run' }).click();
    await form.getByText('Pick at least one node').waitFor();
    await form.getByText('A reason is required').waitFor();
    await form.getByRole('checkbox', { name: /node 102|\(102\)/ }).check(); // where host 3 moved
    await form.getByLabel('Reason').fill('e2e: check the clear command');
    await expect(form.getByRole('checkbox', { name: /Dry run/ }).isChecked()).resolves.toBe(true);
    await form.getByRole('button', { name: 'Run dry run' }).click();
    const result = page.getByRole('status', { name: 'Clear result' });
    await result.getByText('dry-run', { exact: true }).waitFor();
    await expect(result.getByRole('table').textContent()).resolves.toContain('[dry run: not sent]');
    // The command the node would have been sent names the endpoint in the switch's MAC notation.
    const cisco = host.mac.replaceAll(':', '').replace(/^(.{4})(.{4})(.{4})$/, '$1.$2.$3');
    await expect(result.getByRole('table').textContent()).resolves.toContain(`mac ${cisco}`);
    await page.getByRole('list', { name: /Clears of this endpoint/ }).getByText('e2e: check the clear command').waitFor();
    await shot(page, 'endpoint-clear');
    const recorded = await h.api<{ items: Clear[] }>('GET', `/api/v1/fabrics/${FABRIC}/clears`);
    expect(recorded.items).toEqual([expect.objectContaining({ addr: host.mac, reason: 'e2e: check the clear command', outcome: 'dry-run', dryRun: true, who: 'admin' })]);

    // The fabric's Cleared table: the record, its output, the address filter, and live by polling.
    await page.goto(`/fabrics/${FABRIC}/cleared`);
    const row = page.locator(`tr[data-addr="${host.mac}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/admin.*e2e: check the clear command.*dry-run/);
    await row.getByRole('button', { name: /Show output/ }).click();
    await page.getByText('[dry run: not sent]').waitFor();
    const other = h.sim.model.host(4);
    const otherItem = (await moves('limit=100')).items.find((i) => i.addr === other?.mac);
    if (!other || !otherItem) throw new Error('no move record of host 4');
    // A clear made elsewhere (the API) shows up without a reload: page 1 is polled.
    await h.api('POST', `/api/v1/fabrics/${FABRIC}/endpoints/${otherItem.vnid}/${encodeURIComponent(other.mac)}/clear`, { nodes: [103], reason: 'e2e: second', dryRun: true });
    await page.locator(`tr[data-addr="${other.mac}"]`).waitFor({ timeout: 10_000 });
    await shot(page, 'cleared');
    const filter = page.getByRole('form', { name: 'Filter cleared' });
    await filter.getByLabel('Address prefix').fill(host.mac.toUpperCase().replaceAll(':', '-'));
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.locator('tbody tr[data-addr]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-addr')))).toEqual([host.mac]);
    await filter.getByLabel('Address prefix').fill('ff:ee:dd');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('No clears match the filter.').waitFor();
  });

  it('shows a viewer the clears of an endpoint but no Clear button', async () => {
    const host = h.sim.model.host(3);
    const item = (await moves('limit=100')).items.find((i) => i.addr === host?.mac);
    if (!item) throw new Error('no move record of host 3');
    const viewer = await newPage(h, problems);
    await logIn(viewer, VIEWER.username, VIEWER.password);
    await viewer.goto(`/fabrics/${FABRIC}/endpoints/${item.vnid}/${encodeURIComponent(item.addr)}`);
    await viewer.getByRole('list', { name: /Clears of this endpoint/ }).getByText('e2e: check the clear command').waitFor();
    expect(await viewer.getByRole('button', { name: 'Clear', exact: true }).count()).toBe(0);
    expect(await viewer.getByRole('form', { name: 'Clear endpoint' }).count()).toBe(0);
    await viewer.goto(`/fabrics/${FABRIC}/cleared`);
    await viewer.locator(`tr[data-addr="${item.addr}"]`).waitFor();
    await viewer.context().close();
  });

  it('logged no console error and no uncaught exception', () => {
    expect(problems).toEqual([]);
  });
});
