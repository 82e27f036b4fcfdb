// Live heap objects of ept by kind, per endpoint key: builds a small fabric (HOSTS hosts, 40 leafs),
// churns at RATE events/s for SECS s, collects garbage and takes a heap snapshot, then counts the
// objects by type and constructor. A major GC's marking grows with these counts (bench/RESULTS.md):
// a deterministic measure where throughput windows are noisy.
// Run after npm run build: HOSTS=50000 SECS=20 node --expose-gc --max-old-space-size=8192 bench/heap-objects.mjs
import { writeHeapSnapshot } from 'node:v8';
import { readFileSync, unlinkSync } from 'node:fs';
import { SimProcess } from '../dist/bench/sim-process.js';
import { EptUnderTest } from '../dist/bench/ept-under-test.js';
const hosts = Number(process.env.HOSTS ?? 50000);
const sim = SimProcess.spawn({ maxOldSpaceMiB: 4096 });
const started = await sim.start({ leafs: 40, endpoints: hosts, churnPool: Math.floor(hosts / 5), seed: 1 });
const ept = await EptUnderTest.open(started, { partitions: 4, batchSize: 5000, queueCapacity: 20000, logLevel: 'warn' });
ept.subscriber.start();
while (ept.subscriber.status().state !== 'running') await new Promise((r) => setTimeout(r, 50));
await sim.churn(Number(process.env.RATE ?? 20000));
await new Promise((r) => setTimeout(r, Number(process.env.SECS ?? 20) * 1000));
await sim.churn(0);
await new Promise((r) => setTimeout(r, 2000));
const keys = ept.pipeline.endpointCount();
global.gc();
const file = writeHeapSnapshot(`${process.env.TMPDIR ?? '/tmp'}/ept-heap-objects.heapsnapshot`);
const snap = JSON.parse(readFileSync(file, 'utf8'));
const m = snap.snapshot.meta; const F = m.node_fields.length; const types = m.node_types[0]; const nodes = snap.nodes; const strings = snap.strings;
const ti = m.node_fields.indexOf('type'), ni = m.node_fields.indexOf('name'), si = m.node_fields.indexOf('self_size');
const agg = new Map(); let total = 0, count = 0;
for (let i = 0; i < nodes.length; i += F) { const t = types[nodes[i + ti]]; let name = strings[nodes[i + ni]]; if (t === 'string' || t === 'concatenated string' || t === 'sliced string') name = ''; if (t === 'code' || t === 'hidden') name = ''; const k = `${t}:${name.slice(0, 50)}`; const a = agg.get(k) ?? [0, 0]; a[0]++; a[1] += nodes[i + si]; agg.set(k, a); total += nodes[i + si]; count++; }
console.log('objects', count, 'MB', (total / 2 ** 20).toFixed(1), 'endpoint keys', keys, 'objects per key', (count / keys).toFixed(2));
for (const [k, [c, b]] of [...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 30)) console.log(String(c).padStart(9), (c / keys).toFixed(2).padStart(6), 'per key', (b / 2 ** 20).toFixed(1).padStart(7), 'MB', k);
await ept.close(); await sim.close();
unlinkSync(file);
