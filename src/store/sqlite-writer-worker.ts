// The SQLite writer thread's entry point: applies encoded write batches on its own connection, so
// neither commits nor checkpoint fsyncs block the event loop. The WAL is checkpointed by a thread
// of its own (sqlite-checkpoint-worker.ts) so commits go on meanwhile; where that thread cannot run,
// this one checkpoints between batches.
import { parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteBatchWriter, type EncodedBatch, type EncodedObjects } from './sqlite-batch-writer.js';
import { applyConnectionPragmas } from './sqlite-pragmas.js';
import type { CheckpointerMessage, CheckpointerReply } from './sqlite-checkpoint-worker.js';

interface Options {
  path: string;
  cacheMiB: number;
  /** Time between checkpoints (sqlite-writer-thread.ts). */
  checkpointMs: number;
}

type Message =
  | { type: 'write'; id: number; batch: EncodedBatch }
  | { type: 'objects'; id: number; objects: EncodedObjects }
  /** Answered once every message before it is applied (messages are handled in order). */
  | { type: 'barrier'; id: number }
  | { type: 'close' };

const port = parentPort;
if (!port) throw new Error('sqlite-writer-worker must run as a worker thread');
const { path, cacheMiB, checkpointMs } = workerData as Options;
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

/** Tells the parent something it should log (the thread has no logger of its own). */
function warn(message: string): void {
  port?.postMessage({ type: 'warning', message });
}

const CHECKPOINTER = new URL('./sqlite-checkpoint-worker.js', import.meta.url);
let checkpointer: Worker | null = null;
let timer: NodeJS.Timeout | null = null;
/** Raised by the checkpointer thread once what is left for this thread to copy is small. */
const caughtUp = new Int32Array(new SharedArrayBuffer(4));

/** Runs copyRest when no batch comes; set while a checkpointer thread runs. */
let restTimer: NodeJS.Timeout | null = null;

/**
 * Copies the rest of the WAL the checkpointer thread left (it copied the bulk meanwhile), between
 * two commits: the next commit then starts the WAL over. Called after each message, and on a timer
 * for when no batch comes.
 */
function copyRest(): void {
  if (Atomics.load(caughtUp, 0) === 0) return;
  Atomics.store(caughtUp, 0, 0);
  try {
    checkpoint();
  } catch {
    // Busy: the checkpointer's next interval tries again.
  }
}

/** This thread checkpoints on its own from now on (no checkpointer thread, or it failed). */
function checkpointHere(why: string): void {
  if (restTimer) clearInterval(restTimer);
  restTimer = null;
  if (checkpointer) {
    const c = checkpointer;
    checkpointer = null;
    c.removeAllListeners();
    void c.terminate();
  }
  warn(`checkpointer thread: ${why}; the writer thread checkpoints from now on`);
  // Between messages: a busy checkpoint is simply retried at the next tick.
  timer ??= setInterval(() => {
    try {
      if (committed) checkpoint();
    } catch {
      committed = true;
    }
  }, checkpointMs);
}

if (db) {
  // Compiled beside this file; a thread that cannot start reports it through 'error'.
  try {
    const c = new Worker(CHECKPOINTER, { workerData: { path, intervalMs: checkpointMs, caughtUp: caughtUp.buffer } });
    checkpointer = c;
    restTimer = setInterval(copyRest, 100);
    c.on('message', (r: CheckpointerReply) => {
      if (r.type === 'error') checkpointHere(r.message);
    });
    c.on('error', (err) => checkpointHere(err.message || String(err)));
    c.on('exit', (code) => checkpointHere(`exited with code ${code}`));
  } catch (err) {
    checkpointHere(err instanceof Error ? err.message : String(err));
  }
}

/** Stops the checkpointer thread (it finishes the pass it is in). */
function stopCheckpointer(): Promise<void> {
  const c = checkpointer;
  if (!c) return Promise.resolve();
  checkpointer = null;
  c.removeAllListeners();
  return new Promise<void>((resolve) => {
    c.on('message', (r: CheckpointerReply) => r.type === 'stopped' && resolve());
    c.on('error', () => resolve());
    c.on('exit', () => resolve());
    c.postMessage({ type: 'stop' } satisfies CheckpointerMessage);
  });
}

async function close(): Promise<void> {
  if (timer) clearInterval(timer);
  if (restTimer) clearInterval(restTimer);
  await stopCheckpointer();
  if (db) {
    try {
      checkpoint();
    } catch (err) {
      warn(`final checkpoint failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    db.close();
  }
  port?.postMessage({ type: 'closed' });
}

port.on('message', (m: Message) => {
  if (m.type === 'close') {
    void close();
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
  copyRest();
});
