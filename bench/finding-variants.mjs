// Finding storage variants in SQLite, measured alone (raw SQL, no ept code): cur (v6: record upsert with
// the findings_recent index + the event in a WITHOUT ROWID slot table), log2i (v7: the event appended to
// finding_log, chained to the record's head; findings_recent kept), log2 (the same without findings_recent),
// log3 (v8: finding_log carries fabric, vnid, addr, ts with an index appended in time order; records
// indexed by (fabric, kind) only), noidx, reconly, evonly, log (parts). 700 findings on random endpoints per batch.
// Run: node bench/finding-variants.mjs cur|log2i|log2|log3 [endpoints] [seconds]
import Database from 'better-sqlite3';
import { rmSync, mkdirSync } from 'node:fs';
const V = process.argv[2]; const KEYS = Number(process.argv[3] ?? 200000); const SECS = Number(process.argv[4] ?? 8);
const dir = '/tmp/findv'; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
const db = new Database(`${dir}/x.db`);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -65536'); db.pragma('wal_autocheckpoint = 0');
db.exec(`CREATE TABLE findings (ep INTEGER NOT NULL, kind TEXT NOT NULL, node INTEGER NOT NULL, fabric TEXT NOT NULL, vnid INTEGER NOT NULL, addr TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, cap INTEGER NOT NULL, PRIMARY KEY (ep, kind, node)) WITHOUT ROWID`);
if (V !== 'noidx' && V !== 'log' && V !== 'log2' && V !== 'log3') db.exec('CREATE INDEX findings_recent ON findings (fabric, kind, last_ts, vnid, addr, node)');
db.exec('CREATE TABLE finding_events (ep INTEGER NOT NULL, kind TEXT NOT NULL, node INTEGER NOT NULL, slot INTEGER NOT NULL, seq INTEGER NOT NULL, finding TEXT NOT NULL, PRIMARY KEY (ep, kind, node, slot)) WITHOUT ROWID');
db.exec('CREATE TABLE fe_log (id INTEGER PRIMARY KEY, fabric TEXT NOT NULL, ep INTEGER NOT NULL, kind TEXT NOT NULL, node INTEGER NOT NULL, seq INTEGER NOT NULL, prev INTEGER NOT NULL, finding TEXT NOT NULL)');
if (V === 'log3') {
  db.exec('DROP TABLE fe_log');
  db.exec('CREATE TABLE fe_log (id INTEGER PRIMARY KEY, ep INTEGER NOT NULL, kind TEXT NOT NULL, node INTEGER NOT NULL, seq INTEGER NOT NULL, prev INTEGER NOT NULL, fabric TEXT NOT NULL, vnid INTEGER NOT NULL, addr TEXT NOT NULL, ts INTEGER NOT NULL, finding TEXT NOT NULL)');
  db.exec('CREATE INDEX fe_recent ON fe_log (fabric, kind, ts, vnid, addr, node)');
  db.exec('CREATE INDEX findings_kind ON findings (fabric, kind)');
  db.exec('ALTER TABLE findings ADD COLUMN head INTEGER NOT NULL DEFAULT 0');
  db.exec('ALTER TABLE findings ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0');
}
const lg3 = V === 'log3' ? db.prepare("INSERT INTO fe_log (ep, kind, node, seq, prev, fabric, vnid, addr, ts, finding) SELECT ?, ?, ?, ifnull(f.count, 0) + 1, ifnull(f.head, 0), 'f', ?, ?, ?, ? FROM (SELECT 1) LEFT JOIN findings f ON f.ep = ? AND f.kind = ? AND f.node = ?") : null;
const up3 = V === 'log3' ? db.prepare(`INSERT INTO findings (ep, kind, node, fabric, vnid, addr, type, count, first_ts, last_ts, cap, head, last_event) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
 ON CONFLICT (ep, kind, node) DO UPDATE SET count = count + 1, first_ts = min(first_ts, excluded.first_ts), cap = excluded.cap, type = excluded.type, last_ts = max(last_ts, excluded.last_ts), head = excluded.head,
 last_event = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last_event ELSE last_event END RETURNING count`).pluck() : null;
if (V === 'log2' || V === 'log2i') { db.exec('CREATE INDEX fe_recent ON fe_log (fabric, kind, id)'); db.exec('ALTER TABLE findings ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0'); }
const lg2 = V.startsWith('log2') ? db.prepare("INSERT INTO fe_log (fabric, ep, kind, node, seq, prev, finding) VALUES ('f', ?, ?, ?, ?, coalesce((SELECT last_event FROM findings WHERE ep = ? AND kind = ? AND node = ?), 0), ?)") : null;
const up2 = V.startsWith('log2') ? db.prepare(`INSERT INTO findings (ep, kind, node, fabric, vnid, addr, type, count, first_ts, last_ts, cap, last_event) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
 ON CONFLICT (ep, kind, node) DO UPDATE SET count = count + 1, first_ts = min(first_ts, excluded.first_ts), cap = excluded.cap, type = excluded.type, last_ts = max(last_ts, excluded.last_ts), last_event = excluded.last_event`) : null;
const up = db.prepare(`INSERT INTO findings (ep, kind, node, fabric, vnid, addr, type, count, first_ts, last_ts, cap) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
 ON CONFLICT (ep, kind, node) DO UPDATE SET count = count + 1, first_ts = min(first_ts, excluded.first_ts), cap = excluded.cap, type = excluded.type, last_ts = max(last_ts, excluded.last_ts) RETURNING count`).pluck();
const ev = db.prepare('INSERT OR REPLACE INTO finding_events (ep, kind, node, slot, seq, finding) VALUES (?, ?, ?, ?, ?, ?)');
const lg = db.prepare('INSERT INTO fe_log (ep, kind, node, prev, finding) VALUES (?, ?, ?, ?, ?)');
const json = JSON.stringify({ kind: 'move', fabric: 'f', vnid: 15007713, addr: '02:00:00:01:02:03', type: 'mac', ts: Date.now(), node: 0, src: { node: 101, ifId: 'po5', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: Date.now() }, dst: { node: 103, ifId: 'po5', encap: 'vlan-101', pcTag: 49153, rwMac: '', rwBd: 0, ts: Date.now() } });
const tx = db.transaction((eps) => {
  for (const e of eps) {
    const ts = Date.now();
    if (V === 'log3') { const id = lg3.run(e, 'move', 0, 15007713, 'addr' + e, ts, json, e, 'move', 0).lastInsertRowid; up3.get(e, 'move', 0, 'f', 15007713, 'addr' + e, 'mac', ts, ts, 64, id, id); continue; }
    if (V.startsWith('log2')) { const id = lg2.run(e, 'move', 0, 0, e, 'move', 0, json).lastInsertRowid; up2.run(e, 'move', 0, 'f', 15007713, 'addr' + e, 'mac', ts, ts, 64, id); continue; }
    if (V === 'evonly') { ev.run(e, 'move', 0, 1, 1, json); continue; }
    if (V === 'reconly') { up.get(e, 'move', 0, 'f', 15007713, 'addr' + e, 'mac', ts, ts, 64); continue; }
    const c = up.get(e, 'move', 0, 'f', 15007713, 'addr' + e, 'mac', ts, ts, 64);
    if (V === 'log') lg.run(e, 'move', 0, 0, json); else ev.run(e, 'move', 0, c % 64, c, json);
  }
});
for (let b = 0; b < KEYS; b += 10000) { const eps = []; for (let e = b; e < b + 10000; e++) eps.push(e); tx(eps); }
db.pragma('wal_checkpoint(TRUNCATE)');
let n = 0, ms = 0, ck = 0; const t0 = performance.now(); let last = t0;
while (performance.now() - t0 < SECS * 1000) {
  const eps = []; for (let i = 0; i < 700; i++) eps.push(Math.floor(Math.random() * KEYS)); eps.sort((a, b) => a - b);
  const t = performance.now(); tx(eps); const t2 = performance.now(); ms += t2 - t; n += eps.length;
  if (t2 - last > 5000) { db.pragma('wal_checkpoint(PASSIVE)'); last = performance.now(); ck += last - t2; }
}
console.log(V, KEYS, ((ms + ck) * 1000 / n).toFixed(2), 'us/finding', '(ckpt', (ck * 1000 / n).toFixed(2) + ')');
