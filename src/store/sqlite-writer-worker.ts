// The SQLite writer thread's entry point: applies encoded write batches on its own connection, and
// checkpoints the WAL itself, so neither commits nor checkpoint fsyncs block the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteBatchWriter, type EncodedBatch } from './sqlite-batch-writer.js';
import { applyConnectionPragmas } from './sqlite-pragmas.js';

/** Commits between passive checkpoints, and the longest time between two. */
const CHECKPOINT_EVERY = 16;
const CHECKPOINT_MS = 1000;

interface Options {
  path: string;
  cacheMiB: number;
}

type Message = { type: 'write'; id: number; batch: EncodedBatch } | { type: 'close' };

const port = parentPort;
if (!port) throw new Error('sqlite-writer-worker must run as a worker thread');
const { path, cacheMiB } = workerData as Options;
const db = new Database(path);
applyConnectionPragmas(db, cacheMiB, true);
const writer = new SqliteBatchWriter(db);
let commits = 0;
let lastCheckpoint = Date.now();

function checkpoint(): void {
  db.pragma('wal_checkpoint(PASSIVE)');
  commits = 0;
  lastCheckpoint = Date.now();
}

port.on('message', (m: Message) => {
  if (m.type === 'close') {
    checkpoint();
    db.close();
    port.postMessage({ type: 'closed' });
    return;
  }
  try {
    writer.apply(m.batch);
    port.postMessage({ type: 'done', id: m.id });
  } catch (err) {
    port.postMessage({ type: 'done', id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
  if (++commits >= CHECKPOINT_EVERY || Date.now() - lastCheckpoint >= CHECKPOINT_MS) {
    try {
      checkpoint();
    } catch {
      // A busy checkpoint is retried after the next commit.
    }
  }
});
