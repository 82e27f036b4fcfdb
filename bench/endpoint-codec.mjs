// Encoding cost of one endpoint state (six learns, two of them vPC-local, a last move, a rate
// window) as the SQLite store writes it (bytes, format 2) and as PostgreSQL does (JSON, format 1).
// Run after npm run build: node bench/endpoint-codec.mjs
const { StateBytes, writeEndpointBinary } = await import('../dist/store/endpoint-binary.js');
const { encodeEndpointState } = await import('../dist/store/endpoint-codec.js');
const { packLearns } = await import('../dist/core/packed-learns.js');
const { internFlags } = await import('../dist/core/intern.js');
const now = Date.now();
const learn = (node, j) => ({
  node, present: true, flags: internFlags(j < 2 ? 'local,mac,vpc-attached' : 'mac'), ifId: j < 2 ? 'po5' : `tunnel${j}`, encap: j < 2 ? 'vlan-101' : '',
  pcTag: 49153, bd: 15007713, vrf: 2654208, rwMac: '', rwBd: 0, remote: j < 2 ? 0 : 101, ts: now - j * 1000, seq: 3, seen: 1, bindSeen: 0,
});
const learns = [101, 102, 105, 106, 107, 108].map(learn);
const cur = { node: 101, ifId: 'po5', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: now };
const s = {
  id: 1, fabric: 'f', vnid: 15007713, addr: '00:00:00:00:00:01', type: 'mac', learns: [], current: null, previous: cur, deletedTs: 0,
  flags: { offsubnet: [], stale: [], rapidUntil: 0 }, lastMove: { src: cur, dst: cur }, rate: { bucketStart: now, counts: [0, 0, 1, 2] }, rapidSkipped: 0, ts: now,
  packed: packLearns(learns, cur),
};
const N = 200_000;
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  const w = new StateBytes(1 << 20);
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    if (w.pos > 1e6) w.pos = 0;
    bytes = writeEndpointBinary(w, s)[1];
  }
  const binUs = ((performance.now() - t) * 1000) / N;
  t = performance.now();
  let chars = 0;
  for (let i = 0; i < N; i++) chars = encodeEndpointState(s).length;
  const jsonUs = ((performance.now() - t) * 1000) / N;
  console.log(`bytes (format 2): ${binUs.toFixed(2)} us, ${bytes} B; JSON (format 1): ${jsonUs.toFixed(2)} us, ${chars} B`);
}
