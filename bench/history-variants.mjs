// History row storage variants in SQLite, measured alone (raw SQL, no ept code): slot (v6: WITHOUT ROWID
// keyed (ep, node, slot), INSERT OR REPLACE), log (v7: appended rowid rows, chained), logidx (appended
// + an index on (ep, node, seq)). 7 rows per random endpoint, batches of 5 000, a checkpoint every 5 s.
// Run: node bench/history-variants.mjs slot|log|logidx [endpoints] [seconds]
import Database from 'better-sqlite3';
import { rmSync, mkdirSync } from 'node:fs';
const V = process.argv[2]; const KEYS = Number(process.argv[3] ?? 200000); const SECS = Number(process.argv[4] ?? 8);
const dir = '/tmp/histv'; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
const db = new Database(`${dir}/x.db`);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -65536'); db.pragma('wal_autocheckpoint = 0');
const cols = 'ep INTEGER NOT NULL, node INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, status TEXT NOT NULL, flags TEXT NOT NULL, if_id TEXT NOT NULL, encap TEXT NOT NULL, pc_tag INTEGER NOT NULL, rw_mac TEXT NOT NULL, rw_bd INTEGER NOT NULL, remote INTEGER NOT NULL';
let put;
if (V === 'slot') {
  db.exec(`CREATE TABLE h (${cols}, slot INTEGER NOT NULL, PRIMARY KEY (ep, node, slot)) WITHOUT ROWID`);
  const s = db.prepare('INSERT OR REPLACE INTO h VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)');
  put = (ep, node, seq, ts) => s.run(ep, node, seq, ts, 'modified', 'local,mac', 'eth1/2', 'vlan-101', 49153, '', 0, 0, seq % 64);
} else if (V === 'log') {
  db.exec(`CREATE TABLE h (id INTEGER PRIMARY KEY, ${cols}, prev INTEGER NOT NULL)`);
  const s = db.prepare('INSERT INTO h VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  put = (ep, node, seq, ts) => s.run(ep, node, seq, ts, 'modified', 'local,mac', 'eth1/2', 'vlan-101', 49153, '', 0, 0, 0);
} else if (V === 'logidx') {
  db.exec(`CREATE TABLE h (id INTEGER PRIMARY KEY, ${cols}); CREATE INDEX h_ep ON h (ep, node, seq)`);
  const s = db.prepare('INSERT INTO h VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?)');
  put = (ep, node, seq, ts) => s.run(ep, node, seq, ts, 'modified', 'local,mac', 'eth1/2', 'vlan-101', 49153, '', 0, 0);
}
const seqs = new Int32Array(KEYS * 4);
const tx = db.transaction((rows) => { for (const r of rows) put(r[0], r[1], r[2], r[3]); });
// prefill: each ep 4 rows
for (let b = 0; b < KEYS; b += 10000) { const rows = []; for (let e = b; e < b + 10000; e++) for (let n = 0; n < 4; n++) rows.push([e, 101 + n, ++seqs[e * 4 + n], Date.now()]); tx(rows); }
db.pragma('wal_checkpoint(TRUNCATE)');
let events = 0, ms = 0, ck = 0; const t0 = performance.now(); let last = t0;
while (performance.now() - t0 < SECS * 1000) {
  const rows = [];
  while (rows.length < 5000) { const e = Math.floor(Math.random() * KEYS); for (let k = 0; k < 7; k++) { const n = k % 4; rows.push([e, 101 + n, ++seqs[e * 4 + n], Date.now()]); } }
  if (V === 'slot' || V === 'logidx') rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const t = performance.now(); tx(rows); const t2 = performance.now(); ms += t2 - t; events += rows.length;
  if (t2 - last > 5000) { db.pragma('wal_checkpoint(PASSIVE)'); last = performance.now(); ck += last - t2; }
}
console.log(V, KEYS, ((ms + ck) * 1000 / events).toFixed(2), 'us/row', '(ckpt', (ck * 1000 / events).toFixed(2) + ')');
