// SQLite write rates of the store's batch writer (history rows, endpoint upserts at random keys, by
// endpoint id as the pipeline writes them) and a checkpoint's duration, on a fresh file in /tmp.
// Run after npm run build: node bench/sqlite-writes.mjs [keys]
import Database from 'better-sqlite3';
import { rmSync, mkdirSync } from 'node:fs';
const { migrateSqlite } = await import(new URL('../dist/store/sqlite-schema.js', import.meta.url).href);
const { SqliteBatchWriter, encodeBatch } = await import(new URL('../dist/store/sqlite-batch-writer.js', import.meta.url).href);
const { applyConnectionPragmas } = await import(new URL('../dist/store/sqlite-pragmas.js', import.meta.url).href);
const dir = '/tmp/sqlmicro'; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
const db = new Database(dir + '/t.db'); applyConnectionPragmas(db, 256, true); migrateSqlite(db);
const w = new SqliteBatchWriter(db);
const KEYS = Number(process.argv[2] ?? 200000);
const mk = (i) => ({ id: i + 1, fabric: 'f', vnid: 15007713, addr: `02:00:00:${((i>>16)&255).toString(16).padStart(2,'0')}:${((i>>8)&255).toString(16).padStart(2,'0')}:${(i&255).toString(16).padStart(2,'0')}`, type: 'mac',
  learns: [101,102,105].map((n) => ({ node: n, present: true, flags: ['local','mac'], ifId: 'eth1/1', encap: 'vlan-101', pcTag: 49153, bd: 15007713, vrf: 2654208, rwMac: '', rwBd: 0, remote: 0, ts: Date.now(), seq: 1, seen: 1, bindSeen: 0 })),
  current: { node: 101, ifId: 'eth1/1', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: Date.now() }, previous: null, deletedTs: 0, flags: { offsubnet: [], stale: [], rapidUntil: 0 }, lastMove: null, rate: { bucketStart: 0, counts: [0,0,0,0] }, rapidSkipped: 0, ts: Date.now() });
const states = Array.from({ length: KEYS }, (_, i) => mk(i));
let seq = 0;
function run(label, n, fn) { const t = process.hrtime.bigint(); let rows = 0; for (let b = 0; b < n; b++) rows += fn(b); const s = Number(process.hrtime.bigint() - t) / 1e9; console.log(label, Math.round(rows / s), 'rows/s'); }
// initial fill
run('fill endpoints+history', 20, (b) => { const eps = states.slice(b*10000, (b+1)*10000); const hist = eps.map((s) => ({ fabric: s.fabric, vnid: s.vnid, addr: s.addr, node: 101, status: 'created', ts: 1, flags: ['local'], ifId: 'eth1/1', encap: 'vlan-101', pcTag: 1, rwMac: '', rwBd: 0, remote: 0, seq: 0 })); w.apply(encodeBatch({ endpoints: eps, history: hist, historyIds: eps.map((s) => s.id), findings: [], historyCap: 64, findingCap: 64 })); return eps.length; });
const rnd = () => states[Math.floor(Math.random() * KEYS)];
run('history only (random keys)', 20, () => { const ids = []; const hist = Array.from({ length: 10000 }, () => { const s = rnd(); ids.push(s.id); return { fabric: s.fabric, vnid: s.vnid, addr: s.addr, node: 101, status: 'modified', ts: 1, flags: ['local'], ifId: 'eth1/2', encap: 'vlan-101', pcTag: 1, rwMac: '', rwBd: 0, remote: 0, seq: ++seq }; }); w.apply(encodeBatch({ endpoints: [], history: hist, historyIds: ids, findings: [], historyCap: 64, findingCap: 64 })); return 10000; });
run('endpoints only (random keys)', 20, () => { const eps = [...new Set(Array.from({ length: 10000 }, rnd))]; w.apply(encodeBatch({ endpoints: eps, history: [], findings: [], historyCap: 64, findingCap: 64 })); return eps.length; });
let t = process.hrtime.bigint(); db.pragma('wal_checkpoint(PASSIVE)'); console.log('checkpoint', Number(process.hrtime.bigint() - t) / 1e6, 'ms');
