// Scale and speed of the APIC simulator: a 1M-endpoint fabric paged over HTTP in bounded memory,
// and the websocket event rate. Figures are printed, not asserted (bench/RESULTS.md records them).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { startApicSimulator } from '../../src/sim/index.js';

async function login(url: string): Promise<string> {
  const r = await fetch(`${url}/api/aaaLogin.json`, { method: 'POST', body: JSON.stringify({ aaaUser: { attributes: { name: 'admin', pwd: 'ept-sim' } } }) });
  const b = (await r.json()) as { imdata: { aaaLogin: { attributes: { token: string } } }[] };
  return b.imdata[0]?.aaaLogin.attributes.token ?? '';
}

const require = createRequire(import.meta.url);
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocket } = require(${JSON.stringify(require.resolve('ws'))});
const ws = new WebSocket(workerData.url);
let n = 0;
ws.on('open', () => parentPort.postMessage('open'));
const marker = Buffer.from('{"epm');
ws.on('message', (d) => {
  for (let i = d.indexOf(marker); i >= 0; i = d.indexOf(marker, i + 5)) n++;
  parentPort.postMessage(n);
});
`;

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;

describe('APIC simulator at scale', () => {
  it('pages a 1M-endpoint class in pages of 75000 with bounded memory', async () => {
    const sim = await startApicSimulator({ endpoints: 1_000_000, leafs: 200, remoteLearns: 0 });
    try {
      const token = await login(sim.url);
      const headers = { cookie: `APIC-cookie=${token}` };
      const rss0 = process.memoryUsage().rss;
      let maxRss = rss0;
      const t0 = performance.now();
      let total = 0;
      let got = 0;
      let bytes = 0;
      for (let p = 0; p === 0 || p * 75000 < total; p++) {
        const res = await fetch(`${sim.url}/api/class/epmMacEp.json?page-size=75000&page=${p}&order-by=epmMacEp.dn`, { headers });
        // Stream the answer and count its entries, so the client does not hold the page either.
        const marker = Buffer.from('{"epmMacEp":');
        let head = '';
        let tail = Buffer.alloc(0);
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const buf = Buffer.concat([tail, Buffer.from(chunk)]);
          if (head.length < 64) head += buf.subarray(0, 64).toString();
          for (let i = buf.indexOf(marker); i >= 0; i = buf.indexOf(marker, i + 1)) got++;
          bytes += chunk.length;
          tail = Buffer.from(buf.subarray(Math.max(0, buf.length - marker.length + 1)));
        }
        total = Number(/"totalCount":"(\d+)"/.exec(head)?.[1]);
        maxRss = Math.max(maxRss, process.memoryUsage().rss);
      }
      const secs = (performance.now() - t0) / 1000;
      expect(got).toBe(total);
      expect(total).toBeGreaterThanOrEqual(1_000_000);
      const t1 = performance.now();
      const filter = encodeURIComponent('wcard(epmMacEp.dn,"/node-150/")');
      const node = (await (await fetch(`${sim.url}/api/class/epmMacEp.json?query-target-filter=${filter}`, { headers })).json()) as { totalCount: string };
      const nodeMs = performance.now() - t1;
      expect(Number(node.totalCount)).toBeGreaterThan(0);
      // Peak memory stays near one page (plus the client's copy), far below the class size.
      expect(maxRss - rss0).toBeLessThan(bytes);
      process.stdout.write(
        `[sim-scale] ${total} epmMacEp objects in ${Math.ceil(total / 75000)} pages: ${secs.toFixed(2)} s ` +
          `(${Math.round(total / secs)} objects/s, ${mb(bytes)} JSON); rss ${mb(rss0)} -> peak ${mb(maxRss)}; ` +
          `per-node query (${node.totalCount} objects) ${nodeMs.toFixed(0)} ms\n`,
      );
    } finally {
      await sim.close();
    }
  }, 120_000);

  it('pushes endpoint events over one websocket (events/s printed)', async () => {
    const sim = await startApicSimulator({ endpoints: 100_000, leafs: 20, remoteLearns: 2 });
    try {
      const token = await login(sim.url);
      // The client counts the imdata entries of every frame in a worker thread (the second core).
      const worker = new Worker(CLIENT, { eval: true, workerData: { url: `${sim.url.replace('http', 'ws')}/socket${token}` } });
      let events = 0;
      worker.on('message', (m: number | string) => {
        if (typeof m === 'number') events = m;
      });
      await new Promise((r) => worker.once('message', r));
      for (const cls of ['epmMacEp', 'epmIpEp', 'epmRsMacEpToIpEpAtt']) {
        await fetch(`${sim.url}/api/class/${cls}.json?subscription=yes&page-size=1`, { headers: { cookie: `APIC-cookie=${token}` } });
      }
      const t0 = performance.now();
      sim.startChurn(1_000_000);
      await new Promise((r) => setTimeout(r, 3000));
      sim.stopChurn();
      const secs = (performance.now() - t0) / 1000;
      const sent = sim.stats().eventsSent;
      await new Promise((r) => setTimeout(r, 500));
      await worker.terminate();
      expect(events).toBeGreaterThan(0);
      process.stdout.write(
        `[sim-scale] churn: ${sent} events sent in ${secs.toFixed(2)} s = ${Math.round(sent / secs)} events/s ` +
          `(${sim.stats().framesSent} frames, ${sim.stats().churnMoves} moves); client received ${events}\n`,
      );
    } finally {
      await sim.close();
    }
  }, 60_000);
});
