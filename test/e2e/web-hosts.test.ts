// The hosts part of the web UI end to end: a real server with the APIC simulator, agent tokens
// issued through the API, realistic agent reports posted with them (web1 serves TCP 443, db1
// connects to it, LLDP links to two switches, and 1,000 generated rack hosts on 20 more switches),
// then in Debian's chromium: the host list and its filter, a host page's sections, the topology
// graph at 1,000+ hosts (render time printed), the dependency graph's edge, the endpoint page's
// owning host and mismatch, agent token admin, and a viewer without it.
// Screenshots go to docs/screenshots/ when EPT_UPDATE_SCREENSHOTS=1.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSummary, HostList } from '../../web/src/types.js';
import { agentReport, hostDocuments, rackHosts, type HostSpec } from './agent-reports.js';
import { ADMIN_PASSWORD, CHROMIUM, FABRIC, HAS_CHROMIUM, VIEWER, logIn, newPage, startUi, type UiHarness } from './ui-harness.js';

if (!HAS_CHROMIUM) console.warn(`web UI hosts e2e tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const SHOTS = process.env['EPT_UPDATE_SCREENSHOTS'] === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : join(tmpdir(), 'ept-ui-shots');
const RACK_HOSTS = 1000;
const RENDER_LIMIT_MS = 20_000;

interface Located {
  mac: string;
  ip: string;
  vnid: number;
  nodeName: string;
  ifId: string;
}

/** The cytoscape instance cytoscape keeps on its container element. */
type CyHandle = { nodes(): { length: number }; getElementById(id: string): { length: number; renderedPosition(): { x: number; y: number } }; edges(sel?: string): { length: number; map<T>(f: (e: { data(k: string): unknown }) => T): T[] } };
/** Read inside the page (page functions cannot call test helpers). */
type CyEl = { _cyreg: { cy: CyHandle } };

describe.skipIf(!HAS_CHROMIUM)('web UI: hosts, graphs and agent tokens', () => {
  let h: UiHarness;
  let page: Page;
  const problems: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  let web: Located;
  let db: Located;
  let reportedAt = 0;

  /** Puts simulator host i on a single leaf port (not a vPC) and waits until the fabric learned it there. */
  async function placed(i: number, leaf: number, ifId: string): Promise<Located> {
    const sim = h.sim.model.host(i);
    if (!sim) throw new Error(`simulator has no host ${i}`);
    await h.sim.runScenario({ steps: [{ op: 'move', host: i, leaf, port: ifId }] });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = await h.api<{ items: EndpointSummary[] }>('GET', `/api/v1/search?q=${encodeURIComponent(sim.mac)}&limit=5`);
      const e = found.items.find((x) => x.addr === sim.mac && x.current?.node === leaf && x.current.ifId === ifId);
      if (e) {
        const d = await h.api<{ names: { nodes: Record<string, string> } }>('GET', `/api/v1/fabrics/${FABRIC}/endpoints/${e.vnid}/${encodeURIComponent(e.addr)}`);
        const nodeName = d.names.nodes[String(leaf)];
        if (nodeName) return { mac: sim.mac, ip: sim.ip, vnid: e.vnid, nodeName, ifId };
      }
      if (Date.now() > deadline) throw new Error(`the fabric did not learn simulator host ${i} on leaf ${leaf} ${ifId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const post = (token: string, body: unknown) =>
    fetch(`${h.server.url}/api/v1/agent/report`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Issues the host's agent token and posts its first (full) report; returns the token. */
  async function report(spec: HostSpec): Promise<string> {
    const { token } = await h.api<{ token: string }>('POST', '/api/v1/agents', { name: spec.hostId, site: 'dc1' });
    const res = await post(token, agentReport(spec.hostId, 1, hostDocuments(spec)));
    if (!res.ok) throw new Error(`report of ${spec.hostId}: ${res.status} ${await res.text()}`);
    return token;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startUi();
    web = await placed(5, 101, 'eth1/21');
    db = await placed(6, 102, 'eth1/22');
    const port = (ifId: string) => `Ethernet${ifId.slice(3)}`;
    const webSpec: HostSpec = {
      hostId: 'web1',
      hostname: 'web1.example.net',
      // LLDP agrees with the fabric: the leaf and port where the fabric learned this MAC.
      nics: [{ name: 'eth0', mac: web.mac, ips: [web.ip], lldp: { switchName: web.nodeName, portId: port(web.ifId), portDescription: 'web1 eth0', chassisId: '00:3a:9c:11:22:01' } }],
      listen: [{ proto: 'tcp', port: 443, exe: '/usr/sbin/nginx', pid: 1201 }],
      neighbours: [{ ip: db.ip, mac: db.mac, iface: 'eth0' }],
    };
    const webToken = await report(webSpec);
    await report({
      hostId: 'db1',
      hostname: 'db1.example.net',
      // LLDP disagrees with the fabric: a second switch, so the endpoint page shows a mismatch.
      nics: [{ name: 'eth0', mac: db.mac, ips: [db.ip], lldp: { switchName: 'access-sw-7', portId: 'Ethernet1/7', chassisId: '00:3a:9c:11:22:07' } }],
      listen: [{ proto: 'tcp', port: 5432, exe: '/usr/lib/postgresql/15/bin/postgres', pid: 801 }],
      connect: [{ remoteIp: web.ip, remotePort: 443, exe: '/usr/bin/python3.11', pid: 2202, localPort: 51_514 }],
      missing: [{ module: 'capture', reason: 'tcpdump is not installed: no LLDP/CDP capture, no passive ARP/ND' }],
    });
    // A later, partial report of web1 with its own token: a second address, so its interfaces have a change history.
    const second = hostDocuments({ ...webSpec, nics: [{ ...(webSpec.nics[0] as HostSpec['nics'][0]), ips: [web.ip, '2001:db8:10::5'] }] });
    const res = await post(webToken, agentReport('web1', 2, { interfaces: second.interfaces }));
    expect(res.status).toBe(200);

    const t0 = Date.now();
    const rack = rackHosts(RACK_HOSTS);
    for (let i = 0; i < rack.length; i += 50) await Promise.all(rack.slice(i, i + 50).map(report));
    reportedAt = Date.now();
    console.log(`posted ${RACK_HOSTS} agent reports (token + report each) in ${Date.now() - t0} ms`);
    page = await newPage(h, problems);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('lists, counts, filters and pages hosts through the API (up/down by report age)', async () => {
    const all = await h.api<HostList>('GET', '/api/v1/hosts');
    expect(all.counts).toEqual({ total: RACK_HOSTS + 2, up: RACK_HOSTS + 2, down: 0, matching: RACK_HOSTS + 2 });
    expect(all.items).toHaveLength(RACK_HOSTS + 2);
    const p1 = await h.api<HostList>('GET', '/api/v1/hosts?q=rack-node-00&limit=40');
    expect(p1.counts.matching).toBe(100);
    expect(p1.items.map((x) => x.hostId)).toEqual(Array.from({ length: 40 }, (_, i) => `rack-node-${String(i).padStart(4, '0')}`));
    const p3 = await h.api<HostList>(`GET`, `/api/v1/hosts?q=rack-node-00&limit=40&cursor=${p1.nextCursor}`);
    expect(p3.items[0]?.hostId).toBe('rack-node-0040');
    const byIp = await h.api<HostList>('GET', `/api/v1/hosts?q=${encodeURIComponent(db.ip)}`);
    expect(byIp.items.map((x) => x.hostId)).toEqual(['db1']);
    expect(byIp.items[0]).toMatchObject({ hostname: 'db1.example.net', os: 'Debian GNU/Linux 12', interfaces: 2, addresses: 2, switchLinks: [{ iface: 'eth0', switchName: 'access-sw-7', portId: 'Ethernet1/7' }], status: 'up' });
    // Every host reported more than a second ago: with a 1 s window all are down.
    await new Promise((r) => setTimeout(r, Math.max(0, reportedAt + 1100 - Date.now())));
    const strict = await h.api<HostList>('GET', '/api/v1/hosts?staleAfter=1000&status=down&limit=1');
    expect(strict.counts).toMatchObject({ up: 0, down: RACK_HOSTS + 2, matching: RACK_HOSTS + 2 });
  });

  it('shows the hosts up/down on the dashboard and the host list, filtered by name and IP', async () => {
    await logIn(page, 'admin', ADMIN_PASSWORD);
    const card = page.getByRole('article', { name: 'Hosts' });
    await expect.poll(() => card.locator('dd').allTextContents()).toEqual([(RACK_HOSTS + 2).toLocaleString('en-US'), '0', (RACK_HOSTS + 2).toLocaleString('en-US')]);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
    await expect.poll(() => page.getByTestId('host-counts').textContent()).toContain(`${RACK_HOSTS + 2} hosts · ${RACK_HOSTS + 2} up · 0 down`);
    await expect(page.locator('tbody tr[data-host]').count()).resolves.toBe(50);
    const filter = page.getByRole('form', { name: 'Filter hosts' });
    await filter.getByLabel('Name, IP or MAC').fill('web1');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.locator('tbody tr[data-host]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-host')))).toEqual(['web1']);
    const row = page.locator('tr[data-host="web1"]');
    await expect(row.textContent()).resolves.toMatch(new RegExp(`eth0 → ${web.nodeName} Ethernet`));
    await expect(row.textContent()).resolves.toContain('Debian GNU/Linux 12');
    await filter.getByLabel('Name, IP or MAC').fill(db.ip);
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.locator('tbody tr[data-host]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-host')))).toEqual(['db1']);
    await filter.getByLabel('Name, IP or MAC').fill('');
    await filter.getByRole('button', { name: 'Apply filter' }).click();
    await page.locator('tr[data-host="db1"]').waitFor();
    await shot('hosts');
    // Page 1: db1 and rack-node-0000..0048 by hostname; page 2 starts at rack-node-0049.
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.locator('tr[data-host="rack-node-0049"]').waitFor();
    expect(await page.locator('tr[data-host="db1"]').count()).toBe(0);
  });

  it('shows a host page: interfaces, neighbours, switch links, services with clients, dependencies, capabilities, history', async () => {
    await page.goto('/hosts/web1');
    await page.getByRole('heading', { name: /web1\.example\.net/ }).waitFor();
    for (const s of ['Interfaces', 'Neighbours', 'Switch links', 'Services', 'Dependencies', 'Capabilities', 'Change history']) await page.getByRole('heading', { name: s, exact: true }).waitFor();
    const ifs = page.getByRole('table', { name: 'Interfaces and their addresses' });
    await expect(ifs.textContent()).resolves.toContain('2001:db8:10::5');
    await expect(page.getByRole('table', { name: 'ARP/ND neighbours' }).textContent()).resolves.toContain(db.mac);
    const link = page.getByRole('article', { name: 'Switch link of eth0' });
    await expect(link.textContent()).resolves.toContain(web.nodeName);
    await expect(link.textContent()).resolves.toContain('110 (app)');
    const svc = page.locator('tr[data-service="tcp/443"]');
    await svc.getByRole('link', { name: 'db1.example.net' }).waitFor();
    await expect(svc.textContent()).resolves.toContain('/usr/sbin/nginx');
    await page.getByRole('table', { name: 'Hosts that connect to this host' }).getByRole('link', { name: 'db1.example.net' }).waitFor();
    // web1's interfaces changed once: the newest version lists the added address.
    await page.locator('ul.changes li.added', { hasText: 'eth0 2001:db8:10::5/64' }).first().waitFor();
    await page.getByRole('heading', { name: 'Interfaces', exact: true }).scrollIntoViewIfNeeded();
    await shot('host');
    await page.goto('/hosts/db1');
    await page.getByRole('list', { name: 'What the agent could not do' }).getByText('tcpdump is not installed').waitFor();
    await page.getByRole('table', { name: 'Services this host connects to' }).getByRole('link', { name: 'web1.example.net' }).waitFor();
  });

  it(`draws the topology of ${RACK_HOSTS + 2} hosts within ${RENDER_LIMIT_MS / 1000} s, stays responsive, filters, and opens a host on click`, async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const t0 = Date.now();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Topology' }).click();
    const canvas = page.locator('.graph-canvas');
    await canvas.and(page.locator('[data-state="ready"]')).waitFor({ timeout: RENDER_LIMIT_MS });
    const total = Date.now() - t0;
    const drawn = await canvas.getAttribute('data-render-ms');
    const nodes = Number(await canvas.getAttribute('data-nodes'));
    console.log(`topology graph: ${nodes} nodes ready ${total} ms after the click (cytoscape draw ${drawn} ms)`);
    // 22 switches, a port node per cabled port, a node per host.
    await expect(page.getByTestId('topology-counts').textContent()).resolves.toBe(`22 switches · ${RACK_HOSTS + 2} ports · ${RACK_HOSTS + 2} hosts`);
    expect(nodes).toBe(22 + 2 * (RACK_HOSTS + 2));
    expect(total).toBeLessThan(RENDER_LIMIT_MS);
    expect(await canvas.evaluate((el) => ['s:access-sw-7', 's:rack-sw-20', 'h:web1', 'h:rack-node-0999'].map((id) => (el as unknown as CyEl)._cyreg.cy.getElementById(id).length))).toEqual([1, 1, 1, 1]);
    await shot('topology');

    // Responsive: a frame comes within a second, also while zooming with the wheel.
    const frame = () => page.evaluate(() => new Promise<number>((r) => { const t = performance.now(); (globalThis as unknown as { requestAnimationFrame(f: () => void): number }).requestAnimationFrame(() => setTimeout(() => r(performance.now() - t), 0)); }));
    const box = await canvas.boundingBox();
    if (!box) throw new Error('graph canvas has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -600);
    const lag = await frame();
    console.log(`topology graph: next frame after a zoom in ${Math.round(lag)} ms`);
    expect(lag).toBeLessThan(1000);

    // Filters: one switch, then one host, whose node opens its page on click.
    const form = page.getByRole('form', { name: 'Filter topology' });
    await form.getByLabel('Switch').selectOption('rack-sw-03');
    await form.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.getByTestId('topology-counts').textContent()).toBe('1 switches · 50 ports · 50 hosts');
    await form.getByLabel('Switch').selectOption('');
    await form.getByLabel('Host name').fill('web1');
    const t1 = Date.now();
    await form.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.getByTestId('topology-counts').textContent()).toBe('1 switches · 1 ports · 1 hosts');
    await expect.poll(() => canvas.evaluate((el) => (el as unknown as CyEl)._cyreg.cy.nodes().length)).toBe(3);
    await canvas.and(page.locator('[data-state="ready"]')).waitFor();
    console.log(`topology graph: filtered to one host in ${Date.now() - t1} ms`);
    const at = await canvas.evaluate((el) => (el as unknown as CyEl)._cyreg.cy.getElementById('h:web1').renderedPosition());
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.getByRole('heading', { name: /web1\.example\.net/ }).waitFor();
  });

  it('finds a host from the search box on every page, by name', async () => {
    await page.goto('/');
    const box = page.getByRole('combobox', { name: /Search endpoints and hosts/ });
    await box.fill('web1.example');
    const option = page.getByRole('option', { name: /web1\.example\.net host/ });
    await option.waitFor();
    await box.press('ArrowDown');
    await box.press('Enter');
    await page.getByRole('heading', { name: /web1\.example\.net/ }).waitFor();
    expect(page.url()).toMatch(/\/hosts\/web1$/);
  });

  it('draws the service dependency graph with the db1 -> web1:443 edge', async () => {
    await page.goto('/dependencies');
    const canvas = page.locator('.graph-canvas');
    const t0 = Date.now();
    await canvas.and(page.locator('[data-state="ready"]')).waitFor({ timeout: RENDER_LIMIT_MS });
    console.log(`dependency graph: ${await canvas.getAttribute('data-nodes')} nodes ready in ${Date.now() - t0} ms (cytoscape draw ${await canvas.getAttribute('data-render-ms')} ms)`);
    const form = page.getByRole('form', { name: 'Filter dependencies' });
    await form.getByLabel('Server port').fill('70000');
    await form.getByRole('button', { name: 'Apply filter' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Port must be a number');
    await form.getByLabel('Server port').fill('443');
    await form.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.getByTestId('dependency-counts').textContent()).toBe('2 hosts · 1 services · 1 client→service edges');
    await expect
      .poll(() => canvas.evaluate((el) => (el as unknown as CyEl)._cyreg.cy.edges('[kind="uses"]').map((e) => `${String(e.data('source'))} -> ${String(e.data('target'))}`)))
      .toEqual(['h:db1 -> svc:web1\u0000tcp\u0000443']);
  });

  it("shows the owning host and its switch port on the endpoint page, with db1's mismatch highlighted", async () => {
    await page.goto(`/fabrics/${FABRIC}/endpoints/${web.vnid}/${encodeURIComponent(web.mac)}`);
    const hosts = page.getByRole('region', { name: 'Hosts (agents)' });
    const webRow = hosts.locator('tr[data-host="web1"]');
    await webRow.waitFor();
    await expect(webRow.textContent()).resolves.toContain(`${web.nodeName} Ethernet`);
    await webRow.getByText('agrees').waitFor();
    await page.goto(`/fabrics/${FABRIC}/endpoints/${db.vnid}/${encodeURIComponent(db.mac)}`);
    const dbRow = page.getByRole('region', { name: 'Hosts (agents)' }).locator('tr.mismatch[data-host="db1"]');
    await dbRow.waitFor();
    await expect(dbRow.textContent()).resolves.toContain('access-sw-7 Ethernet1/7');
    await expect(dbRow.textContent()).resolves.toMatch(/mismatch: different switch/);
  });

  it('issues an agent token once, lists it and revokes it (admin)', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
    const form = page.getByRole('form', { name: 'Issue an agent token' });
    await form.getByLabel('Agent name').fill('bad name!');
    await form.getByRole('button', { name: 'Issue token' }).click();
    await expect(form.getByLabel('Agent name').getAttribute('aria-invalid')).resolves.toBe('true');
    await form.getByLabel('Agent name').fill('app7');
    await form.getByRole('button', { name: 'Issue token' }).click();
    const token = (await page.getByTestId('agent-token').textContent()) ?? '';
    expect(token).toMatch(/^ept_agent_/);
    const row = page.locator('tr[data-agent="app7"]');
    await row.getByText('not used yet').waitFor();
    expect(await row.textContent()).not.toContain(token);
    // The token works until revoked.
    const send = () => post(token, agentReport('app7', 1, {}));
    expect((await send()).status).toBe(200);
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke app7' }).click();
    await row.getByText(/^revoked/).waitFor();
    expect((await send()).status).toBe(401);
  });

  it('shows a viewer the hosts but no agent token admin', async () => {
    const viewer = await newPage(h, problems);
    await logIn(viewer, VIEWER.username, VIEWER.password);
    const nav = viewer.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Hosts' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Agents' }).count()).toBe(0);
    await viewer.goto('/agents');
    await viewer.getByText('This page needs the admin role.').waitFor();
    expect(await viewer.getByRole('form', { name: 'Issue an agent token' }).count()).toBe(0);
    await viewer.goto('/hosts/db1');
    await viewer.getByRole('heading', { name: /db1\.example\.net/ }).waitFor();
    await viewer.context().close();
  });

  it('logged no console error and no uncaught exception', () => {
    expect(problems).toEqual([]);
  });
});
