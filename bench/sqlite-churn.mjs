// The SQLite writer's share of the sustained fabric benchmark, without the pipeline: per endpoint
// move, one endpoint row, seven history rows over four nodes and one move finding, in batches of
// 5 000 history rows sorted and applied as the writer thread applies them, a checkpoint every 5 s.
// Prints the writer's time per event (the figure to compare with the benchmark's events/s) and the
// encoding time per event (paid on the event loop).
// Run after npm run build: node bench/sqlite-churn.mjs [endpoints] [seconds] [pool] [warm seconds]
// pool: the moves pick among the first `pool` endpoints (default all, as the fabric benchmark's churn
// pool); warm: seconds of moves first, not measured (their finding records then exist).
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
const dist = (f) => import(new URL(`../dist/${f}`, import.meta.url).href);
const { migrateSqlite } = await dist('store/sqlite-schema.js');
const { SqliteBatchWriter, encodeBatch } = await dist('store/sqlite-batch-writer.js');
const { applyConnectionPragmas } = await dist('store/sqlite-pragmas.js');

const KEYS = Number(process.argv[2] ?? 200000);
const SECS = Number(process.argv[3] ?? 20);
const POOL = Number(process.argv[4] ?? KEYS);
const WARM = Number(process.argv[5] ?? 0);
const dir = '/tmp/ept-sqlite-churn';
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir);
const db = new Database(`${dir}/ept.db`);
applyConnectionPragmas(db, 64, true);
migrateSqlite(db);
const w = new SqliteBatchWriter(db);

const NODES = [101, 102, 105, 106];
const hex = (i) => [16, 8, 0].map((s) => ((i >> s) & 255).toString(16).padStart(2, '0')).join(':');
const now = Date.now();
const learn = (n, j) => ({
  node: n, present: true, flags: j < 2 ? ['local', 'mac', 'vpc-attached'] : ['mac'], ifId: j < 2 ? 'po5' : 'tunnel7', encap: 'vlan-101',
  pcTag: 49153, bd: 15007713, vrf: 2654208, rwMac: '', rwBd: 0, remote: j < 2 ? 0 : 101, ts: now, seq: 1, seen: 1, bindSeen: 0,
});
const states = Array.from({ length: KEYS }, (_, i) => ({
  id: i + 1, fabric: 'f', vnid: 15007713, addr: `02:00:00:${hex(i)}`, type: 'mac', learns: NODES.map(learn),
  current: { node: 101, ifId: 'po5', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: now }, previous: null, deletedTs: 0,
  flags: { offsubnet: [], stale: [], rapidUntil: 0 }, lastMove: null, rate: { bucketStart: 0, counts: [0, 0, 0, 0] }, rapidSkipped: 0, ts: now,
}));
const seqs = new Int32Array(KEYS * 4);
const historyRow = (s, j) => ({
  fabric: s.fabric, vnid: s.vnid, addr: s.addr, node: NODES[j], status: 'modified', ts: Date.now(), flags: ['local', 'mac'], ifId: 'eth1/2',
  encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, remote: 0, seq: ++seqs[(s.id - 1) * 4 + j],
});
const caps = { historyCap: 64, findingCap: 64 };

// The fabric as a build leaves it: every endpoint with one history row per node.
for (let b = 0; b < KEYS; b += 10000) {
  const eps = states.slice(b, b + 10000);
  const history = eps.flatMap((s) => NODES.map((_, j) => historyRow(s, j)));
  w.apply(encodeBatch({ endpoints: eps, history, historyIds: history.map((_, k) => eps[k >> 2].id), findings: [], ...caps }));
}
db.pragma('wal_checkpoint(TRUNCATE)');

const loc = (node, ts) => ({ node, ifId: 'po5', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts });
let events = 0;
let moves = 0;
let applyMs = 0;
let encodeMs = 0;
let checkpointMs = 0;
let start = performance.now();
let lastCheckpoint = start;
let warming = WARM > 0;
for (;;) {
  if (warming && performance.now() - start >= WARM * 1000) {
    warming = false;
    events = moves = applyMs = encodeMs = checkpointMs = 0;
    start = performance.now();
  }
  if (!warming && performance.now() - start >= SECS * 1000) break;
  const endpoints = [], history = [], historyIds = [], findings = [], findingIds = [];
  while (history.length < 5000) {
    const s = states[Math.floor(Math.random() * POOL)];
    endpoints.push(s);
    moves++;
    for (let e = 0; e < 7; e++) {
      history.push(historyRow(s, e % 4));
      historyIds.push(s.id);
    }
    const ts = Date.now();
    findings.push({ kind: 'move', fabric: 'f', vnid: s.vnid, addr: s.addr, type: 'mac', ts, node: 0, src: loc(101, ts - 5000), dst: loc(103, ts) });
    findingIds.push(s.id);
  }
  events += history.length;
  let t = performance.now();
  const encoded = encodeBatch({ endpoints, history, historyIds, findings, findingIds, ...caps });
  const t2 = performance.now();
  encodeMs += t2 - t;
  w.apply(encoded);
  t = performance.now();
  applyMs += t - t2;
  if (t - lastCheckpoint > 5000) {
    db.pragma('wal_checkpoint(PASSIVE)');
    lastCheckpoint = performance.now();
    checkpointMs += lastCheckpoint - t;
  }
}
const us = (ms) => ((ms * 1000) / events).toFixed(1);
console.log(`${KEYS} endpoints (moves among ${POOL}, ${WARM} s before), ${events} events (${moves} moves) in ${SECS} s`);
console.log(`writer: ${us(applyMs + checkpointMs)} us/event (statements and commits ${us(applyMs)}, checkpoints ${us(checkpointMs)}) = ${Math.round((events * 1000) / (applyMs + checkpointMs))} events/s of writer time`);
console.log(`encoding on the event loop: ${us(encodeMs)} us/event`);
db.close();
