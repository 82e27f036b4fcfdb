// Heap per endpoint key after a simulated build, without a simulator or store. Run after npm run build:
//   node --expose-gc bench/endpoint-memory.mjs [hosts] [heap-snapshot-file]
// Heap per endpoint key after a simulated build: N hosts -> MAC + IP keys, learns on 3 nodes.
import pino from 'pino';
const { EndpointPipeline } = await import(new URL('../dist/pipeline/endpoint-pipeline.js', import.meta.url).href);
const { FabricTables } = await import(new URL('../dist/core/fabric-tables.js', import.meta.url).href);
const { resolveSettings } = await import(new URL('../dist/core/settings.js', import.meta.url).href);
const { toObservation } = await import(new URL('../dist/protocols/apic-objects.js', import.meta.url).href);
const N = Number(process.argv[2] ?? 100000);
let lastId = 0;
const store = { newEndpointId: () => ++lastId, scanEndpoints: async function* () {}, loadPendingChecks: async () => [], writeBatch: async () => {}, purgeDeleted: async () => 0 };
const p = new EndpointPipeline({ store, logger: pino({ level: 'silent' }), partitions: 4, batchSize: 20000, flushInterval: 50 });
await p.attachFabric('f', new FabricTables(), resolveSettings({}));
global.gc(); const before = process.memoryUsage().heapUsed;
const hex = (i) => i.toString(16).padStart(8, '0');
for (let base = 0; base < N; base += 10000) {
  const objs = [];
  for (let i = base; i < Math.min(N, base + 10000); i++) {
    const mac = `02:00:${hex(i).replace(/(..)(?!$)/g, '$1:')}`;
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (const [node, local] of [[101, true], [102, true], [105, false]]) {
      const ctx = `topology/pod-1/node-${node}/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep`;
      objs.push({ cls: 'epmMacEp', attrs: JSON.parse(JSON.stringify({ dn: `${ctx}/mac-${mac}`, flags: local ? 'local,mac,vpc-attached' : 'mac', ifId: local ? 'po3' : 'tunnel7', pcTag: '49153' })) });
      objs.push({ cls: 'epmIpEp', attrs: JSON.parse(JSON.stringify({ dn: `${ctx}/ip-[${ip}]`, flags: local ? 'ip,local,vpc-attached' : 'ip', ifId: local ? 'po3' : 'tunnel7', pcTag: '49153' })) });
      if (local) objs.push({ cls: 'epmRsMacEpToIpEpAtt', attrs: { dn: `${ctx}/mac-${mac}/rsmacEpToIpEpAtt-[${ctx}/ip-[${ip}]]` } });
    }
  }
  const obs = objs.map((o) => { const r = toObservation('f', o, Date.now()); r.obs.fromQuery = true; return r.obs; });
  await p.submit(obs);
}
await p.flush();
global.gc(); const after = process.memoryUsage().heapUsed;
if (process.argv[3]) { const v8 = await import("node:v8"); console.log(v8.writeHeapSnapshot(process.argv[3])); }
console.log(JSON.stringify({ hosts: N, keys: p.endpointCount('f'), bytesPerKey: Math.round((after - before) / p.endpointCount('f')), heapMB: Math.round(after / 1e6), rssMB: Math.round(process.memoryUsage().rss / 1e6) }));
