// Fixed-rate window of the fabric benchmark with per-thread CPU (from /proc) of ept and the simulator:
// builds a fabric, holds the churn at RATE events/s for SECS s, prints CPU per thread and per event.
// WARM=secs runs an unmeasured window at RATE first. PROF=file.cpuprofile adds a CPU profile of the event loop; with ALLOC=1 a sampling heap profile instead
// (ALLOC=survivors: only what outlived a young-generation GC, i.e. what the scavenger copied or promoted).
// Per thread: CPU (user + system, and system alone) and file I/O per event (read/write syscalls and
// bytes from /proc/<pid>/task/<tid>/io: the SQLite writer thread's WAL writes, checkpoints and reads).
// Run after npm run build: node --expose-gc --max-old-space-size=8192 bench/fabric-fixed-rate.mjs [hosts] [rate] [secs]
// Fixed-rate run: build (per-thread CPU of ept and the simulator over it), then hold churn at RATE for SECS, sampling per-thread CPU of this process.
import { readFileSync, readdirSync } from 'node:fs';
import { SimProcess } from '../dist/bench/sim-process.js';
import { EptUnderTest } from '../dist/bench/ept-under-test.js';
import { ThroughputProbe } from '../dist/bench/throughput-probe.js';
const [endpoints = 100000, rate = 20000, secs = 15] = process.argv.slice(2).map(Number);
const hz = 100;
function threads(pid) {
  const out = {};
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      const io = Object.fromEntries(readFileSync(`/proc/${pid}/task/${t}/io`, 'utf8').trim().split('\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
      out[t] = { name, cpu: Number(f[11]) + Number(f[12]), sys: Number(f[12]), io };
    } catch {}
  }
  return out;
}
const sim = SimProcess.spawn({ maxOldSpaceMiB: 4096 });
const started = await sim.start({ leafs: 200, endpoints, churnPool: 100000, seed: 1 });
const ept = await EptUnderTest.open(started, { partitions: 4, batchSize: 5000, queueCapacity: 20000, logLevel: 'warn' });
const t0 = performance.now();
// Per-thread CPU over the build, sampled every 500 ms (the page decoder thread may end before it does).
const b0 = threads(process.pid); const sb0 = threads(sim.pid); let bSeen = {};
const bTick = setInterval(() => { bSeen = { ...bSeen, ...threads(process.pid) }; }, 500);
ept.subscriber.start();
while (ept.subscriber.status().state !== 'running') await new Promise((r) => setTimeout(r, 50));
clearInterval(bTick);
const buildSecs = (performance.now() - t0) / 1000;
console.log('build', buildSecs.toFixed(1), 's');
{
  const cpu = (x, y) => Object.fromEntries(Object.entries(y).map(([k, v]) => [v.name + ':' + k, (v.cpu - (x[k]?.cpu ?? 0)) / hz / buildSecs]).filter(([, v]) => v >= 0.005).map(([k, v]) => [k, (100 * v).toFixed(0) + '%']));
  console.log('build threads', JSON.stringify(cpu(b0, { ...bSeen, ...threads(process.pid) })), 'sim', JSON.stringify(cpu(sb0, threads(sim.pid))));
}
const probe = new ThroughputProbe(sim, ept, 20000);
// WARM=secs: a window at the same rate first, not measured (finding records and checks exist by then, as in a fabric that has run a while).
if (process.env.WARM) { const w0 = await probe.measure(rate, 3, Number(process.env.WARM)); console.log('warm-up', JSON.stringify({ processed: w0.processedRate.toFixed(0), q: [w0.queueStart, w0.queueEnd], gaps: w0.gaps, cut: w0.cutShort })); }
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const prof = process.env.PROF ? new Session() : null;
if (prof && process.env.ALLOC) { prof.connect(); await prof.post('HeapProfiler.enable'); await prof.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.ALLOC !== 'survivors' }); }
else if (prof) { prof.connect(); await prof.post('Profiler.enable'); await prof.post('Profiler.setSamplingInterval', { interval: 200 }); await prof.post('Profiler.start'); }
const a = threads(process.pid); const sa = threads(sim.pid);
const w = await probe.measure(rate, 3, secs);
const b = threads(process.pid);
{ const h = process.memoryUsage(); console.log('end of window', JSON.stringify({ pendingChecks: ept.pipeline.pendingChecks(), heapUsedMB: (h.heapUsed / 2 ** 20).toFixed(0), rssMB: (h.rss / 2 ** 20).toFixed(0) })); }
if (prof && process.env.ALLOC) { const { profile } = await prof.post('HeapProfiler.stopSampling'); writeFileSync(process.env.PROF, JSON.stringify(profile)); }
else if (prof) { const { profile } = await prof.post('Profiler.stop'); writeFileSync(process.env.PROF, JSON.stringify(profile)); } const sb = threads(sim.pid);
const el = (3 + secs);
console.log(JSON.stringify({ targetRate: w.targetRate, sent: w.simSentRate.toFixed(0), processed: w.processedRate.toFixed(0), rows: w.committedRowsRate.toFixed(0), q: [w.queueStart, w.queueEnd, w.queueMax], gaps: w.gaps, cut: w.cutShort, eptCpu: w.eptCpuPct.toFixed(0), simCpu: w.simCpuPct.toFixed(0) }));
const agg = (x, y, f = 'cpu') => { const m = {}; for (const k in y) { const n = y[k].name + ':' + k; m[n] = (m[n] ?? 0) + (y[k][f] - (x[k]?.[f] ?? 0)); } return m; };
const pct = (m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v > 0).map(([k, v]) => [k, (100 * v / hz / el).toFixed(0) + '%']));
console.log('ept threads', pct(agg(a, b)));
console.log('ept threads, system time', pct(agg(a, b, 'sys')));
const events = w.processedRate * el;
for (const k in b) {
  const d = Object.fromEntries(Object.entries(b[k].io).map(([f, v]) => [f, v - (a[k]?.io[f] ?? 0)]));
  if (d.syscr + d.syscw < 1000) continue;
  const per = (v, div = 1) => (v / div / events).toFixed(2);
  console.log(`ept thread ${k} I/O per event: ${per(d.syscr)} reads (${per(d.rchar, 1024)} KB), ${per(d.syscw)} writes (${per(d.wchar, 1024)} KB)`);
}
console.log('sim threads', pct(agg(sa, sb)));
console.log('us/event ept', (Object.values(agg(a, b)).reduce((x, y) => x + y, 0) / hz * 1e6 / (w.processedRate * el)).toFixed(1));
await ept.close(); await sim.close();
