// Second-by-second view of the fabric benchmark: builds a fabric (500 000 hosts, 200 leafs), then
// holds the churn at each of RATES (comma list, events/s) for DUR seconds each and prints, every
// second, what the simulator sent, what ept analysed, ept's queue, the simulator's websocket
// backlog, CPU per thread of ept (% of a core, by thread id; the main thread is the event loop) and
// of the simulator, µs of ept CPU per event, GC time and heap, pending checks. At the end, averages
// over the seconds after the first SKIP (per thread too). It shows what window averages hide: a
// major GC's helper threads, a checkpoint, a queue that fills and drains.
// Run after npm run build:
//   RATES=70000,100000 DUR=15 SKIP=15 MALLOC_ARENA_MAX=2 node --max-semi-space-size=48 \
//     --heap-growing-percent=40 --expose-gc --max-old-space-size=8192 bench/fabric-timeline.mjs
// Add --trace-gc-nvp to the node flags for each collection's phases.
import { readFileSync, readdirSync } from 'node:fs';
import { SimProcess } from '../dist/bench/sim-process.js';
import { EptUnderTest } from '../dist/bench/ept-under-test.js';
const rates = (process.env.RATES ?? '100000').split(',').map(Number);
const dur = Number(process.env.DUR ?? 20);
function threads(pid) { const out = {}; for (const t of readdirSync(`/proc/${pid}/task`)) { try { const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); out[t] = Number(f[11]) + Number(f[12]); } catch {} } return out; }
const sim = SimProcess.spawn({ maxOldSpaceMiB: 4096 });
const started = await sim.start({ leafs: 200, endpoints: 500000, churnPool: 100000, seed: 1 });
const ept = await EptUnderTest.open(started, { partitions: 4, batchSize: 5000, queueCapacity: 20000, logLevel: 'warn' });
ept.subscriber.start();
while (ept.subscriber.status().state !== 'running') await new Promise((r) => setTimeout(r, 50));
console.log('built');
const main = process.pid;
let prevT = threads(main), prevS = threads(sim.pid), prevP = ept.processed(), prevSent = (await sim.stats()).eventsSent, t = performance.now();
let gcMs = 0; const acc = { n: 0, ev: 0, ept: 0, sim: 0, gc: 0, th: {} }; const SKIP = Number(process.env.SKIP ?? 10); let k = 0; const { PerformanceObserver } = await import('node:perf_hooks');
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
for (const r of rates) {
  await sim.churn(r);
  for (let i = 0; i < dur; i++) {
    await new Promise((res) => setTimeout(res, 1000));
    const now = performance.now(); const st = await sim.stats(); const T = threads(main), S = threads(sim.pid); const p = ept.processed();
    const dt = (now - t) / 1000;
    const d = (a, b) => Object.keys(b).map((k) => [k, (b[k] - (a[k] ?? 0))]).filter(([, v]) => v > 2).map(([k, v]) => `${k.slice(-2)}:${(v / dt).toFixed(0)}`).join(' ');
    const tot = (a, b) => Object.keys(b).reduce((s, k) => s + b[k] - (a[k] ?? 0), 0) / dt;
    const ev = (p - prevP) / dt;
    console.log(`${r} t${i} sent ${((st.eventsSent - prevSent) / dt).toFixed(0)} proc ${ev.toFixed(0)} q ${ept.queued()} blog ${(st.backlogBytes / 2 ** 20).toFixed(1)}M ept% ${tot(prevT, T).toFixed(0)} [${d(prevT, T)}] sim% ${tot(prevS, S).toFixed(0)} us/ev ${(tot(prevT, T) * 1e4 / ev).toFixed(1)} gc ${(gcMs / dt).toFixed(0)}ms/s heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} pend ${ept.pipeline.pendingChecks()}`);
    if (k++ >= SKIP) { acc.n++; acc.ev += ev; acc.ept += tot(prevT, T); acc.sim += tot(prevS, S); acc.gc += gcMs / dt; for (const k in T) acc.th[k] = (acc.th[k] ?? 0) + (T[k] - (prevT[k] ?? 0)); }
    prevT = T; prevS = S; prevP = p; prevSent = st.eventsSent; t = now; gcMs = 0;
    if (st.backlogBytes > 40 << 20) { console.log('backlog too big'); break; }
  }
}
console.log(`AVG over ${acc.n}s: proc ${(acc.ev / acc.n).toFixed(0)} ept% ${(acc.ept / acc.n).toFixed(1)} sim% ${(acc.sim / acc.n).toFixed(1)} us/ev ${(acc.ept * 1e4 / acc.ev).toFixed(2)} sim us/ev ${(acc.sim * 1e4 / acc.ev).toFixed(2)} gc ${(acc.gc / acc.n).toFixed(0)}ms/s threads ${Object.entries(acc.th).filter(([, v]) => v / acc.n > 1).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k === String(main) ? 'main' : k.slice(-3)}:${(v / acc.n).toFixed(1)}`).join(' ')}`);
await ept.close(); await sim.close();
