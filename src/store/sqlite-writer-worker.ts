// The SQLite writer thread's entry point: applies encoded write batches on its own connection, and
// checkpoints the WAL itself, so neither commits nor checkpoint fsyncs block the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteBatchWriter, type EncodedBatch, type EncodedObjects } from './sqlite-batch-writer.js';
import { applyConnectionPragmas } from './sqlite-pragmas.js';

/**
 * Time between passive checkpoints. Rarer checkpoints write each hot page once for many commits
 * (a checkpoint every second took a quarter of this thread's time under load); the WAL grows to at
 * most a few seconds of writes.
 */
const CHECKPOINT_MS = 5000;

interface Options {
  path: string;
  cacheMiB: number;
}

type Message =
  | { type: 'write'; id: number; batch: EncodedBatch }
  | { type: 'objects'; id: number; objects: EncodedObjects }
  /** Answered once every message before it is applied (messages are handled in order). */
  | { type: 'barrier'; id: number }
  | { type: 'close' };

const port = parentPort;
if (!port) throw new Error('sqlite-writer-worker must run as a worker thread');
const { path, cacheMiB } = workerData as Options;
let db: Database.Database | null = null;
let writer: SqliteBatchWriter | null = null;
/** Why the connection could not be set up; every write is answered with it (an error thrown out of
 * a worker reaches the parent without its message, and would race the writes already posted). */
let startError: string | null = null;
try {
  db = new Database(path);
  applyConnectionPragmas(db, cacheMiB, true);
  writer = new SqliteBatchWriter(db);
} catch (err) {
  startError = `cannot start: ${err instanceof Error ? err.message : String(err)}`;
}
let committed = false;

function checkpoint(): void {
  db?.pragma('wal_checkpoint(PASSIVE)');
  committed = false;
}

// Between messages: a busy checkpoint is simply retried at the next tick.
const timer = setInterval(() => {
  try {
    if (committed) checkpoint();
  } catch {
    committed = true;
  }
}, CHECKPOINT_MS);

port.on('message', (m: Message) => {
  if (m.type === 'close') {
    clearInterval(timer);
    if (db) {
      checkpoint();
      db.close();
    }
    port.postMessage({ type: 'closed' });
    return;
  }
  if (!writer) {
    port.postMessage({ type: 'done', id: m.id, error: startError });
    return;
  }
  try {
    if (m.type === 'write') writer.apply(m.batch);
    else if (m.type === 'objects') writer.applyObjects(m.objects);
    port.postMessage({ type: 'done', id: m.id });
  } catch (err) {
    port.postMessage({ type: 'done', id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
  committed = true;
});
